"""Security headers and the pages' obedience to the Content-Security-Policy they are sent with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.build import BuildResult, build
from sitegen.security import headers_for, style_hash
from tests.support.site import ANALYTICS_IDS, copy_content, set_site_option

ANALYTICS_HOSTS = ("googletagmanager.com", "google-analytics.com", "mc.yandex.ru")


def directives(csp: str) -> dict[str, list[str]]:
    return {
        name: values for name, *values in (part.split() for part in csp.split(";") if part.strip())
    }


def test_security_headers_are_recorded_for_the_servers(built_site: BuildResult) -> None:
    headers = headers_for(built_site.out_dir)

    assert set(headers) == {
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Permissions-Policy",
        "X-Frame-Options",
    }
    csp = directives(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert not any(host in headers["Content-Security-Policy"] for host in ANALYTICS_HOSTS)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_security_every_page_inlines_exactly_the_hashed_css(built_site: BuildResult) -> None:
    allowed = directives(headers_for(built_site.out_dir)["Content-Security-Policy"])["style-src"]
    inlined: set[str] = set()

    for name in built_site.pages:
        html = (built_site.out_dir / name).read_text(encoding="utf-8")
        styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
        assert len(styles) == 1, name
        assert style_hash(styles[0]) in allowed, name
        inlined.add(style_hash(styles[0]))
        assert " style=" not in html, f"{name} has a style attribute the CSP would block"
    # The public pages' stylesheet and the staff inbox's: no other.
    assert sorted(allowed) == sorted(inlined) and len(allowed) == 2


def test_security_no_page_has_an_inline_script(built_site: BuildResult) -> None:
    for name in built_site.pages:
        html = (built_site.out_dir / name).read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert " src=" in tag or 'type="application/json"' in tag, f"{name}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"{name} has an inline event handler"


def test_security_no_analytics_ids_no_analytics_code(built_site: BuildResult) -> None:
    for name in built_site.pages:
        html = (built_site.out_dir / name).read_text(encoding="utf-8")
        assert "analytics-banner" not in html
        assert "/assets/consent." not in html


@pytest.fixture(scope="module")
def analytics_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = copy_content(tmp_path_factory.mktemp("csp"))
    for name, value in ANALYTICS_IDS.items():
        set_site_option(content, name, f'{name} = "{value}"')
    return build(content, content.parent / "dist").out_dir


def test_security_analytics_ids_allow_exactly_their_hosts(analytics_build: Path) -> None:
    csp = directives(headers_for(analytics_build)["Content-Security-Policy"])

    assert csp["script-src"] == [
        "'self'",
        "https://*.googletagmanager.com",
        "https://mc.yandex.ru",
        "https://yastatic.net",
    ]
    assert "https://mc.yandex.ru" in csp["connect-src"]
    assert "https://*.google-analytics.com" in csp["connect-src"]
    assert csp["default-src"] == ["'none'"]
    page = (analytics_build / "en" / "index.html").read_text(encoding="utf-8")
    assert 'id="analytics-banner"' in page and "G-TEST123456" in page

"""The staff inbox page as the build writes it: one page, every language's words, kept private."""

# ruff: noqa: RUF001 (Kazakh text is meant to be Cyrillic)

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitegen.admin import ADMIN_PAGE
from sitegen.build import BuildResult, build
from sitegen.errors import BuildError
from sitegen.security import admin_headers, cognito_origin, headers_for, style_hash
from tests.support.site import (
    ANALYTICS_IDS,
    LANGUAGES,
    add_language,
    copy_content,
    set_site_option,
)

ANALYTICS_HOSTS = ("googletagmanager.com", "google-analytics.com", "yandex")


def admin_html(out_dir: Path) -> str:
    return (out_dir / ADMIN_PAGE).read_text(encoding="utf-8")


def page_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="admin-config">(.*?)</script>', html)
    assert found
    return json.loads(found.group(1))


def words(out_dir: Path, config: dict, language: str) -> dict[str, str]:
    """A language's words, from the file the page's config names."""
    url = config["words"][language]
    assert url.startswith("/assets/")
    return json.loads((out_dir / url.removeprefix("/")).read_text(encoding="utf-8"))


def directives(csp: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in csp.split(";"))}


@pytest.fixture(scope="module")
def analytics_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = copy_content(tmp_path_factory.mktemp("admin-analytics"))
    for name, value in ANALYTICS_IDS.items():
        set_site_option(content, name, f'{name} = "{value}"')
    return build(content, content.parent / "dist").out_dir


def test_admin_page_is_kept_out_of_search_engines(built_site: BuildResult) -> None:
    html = admin_html(built_site.out_dir)
    robots = (built_site.out_dir / "robots.txt").read_text(encoding="utf-8")
    sitemap = (built_site.out_dir / "sitemap.xml").read_text(encoding="utf-8")

    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Disallow: /admin/" in robots.splitlines()
    assert "/admin/" not in sitemap


def test_admin_page_loads_nothing_from_other_hosts(built_site: BuildResult) -> None:
    html = admin_html(built_site.out_dir)

    for attribute in re.findall(r'\s(?:src|href|data-qrcode)="([^"]*)"', html):
        assert attribute.startswith(("/", "#")), attribute
    assert "http://" not in html and "https://" not in html


def test_admin_page_never_carries_analytics(analytics_build: Path) -> None:
    html = admin_html(analytics_build)

    assert "/assets/consent." not in html and "analytics" not in html
    assert not any(host in html for host in ANALYTICS_HOSTS)


def test_admin_page_has_every_language_and_reads_in_the_default(built_site: BuildResult) -> None:
    out = built_site.out_dir
    html = admin_html(out)
    config = page_config(html)

    assert '<html lang="ru" class="words-pending">' in html
    assert '<h1 id="sign-in-title" data-t="sign_in_title">Вход</h1>' in html
    assert config["languages"] == list(LANGUAGES) and config["defaultLanguage"] == "ru"
    assert words(out, config, "en")["sign_in"] == "Sign in"
    assert words(out, config, "kk")["sign_in"] == "Кіру"
    assert words(out, config, "ru")["mark_answered"] == "Отметить как отвеченное"
    for language in LANGUAGES:
        assert set(words(out, config, language)) == set(words(out, config, "ru"))
    assert config["replySubjects"] == {
        "ru": "Ваше обращение на estimation.kz",
        "en": "Your message to estimation.kz",
        "kk": "estimation.kz сайтына жолдаған өтінішіңіз",
    }
    assert config["languageNames"] == {"ru": "Русский", "en": "English", "kk": "Қазақша"}
    assert config["issuer"] == "estimation.kz"


def test_admin_page_inputs_use_the_standard_autocomplete_tokens(built_site: BuildResult) -> None:
    html = admin_html(built_site.out_dir)
    tokens = dict(re.findall(r'<input id="([^"]+)"[^>]*autocomplete="([^"]+)"', html))

    assert tokens["sign-in-email"] == "username"
    assert tokens["sign-in-password"] == "current-password"
    assert tokens["new-password"] == tokens["new-password-again"] == "new-password"
    assert tokens["mfa-code"] == tokens["mfa-setup-code"] == "one-time-code"
    # Nothing typed here can leave in a plain form submission: no input has a name.
    assert " name=" not in html.split("<body", 1)[1]


def test_admin_page_a_language_folder_adds_its_words(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    language = add_language(content)

    out = build(content, tmp_path / "dist").out_dir
    config = page_config(admin_html(out))

    assert config["languages"] == [*LANGUAGES, language]
    assert words(out, config, language)["sign_in"] == "Anmelden"
    assert f'data-language="{language}" lang="{language}"' in admin_html(tmp_path / "dist")


def test_admin_page_missing_word_fails_the_build_naming_the_file(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    strings = content / "en" / "strings.toml"
    text = strings.read_text(encoding="utf-8")
    strings.write_text(re.sub(r'\nmark_answered = "[^"]*"', "", text), encoding="utf-8")

    with pytest.raises(BuildError) as caught:
        build(content, tmp_path / "dist")

    assert caught.value.location == str(strings)
    assert "'admin.mark_answered'" in caught.value.message


def test_admin_headers_allow_only_the_site_and_cognito(analytics_build: Path) -> None:
    site = headers_for(analytics_build)
    headers = admin_headers(site, cognito_origin("eu-central-1"))
    csp = directives(headers["Content-Security-Policy"])
    inline_css = re.search(r"<style>(.*?)</style>", admin_html(analytics_build), re.DOTALL)

    assert csp["connect-src"] == ["'self'", "https://cognito-idp.eu-central-1.amazonaws.com"]
    assert csp["script-src"] == ["'self'"] and csp["img-src"] == ["'self'"]
    assert csp["default-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'none'"]
    assert inline_css and style_hash(inline_css.group(1)) in csp["style-src"]
    assert not any(host in headers["Content-Security-Policy"] for host in ANALYTICS_HOSTS)
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    # Where Cognito is reached through the site's own origin (the preview): itself only.
    preview = directives(admin_headers(site)["Content-Security-Policy"])
    assert preview["connect-src"] == ["'self'"]

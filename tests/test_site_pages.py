"""The built site, page by page: languages, canonical URLs, alternates, sitemap, robots."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from sitecontent.site import load_site
from sitecontent.strings import load_strings
from sitegen.build import BuildResult
from tests.support.site import CONTENT, LANGUAGES, read_page

BASE = "https://estimation.kz"
DEFAULT = load_site(CONTENT).default_language
LANGUAGE_NAMES = {
    language: load_strings(CONTENT, language)["language.name"] for language in LANGUAGES
}
SLUGS = ("", "privacy/", "privacy/1.0/", "contact/", "thanks/")
PAGES = [(language, slug) for language in LANGUAGES for slug in SLUGS]
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def test_site_has_every_page(built_site: BuildResult) -> None:
    expected = {f"{language}/{slug}index.html" for language, slug in PAGES}
    expected |= {"index.html", "404.html", "admin/index.html", "sitemap.xml", "robots.txt"}

    assert expected <= set(built_site.files)
    assert set(built_site.pages) == {name for name in expected if name.endswith(".html")}


@pytest.mark.parametrize(("language", "slug"), PAGES)
def test_site_page_language_canonical_and_alternates(
    built_site: BuildResult, language: str, slug: str
) -> None:
    page = read_page(built_site.out_dir, f"/{language}/{slug}")

    assert page.lang == language
    assert page.canonical == f"{BASE}/{language}/{slug}"
    assert page.alternates == {
        **{other: f"{BASE}/{other}/{slug}" for other in LANGUAGES},
        "x-default": f"{BASE}/" if slug == "" else f"{BASE}/{DEFAULT}/{slug}",
    }
    assert page.title and page.meta["description"]


@pytest.mark.parametrize(("language", "slug"), PAGES)
def test_site_switcher_links_to_the_same_page(
    built_site: BuildResult, language: str, slug: str
) -> None:
    page = read_page(built_site.out_dir, f"/{language}/{slug}")
    others = [other for other in LANGUAGES if other != language]

    switcher = {href: text for href, text in page.links if href in {f"/{o}/{slug}" for o in others}}

    # Each other language, by its own name from its strings file ("Қазақша", "English").
    assert switcher == {f"/{other}/{slug}": LANGUAGE_NAMES[other] for other in others}


def test_site_root_picks_the_default_language(built_site: BuildResult) -> None:
    html = (built_site.out_dir / "index.html").read_text(encoding="utf-8")
    page = read_page(built_site.out_dir, "/")

    assert page.lang == "ru"
    assert '<meta http-equiv="refresh" content="0; url=/ru/">' in html
    assert {f"/{language}/" for language in LANGUAGES} <= set(page.hrefs())
    assert page.alternates == {
        **{language: f"{BASE}/{language}/" for language in LANGUAGES},
        "x-default": f"{BASE}/",
    }


def test_site_not_found_page_speaks_every_language(built_site: BuildResult) -> None:
    page = read_page(built_site.out_dir, "/404.html")

    assert page.meta["robots"] == "noindex"
    assert "Страница не найдена" in page.text and "Page not found" in page.text
    assert "Бет табылмады" in page.text
    assert {f"/{language}/" for language in LANGUAGES} <= set(page.hrefs())


@pytest.mark.parametrize("language", LANGUAGES)
def test_site_thanks_page_is_not_indexed(built_site: BuildResult, language: str) -> None:
    assert read_page(built_site.out_dir, f"/{language}/thanks/").meta["robots"] == "noindex"


def test_site_sitemap_lists_pages_with_alternates(built_site: BuildResult) -> None:
    root = ElementTree.parse(built_site.out_dir / "sitemap.xml").getroot()
    entries = {
        url.findtext("s:loc", namespaces=SITEMAP_NS): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }

    indexed = [slug for slug in SLUGS if slug != "thanks/"]
    assert set(entries) == {
        f"{BASE}/{language}/{slug}" for language in LANGUAGES for slug in indexed
    }
    for language in LANGUAGES:
        assert entries[f"{BASE}/{language}/contact/"] == {
            **{other: f"{BASE}/{other}/contact/" for other in LANGUAGES},
            "x-default": f"{BASE}/{DEFAULT}/contact/",
        }


def test_site_robots_points_at_the_sitemap(built_site: BuildResult) -> None:
    robots = (built_site.out_dir / "robots.txt").read_text(encoding="utf-8")

    assert f"Sitemap: {BASE}/sitemap.xml" in robots
    assert "Disallow: /api/" in robots


def test_site_pages_refer_to_assets_that_exist(built_site: BuildResult) -> None:
    for name in built_site.pages:
        html = (built_site.out_dir / name).read_text(encoding="utf-8")
        for asset in re.findall(r'(?:src|href)="/(assets/[^"]+)"', html):
            assert (built_site.out_dir / asset).is_file(), f"{name} refers to missing {asset}"

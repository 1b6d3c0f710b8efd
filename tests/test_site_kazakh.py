"""Kazakh, published from the real content: a twin of every Russian page, clause for clause.

Built as visitors get it (the session's `built_site`): every Russian page has its Kazakh twin,
paired both ways by hreflang and in the sitemap, and the switcher offers it as «Қазақша»; the
Kazakh policy numbers its sections and clauses as the Russian does, in the words of the
official Kazakh text of Law No. 94-V.
"""

# ruff: noqa: RUF001 (Kazakh text is meant to be Cyrillic)

from __future__ import annotations

from xml.etree import ElementTree

from sitecontent.site import load_site
from sitecontent.strings import load_strings
from sitegen.build import BuildResult
from sitegen.pages import gather_pages
from sitegen.policy import policy_structure
from sitegen.sources import list_sources
from tests.support.site import CONTENT, read_page

BASE = "https://estimation.kz"
SITE = load_site(CONTENT)
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}
# Law No. 94-V's own Kazakh words for what the policy speaks of.
LAW_TERMS = (
    "дербес деректер",
    "Оператор",
    "бұғаттау",
    "иесіздендіру",
    "жою",
    "трансшекаралық беру",
)


def russian_pages(built_site: BuildResult) -> list[str]:
    return sorted(name for name in built_site.pages if name.startswith("ru/"))


def test_kazakh_is_published_after_russian_and_english() -> None:
    assert SITE.languages == ("ru", "en", "kk")
    assert SITE.default_language == "ru"


def test_kazakh_every_russian_page_has_its_twin_paired_by_hreflang(built_site: BuildResult) -> None:
    for name in russian_pages(built_site):
        twin = "kk/" + name.removeprefix("ru/")
        assert twin in built_site.pages
        url = "/" + name.removesuffix("index.html")
        kazakh_url = "/" + twin.removesuffix("index.html")
        russian, kazakh = (
            read_page(built_site.out_dir, url),
            read_page(built_site.out_dir, kazakh_url),
        )
        assert kazakh.lang == "kk"
        assert russian.alternates["kk"] == BASE + kazakh_url
        assert kazakh.alternates["ru"] == BASE + url
        assert (kazakh_url, "Қазақша") in russian.links
        assert (url, "Русский") in kazakh.links


def test_kazakh_sitemap_pairs_every_page(built_site: BuildResult) -> None:
    root = ElementTree.parse(built_site.out_dir / "sitemap.xml").getroot()
    entries = {
        url.findtext("s:loc", namespaces=SITEMAP_NS): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }
    russian = [loc for loc in entries if loc.startswith(f"{BASE}/ru/")]
    assert russian
    for loc in russian:
        kazakh = loc.replace(f"{BASE}/ru/", f"{BASE}/kk/", 1)
        assert entries[loc]["kk"] == kazakh
        assert entries[kazakh]["ru"] == loc


def test_kazakh_policy_numbers_its_clauses_as_the_russian() -> None:
    pages = gather_pages(list_sources(CONTENT), SITE)
    for slug, russian in pages["ru"].items():
        if russian.policy is None:
            continue
        kazakh = pages["kk"][slug]
        assert [n.number for n in policy_structure(kazakh)] == [
            n.number for n in policy_structure(russian)
        ]
        assert len(policy_structure(russian)) > 40  # nine sections and their clauses


def test_kazakh_policy_speaks_in_the_laws_words(built_site: BuildResult) -> None:
    text = read_page(built_site.out_dir, "/kk/privacy/").text
    for term in LAW_TERMS:
        assert term in text


def test_kazakh_strings_name_the_language_and_match_every_russian_key() -> None:
    kazakh, russian = load_strings(CONTENT, "kk"), load_strings(CONTENT, "ru")
    assert kazakh["language.name"] == "Қазақша"
    assert set(kazakh) == set(russian)
    # Translated, not copied: no Russian sentence is left in the Kazakh strings.
    copied = [key for key in russian if russian[key] == kazakh[key] and len(russian[key]) > 12]
    assert copied == ["site.name"]  # estimation.kz

"""URLs between the languages: canonical, `hreflang` alternates, the sitemap and robots.txt."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sitecontent.site import Site
from sitegen.admin import ADMIN_URL
from sitegen.pages import NOT_FOUND_SLUG, Page

ROOT_URL = "/"


@dataclass(frozen=True)
class Alternate:
    """The same page in one language (`hreflang` is a language code or `x-default`)."""

    hreflang: str
    url: str


def alternates(site: Site, translations: dict[str, Page]) -> list[Alternate]:
    """Every language's URL of a page, then `x-default`; absolute, as search engines want."""
    links = [
        Alternate(language, site.base_url + translations[language].url)
        for language in site.languages
    ]
    default = translations[site.default_language]
    # The language picker is the natural x-default for the home page; elsewhere the default
    # language's page is.
    target = ROOT_URL if default.slug == "" else default.url
    links.append(Alternate("x-default", site.base_url + target))
    return links


def root_alternates(site: Site) -> list[Alternate]:
    """Alternates of the language picker at `/`: each language's home and itself."""
    links = [Alternate(language, f"{site.base_url}/{language}/") for language in site.languages]
    links.append(Alternate("x-default", site.base_url + ROOT_URL))
    return links


def in_sitemap(page: Page) -> bool:
    """Pages search engines should list: not the thanks page, not the not-found page."""
    return not page.noindex and page.slug != NOT_FOUND_SLUG


def sitemap_xml(site: Site, pages: dict[str, dict[str, Page]]) -> str:
    """`sitemap.xml` with an `xhtml:link` alternate for every language of every page."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    reference = pages[site.default_language]
    for slug in sorted(reference):
        if not in_sitemap(reference[slug]):
            continue
        translations = {language: pages[language][slug] for language in site.languages}
        links = alternates(site, translations)
        for language in site.languages:
            lines.append("  <url>")
            lines.append(f"    <loc>{escape(site.base_url + translations[language].url)}</loc>")
            lines.extend(
                f'    <xhtml:link rel="alternate" hreflang="{escape(link.hreflang)}" '
                f'href="{escape(link.url)}"/>'
                for link in links
            )
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(site: Site) -> str:
    """Let every crawler in, except into the API and the staff inbox; point it at the sitemap."""
    return (
        f"User-agent: *\nDisallow: /api/\nDisallow: {ADMIN_URL}\n\n"
        f"Sitemap: {site.base_url}/sitemap.xml\n"
    )

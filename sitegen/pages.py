"""Read every language's pages and decide what exists: pages paired by slug across languages.

A page's slug is its path under `content/<lang>/` without `.md` (`contact.md` → `contact`,
`index.md` → the language's home, `about/index.md` → `about`). Policy versions under
`privacy/` become `privacy/<version>`, and the current one is also `privacy`. `404.md` is the
site's one not-found page.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from sitecontent.files import split_front_matter
from sitecontent.policy import POLICY_FOLDER, PolicyVersion, policy_versions
from sitecontent.site import Site
from sitecontent.strings import TRANSLATED_FROM
from sitegen.errors import BuildError

NOT_FOUND_SLUG = "404"
# Layouts an editor may name in front matter; the others are chosen by the file's place.
EDITOR_LAYOUTS = ("page", "contact")
# A translation records the revision of its source it was made from (`sitegen.translations`).
PAGE_KEYS = {"title", "description", "layout", "noindex", TRANSLATED_FROM}
POLICY_KEYS = {"title", "description", "version", "effective"}


@dataclass(frozen=True)
class Page:
    """One page in one language, as its Markdown file describes it."""

    language: str
    slug: str
    source: Path
    title: str
    description: str
    layout: str
    body: str
    noindex: bool = False
    policy: PolicyVersion | None = None

    @property
    def url(self) -> str:
        if self.slug == NOT_FOUND_SLUG:
            return "/404.html"
        return f"/{self.language}/{self.slug}/" if self.slug else f"/{self.language}/"


def _slug_for(parts: list[str]) -> str:
    """The slug of a page's path under its language folder, given as its parts."""
    parts = [*parts[:-1], parts[-1].removesuffix(".md")]
    if parts[-1] == "index":
        parts.pop()
    return "/".join(parts)


def _check_text(meta: dict, key: str, path: Path) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BuildError(f"{path}:2", f"front matter needs a non-empty text {key!r}")
    return value


def _check_keys(meta: dict, allowed: set[str], path: Path) -> None:
    unknown = sorted(set(meta) - allowed)
    if unknown:
        raise BuildError(
            f"{path}:2",
            f"unknown front matter {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}",
        )


def read_page(path: Path, language: str, slug: str, policy: PolicyVersion | None = None) -> Page:
    """Read one Markdown page and check its front matter."""
    text = path.read_text(encoding="utf-8")
    # Keyed by the path as text: a new Path computes its hash afresh, thousands per build.
    return _page_from_text(str(path), text, language, slug, policy)


# A pure function of its arguments, and a `Page` cannot change: the preview's rebuilds read
# every file again but parse only the ones whose text changed (TOML front matter is most of
# the reading time). Errors are never cached, so a mended file is read afresh.
@functools.lru_cache(maxsize=8192)
def _page_from_text(
    source: str, text: str, language: str, slug: str, policy: PolicyVersion | None
) -> Page:
    path = Path(source)
    meta, body, _ = split_front_matter(path, text)
    _check_keys(meta, POLICY_KEYS if policy else PAGE_KEYS, path)
    title = _check_text(meta, "title", path)
    description = _check_text(meta, "description", path)
    if policy:
        layout = "policy"
    elif slug == NOT_FOUND_SLUG:
        layout = "not_found"
    else:
        layout = meta.get("layout", "page")
        if layout not in EDITOR_LAYOUTS:
            raise BuildError(
                f"{path}:2", f"unknown layout {layout!r}; choose one of {', '.join(EDITOR_LAYOUTS)}"
            )
    noindex = meta.get("noindex", False)
    if not isinstance(noindex, bool):
        raise BuildError(f"{path}:2", "'noindex' must be true or false")
    return Page(language, slug, path, title, description, layout, body, noindex, policy)


def read_language(content_dir: Path, language: str) -> list[Page]:
    """Every page of one language, policy versions included, in a stable order."""
    folder = content_dir / language
    pages: list[Page] = []
    prefix = len(str(folder)) + 1
    for path in sorted(folder.rglob("*.md")):
        # Strings rather than Path.relative_to: with thousands of pages pathlib's cost shows.
        parts = str(path)[prefix:].split(os.sep)
        if parts[0] != POLICY_FOLDER or len(parts) != 2:
            pages.append(read_page(path, language, _slug_for(parts)))
    versions = policy_versions(content_dir, language)
    for version in versions:
        pages.append(
            read_page(version.path, language, f"{POLICY_FOLDER}/{version.version}", version)
        )
    current = versions[-1]
    pages.append(read_page(current.path, language, POLICY_FOLDER, current))
    return pages


def _check_policy_versions(site: Site, pages: dict[str, dict[str, Page]]) -> None:
    reference = site.default_language

    def versions(language: str) -> dict[str, dt.date]:
        return {
            page.policy.version: page.policy.effective
            for page in pages[language].values()
            if page.policy
        }

    expected = versions(reference)
    for language in site.languages:
        for version, effective in versions(language).items():
            source = pages[language][f"{POLICY_FOLDER}/{version}"].source
            if version not in expected:
                raise BuildError(
                    f"{source}:1", f"policy version {version} has no {reference} counterpart"
                )
            if effective != expected[version]:
                raise BuildError(
                    f"{source}:1",
                    f"effective date {effective} differs from {reference} ({expected[version]})",
                )


def _by_slug(pages: list[Page]) -> dict[str, Page]:
    by_slug: dict[str, Page] = {}
    for page in pages:
        other = by_slug.get(page.slug)
        # The current policy is meant to appear twice (its version URL and /privacy/).
        if other and other.source != page.source:
            raise BuildError(
                f"{page.source}:1", f"writes {page.url}, which {other.source} writes too"
            )
        by_slug.setdefault(page.slug, page)
    return by_slug


def gather_pages(content_dir: Path, site: Site) -> dict[str, dict[str, Page]]:
    """Read all languages and check that every page exists in each: `{lang: {slug: Page}}`."""
    pages = {
        language: _by_slug(read_language(content_dir, language)) for language in site.languages
    }
    all_slugs = sorted({slug for by_slug in pages.values() for slug in by_slug})
    for slug in all_slugs:
        present = [language for language in site.languages if slug in pages[language]]
        for language in site.languages:
            if language not in present:
                source = pages[present[0]][slug].source
                relative = source.relative_to(content_dir / present[0])
                raise BuildError(
                    f"{source}:1",
                    f"page has no {language} counterpart "
                    f"(expected {content_dir / language / relative})",
                )
    _check_policy_versions(site, pages)
    return pages

"""Read every language's pages and decide what exists: pages paired by slug across languages.

A page's slug is its path under `content/<lang>/` without `.md` (`contact.md` → `contact`,
`index.md` → the language's home, `about/index.md` → `about`). Policy versions under
`privacy/` become `privacy/<version>`, and the current one is also `privacy`. `404.md` is the
site's one not-found page.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from sitecontent.files import split_front_matter
from sitecontent.policy import POLICY_FOLDER, PolicyVersion, policy_versions
from sitecontent.site import Site
from sitecontent.strings import TRANSLATED_FROM
from sitegen.errors import BuildError
from sitegen.memo import Memo
from sitegen.sources import SourceFiles
from sitegen.translations import page_revision
from sitegen.workers import PARALLEL_FROM, deal, in_workers

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
    # For translation freshness (`sitegen.translations`), read with the page so the build
    # never reads a file twice: its `translated_from` setting as written, and the revision of
    # its whole file. Not compared: neither shows on the page, so neither makes it render again.
    translated_from: object = field(default=None, compare=False, repr=False)
    revision: str = field(default="", compare=False, repr=False)

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
    return Page(
        language,
        slug,
        path,
        title,
        description,
        layout,
        body,
        noindex,
        policy,
        translated_from=meta.get(TRANSLATED_FROM),
        revision=page_revision(text),
    )


def language_policies(sources: SourceFiles, language: str, memo: Memo) -> list[PolicyVersion]:
    """A language's policy versions, oldest first, read again only when a version's file changed."""
    files = sources.under(f"{language}/{POLICY_FOLDER}", ".md", recursive=False)
    inputs = tuple((name, sources.stamp(name)) for name in files)
    return memo(
        ("policy versions", language), inputs, lambda: policy_versions(sources.root, language)
    )


def _remembered_page(
    sources: SourceFiles,
    relative: str,
    language: str,
    slug: str,
    memo: Memo,
    policy: PolicyVersion | None = None,
    read_ahead: dict[str, Page | None] | None = None,
) -> Page:
    # By slug too: the current policy version is one file read as two pages.
    def read() -> Page:
        page = (read_ahead or {}).get(relative)
        return page or read_page(sources.path(relative), language, slug, policy)

    return memo(("page", relative, slug), (sources.stamp(relative), language, policy), read)


def _read_share(share: list[tuple[Path, str, str]]) -> list[Page | None]:
    pages: list[Page | None] = []
    for path, language, slug in share:
        try:
            pages.append(read_page(path, language, slug))
        except Exception:
            # Read again, in order, by the build itself: the first broken file is the one
            # named, as when one process reads them all.
            pages.append(None)
    return pages


def _read_ahead(sources: SourceFiles, site: Site, memo: Memo) -> dict[str, Page | None]:
    """The pages (not policy versions) to read again, read in parallel when there are many.

    Only a memo that keeps little (a first build) is asked about every page: an editor's saves
    touch a few pages, and a mass change on a warm memo is read on one core.
    """
    if len(memo) >= PARALLEL_FROM:
        return {}
    wanted = [
        (relative, language, slug)
        for language in site.languages
        for relative, slug in _listed_pages(sources, language, memo)
        if not memo.has(("page", relative, slug), (sources.stamp(relative), language, None))
    ]
    shares = deal(wanted)
    if len(shares) == 1:
        return {}
    paths = [
        [(sources.path(relative), language, slug) for relative, language, slug in share]
        for share in shares
    ]
    return {
        relative: page
        for share, pages in zip(shares, in_workers(_read_share, paths), strict=True)
        for (relative, _, _), page in zip(share, pages, strict=True)
    }


def _listed_pages(sources: SourceFiles, language: str, memo: Memo) -> tuple[tuple[str, str], ...]:
    """Each page file of a language but the policy versions, with its slug."""
    files = tuple(sources.under(language, ".md"))

    def slugs() -> tuple[tuple[str, str], ...]:
        listed = []
        for relative in files:
            parts = relative.split("/")[1:]
            if parts[0] != POLICY_FOLDER or len(parts) != 2:
                listed.append((relative, _slug_for(parts)))
        return tuple(listed)

    return memo(("page files", language), files, slugs)


def read_language(
    sources: SourceFiles,
    language: str,
    memo: Memo,
    read_ahead: dict[str, Page | None] | None = None,
) -> list[Page]:
    """Every page of one language, policy versions included, in a stable order."""
    pages = [
        _remembered_page(sources, relative, language, slug, memo, read_ahead=read_ahead)
        for relative, slug in _listed_pages(sources, language, memo)
    ]
    versions = language_policies(sources, language, memo)
    root = len(str(sources.root)) + 1
    for version in versions:
        relative = str(version.path)[root:].replace(os.sep, "/")
        slug = f"{POLICY_FOLDER}/{version.version}"
        pages.append(_remembered_page(sources, relative, language, slug, memo, version))
    current = versions[-1]
    relative = str(current.path)[root:].replace(os.sep, "/")
    pages.append(_remembered_page(sources, relative, language, POLICY_FOLDER, memo, current))
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


def _check_parity(content_dir: Path, site: Site, pages: dict[str, dict[str, Page]]) -> None:
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


def gather_pages(
    sources: SourceFiles, site: Site, memo: Memo | None = None
) -> dict[str, dict[str, Page]]:
    """Read all languages and check that every page exists in each: `{lang: {slug: Page}}`.

    With the `memo` of an earlier build, only files whose stamps changed are read again, and
    the checks across languages run again only when what they compare changed.
    """
    memo = Memo() if memo is None else memo
    read_ahead = _read_ahead(sources, site, memo)
    pages = {
        language: _by_slug(read_language(sources, language, memo, read_ahead))
        for language in site.languages
    }
    # Which pages exist depends on file names alone: an edit inside a page never changes it.
    slugs = tuple(tuple(by_slug) for by_slug in pages.values())
    memo(
        "parity",
        (sources.root, site.languages, slugs),
        lambda: _check_parity(sources.root, site, pages),
    )
    policies = tuple(
        (language, tuple(language_policies(sources, language, memo))) for language in site.languages
    )
    memo(
        "policy versions agree",
        (site.default_language, policies),
        lambda: _check_policy_versions(site, pages),
    )
    return pages

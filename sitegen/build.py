"""Build the static site: gather everything, check it, render it, then write it.

Nothing is written until every page has rendered and every check has passed, so a build that
fails on content leaves the previous `dist/` exactly as it was. Each step that reads files or
checks content goes through the build's memo (`sitegen.memo`) with its inputs: empty for
`build.py`, a clean full build; the preview's `BuildMemory` keeps it from build to build, so
a rebuild redoes only what changed (`sitegen.memory`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitecontent.contact_form import check_error_messages
from sitecontent.files import read_toml
from sitecontent.site import SITE_FILE, Site, load_site
from sitecontent.strings import STRINGS_FILE, TRANSLATED_FROM, flatten, strings_path
from sitegen.admin import ADMIN_PAGE, admin_word_files
from sitegen.assets import Assets, load_assets
from sitegen.consent import check_contact_consent
from sitegen.errors import BuildError
from sitegen.links import robots_txt, sitemap_xml
from sitegen.links_out import check_links_stay_inside
from sitegen.memo import Memo
from sitegen.memory import BuildMemory
from sitegen.pages import Page, gather_pages, language_policies
from sitegen.policy import check_policy_structure
from sitegen.rendering import plan_jobs, render_pages
from sitegen.security import HEADERS_FILE, headers_file_text, security_headers, style_hash
from sitegen.sources import SourceFiles, list_sources
from sitegen.templates import PageRenderer, SiteData
from sitegen.translations import (
    Translation,
    page_translation,
    strings_revision,
    strings_translation,
    translated_languages,
    translated_names,
)

SITE_DIR = Path(__file__).resolve().parents[1] / "site"


@dataclass(frozen=True)
class StaleTranslation:
    """A translation behind its source, and the built pages that show it (`kk/index.html`)."""

    translation: Translation
    pages: tuple[str, ...]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the output folder and every file in it, relative and sorted.

    A build with translations behind their source still writes them; `stale` names them.
    """

    out_dir: Path
    files: tuple[str, ...]
    stale: tuple[StaleTranslation, ...] = ()

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(name for name in self.files if name.endswith(".html"))


@dataclass(frozen=True)
class StringsFiles:
    """Every language's strings file, read once a build: its strings and its record."""

    strings: dict[str, dict[str, str]]
    # Each file's `translated_from` setting as written, None where it has none.
    records: dict[str, object]


def _load_strings(content_dir: Path, site: Site) -> StringsFiles:
    tables = {
        language: read_toml(strings_path(content_dir, language)) for language in site.languages
    }
    strings = {language: flatten(table) for language, table in tables.items()}
    every_key = sorted({key for table in strings.values() for key in table})
    for language in site.languages:
        missing = [key for key in every_key if key not in strings[language]]
        if missing:
            holder = next(other for other in site.languages if missing[0] in strings[other])
            raise BuildError(
                str(strings_path(content_dir, language)),
                f"missing string {missing[0]!r} (present in {holder})"
                + (f" and {len(missing) - 1} more" if len(missing) > 1 else ""),
            )
    for language in site.languages:
        check_error_messages(strings_path(content_dir, language), strings[language])
    records = {language: table.get(TRANSLATED_FROM) for language, table in tables.items()}
    return StringsFiles(strings, records)


def _templates_digest(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(templates_dir.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(templates_dir)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _strings(sources: SourceFiles, site: Site, memo: Memo) -> StringsFiles:
    files = tuple(sources.stamp(f"{language}/{STRINGS_FILE}") for language in site.languages)
    return memo(
        "strings",
        (sources.root, site.languages, files),
        lambda: _load_strings(sources.root, site),
    )


def _assets(site_sources: SourceFiles, memo: Memo) -> Assets:
    files = site_sources.under("assets", recursive=False)
    return memo(
        "assets",
        tuple((name, site_sources.stamp(name)) for name in files),
        lambda: load_assets(site_sources.root / "assets"),
    )


def _site_inputs(data: SiteData, site_sources: SourceFiles, memo: Memo) -> Hashable:
    """Everything every page may show: when any of it changes, every page is rendered again."""
    templates = tuple((name, site_sources.stamp(name)) for name in site_sources.under("templates"))
    digest = memo(
        "templates", templates, lambda: _templates_digest(site_sources.root / "templates")
    )
    return (
        data.site,
        str(data.content_dir),
        tuple((language, tuple(table.items())) for language, table in data.strings.items()),
        tuple((language, tuple(versions)) for language, versions in data.policies.items()),
        data.assets.css,
        data.assets.admin_css,
        tuple(data.assets.urls.items()),
        digest,
    )


def _sitemap(site: Site, pages: dict[str, dict[str, Page]], memo: Memo) -> bytes:
    # What the sitemap lists: which pages exist, and which the default language hides.
    reference = pages[site.default_language]
    hidden = tuple(slug for slug, page in reference.items() if page.noindex)
    slugs = tuple(tuple(by_slug) for by_slug in pages.values())
    return memo(
        "sitemap",
        (site, slugs, hidden),
        lambda: sitemap_xml(site, pages).encode("utf-8"),
    )


def build(
    content_dir: Path,
    out_dir: Path,
    site_dir: Path = SITE_DIR,
    memory: BuildMemory | None = None,
    changed: Iterable[Path] = (),
) -> BuildResult:
    """Build the site from `content_dir` and `site_dir` into `out_dir`.

    The `memory` of the previous build in this process (the preview's) makes this one read,
    check and render again only what changed since; `changed` names files known to have
    changed (a watcher's), read again whatever their stamps say. Without it, a clean build.
    """
    content_dir, out_dir, site_dir = Path(content_dir), Path(out_dir), Path(site_dir)
    memory = BuildMemory() if memory is None else memory
    memory.start(content_dir, out_dir, site_dir)
    memo = memory.memo
    changed = memory.changed(changed)
    # A walk of its own, each build: a link made since the last one must stop this one.
    for folder in (content_dir, site_dir):
        check_links_stay_inside(folder)
    sources = list_sources(content_dir, changed)
    site_sources = list_sources(site_dir, changed)
    site = memo(
        "site",
        (sources.stamp(SITE_FILE), sources.folders),
        lambda: load_site(content_dir),
    )
    strings_files = _strings(sources, site, memo)
    strings = strings_files.strings
    pages = gather_pages(sources, site, memo)
    check_policy_structure(site, pages, memo)
    check_contact_consent(site, content_dir, pages, strings, memo)
    data = SiteData(
        site=site,
        content_dir=content_dir,
        strings=strings,
        policies={
            language: language_policies(sources, language, memo) for language in site.languages
        },
        assets=_assets(site_sources, memo),
    )
    templates = memory.renders.templates_for(
        _site_inputs(data, site_sources, memo),
        lambda: PageRenderer(site_dir / "templates", data),
    )
    # Which files the pages write depends on which pages exist, not on what they say.
    slugs = tuple(tuple(by_slug) for by_slug in pages.values())
    jobs = memo("jobs", (site, slugs), lambda: plan_jobs(site, pages))
    outputs = render_pages(site, pages, templates, jobs, memory.renders)
    # Pages live under /<lang>/, so only the picker and the inbox are at the top.
    if "index.html" in outputs:
        raise BuildError(str(content_dir), "no page may write the language picker, index.html")
    outputs["index.html"] = memo(
        "root page", templates, lambda: templates.render_root().encode("utf-8")
    )
    word_files = admin_word_files(site, strings)
    outputs[ADMIN_PAGE] = templates.render_admin(word_files).encode("utf-8")
    outputs.update({file.path: file.content for file in word_files.values()})
    outputs.update(data.assets.files)
    outputs["sitemap.xml"] = _sitemap(site, pages, memo)
    outputs["robots.txt"] = robots_txt(site).encode("utf-8")
    headers = security_headers(
        site, (style_hash(data.assets.css), style_hash(data.assets.admin_css))
    )
    outputs[HEADERS_FILE] = headers_file_text(headers).encode("utf-8")
    outputs = dict(sorted(outputs.items()))
    translations = _translations(site, sources, pages, strings_files)
    stale = _stale_translations(translations, pages)
    memory.write(outputs)
    memo.forget_unused()
    return BuildResult(out_dir=out_dir, files=tuple(outputs), stale=stale)


def _output_file(url: str) -> str:
    """The built file of a page's URL: `/kk/contact/` is `kk/contact/index.html`."""
    path = url.lstrip("/")
    return path if path.endswith(".html") else f"{path}index.html"


def _translations(
    site: Site, sources: SourceFiles, pages: dict[str, dict[str, Page]], strings: StringsFiles
) -> list[Translation]:
    # From the pages as this build has them (a rebuild read again only what a save touched):
    # reading every translation and its source once more cost a 3,018-page build 0.47 s of
    # its 2.9. Looked up by file name as text, since hashing Path objects cost 70 ms more; a
    # page's `source` is `sources.path(name)`, which is the root's text followed by the name.
    root = str(sources.path("-"))[:-1]
    by_file = {
        str(page.source): page
        for by_slug in pages.values()
        for page in by_slug.values()
        if page.policy is None
    }
    found = []
    # The strings files' source revision, from the strings as this build read them rather than
    # parsed again (parsing each again cost the real site's build about 20 ms of its 0.32 s).
    strings_source = strings_revision(strings.strings[site.default_language])
    for language in translated_languages(site):
        prefix = f"{language}/"
        files = [name.removeprefix(prefix) for name in sources.under(language, ".md")]
        for relative in translated_names(files):
            source = by_file.get(f"{root}{site.default_language}/{relative}")
            if source is not None:  # the page check names a page without its source
                page = by_file[f"{root}{prefix}{relative}"]
                found.append(page_translation(site, page, source, relative))
        # Last, as the language's files list it.
        found.append(
            strings_translation(
                sources.root, site, language, strings.records[language], strings_source
            )
        )
    return found


def _stale_translations(
    found: list[Translation], pages: dict[str, dict[str, Page]]
) -> tuple[StaleTranslation, ...]:
    stale = []
    # Each page by its file, once: a lookup per stale translation, not a walk of its language.
    by_source = {
        language: {page.source: page for page in by_slug.values()}
        for language, by_slug in pages.items()
    }
    for translation in found:
        if translation.in_step:
            continue
        language = translation.name.split("/", 1)[0]
        if translation.is_strings:
            # A strings file's words are on every page of its language.
            shown = list(pages[language].values())
        else:
            page = by_source[language].get(translation.path)
            shown = [] if page is None else [page]
        files = sorted({_output_file(page.url) for page in shown})
        stale.append(StaleTranslation(translation, tuple(files)))
    return tuple(stale)

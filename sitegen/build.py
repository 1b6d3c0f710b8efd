"""Build the static site: gather everything, check it, render it, then write it.

Nothing is written until every page has rendered and every check has passed, so a build that
fails on content leaves the previous `dist/` exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from sitecontent.contact_form import check_error_messages
from sitecontent.policy import policy_versions
from sitecontent.site import Site, load_site
from sitecontent.strings import load_strings, strings_path
from sitegen.admin import ADMIN_PAGE, admin_word_files
from sitegen.assets import load_assets
from sitegen.consent import check_contact_consent
from sitegen.errors import BuildError
from sitegen.links import robots_txt, sitemap_xml
from sitegen.pages import gather_pages
from sitegen.policy import check_policy_structure
from sitegen.rendering import RenderCache, plan_jobs, render_pages
from sitegen.security import HEADERS_FILE, headers_file_text, security_headers, style_hash
from sitegen.templates import PageRenderer, SiteData

SITE_DIR = Path(__file__).resolve().parents[1] / "site"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the output folder and every file in it, relative and sorted."""

    out_dir: Path
    files: tuple[str, ...]

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(name for name in self.files if name.endswith(".html"))


def _load_strings(content_dir: Path, site: Site) -> dict[str, dict[str, str]]:
    strings = {language: load_strings(content_dir, language) for language in site.languages}
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
    return strings


def _existing_files(out_dir: Path) -> tuple[set[str], bool]:
    """Every file under `out_dir`, relative, and whether any folder there is empty."""
    # os.walk rather than Path.rglob: with thousands of pages pathlib's overhead shows. No stat
    # per file: comparing bytes in _write reads the file anyway, and a missing one is new.
    names: set[str] = set()
    has_empty_folder = False
    root = str(out_dir)
    for folder, subfolders, files in os.walk(root):
        # os.walk's folders start with `root`: slicing is the relative path (os.path.relpath
        # costs a tenth of a rebuild of a thousand pages per language).
        prefix = folder[len(root) + 1 :].replace(os.sep, "/")
        has_empty_folder = has_empty_folder or not (subfolders or files)
        names.update(f"{prefix}/{name}" if prefix else name for name in files)
    return names, has_empty_folder


def _unchanged(path: str, content: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def _write(out_dir: Path, outputs: dict[str, bytes]) -> None:
    # Only files whose bytes changed are written, and only files no longer built are deleted:
    # on this project's disks creating and deleting thousands of files costs seconds, and a
    # preview server's watcher then sees only real changes.
    existing, has_empty_folder = _existing_files(out_dir)
    if existing and HEADERS_FILE not in existing:
        raise BuildError(str(out_dir), "is not empty and was not written by a build; not replacing")
    made: set[str] = set()
    root = str(out_dir)
    for relative, content in outputs.items():
        target = os.path.join(root, relative)
        if relative in existing and _unchanged(target, content):
            continue
        folder = os.path.dirname(relative)
        if folder not in made:
            os.makedirs(os.path.join(root, folder), exist_ok=True)
            made.add(folder)
        with open(target, "wb") as handle:
            handle.write(content)
    stale = sorted(existing - outputs.keys())
    for relative in stale:
        (out_dir / relative).unlink()
    # Only a deletion can leave a folder empty, so a build that deleted nothing skips the walk.
    if not (stale or has_empty_folder):
        return
    for folder, _, names in os.walk(out_dir, topdown=False):
        if not names and Path(folder) != out_dir and not os.listdir(folder):
            os.rmdir(folder)


def _templates_digest(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(templates_dir.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(templates_dir)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _site_inputs(data: SiteData, templates_dir: Path) -> Hashable:
    """Everything every page may show: when any of it changes, every page is rendered again."""
    return (
        data.site,
        str(data.content_dir),
        tuple((language, tuple(table.items())) for language, table in data.strings.items()),
        tuple((language, tuple(versions)) for language, versions in data.policies.items()),
        data.assets.css,
        data.assets.admin_css,
        tuple(data.assets.urls.items()),
        _templates_digest(templates_dir),
    )


def build(
    content_dir: Path,
    out_dir: Path,
    site_dir: Path = SITE_DIR,
    cache: RenderCache | None = None,
) -> BuildResult:
    """Build the site from `content_dir` and `site_dir` into `out_dir`.

    A `cache` handed from one build to the next renders only what changed (the preview).
    """
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    cache = RenderCache() if cache is None else cache
    site = load_site(content_dir)
    strings = _load_strings(content_dir, site)
    pages = gather_pages(content_dir, site)
    check_policy_structure(site, pages)
    check_contact_consent(site, content_dir, pages, strings)
    assets = load_assets(site_dir / "assets")
    data = SiteData(
        site=site,
        content_dir=content_dir,
        strings=strings,
        policies={language: policy_versions(content_dir, language) for language in site.languages},
        assets=assets,
    )
    templates_dir = site_dir / "templates"
    templates = cache.templates_for(
        _site_inputs(data, templates_dir), lambda: PageRenderer(templates_dir, data)
    )
    outputs = render_pages(site, pages, templates, plan_jobs(site, pages), cache)
    # Pages live under /<lang>/, so only the picker and the inbox are at the top.
    if "index.html" in outputs:
        raise BuildError(str(content_dir), "no page may write the language picker, index.html")
    outputs["index.html"] = templates.render_root().encode("utf-8")
    word_files = admin_word_files(site, strings)
    outputs[ADMIN_PAGE] = templates.render_admin(word_files).encode("utf-8")
    outputs.update({file.path: file.content for file in word_files.values()})
    outputs.update(assets.files)
    outputs["sitemap.xml"] = sitemap_xml(site, pages).encode("utf-8")
    outputs["robots.txt"] = robots_txt(site).encode("utf-8")
    headers = security_headers(site, (style_hash(assets.css), style_hash(assets.admin_css)))
    outputs[HEADERS_FILE] = headers_file_text(headers).encode("utf-8")
    outputs = dict(sorted(outputs.items()))
    _write(out_dir, outputs)
    return BuildResult(out_dir=out_dir, files=tuple(outputs))

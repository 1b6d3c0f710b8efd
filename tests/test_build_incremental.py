"""A rebuild that reuses the previous build's renderings (the preview's) writes the same site.

The preview hands one `BuildMemory` from each build to the next, so that a save reads and
re-renders only the pages it touched. Whatever the editor changed, the site it writes must be
exactly the one a fresh build writes, and nothing it did not change may be written again.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen import pages
from sitegen.build import SITE_DIR, build
from sitegen.errors import BuildError
from sitegen.memory import BuildMemory
from tests.support.site import LANGUAGES, copy_content, set_site_option


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def modified_times(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file()
    }


def replace_in(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} not in {path}"
    path.write_text(changed, encoding="utf-8")


def add_page(content: Path, site: Path) -> None:
    for language in LANGUAGES:
        (content / language / "news.md").write_text(
            f'+++\ntitle = "News {language}"\ndescription = "What is new."\n+++\nNews.\n',
            encoding="utf-8",
        )


def remove_page(content: Path, site: Path) -> None:
    for language in LANGUAGES:
        (content / language / "thanks.md").unlink()


def publish_policy_version(content: Path, site: Path) -> None:
    for language in LANGUAGES:
        current = content / language / "privacy" / "1.0.md"
        text = re.sub(r'(?m)^version = ".*"$', 'version = "9.9"', current.read_text("utf-8"))
        text = re.sub(r"(?m)^effective = .*$", "effective = 2099-01-01", text)
        (current.parent / "9.9.md").write_text(text, encoding="utf-8")
        # As "Publishing a new version" says: the contact page links the version its form sends.
        replace_in(content / language / "contact.md", r"/privacy/1\.0/", "/privacy/9.9/")


EDITS: dict[str, Callable[[Path, Path], None]] = {
    "a page's text": lambda content, site: replace_in(
        content / "en" / "contact.md", r"\Z", "\nOne more sentence.\n"
    ),
    "a page's title": lambda content, site: replace_in(
        content / "ru" / "thanks.md", r"^title = .*$", 'title = "Спасибо!"'
    ),
    "a string": lambda content, site: replace_in(
        content / "en" / "strings.toml", r'^submit = ".*"$', 'submit = "Send it now"'
    ),
    "a setting": lambda content, site: set_site_option(
        content, "base_url =", 'base_url = "https://example.kz"'
    ),
    "a template": lambda content, site: replace_in(
        site / "templates" / "base.html", r"<main ", '<main data-edited="yes" '
    ),
    "a script": lambda content, site: replace_in(
        site / "assets" / "form.js", r"\Z", "\n// edited\n"
    ),
    "a new page": add_page,
    "a removed page": remove_page,
    "a new policy version": publish_policy_version,
}


@pytest.fixture
def editable(tmp_path: Path) -> tuple[Path, Path]:
    content = copy_content(tmp_path)
    site = Path(shutil.copytree(SITE_DIR, tmp_path / "site"))
    return content, site


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_build_with_the_previous_builds_cache_writes_what_a_fresh_build_writes(
    tmp_path: Path, editable: tuple[Path, Path], edit: str
) -> None:
    content, site = editable
    memory = BuildMemory()
    build(content, tmp_path / "preview", site, memory)

    EDITS[edit](content, site)
    rebuilt = build(content, tmp_path / "preview", site, memory)
    fresh = build(content, tmp_path / "fresh", site)

    assert rebuilt.files == fresh.files
    assert tree(tmp_path / "preview") == tree(tmp_path / "fresh")


def test_build_with_a_cache_rewrites_only_the_page_that_changed(
    tmp_path: Path, editable: tuple[Path, Path]
) -> None:
    content, site = editable
    out = tmp_path / "dist"
    memory = BuildMemory()
    build(content, out, site, memory)
    # Dated long ago, so that whatever the build writes shows, however fast it is.
    for path in out.rglob("*"):
        os.utime(path, ns=(0, 0))

    replace_in(content / "en" / "contact.md", r"\Z", "\nOne more sentence.\n")
    build(content, out, site, memory)

    written = {name for name, mtime in modified_times(out).items() if mtime != 0}
    assert written == {"en/contact/index.html"}


def test_build_with_a_cache_still_fails_on_a_broken_page_it_had_read(
    tmp_path: Path, editable: tuple[Path, Path]
) -> None:
    content, site = editable
    memory = BuildMemory()
    build(content, tmp_path / "dist", site, memory)
    page = content / "en" / "contact.md"
    good = page.read_text(encoding="utf-8")

    page.write_text(good.replace("+++", "+++\ntitle = ", 1), encoding="utf-8")
    with pytest.raises(BuildError, match=re.escape(f"{page}:2")):
        build(content, tmp_path / "dist", site, memory)

    page.write_text(good, encoding="utf-8")
    build(content, tmp_path / "dist", site, memory)
    build(content, tmp_path / "fresh", site)
    assert tree(tmp_path / "dist") == tree(tmp_path / "fresh")


def _dated_an_hour_back(folder: Path) -> None:
    # As an editor's files are: only what a save touches looks recent to the build.
    an_hour_ago = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))


def test_build_with_memory_reads_again_only_the_saved_page(
    tmp_path: Path, editable: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, site = editable
    _dated_an_hour_back(content)
    memory = BuildMemory()
    build(content, tmp_path / "dist", site, memory)
    read: list[Path] = []
    read_page = pages.read_page
    monkeypatch.setattr(
        pages, "read_page", lambda path, *rest: read.append(path) or read_page(path, *rest)
    )

    page = content / "en" / "thanks.md"
    replace_in(page, r"\Z", "\nOne more sentence.\n")
    build(content, tmp_path / "dist", site, memory)

    assert read == [page]


def test_build_with_memory_reads_a_file_the_watcher_named_even_with_the_same_stamp(
    tmp_path: Path, editable: tuple[Path, Path]
) -> None:
    content, site = editable
    _dated_an_hour_back(content)
    memory = BuildMemory()
    build(content, tmp_path / "dist", site, memory)
    page = content / "en" / "thanks.md"
    stamp = page.stat().st_mtime_ns
    # Same size, same time: a second save within one tick of a coarse file-system clock.
    page.write_text(page.read_text("utf-8").replace("Thank you", "Thank yoU"), "utf-8")
    os.utime(page, ns=(stamp, stamp))

    build(content, tmp_path / "dist", site, memory, changed=[page])

    assert "Thank yoU" in (tmp_path / "dist" / "en" / "thanks" / "index.html").read_text("utf-8")

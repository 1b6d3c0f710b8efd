"""Whatever an editor does while the preview runs, its site is the one a fresh build writes.

The preview keeps the site in memory between builds (`sitegen.memory.BuildMemory`) and reads,
checks and renders again only what changed. Random sequences of what editors do (edit, retitle,
rename, delete and add pages, break a page and mend it, publish a new language, edit templates,
scripts, styles, strings and settings) are applied to a copy of the real site; after each one
the preview's build and a fresh `build()` of the same files must agree: the same error when
the content is broken, otherwise the same output folder, byte for byte.

The copy is dated an hour back, so the memory trusts what did not change, and each save gets
a time of its own in that past, as saves do. Some saves keep the file's time and size (a
coarse file-system clock); the preview's watcher names those, and so does this test.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import SITE_DIR, build
from sitegen.errors import BuildError
from sitegen.memory import BuildMemory
from tests.support.site import copy_content

NEW_LANGUAGE = "kk"
WORDS = st.text(alphabet="abcdefghij ", min_size=0, max_size=12)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class Editor:
    """A copy of the site and what the editor did to it since the last build."""

    content: Path
    site: Path
    clock: int = 0
    named: set[Path] = field(default_factory=set)

    def languages(self) -> list[str]:
        text = (self.content / "site.toml").read_text(encoding="utf-8")
        return re.findall(r'"(\w\w)"', re.search(r"(?m)^languages = (.*)$", text).group(1))

    def pages(self) -> list[str]:
        """The editor's own pages (not the policy, not the not-found page), by file name."""
        names = {
            path.relative_to(self.content / language).as_posix()
            for language in ("ru", "en")
            for path in (self.content / language).glob("*.md")
        }
        return sorted(names - {"404.md"})

    def save(self, path: Path, text: str, keep_time: bool = False) -> None:
        """Write `path`; date it a second later than the last save, or keep its date."""
        before = path.stat().st_mtime_ns if keep_time and path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if before is not None:
            os.utime(path, ns=(before, before))
            self.named.add(path)
        else:
            self.dated(path)

    def dated(self, path: Path) -> None:
        self.clock += 1
        when = (BASE_TIME + self.clock) * 10**9
        os.utime(path, ns=(when, when))


BASE_TIME = 1_700_000_000  # long before any test runs: no stamp is too recent to trust


def _pick(items: list[str], index: int) -> str | None:
    return items[index % len(items)] if items else None


def edit_text(editor: Editor, index: int, words: str, language: str) -> None:
    name = _pick(editor.pages(), index)
    path = editor.content / language / (name or "")
    if name and path.exists():
        editor.save(path, path.read_text(encoding="utf-8") + f"\n{words}\n")


def swap_letter(editor: Editor, index: int, words: str, language: str) -> None:
    """An edit that keeps the size and the time: only the watcher can tell."""
    name = _pick(editor.pages(), index)
    path = editor.content / language / (name or "")
    if name and path.exists():
        text = path.read_text(encoding="utf-8")
        swapped = text[:-2] + ("x" if text[-2] != "x" else "y") + text[-1]
        editor.save(path, swapped, keep_time=True)


def retitle(editor: Editor, index: int, words: str, language: str) -> None:
    name = _pick(editor.pages(), index)
    path = editor.content / language / (name or "")
    if name and path.exists():
        text = re.sub(r'(?m)^title = ".*"$', f'title = "{words}"', path.read_text("utf-8"), count=1)
        editor.save(path, text)


def break_page(editor: Editor, index: int, words: str, language: str) -> None:
    name = _pick(editor.pages(), index)
    path = editor.content / language / (name or "")
    if name and path.exists():
        editor.save(path, path.read_text(encoding="utf-8").replace("+++", "+++\ntitle = ", 1))


def mend_page(editor: Editor, index: int, words: str, language: str) -> None:
    name = _pick(editor.pages(), index)
    path = editor.content / language / (name or "")
    if name and path.exists():
        text = path.read_text(encoding="utf-8").replace("+++\ntitle = \n", "+++\n", 1)
        editor.save(path, text)


def _rename(editor: Editor, index: int, languages: list[str]) -> None:
    name = _pick(editor.pages(), index)
    if not name:
        return
    new_name = f"{Path(name).stem}-{editor.clock}.md"
    for language in languages:
        source = editor.content / language / name
        if source.exists():
            source.rename(source.with_name(new_name))


def rename(editor: Editor, index: int, words: str, language: str) -> None:
    _rename(editor, index, editor.languages())


def rename_in_one_language(editor: Editor, index: int, words: str, language: str) -> None:
    """A slip: the other languages still have the page under its old name."""
    _rename(editor, index, [language])


def _delete(editor: Editor, index: int, languages: list[str]) -> None:
    name = _pick(editor.pages(), index)
    for language in languages if name else []:
        (editor.content / language / name).unlink(missing_ok=True)


def delete(editor: Editor, index: int, words: str, language: str) -> None:
    _delete(editor, index, editor.languages())


def delete_in_one_language(editor: Editor, index: int, words: str, language: str) -> None:
    _delete(editor, index, [language])


def add_page(editor: Editor, index: int, words: str, language: str) -> None:
    for each in editor.languages():
        editor.save(
            editor.content / each / "notes" / f"note-{index % 3}.md",
            f'+++\ntitle = "Note {each}"\ndescription = "Notes."\n+++\n{words}\n',
        )


def toggle_language(editor: Editor, index: int, words: str, language: str) -> None:
    """Publish a new language (a copy of English) in `site.toml`, or withdraw it."""
    settings_file = editor.content / "site.toml"
    text = settings_file.read_text(encoding="utf-8")
    folder = editor.content / NEW_LANGUAGE
    if NEW_LANGUAGE in editor.languages():
        shutil.rmtree(folder)
        text = text.replace(f', "{NEW_LANGUAGE}"]', "]")
    else:
        shutil.copytree(editor.content / "en", folder)
        for path in folder.rglob("*"):
            if path.is_file():
                editor.dated(path)
        text = re.sub(r"(?m)^(languages = \[.*)\]$", rf'\1, "{NEW_LANGUAGE}"]', text)
    editor.save(settings_file, text)


def edit_template(editor: Editor, index: int, words: str, language: str) -> None:
    name = ("base.html", "page.html", "_footer.html")[index % 3]
    path = editor.site / "templates" / name
    editor.save(path, path.read_text(encoding="utf-8") + f"{{# {words} #}}\n")


def edit_asset(editor: Editor, index: int, words: str, language: str) -> None:
    name = ("style.css", "form.js")[index % 2]
    path = editor.site / "assets" / name
    editor.save(path, path.read_text(encoding="utf-8") + f"\n/* {words} */\n")


def edit_string(editor: Editor, index: int, words: str, language: str) -> None:
    """Reword the form's button; an empty value is a slip the build names."""
    path = editor.content / language / "strings.toml"
    if path.exists():
        text = re.sub(r'(?m)^submit = ".*"$', f'submit = "{words}"', path.read_text("utf-8"))
        editor.save(path, text)


def edit_setting(editor: Editor, index: int, words: str, language: str) -> None:
    path = editor.content / "site.toml"
    address = f"https://example{index % 3}.kz"
    text = re.sub(r'(?m)^base_url = ".*"$', f'base_url = "{address}"', path.read_text("utf-8"))
    editor.save(path, text)


ACTIONS = [
    edit_text,
    swap_letter,
    retitle,
    break_page,
    mend_page,
    rename,
    rename_in_one_language,
    delete,
    delete_in_one_language,
    add_page,
    toggle_language,
    edit_template,
    edit_asset,
    edit_string,
    edit_setting,
]

ACTION = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(min_value=0, max_value=10),
    WORDS,
    st.sampled_from(["ru", "en"]),
)


def outcome(content: Path, out: Path, site: Path, **preview: object) -> object:
    """The translations behind their source when the build succeeds, else its error as the
    editor sees it: the preview warns of exactly what a fresh build would."""
    try:
        result = build(content, out, site, **preview)
    except BuildError as error:
        return str(error)
    return [(stale.translation.name, stale.pages) for stale in result.stale]


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(ACTION, min_size=1, max_size=4))
def test_preview_build_after_any_edits_writes_what_a_fresh_build_writes(actions) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        editor = Editor(copy_content(tmp), Path(shutil.copytree(SITE_DIR, tmp / "site")))
        for path in [*editor.content.rglob("*"), *editor.site.rglob("*")]:
            if path.is_file():
                editor.dated(path)
        memory = BuildMemory()
        preview = tmp / "preview"
        build(editor.content, preview, editor.site, memory)

        for action, index, words, language in actions:
            action(editor, index, words, language)
            named, editor.named = editor.named, set()
            previewed = outcome(editor.content, preview, editor.site, memory=memory, changed=named)
            fresh = tmp / "fresh"
            shutil.rmtree(fresh, ignore_errors=True)
            expected = outcome(editor.content, fresh, editor.site)

            assert previewed == expected, action.__name__
            if not isinstance(expected, str):
                assert tree(preview) == tree(fresh), action.__name__

"""What editors are told in `content/`, docs/editing.md says, and it names every string."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitecontent.site import load_site
from sitecontent.strings import load_strings

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
EDITING = ROOT / "docs" / "editing.md"
GUIDE_POINTER = re.compile(r'See (docs/[\w-]+\.md), "([^"]+)"\.')
STRINGS_ROW = re.compile(r"^\| `\[([\w.]+)\]` \| ([^|]+) \|", re.MULTILINE)


def comment_above(setting: str) -> str:
    """The comment lines right above `setting = ...` in site.toml, as one line of text."""
    lines = (CONTENT / "site.toml").read_text(encoding="utf-8").splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{setting} =")]
    comment: list[str] = []
    for line in reversed(lines[:index]):
        if not line.startswith("#"):
            break
        comment.insert(0, line.removeprefix("#").strip())
    return " ".join(comment)


def guide_section(guide: Path, title: str) -> str:
    """A guide's section text as a reader sees it: no backticks, no list marks or wrapping."""
    text = guide.read_text(encoding="utf-8")
    start = re.compile(rf"^#{{2,3}} {re.escape(title)}\n", re.MULTILINE).search(text).start()
    following = re.compile(r"^#{2,3} ", re.MULTILINE).search(text, start + 1)
    section = text[start : following.start() if following else None].replace("`", "")
    return " ".join(re.sub(r"^\s*- ", "", section, flags=re.MULTILINE).split())


def test_editor_docs_cross_border_setting_is_explained_where_its_comment_points() -> None:
    comment = comment_above("ask_cross_border_consent")
    pointer = GUIDE_POINTER.search(comment)
    assert pointer, "the comment points to the guide section that explains the setting"

    wording = comment[: pointer.start()].strip()

    assert wording in guide_section(ROOT / pointer.group(1), pointer.group(2))


def test_editor_docs_site_settings_point_editors_to_the_editing_guide() -> None:
    first_line = (CONTENT / "site.toml").read_text(encoding="utf-8").splitlines()[0]
    assert "docs/editing.md" in first_line
    assert EDITING.is_file()


def test_editor_docs_consent_country_is_explained_where_its_comment_points() -> None:
    # The consent names the deploy region's country; its comment sends editors to the guide.
    strings = (CONTENT / "en" / "strings.toml").read_text(encoding="utf-8")
    assert '(docs/editing.md, "Where the data is kept")' in strings
    section = guide_section(EDITING, "Where the data is kept")
    assert "eu-central-1" in section and "Germany" in section
    assert "in Germany" in load_strings(CONTENT, "en")["form.consent_details"]


def documented_strings() -> dict[str, set[str]]:
    """The keys docs/editing.md's string table names, by table (`form`, `errors.email`, ...)."""
    documented: dict[str, set[str]] = {}
    for table, keys in STRINGS_ROW.findall(EDITING.read_text(encoding="utf-8")):
        documented.setdefault(table, set()).update(re.findall(r"`(\w+)`", keys))
    return documented


@pytest.mark.parametrize("language", load_site(CONTENT).languages)
def test_editor_docs_name_every_string_an_editor_can_change(language: str) -> None:
    documented = documented_strings()
    missing = []
    for key in load_strings(CONTENT, language):
        table, _, name = key.rpartition(".")
        if name not in documented.get(table, set()):
            missing.append(key)

    assert not missing, f"docs/editing.md, 'Every string', does not name {missing}"

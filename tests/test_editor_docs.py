"""What `content/site.toml`'s comments tell editors, the README says in the same words."""

from __future__ import annotations

import re
from pathlib import Path

from sitecontent.strings import load_strings

ROOT = Path(__file__).resolve().parents[1]
README_POINTER = re.compile(r'See README\.md, "([^"]+)"\.')


def comment_above(setting: str) -> str:
    """The comment lines right above `setting = ...` in site.toml, as one line of text."""
    lines = (ROOT / "content" / "site.toml").read_text(encoding="utf-8").splitlines()
    (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{setting} =")]
    comment: list[str] = []
    for line in reversed(lines[:index]):
        if not line.startswith("#"):
            break
        comment.insert(0, line.removeprefix("#").strip())
    return " ".join(comment)


def readme_section(title: str) -> str:
    """A README section's text as a reader sees it: no backticks, no list marks or wrapping."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"### {title}\n")
    following = re.compile(r"^#{2,3} ", re.MULTILINE).search(readme, start + 1)
    text = readme[start : following.start() if following else None].replace("`", "")
    return " ".join(re.sub(r"^\s*- ", "", text, flags=re.MULTILINE).split())


def test_editor_docs_cross_border_setting_is_explained_as_in_the_readme() -> None:
    comment = comment_above("ask_cross_border_consent")
    pointer = README_POINTER.search(comment)
    assert pointer, "the comment points to the README section that explains the setting"

    wording = comment[: pointer.start()].strip()

    assert wording in readme_section(pointer.group(1))


def test_editor_docs_consent_country_is_explained_where_its_comment_points() -> None:
    # The consent names the deploy region's country; its comment sends editors to the README.
    strings = (ROOT / "content" / "en" / "strings.toml").read_text(encoding="utf-8")
    assert '(README.md, "Where the data is kept")' in strings
    section = readme_section("Where the data is kept")
    assert "eu-central-1" in section and "Germany" in section
    assert "in Germany" in load_strings(ROOT / "content", "en")["form.consent_details"]

"""The README and the guides in docs/: every relative link lands, and the quick start is CI's."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`+[^`\n]*`+")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(markdown: str) -> str:
    """The text outside code blocks and code spans, where a link is a link."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    kept = "".join(
        char
        for char in text
        if char in " -" or unicodedata.category(char)[0] in "LMN" or char == "_"
    )
    return kept.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    """Every heading's anchor in a document, the repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", document.read_text(encoding="utf-8"))):
        anchor = github_anchor(heading)
        found.add(f"{anchor}-{seen[anchor]}" if anchor in seen else anchor)
        seen[anchor] = seen.get(anchor, 0) + 1
    return found


def broken_links(document: Path, root: Path = ROOT) -> list[str]:
    """Each relative link in `document` whose file or heading does not exist, with why."""
    broken = []
    for target in LINK.findall(prose(document.read_text(encoding="utf-8"))):
        if EXTERNAL.match(target):
            continue
        path, _, fragment = unquote(target).partition("#")
        base = root if path.startswith("/") else document.parent
        linked = (base / path.lstrip("/")).resolve() if path else document
        if not linked.exists():
            broken.append(f"{target}: no file {linked.relative_to(root)}")
        elif fragment and (linked.suffix != ".md" or fragment not in anchors(linked)):
            broken.append(f"{target}: no heading #{fragment} in {linked.relative_to(root)}")
    return broken


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("The contact form's words", "the-contact-forms-words"),
        ("New submissions: the inbox, the answer", "new-submissions-the-inbox-the-answer"),
        ("Working on it: tests, CI and the code", "working-on-it-tests-ci-and-the-code"),
        ("`estimation-operator` and `--yes`", "estimation-operator-and---yes"),
        ("Отзыв согласия: «Кабинет»", "отзыв-согласия-кабинет"),
        ("Әкімші беті (Қазақша)", "әкімші-беті-қазақша"),
        ("The [form](form-api.md) and store_item.py", "the-form-and-store_itempy"),
    ],
)
def test_docs_links_anchor_follows_githubs_rules(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_docs_links_repeated_headings_are_numbered(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\n## Options\n\n```\n## not a heading\n```\n\n## Options\n")

    assert anchors(guide) == {"guide", "options", "options-1"}


def test_docs_links_a_broken_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Где данные\n")
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Guide\n\n[fine](other.md#где-данные), [self](#guide), `[code](missing.md)`,\n"
        "[gone](missing.md), [no heading](other.md#nowhere), [web](https://example.kz/#x)\n"
    )

    reported = [line.split(":")[0] for line in broken_links(guide, tmp_path)]

    assert reported == ["missing.md", "other.md#nowhere"]


def test_docs_links_the_guides_exist() -> None:
    names = {path.name for path in DOCUMENTS}
    assert {"editing.md", "operating.md", "deploying.md", "form-api.md", "developing.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_docs_links_every_relative_link_lands(document: Path) -> None:
    assert broken_links(document) == []


def quick_start_commands() -> list[str]:
    """The commands in the README's quick start, without their comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quick start\n") :]
    section = section[: section.index("\n## ")]
    (block,) = re.findall(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_docs_quick_start_is_the_two_commands_ci_and_a_newcomer_run() -> None:
    assert quick_start_commands() == ["./dev serve", "./dev test"]

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in ci.splitlines() if line and not line.startswith(("#", "cd "))]
    assert commands == ["exec bash ./dev test"]

    dev = (ROOT / "dev").read_text(encoding="utf-8")
    for command in ("serve", "test"):
        assert re.search(rf"^\s+{command}\)$", dev, re.MULTILINE), f"./dev has no `{command}`"


def test_docs_readme_stays_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150

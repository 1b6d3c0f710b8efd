"""The policy's section structure, which every language must share clause for clause.

Sections are `## <n>. Title` headings and clauses are paragraphs starting `<n>.<m>.`; a
translation that drops, adds or renumbers one would silently change what a visitor agrees to,
so the build compares the numbering of each version across languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitecontent.files import split_front_matter
from sitecontent.policy import POLICY_FOLDER
from sitecontent.site import Site
from sitegen.errors import BuildError
from sitegen.memo import Memo
from sitegen.pages import Page

SECTION_LINE = re.compile(r"^##\s+(\d+)\.\s")
CLAUSE_LINE = re.compile(r"^(\d+(?:\.\d+)+)\.?\s")


@dataclass(frozen=True)
class Numbered:
    """A section or clause number and the source line it starts on."""

    number: str
    line: int


def policy_structure(page: Page) -> list[Numbered]:
    """The section and clause numbers of a policy page, in order."""
    _, body, first_line = split_front_matter(page.source)
    numbers = []
    for offset, line in enumerate(body.splitlines()):
        match = SECTION_LINE.match(line) or CLAUSE_LINE.match(line)
        if match:
            prefix = "§" if line.startswith("#") else ""
            numbers.append(Numbered(prefix + match.group(1), first_line + offset))
    return numbers


def check_policy_structure(
    site: Site, pages: dict[str, dict[str, Page]], memo: Memo | None = None
) -> None:
    """Fail when a language's policy version numbers its sections or clauses differently.

    With a `memo`, a version is compared again only when one of its languages' pages changed.
    """
    memo = Memo() if memo is None else memo
    for slug in pages[site.default_language]:
        if slug.startswith(f"{POLICY_FOLDER}/"):
            translations = tuple(pages[language][slug] for language in site.languages)
            memo(
                ("policy structure", slug),
                (site.default_language, site.languages, translations),
                lambda slug=slug: _check_version(site, pages, slug),
            )


def _check_version(site: Site, pages: dict[str, dict[str, Page]], slug: str) -> None:
    reference = site.default_language
    reference_page = pages[reference][slug]
    expected = policy_structure(reference_page)
    if not expected:
        raise BuildError(f"{reference_page.source}:1", "the policy has no numbered sections")
    for language in site.languages:
        if language == reference:
            continue
        page = pages[language][slug]
        actual = policy_structure(page)
        for want, got in zip(expected, actual, strict=False):
            if want.number != got.number:
                raise BuildError(
                    f"{page.source}:{got.line}",
                    f"{_describe(got)} where {reference_page.source}:{want.line} has "
                    f"{_describe(want)}; the policy's sections must match in every language",
                )
        if len(actual) != len(expected):
            extra = (actual if len(actual) > len(expected) else expected)[
                min(len(actual), len(expected))
            ]
            raise BuildError(
                f"{page.source}:{actual[-1].line if actual else 1}",
                f"the policy's sections differ from {reference_page.source}: "
                f"{_describe(extra)} is only in one of them",
            )


def _describe(item: Numbered) -> str:
    if item.number.startswith("§"):
        return f"section {item.number[1:]}"
    return f"clause {item.number}"

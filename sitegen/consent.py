"""Keep the contact page's consent true to the policy version its form sends.

Visitors consent to one version: the text above the form must link that exact version (not
`/privacy/`, which shows whatever is current when it is read, nor an older one), and the
subject line the consent tells them to withdraw with must be the one that version gives. A
new policy version that changes either makes the build name what to update.
"""

from __future__ import annotations

import re
from pathlib import Path

from sitecontent.policy import POLICY_FOLDER
from sitecontent.site import Site
from sitecontent.strings import strings_path
from sitegen.errors import BuildError
from sitegen.memo import Memo
from sitegen.pages import Page

CONTACT_LAYOUT = "contact"
WITHDRAW_SUBJECT = "form.withdraw_subject"
# A link to any policy address, absolute or not: `/en/privacy/`, `/en/privacy/1.0/`, ...
_POLICY_LINK = re.compile(r"(?:https?://[^\s/()<>]+)?/[\w-]+/privacy(?:/([^\s/()<>\"']*))?/?")


def _words(text: str) -> str:
    return " ".join(text.split())


def _check_policy_links(page: Page, version: str) -> None:
    lines = page.source.read_text(encoding="utf-8").splitlines()
    body_start = len(lines) - len(page.body.splitlines()) + 1
    linked = False
    for number, line in enumerate(lines[body_start - 1 :], start=body_start):
        for link in _POLICY_LINK.finditer(line):
            if link.group(1) != version:
                raise BuildError(
                    f"{page.source}:{number}",
                    f"links {link.group(0)}; the form on this page sends policy version "
                    f"{version}: link /{page.language}/privacy/{version}/",
                )
            linked = True
    if not linked:
        raise BuildError(
            f"{page.source}:{body_start}",
            f"the text above the form must link the policy version it sends: "
            f"/{page.language}/privacy/{version}/",
        )


def _check_withdraw_subject(
    content_dir: Path, language: str, strings: dict[str, str], policy: Page
) -> None:
    subject = strings.get(WITHDRAW_SUBJECT, "")
    if not subject.strip() or _words(subject) not in _words(policy.body):
        raise BuildError(
            str(strings_path(content_dir, language)),
            f"{WITHDRAW_SUBJECT!r} ({subject!r}) is not in {policy.source}, the policy version "
            "the form sends: use the subject line it gives for withdrawing consent",
        )


def check_contact_consent(
    site: Site,
    content_dir: Path,
    pages: dict[str, dict[str, Page]],
    strings: dict[str, dict[str, str]],
    memo: Memo | None = None,
) -> None:
    """Fail, naming the file and line, where the contact page's consent strays from its policy.

    With a `memo`, a language is checked again only when its contact pages, its current policy
    version or its strings changed.
    """
    memo = Memo() if memo is None else memo
    for language in site.languages:
        current = pages[language][POLICY_FOLDER]
        contact_pages = tuple(
            page for page in pages[language].values() if page.layout == CONTACT_LAYOUT
        )
        memo(
            ("contact consent", language),
            (content_dir, contact_pages, current, strings[language]),
            lambda language=language, current=current, contact_pages=contact_pages: _check_language(
                content_dir, language, strings[language], current, contact_pages
            ),
        )


def _check_language(
    content_dir: Path,
    language: str,
    strings: dict[str, str],
    current: Page,
    contact_pages: tuple[Page, ...],
) -> None:
    assert current.policy is not None
    for page in contact_pages:
        _check_policy_links(page, current.policy.version)
    if contact_pages:
        _check_withdraw_subject(content_dir, language, strings, current)

"""The operator's inbox: the submissions waiting for an answer, and one submission to answer.

Both read decrypted personal data, so each is audited (as `inbox` and `show`) before anything is
printed. An answer is an email: `show` gives a `mailto:` link whose subject is in the visitor's
language (`[reply] subject` in `content/<lang>/strings.toml`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from functions import DEFAULT_CONTENT_DIR
from functions.operator.audit import AuditTrail
from functions.operator.errors import RefusedError
from functions.operator.records import Submissions
from functions.operator.store import decode_inbox_token, encode_token
from functions.submission_item import (
    ANSWERED_AT,
    BLOCKED,
    CREATED_AT,
    ID,
    LOCALE,
    PERSONAL_DATA,
    STATUS,
    WITH_PERSONAL_DATA,
    is_unanswered,
    metadata,
    parse_timestamp,
)
from sitecontent.errors import ContentError
from sitecontent.site import load_site
from sitecontent.strings import load_strings

CONTENT_VARIABLE = "CONTENT_DIR"
# Characters an address keeps as they are in a mailto: link (RFC 6068); the rest is encoded.
MAILTO_SAFE = "@.+-_!$'*=^`{|}~"
# Submissions per page of the inbox: what the staff's page shows at once.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Inbox:
    """The unanswered submissions, oldest first, and how many blocked ones were left out."""

    submissions: list[dict[str, Any]]
    blocked: int

    def as_json(self) -> dict[str, Any]:
        return {"submissions": self.submissions, "blocked": self.blocked}


def reply_subjects(content_dir: Path | None = None) -> dict[str, str]:
    """Each language's subject for an answer, by language; empty when no content is at hand.

    The tool reads the site's content from `CONTENT_DIR`, else from the repository beside it.
    """
    folder = content_dir or Path(os.environ.get(CONTENT_VARIABLE) or DEFAULT_CONTENT_DIR)
    try:
        site = load_site(folder)
        subjects = {
            language: load_strings(folder, language).get("reply.subject", "")
            for language in site.languages
        }
    except ContentError:
        return {}
    # A submission in a language the site no longer has is answered in the default one.
    subjects[""] = subjects.get(site.default_language, "")
    return subjects


def mailto(email: str, subject: str) -> str:
    """A `mailto:` link to the address, with the subject when there is one."""
    link = f"mailto:{quote(email, safe=MAILTO_SAFE)}"
    return f"{link}?subject={quote(subject, safe='')}" if subject else link


def _age_days(created_at: str, now: dt.datetime) -> int:
    return max(0, (now - parse_timestamp(created_at)).days)


def _entry(
    submissions: Submissions, item: dict[str, Any], now: dt.datetime, subjects: dict[str, str]
) -> dict[str, Any]:
    personal_data = submissions.personal_data(item)
    subject = subjects.get(item[LOCALE], subjects.get("", ""))
    return {
        **metadata(item),
        "age_days": _age_days(item[CREATED_AT], now),
        PERSONAL_DATA: personal_data,
        "reply": mailto(personal_data["email"], subject),
    }


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox: its entries, blocked ones left out, and the next page's token."""

    submissions: list[dict[str, Any]]
    blocked: int
    next_page: str | None


def inbox_page(
    submissions: Submissions,
    audit: AuditTrail,
    limit: int,
    page: str | None,
    subjects: dict[str, str],
    now: dt.datetime | None = None,
    since: str | None = None,
) -> InboxPage:
    """One page of the unanswered submissions, oldest first, decrypted; blocked ones counted.

    Reads the sparse `awaiting-answer` index: `limit` items at most, whatever the table holds.
    Withdrawn, anonymised and answered submissions are not in it.
    """
    now = now or dt.datetime.now(dt.UTC)
    start_key = decode_inbox_token(page) if page is not None else None
    items, last_key = submissions.awaiting_answer(limit, start_key, since)
    waiting = [item for item in items if is_unanswered(item)]
    blocked = sum(1 for item in items if item[STATUS] == BLOCKED and ANSWERED_AT not in item)
    entries = [_entry(submissions, item, now, subjects) for item in waiting]
    # Recorded before anything is shown: the trail shows who saw what.
    submissions.store.add_audit_records(audit.read_records("inbox", [i[ID] for i in waiting]))
    return InboxPage(entries, blocked, encode_token(last_key))


def inbox(
    submissions: Submissions,
    audit: AuditTrail,
    since: str | None,
    subjects: dict[str, str],
    now: dt.datetime | None = None,
) -> Inbox:
    """The active submissions not yet answered, oldest first, decrypted; blocked ones counted.

    Every page of the inbox, one after another (the operator's terminal shows them all).
    """
    now = now or dt.datetime.now(dt.UTC)
    entries: list[dict[str, Any]] = []
    blocked, page = 0, None
    while True:
        found = inbox_page(submissions, audit, PAGE_SIZE, page, subjects, now, since)
        entries += found.submissions
        blocked += found.blocked
        page = found.next_page
        if page is None:
            return Inbox(entries, blocked)


def show(
    submissions: Submissions,
    audit: AuditTrail,
    text_id: str,
    subjects: dict[str, str],
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """One submission, decrypted, with the link to answer it; refused for tombstones."""
    item = submissions.get(text_id)
    if item[STATUS] not in WITH_PERSONAL_DATA:
        raise RefusedError(
            f"submission {item[ID]} is {item[STATUS]}: its personal data was destroyed, "
            "there is nothing to show or answer"
        )
    entry = _entry(submissions, item, now or dt.datetime.now(dt.UTC), subjects)
    submissions.store.add_audit_records(audit.read_records("show", [item[ID]]))
    return entry

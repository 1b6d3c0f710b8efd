"""The read-only commands: find, export, list, the mailing list and the retention forecast."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from functions.operator.audit import AuditTrail
from functions.operator.records import Submissions
from functions.operator.retention import Forecast, forecast
from functions.operator.store import decode_token, encode_token
from functions.submission_item import (
    ACTIVE,
    ANSWERED_AT,
    BLOCKED,
    CONSENTS,
    CREATED_AT,
    EMAIL_HASH,
    EXPIRES_AT,
    ID,
    LOCALE,
    MARKETING,
    PERSONAL_DATA,
    STATUS,
    metadata,
)

# What the retention forecast reads of each item: nothing personal, nothing to decrypt.
RETENTION_ATTRIBUTES = (ID, STATUS, ANSWERED_AT, CONSENTS, EXPIRES_AT)

MAILING_LIST_COLUMNS = ("email", "first_name", "last_name", "locale")
# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection"):
# `=cmd|'/Ccalc'!A0@example.kz` and `-2+3@example.kz` are addresses the form accepts.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def find(submissions: Submissions, email: str) -> list[dict[str, Any]]:
    """The metadata of every submission of the person with this email, oldest first."""
    return [metadata(item) for item in submissions.of_person(email)]


def export(submissions: Submissions, audit: AuditTrail, email: str) -> dict[str, Any]:
    """Everything held on the person, decrypted: the answer to a request for access.

    Blocked submissions are included (marked by their status): blocking stops processing,
    not the person's right to see what is held.
    """
    items = submissions.of_person(email)
    exported = [
        {**metadata(item), PERSONAL_DATA: submissions.personal_data(item)} for item in items
    ]
    # Reading decrypted personal data is recorded too: the trail shows who saw what.
    submissions.store.add_audit_records(audit.read_records("export", [i[ID] for i in items]))
    return {"submissions": exported}


def list_page(
    submissions: Submissions, limit: int, since: str | None, next_token: str | None
) -> dict[str, Any]:
    """One page of submission metadata, in table order, and the token for the next page."""
    start_key = decode_token(next_token) if next_token is not None else None
    items, last_key = submissions.store.page(limit, since, start_key)
    return {"submissions": [metadata(item) for item in items], "next_token": encode_token(last_key)}


def _marketing_given(item: dict[str, Any]) -> bool:
    return bool(item.get(CONSENTS, {}).get(MARKETING, {}).get("given"))


def spreadsheet_text(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading `'` before what would start a formula.

    >>> spreadsheet_text("-2+3@example.kz"), spreadsheet_text("aigerim@example.kz")
    ("'-2+3@example.kz", 'aigerim@example.kz')
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def mailing_list(submissions: Submissions, audit: AuditTrail) -> str:
    """CSV of the people who may get newsletters, one row per email.

    A person is listed when their latest submission is active and consents to marketing, and
    none of their submissions is blocked. The whole table is scanned and each listed person's
    latest submission decrypted: fine for the thousands of submissions a contact form
    collects; past that, an index on marketing consent would be the next step.
    """
    people: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in submissions.store.scan():
        if EMAIL_HASH in item:
            people[item[EMAIL_HASH]].append(item)
    chosen = []
    for items in people.values():
        latest = max(items, key=lambda item: item[CREATED_AT])
        if (
            latest[STATUS] == ACTIVE
            and _marketing_given(latest)
            and not any(item[STATUS] == BLOCKED for item in items)
        ):
            chosen.append(latest)
    output = io.StringIO()
    # Every cell quoted (OWASP's advice), so no comma or quote inside one can start another.
    writer = csv.writer(output, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(MAILING_LIST_COLUMNS)
    rows = []
    for item in chosen:
        personal_data = submissions.personal_data(item)
        cells = (personal_data["email"], personal_data["first_name"], personal_data["last_name"])
        rows.append((*map(spreadsheet_text, cells), item[LOCALE]))
    writer.writerows(sorted(rows))
    submissions.store.add_audit_records(
        audit.read_records("mailing-list", [item[ID] for item in chosen])
    )
    return output.getvalue()


def retention(submissions: Submissions) -> Forecast:
    """How many submissions fall due in each of the next twelve months, and which never do.

    One scan of the table that returns only `RETENTION_ATTRIBUTES` (no personal data, no KMS
    call). DynamoDB still charges a scan for each item's full size: about one read unit per
    8 KB of items with eventual consistency, so a table of 10,000 submissions of about 2 KB
    costs some 2,500 read units, under a cent on demand.
    """
    items = list(submissions.store.scan(RETENTION_ATTRIBUTES))
    return forecast(items, submissions.store.now())

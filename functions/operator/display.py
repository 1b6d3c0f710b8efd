"""Submissions as a person reads them at a terminal: `inbox` and `show` without `--json`.

What a visitor typed is printed with every control and format character escaped (`\\x1b`,
`\\u202e`): a message must not be able to move the cursor, recolour or clear the operator's
terminal, or reorder what it shows.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from functions.operator.retention import REASON_TEXT
from functions.submission_item import (
    ANSWERED_AT,
    ANSWERED_BY,
    CONSENTS,
    CREATED_AT,
    EXPIRES_AT,
    ID,
    LOCALE,
    MARKETING,
    PERSONAL_DATA,
    STATUS,
    utc_and_kazakhstan_time,
    utc_timestamp,
)

INDENT = "    "


def printable(text: str, keep_newlines: bool = False) -> str:
    """The text with control and format characters shown as escapes, not obeyed."""
    kept = {"\n", "\t"} if keep_newlines else set()
    return "".join(
        char
        if char in kept or unicodedata.category(char) not in ("Cc", "Cf")
        else (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        for char in text
    )


def moment(timestamp: str) -> str:
    """A stored time in UTC and in Kazakhstan's time."""
    utc, local = utc_and_kazakhstan_time(timestamp)
    return f"{utc} UTC ({local} UTC+5)"


def _name(data: dict[str, Any]) -> str:
    parts = (data.get("last_name"), data.get("first_name"), data.get("patronymic"))
    return " ".join(printable(part) for part in parts if part)


def _answered(entry: dict[str, Any]) -> str:
    if ANSWERED_AT not in entry:
        return "not answered yet"
    return f"answered {moment(entry[ANSWERED_AT])} by {entry.get(ANSWERED_BY, '?')}"


def _retention(entry: dict[str, Any]) -> str:
    if entry.get(EXPIRES_AT) is not None:
        return f"kept until {moment(_stored_time(entry[EXPIRES_AT]))}"
    return f"no expiry: {REASON_TEXT[entry['kept_reason']]}"


def _stored_time(epoch_seconds: int) -> str:
    return utc_timestamp(dt.datetime.fromtimestamp(int(epoch_seconds), dt.UTC))


def submission_text(entry: dict[str, Any], program: str) -> str:
    """One decrypted submission (as `inbox.show` returns it), with how to answer it."""
    data = entry[PERSONAL_DATA]
    marketing = entry.get(CONSENTS, {}).get(MARKETING, {}).get("given")
    phones = ", ".join(printable(phone) for phone in data.get("phones") or []) or "none given"
    message = data.get("message")
    lines = [
        f"submission {entry[ID]}",
        f"  received   {moment(entry[CREATED_AT])}, {entry['age_days']} day(s) ago",
        f"  language   {entry[LOCALE]}",
        f"  status     {entry[STATUS]}, {_answered(entry)}",
        f"  name       {_name(data)}",
        f"  email      {printable(data['email'])}",
        f"  phones     {phones}",
        f"  marketing  {'consents to news and offers' if marketing else 'no news or offers'}",
        f"  retention  {_retention(entry)}",
        "  message" + ("" if message else "    none"),
    ]
    if message:
        lines += [INDENT + line for line in printable(message, keep_newlines=True).splitlines()]
    lines += [
        f"  answer     {entry['reply']}",
        f"  then       {program} answered {entry[ID]}",
    ]
    return "\n".join(lines)


def inbox_text(entries: list[dict[str, Any]], blocked: int, program: str) -> str:
    """The inbox: a count, each submission, and the blocked ones left out in one line."""
    if entries:
        header = f"{len(entries)} submission(s) waiting for an answer, oldest first"
    else:
        header = "no submission is waiting for an answer"
    parts = [header, *(submission_text(entry, program) for entry in entries)]
    if blocked:
        parts.append(f"{blocked} blocked submission(s) left out (`{program} list` shows them)")
    return "\n\n".join(parts) + "\n"

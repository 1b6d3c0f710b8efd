"""What the CLI prints for a person at a terminal: `inbox` and `show` as text, and every JSON.

What a visitor typed is printed with every control, format and line or paragraph separator
character escaped (`\\x1b`, `\\u202e`, `\\u2028`), in text and in JSON alike: a message must
not be able to move the cursor, recolour or clear the operator's terminal, or reorder what it
shows.
"""

from __future__ import annotations

import datetime as dt
import json
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
# Control, format, line separator, paragraph separator: what a terminal obeys, or what moves
# or reorders the text around it, rather than shows.
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in UNPRINTABLE_CATEGORIES


def printable(text: str, keep_newlines: bool = False) -> str:
    """The text with control and format characters shown as escapes, not obeyed."""
    kept = {"\n", "\t"} if keep_newlines else set()
    return "".join(
        char if char in kept or not _unprintable(char) else _text_escape(char) for char in text
    )


def _text_escape(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def _json_escape(char: str) -> str:
    # As JSON writes a character outside the Basic Multilingual Plane: a UTF-16 pair.
    units = char.encode("utf-16-be")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2]):04x}" for i in range(0, len(units), 2))


def json_text(value: Any) -> str:
    """`value` as indented JSON with the letters as they are and the unprintable escaped.

    `json.dumps` escapes only what is below U+0020; C1 controls (U+009B is a terminal's CSI),
    U+202E and U+2028 would reach the terminal as they are. Outside ASCII they can only be
    within strings, so their escapes read back as the same value.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(
        _json_escape(char) if char > "\x7e" and _unprintable(char) else char for char in text
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

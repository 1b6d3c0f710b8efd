"""The staff API's answers, shaped from what the operator's actions return (STAFF_API_CONTRACT)."""

from __future__ import annotations

from typing import Any

from functions.submission_item import (
    ANSWERED_AT,
    ANSWERED_BY,
    CONSENTS,
    CREATED_AT,
    ID,
    LOCALE,
    MARKETING,
    PERSONAL_DATA,
    POLICY_VERSION,
    STATUS,
)

# The first line of a message, as the inbox lists it; the message view shows it all.
FIRST_LINE_CHARACTERS = 120


def first_line(message: str | None) -> str:
    """The message's first non-empty line, cut to a list's width.

    >>> first_line("\\n  Hello,\\nwe need an estimate")
    'Hello,'
    """
    for line in (message or "").splitlines():
        if line.strip():
            return line.strip()[:FIRST_LINE_CHARACTERS]
    return ""


def inbox_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """One line of the inbox."""
    personal = entry[PERSONAL_DATA]
    name = " ".join(part for part in (personal["first_name"], personal["last_name"]) if part)
    return {
        "id": entry[ID],
        "received_at": entry[CREATED_AT],
        "locale": entry[LOCALE],
        "name": name,
        "first_line": first_line(personal.get("message")),
        "age_days": entry["age_days"],
    }


def _kept(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """Until when the submission is kept, or why it has no date yet."""
    if ANSWERED_AT not in entry:
        return None, "unanswered"
    if entry.get(CONSENTS, {}).get(MARKETING, {}).get("given"):
        return None, "marketing_consent"
    return None, None


def message(entry: dict[str, Any]) -> dict[str, Any]:
    """One submission, decrypted, as the message view shows it."""
    personal = entry[PERSONAL_DATA]
    kept_until, kept_reason = _kept(entry)
    return {
        "id": entry[ID],
        "received_at": entry[CREATED_AT],
        "locale": entry[LOCALE],
        "policy_version": entry[POLICY_VERSION],
        "status": entry[STATUS],
        "consents": entry.get(CONSENTS, {}),
        "answered_at": entry.get(ANSWERED_AT),
        "answered_by": entry.get(ANSWERED_BY),
        "kept_until": kept_until,
        "kept_reason": kept_reason,
        "personal_data": {
            "last_name": personal["last_name"],
            "first_name": personal["first_name"],
            "patronymic": personal.get("patronymic"),
            "email": personal["email"],
            "phone": list(personal.get("phones") or []),
            "message": personal.get("message"),
        },
    }

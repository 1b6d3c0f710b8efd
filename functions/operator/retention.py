"""How long a submission is kept: its expiry, why it has none, and what falls due when.

A submission expires `RetentionDays` (the stack's parameter) after the later of its answer and
the end of its consent to news and offers. It has no expiry while it is unanswered or while
that consent stands; withdrawn and anonymised submissions are tombstones, kept without one.
The expiry is `EXPIRES_AT`, in epoch seconds: DynamoDB's time to live deletes the item some
time after it passes (within days), and until then every read treats the item as gone
(`is_expired`, applied by `functions.operator.store`, the one place that reads the table).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from functions.submission_item import (
    ANSWERED_AT,
    CONSENTS,
    EXPIRES_AT,
    MARKETING,
    STATUS,
    WITH_PERSONAL_DATA,
    parse_timestamp,
)

# Why a submission has no expiry, as `show`, `retention` and the staff API name it.
UNANSWERED = "unanswered"
MARKETING_CONSENT = "marketing_consent"
TOMBSTONE = "tombstone"
NOT_SET = "not_set"
REASONS = (UNANSWERED, MARKETING_CONSENT, TOMBSTONE, NOT_SET)
# What each reason means, for the operator.
REASON_TEXT = {
    UNANSWERED: "not answered yet",
    MARKETING_CONSENT: "consents to news and offers",
    TOMBSTONE: "withdrawn or anonymised: no personal data left, the tombstone is kept",
    NOT_SET: "answered before the retention period was set; `answered` cannot set it again",
}
FORECAST_MONTHS = 12


def _marketing(item: dict[str, Any]) -> dict[str, Any]:
    return item.get(CONSENTS, {}).get(MARKETING, {})


def expiry(item: dict[str, Any], retention_days: int) -> int | None:
    """The expiry of an item in epoch seconds, or None while nothing starts its clock.

    >>> unsubscribed = {"given": False, "at": "2026-02-01T00:00:00.000000Z"}
    >>> answered = {"status": "active", "answered_at": "2026-01-01T00:00:00.000000Z",
    ...             "consents": {"marketing": unsubscribed}}
    >>> dt.datetime.fromtimestamp(expiry(answered, 10), dt.UTC).date().isoformat()
    '2026-02-11'
    """
    if item.get(STATUS) not in WITH_PERSONAL_DATA or ANSWERED_AT not in item:
        return None
    marketing = _marketing(item)
    if marketing.get("given"):
        return None
    # A consent never given ends when the submission is made, before any answer.
    moments = [item[ANSWERED_AT], *([marketing["at"]] if "at" in marketing else [])]
    start = max(parse_timestamp(moment) for moment in moments)
    return int((start + dt.timedelta(days=retention_days)).timestamp())


def expiry_values(item: dict[str, Any], retention_days: int) -> dict[str, Any]:
    """The `EXPIRES_AT` a change sets on an item as it will be after the change; or nothing."""
    expires = expiry(item, retention_days)
    return {} if expires is None else {EXPIRES_AT: expires}


def no_expiry_reason(item: dict[str, Any]) -> str | None:
    """Why an item has no expiry (one of `REASONS`), or None when it has one."""
    if EXPIRES_AT in item:
        return None
    if item.get(STATUS) not in WITH_PERSONAL_DATA:
        return TOMBSTONE
    if ANSWERED_AT not in item:
        return UNANSWERED
    if _marketing(item).get("given"):
        return MARKETING_CONSENT
    return NOT_SET


def expires(item: dict[str, Any]) -> dt.datetime | None:
    """The item's expiry as an aware UTC datetime, or None."""
    if EXPIRES_AT not in item:
        return None
    return dt.datetime.fromtimestamp(int(item[EXPIRES_AT]), dt.UTC)


def is_expired(item: dict[str, Any], now: dt.datetime) -> bool:
    """Whether the item's expiry has passed: it is gone, whether or not DynamoDB deleted it."""
    moment = expires(item)
    return moment is not None and moment <= now


def kept(item: dict[str, Any]) -> dict[str, str | None]:
    """`kept_until` (the expiry's UTC date, ISO) or `kept_reason`, as JSON answers give them."""
    moment = expires(item)
    return {
        "kept_until": moment.date().isoformat() if moment else None,
        "kept_reason": no_expiry_reason(item),
    }


def _month(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m")


def _months_from(now: dt.datetime) -> list[str]:
    year, month = now.year, now.month
    months = []
    for _ in range(FORECAST_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass(frozen=True)
class Forecast:
    """How many submissions fall due in each coming month, later, and have no expiry (why)."""

    due_by_month: dict[str, int]
    due_later: int
    without_expiry: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "due_by_month": self.due_by_month,
            "due_later": self.due_later,
            "without_expiry": self.without_expiry,
        }

    def text(self) -> str:
        """The forecast as the operator reads it, months in UTC."""
        lines = ["submissions falling due for deletion, by month (UTC):"]
        lines += [f"  {month}  {count}" for month, count in self.due_by_month.items()]
        lines.append(f"  later    {self.due_later}")
        lines.append("submissions without an expiry, by reason:")
        lines += [
            f"  {count:>5}  {reason}: {REASON_TEXT[reason]}"
            for reason, count in self.without_expiry.items()
        ]
        return "\n".join(lines) + "\n"


def forecast(items: list[dict[str, Any]], now: dt.datetime) -> Forecast:
    """The forecast of the visible (not yet expired) items, from the current month on."""
    months = _months_from(now)
    due: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for item in items:
        moment = expires(item)
        if moment is None:
            reasons[no_expiry_reason(item) or NOT_SET] += 1
        else:
            due[_month(moment)] += 1
    by_month = {month: due[month] for month in months}
    later = sum(count for month, count in due.items() if month not in by_month)
    return Forecast(by_month, later, {reason: reasons[reason] for reason in REASONS})

"""The stored submission: one item per submission in the submissions table, and its rules.

The one definition of the item that the form function writes and the operator CLI (and the
notifier) read and change:

- `id` (a UUID), `created_at` and, once changed, `updated_at` (UTC, `utc_timestamp`),
  `locale`, `policy_version`, `status` (`STATUSES`), and `consents`: for each of
  `processing`, `marketing` and, when the site asks for it, `cross_border`, whether it was
  given and when (`consent`).
- `personal_data`: the names, email, phones and message (`PERSONAL_DATA_FIELDS`) as one
  encrypted blob (`functions.personal_data`).
- `email_hash`: a KMS HMAC of the email's look-up form (`functions.email_address`, which
  the form and the operator CLI share), for look-ups through the `by-email-hash` index; the
  HMAC key never leaves KMS.
- `answered_at` and `answered_by`, once an operator has answered it (`estimation-operator
  answered`, or "Mark as answered" in the staff inbox): when, and who marked it (the ARN of
  an operator, the email of a member of staff); the inbox lists the rest.
- `awaiting_answer`, only while a submission waits for an answer and still holds its data: the
  key of the sparse `awaiting-answer` index, which the inbox reads a page at a time, oldest
  first. Answering, withdrawing and anonymising remove it.

The table streams each new item (its new image) to the notifier, which reads `NOTIFIED`, the
attributes that tell the operator a submission arrived, and nothing else.

Withdrawn and anonymised items are tombstones: they keep the metadata and lose
`personal_data` and `email_hash`. Standard library only, so that whatever only reads items
(the notifier) needs neither the validation nor the encryption libraries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# Attributes.
ID = "id"
CREATED_AT = "created_at"
UPDATED_AT = "updated_at"
LOCALE = "locale"
POLICY_VERSION = "policy_version"
STATUS = "status"
CONSENTS = "consents"
PERSONAL_DATA = "personal_data"
EMAIL_HASH = "email_hash"
ANSWERED_AT = "answered_at"
ANSWERED_BY = "answered_by"
# What `find` and `list` show: nothing personal, not even the email's keyed hash.
METADATA = (
    ID,
    CREATED_AT,
    UPDATED_AT,
    LOCALE,
    POLICY_VERSION,
    STATUS,
    CONSENTS,
    ANSWERED_AT,
    ANSWERED_BY,
)
# What a notification may say about a new submission: which, when, in which language.
NOTIFIED = (ID, CREATED_AT, LOCALE)
# What identifies a person; destroying a person's data removes both.
PERSONAL = (PERSONAL_DATA, EMAIL_HASH)
EMAIL_HASH_INDEX = "by-email-hash"
AWAITING_ANSWER = "awaiting_answer"
AWAITING_ANSWER_INDEX = "awaiting-answer"
# The one value of `awaiting_answer`: the index's single partition, sorted by `created_at`.
AWAITING = "yes"

# Statuses.
ACTIVE = "active"
BLOCKED = "blocked"
WITHDRAWN = "withdrawn"
ANONYMISED = "anonymised"
STATUSES = (ACTIVE, BLOCKED, WITHDRAWN, ANONYMISED)
# Only these still hold personal data; withdrawn and anonymised items are tombstones.
WITH_PERSONAL_DATA = (ACTIVE, BLOCKED)

# Consents.
PROCESSING = "processing"
MARKETING = "marketing"
CROSS_BORDER = "cross_border"

# The fields of the decrypted `personal_data`, in the order the operator reports them.
PERSONAL_DATA_FIELDS = ("last_name", "first_name", "patronymic", "email", "phones", "message")
# The form's field of each: the same name, but the form has one `phone` input per number.
FORM_FIELDS = {name: "phone" if name == "phones" else name for name in PERSONAL_DATA_FIELDS}

# Kazakhstan keeps one time zone, UTC+5, all year (since 1 March 2024); operators read both.
KAZAKHSTAN_TIME = dt.timezone(dt.timedelta(hours=5), "UTC+5")
MINUTE_FORMAT = "%Y-%m-%d %H:%M"


def utc_timestamp(moment: dt.datetime | None = None) -> str:
    """A time as items store it: UTC ISO-8601 with microseconds and `Z`; now by default.

    >>> almaty = dt.timezone(dt.timedelta(hours=5))
    >>> utc_timestamp(dt.datetime(2026, 11, 25, 17, 4, 5, 6, tzinfo=almaty))
    '2026-11-25T12:04:05.000006Z'
    """
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(timestamp: str) -> dt.datetime:
    """A stored time as an aware UTC datetime.

    >>> parse_timestamp("2026-11-25T12:04:05.000006Z").astimezone(KAZAKHSTAN_TIME).isoformat()
    '2026-11-25T17:04:05.000006+05:00'
    """
    return dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def utc_and_kazakhstan_time(timestamp: str) -> tuple[str, str]:
    """A stored time to the minute, as operators read it: in UTC and in Kazakhstan's time.

    >>> utc_and_kazakhstan_time("2026-11-25T21:04:05.000006Z")
    ('2026-11-25 21:04', '2026-11-26 02:04')
    """
    moment = parse_timestamp(timestamp)
    local = moment.astimezone(KAZAKHSTAN_TIME)
    return moment.strftime(MINUTE_FORMAT), local.strftime(MINUTE_FORMAT)


def is_unanswered(item: dict[str, Any]) -> bool:
    """Whether an item still waits for an answer: active, holding its data, never answered."""
    return item.get(STATUS) == ACTIVE and ANSWERED_AT not in item


def month_of(timestamp: str) -> str:
    """A stored time rounded down to the first of its month, still in the stored format.

    >>> month_of("2026-11-25T12:34:56.789012Z")
    '2026-11-01T00:00:00.000000Z'
    """
    return f"{timestamp[:7]}-01T00:00:00.000000Z"


def consent(given: bool, at: str) -> dict[str, Any]:
    """One consent as the item records it: whether it is given, and since when."""
    return {"given": given, "at": at}


def new_item(
    submission_id: str,
    created_at: str,
    locale: str,
    policy_version: str,
    consents: dict[str, bool],
    personal_data: str,
    email_hash: str,
) -> dict[str, Any]:
    """The item of a new submission: active, awaiting an answer, consents timed at creation."""
    return {
        ID: submission_id,
        CREATED_AT: created_at,
        LOCALE: locale,
        POLICY_VERSION: policy_version,
        STATUS: ACTIVE,
        CONSENTS: {name: consent(given, created_at) for name, given in consents.items()},
        PERSONAL_DATA: personal_data,
        EMAIL_HASH: email_hash,
        AWAITING_ANSWER: AWAITING,
    }


def metadata(item: dict[str, Any]) -> dict[str, Any]:
    """The non-personal attributes of an item."""
    return {name: item[name] for name in METADATA if name in item}

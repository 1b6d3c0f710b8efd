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
# What `find` and `list` show: nothing personal, not even the email's keyed hash.
METADATA = (ID, CREATED_AT, UPDATED_AT, LOCALE, POLICY_VERSION, STATUS, CONSENTS)
# What identifies a person; destroying a person's data removes both.
PERSONAL = (PERSONAL_DATA, EMAIL_HASH)
EMAIL_HASH_INDEX = "by-email-hash"

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


def utc_timestamp(moment: dt.datetime | None = None) -> str:
    """A time as items store it: UTC ISO-8601 with microseconds and `Z`; now by default.

    >>> almaty = dt.timezone(dt.timedelta(hours=5))
    >>> utc_timestamp(dt.datetime(2026, 11, 25, 17, 4, 5, 6, tzinfo=almaty))
    '2026-11-25T12:04:05.000006Z'
    """
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    """The item of a new submission: active, each consent timed at its creation."""
    return {
        ID: submission_id,
        CREATED_AT: created_at,
        LOCALE: locale,
        POLICY_VERSION: policy_version,
        STATUS: ACTIVE,
        CONSENTS: {name: consent(given, created_at) for name, given in consents.items()},
        PERSONAL_DATA: personal_data,
        EMAIL_HASH: email_hash,
    }


def metadata(item: dict[str, Any]) -> dict[str, Any]:
    """The non-personal attributes of an item."""
    return {name: item[name] for name in METADATA if name in item}

"""The contact form's vocabulary: its limits, what names and phones may hold, its error codes.

One list that both sides read. The form function validates with these limits and characters
and answers only these (field, code) pairs; the site build renders the same limits into the
form, hands the same rules to the form's script for the checks it runs before sending, and
fails, naming the strings file, when a language lacks the message of a pair the function can
answer. It lives in the content model because the function may not import the site generator
nor the generator the function; both may import this, and the function's zip ships it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sitecontent.errors import ContentError

MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_PHONE_LENGTH = 32
MAX_PHONES = 5
MAX_MESSAGE_LENGTH = 2000

# The fields that hold a person's name: letters of any script and the punctuation below.
NAME_FIELDS = ("last_name", "first_name", "patronymic")
# Besides letters of any script: the space, hyphen and both apostrophes people type in names
# such as "Jean-Luc", "O'Brien" or "Ғалымжан-Ұлы".
NAME_PUNCTUATION = " -'\u2019"
# Besides the digits 0-9 and one leading "+": how people group a number (spaces, the
# no-break space a copied number brings, brackets, hyphens, dots). Letters ("1-800-FLOWERS")
# and extensions ("ext. 12") are refused, because the stored E.164 number keeps neither: the
# parser would silently turn the first into digits and drop the second.
PHONE_PUNCTUATION = " \u00a0()-."
PHONE_DIGITS = "0123456789"

# The key under `errors` for an answer about the whole request rather than one field.
REQUEST = "request"
# When storage is briefly unavailable (503 with `Retry-After`), the form's script sends the
# same submission again by itself: at most this many more times, waiting as each answer asks,
# and never more than this many seconds in all; then it shows the message. The function asks
# for waits that fit (`functions.contact.errors.RETRY_AFTER`).
RETRY_ATTEMPTS = 3
RETRY_SECONDS = 30
# The placeholder a message writes where its limit goes: "{limit} characters or fewer".
LIMIT = "{limit}"

# For each input the visitor fills in: every code the function can answer about it, and the
# limit (a length or a count) that code's message names, or None.
FIELD_CODES: dict[str, dict[str, int | None]] = {
    "last_name": {"required": None, "invalid": None, "too_long": MAX_NAME_LENGTH},
    "first_name": {"required": None, "invalid": None, "too_long": MAX_NAME_LENGTH},
    "patronymic": {"invalid": None, "too_long": MAX_NAME_LENGTH},
    "email": {"required": None, "invalid": None, "too_long": MAX_EMAIL_LENGTH},
    "phone": {"invalid": None, "too_long": MAX_PHONE_LENGTH, "too_many": MAX_PHONES},
    "message": {"invalid": None, "too_long": MAX_MESSAGE_LENGTH},
    "consent": {"invalid": None, "consent_required": None},
    "marketing": {"invalid": None},
    "cross_border": {"invalid": None, "consent_required": None},
}
# The boxes, whose labels are sentences: a message names them by `form.<field>_name`.
CHECKBOX_FIELDS = ("consent", "marketing", "cross_border")
# The inputs the page fills in itself, and what the function can answer about them. Such an
# error, or `unknown_field` for an input the form does not have, means the page was altered
# or broken: the visitor gets the message of an unreadable request, which says to reload.
HIDDEN_FIELD_CODES: dict[str, tuple[str, ...]] = {
    # A version longer than the limit is never the current one: `stale_policy`, not too long.
    "policy_version": ("required", "invalid", "stale_policy"),
    "locale": ("required", "invalid", "too_long"),
    "idempotency_key": ("invalid",),
    "website": ("invalid",),
}
UNKNOWN_FIELD = "unknown_field"
# Codes about the whole request (the function gives each its HTTP status). `stale_policy` is
# answered under `policy_version` but is about the page: reload it.
REQUEST_CODES = (
    "invalid",
    "stale_policy",
    "forbidden_origin",
    "direct_request",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "unavailable",
)
# Every code the function answers, for its API document.
ERROR_CODES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [*(code for codes in FIELD_CODES.values() for code in codes), UNKNOWN_FIELD, *REQUEST_CODES]
    )
)


def answerable(field: str, code: str) -> bool:
    """Whether the function may answer `code` about `field` (`request` for the whole request)."""
    if field == REQUEST:
        return code in REQUEST_CODES
    if field in FIELD_CODES:
        return code in FIELD_CODES[field]
    if field in HIDDEN_FIELD_CODES:
        return code in HIDDEN_FIELD_CODES[field]
    return code == UNKNOWN_FIELD


def message_key(field: str, code: str) -> str:
    """The strings key of the message shown for `code` about `field`.

    >>> message_key("phone", "too_many")
    'errors.phone.too_many'
    >>> message_key("policy_version", "stale_policy")
    'errors.request.stale_policy'
    >>> message_key("nickname", "unknown_field")
    'errors.request.invalid'
    """
    if code in FIELD_CODES.get(field, {}):
        return f"errors.{field}.{code}"
    if code in REQUEST_CODES:
        return f"errors.{REQUEST}.{code}"
    return f"errors.{REQUEST}.invalid"


def error_message(strings: Mapping[str, str], field: str, code: str) -> str:
    """The message for `code` about `field` in one language, its limit filled in."""
    text = strings.get(message_key(field, code)) or strings.get(f"errors.{REQUEST}.invalid", code)
    limit = FIELD_CODES.get(field, {}).get(code)
    return text.replace(LIMIT, str(limit)) if limit is not None else text


def field_name_key(field: str) -> str:
    """The strings key of a field's name as an error list shows it: its label, or a box's name."""
    return f"form.{field}_name" if field in CHECKBOX_FIELDS else f"form.{field}"


def field_name(strings: Mapping[str, str], field: str, position: int | None = None) -> str:
    """How an error list names a field the visitor fills in ("Phone 2"); '' for any other."""
    if field not in FIELD_CODES:
        return ""
    name = strings.get(field_name_key(field), "")
    return f"{name} {position + 1}" if name and position is not None else name


def message_keys() -> dict[str, int | None]:
    """Every message a language must have, with the limit each names (or None)."""
    keys: dict[str, int | None] = {
        f"errors.{field}.{code}": limit
        for field, codes in FIELD_CODES.items()
        for code, limit in codes.items()
    }
    keys.update({f"errors.{REQUEST}.{code}": None for code in REQUEST_CODES})
    return keys


def check_error_messages(strings_file: Path, strings: Mapping[str, str]) -> None:
    """Fail, naming the strings file, on a message missing or not naming its limit."""
    for field in FIELD_CODES:
        key = field_name_key(field)
        if not strings.get(key, "").strip():
            raise ContentError(
                str(strings_file), f"no {key!r}: the name error lists give the field {field}"
            )
    for key, limit in message_keys().items():
        _, table, code = key.split(".")
        text = strings.get(key, "").strip()
        if not text:
            raise ContentError(
                _table_location(strings_file, table),
                f"no message for {table}: {code}, which the contact form can answer; "
                f'add {code} = "..." under [errors.{table}]',
            )
        if limit is not None and LIMIT not in text:
            raise ContentError(
                _table_location(strings_file, table),
                f"the message for {table}: {code} must name its limit as {LIMIT} "
                f"(the form's limit is {limit})",
            )
        if limit is None and LIMIT in text:
            raise ContentError(
                _table_location(strings_file, table),
                f"the message for {table}: {code} has no limit to put in {LIMIT}",
            )


def _table_location(strings_file: Path, table: str) -> str:
    # The line of the table's header helps an editor find it; without one, the file.
    header = f"[errors.{table}]"
    try:
        lines = strings_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return str(strings_file)
    for number, line in enumerate(lines, start=1):
        if line.strip() == header:
            return f"{strings_file}:{number}"
    return str(strings_file)


def field_messages(strings: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """One language's messages, as the form's script looks them up: by field, then code."""
    messages = {
        field: {code: error_message(strings, field, code) for code in codes}
        for field, codes in FIELD_CODES.items()
    }
    messages[REQUEST] = {code: error_message(strings, REQUEST, code) for code in REQUEST_CODES}
    return messages


def client_rules() -> dict[str, object]:
    """What the form's script checks before sending, from the same characters as above."""
    return {
        "nameFields": list(NAME_FIELDS),
        "namePunctuation": NAME_PUNCTUATION,
        "phonePunctuation": PHONE_PUNCTUATION,
        "phoneDigits": PHONE_DIGITS,
    }


def client_retry() -> dict[str, int]:
    """How often and how long the form's script retries a send storage could not take."""
    return {"attempts": RETRY_ATTEMPTS, "seconds": RETRY_SECONDS}

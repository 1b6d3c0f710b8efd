"""The function's own exceptions and the one table that maps error codes to HTTP statuses."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

# The key under `errors` for an answer about the whole request rather than one field; the
# codes themselves are the form's vocabulary, `sitecontent.contact_form`.
from sitecontent.contact_form import REQUEST, RETRY_ATTEMPTS, RETRY_SECONDS

# Codes about the whole request; every other code (required, invalid, too_long, too_many,
# consent_required, unknown_field) is about one field and answers 422.
WHOLE_REQUEST_STATUS: dict[str, HTTPStatus] = {
    "forbidden_origin": HTTPStatus.FORBIDDEN,
    "direct_request": HTTPStatus.FORBIDDEN,
    "stale_policy": HTTPStatus.CONFLICT,
    "payload_too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "unsupported_media_type": HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    "rate_limited": HTTPStatus.TOO_MANY_REQUESTS,
    "unavailable": HTTPStatus.SERVICE_UNAVAILABLE,
}
FIELD_ERROR_STATUS = HTTPStatus.UNPROCESSABLE_ENTITY
# Seconds a client should wait before trying again, for the answers that invite a retry. The
# contact page retries `unavailable` by itself within a budget: each wait fits it.
RETRY_AFTER: dict[str, int] = {
    "rate_limited": 60,
    "unavailable": RETRY_SECONDS // RETRY_ATTEMPTS,
}


def http_status(errors: Mapping[str, str]) -> HTTPStatus:
    """The status of an answer carrying these errors: a whole-request code wins over fields."""
    for code in errors.values():
        if code in WHOLE_REQUEST_STATUS:
            return WHOLE_REQUEST_STATUS[code]
    return FIELD_ERROR_STATUS


class SubmissionRejected(Exception):
    """The visitor's request cannot be accepted; `errors` maps field names to error codes.

    Carries codes only, never submitted values, so logging it is safe.
    """

    def __init__(
        self,
        errors: Mapping[str, str],
        locale: object = None,
        positions: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(", ".join(sorted(set(errors.values()))))
        self.errors = dict(errors)
        # The language the visitor asked for, if known, to answer in it.
        self.locale = locale
        # For a repeating field (phone): which of its values an error is about.
        self.positions = dict(positions or {})

    @classmethod
    def whole_request(cls, code: str, locale: object = None) -> SubmissionRejected:
        return cls({REQUEST: code}, locale)


class StorageUnavailable(Exception):
    """DynamoDB or KMS failed; nothing was stored and the visitor may retry."""


class AlreadyStored(Exception):
    """An item with this id exists: the same submission arrived before (a retry)."""

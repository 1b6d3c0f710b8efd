"""Receive one submission: validate it, protect its personal data, store it exactly once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import phonenumbers
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from functions import email_address, personal_data, submission_item
from functions.contact.content import FormContent
from functions.contact.errors import AlreadyStored, StorageUnavailable, SubmissionRejected
from functions.contact.models import (
    DEFAULT_PHONE_REGION,
    Submission,
    field_errors,
    field_positions,
    validate_submission,
)
from functions.contact.store import SubmissionWriter
from functions.submission_item import CROSS_BORDER, MARKETING, PROCESSING

# Item ids derive from the browser's idempotency key and what the submission holds, so a retry
# of the same submission maps to the same item, which a conditional put stores once, while the
# same key with other content (a visitor who went back and corrected the form) is a submission
# of its own. Fixed once deployed: changing it would turn retries in flight into new items.
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d3c55-93a4-4f0e-9a55-3a5cb0f3e2a1")

Outcome = Literal["stored", "repeated", "honeypot"]


@dataclass(frozen=True)
class Receipt:
    """What the visitor is told: the submission's id and language, and what really happened."""

    submission_id: str
    locale: str
    outcome: Outcome


def _example_phone_number() -> str:
    # libphonenumber's own example number of the default region: no one's real number.
    example = phonenumbers.example_number(DEFAULT_PHONE_REGION)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def content_fingerprint(email_mac: bytes, content: dict[str, Any]) -> str:
    """A keyed digest of what one submission holds: equal for a retry, not for a correction.

    Keyed with the email's MAC, which only KMS computes (the one KMS call a submission makes
    anyway), so nobody can test a guess at the content without KMS; and never stored: it only
    goes into the item id, together with the browser's random key, which is not stored either.
    """
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(email_mac, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def submission_id_for(idempotency_key: str | None, fingerprint: str) -> str:
    """The item id: from the idempotency key and the content, random without a key."""
    if idempotency_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{idempotency_key}/{fingerprint}"))


class SubmissionDesk:
    """Turns parsed form fields into one stored, encrypted submission item."""

    def __init__(
        self,
        content: FormContent,
        store: SubmissionWriter,
        kms_client: Any,
        data_key_arn: str,
        email_hash_key_arn: str,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._content = content
        self._store = store
        self._kms = kms_client
        self._data_key_arn = data_key_arn
        self._email_hash_key_arn = email_hash_key_arn
        self._clock = clock

    def receive(self, fields: dict[str, Any]) -> Receipt:
        """Store the submission these fields describe, or raise `SubmissionRejected`."""
        submission = self.check(fields)
        if submission.website:
            # A person never sees the honeypot input. What filled it gets the answer a person
            # gets, so it learns nothing; nothing is stored.
            return Receipt(str(uuid.uuid4()), submission.locale, "honeypot")
        item = self._item(submission)
        submission_id = item[submission_item.ID]
        try:
            self._store.put_new(item)
        except AlreadyStored:
            return Receipt(submission_id, submission.locale, "repeated")
        return Receipt(submission_id, submission.locale, "stored")

    def check(self, fields: dict[str, Any]) -> Submission:
        """The submission these fields describe, or `SubmissionRejected` naming every error.

        Touches no AWS service: what `receive` refuses, this refuses, without storing anything.
        """
        self._check_policy_version(fields)
        try:
            return validate_submission(
                fields, self._content.languages, self._content.ask_cross_border_consent
            )
        except ValidationError as exc:
            raise SubmissionRejected(
                field_errors(exc), fields.get("locale"), field_positions(exc)
            ) from None

    def rehearse(self) -> None:
        """Validate a made-up submission: what a real one needs then is loaded, nothing stored.

        The first validation loads the phone library's metadata for the default region and the
        email validator's tables. Nothing is encrypted, hashed or written: that takes AWS.
        """
        language = self._content.default_language
        validate_submission(
            {
                "last_name": "Warm-up",
                "first_name": "Ұлжан",
                "email": "warm-up@example.com",
                "phone": [_example_phone_number()],
                "consent": True,
                "cross_border": True,
                "policy_version": self._content.current_policy[language],
                "locale": language,
                "idempotency_key": str(uuid.uuid4()),
            },
            self._content.languages,
            self._content.ask_cross_border_consent,
        )

    def _check_policy_version(self, fields: dict[str, Any]) -> None:
        # Before the fields: a page showing an old policy must be reloaded whatever else is
        # wrong, and consent given to an old version is not consent to the current one.
        locale = self._content.language_or_default(fields.get("locale"))
        version = fields.get("policy_version")
        if not isinstance(version, str) or not version.strip():
            return  # missing or malformed: the field validation names it
        if version.strip() != self._content.current_policy[locale]:
            raise SubmissionRejected({"policy_version": "stale_policy"}, locale)

    def _item(self, submission: Submission) -> dict[str, Any]:
        consents = {PROCESSING: submission.consent, MARKETING: submission.marketing}
        if self._content.ask_cross_border_consent:
            consents[CROSS_BORDER] = submission.cross_border
        personal = {
            name: getattr(submission, form_field)
            for name, form_field in submission_item.FORM_FIELDS.items()
        }
        mac = self._email_mac(submission.email)
        fingerprint = content_fingerprint(
            mac,
            {
                "personal_data": personal,
                "consents": consents,
                "locale": submission.locale,
                "policy_version": submission.policy_version,
            },
        )
        submission_id = submission_id_for(submission.idempotency_key, fingerprint)
        return submission_item.new_item(
            submission_id,
            created_at=submission_item.utc_timestamp(self._clock()),
            locale=submission.locale,
            policy_version=submission.policy_version,
            consents=consents,
            personal_data=self._encrypt(personal, submission_id),
            email_hash=email_address.hash_text(mac),
        )

    def _email_mac(self, email: str) -> bytes:
        try:
            # `submission.email` is already `validated_email`'s normal form.
            return email_address.valid_email_mac(self._kms, self._email_hash_key_arn, email)
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable("kms", type(exc).__name__) from exc

    def _encrypt(self, personal: dict[str, Any], submission_id: str) -> str:
        try:
            return personal_data.encrypt_personal_data(self._data_key_arn, submission_id, personal)
        # The Encryption SDK wraps KMS and network faults in its own exception types, and
        # none of them is the visitor's fault: any failure here means "try again later".
        except Exception as exc:
            raise StorageUnavailable("kms", type(exc).__name__) from exc

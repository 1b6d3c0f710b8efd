"""Finding submissions by id or by a person's email, and reading what they hold."""

from __future__ import annotations

import uuid
from typing import Any

from functions.email_address import InvalidEmail, email_hash, lookup_form
from functions.operator.aws import Aws, aws_failures
from functions.operator.errors import NotFoundError, RefusedError, UsageError
from functions.operator.resources import Resources
from functions.operator.store import AuditedStore
from functions.personal_data import decrypt_personal_data
from functions.submission_item import ID, PERSONAL_DATA, STATUS


def submission_id(text: str) -> str:
    """A submission id as the table stores it; a usage error when it is not a UUID."""
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise UsageError(f"{text!r} is not a submission id (a UUID)") from None


class Submissions:
    """The submissions table as the operator sees it: look-ups and decryption."""

    def __init__(self, aws: Aws, resources: Resources, store: AuditedStore) -> None:
        self.store = store
        self.data_key_arn = resources.data_key_arn
        self._kms = aws.client("kms")
        self._resources = resources

    def get(self, text_id: str) -> dict[str, Any]:
        """The submission with that id; `NotFoundError` when there is none."""
        wanted = submission_id(text_id)
        item = self.store.get(wanted)
        if item is None:
            raise NotFoundError(f"no submission with id {wanted}")
        return item

    def awaiting_answer(
        self, limit: int, start_key: dict[str, Any] | None = None, since: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the submissions awaiting an answer, oldest first, and where it stopped."""
        return self.store.awaiting_answer(limit, start_key, since)

    def email_hash(self, email: str) -> str:
        """The keyed hash the handler stored for this email (normalised the same way)."""
        try:
            lookup_form(email)
        except InvalidEmail:
            # The address is not echoed: error output may end up in a ticket or a log.
            raise UsageError("that is not an email address the contact form would accept") from None
        with aws_failures():
            return email_hash(self._kms, self._resources.email_hash_key_arn, email)

    def of_person(self, email: str) -> list[dict[str, Any]]:
        """Every submission still carrying this email; `NotFoundError` when there is none."""
        items = self.store.by_email_hash(self.email_hash(email))
        if not items:
            # The email is not echoed: error output may end up in a ticket or a log.
            raise NotFoundError("no submissions for that email (withdrawn ones are not kept)")
        return items

    def personal_data(self, item: dict[str, Any]) -> dict[str, Any]:
        """The decrypted personal data of a submission that still holds it."""
        if PERSONAL_DATA not in item:
            raise RefusedError(
                f"submission {item[ID]} is {item.get(STATUS)}: it holds no personal data"
            )
        with aws_failures():
            return decrypt_personal_data(
                self._resources.data_key_arn, item[ID], item[PERSONAL_DATA]
            )

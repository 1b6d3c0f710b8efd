"""The audit trail: who changed which submissions, when and how. Never personal data.

A record names submission ids only, not even an email's keyed hash: the hash is derived from
an email, and the trail must stay readable by anyone who audits the operator.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from functions.operator.aws import Aws, aws_failures
from functions.submission_item import utc_timestamp

# 1,000 ids take about 40 KB, a tenth of the largest item DynamoDB stores.
IDS_PER_READ_RECORD = 1000
# The commands whose output held decrypted personal data: files and mails staff may keep.
READ_ACTIONS = ("export", "show", "inbox", "mailing-list")


def caller_identity(aws: Aws) -> str:
    """The ARN of whoever runs the tool, as AWS knows them."""
    with aws_failures():
        return aws.client("sts").get_caller_identity()["Arn"]


class AuditTrail:
    """Builds the audit record that goes into the same transaction as each change."""

    def __init__(self, actor: str, clock: Callable[[], str] = utc_timestamp) -> None:
        self.actor = actor
        self._clock = clock

    def record(
        self,
        action: str,
        submission_ids: list[str],
        fields: tuple[str, ...] = (),
        details: dict[str, str] | None = None,
        at: str | None = None,
    ) -> dict[str, Any]:
        """One audit record; `fields` names the changed fields of an update, never values.

        `details` adds attributes of the action's own (ids and names, never personal data);
        `at` is the change's own time when the change records one (a withdrawal's).
        """
        record: dict[str, Any] = {
            **(details or {}),
            "id": str(uuid.uuid4()),
            "at": at or self._clock(),
            "actor": self.actor,
            "action": action,
            "submission_ids": list(submission_ids),
            "count": len(submission_ids),
        }
        if fields:
            record["fields"] = list(fields)
        return record

    def read_records(self, action: str, submission_ids: list[str]) -> list[dict[str, Any]]:
        """Records of a read of decrypted data, split so none nears DynamoDB's item size limit."""
        chunks = [
            submission_ids[start : start + IDS_PER_READ_RECORD]
            for start in range(0, len(submission_ids), IDS_PER_READ_RECORD)
        ]
        return [self.record(action, chunk) for chunk in chunks or [[]]]

    def recorder(
        self,
        action: str,
        fields: tuple[str, ...] = (),
        details: dict[str, str] | None = None,
        at: str | None = None,
    ) -> Callable[[list[str]], dict]:
        """A function giving the record of this action for one batch of ids."""
        return lambda submission_ids: self.record(action, submission_ids, fields, details, at)


def earlier_reads(records: list[dict[str, Any]], submission_ids: list[str]) -> list[dict[str, Any]]:
    """The records of reads whose output included any of these submissions, oldest first."""
    wanted = set(submission_ids)
    return [
        record
        for record in records
        if record["action"] in READ_ACTIONS and wanted & set(record["submission_ids"])
    ]


def printable(record: dict[str, Any]) -> dict[str, Any]:
    """An audit record as JSON can hold it (DynamoDB numbers come back as Decimal)."""
    return {
        name: int(value) if isinstance(value, Decimal) else value for name, value in record.items()
    }

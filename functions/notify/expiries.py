"""The trail of what DynamoDB's time to live deleted: one audit record per expired submission.

The notifier reads the table's stream already, so it is the one that writes this trail: its
mapping's filter hands it the REMOVE records whose user identity is DynamoDB's own service
(as AWS documents for deletions by the time to live) besides the new items, and its role
may put items in the audit table and nothing more. A REMOVE by anyone else is not an expiry
and leaves no record here. Each record names the id, the expiry and the time of the deletion
(from the old image's `expires_at` and the stream record's time): nothing personal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from botocore.exceptions import BotoCoreError, ClientError

from functions.submission_item import EXPIRES_AT, ID, utc_timestamp

# Who DynamoDB says deleted an item when its time to live did (AWS, "DynamoDB Streams and
# Time to Live").
TIME_TO_LIVE = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
ACTION = "expire"
ACTOR = TIME_TO_LIVE["principalId"]
# Record ids are derived from the stream record's, so a retried batch rewrites the same record.
RECORD_NAMESPACE = uuid.UUID("2f0d3c6e-8a7b-4c55-9d1e-6b3f1a9e0c42")


class AuditFailed(RuntimeError):
    """The audit table did not take a record; Lambda retries the batch."""


def is_expiry(record: DynamoDBRecord) -> bool:
    """Whether a stream record is a deletion made by DynamoDB's time to live."""
    return (
        record.event_name is DynamoDBRecordEventName.REMOVE and record.user_identity == TIME_TO_LIVE
    )


def _moment(epoch_seconds: Any) -> str:
    return utc_timestamp(dt.datetime.fromtimestamp(int(epoch_seconds), dt.UTC))


def expiry_record(record: DynamoDBRecord) -> dict[str, Any]:
    """The audit record of one deletion by the time to live: id, expiry, time removed."""
    stream = record.dynamodb
    assert stream is not None
    old = stream.old_image
    submission_id = str((old or stream.keys)[ID])
    audit = {
        "id": str(uuid.uuid5(RECORD_NAMESPACE, record.event_id or submission_id)),
        "at": _moment(stream.approximate_creation_date_time or 0),
        "actor": ACTOR,
        "action": ACTION,
        "submission_ids": [submission_id],
        "count": 1,
    }
    if EXPIRES_AT in old:
        audit["expired_at"] = _moment(old[EXPIRES_AT])
    return audit


def expiry_records(event: DynamoDBStreamEvent) -> list[dict[str, Any]]:
    """The audit records of the batch's deletions by the time to live, in stream order."""
    return [expiry_record(record) for record in event.records if is_expiry(record)]


@dataclass
class AuditWriter:
    """Puts audit records in the audit table: the one place the notifier talks to DynamoDB."""

    dynamodb_client: Any
    table: str

    def write(self, records: list[dict[str, Any]]) -> None:
        from boto3.dynamodb.types import TypeSerializer

        serializer = TypeSerializer()
        for audit in records:
            item = {name: serializer.serialize(value) for name, value in audit.items()}
            try:
                self.dynamodb_client.put_item(TableName=self.table, Item=item)
            except ClientError as exc:
                raise AuditFailed(exc.response.get("Error", {}).get("Code", "error")) from exc
            except BotoCoreError as exc:
                raise AuditFailed(type(exc).__name__) from exc

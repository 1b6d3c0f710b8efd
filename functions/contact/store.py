"""The one place the function talks to DynamoDB: store a new submission item, once."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from functions.contact.errors import AlreadyStored, StorageUnavailable
from functions.submission_item import ID

_serializer = TypeSerializer()


class SubmissionWriter:
    """Writes new submission items; the function never reads or changes one."""

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table_name = table_name

    def put_new(self, item: dict[str, Any]) -> None:
        """Store the item unless one with its id exists; one write either way.

        Raises `AlreadyStored` for a repeat of a stored submission, `StorageUnavailable` when
        DynamoDB throttles or fails (then nothing was stored).
        """
        try:
            self._dynamodb.put_item(
                TableName=self._table_name,
                Item={name: _serializer.serialize(value) for name, value in item.items()},
                ConditionExpression=f"attribute_not_exists({ID})",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise AlreadyStored(item[ID]) from exc
            raise StorageUnavailable("dynamodb", exc.response.get("Error", {}).get("Code")) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable("dynamodb", type(exc).__name__) from exc

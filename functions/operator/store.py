"""The one place that talks to DynamoDB: the submissions table and the audit table.

Every change to submissions is written in one transaction together with its audit record, so
an action is either done and audited, or not done at all.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from functions.operator.aws import Aws, aws_failures
from functions.operator.errors import RefusedError, UsageError
from functions.operator.resources import Resources
from functions.submission_item import (
    AWAITING,
    AWAITING_ANSWER,
    AWAITING_ANSWER_INDEX,
    CREATED_AT,
    EMAIL_HASH,
    EMAIL_HASH_INDEX,
    ID,
    STATUS,
)

# DynamoDB allows 100 actions per transaction; one of them is the audit record.
CHANGES_PER_TRANSACTION = 99

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class Change:
    """One conditional update of one submission.

    `set_values` maps attribute paths (dotted for nested maps, e.g. `consents.marketing`) to
    new values; `remove` lists attributes to delete. The change applies only while the item's
    status is one of `expected_statuses`, its attributes still hold `expected_values` (the
    blob an update read, the keyed hash a withdrawal looked up) and it has none of
    `expected_absent` (an `answered_at` someone else set meanwhile), so nothing decided on a
    stale read is ever written.
    """

    submission_id: str
    expected_statuses: tuple[str, ...]
    set_values: dict[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    expected_values: dict[str, Any] = field(default_factory=dict)
    expected_absent: tuple[str, ...] = ()


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _typed(value: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(v) for name, v in value.items()}


class _Expression:
    """Placeholders for attribute names and values, so no name clashes a reserved word."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def path(self, dotted: str) -> str:
        parts = []
        for part in dotted.split("."):
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = part
            parts.append(placeholder)
        return ".".join(parts)

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = _serializer.serialize(value)
        return placeholder


def _update_request(table: str, change: Change) -> dict[str, Any]:
    expression = _Expression()
    clauses = []
    if change.set_values:
        assignments = [
            f"{expression.path(path)} = {expression.value(value)}"
            for path, value in change.set_values.items()
        ]
        clauses.append("SET " + ", ".join(assignments))
    if change.remove:
        clauses.append("REMOVE " + ", ".join(expression.path(path) for path in change.remove))
    statuses = ", ".join(expression.value(status) for status in change.expected_statuses)
    condition = (
        f"attribute_exists({expression.path(ID)}) AND {expression.path(STATUS)} IN ({statuses})"
    )
    for name, value in change.expected_values.items():
        condition += f" AND {expression.path(name)} = {expression.value(value)}"
    for name in change.expected_absent:
        condition += f" AND attribute_not_exists({expression.path(name)})"
    return {
        "TableName": table,
        "Key": {ID: {"S": change.submission_id}},
        "UpdateExpression": " ".join(clauses),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": expression.names,
        "ExpressionAttributeValues": expression.values,
    }


def encode_token(last_key: dict[str, Any] | None) -> str | None:
    """An opaque `--next-token` for the key where a page stopped."""
    if last_key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_key).encode("utf-8")).decode("ascii")


def decode_token(token: str) -> dict[str, Any]:
    """The key a `--next-token` stands for; a usage error when it was not one of ours."""
    key = _decoded(token, "--next-token is not a token printed by `list`")
    # `list` prints the key of a submission: its id, a UUID, and nothing else.
    if set(key) != {ID} or not _is_uuid(key[ID]):
        raise UsageError("--next-token is not a token printed by `list`")
    return key


def decode_inbox_token(token: str) -> dict[str, Any]:
    """The index key an inbox page token stands for; a usage error when it is not one."""
    problem = "not a page token of the inbox"
    key = _decoded(token, problem)
    expected = {ID, AWAITING_ANSWER, CREATED_AT}
    if (
        set(key) != expected
        or not _is_uuid(key[ID])
        or key[AWAITING_ANSWER] != AWAITING
        or not isinstance(key[CREATED_AT], str)
    ):
        raise UsageError(problem)
    return key


def _decoded(token: str, problem: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise UsageError(problem) from exc
    if not isinstance(key, dict):
        raise UsageError(problem)
    return key


def _is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


class AuditedStore:
    """Reads of submission items, and their conditional changes, each audited as it is written."""

    def __init__(self, aws: Aws, resources: Resources) -> None:
        self._dynamodb = aws.client("dynamodb")
        self._resources = resources

    def get(self, submission_id: str) -> dict[str, Any] | None:
        """The submission with that id, or None."""
        with aws_failures():
            answer = self._dynamodb.get_item(
                TableName=self._resources.submissions_table,
                Key={ID: {"S": submission_id}},
                ConsistentRead=True,
            )
        return _plain(answer["Item"]) if "Item" in answer else None

    def by_email_hash(self, email_hash: str) -> list[dict[str, Any]]:
        """Every submission carrying that keyed hash, oldest first."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._resources.submissions_table,
            "IndexName": EMAIL_HASH_INDEX,
            "KeyConditionExpression": f"{EMAIL_HASH} = :hash",
            "ExpressionAttributeValues": {":hash": {"S": email_hash}},
        }
        with aws_failures():
            for page in self._dynamodb.get_paginator("query").paginate(**request):
                items.extend(_plain(item) for item in page["Items"])
        return items

    def awaiting_answer(
        self, limit: int, start_key: dict[str, Any] | None = None, since: str | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` submissions awaiting an answer, oldest first, and the key to go on from.

        A query of the sparse `awaiting-answer` index: it reads only what it returns.
        """
        request: dict[str, Any] = {
            "TableName": self._resources.submissions_table,
            "IndexName": AWAITING_ANSWER_INDEX,
            "KeyConditionExpression": f"{AWAITING_ANSWER} = :awaiting",
            "ExpressionAttributeValues": {":awaiting": {"S": AWAITING}},
            "Limit": limit,
        }
        if since:
            request["KeyConditionExpression"] += f" AND {CREATED_AT} >= :since"
            request["ExpressionAttributeValues"][":since"] = {"S": since}
        if start_key:
            request["ExclusiveStartKey"] = _typed(start_key)
        with aws_failures():
            answer = self._dynamodb.query(**request)
        items = [_plain(item) for item in answer["Items"]]
        last = answer.get("LastEvaluatedKey")
        return items, (_plain(last) if last else None)

    def scan(self) -> Iterator[dict[str, Any]]:
        """Every submission, in table order."""
        paginator = self._dynamodb.get_paginator("scan")
        with aws_failures():
            for page in paginator.paginate(TableName=self._resources.submissions_table):
                yield from (_plain(item) for item in page["Items"])

    def page(
        self, limit: int, since: str | None = None, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Up to `limit` submissions created at or after `since`, and the key to go on from.

        Each scan request evaluates at most the items still wanted, so the returned key is
        exactly where this page stopped and the next page neither skips nor repeats an item.
        """
        items: list[dict[str, Any]] = []
        key = start_key
        while len(items) < limit:
            request: dict[str, Any] = {
                "TableName": self._resources.submissions_table,
                "Limit": limit - len(items),
            }
            if since:
                request["FilterExpression"] = f"{CREATED_AT} >= :since"
                request["ExpressionAttributeValues"] = {":since": {"S": since}}
            if key:
                request["ExclusiveStartKey"] = _typed(key)
            with aws_failures():
                answer = self._dynamodb.scan(**request)
            items.extend(_plain(item) for item in answer["Items"])
            key = _plain(answer["LastEvaluatedKey"]) if "LastEvaluatedKey" in answer else None
            if key is None:
                break
        return items, key

    def apply(
        self, changes: list[Change], audit_record: Callable[[list[str]], dict[str, Any]]
    ) -> list[str]:
        """Write the changes, each transaction with the audit record for its ids; return ids."""
        done: list[str] = []
        for start in range(0, len(changes), CHANGES_PER_TRANSACTION):
            batch = changes[start : start + CHANGES_PER_TRANSACTION]
            ids = [change.submission_id for change in batch]
            actions: list[dict[str, Any]] = [
                {"Update": _update_request(self._resources.submissions_table, change)}
                for change in batch
            ]
            actions.append(
                {
                    "Put": {
                        "TableName": self._resources.audit_table,
                        "Item": _typed(audit_record(ids)),
                    }
                }
            )
            with aws_failures():
                self._write(actions, ids, done)
            done.extend(ids)
        return done

    def _write(self, actions: list[dict[str, Any]], ids: list[str], done: list[str]) -> None:
        try:
            self._dynamodb.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            stale = [
                ids[index]
                for index, reason in enumerate(reasons[: len(ids)])
                if reason.get("Code") == "ConditionalCheckFailed"
            ]
            if not stale:
                raise
            already = f"; already done and audited: {', '.join(done)}" if done else ""
            raise RefusedError(
                f"submission {stale[0]} changed while this command ran, so nothing in its "
                f"batch was written{already}. Run the command again."
            ) from exc

    def audit_records(self) -> list[dict[str, Any]]:
        """Every audit record, oldest first."""
        records: list[dict[str, Any]] = []
        paginator = self._dynamodb.get_paginator("scan")
        with aws_failures():
            for page in paginator.paginate(TableName=self._resources.audit_table):
                records.extend(_plain(item) for item in page["Items"])
        return sorted(records, key=lambda record: (record.get("at", ""), record["id"]))

    def add_audit_records(self, records: list[dict[str, Any]]) -> None:
        """Record a read of personal data, which changes no submission."""
        with aws_failures():
            for record in records:
                self._dynamodb.put_item(TableName=self._resources.audit_table, Item=_typed(record))

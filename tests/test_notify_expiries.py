"""The trail of what DynamoDB's time to live deleted, written by the notifier from the stream.

moto deletes nothing by time to live, so a person's deletion in moto gives the stream's REMOVE
record, and the time to live's is that record with the user identity AWS documents for it
("DynamoDB Streams and Time to Live"). Each goes through the template's filter as the preview
applies it (cross-checked with moto's EventBridge patterns, whose syntax Lambda's filters use)
and through the notifier's handler.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import pytest
from moto.events.models import EventPattern

from functions.submission_item import utc_timestamp
from infra.cloudformation import load_template
from preview.lambda_events import stream_record
from preview.stream_mapping import mapping_settings
from tests.support.contact import ContactFunction, valid_fields
from tests.support.notify import Notifier, notifier_on
from tests.support.operator import Operator, operator_runner, stored_item

# As GetRecords gives it; Lambda's event names the fields `type` and `principalId`.
TIME_TO_LIVE = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


@pytest.fixture
def notifier(contact: ContactFunction) -> Any:
    with notifier_on(contact.stack) as running:
        running.stream.new_records()  # what earlier tests stored is theirs
        yield running


@pytest.fixture
def operator(contact: ContactFunction, capsys: pytest.CaptureFixture[str]) -> Operator:
    return operator_runner(contact.stack, capsys)


def answered_then_deleted(
    contact: ContactFunction, operator: Operator, notifier: Notifier
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A submission answered (so with an expiry), then deleted: (id, its item, the REMOVE)."""
    email = f"expiry.{uuid.uuid4().hex[:10]}@example.kz"
    answer = contact.post_json(valid_fields(email=email))
    submission_id = json.loads(answer["body"])["id"]
    assert operator("answered", submission_id, "--yes").code == 0
    item = stored_item(contact.stack, submission_id)
    boto3.client("dynamodb").delete_item(
        TableName=contact.stack.outputs["SubmissionsTableName"], Key={"id": {"S": submission_id}}
    )
    (removal,) = [r for r in notifier.stream.new_records() if r["eventName"] == "REMOVE"]
    return submission_id, item, removal


def audit_of(operator: Operator, submission_id: str) -> list[dict[str, Any]]:
    return operator("audit", "--submission", submission_id).json()


def test_notify_expiry_by_time_to_live_gives_one_audit_record(
    contact: ContactFunction, operator: Operator, notifier: Notifier
) -> None:
    submission_id, item, removal = answered_then_deleted(contact, operator, notifier)
    expiry = {**removal, "userIdentity": TIME_TO_LIVE}
    settings = mapping_settings(load_template(), None)
    assert settings.lets_through(stream_record(expiry, notifier.stream.arn))

    notifier.run([expiry])
    notifier.run([expiry])  # Lambda retried the batch: the same record, not a second one

    (record,) = [r for r in audit_of(operator, submission_id) if r["action"] == "expire"]
    removed = removal["dynamodb"]["ApproximateCreationDateTime"].replace(microsecond=0)
    expired = dt.datetime.fromtimestamp(int(item["expires_at"]), dt.UTC)
    assert record == {
        "id": record["id"],
        "at": utc_timestamp(removed),
        "actor": "dynamodb.amazonaws.com",
        "action": "expire",
        "submission_ids": [submission_id],
        "count": 1,
        "expired_at": utc_timestamp(expired),
    }
    assert notifier.mailbox.messages() == []  # an expiry is no new submission


def test_notify_removal_by_anyone_else_gives_no_audit_record(
    contact: ContactFunction, operator: Operator, notifier: Notifier
) -> None:
    submission_id, _, removal = answered_then_deleted(contact, operator, notifier)
    by_a_person = [
        removal,
        {**removal, "userIdentity": {"Type": "Service", "PrincipalId": "backup.amazonaws.com"}},
    ]
    settings = mapping_settings(load_template(), None)
    for record in by_a_person:
        assert not settings.lets_through(stream_record(record, notifier.stream.arn))

    # Even handed over (the filter changed, or a test's batch), the notifier records nothing.
    notifier.run(by_a_person)

    assert [r["action"] for r in audit_of(operator, submission_id)] == ["answered"]


def lambda_record(name: str, identity: dict[str, str] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventID": uuid.uuid4().hex,
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {"Keys": {"id": {"S": str(uuid.uuid4())}}},
    }
    if identity is not None:
        record["userIdentity"] = identity
    return record


RECORDS = {
    "insert": lambda_record("INSERT"),
    "modify": lambda_record("MODIFY"),
    "remove by a person": lambda_record("REMOVE"),
    "remove by the time to live": lambda_record(
        "REMOVE", {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    ),
    "remove by another service": lambda_record(
        "REMOVE", {"type": "Service", "principalId": "backup.amazonaws.com"}
    ),
    "modify by the time to live": lambda_record(
        "MODIFY", {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    ),
}


@pytest.mark.parametrize("record", RECORDS.values(), ids=RECORDS.keys())
def test_preview_filter_agrees_with_eventbridge_patterns(record: dict[str, Any]) -> None:
    template = load_template()
    (mapping,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    patterns = [EventPattern.load(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    expected = any(pattern.matches_event(record) for pattern in patterns)

    assert mapping_settings(template, None).lets_through(record) is expected


def test_preview_filter_refuses_patterns_it_cannot_apply_faithfully() -> None:
    template = load_template()
    (mapping,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    mapping["FilterCriteria"]["Filters"] = [
        {"Pattern": '{"dynamodb": {"Keys": {"id": {"S": [{"prefix": "a"}]}}}}'}
    ]
    with pytest.raises(ValueError, match="exact values only"):
        mapping_settings(template, None)

"""One batch of the table's stream in: one notification per batch out, and one audit record
per submission DynamoDB's time to live deleted (`functions.notify.expiries`).

What a warm notifier keeps (settings, the words, its SNS client) is built on the first batch,
so importing the handler stays cheap and a test can point it at a fresh environment with
`reset()`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecordEventName,
)

from functions.notify import telemetry
from functions.notify.expiries import AuditFailed, AuditWriter, expiry_records, is_expiry
from functions.notify.message import (
    Arrival,
    NotificationWords,
    OperatorCommand,
    StaffInbox,
    compose,
    load_words,
)
from functions.notify.publisher import PublishFailed, TopicPublisher
from functions.notify.settings import NotifierSettings, load_settings
from functions.submission_item import CREATED_AT, ID, LOCALE
from sitecontent.site import load_site

# The template's mapping hands over at most this many records (BatchSize), so one batch is one
# message and a retried batch never repeats a message that went out; a longer batch is split.
MAX_PER_MESSAGE = 100


@dataclass(frozen=True)
class Runtime:
    settings: NotifierSettings
    words: NotificationWords
    command: OperatorCommand
    staff_inbox: StaffInbox
    publisher: TopicPublisher
    audit: AuditWriter


@functools.cache
def current() -> Runtime:
    """The runtime of this Lambda instance, built on first use."""
    return _build()


def reset() -> None:
    """Forget the runtime, so the next batch reads the environment again."""
    current.cache_clear()


def _build() -> Runtime:
    import boto3
    from botocore.config import Config

    settings = load_settings()
    # Lambda retries a failed batch; a retry inside one invocation only delays that.
    config = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3})
    sns = boto3.client("sns", region_name=settings.region, config=config)
    return Runtime(
        settings=settings,
        words=load_words(settings.content_dir),
        command=OperatorCommand(settings.stack_name, settings.region, settings.endpoint_url),
        staff_inbox=StaffInbox(settings.site_url or load_site(settings.content_dir).base_url),
        publisher=TopicPublisher(sns, settings.topic_arn),
        audit=AuditWriter(
            boto3.client("dynamodb", region_name=settings.region, config=config),
            settings.audit_table,
        ),
    )


def arrivals(event: DynamoDBStreamEvent) -> list[Arrival]:
    """The new submissions a batch announces: id, time and language from each new image."""
    found: list[Arrival] = []
    skipped: list[str] = []
    for record in event.records:
        if is_expiry(record):
            continue
        image = record.dynamodb.new_image if record.dynamodb else {}
        if record.event_name is not DynamoDBRecordEventName.INSERT or ID not in image:
            skipped.append(record.event_name.name if record.event_name else "unknown")
            continue
        # Only these attributes are read: the image's blob and hash are never touched.
        found.append(
            Arrival(str(image[ID]), str(image.get(CREATED_AT, "")), str(image.get(LOCALE, "")))
        )
    if skipped:
        telemetry.record_skipped(skipped)
    return found


def _chunks(items: list[Arrival], size: int) -> Iterator[list[Arrival]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def notify(event: DynamoDBStreamEvent) -> list[str]:
    """Record the batch's expiries, publish its notification; return the SNS message ids.

    Raises `AuditFailed` or `PublishFailed` when DynamoDB or SNS refuses, so Lambda retries
    the batch (halving it), and after the last retry reports it to the failure queue, whose
    alarm tells the operator. A retry writes the same audit records again, not new ones.
    """
    runtime = current()
    expired = expiry_records(event)
    if expired:
        ids = [submission_id for record in expired for submission_id in record["submission_ids"]]
        try:
            runtime.audit.write(expired)
        except AuditFailed as exc:
            telemetry.record_expiries_failed(ids, str(exc))
            raise
        telemetry.record_expired(ids)
    message_ids = []
    for chunk in _chunks(arrivals(event), MAX_PER_MESSAGE):
        notification = compose(chunk, runtime.words, runtime.command, runtime.staff_inbox)
        ids = list(notification.submission_ids)
        try:
            message_id = runtime.publisher.publish(notification)
        except PublishFailed as exc:
            telemetry.record_failed(ids, str(exc))
            raise
        telemetry.record_published(ids, message_id)
        message_ids.append(message_id)
    return message_ids

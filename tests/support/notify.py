"""The notifier against the template's stack in moto: its stream, its topic, its handler.

Tests read the table's stream as Lambda's mapping would, call the notifier's handler with the
event `preview.lambda_events` builds, and read what the topic delivered to a queue subscribed
to it (where the deploy subscribes the operator's email).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config

from functions.notify import notifier
from functions.notify.app import handler
from preview.lambda_events import LocalLambdaContext, dynamodb_stream_event
from tests.support.stack import REGION, Stack


def function_environment(stack: Stack, output: str) -> dict[str, str]:
    """A function's environment exactly as the template sets it."""
    functions = boto3.client("lambda", region_name=REGION)
    configuration = functions.get_function_configuration(FunctionName=stack.outputs[output])
    return configuration["Environment"]["Variables"]


def stream_arn(stack: Stack) -> str:
    table = boto3.client("dynamodb", region_name=REGION).describe_table(
        TableName=stack.outputs["SubmissionsTableName"]
    )
    return table["Table"]["LatestStreamArn"]


class StreamReader:
    """Reads the submissions table's stream from its start, each record once."""

    def __init__(self, stack: Stack) -> None:
        # Stream ARNs carry no account id: botocore would pick a host that moto does not serve.
        self._streams = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            config=Config(account_id_endpoint_mode="disabled"),
        )
        self.arn = stream_arn(stack)
        (shard,) = self._streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        self._iterator = self._streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def new_records(self) -> list[dict[str, Any]]:
        """The records written since the last call."""
        answer = self._streams.get_records(ShardIterator=self._iterator)
        self._iterator = answer["NextShardIterator"]
        return answer["Records"]


@dataclass
class Mailbox:
    """A queue subscribed to the operator's topic: what the operator's email would receive."""

    queue_url: str

    def messages(self) -> list[dict[str, str]]:
        """Every message delivered so far (subject and text), taken off the queue."""
        sqs = boto3.client("sqs", region_name=REGION)
        found = []
        while True:
            answer = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not answer.get("Messages"):
                return found
            for message in answer["Messages"]:
                envelope = json.loads(message["Body"])
                found.append({"subject": envelope.get("Subject", ""), "text": envelope["Message"]})
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def subscribe_mailbox(stack: Stack) -> Mailbox:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=f"mailbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns", region_name=REGION).subscribe(
        TopicArn=stack.outputs["NotificationTopicArn"], Protocol="sqs", Endpoint=arn
    )
    return Mailbox(url)


@dataclass
class Notifier:
    """The notifier's handler with its stack's environment, its stream and its mailbox."""

    stack: Stack
    stream: StreamReader
    mailbox: Mailbox

    def run(self, records: list[dict[str, Any]] | None = None) -> Any:
        """Hand the notifier a batch (by default every record written since the last run)."""
        batch = self.stream.new_records() if records is None else records
        event = dynamodb_stream_event(batch, self.stream.arn)
        return handler(event, LocalLambdaContext(self.stack.outputs["NotifierFunctionName"]))


@contextmanager
def notifier_on(stack: Stack, **environment: str) -> Iterator[Notifier]:
    """Point the notifier at the stack (its environment, then `environment`) for a block."""
    with pytest.MonkeyPatch.context() as patch:
        own = function_environment(stack, "NotifierFunctionName")
        # Powertools' names stay the form function's: both run in this one test process.
        own = {k: v for k, v in own.items() if not k.startswith("POWERTOOLS_")}
        settings = {**own, **environment}
        for name, value in settings.items():
            patch.setenv(name, value)
        notifier.reset()
        try:
            yield Notifier(stack, StreamReader(stack), subscribe_mailbox(stack))
        finally:
            notifier.reset()

"""The operator's notifications in the preview: the real notifier on moto's stream and topic.

`StreamMapping` hands the notifier the table's new items as Lambda's mapping would; the
notifier publishes to the stack's SNS topic in moto; the preview subscribes a queue of its own
to that topic (where the deploy would subscribe the operator's email) and prints each message
that arrives, on one line that names `estimation-operator` and every id, with the same text.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from infra.cloudformation import load_template
from preview.alarms import alarm_definitions, create_alarms, physical_ids, raise_queue_alarms
from preview.environment import variables_set
from preview.lambda_events import LocalLambdaContext
from preview.stream_mapping import MappingTarget, StreamMapping, mapping_settings

NOTIFIER_HANDLER = "functions.notify.app.handler"
# Seconds of the batching window; unset, the template's (about a minute, as deployed).
WINDOW_VARIABLE = "PREVIEW_NOTIFY_WINDOW"
MAILBOX_QUEUE = "preview-operator-mailbox"
# Both functions run in this one process; these variables differ between them and are the
# notifier's only while it is imported (Powertools reads them then).
OWN_VARIABLES = ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE")

Print = Callable[[str], None]


def batching_window(environment: dict[str, str] | os._Environ = os.environ) -> float | None:
    """`PREVIEW_NOTIFY_WINDOW` in seconds, or None for the template's; ValueError if not one."""
    text = environment.get(WINDOW_VARIABLE, "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 300:
        raise ValueError(f"{WINDOW_VARIABLE}={text!r}: give seconds from 0 to 300")
    return seconds


def one_line(recipient: str, subject: str, text: str) -> str:
    """A notification as the preview prints it: the subject and every line of the text."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return f"notification for {recipient}: {subject} | " + " | ".join(
        line for line in lines if line
    )


class NotificationPrinter:
    """Receives what the topic delivers to the preview's queue and prints it as it arrives."""

    def __init__(self, sns: Any, sqs: Any, topic_arn: str, recipient: str, say: Print) -> None:
        self._sns = sns
        self._sqs = sqs
        self._recipient = recipient
        self._say = say
        self._queue_url = sqs.create_queue(QueueName=MAILBOX_QUEUE)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                answer = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
                )
            except Exception as exc:  # moto stopping under us, or a hiccup: try again
                if not self._stop.wait(0.5):
                    self._say(f"reading the notifications failed: {type(exc).__name__}")
                continue
            for message in answer.get("Messages", []):
                envelope = json.loads(message["Body"])
                self._say(
                    one_line(self._recipient, envelope.get("Subject", ""), envelope["Message"])
                )
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


def _notifier_handler(environment: dict[str, str]) -> Callable[[dict, Any], Any]:
    """Import the notifier with its environment, as Lambda starts it."""
    os.environ.update({k: v for k, v in environment.items() if k not in OWN_VARIABLES})
    with variables_set({k: v for k, v in environment.items() if k in OWN_VARIABLES}):
        module_name, _, attribute = NOTIFIER_HANDLER.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class NotifierSetup:
    """What the preview wires together: the stack's outputs, moto's endpoint, the recipient."""

    stack: str
    outputs: dict[str, str]
    endpoint_url: str
    recipient: str
    window: float | None


@dataclass(frozen=True)
class RunningNotifier:
    """The batching window the notifier runs with, and how to have the stream read now."""

    batching_window: float
    wake: Callable[[], None]


@contextmanager
def running_notifier(
    setup: NotifierSetup, lock: threading.Lock, say: Print
) -> Iterator[RunningNotifier]:
    """Run the notifier on the stream and print its messages."""

    def client(service: str, **options: Any) -> Any:
        return boto3.client(service, endpoint_url=setup.endpoint_url, **options)

    functions = client("lambda")
    name = setup.outputs["NotifierFunctionName"]
    configuration = functions.get_function_configuration(FunctionName=name)
    handler = _notifier_handler(configuration["Environment"]["Variables"])
    table = client("dynamodb").describe_table(TableName=setup.outputs["SubmissionsTableName"])
    target = MappingTarget(
        stream_arn=table["Table"]["LatestStreamArn"],
        function_arn=configuration["FunctionArn"],
        failure_queue_url=setup.outputs["NotifierFailureQueueUrl"],
    )
    template = load_template()
    settings = mapping_settings(template, setup.window)
    cloudwatch = client("cloudwatch")
    ids = physical_ids(client("cloudformation"), setup.stack)
    create_alarms(cloudwatch, alarm_definitions(template, ids, setup.stack))

    def invoke(event: dict) -> Any:
        # One function at a time in this process, as each has its own instance in Lambda.
        with lock:
            return handler(event, LocalLambdaContext(name, memory_limit_in_mb=256))

    # Stream ARNs carry no account; botocore would send them to an account-based host that
    # moto does not serve.
    streams = client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    sqs = client("sqs")
    printer = NotificationPrinter(
        client("sns"), sqs, setup.outputs["NotificationTopicArn"], setup.recipient, say
    )

    def alarm() -> None:
        for name in raise_queue_alarms(cloudwatch, sqs, target.failure_queue_url):
            say(f"alarm {name}: ALARM; CloudWatch would mail it to {setup.recipient}")

    mapping = StreamMapping(streams, sqs, target, settings, invoke, say, alarm)
    printer.start()
    mapping.start()
    try:
        yield RunningNotifier(settings.batching_window, mapping.wake)
    finally:
        mapping.stop()
        printer.stop()

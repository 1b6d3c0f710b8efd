"""A notification that cannot be published, through the running preview.

The topic is gone, so every publish fails: the preview's stand-in for the mapping retries as the
template says, then reports the batch to the real failure queue in moto, and the alarm on that
queue goes to ALARM. The submission itself is stored once and waits in the operator's inbox.

What runs in moto: the stream, the failed publishes, the failure queue and its message, the
alarm as an alarm of moto's CloudWatch. What the preview itself does: the mapping's retries
and its report, and the alarm's evaluation (moto's CloudWatch evaluates no alarm, and moto's
SQS publishes no metrics), from the queue's real message count and the alarm's own threshold.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from contextlib import redirect_stdout

import pytest

from functions.operator.cli import main
from infra.cloudformation import load_template
from sitecontent.policy import current_policy_version
from tests.support.preview import (
    ROOT,
    STACK_NAME,
    Preview,
    load_payload,
    post_json,
    running_preview,
)

pytestmark = [pytest.mark.slow]
POLICY_VERSION = current_policy_version(ROOT / "content", "ru").version
GIVEN_UP = "notifier gave up on 1 submission(s)"
WAIT_SECONDS = 90.0


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    work_dir = tmp_path_factory.mktemp("preview-notify-failure")
    with running_preview(work_dir, environment={"PREVIEW_NOTIFY_WINDOW": "1"}) as running:
        yield running


def template_property(resource: str, name: str):
    return load_template()["Resources"][resource]["Properties"][name]


def wait_for_log(preview: Preview, text: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        log = preview.log()
        if text in log:
            return log
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not printed within {WAIT_SECONDS:.0f} s:\n{preview.log()}")


def operator(preview: Preview, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with preview.aws_environment(), redirect_stdout(out):
        code = main(["--endpoint-url", preview.endpoint_url, "--stack", STACK_NAME, *args])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def failed(preview: Preview) -> tuple[str, dict, str]:
    """A submission sent while the topic is gone: its id, what was sent, the log after."""
    sns = preview.client("sns")
    sns.delete_topic(TopicArn=preview.outputs["NotificationTopicArn"])
    payload = load_payload(POLICY_VERSION, "ru", 7, "failure")
    status, answer = post_json(preview, payload)
    assert status == 201, answer
    return answer["id"], payload, wait_for_log(preview, GIVEN_UP)


def test_preview_failing_publish_is_retried_then_reported_to_the_failure_queue(
    preview: Preview, failed: tuple[str, dict, str]
) -> None:
    submission_id, payload, log = failed
    attempts = 1 + template_property("NotifierEventSource", "MaximumRetryAttempts")

    answer = preview.client("sqs").receive_message(
        QueueUrl=preview.outputs["NotifierFailureQueueUrl"], VisibilityTimeout=0
    )

    assert len(re.findall(r"notifier raised PublishFailed on a batch of 1", log)) == attempts
    (message,) = answer["Messages"]
    report = json.loads(message["Body"])
    assert report["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert report["requestContext"]["approximateInvokeCount"] == attempts
    batch = report["DDBStreamBatchInfo"]
    assert batch["batchSize"] == 1
    assert batch["startSequenceNumber"] == batch["endSequenceNumber"]
    table = preview.client("dynamodb").describe_table(
        TableName=preview.outputs["SubmissionsTableName"]
    )
    assert batch["streamArn"] == table["Table"]["LatestStreamArn"]
    # Where the batch was, never what it held.
    for value in (submission_id, payload["email"], payload["last_name"], payload["message"]):
        assert value not in message["Body"]


def test_preview_failure_queue_message_raises_its_alarm(
    preview: Preview, failed: tuple[str, dict, str]
) -> None:
    name = f"{STACK_NAME}-NotificationFailuresAlarm"
    wait_for_log(preview, f"alarm {name}: ALARM")

    (alarm,) = preview.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]

    assert alarm["StateValue"] == "ALARM"
    queue_name = preview.outputs["NotifierFailureQueueUrl"].rsplit("/", 1)[-1]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": queue_name}]
    assert alarm["AlarmActions"] == [preview.outputs["NotificationTopicArn"]]


def test_preview_failed_notification_loses_nothing_and_stores_nothing_twice(
    preview: Preview, failed: tuple[str, dict, str]
) -> None:
    submission_id, payload, _ = failed

    code, out = operator(preview, "inbox", "--json")

    assert list(preview.stored_items()) == [submission_id]
    assert code == 0
    (waiting,) = json.loads(out)["submissions"]
    assert waiting["id"] == submission_id
    assert waiting["personal_data"]["email"] == payload["email"]
    assert not [line for line in preview.notifications() if submission_id in line]

"""The template's notifications: the stream, the mapping, the encrypted topic, the notifier's
role, and alarms that point at the topic and at the metrics their sources really emit.

cfn-lint runs on the whole template in `tests/test_infra_template.py`. moto's CloudFormation
skips alarms and runs no mapping, so these are read from the template; where moto can act, it
does: the alarms go into moto's CloudWatch as PutMetricAlarm takes them and are found again by
the metric of the real failure queue, and the storage alarm's metric is the one the form
function prints when storage fails.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.client
import pytest
from botocore.exceptions import ClientError

from infra.cloudformation import load_template
from preview.alarms import alarm_definitions, create_alarms, physical_ids
from tests.support.contact import ContactFunction, valid_fields
from tests.support.stack import REGION

FORBIDDEN_FOR_NOTIFIER = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:PartiQLSelect",
    "kms:ReEncryptFrom",
    "kms:GenerateMac",
)
THE_TOPIC = {"Ref": "NotificationTopic"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def properties(template: dict[str, Any], name: str) -> dict[str, Any]:
    return template["Resources"][name]["Properties"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def notifier_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    role = properties(template, "NotifierRole")
    return [
        statement
        for policy in role["Policies"]
        for statement in as_list(policy["PolicyDocument"]["Statement"])
    ]


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_table_streams_each_change_with_its_images(template: dict[str, Any]) -> None:
    # The new image names a new submission; the old one, the expiry of an expired one.
    table = properties(template, "SubmissionsTable")
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_mapping_hands_the_notifier_inserts_and_expiries_a_minute_at_a_time(
    template: dict[str, Any],
) -> None:
    mapping = properties(template, "NotifierEventSource")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["SubmissionsTable", "StreamArn"]}
    assert mapping["FunctionName"] == {"Ref": "NotifierFunction"}
    patterns = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    # New items, and deletions with the identity AWS documents for the time to live's.
    time_to_live = {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}
    assert patterns == [
        {"eventName": ["INSERT"]},
        {"eventName": ["REMOVE"], "userIdentity": time_to_live},
    ]
    assert 30 <= mapping["MaximumBatchingWindowInSeconds"] <= 120
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["MaximumRetryAttempts"] >= 1
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["NotifierFailureQueue", "Arn"]}}
    }


def test_failure_queue_is_encrypted_and_keeps_reports_14_days(template: dict[str, Any]) -> None:
    queue = properties(template, "NotifierFailureQueue")
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_topic_is_encrypted_with_its_own_rotating_key(template: dict[str, Any]) -> None:
    assert properties(template, "NotificationTopic")["KmsMasterKeyId"] == {"Ref": "NotificationKey"}
    key = properties(template, "NotificationKey")
    assert key["EnableKeyRotation"] is True
    (cloudwatch,) = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Principal", {}).get("Service")
    ]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(as_list(cloudwatch["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert template["Outputs"]["NotificationTopicArn"]["Value"] == THE_TOPIC


def test_notifier_is_the_same_zip_with_its_own_handler(template: dict[str, Any]) -> None:
    notifier = properties(template, "NotifierFunction")
    contact = properties(template, "ContactFunction")
    assert notifier["Handler"] == "functions.notify.app.handler"
    assert notifier["Code"] == contact["Code"]
    assert (notifier["Runtime"], notifier["Architectures"]) == ("python3.13", ["arm64"])
    variables = notifier["Environment"]["Variables"]
    assert variables["NOTIFICATION_TOPIC_ARN"] == THE_TOPIC
    assert variables["STACK_NAME"] == {"Ref": "AWS::StackName"}
    assert properties(template, "NotifierLogGroup")["RetentionInDays"] > 0


def test_notifier_role_reads_the_stream_publishes_audits_and_logs_only(
    template: dict[str, Any],
) -> None:
    granted = {
        (action, json.dumps(statement["Resource"]))
        for statement in notifier_statements(template)
        for action in as_list(statement["Action"])
    }
    stream = json.dumps({"Fn::GetAtt": ["SubmissionsTable", "StreamArn"]})
    logs = json.dumps({"Fn::GetAtt": ["NotifierLogGroup", "Arn"]})
    topic_key = json.dumps({"Fn::GetAtt": ["NotificationKey", "Arn"]})
    assert granted == {
        ("dynamodb:DescribeStream", stream),
        ("dynamodb:GetRecords", stream),
        ("dynamodb:GetShardIterator", stream),
        ("dynamodb:ListStreams", json.dumps({"Fn::Sub": "${SubmissionsTable.Arn}/stream/*"})),
        ("sns:Publish", json.dumps(THE_TOPIC)),
        ("dynamodb:PutItem", json.dumps({"Fn::GetAtt": ["AuditTable", "Arn"]})),
        ("kms:Decrypt", topic_key),
        ("kms:GenerateDataKey", topic_key),
        ("sqs:SendMessage", json.dumps({"Fn::GetAtt": ["NotifierFailureQueue", "Arn"]})),
        ("logs:CreateLogStream", logs),
        ("logs:PutLogEvents", logs),
    }


def test_notifier_role_never_reads_the_table_nor_decrypts_personal_data(
    template: dict[str, Any],
) -> None:
    statements = notifier_statements(template)
    on_submissions = [s for s in statements if "SubmissionsTable" in json.dumps(s["Resource"])]
    actions = {a for s in on_submissions for a in as_list(s["Action"])}
    assert not actions & set(FORBIDDEN_FOR_NOTIFIER)
    # Its one write: the audit record of an expiry, in the audit table and nowhere else.
    (puts,) = [s for s in statements if "dynamodb:PutItem" in as_list(s["Action"])]
    assert (as_list(puts["Action"]), puts["Resource"]) == (
        ["dynamodb:PutItem"],
        {"Fn::GetAtt": ["AuditTable", "Arn"]},
    )
    assert not [a for a in actions if "*" in a]
    text = json.dumps(statements)
    for key in ("DataKey", "EmailHashKey", "TableKey"):
        assert f'"{key}"' not in text, key
    # The topic's key, and only as SNS uses it on the notifier's behalf to encrypt a message.
    (kms,) = [s for s in statements if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert kms["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}}
    }


def test_alarms_cover_the_form_the_storage_and_the_notifier(template: dict[str, Any]) -> None:
    watched = {
        (a["Namespace"], a["MetricName"], json.dumps(a["Dimensions"], sort_keys=True))
        for a in alarms(template).values()
    }

    def watching(namespace: str, metric: str, **dimensions: Any) -> tuple[str, str, str]:
        listed = [{"Name": k, "Value": v} for k, v in dimensions.items()]
        return namespace, metric, json.dumps(listed, sort_keys=True)

    assert watched == {
        watching("AWS/Lambda", "Errors", FunctionName={"Ref": "ContactFunction"}),
        watching("AWS/Lambda", "Throttles", FunctionName={"Ref": "ContactFunction"}),
        watching(
            "EstimationSite", "submission_rejected", service="contact-form", reason="unavailable"
        ),
        watching("AWS/Lambda", "Errors", FunctionName={"Ref": "NotifierFunction"}),
        watching(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            QueueName={"Fn::GetAtt": ["NotifierFailureQueue", "QueueName"]},
        ),
    }


@pytest.mark.parametrize("name", sorted(alarms(load_template())))
def test_alarm_mails_the_topic_on_the_first_occurrence(template: dict[str, Any], name: str) -> None:
    alarm = alarms(template)[name]
    assert alarm["AlarmActions"] == [THE_TOPIC]
    assert alarm["OKActions"] == [THE_TOPIC]
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["EvaluationPeriods"] == 1
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmDescription"].strip()


def test_storage_alarm_watches_the_metric_the_form_prints_on_a_storage_failure(
    template: dict[str, Any],
    contact: ContactFunction,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_api_call = botocore.client.BaseClient._make_api_call

    def failing_put(client: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        if operation == "PutItem":
            error = {"Error": {"Code": "InternalServerError", "Message": "injected"}}
            raise ClientError(error, operation)
        return make_api_call(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", failing_put)
    capsys.readouterr()
    assert contact.post_json(valid_fields())["statusCode"] == 503

    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    (emf,) = [m for m in printed if "submission_rejected" in m]
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    (dimension_set,) = directive["Dimensions"]
    emitted = {name: emf[name] for name in dimension_set}
    alarm = properties(template, "SubmissionStorageFailuresAlarm")
    assert directive["Namespace"] == alarm["Namespace"]
    assert [m["Name"] for m in directive["Metrics"]] == [alarm["MetricName"]]
    assert emitted == {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    # The function's own service name, as the template gives it.
    function = properties(template, "ContactFunction")["Environment"]["Variables"]
    assert emitted["service"] == function["POWERTOOLS_SERVICE_NAME"]


def test_alarms_go_into_cloudwatch_and_watch_the_real_failure_queue(
    template: dict[str, Any], contact: ContactFunction
) -> None:
    stack = contact.stack
    ids = physical_ids(boto3.client("cloudformation", region_name=REGION), stack.name)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)

    create_alarms(cloudwatch, alarm_definitions(template, ids, stack.name))

    queue_name = stack.outputs["NotifierFailureQueueUrl"].rsplit("/", 1)[-1]
    queue = [{"Name": "QueueName", "Value": queue_name}]
    (found,) = [
        alarm
        for alarm in cloudwatch.describe_alarms_for_metric(
            Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible", Dimensions=queue
        )["MetricAlarms"]
        if alarm["Dimensions"] == queue
    ]
    assert found["AlarmName"] == f"{stack.name}-NotificationFailuresAlarm"
    assert found["AlarmActions"] == [stack.outputs["NotificationTopicArn"]]
    # moto's DescribeAlarmsForMetric leaves the dimensions unfiltered: compare them here.
    notifier = [{"Name": "FunctionName", "Value": stack.outputs["NotifierFunctionName"]}]
    (errors,) = [
        alarm
        for alarm in cloudwatch.describe_alarms_for_metric(
            Namespace="AWS/Lambda", MetricName="Errors", Dimensions=notifier
        )["MetricAlarms"]
        if alarm["Dimensions"] == notifier
    ]
    assert errors["AlarmName"] == f"{stack.name}-NotifierErrorsAlarm"

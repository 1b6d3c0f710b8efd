"""The template's alarms in the preview: created in moto's CloudWatch, raised on a failed batch.

moto's CloudFormation skips `AWS::CloudWatch::Alarm` and moto's CloudWatch evaluates no alarm,
nor does moto's SQS publish queue metrics. So the preview creates each alarm of the template in
moto itself (its references resolved to the stack's resources), and when the stream mapping
gives up on a batch, it compares the failure queue's real message count in moto with each alarm
that watches that queue, and sets those that breach to ALARM, as CloudWatch would within a
period. The other alarms (Lambda errors and throttles, the form's storage failures) watch
metrics only Lambda and CloudWatch produce: in the preview they exist and stay OK.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

ALARM_TYPE = "AWS::CloudWatch::Alarm"
# The properties of a template alarm that PutMetricAlarm takes as they are.
ALARM_PROPERTIES = (
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
)
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
QUEUE_METRIC = ("AWS/SQS", "ApproximateNumberOfMessagesVisible")


def physical_ids(cloudformation: Any, stack: str) -> dict[str, str]:
    """Each resource's physical id in the stack, by logical id."""
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return ids[value["Ref"]]
    if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][1] == "QueueName":
        # A queue's physical id is its URL, whose last part is its name.
        return ids[value["Fn::GetAtt"][0]].rsplit("/", 1)[-1]
    raise ValueError(f"the preview cannot resolve {value} in an alarm")


def alarm_definitions(
    template: dict[str, Any], ids: dict[str, str], stack: str
) -> dict[str, dict[str, Any]]:
    """PutMetricAlarm's arguments for every alarm of the template, by logical id."""
    definitions = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] != ALARM_TYPE:
            continue
        properties = resource["Properties"]
        definition = {key: properties[key] for key in ALARM_PROPERTIES if key in properties}
        definition["AlarmName"] = f"{stack}-{name}"
        definition["Dimensions"] = [
            {"Name": d["Name"], "Value": _resolve(d["Value"], ids)}
            for d in properties.get("Dimensions", [])
        ]
        for actions in ("AlarmActions", "OKActions"):
            if actions in properties:
                definition[actions] = [_resolve(a, ids) for a in properties[actions]]
        definitions[name] = definition
    return definitions


def create_alarms(cloudwatch: Any, definitions: dict[str, dict[str, Any]]) -> None:
    for definition in definitions.values():
        cloudwatch.put_metric_alarm(**definition)


def raise_queue_alarms(cloudwatch: Any, sqs: Any, queue_url: str) -> list[str]:
    """Set to ALARM each alarm on this queue's visible messages that their count breaches."""
    name = queue_url.rsplit("/", 1)[-1]
    visible = float(
        sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
    )
    namespace, metric = QUEUE_METRIC
    queue = [{"Name": "QueueName", "Value": name}]
    alarms = cloudwatch.describe_alarms_for_metric(
        Namespace=namespace, MetricName=metric, Dimensions=queue
    )["MetricAlarms"]
    raised = []
    # moto's answer is not filtered by the dimensions: compare them here.
    for alarm in (a for a in alarms if a["Dimensions"] == queue):
        if COMPARISONS[alarm["ComparisonOperator"]](visible, alarm["Threshold"]):
            cloudwatch.set_alarm_state(
                AlarmName=alarm["AlarmName"],
                StateValue="ALARM",
                StateReason=f"{visible:g} message(s) in {name} (the preview's evaluation)",
            )
            raised.append(alarm["AlarmName"])
    return raised

"""The stack step: change set type and parameters, empty change sets, failed updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from infra.deploy import deploy
from infra.deploy.aws import Aws
from infra.deploy.errors import DeployError
from infra.deploy.stack import apply_stack, change_set_type, stack_parameters

ROOT = Path(__file__).resolve().parents[1]
STACK_ID = "arn:aws:cloudformation:eu-central-1:123456789012:stack/site/1"
CHANGE_SET_ID = "arn:aws:cloudformation:eu-central-1:123456789012:changeSet/deploy/1"
STACK = {
    "StackName": "site",
    "StackId": STACK_ID,
    "StackStatus": "UPDATE_COMPLETE",
    "CreationTime": dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
    "Outputs": [{"OutputKey": "SiteBucketName", "OutputValue": "bucket"}],
}

TEMPLATE_PARAMETERS = {
    "SiteOrigin": {"Type": "String", "Default": "https://estimation.kz"},
    "CertificateArn": {"Type": "String", "Default": ""},
    "ApiRateLimit": {"Type": "Number", "Default": 5},
    "FunctionCodeKey": {"Type": "String"},
}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, "CREATE"),
        ("REVIEW_IN_PROGRESS", "CREATE"),
        ("CREATE_COMPLETE", "UPDATE"),
        ("UPDATE_COMPLETE", "UPDATE"),
        ("UPDATE_ROLLBACK_COMPLETE", "UPDATE"),
    ],
)
def test_change_set_type_follows_stack_status(status: str | None, expected: str) -> None:
    description = None if status is None else {"StackStatus": status}
    assert change_set_type(description, "site") == expected


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("ROLLBACK_COMPLETE", "delete it"),
        ("UPDATE_IN_PROGRESS", "wait until it settles"),
    ],
)
def test_change_set_type_refuses_unsettled_or_failed_stacks(status: str, message: str) -> None:
    with pytest.raises(DeployError, match=message):
        change_set_type({"StackStatus": status}, "site")


def test_stack_parameters_new_stack_takes_defaults() -> None:
    parameters = stack_parameters(TEMPLATE_PARAMETERS, {"FunctionCodeKey": "k.zip"}, None)
    assert parameters == [
        {"ParameterKey": "ApiRateLimit", "ParameterValue": "5"},
        {"ParameterKey": "CertificateArn", "ParameterValue": ""},
        {"ParameterKey": "FunctionCodeKey", "ParameterValue": "k.zip"},
        {"ParameterKey": "SiteOrigin", "ParameterValue": "https://estimation.kz"},
    ]


def test_stack_parameters_keep_an_operators_settings() -> None:
    description = {
        "Parameters": [
            {"ParameterKey": "CertificateArn", "ParameterValue": "arn:aws:acm:cert"},
            {"ParameterKey": "ApiRateLimit", "ParameterValue": "50"},
        ]
    }
    parameters = stack_parameters(TEMPLATE_PARAMETERS, {"FunctionCodeKey": "k.zip"}, description)
    assert {"ParameterKey": "CertificateArn", "ParameterValue": "arn:aws:acm:cert"} in parameters
    assert {"ParameterKey": "ApiRateLimit", "ParameterValue": "50"} in parameters


def test_stack_parameters_without_value_or_default_is_an_error() -> None:
    with pytest.raises(DeployError, match="FunctionCodeKey has no value"):
        stack_parameters(TEMPLATE_PARAMETERS, {}, None)


def _event(event_id: str, logical_id: str, status: str, reason: str = "") -> dict[str, Any]:
    event = {
        "StackId": STACK_ID,
        "EventId": event_id,
        "StackName": "site",
        "LogicalResourceId": logical_id,
        "ResourceStatus": status,
        "Timestamp": dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
    }
    return {**event, "ResourceStatusReason": reason} if reason else event


@pytest.fixture
def stubbed(aws_credentials: None) -> Iterator[tuple[Aws, Stubber]]:
    aws = Aws("eu-central-1")
    with Stubber(aws.client("cloudformation")) as stubber:
        yield aws, stubber
        stubber.assert_no_pending_responses()


def test_apply_stack_empty_change_set_is_deleted_not_executed(
    stubbed: tuple[Aws, Stubber],
) -> None:
    aws, stubber = stubbed
    stubber.add_response("describe_stack_events", {"StackEvents": [_event("e1", "site", "X")]})
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response(
        "describe_change_set",
        {
            "Status": "FAILED",
            "StatusReason": "The submitted information didn't contain changes. Submit different "
            "information to create a change set.",
        },
    )
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    stubber.add_response("describe_stacks", {"Stacks": [STACK]})
    lines: list[str] = []
    change = apply_stack(aws, "site", "{}", [], "UPDATE", lines.append)
    assert change.action == "unchanged"
    assert change.outputs == {"SiteBucketName": "bucket"}
    assert lines == ["no changes: the change set was empty and is deleted"]


def test_apply_stack_rolled_back_update_is_an_error_naming_the_failure(
    stubbed: tuple[Aws, Stubber],
) -> None:
    aws, stubber = stubbed
    before = [_event("e1", "site", "UPDATE_COMPLETE")]
    after = [
        _event("e4", "site", "UPDATE_ROLLBACK_COMPLETE"),
        _event("e3", "ContactFunction", "UPDATE_FAILED", "Code in S3 not found"),
        _event("e2", "site", "UPDATE_IN_PROGRESS"),
        *before,
    ]
    stubber.add_response("describe_stack_events", {"StackEvents": before})
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", {"Status": "CREATE_COMPLETE", "Changes": []})
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    stubber.add_response("describe_stack_events", {"StackEvents": after})
    stubber.add_response(
        "describe_stacks", {"Stacks": [{**STACK, "StackStatus": "UPDATE_ROLLBACK_COMPLETE"}]}
    )
    stubber.add_response("describe_stack_events", {"StackEvents": after})
    lines: list[str] = []
    with pytest.raises(DeployError) as failure:
        apply_stack(aws, "site", "{}", [], "UPDATE", lines.append)
    assert str(failure.value) == (
        "stack site ended UPDATE_ROLLBACK_COMPLETE: "
        "ContactFunction UPDATE_FAILED (Code in S3 not found)"
    )
    assert "ContactFunction UPDATE_FAILED (Code in S3 not found)" in lines


def test_deploy_invalid_stack_name_exits_1_before_building(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "dist"
    assert deploy(ROOT / "content", out_dir, "site_2026", "eu-central-1", None, False) == 1
    assert "stack name 'site_2026' is not valid" in capsys.readouterr().err
    assert not out_dir.exists()

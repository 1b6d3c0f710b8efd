"""Create or update the stack through a change set, reporting its events until it settles."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from functions.aws_clients import stack_outputs
from infra.deploy.aws import Aws
from infra.deploy.errors import DeployError

CAPABILITIES = ["CAPABILITY_IAM"]
# How CloudFormation says that a change set would change nothing.
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# A stack in one of these states takes a change set of type UPDATE; none of them is "in
# progress", so a deploy never races another one.
UPDATABLE = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
)
NO_ECHO_MASK = "****"
STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class StackChange:
    """What a deploy did to the stack, and the outputs it has afterwards."""

    action: str  # "created", "updated" or "unchanged"
    outputs: dict[str, str]


def check_stack_name(stack: str) -> None:
    """Refuse a name CloudFormation would refuse, before anything is built or uploaded."""
    if not STACK_NAME.fullmatch(stack):
        raise DeployError(
            f"stack name {stack!r} is not valid: a letter, then letters, digits and hyphens"
        )


def describe_stack(aws: Aws, stack: str) -> dict[str, Any] | None:
    """The stack's description, or None when there is no such stack."""
    try:
        return aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def change_set_type(description: dict[str, Any] | None, stack: str) -> str:
    """CREATE for a new stack, UPDATE for a settled one; a clear error otherwise."""
    if description is None or description["StackStatus"] == "REVIEW_IN_PROGRESS":
        return "CREATE"
    status = description["StackStatus"]
    if status in UPDATABLE:
        return "UPDATE"
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(
            f"stack {stack} failed to create and rolled back; delete it "
            f"(aws cloudformation delete-stack --stack-name {stack}) and deploy again"
        )
    raise DeployError(f"stack {stack} is {status}; wait until it settles, then deploy again")


def stack_parameters(
    template_parameters: dict[str, Any],
    chosen: dict[str, str],
    description: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Every template parameter: the chosen values, else the stack's, else the default.

    Each one is named explicitly, so an operator's setting (say CertificateArn) survives the
    next deploy, and an unchanged deploy sends exactly the parameters of the last one.
    """
    previous = {
        p["ParameterKey"]: p.get("ParameterValue")
        for p in (description or {}).get("Parameters", [])
    }
    parameters = []
    for key in sorted(template_parameters):
        if key in chosen:
            parameters.append({"ParameterKey": key, "ParameterValue": chosen[key]})
        elif previous.get(key) not in (None, NO_ECHO_MASK):
            # The value itself rather than UsePreviousValue: the same thing to CloudFormation,
            # and moto then compares like with like (it keeps numbers as numbers otherwise).
            parameters.append({"ParameterKey": key, "ParameterValue": previous[key]})
        elif key in previous:
            parameters.append({"ParameterKey": key, "UsePreviousValue": True})
        elif "Default" in template_parameters[key]:
            default = str(template_parameters[key]["Default"])
            parameters.append({"ParameterKey": key, "ParameterValue": default})
        else:
            raise DeployError(f"template parameter {key} has no value and no default")
    return parameters


def _pause(attempt: int) -> None:
    time.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])


def _wait_for_change_set(cloudformation: Any, change_set_id: str) -> dict[str, Any]:
    for attempt in range(10_000):
        change_set = cloudformation.describe_change_set(ChangeSetName=change_set_id)
        if change_set["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return change_set
        _pause(attempt)
    raise DeployError("the change set never finished")  # pragma: no cover


def _event_line(event: dict[str, Any]) -> str:
    reason = f" ({event['ResourceStatusReason']})" if event.get("ResourceStatusReason") else ""
    return f"{event['LogicalResourceId']} {event['ResourceStatus']}{reason}"


def _follow_events(
    cloudformation: Any, stack: str, seen: set[str], report: Callable[[str], None]
) -> str:
    """Print new stack events until the stack settles; return its final status."""
    for attempt in range(100_000):
        events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
        for event in reversed(events):
            if event["EventId"] not in seen:
                seen.add(event["EventId"])
                report(_event_line(event))
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        _pause(attempt)
    raise DeployError(f"stack {stack} never settled")  # pragma: no cover


def _failure_reasons(cloudformation: Any, stack: str, seen_before: set[str]) -> str:
    events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
    reasons = [
        _event_line(event)
        for event in reversed(events)
        if event["EventId"] not in seen_before and event["ResourceStatus"].endswith("_FAILED")
    ]
    return "; ".join(reasons) or "see the stack's events"


def apply_stack(
    aws: Aws,
    stack: str,
    template_body: str,
    parameters: list[dict[str, Any]],
    kind: str,
    report: Callable[[str], None],
) -> StackChange:
    """Create a change set, execute it unless it is empty, follow the events to the end."""
    cloudformation = aws.client("cloudformation")
    name = f"deploy-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    before = (
        {e["EventId"] for e in cloudformation.describe_stack_events(StackName=stack)["StackEvents"]}
        if kind == "UPDATE"
        else set()
    )
    created = cloudformation.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        TemplateBody=template_body,
        Parameters=parameters,
        Capabilities=CAPABILITIES,
        Description="python build.py deploy",
    )
    change_set = _wait_for_change_set(cloudformation, created["Id"])
    if change_set["Status"] == "FAILED":
        reason = change_set.get("StatusReason", "")
        if any(marker in reason for marker in NO_CHANGES):
            cloudformation.delete_change_set(ChangeSetName=created["Id"])
            report("no changes: the change set was empty and is deleted")
            return StackChange("unchanged", stack_outputs(describe_stack(aws, stack)))
        raise DeployError(f"change set for stack {stack} failed: {reason}")
    for change in change_set.get("Changes", []):
        resource = change.get("ResourceChange", {})
        report(f"change: {resource.get('Action')} {resource.get('LogicalResourceId')}")
    cloudformation.execute_change_set(ChangeSetName=created["Id"])
    seen = set(before)
    status = _follow_events(cloudformation, stack, seen, report)
    if status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        reasons = _failure_reasons(cloudformation, stack, before)
        raise DeployError(f"stack {stack} ended {status}: {reasons}")
    action = "created" if kind == "CREATE" else "updated"
    return StackChange(action, stack_outputs(describe_stack(aws, stack)))

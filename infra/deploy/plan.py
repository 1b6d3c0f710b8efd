"""`--dry-run`: say what a deploy would do, reading AWS but changing nothing there."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from functions.aws_clients import stack_outputs
from infra.deploy.artefacts import artefact_bucket_name, artefact_uploaded, bucket_exists
from infra.deploy.aws import Aws
from infra.deploy.site_sync import local_files, plan_sync, remote_files
from infra.deploy.stack import describe_stack
from infra.deploy.subscription import TOPIC_OUTPUT, plan_subscription
from infra.deploy.template import Template, chosen_parameters, origin_secret

if TYPE_CHECKING:
    from infra.deploy import Prepared


def _same_template(aws: Aws, stack: str, template: Template) -> bool:
    current = aws.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    if isinstance(current, dict):  # boto3 parses JSON bodies
        return current == json.loads(template.body)
    return current == template.body


def _stack_plan(
    aws: Aws, stack: str, template: Template, chosen: dict[str, str], current: dict | None
) -> str:
    if current is None:
        return f"would create stack {stack} through a change set"
    previous = {p["ParameterKey"]: p["ParameterValue"] for p in current.get("Parameters", [])}
    changed = sorted(key for key, value in chosen.items() if previous.get(key) != value)
    if not changed and _same_template(aws, stack, template):
        return f"stack {stack} is current: same template and parameters, no change set"
    what = f"parameters {', '.join(changed)}" if changed else "the template"
    return f"would update stack {stack} through a change set ({what} changed)"


def print_plan(aws: Aws, stack: str, prepared: Prepared, say: Callable[[str], None]) -> None:
    """Say what the remaining steps would upload, change or delete."""
    say(f"stack {stack} in {aws.region} (dry run: nothing in AWS changes)")
    code_bucket = artefact_bucket_name(stack, aws.account_id(), aws.region)
    key = prepared.artefact.key
    if not bucket_exists(aws, code_bucket):
        say(f"artefact: would create bucket {code_bucket} and upload {key}")
    elif artefact_uploaded(aws, code_bucket, key):
        say(f"artefact: {key} is already in {code_bucket}")
    else:
        say(f"artefact: would upload {key} to {code_bucket}")

    template = prepared.template
    chosen = chosen_parameters(
        template, prepared.site, prepared.headers, code_bucket, prepared.artefact, aws.region
    )
    current = describe_stack(aws, stack)
    chosen.update(origin_secret(current))
    chosen.update(prepared.given)
    say(f"stack: {_stack_plan(aws, stack, template, chosen, current)}")

    outputs: dict[str, Any] = stack_outputs(current)
    topic = outputs.get(TOPIC_OUTPUT)
    for line in plan_subscription(aws.client("sns"), topic, prepared.site.operator_email):
        say(f"notifications: {line}")
    local = local_files(prepared.out_dir, prepared.excluded)
    bucket = outputs.get("SiteBucketName")
    plan = plan_sync(local, remote_files(aws, bucket) if bucket else {})
    where = bucket or "the new site bucket"
    say(f"site: {len(plan.uploads)} to upload, {len(plan.deletions)} to delete in {where}")
    for upload in sorted(plan.uploads):
        say(f"  would upload {upload} ({local[upload].cache_control})")
    for deletion in plan.deletions:
        say(f"  would delete {deletion}")
    if not plan.changed:
        say("CDN: nothing changed, no invalidation")
    elif current is None or outputs.get("DistributionId"):
        say("CDN: would invalidate /*")
    else:
        say("CDN: the stack has no DistributionId output, nothing to invalidate")

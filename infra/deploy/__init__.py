"""`python build.py deploy`: build, package, upload, deploy the stack, publish, invalidate.

Each step prints its progress; any failure prints one clear line and the exit code is 1. A
deploy with nothing changed changes nothing: the same zip has the same key, an empty change
set is deleted unexecuted, unchanged files are not uploaded, and the CDN is left alone.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from infra.deploy.artefacts import (
    artefact_bucket_name,
    bucket_exists,
    create_artefact_bucket,
    upload_artefact,
)
from infra.deploy.aws import Aws
from infra.deploy.cdn import invalidate
from infra.deploy.errors import DeployError
from infra.deploy.packaging import LAMBDA, Artefact, package_function
from infra.deploy.plan import print_plan
from infra.deploy.progress import Progress
from infra.deploy.site_sync import apply_sync, local_files, plan_sync, remote_files
from infra.deploy.stack import (
    apply_stack,
    change_set_type,
    check_stack_name,
    describe_stack,
    stack_parameters,
)
from infra.deploy.subscription import TOPIC_OUTPUT, subscribe_operator
from infra.deploy.template import (
    Template,
    TemplateAdapter,
    chosen_parameters,
    load_template,
    origin_secret,
)
from infra.runtime_python import VARIABLE, RuntimePythonNotFound, find_runtime_python
from infra.staff import CONFIG_PATH, admin_config, invitation
from sitecontent.site import Site, load_site
from sitegen.errors import BuildError
from sitegen.translations import Translation

__all__ = ["DeployError", "deploy"]

STEPS = (
    "Build the site",
    "Package the function",
    "Upload the function's artefact",
    "Create or update the stack",
    "Upload the site",
    "Invalidate the CDN",
)
DRY_RUN_STEP = "Plan the rest, reading AWS without changing it"
# Every AWS region is outside Kazakhstan: storing there is a cross-border transfer (policy
# section 7), which the operator decides on; the deploy only reminds them.
CROSS_BORDER_NOTE = (
    "note: region {region} is outside Kazakhstan and content/site.toml does not ask for "
    "cross-border consent (ask_cross_border_consent = false); see docs/deploying.md, "
    "'Choosing the AWS region'"
)
SHOWN_OUTPUTS = (
    "SiteUrl",
    "ApiUrl",
    "SubmissionsTableName",
    "OperatorPolicyArn",
    "RetentionDays",
    "StaffUserPoolId",
    "StaffUserPoolClientId",
)
# The template's parameter for how long submissions are kept (`--retention-days`).
RETENTION_DAYS = "RetentionDays"


@dataclass(frozen=True)
class Prepared:
    """What the local steps made: the built site, the function's zip, the template to send."""

    site: Site
    out_dir: Path
    headers: dict[str, str]
    artefact: Artefact
    excluded: frozenset[str]
    template: Template
    # Parameters the operator gave on the command line (`--retention-days`).
    given: dict[str, str]
    # The staff invitation's words, in the site's default language (template parameters).
    invitation: dict[str, str]


def _prepare(
    content_dir: Path,
    out_dir: Path,
    progress: Progress,
    adapt: TemplateAdapter | None,
    given: dict[str, str],
    allow_stale_translations: bool,
) -> Prepared:
    from sitegen.build import build
    from sitegen.security import HEADERS_FILE, headers_for

    with progress.step(STEPS[0]):
        result = build(content_dir, out_dir)
        progress.say(f"{len(result.files)} files in {out_dir}")
        _check_translations(
            [stale.translation for stale in result.stale], allow_stale_translations, progress
        )
    with progress.step(STEPS[1]):
        compiler = _bytecode_compiler(progress)
        artefact = package_function(content_dir, bytecode_python=compiler)
        progress.say(f"{artefact.key} ({artefact.size / 1e6:.1f} MB)")
    site = load_site(content_dir)
    headers = headers_for(out_dir)
    words = invitation(content_dir, f"{site.base_url}/admin/")
    return Prepared(
        site,
        out_dir,
        headers,
        artefact,
        frozenset({HEADERS_FILE}),
        load_template(adapt),
        given,
        words,
    )


def _check_translations(stale: list[Translation], allowed: bool, progress: Progress) -> None:
    """Refuse to publish translations behind their source, unless the deploy allows it."""
    if not stale:
        return
    names = ", ".join(f"{t.name} (behind {t.source_name})" for t in stale)
    if not allowed:
        raise DeployError(
            f"{len(stale)} {'translation is' if len(stale) == 1 else 'translations are'} "
            f"behind its source: {names}. Update them and "
            "mark them done (python build.py translations), or deploy with "
            "--allow-stale-translations"
        )
    progress.say(f"publishing translations behind their source: {names}")


def _bytecode_compiler(progress: Progress) -> str | None:
    """The runtime's Python to write the zip's bytecode with, named; None when there is none."""
    try:
        found = find_runtime_python(LAMBDA.python_version)
    except RuntimePythonNotFound as missing:
        if os.environ.get(VARIABLE, "").strip():
            # Asked for by name: a wrong one is the operator's to fix, not to ship around.
            raise DeployError(str(missing)) from None
        progress.say(
            f"{missing}, so the zip carries no bytecode: each cold start compiles the code "
            "again (about a second more); see docs/form-api.md, 'Cold start'"
        )
        return None
    progress.say(f"bytecode written by {found.describe()}")
    return found.path


def _publish(aws: Aws, stack: str, prepared: Prepared, progress: Progress) -> dict[str, str]:
    with progress.step(STEPS[2]):
        code_bucket = artefact_bucket_name(stack, aws.account_id(), aws.region)
        if not bucket_exists(aws, code_bucket):
            create_artefact_bucket(aws, code_bucket)
            progress.say(f"created bucket {code_bucket}")
        uploaded = upload_artefact(aws, code_bucket, prepared.artefact)
        verb = "uploaded to" if uploaded else "already in"
        progress.say(f"{prepared.artefact.key} {verb} {code_bucket}")
    with progress.step(STEPS[3]):
        template = prepared.template
        description = describe_stack(aws, stack)
        kind = change_set_type(description, stack)
        chosen = chosen_parameters(
            template, prepared.site, prepared.headers, code_bucket, prepared.artefact, aws.region
        )
        chosen.update(origin_secret(description))
        chosen.update(prepared.invitation)
        chosen.update(prepared.given)
        parameters = stack_parameters(template.parameters, chosen, description)
        change = apply_stack(aws, stack, template.body, parameters, kind, progress.say)
        progress.say(f"stack {stack} {change.action}")
        if TOPIC_OUTPUT in change.outputs:
            topic = change.outputs[TOPIC_OUTPUT]
            subscribe_operator(
                aws,
                topic,
                prepared.site.operator_email,
                progress.say,
                stack_is_new=change.action == "created",
            )
    outputs = change.outputs
    with progress.step(STEPS[4]):
        if "SiteBucketName" not in outputs:
            raise DeployError(_missing_outputs(stack, aws.endpoint_url))
        bucket = outputs["SiteBucketName"]
        _write_admin_config(prepared.out_dir, outputs, aws.region, progress)
        local = local_files(prepared.out_dir, prepared.excluded)
        plan = plan_sync(local, remote_files(aws, bucket))
        apply_sync(aws, bucket, plan, local, progress.say)
        progress.say(
            f"{len(plan.uploads)} uploaded, {len(plan.deletions)} deleted, "
            f"{plan.unchanged} unchanged in {bucket}"
        )
    with progress.step(STEPS[5]):
        invalidate(aws, outputs.get("DistributionId"), plan, progress.say)
    return outputs


def _write_admin_config(
    out_dir: Path, outputs: dict[str, str], region: str, progress: Progress
) -> None:
    """Write `/admin/config.json` from the stack's outputs, so the page finds its user pool."""
    config = admin_config(outputs, region)
    if config is None:
        progress.say("no staff user pool in the stack's outputs: /admin/config.json not written")
        return
    path = out_dir / CONFIG_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _missing_outputs(stack: str, endpoint_url: str | None) -> str:
    """Why the stack has no bucket to upload to, and what to do about it."""
    if endpoint_url is None:
        return f"stack {stack} has no SiteBucketName output to upload the site to"
    # A plain moto server keeps no outputs on a stack made through a change set, as deploys
    # make them; the project's local AWS carries the fix (`preview.moto_compat`).
    return (
        f"stack {stack} at {endpoint_url} came back without its outputs: that endpoint looks "
        "like a plain moto server, which forgets a stack's outputs. Rehearse against the "
        "project's local AWS instead: run `./dev aws` (or `python build.py local-aws`) and "
        "deploy to the endpoint it prints"
    )


def _at(progress: Progress) -> str:
    return f" at {progress.current}" if progress.current else ""


def deploy(
    content_dir: Path,
    out_dir: Path,
    stack: str,
    region: str | None = None,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    adapt_template: TemplateAdapter | None = None,
    allow_stale_translations: bool = False,
    retention_days: int | None = None,
) -> int:
    """Deploy the site and its stack (or, with `dry_run`, print the plan); return the exit code.

    `adapt_template` turns the template into what the AWS at `endpoint_url` can create, when
    that is a stand-in such as moto (`build.py` gives the preview's). `retention_days` sets
    the stack's `RetentionDays`; None keeps the stack's own (the template's default when new).
    """
    content_dir, out_dir = Path(content_dir), Path(out_dir)
    progress = Progress(3 if dry_run else len(STEPS))
    try:
        check_stack_name(stack)
        aws = Aws(region, endpoint_url)
        given = {} if retention_days is None else {RETENTION_DAYS: str(retention_days)}
        prepared = _prepare(
            content_dir, out_dir, progress, adapt_template, given, allow_stale_translations
        )
        if not (endpoint_url or prepared.site.ask_cross_border_consent):
            print(CROSS_BORDER_NOTE.format(region=aws.region))
        if dry_run:
            with progress.step(DRY_RUN_STEP):
                print_plan(aws, stack, prepared, progress.say)
            return 0
        outputs = _publish(aws, stack, prepared, progress)
    except (DeployError, BuildError) as error:
        print(f"deploy failed{_at(progress)}: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(
            f"deploy failed{_at(progress)}: AWS refused or was unreachable: {error}",
            file=sys.stderr,
        )
        return 1
    print(f"deployed stack {stack} in {aws.region}")
    for key in SHOWN_OUTPUTS:
        if key in outputs:
            print(f"  {key}: {outputs[key]}")
    return 0

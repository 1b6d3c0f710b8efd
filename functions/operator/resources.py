"""Which tables and keys the operator acts on: from a CloudFormation stack or given one by one."""

from __future__ import annotations

from dataclasses import dataclass, fields

from functions.aws_clients import stack_outputs
from functions.operator.aws import Aws, aws_failures
from functions.operator.errors import UsageError

STACK_VARIABLE = "ESTIMATION_STACK"


@dataclass(frozen=True)
class Resources:
    """The names and ARNs every command needs, and the stack's retention period.

    `retention_days` is the stack's `RetentionDays` parameter, which its output of that name
    repeats: the commands that write an expiry (`answered`, `unsubscribe`) read it from the
    deployed stack, so they can never disagree with what the stack was deployed with. Given
    one by one (no stack), it is `--retention-days` or `RETENTION_DAYS`, and only those
    commands need it (`retention_period`).
    """

    submissions_table: str
    audit_table: str
    data_key_arn: str
    email_hash_key_arn: str
    retention_days: int | None = None

    def retention_period(self) -> int:
        """The retention period in days; a usage error when none was given."""
        if self.retention_days is None:
            raise UsageError(
                "no retention period to write the expiry with: give --stack NAME, or "
                f"{OPTIONS['retention_days']} DAYS (or {ENVIRONMENT['retention_days']})"
            )
        return self.retention_days


# Each setting's stack output (see infra/template.yaml), environment variable and option.
STACK_OUTPUTS = {
    "submissions_table": "SubmissionsTableName",
    "audit_table": "AuditTableName",
    "data_key_arn": "DataKeyArn",
    "email_hash_key_arn": "EmailHashKeyArn",
    "retention_days": "RetentionDays",
}
ENVIRONMENT = {
    "submissions_table": "SUBMISSIONS_TABLE",
    "audit_table": "AUDIT_TABLE",
    "data_key_arn": "DATA_KEY_ARN",
    "email_hash_key_arn": "EMAIL_HASH_KEY_ARN",
    "retention_days": "RETENTION_DAYS",
}
OPTIONS = {
    "submissions_table": "--table",
    "audit_table": "--audit-table",
    "data_key_arn": "--data-key",
    "email_hash_key_arn": "--email-hash-key",
    "retention_days": "--retention-days",
}
# Settings a command may do without; each command that needs one says so when it is missing.
OPTIONAL = ("retention_days",)


def deployed_outputs(aws: Aws, stack: str) -> dict[str, str]:
    """The outputs of a deployed stack, by output key."""
    with aws_failures():
        found = aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return stack_outputs(found)


def resolve_resources(aws: Aws, stack: str | None, given: dict[str, str | None]) -> Resources:
    """Settings given explicitly win; the rest come from the stack's outputs."""
    outputs = deployed_outputs(aws, stack) if stack else {}
    values = {
        name: given.get(name) or outputs.get(STACK_OUTPUTS[name])
        for name in (f.name for f in fields(Resources))
    }
    missing = [name for name, value in values.items() if not value and name not in OPTIONAL]
    if missing:
        where = f"stack {stack!r} has no output " if stack else "give --stack NAME, or "
        wanted = ", ".join(
            STACK_OUTPUTS[name] if stack else f"{OPTIONS[name]} (or {ENVIRONMENT[name]})"
            for name in missing
        )
        raise UsageError(f"no table or key to act on: {where}{wanted}")
    return Resources(**{**values, "retention_days": _days(values["retention_days"])})


def _days(text: str | None) -> int | None:
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise UsageError(f"the retention period must be a whole number of days, not {text!r}")
    return int(text)

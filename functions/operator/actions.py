"""The commands that change submissions; each change is audited in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from functions.contact import protection
from functions.contact.models import field_errors, validate_submission
from functions.operator.audit import AuditTrail, utc_timestamp
from functions.operator.aws import aws_failures
from functions.operator.errors import RefusedError, UsageError
from functions.operator.records import (
    ACTIVE,
    ANONYMISED,
    BLOCKED,
    WITH_PERSONAL_DATA,
    WITHDRAWN,
    Submissions,
)
from functions.operator.store import Change

# Asked before an irreversible or overwriting change; False means "do nothing".
Confirm = Callable[[str], bool]
# The personal-data keys of the item contract, in the order `update` reports them.
PERSONAL_DATA_KEYS = ("last_name", "first_name", "patronymic", "email", "phones", "message")


@dataclass(frozen=True)
class Outcome:
    """What a command did: the ids it changed and those that needed no change."""

    verb: str
    changed: list[str]
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The lines the operator reads: how many changed, and which."""
        lines = [f"{self.verb}: {len(self.changed)} submission(s)"]
        lines += [f"  {submission_id}" for submission_id in self.changed]
        if self.unchanged:
            lines.append(f"no change needed: {len(self.unchanged)} submission(s)")
            lines += [f"  {submission_id}" for submission_id in self.unchanged]
        return "\n".join(lines)


def _ask(confirm: Confirm, question: str) -> None:
    if not confirm(question):
        raise RefusedError("not confirmed; nothing was changed")


def _refuse_unless(item: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    if item["status"] not in allowed:
        raise RefusedError(f"submission {item['id']} is {item['status']}: it cannot be {what}")


def unsubscribe(submissions: Submissions, audit: AuditTrail, email: str) -> Outcome:
    """Turn marketing consent off, with the time, on every submission of the person."""
    items = submissions.of_person(email)
    now = utc_timestamp()
    targets = [i for i in items if i.get("consents", {}).get("marketing", {}).get("given")]
    changes = [
        Change(
            item["id"],
            expected_statuses=WITH_PERSONAL_DATA,
            set_values={"consents.marketing": {"given": False, "at": now}, "updated_at": now},
            expected_values={"email_hash": item["email_hash"]},
        )
        for item in targets
    ]
    changed = submissions.store.apply(changes, audit.recorder("unsubscribe"))
    unchanged = [item["id"] for item in items if item not in targets]
    return Outcome("unsubscribed", changed, unchanged)


def _set_status(
    submissions: Submissions, audit: AuditTrail, text_id: str, action: str, before: str, after: str
) -> Outcome:
    item = submissions.get(text_id)
    verb = f"{action}ed"
    if item["status"] == after:
        return Outcome(verb, [], [item["id"]])
    _refuse_unless(item, (before,), verb)
    now = utc_timestamp()
    change = Change(item["id"], (before,), {"status": after, "updated_at": now})
    return Outcome(verb, submissions.store.apply([change], audit.recorder(action)))


def block(submissions: Submissions, audit: AuditTrail, text_id: str) -> Outcome:
    """Stop all use of a submission while keeping it (the policy's "blocking")."""
    return _set_status(submissions, audit, text_id, "block", ACTIVE, BLOCKED)


def unblock(submissions: Submissions, audit: AuditTrail, text_id: str) -> Outcome:
    """Return a blocked submission to use."""
    return _set_status(submissions, audit, text_id, "unblock", BLOCKED, ACTIVE)


def withdraw(submissions: Submissions, audit: AuditTrail, email: str, confirm: Confirm) -> Outcome:
    """Destroy the person's personal data and keyed hash, leaving tombstones.

    A tombstone keeps the id, times, locale, policy version and consents (each now withdrawn,
    with the time), so the record of what was consented to and when survives the data.
    """
    items = submissions.of_person(email)
    ids = [item["id"] for item in items]
    _ask(
        confirm,
        f"Withdraw consent for {len(ids)} submission(s): {', '.join(ids)}.\n"
        "Their personal data will be destroyed irreversibly.",
    )
    now = utc_timestamp()
    changes = [
        Change(
            item["id"],
            expected_statuses=WITH_PERSONAL_DATA,
            set_values={
                "status": WITHDRAWN,
                "updated_at": now,
                **{
                    f"consents.{name}": {"given": False, "at": now}
                    for name in item.get("consents", {})
                },
            },
            remove=("personal_data", "email_hash"),
            expected_values={"email_hash": item["email_hash"]},
        )
        for item in items
    ]
    return Outcome("withdrawn", submissions.store.apply(changes, audit.recorder("withdraw")))


def _month(timestamp: str) -> str:
    # "2026-11-25T12:34:56.789012Z" -> "2026-11-01T00:00:00.000000Z": still a valid time in
    # the table's format, but no longer one that matches a request in a server log.
    return f"{timestamp[:7]}-01T00:00:00.000000Z"


def anonymise(
    submissions: Submissions, audit: AuditTrail, text_id: str, confirm: Confirm
) -> Outcome:
    """Remove the personal data of one submission, keeping coarse metadata for statistics."""
    item = submissions.get(text_id)
    _refuse_unless(item, WITH_PERSONAL_DATA, "anonymised (it holds no personal data)")
    _ask(
        confirm,
        f"Anonymise submission {item['id']}: its personal data will be destroyed irreversibly.",
    )
    coarse_times = {
        f"consents.{name}.at": _month(consent["at"])
        for name, consent in item.get("consents", {}).items()
    }
    change = Change(
        item["id"],
        expected_statuses=WITH_PERSONAL_DATA,
        set_values={"status": ANONYMISED, "created_at": _month(item["created_at"]), **coarse_times},
        remove=("personal_data", "email_hash", "updated_at"),
    )
    return Outcome("anonymised", submissions.store.apply([change], audit.recorder("anonymise")))


def _validated(item: dict[str, Any], personal_data: dict[str, Any]) -> dict[str, Any]:
    # The handler's own model checks the corrected data, so an update can store nothing the
    # form would refuse. The consent, version and language are the item's, already given.
    form = {
        "last_name": personal_data["last_name"],
        "first_name": personal_data["first_name"],
        "patronymic": personal_data["patronymic"] or "",
        "email": personal_data["email"],
        "phone": list(personal_data["phones"]),
        "message": personal_data["message"] or "",
        "consent": True,
        "policy_version": item["policy_version"],
        "locale": item["locale"],
    }
    try:
        valid = validate_submission(form, (item["locale"],), ask_cross_border_consent=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{name.replace('_', '-')}: {code}" for name, code in field_errors(exc).items()
        )
        raise UsageError(f"the corrected data is not valid: {problems}") from None
    return {
        "last_name": valid.last_name,
        "first_name": valid.first_name,
        "patronymic": valid.patronymic,
        "email": valid.email,
        "phones": list(valid.phone),
        "message": valid.message,
    }


def update(
    submissions: Submissions,
    audit: AuditTrail,
    text_id: str,
    corrections: dict[str, Any],
    confirm: Confirm,
) -> Outcome:
    """Replace fields of one submission's personal data, validated and re-encrypted.

    Allowed on blocked submissions too: the policy's blocking excepts processing "necessary to
    clarify the personal data".
    """
    item = submissions.get(text_id)
    _refuse_unless(item, WITH_PERSONAL_DATA, "updated (it holds no personal data)")
    current = submissions.personal_data(item)
    corrected = _validated(item, {**current, **corrections})
    fields = tuple(key for key in PERSONAL_DATA_KEYS if corrected[key] != current.get(key))
    if not fields:
        return Outcome("updated", [], [item["id"]])
    _ask(confirm, f"Update {', '.join(fields)} of submission {item['id']}.")
    now = utc_timestamp()
    with aws_failures():
        blob = protection.encrypt_personal_data(submissions.data_key_arn, item["id"], corrected)
    new_values: dict[str, Any] = {"personal_data": blob, "updated_at": now}
    if "email" in fields:
        new_values["email_hash"] = submissions.email_hash(corrected["email"])
    change = Change(
        item["id"],
        expected_statuses=(item["status"],),
        set_values=new_values,
        expected_values={"personal_data": item["personal_data"]},
    )
    return Outcome("updated", submissions.store.apply([change], audit.recorder("update", fields)))

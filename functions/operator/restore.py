"""After a backup is restored: destroy again what the audit trail says was destroyed.

A point-in-time restore brings back items as they were at that moment, personal data included,
even for people who withdrew their consent later, and even for submissions anonymised later.
The audit trail outlives the restore (it is its own table), so `reapply` reads every `withdraw`
and `anonymise` record, oldest first, and applies the same change again to each item of it that
holds personal data once more: one transaction per audit record, with its own audit record
naming the one it reapplies. Tombstones and items the restore did not bring back are left.

A restore also brings back items whose expiry has passed since (their retention period is
over): every read ignores them, DynamoDB's time to live deletes them again, and the report
counts them.
"""

from __future__ import annotations

from typing import Any

from functions.operator.actions import Confirm, Outcome, anonymisation, withdrawal
from functions.operator.audit import AuditTrail
from functions.operator.errors import ExpiredError, RefusedError
from functions.operator.records import Submissions
from functions.submission_item import ID, PERSONAL, STATUS, WITH_PERSONAL_DATA

DESTRUCTIONS = ("withdraw", "anonymise")


def _holds_personal_data(item: dict[str, Any]) -> bool:
    return item[STATUS] in WITH_PERSONAL_DATA or any(name in item for name in PERSONAL)


def _plan(
    submissions: Submissions,
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], list[str], list[str]]:
    """(audit record, its items to destroy again) in trail order; done ids; missing ids."""
    plan, done, missing = [], [], []
    records = [r for r in submissions.store.audit_records() if r["action"] in DESTRUCTIONS]
    for record in records:
        again = []
        for submission_id in record["submission_ids"]:
            try:
                item = submissions.store.get(submission_id)
            except ExpiredError:
                continue  # gone already; counted with every expired item
            if item is None:
                missing.append(submission_id)
            elif _holds_personal_data(item):
                again.append(item)
            else:
                done.append(submission_id)
        if again:
            plan.append((record, again))
    return plan, done, missing


def reapply(submissions: Submissions, audit: AuditTrail, confirm: Confirm) -> Outcome:
    """Withdraw and anonymise again, as the trail records; report what was done."""
    plan, done, missing = _plan(submissions)
    notes = []
    if missing:
        notes.append(f"not in the table (the restore predates them): {len(missing)}")
        notes += [f"  {submission_id}" for submission_id in missing]
    notes += _expired_notes(submissions)
    if not plan:
        return Outcome("destroyed again", [], done, notes=notes)
    ids = [item[ID] for _, items in plan for item in items]
    question = (
        f"The audit trail says {len(ids)} submission(s) of this table were withdrawn or "
        f"anonymised: {', '.join(ids)}.\nTheir personal data will be destroyed again."
    )
    if not confirm(question):
        raise RefusedError("not confirmed; nothing was changed")
    changed: list[str] = []
    for record, items in plan:
        if record["action"] == "withdraw":
            # As withdrawn then: the consents' times are the withdrawal's, not today's.
            changes = [withdrawal(item, record["at"]) for item in items]
        else:
            changes = [anonymisation(item) for item in items]
        details = {"reapplies": record["id"], "reapplied_action": record["action"]}
        changed += submissions.store.apply(changes, audit.recorder("reapply", details=details))
    return Outcome("destroyed again", changed, done, notes=notes)


def _expired_notes(submissions: Submissions) -> list[str]:
    expired = submissions.store.expired_ids()
    if not expired:
        return []
    return [
        f"expired, awaiting deletion by DynamoDB's time to live (every read ignores them): "
        f"{len(expired)}",
        *(f"  {submission_id}" for submission_id in expired),
    ]

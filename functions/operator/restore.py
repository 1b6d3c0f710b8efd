"""After a backup is restored: redo what the audit trail says was done since.

A point-in-time restore brings back items as they were at that moment, personal data included,
even for people who withdrew their consent later, and even for submissions anonymised later;
so too people who unsubscribed, submissions blocked or unblocked, and answers marked since.
The audit trail outlives the restore (it is its own table), so `reapply` reads it oldest first
and applies again every change it can redo from the trail alone: `withdraw` and `anonymise`
(personal data destroyed again), `unsubscribe`, `block`, `unblock` and `answered`. Each audit
record's changes go in one transaction with a record of their own naming the one they redo.
Tombstones and items the restore did not bring back are left.

An `update`'s new values are not in the trail, by design (it holds no personal data): `reapply`
lists each update made after the restored copy's time (its audit id, time, submission and
fields), so staff can redo it.

A restore also brings back items whose expiry has passed since (their retention period is
over): every read ignores them, DynamoDB's time to live deletes them again, and the report
counts them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from functions.operator.actions import (
    Confirm,
    Outcome,
    anonymisation,
    answering,
    unsubscription,
    withdrawal,
)
from functions.operator.audit import AuditTrail
from functions.operator.errors import ExpiredError, RefusedError
from functions.operator.records import Submissions
from functions.operator.store import Change
from functions.submission_item import (
    ACTIVE,
    ANONYMISED,
    ANSWERED_AT,
    BLOCKED,
    CONSENTS,
    CREATED_AT,
    ID,
    MARKETING,
    PERSONAL,
    STATUS,
    UPDATED_AT,
    WITH_PERSONAL_DATA,
    WITHDRAWN,
    consent,
)

DESTRUCTIONS = ("withdraw", "anonymise")
# action: (status before, status after)
STATUS_CHANGES = {"block": (ACTIVE, BLOCKED), "unblock": (BLOCKED, ACTIVE)}
# What each replayed action is called in the summary, in the order listed there.
VERBS = {
    "withdraw": "destroyed again",
    "anonymise": "destroyed again",
    "unsubscribe": "unsubscribed again",
    "block": "blocked again",
    "unblock": "unblocked again",
    "answered": "marked answered again",
}
SUMMARY_ORDER = (
    "destroyed again",
    "unsubscribed again",
    "blocked again",
    "unblocked again",
    "marked answered again",
)


def _holds_personal_data(item: dict[str, Any]) -> bool:
    return item[STATUS] in WITH_PERSONAL_DATA or any(name in item for name in PERSONAL)


@dataclass
class _Plan:
    """What the trail asks of the restored table, worked out before anything is written."""

    steps: list[tuple[dict[str, Any], list[Change]]] = field(default_factory=list)
    already_destroyed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lost_updates: list[tuple[dict[str, Any], str]] = field(default_factory=list)


class _Replay:
    """The restored table as it will be after each step, so later steps see earlier ones."""

    def __init__(self, submissions: Submissions) -> None:
        self._submissions = submissions
        # id: the item as the restore brought it back (None: not brought back).
        self.restored: dict[str, dict[str, Any] | None] = {}
        self.current: dict[str, dict[str, Any]] = {}

    def item(self, submission_id: str) -> dict[str, Any] | None:
        if submission_id not in self.restored:
            item = self._submissions.store.get(submission_id)
            self.restored[submission_id] = item
            if item is not None:
                self.current[submission_id] = copy.deepcopy(item)
        return self.current.get(submission_id)

    def change(self, record: dict[str, Any], item: dict[str, Any]) -> Change | None:
        """The change redoing `record` on `item`, or None when the item shows it already."""
        action, at = record["action"], record["at"]
        if action == "withdraw":
            item[STATUS] = WITHDRAWN
            return withdrawal(self.restored[item[ID]] or item, at)
        if action == "anonymise":
            item[STATUS] = ANONYMISED
            return anonymisation(self.restored[item[ID]] or item)
        if action == "unsubscribe":
            marketing = item.get(CONSENTS, {}).get(MARKETING, {})
            if not marketing.get("given"):
                return None
            change = unsubscription(self._submissions, item, at)
            item[CONSENTS][MARKETING] = consent(False, at)
            return change
        if action == "answered":
            if ANSWERED_AT in item:
                return None
            change = answering(item, record["actor"], at, self._submissions.retention_days())
            item[ANSWERED_AT] = at
            return change
        before, after = STATUS_CHANGES[action]
        if item[STATUS] != before:
            return None
        item[STATUS] = after
        return Change(item[ID], (before,), {STATUS: after, UPDATED_AT: at})


def _restored_as_of(item: dict[str, Any]) -> str:
    """The latest change the restored item shows: the copy is at least that recent."""
    return item.get(UPDATED_AT) or item[CREATED_AT]


def _plan(submissions: Submissions) -> _Plan:
    plan = _Plan()
    replay = _Replay(submissions)
    records = submissions.store.audit_records()
    # A submission's status is the one its latest block or unblock left: only that one counts.
    latest_status_change = {
        submission_id: record["id"]
        for record in records
        if record["action"] in STATUS_CHANGES
        for submission_id in record["submission_ids"]
    }
    for record in records:
        action = record["action"]
        if action not in VERBS and action != "update":
            continue
        changes = []
        for submission_id in record["submission_ids"]:
            if action in STATUS_CHANGES and latest_status_change[submission_id] != record["id"]:
                continue
            try:
                item = replay.item(submission_id)
            except ExpiredError:
                continue  # gone already; counted with every expired item
            if item is None:
                if action in DESTRUCTIONS:
                    plan.missing.append(submission_id)
                continue
            if not _holds_personal_data(item):
                if action in DESTRUCTIONS:
                    plan.already_destroyed.append(submission_id)
                continue
            restored = replay.restored[submission_id]
            if action == "update":
                # Made after the restored copy's time: its new values are lost with the table.
                if restored is not None and record["at"] > _restored_as_of(restored):
                    plan.lost_updates.append((record, submission_id))
                continue
            change = replay.change(record, item)
            if change is not None:
                changes.append(change)
        if changes:
            plan.steps.append((record, changes))
    return plan


def _question(plan: _Plan) -> str:
    counts: dict[str, list[str]] = {}
    for record, changes in plan.steps:
        counts.setdefault(VERBS[record["action"]], []).extend(c.submission_id for c in changes)
    lines = ["The audit trail records changes this table lacks:"]
    for verb in SUMMARY_ORDER:
        if verb in counts:
            ids = counts[verb]
            lines.append(f"  {verb}: {len(ids)} submission(s): {', '.join(ids)}")
    if "destroyed again" in counts:
        lines.append("The personal data of those withdrawn or anonymised will be destroyed again.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Reapplied:
    """What `reapply` did, by kind of change; what it could not redo; what was missing."""

    changed: dict[str, list[str]]
    already_destroyed: list[str]
    lost_updates: list[tuple[dict[str, Any], str]]
    missing: list[str]
    expired: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = Outcome(
            "destroyed again", self.changed.get("destroyed again", []), self.already_destroyed
        ).summary()
        parts = [lines]
        for verb in SUMMARY_ORDER[1:]:
            ids = self.changed.get(verb, [])
            parts.append("\n".join([f"{verb}: {len(ids)} submission(s)"] + [f"  {i}" for i in ids]))
        if self.missing:
            parts.append(
                "\n".join(
                    [f"not in the table (the restore predates them): {len(self.missing)}"]
                    + [f"  {submission_id}" for submission_id in self.missing]
                )
            )
        if self.expired:
            parts.append(
                "\n".join(
                    [
                        "expired, awaiting deletion by DynamoDB's time to live (every read "
                        f"ignores them): {len(self.expired)}"
                    ]
                    + [f"  {submission_id}" for submission_id in self.expired]
                )
            )
        parts.append(_lost_updates_text(self.lost_updates))
        return "\n".join(parts)


def _lost_updates_text(lost: list[tuple[dict[str, Any], str]]) -> str:
    if not lost:
        return "updates made after this copy's time: none"
    lines = [
        f"updates made after this copy's time, to redo with `update` (the trail keeps no "
        f"values): {len(lost)} (audit id, time, submission, fields):"
    ]
    lines += [
        f"  {record['id']} {record['at']} {submission_id} {', '.join(record.get('fields', []))}"
        for record, submission_id in lost
    ]
    return "\n".join(lines)


def reapply(submissions: Submissions, audit: AuditTrail, confirm: Confirm) -> Reapplied:
    """Redo what the trail records since the restored copy; report it, and the lost updates."""
    plan = _plan(submissions)
    changed: dict[str, list[str]] = {}
    if plan.steps:
        if not confirm(_question(plan)):
            raise RefusedError("not confirmed; nothing was changed")
        for record, changes in plan.steps:
            details = {"reapplies": record["id"], "reapplied_action": record["action"]}
            ids = submissions.store.apply(changes, audit.recorder("reapply", details=details))
            changed.setdefault(VERBS[record["action"]], []).extend(ids)
    expired = submissions.store.expired_ids()
    return Reapplied(
        changed, plan.already_destroyed, plan.lost_updates, plan.missing, expired=expired
    )

"""The commands that change submissions; each change is audited in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from functions.contact.models import field_errors, validate_submission
from functions.operator.audit import AuditTrail, earlier_reads
from functions.operator.aws import aws_failures
from functions.operator.errors import RefusedError, UsageError
from functions.operator.records import Submissions
from functions.operator.store import Change
from functions.personal_data import encrypt_personal_data
from functions.submission_item import (
    ACTIVE,
    ANONYMISED,
    ANSWERED_AT,
    ANSWERED_BY,
    AWAITING,
    AWAITING_ANSWER,
    BLOCKED,
    CONSENTS,
    CREATED_AT,
    EMAIL_HASH,
    FORM_FIELDS,
    ID,
    LOCALE,
    MARKETING,
    PERSONAL,
    PERSONAL_DATA,
    PERSONAL_DATA_FIELDS,
    POLICY_VERSION,
    STATUS,
    UPDATED_AT,
    WITH_PERSONAL_DATA,
    WITHDRAWN,
    consent,
    month_of,
    utc_timestamp,
)

# Asked before an irreversible or overwriting change; False means "do nothing".
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class Outcome:
    """What a command did: the ids it changed and those that needed no change.

    A command that destroys personal data also lists `earlier_reads`: the audit records of the
    exports, `show`s, inboxes and mailing lists whose output held the data, which may live on
    in files and mails.
    """

    verb: str
    changed: list[str]
    unchanged: list[str] = field(default_factory=list)
    earlier_reads: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The lines the operator reads: how many changed, and which."""
        lines = [f"{self.verb}: {len(self.changed)} submission(s)"]
        lines += [f"  {submission_id}" for submission_id in self.changed]
        if self.unchanged:
            lines.append(f"no change needed: {len(self.unchanged)} submission(s)")
            lines += [f"  {submission_id}" for submission_id in self.unchanged]
        lines += self.notes
        if self.earlier_reads is not None:
            lines += _reads_lines(self.earlier_reads)
        return "\n".join(lines)


def _reads_lines(records: list[dict[str, Any]]) -> list[str]:
    if not records:
        return ["no earlier export, show, inbox or mailing-list included these submissions"]
    lines = [
        f"earlier reads that included these submissions: {len(records)}; delete the files "
        "and mails they made (audit id, time, action, actor):"
    ]
    lines += [
        f"  {record['id']} {record['at']} {record['action']} {record['actor']}"
        for record in records
    ]
    return lines


def _with_earlier_reads(submissions: Submissions, outcome: Outcome) -> Outcome:
    records = earlier_reads(submissions.store.audit_records(), outcome.changed)
    return Outcome(outcome.verb, outcome.changed, outcome.unchanged, records)


def _ask(confirm: Confirm, question: str) -> None:
    if not confirm(question):
        raise RefusedError("not confirmed; nothing was changed")


def _refuse_unless(item: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    if item[STATUS] not in allowed:
        raise RefusedError(f"submission {item[ID]} is {item[STATUS]}: it cannot be {what}")


def unsubscribe(submissions: Submissions, audit: AuditTrail, email: str) -> Outcome:
    """Turn marketing consent off, with the time, on every submission of the person."""
    items = submissions.of_person(email)
    now = utc_timestamp()
    targets = [i for i in items if i.get(CONSENTS, {}).get(MARKETING, {}).get("given")]
    changes = [
        Change(
            item[ID],
            expected_statuses=WITH_PERSONAL_DATA,
            set_values={f"{CONSENTS}.{MARKETING}": consent(False, now), UPDATED_AT: now},
            expected_values={EMAIL_HASH: item[EMAIL_HASH]},
        )
        for item in targets
    ]
    changed = submissions.store.apply(changes, audit.recorder("unsubscribe"))
    unchanged = [item[ID] for item in items if item not in targets]
    return Outcome("unsubscribed", changed, unchanged)


def _set_status(
    submissions: Submissions, audit: AuditTrail, text_id: str, action: str, before: str, after: str
) -> Outcome:
    item = submissions.get(text_id)
    verb = f"{action}ed"
    if item[STATUS] == after:
        return Outcome(verb, [], [item[ID]])
    _refuse_unless(item, (before,), verb)
    now = utc_timestamp()
    change = Change(item[ID], (before,), {STATUS: after, UPDATED_AT: now})
    return Outcome(verb, submissions.store.apply([change], audit.recorder(action)))


def block(submissions: Submissions, audit: AuditTrail, text_id: str) -> Outcome:
    """Stop all use of a submission while keeping it (the policy's "blocking")."""
    return _set_status(submissions, audit, text_id, "block", ACTIVE, BLOCKED)


def unblock(submissions: Submissions, audit: AuditTrail, text_id: str) -> Outcome:
    """Return a blocked submission to use."""
    return _set_status(submissions, audit, text_id, "unblock", BLOCKED, ACTIVE)


def withdrawal(item: dict[str, Any], at: str) -> Change:
    """The change that turns an item into the tombstone of a consent withdrawn at `at`."""
    return Change(
        item[ID],
        expected_statuses=WITH_PERSONAL_DATA,
        set_values={
            STATUS: WITHDRAWN,
            UPDATED_AT: at,
            **{f"{CONSENTS}.{name}": consent(False, at) for name in item.get(CONSENTS, {})},
        },
        remove=(*PERSONAL, AWAITING_ANSWER),
        expected_values={EMAIL_HASH: item[EMAIL_HASH]},
    )


def withdraw(submissions: Submissions, audit: AuditTrail, email: str, confirm: Confirm) -> Outcome:
    """Destroy the person's personal data and keyed hash, leaving tombstones.

    A tombstone keeps the id, times, locale, policy version and consents (each now withdrawn,
    with the time), so the record of what was consented to and when survives the data.
    """
    items = submissions.of_person(email)
    ids = [item[ID] for item in items]
    _ask(
        confirm,
        f"Withdraw consent for {len(ids)} submission(s): {', '.join(ids)}.\n"
        "Their personal data will be destroyed irreversibly.",
    )
    now = utc_timestamp()
    changes = [withdrawal(item, now) for item in items]
    # The record carries the withdrawal's own time, so `reapply` can restore it exactly.
    changed = submissions.store.apply(changes, audit.recorder("withdraw", at=now))
    outcome = Outcome("withdrawn", changed)
    return _with_earlier_reads(submissions, outcome)


def anonymise(
    submissions: Submissions, audit: AuditTrail, text_id: str, confirm: Confirm
) -> Outcome:
    """Remove the personal data of one submission, keeping coarse metadata for statistics."""
    item = submissions.get(text_id)
    _refuse_unless(item, WITH_PERSONAL_DATA, "anonymised (it holds no personal data)")
    _ask(
        confirm,
        f"Anonymise submission {item[ID]}: its personal data will be destroyed irreversibly.",
    )
    changed = submissions.store.apply([anonymisation(item)], audit.recorder("anonymise"))
    return _with_earlier_reads(submissions, Outcome("anonymised", changed))


def anonymisation(item: dict[str, Any]) -> Change:
    """The change that leaves an item its language, version and consents, in coarse times."""
    # Still valid times in the table's format, but no longer ones that match a request in a
    # server log. The answer's time and actor go too: they would date the submission again.
    coarse_times = {
        f"{CONSENTS}.{name}.at": month_of(given["at"])
        for name, given in item.get(CONSENTS, {}).items()
    }
    return Change(
        item[ID],
        expected_statuses=WITH_PERSONAL_DATA,
        set_values={STATUS: ANONYMISED, CREATED_AT: month_of(item[CREATED_AT]), **coarse_times},
        remove=(*PERSONAL, UPDATED_AT, ANSWERED_AT, ANSWERED_BY, AWAITING_ANSWER),
    )


def answered(
    submissions: Submissions, audit: AuditTrail, text_id: str, confirm: Confirm
) -> Outcome:
    """Mark a submission answered, with the time and who; the inbox no longer lists it."""
    item = submissions.get(text_id)
    if ANSWERED_AT in item:
        return Outcome("marked answered", [], [item[ID]])
    _refuse_unless(item, WITH_PERSONAL_DATA, "marked answered (it holds no personal data)")
    _ask(confirm, f"Mark submission {item[ID]} as answered: the inbox will no longer list it.")
    change = Change(
        item[ID],
        expected_statuses=(item[STATUS],),
        set_values={ANSWERED_AT: utc_timestamp(), ANSWERED_BY: audit.actor},
        remove=(AWAITING_ANSWER,),
        expected_absent=(ANSWERED_AT,),
    )
    return Outcome("marked answered", submissions.store.apply([change], audit.recorder("answered")))


def _validated(item: dict[str, Any], personal_data: dict[str, Any]) -> dict[str, Any]:
    # The handler's own model checks the corrected data, so an update can store nothing the
    # form would refuse. The consent, version and language are the item's, already given.
    # A missing optional value is sent as the form sends it: an empty input.
    form = {
        form_field: "" if personal_data[name] is None else personal_data[name]
        for name, form_field in FORM_FIELDS.items()
    }
    form.update(consent=True, policy_version=item[POLICY_VERSION], locale=item[LOCALE])
    try:
        valid = validate_submission(form, (item[LOCALE],), ask_cross_border_consent=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{name.replace('_', '-')}: {code}" for name, code in field_errors(exc).items()
        )
        raise UsageError(f"the corrected data is not valid: {problems}") from None
    return {name: getattr(valid, form_field) for name, form_field in FORM_FIELDS.items()}


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
    fields = tuple(key for key in PERSONAL_DATA_FIELDS if corrected[key] != current.get(key))
    if not fields:
        return Outcome("updated", [], [item[ID]])
    _ask(confirm, f"Update {', '.join(fields)} of submission {item[ID]}.")
    now = utc_timestamp()
    with aws_failures():
        blob = encrypt_personal_data(submissions.data_key_arn, item[ID], corrected)
    new_values: dict[str, Any] = {PERSONAL_DATA: blob, UPDATED_AT: now}
    if "email" in fields:
        new_values[EMAIL_HASH] = submissions.email_hash(corrected["email"])
    change = Change(
        item[ID],
        expected_statuses=(item[STATUS],),
        set_values=new_values,
        expected_values={PERSONAL_DATA: item[PERSONAL_DATA]},
    )
    return Outcome("updated", submissions.store.apply([change], audit.recorder("update", fields)))


def index_unanswered(submissions: Submissions, audit: AuditTrail) -> Outcome:
    """Put the unanswered submissions stored before the inbox had its index into it.

    Run once after upgrading a stack whose table predates `awaiting_answer`: without it, the
    inbox (the browser's and `inbox`) would not list those submissions. Scans the table once;
    running it again changes nothing.
    """
    targets = [
        item
        for item in submissions.store.scan()
        if item[STATUS] in WITH_PERSONAL_DATA
        and ANSWERED_AT not in item
        and AWAITING_ANSWER not in item
    ]
    changes = [
        Change(
            item[ID],
            expected_statuses=WITH_PERSONAL_DATA,
            set_values={AWAITING_ANSWER: AWAITING},
            expected_absent=(ANSWERED_AT,),
        )
        for item in targets
    ]
    changed = submissions.store.apply(changes, audit.recorder("index-unanswered"))
    return Outcome("put in the inbox's index", changed)

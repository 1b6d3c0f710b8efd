"""Where data has left the table: `withdraw` and `anonymise` name the earlier reads that held it,
and `reapply` destroys again what a restored backup brought back."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer

from tests.support.contact import ContactFunction, valid_fields
from tests.support.operator import Operator, TerminalInput, operator_runner, stored_item


@pytest.fixture
def operator(contact: ContactFunction, capsys: pytest.CaptureFixture[str]) -> Operator:
    return operator_runner(contact.stack, capsys)


def submit(contact: ContactFunction, email: str = "", **changes: Any) -> tuple[str, dict]:
    tag = uuid.uuid4().hex[:8]
    fields = valid_fields(
        email=email or f"restore.{tag}@example.kz",
        last_name="Сейтқали",
        message=f"Сообщение для проверки {tag}",
        **changes,
    )
    answer = contact.post_json(fields)
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"], fields


def audit_ids(operator: Operator, action: str, submission_id: str) -> list[str]:
    records = operator("audit", "--submission", submission_id).json()
    return [record["id"] for record in records if record["action"] == action]


def restore(contact: ContactFunction, items: list[dict[str, Any]]) -> None:
    """Put items back as a point-in-time restore brings them: as they were before."""
    serializer = TypeSerializer()
    dynamodb = boto3.client("dynamodb")
    for item in items:
        dynamodb.put_item(
            TableName=contact.environment["SUBMISSIONS_TABLE"],
            Item={name: serializer.serialize(value) for name, value in item.items()},
        )


# withdraw / anonymise name the earlier reads --------------------------------------------


def test_withdraw_lists_every_earlier_read_of_the_person_and_no_other(
    operator: Operator, contact: ContactFunction
) -> None:
    first, fields = submit(contact, marketing=True)
    second, _ = submit(contact, email=fields["email"], marketing=True)
    other, other_fields = submit(contact)
    operator("export", fields["email"])
    operator("show", second)
    operator("inbox")
    operator("mailing-list")
    operator("export", other_fields["email"])
    reads = {
        action: audit_ids(operator, action, first) + audit_ids(operator, action, second)
        for action in ("export", "show", "inbox", "mailing-list")
    }
    other_export = audit_ids(operator, "export", other)

    result = operator("withdraw", fields["email"], "--yes")

    assert result.code == 0, result.err
    assert "earlier reads that included these submissions:" in result.out
    listed = [line.split()[0] for line in result.out.splitlines() if line.startswith("  ")]
    for action, ids in reads.items():
        assert ids, action
        for audit_id in set(ids):
            (line,) = [line for line in result.out.splitlines() if audit_id in line]
            assert f" {action} arn:aws:" in line
    assert not set(other_export) & set(listed)
    # The listing names audit records, never what they held.
    contact.assert_not_in(result.out)


def test_anonymise_lists_the_earlier_reads_of_that_submission(
    operator: Operator, contact: ContactFunction
) -> None:
    submission_id, _ = submit(contact)
    operator("show", submission_id)
    (show_record,) = audit_ids(operator, "show", submission_id)

    result = operator("anonymise", submission_id, "--yes")

    assert result.code == 0, result.err
    assert show_record in result.out
    assert "earlier reads that included these submissions: " in result.out


def test_withdraw_without_earlier_reads_says_so(
    operator: Operator, contact: ContactFunction
) -> None:
    _, fields = submit(contact)

    result = operator("withdraw", fields["email"], "--yes")

    assert "no earlier export, show, inbox or mailing-list included these submissions" in (
        result.out
    )


# reapply ---------------------------------------------------------------------------------


def test_reapply_destroys_again_what_a_restore_brought_back(
    operator: Operator, contact: ContactFunction
) -> None:
    withdrawn, person = submit(contact, marketing=True)
    anonymised, _ = submit(contact, locale="en")
    kept, _ = submit(contact)
    backup = [stored_item(contact.stack, i) for i in (withdrawn, anonymised, kept)]
    operator("withdraw", person["email"], "--yes")
    operator("anonymise", anonymised, "--yes")
    tombstones = {i: stored_item(contact.stack, i) for i in (withdrawn, anonymised)}
    restore(contact, backup)
    assert stored_item(contact.stack, withdrawn)["status"] == "active"

    result = operator("reapply", "--yes")

    assert result.code == 0, result.err
    assert "destroyed again: 2 submission(s)" in result.out
    for submission_id in (withdrawn, anonymised):
        assert f"  {submission_id}" in result.out
        # The same tombstone as the first time, down to the withdrawal's own times.
        assert stored_item(contact.stack, submission_id) == tombstones[submission_id]
    assert stored_item(contact.stack, kept) == backup[2]
    assert operator("find", person["email"]).code == 1
    (record,) = [
        r for r in operator("audit", "--submission", withdrawn).json() if r["action"] == "reapply"
    ]
    (original,) = audit_ids(operator, "withdraw", withdrawn)
    assert record["reapplies"] == original
    assert record["reapplied_action"] == "withdraw"
    assert record["submission_ids"] == [withdrawn]
    contact.assert_not_in(json.dumps(record, ensure_ascii=False))


def test_reapply_on_a_table_with_nothing_brought_back_changes_nothing(
    operator: Operator, contact: ContactFunction
) -> None:
    withdrawn, person = submit(contact)
    operator("withdraw", person["email"], "--yes")
    tombstone = stored_item(contact.stack, withdrawn)

    result = operator("reapply")  # nothing to confirm: no --yes needed

    assert result.code == 0, result.err
    assert "destroyed again: 0 submission(s)" in result.out
    assert stored_item(contact.stack, withdrawn) == tombstone


def test_reapply_reports_submissions_the_restore_did_not_bring_back(
    operator: Operator, contact: ContactFunction
) -> None:
    gone, person = submit(contact)
    operator("withdraw", person["email"], "--yes")
    boto3.client("dynamodb").delete_item(
        TableName=contact.environment["SUBMISSIONS_TABLE"], Key={"id": {"S": gone}}
    )

    result = operator("reapply", "--yes")

    assert result.code == 0, result.err
    assert "not in the table (the restore predates them):" in result.out
    assert f"  {gone}" in result.out
    assert stored_item(contact.stack, gone) is None


def test_reapply_asks_before_destroying(
    operator: Operator, contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    withdrawn, person = submit(contact)
    backup = stored_item(contact.stack, withdrawn)
    operator("withdraw", person["email"], "--yes")
    restore(contact, [backup])
    monkeypatch.setattr("sys.stdin", TerminalInput("no\n"))

    declined = operator("reapply")

    assert declined.code == 3
    assert "will be destroyed again" in declined.err
    assert withdrawn in declined.err
    assert stored_item(contact.stack, withdrawn) == backup
    assert operator("reapply", "--yes").code == 0
    assert stored_item(contact.stack, withdrawn)["status"] == "withdrawn"


def test_reapply_redoes_unsubscribe_block_unblock_and_answered_and_lists_lost_updates(
    operator: Operator, contact: ContactFunction
) -> None:
    # Given a backup taken before staff acted on four people's submissions,
    unsubscribed, unsubscriber = submit(contact, marketing=True)
    blocked, blocked_person = submit(contact, marketing=True)
    unblocked, _ = submit(contact)
    answered, _ = submit(contact)
    updated, _ = submit(contact)
    operator("block", unblocked)
    ids = (unsubscribed, blocked, unblocked, answered, updated)
    backup = [stored_item(contact.stack, i) for i in ids]
    assert operator("unsubscribe", unsubscriber["email"]).code == 0
    assert operator("block", blocked).code == 0
    assert operator("unblock", unblocked).code == 0
    assert operator("answered", answered, "--yes").code == 0
    assert operator("update", updated, "--first-name", "Айгерим", "--yes").code == 0
    live = {i: stored_item(contact.stack, i) for i in ids}
    # when the table is restored from it,
    restore(contact, backup)
    listed = operator("mailing-list").out
    assert unsubscriber["email"] in listed and blocked_person["email"] in listed

    result = operator("reapply", "--yes")

    # then what the trail records is done again, exactly as the first time,
    assert result.code == 0, result.err
    for verb, submission_id in (
        ("unsubscribed again: 1", unsubscribed),
        ("blocked again: 1", blocked),
        ("unblocked again: 1", unblocked),
        ("marked answered again: 1", answered),
    ):
        assert f"{verb} submission(s)\n  {submission_id}" in result.out
        assert stored_item(contact.stack, submission_id) == live[submission_id]
    listed = operator("mailing-list").out
    assert unsubscriber["email"] not in listed and blocked_person["email"] not in listed
    assert answered not in operator("inbox", "--json").out
    # and the update, whose values the trail does not keep, is named for staff to redo.
    (update_record,) = audit_ids(operator, "update", updated)
    assert "updates made after this copy's time, to redo with `update`" in result.out
    (line,) = [line for line in result.out.splitlines() if update_record in line]
    assert updated in line and "first_name" in line
    contact.assert_not_in(result.out)
    # A second run finds nothing left to do.
    again = operator("reapply")
    assert again.code == 0, again.err
    assert "unsubscribed again: 0 submission(s)" in again.out

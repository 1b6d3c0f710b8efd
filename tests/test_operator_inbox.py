"""The operator's inbox against moto: `inbox`, `show` and `answered` on the handler's submissions.

Each test starts from an empty table (the module's stack is its own, per xdist worker), so the
inbox holds exactly what the test stored.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from functions.operator import actions
from functions.operator.audit import AuditTrail
from functions.operator.aws import Aws
from functions.operator.errors import AwsFailureError
from functions.operator.records import Submissions
from functions.operator.resources import Resources
from functions.operator.store import AuditedStore
from sitecontent.strings import load_strings
from tests.support.contact import ContactFunction, valid_fields
from tests.support.operator import Operator, TerminalInput, operator_runner, stored_item
from tests.support.site import CONTENT


@pytest.fixture
def operator(contact: ContactFunction, capsys: pytest.CaptureFixture[str]) -> Operator:
    contact.clear()
    return operator_runner(contact.stack, capsys)


def submit(contact: ContactFunction, **changes: Any) -> tuple[str, dict[str, Any]]:
    """Store one submission through the handler; return its id and the fields sent."""
    tag = uuid.uuid4().hex[:8]
    defaults = {"email": f"inbox.{tag}@example.kz", "message": f"Сообщение {tag}"}
    fields = valid_fields(**{**defaults, **changes})
    answer = contact.post_json(fields)
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"], fields


def audit_of(operator: Operator, submission_id: str) -> list[dict[str, Any]]:
    result = operator("audit", "--submission", submission_id)
    assert result.code == 0, result.err
    return result.json()


def reply_subject(language: str) -> str:
    return load_strings(CONTENT, language)["reply.subject"]


# What a visitor may leave out, in both languages: each reaches the inbox as it was typed.
CASES = {
    "ru, every field": {"locale": "ru", "marketing": True},
    "en, every field": {"locale": "en"},
    "no message": {"locale": "en", "message": None},
    "no phone": {"locale": "ru", "phone": None},
    "no patronymic, two phones": {
        "locale": "ru",
        "patronymic": None,
        "phone": ["+7 701 111 2233", "+44 20 7946 0958"],
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_inbox_json_holds_each_unanswered_submission_decrypted(
    operator: Operator, contact: ContactFunction, case: str
) -> None:
    changes = CASES[case]
    submission_id, fields = submit(contact, **changes)

    result = operator("inbox", "--json")

    assert result.code == 0, result.err
    (entry,) = result.json()["submissions"]
    assert result.json()["blocked"] == 0
    assert entry["id"] == submission_id
    assert entry["locale"] == fields["locale"]
    assert entry["age_days"] == 0
    assert entry["status"] == "active"
    assert entry["consents"]["marketing"]["given"] is bool(changes.get("marketing"))
    data = entry["personal_data"]
    assert data["last_name"] == fields["last_name"]
    assert data["first_name"] == fields["first_name"]
    assert data["patronymic"] == fields.get("patronymic")
    assert data["email"] == fields["email"]
    assert data["message"] == fields.get("message")
    assert len(data["phones"]) == len(fields.get("phone", []))
    subject = quote(reply_subject(fields["locale"]), safe="")
    assert entry["reply"] == f"mailto:{fields['email']}?subject={subject}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_show_prints_the_submission_with_a_mailto_in_the_visitors_language(
    operator: Operator, contact: ContactFunction, case: str
) -> None:
    submission_id, fields = submit(contact, **CASES[case])

    result = operator("show", submission_id)

    assert result.code == 0, result.err
    text = result.out
    assert f"submission {submission_id}" in text
    assert f"language   {fields['locale']}" in text
    assert fields["last_name"] in text and fields["first_name"] in text
    assert f"email      {fields['email']}" in text
    if fields.get("message"):
        assert f"    {fields['message']}" in text
    else:
        assert "message    none" in text
    if not fields.get("phone"):
        assert "phones     none given" in text
    subject = quote(reply_subject(fields["locale"]), safe="")
    assert f"answer     mailto:{fields['email']}?subject={subject}" in text
    assert f"estimation-operator answered {submission_id}" in text
    assert [r["action"] for r in audit_of(operator, submission_id)] == ["show"]


def test_inbox_lists_oldest_first_and_leaves_out_answered_blocked_and_destroyed(
    operator: Operator, contact: ContactFunction
) -> None:
    waiting = [submit(contact)[0] for _ in range(2)]
    answered, _ = submit(contact)
    blocked, _ = submit(contact)
    withdrawn, withdrawn_fields = submit(contact)
    anonymised, _ = submit(contact)
    assert operator("answered", answered, "--yes").code == 0
    assert operator("block", blocked).code == 0
    assert operator("withdraw", withdrawn_fields["email"], "--yes").code == 0
    assert operator("anonymise", anonymised, "--yes").code == 0

    as_json = operator("inbox", "--json").json()
    as_text = operator("inbox").out

    assert [entry["id"] for entry in as_json["submissions"]] == waiting
    assert as_json["blocked"] == 1
    assert as_text.startswith("2 submission(s) waiting for an answer, oldest first\n")
    assert as_text.index(waiting[0]) < as_text.index(waiting[1])
    assert "1 blocked submission(s) left out (`estimation-operator list` shows them)" in as_text
    for left_out in (answered, blocked, withdrawn, anonymised):
        assert left_out not in as_text


def test_inbox_since_leaves_out_earlier_submissions(
    operator: Operator, contact: ContactFunction
) -> None:
    submit(contact)
    tomorrow = str(datetime.now(UTC).date() + timedelta(days=1))

    result = operator("inbox", "--since", tomorrow)

    assert result.code == 0
    assert result.out == "no submission is waiting for an answer\n"


def test_inbox_is_audited_with_the_ids_it_showed_and_no_personal_data(
    operator: Operator, contact: ContactFunction
) -> None:
    ids = [submit(contact)[0] for _ in range(3)]

    assert operator("inbox").code == 0

    (record,) = [
        r
        for r in operator("audit").json()
        if r["action"] == "inbox" and ids[0] in r["submission_ids"]
    ]
    assert sorted(record["submission_ids"]) == sorted(ids)
    assert record["count"] == 3
    contact.assert_not_in(json.dumps(record, ensure_ascii=False))


def test_inbox_text_escapes_control_characters_a_visitor_typed(
    operator: Operator, contact: ContactFunction
) -> None:
    # An escape sequence that would clear the operator's terminal, and a right-to-left override.
    submission_id, _ = submit(contact, message="Hello\x1b[2J\x1b]0;hacked\x07 \u202eworld")

    text = operator("inbox").out + operator("show", submission_id).out

    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Hello\\x1b[2J\\x1b]0;hacked\\x07 \\u202eworld" in text


@pytest.mark.parametrize(
    ("state", "code", "words"),
    [
        ("withdrawn", 3, "is withdrawn: its personal data was destroyed"),
        ("anonymised", 3, "is anonymised: its personal data was destroyed"),
        ("unknown", 1, "no submission with id"),
    ],
)
def test_show_of_a_tombstone_or_unknown_id_says_so(
    operator: Operator, contact: ContactFunction, state: str, code: int, words: str
) -> None:
    submission_id, fields = submit(contact)
    if state == "withdrawn":
        assert operator("withdraw", fields["email"], "--yes").code == 0
    elif state == "anonymised":
        assert operator("anonymise", submission_id, "--yes").code == 0
    else:
        submission_id = str(uuid.uuid4())

    result = operator("show", submission_id)

    assert result.code == code
    assert words in result.err
    assert "show" not in [r["action"] for r in audit_of(operator, submission_id)]


def test_show_of_a_blocked_submission_shows_it_marked_blocked(
    operator: Operator, contact: ContactFunction
) -> None:
    submission_id, fields = submit(contact)
    operator("block", submission_id)

    result = operator("show", submission_id, "--json")

    assert result.code == 0, result.err
    assert result.json()["status"] == "blocked"
    assert result.json()["personal_data"]["email"] == fields["email"]


def test_show_malformed_id_exits_2(operator: Operator) -> None:
    result = operator("show", "not-an-id")

    assert result.code == 2
    assert "is not a submission id" in result.err


# answered --------------------------------------------------------------------------------


def test_answered_records_time_and_actor_and_every_listing_shows_it(
    operator: Operator, contact: ContactFunction
) -> None:
    submission_id, fields = submit(contact)
    before = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    result = operator("answered", submission_id, "--yes")

    assert result.code == 0, result.err
    assert f"marked answered: 1 submission(s)\n  {submission_id}" in result.out
    item = stored_item(contact.stack, submission_id)
    assert item["answered_at"] >= before
    assert item["answered_by"].startswith("arn:aws:")
    (record,) = [r for r in audit_of(operator, submission_id) if r["action"] == "answered"]
    assert record["submission_ids"] == [submission_id]
    assert record["at"] >= before
    assert operator("inbox", "--json").json()["submissions"] == []
    assert operator("find", fields["email"]).json()[0]["answered_at"] == item["answered_at"]
    exported = operator("export", fields["email"]).json()["submissions"][0]
    assert exported["answered_at"] == item["answered_at"]
    listed = operator("list", "--limit", "1000").json()["submissions"]
    assert [entry["answered_at"] for entry in listed] == [item["answered_at"]]
    assert "answered " in operator("show", submission_id).out


def test_answered_twice_changes_nothing_the_second_time(
    operator: Operator, contact: ContactFunction
) -> None:
    submission_id, _ = submit(contact)
    operator("answered", submission_id, "--yes")
    first = stored_item(contact.stack, submission_id)

    again = operator("answered", submission_id, "--yes")

    assert again.code == 0
    assert "marked answered: 0 submission(s)\nno change needed: 1" in again.out
    assert stored_item(contact.stack, submission_id) == first
    answers = [r for r in audit_of(operator, submission_id) if r["action"] == "answered"]
    assert len(answers) == 1


def test_answered_asks_for_confirmation(
    operator: Operator, contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission_id, _ = submit(contact)
    monkeypatch.setattr("sys.stdin", TerminalInput("no\n"))

    declined = operator("answered", submission_id)
    monkeypatch.setattr("sys.stdin", TerminalInput("yes\n"))
    confirmed = operator("answered", submission_id)

    assert declined.code == 3
    assert f"Mark submission {submission_id} as answered" in declined.err
    assert confirmed.code == 0
    assert "answered_at" in stored_item(contact.stack, submission_id)


def test_answered_off_a_terminal_without_yes_is_refused(
    operator: Operator, contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission_id, _ = submit(contact)
    monkeypatch.setattr("sys.stdin", TerminalInput(""))
    monkeypatch.setattr(TerminalInput, "isatty", lambda self: False)

    result = operator("answered", submission_id)

    assert result.code == 3
    assert "--yes" in result.err
    assert "answered_at" not in stored_item(contact.stack, submission_id)


@pytest.mark.parametrize(("state", "code"), [("withdrawn", 3), ("anonymised", 3), ("unknown", 1)])
def test_answered_refuses_tombstones_and_unknown_ids(
    operator: Operator, contact: ContactFunction, state: str, code: int
) -> None:
    submission_id, fields = submit(contact)
    if state == "withdrawn":
        operator("withdraw", fields["email"], "--yes")
    elif state == "anonymised":
        operator("anonymise", submission_id, "--yes")
    else:
        submission_id = str(uuid.uuid4())

    result = operator("answered", submission_id, "--yes")

    assert result.code == code
    assert "Traceback" not in result.err


def test_answered_and_its_audit_record_are_one_transaction(
    operator: Operator, contact: ContactFunction
) -> None:
    # The audit record cannot be written (no such table): the mark must not be either.
    submission_id, _ = submit(contact)
    outputs = contact.stack.outputs
    resources = Resources(
        outputs["SubmissionsTableName"],
        "no-such-audit-table",
        outputs["DataKeyArn"],
        outputs["EmailHashKeyArn"],
    )
    aws = Aws()
    submissions = Submissions(aws, resources, AuditedStore(aws, resources))

    with pytest.raises(AwsFailureError):
        actions.answered(
            submissions, AuditTrail("arn:aws:iam::1:user/x"), submission_id, lambda _: True
        )

    assert "answered_at" not in stored_item(contact.stack, submission_id)
    assert operator("inbox", "--json").json()["submissions"][0]["id"] == submission_id


def test_operator_index_unanswered_brings_older_submissions_into_the_inbox(
    contact: ContactFunction, operator: Operator
) -> None:
    import boto3

    waiting, _ = submit(contact)
    answered, _ = submit(contact)
    assert operator("--yes", "answered", answered).code == 0
    # As a stack stored them before the inbox had its index: no `awaiting_answer`.
    boto3.client("dynamodb").update_item(
        TableName=contact.stack.outputs["SubmissionsTableName"],
        Key={"id": {"S": waiting}},
        UpdateExpression="REMOVE awaiting_answer",
    )
    listed = [s["id"] for s in operator("inbox", "--json").json()["submissions"]]
    assert waiting not in listed

    result = operator("index-unanswered")

    assert result.code == 0, result.err
    assert waiting in result.out and answered not in result.out
    listed = [s["id"] for s in operator("inbox", "--json").json()["submissions"]]
    assert listed == [waiting]
    assert "0 submission(s)" in operator("index-unanswered").out

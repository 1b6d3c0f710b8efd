"""The operator CLI against moto: the template's tables and keys, the handler's submissions."""

from __future__ import annotations

import base64
import csv
import io
import json
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from functions.contact.app import handler
from functions.operator.audit import AuditTrail
from functions.operator.aws import Aws
from functions.operator.cli import main
from functions.operator.errors import RefusedError
from functions.operator.queries import spreadsheet_text
from functions.operator.resources import Resources
from functions.operator.store import AuditedStore, Change
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import JSON_HEADERS, contact_function, valid_fields
from tests.support.operator import Operator, TerminalInput, operator_runner
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack():
    """One stack per module (and per xdist worker); each test uses people of its own."""
    with contact_function() as function:
        yield function.stack


@dataclass(frozen=True)
class Person:
    """What one visitor typed into the form."""

    email: str
    last_name: str = "Оспанова"
    first_name: str = "Айгерим"
    patronymic: str = "Серикқызы"
    phone: str = "+7 701 234 5678"
    message: str = "Прошу перезвонить после обеда"

    @classmethod
    def new(cls, tag: str, **fields: str) -> Person:
        return cls(email=f"{tag}.{uuid.uuid4().hex[:10]}@Example.kz", **fields)

    @property
    def phone_e164(self) -> str:
        return "+" + "".join(char for char in self.phone if char.isdigit())


def submit(person: Person, marketing: bool = False, locale: str = "ru", email: str = "") -> str:
    """Post the person's form through the real handler; return the stored submission's id."""
    fields = valid_fields(
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        email=email or person.email,
        phone=[person.phone],
        message=person.message,
        marketing=marketing,
        locale=locale,
    )
    event = http_api_event("POST", "/api/contact", json.dumps(fields), JSON_HEADERS)
    answer = handler(event, LocalLambdaContext())
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"]


@pytest.fixture
def operator(stack: Stack, capsys: pytest.CaptureFixture[str]) -> Operator:
    """Run `estimation-operator --stack <test stack> ARGS...` in-process."""
    return operator_runner(stack, capsys)


def token_of(key: object) -> str:
    """A `--next-token` as `list` encodes one, holding any JSON value."""
    return base64.urlsafe_b64encode(json.dumps(key).encode("utf-8")).decode("ascii")


def item(stack: Stack, submission_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(stack.outputs["SubmissionsTableName"])
    return table.get_item(Key={"id": submission_id})["Item"]


def every_stored_item() -> str:
    """Every attribute of every item of every table, as one text to search."""
    dynamodb = boto3.client("dynamodb")
    texts = []
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            texts.append(json.dumps(page["Items"], ensure_ascii=False))
    return "\n".join(texts)


def audit_records(operator, submission_id: str) -> list[dict[str, Any]]:
    result = operator("audit", "--submission", submission_id)
    assert result.code == 0, result.err
    return result.json()


def mailing_list_emails(operator) -> set[str]:
    result = operator("mailing-list")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    return {row["email"].casefold() for row in rows}


# find / export -------------------------------------------------------------------------


def test_find_lists_every_submission_of_the_person_without_personal_data(operator):
    person = Person.new("find")
    first = submit(person)
    # The handler normalises case and whitespace before hashing; so must find.
    second = submit(person, email=f"  {person.email.upper()} ")
    submit(Person.new("someone-else"))

    result = operator("find", f" {person.email.lower()}")

    assert result.code == 0, result.err
    found = result.json()
    assert [entry["id"] for entry in found] == [first, second]
    assert {entry["status"] for entry in found} == {"active"}
    assert all(entry["consents"]["processing"]["given"] for entry in found)
    for value in (person.email.casefold(), person.last_name, person.phone_e164, "email_hash"):
        assert value not in result.out.casefold()


def test_find_unknown_email_exits_1_without_echoing_the_email(operator):
    email = Person.new("nobody").email

    result = operator("find", email)

    assert result.code == 1
    assert "no submissions for that email" in result.err
    assert email.casefold() not in (result.err + result.out).casefold()
    assert "Traceback" not in result.err


def test_export_returns_everything_held_decrypted(operator):
    person = Person.new("export")
    submission_id = submit(person, marketing=True, locale="en")

    result = operator("export", person.email)

    assert result.code == 0, result.err
    (exported,) = result.json()["submissions"]
    assert exported["id"] == submission_id
    assert exported["locale"] == "en"
    assert exported["consents"]["marketing"]["given"] is True
    assert exported["personal_data"] == {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "email": person.email.replace("Example.kz", "example.kz"),
        "phones": [person.phone_e164],
        "message": person.message,
    }
    assert [r["action"] for r in audit_records(operator, submission_id)] == ["export"]


def test_export_includes_blocked_submissions_marked_as_blocked(operator):
    person = Person.new("export-blocked")
    kept, blocked = submit(person), submit(person)
    assert operator("block", blocked).code == 0

    result = operator("export", person.email)

    statuses = {entry["id"]: entry["status"] for entry in result.json()["submissions"]}
    assert statuses == {kept: "active", blocked: "blocked"}


# one normalisation of emails, shared with the form --------------------------------------


@pytest.mark.parametrize(
    ("typed_in_the_form", "typed_by_the_operator"),
    [
        ("idn.{tag}@пример.рф", "idn.{tag}@xn--e1afmkfd.xn--p1ai"),
        ("idn.{tag}@xn--e1afmkfd.xn--p1ai", "idn.{tag}@пример.рф"),
        ("idn.{tag}@ПРИМЕР.РФ", "  IDN.{tag}@Пример.рф "),
        (
            unicodedata.normalize("NFC", "josé.{tag}@example.kz"),
            unicodedata.normalize("NFD", "josé.{tag}@example.kz"),
        ),
        (
            unicodedata.normalize("NFD", "josé.{tag}@example.kz"),
            unicodedata.normalize("NFC", "josé.{tag}@example.kz"),
        ),
    ],
    ids=[
        "punycode-finds-unicode",
        "unicode-finds-punycode",
        "case-and-spaces",
        "nfd-finds-nfc",
        "nfc-finds-nfd",
    ],
)
def test_find_matches_the_address_however_it_is_written(
    operator, typed_in_the_form: str, typed_by_the_operator: str
):
    # A withdrawal request answered "no submissions" would leave the data in the table.
    tag = uuid.uuid4().hex[:10]
    submission_id = submit(Person.new("idn"), email=typed_in_the_form.format(tag=tag))

    result = operator("find", typed_by_the_operator.format(tag=tag))

    assert result.code == 0, result.err
    assert [entry["id"] for entry in result.json()] == [submission_id]


@pytest.mark.parametrize(
    ("one_mailbox", "another_mailbox"),
    [
        ("straße.{tag}@example.de", "strasse.{tag}@example.de"),
        ("\ufb01nance.{tag}@example.kz", "finance.{tag}@example.kz"),
        ("\u0131van.{tag}@example.kz", "ivan.{tag}@example.kz"),
    ],
    ids=["sharp-s", "fi-ligature", "dotless-i"],
)
def test_export_never_hands_one_mailbox_anothers_data(
    operator, one_mailbox: str, another_mailbox: str
):
    tag = uuid.uuid4().hex[:10]
    first = submit(Person.new("one", last_name="Первая"), email=one_mailbox.format(tag=tag))
    second = submit(
        Person.new("another", last_name="Вторая"), email=another_mailbox.format(tag=tag)
    )

    exported = {
        mailbox: operator("export", mailbox.format(tag=tag)).json()["submissions"]
        for mailbox in (one_mailbox, another_mailbox)
    }

    assert [entry["id"] for entry in exported[one_mailbox]] == [first]
    assert [entry["id"] for entry in exported[another_mailbox]] == [second]
    assert exported[one_mailbox][0]["personal_data"]["last_name"] == "Первая"


def test_find_refuses_what_is_not_an_email_address(operator):
    result = operator("find", "not an address")

    assert result.code == 2
    assert "not an address" not in result.err
    assert "Traceback" not in result.err


# list ------------------------------------------------------------------------------------


def test_list_pages_through_every_submission_exactly_once(operator):
    ids = {submit(Person.new("list")) for _ in range(3)}
    seen: list[str] = []
    token = None
    for _ in range(50):
        args = ["list", "--limit", "2"] + (["--next-token", token] if token else [])
        page = operator(*args).json()
        assert len(page["submissions"]) <= 2
        assert all("personal_data" not in entry for entry in page["submissions"])
        seen += [entry["id"] for entry in page["submissions"]]
        token = page["next_token"]
        if token is None:
            break
    assert len(seen) == len(set(seen))
    assert ids <= set(seen)


def test_list_since_leaves_out_earlier_submissions(operator):
    # The days before and after sending: a send across midnight is still on or after the one
    # and before the day after the other.
    sent_on_or_after = datetime.now(UTC).date()
    submission_id = submit(Person.new("since"))
    sent_before = datetime.now(UTC).date() + timedelta(days=1)

    from_today = operator("list", "--since", sent_on_or_after.isoformat(), "--limit", "1000").json()
    from_tomorrow = operator("list", "--since", str(sent_before)).json()

    assert submission_id in {entry["id"] for entry in from_today["submissions"]}
    assert from_tomorrow == {"submissions": [], "next_token": None}


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--next-token", "not-a-token"],
        ["list", "--since", "yesterday"],
        ["list", "--limit", "0"],
        ["block", "not-an-id"],
        ["update", str(uuid.UUID(int=1)), "--phone", "+77012345678", "--no-phone"],
        ["remove-everything"],
        # A real date and time, but before the first instant UTC can write.
        ["list", "--since", "0001-01-01T00:00:00+05:00"],
        ["audit", "--since", "9999-12-31T23:59:59-05:00"],
        # Well-formed tokens of the wrong shape: `list` never prints these.
        ["list", "--next-token", token_of({"id": 5})],
        ["list", "--next-token", token_of({"id": "not-a-uuid"})],
        ["list", "--next-token", token_of({"id": None})],
        ["list", "--limit", "٣"],
    ],
    ids=repr,
)
def test_cli_usage_errors_exit_2(operator, args):
    result = operator(*args)

    assert result.code == 2
    assert result.err.strip()
    assert "Traceback" not in result.err


@pytest.mark.parametrize("command", ["block", "unblock", "anonymise", "update"])
def test_cli_unknown_id_exits_1(operator, command):
    unknown = str(uuid.uuid4())

    result = operator(command, unknown, "--yes", *(["--first-name", "Ali"] * (command == "update")))

    assert result.code == 1
    assert f"no submission with id {unknown}" in result.err


def test_cli_without_stack_or_tables_exits_2_naming_the_options(
    stack, capsys, monkeypatch: pytest.MonkeyPatch
):
    for name in ("SUBMISSIONS_TABLE", "DATA_KEY_ARN", "EMAIL_HASH_KEY_ARN", "ESTIMATION_STACK"):
        monkeypatch.delenv(name, raising=False)

    code = main(["find", "someone@example.kz"])

    assert code == 2
    assert "--stack" in capsys.readouterr().err


def test_cli_explicit_options_work_without_a_stack(stack, capsys, monkeypatch):
    person = Person.new("explicit")
    submission_id = submit(person)
    for name in ("SUBMISSIONS_TABLE", "DATA_KEY_ARN", "EMAIL_HASH_KEY_ARN"):
        monkeypatch.delenv(name, raising=False)
    outputs = stack.outputs
    capsys.readouterr()

    code = main(
        [
            "find",
            person.email,
            "--table",
            outputs["SubmissionsTableName"],
            "--audit-table",
            outputs["AuditTableName"],
            "--data-key",
            outputs["DataKeyArn"],
            "--email-hash-key",
            outputs["EmailHashKeyArn"],
        ]
    )

    assert code == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == submission_id


def test_cli_aws_failure_exits_4(operator, capsys):
    capsys.readouterr()

    code = main(["--stack", "no-such-stack", "find", "someone@example.kz"])

    assert code == 4
    assert "AWS refused DescribeStacks" in capsys.readouterr().err


# unsubscribe / block / unblock -----------------------------------------------------------


def test_unsubscribe_turns_marketing_off_with_the_time_on_every_submission(operator, stack):
    person = Person.new("unsubscribe")
    ids = [submit(person, marketing=True), submit(person, marketing=True)]
    before = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    result = operator("unsubscribe", person.email)

    assert result.code == 0, result.err
    for submission_id in ids:
        marketing = item(stack, submission_id)["consents"]["marketing"]
        assert marketing["given"] is False
        assert marketing["at"] >= before
        assert item(stack, submission_id)["consents"]["processing"]["given"] is True
    assert person.email.casefold() not in mailing_list_emails(operator)
    again = operator("unsubscribe", person.email)
    assert again.code == 0
    assert "unsubscribed: 0 submission(s)\nno change needed: 2" in again.out


def test_block_excludes_the_person_from_the_mailing_list_until_unblocked(operator, stack):
    person = Person.new("block")
    submission_id = submit(person, marketing=True)
    assert person.email.casefold() in mailing_list_emails(operator)

    assert operator("block", submission_id).code == 0
    assert item(stack, submission_id)["status"] == "blocked"
    assert person.email.casefold() not in mailing_list_emails(operator)

    assert operator("unblock", submission_id).code == 0
    assert item(stack, submission_id)["status"] == "active"
    assert person.email.casefold() in mailing_list_emails(operator)


def test_block_of_one_submission_keeps_the_person_off_the_mailing_list(operator):
    person = Person.new("block-one")
    blocked = submit(person, marketing=True)
    submit(person, marketing=True)

    operator("block", blocked)

    assert person.email.casefold() not in mailing_list_emails(operator)


def test_mailing_list_follows_the_latest_submission_of_each_person(operator):
    consenting, changed_mind, never = (Person.new(tag) for tag in ("yes", "changed", "never"))
    submit(consenting, marketing=True)
    submit(consenting, marketing=True)
    submit(changed_mind, marketing=True)
    submit(changed_mind, marketing=False)
    submit(never)

    result = operator("mailing-list")

    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert next(csv.reader(io.StringIO(result.out))) == [
        "email",
        "first_name",
        "last_name",
        "locale",
    ]
    listed = [row for row in rows if row["email"].casefold() == consenting.email.casefold()]
    assert listed == [
        {
            "email": consenting.email.replace("Example.kz", "example.kz"),
            "first_name": consenting.first_name,
            "last_name": consenting.last_name,
            "locale": "ru",
        }
    ]
    emails = {row["email"].casefold() for row in rows}
    assert changed_mind.email.casefold() not in emails
    assert never.email.casefold() not in emails


# Addresses the form accepts that a spreadsheet would run as formulas (OWASP: CSV injection).
FORMULA_EMAILS = [
    "=cmd|'/Ccalc'!A0@example.kz",
    "+1+1@example.kz",
    "-2+3@example.kz",
    "=1+1@example.kz",
]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_mailing_list_cells_never_start_a_formula(operator):
    tag = uuid.uuid4().hex[:8]
    people = [
        Person(email=email.replace("@", f".{tag}@"), first_name=first, last_name=last)
        for email, first, last in zip(
            FORMULA_EMAILS,
            ["-Айгерим", "Айгерим", "'Ерлан", "Асель"],
            ["Оспанова", "-Ким", "Ли", "Д'Артаньян"],
            strict=True,
        )
    ]
    for person in people:
        submit(person, marketing=True)

    result = operator("mailing-list")

    assert result.code == 0, result.err
    # What a spreadsheet reads: the CSV parsed back into cells.
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["email", "first_name", "last_name", "locale"]
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_TRIGGERS)]
    listed = {row[0]: row for row in rows[1:]}
    for person in people:
        cells = [person.email, person.first_name, person.last_name]
        expected = ["'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell for cell in cells]
        assert listed["'" + person.email][:3] == expected
    # Every cell quoted, so a comma or a quote inside one cannot start another.
    assert all(line.startswith('"') for line in result.out.splitlines())


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1@x.kz", "'=1+1@x.kz"),
        ("+1@x.kz", "'+1@x.kz"),
        ("-1@x.kz", "'-1@x.kz"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1@x.kz", "a=1@x.kz"),
        ("'Ерлан", "'Ерлан"),
        ("Айгерим", "Айгерим"),
        ("", ""),
    ],
)
def test_spreadsheet_text_neutralises_what_would_start_a_formula(value, cell):
    assert spreadsheet_text(value) == cell


@pytest.mark.parametrize(
    "command", [["block"], ["unblock"], ["anonymise"], ["update", "--first-name", "Ali"]]
)
def test_state_changes_on_a_withdrawn_submission_exit_3(operator, command):
    person = Person.new(f"refused-{command[0]}")
    submission_id = submit(person)
    assert operator("withdraw", person.email, "--yes").code == 0

    result = operator(command[0], submission_id, *command[1:], "--yes")

    assert result.code == 3
    assert "withdrawn" in result.err


# update ----------------------------------------------------------------------------------


def test_update_stores_validated_corrections_re_encrypted(operator, stack):
    person = Person.new("update")
    submission_id = submit(person)
    new_email = Person.new("updated").email
    blob_before = item(stack, submission_id)["personal_data"]

    result = operator(
        "update",
        submission_id,
        "--last-name",
        "Ospanova-Ким",
        "--patronymic",
        "",
        "--email",
        new_email,
        "--phone",
        "8 (701) 765-43-21",
        "--phone",
        "+44 20 7946 0958",
        "--yes",
    )

    assert result.code == 0, result.err
    assert item(stack, submission_id)["personal_data"] != blob_before
    (exported,) = operator("export", new_email).json()["submissions"]
    assert exported["personal_data"] == {
        "last_name": "Ospanova-Ким",
        "first_name": person.first_name,
        "patronymic": None,
        "email": new_email.replace("Example.kz", "example.kz"),
        "phones": ["+77017654321", "+442079460958"],
        "message": person.message,
    }
    # The keyed hash followed the email: the old address finds nothing any more.
    assert operator("find", person.email).code == 1
    (record,) = [r for r in audit_records(operator, submission_id) if r["action"] == "update"]
    assert record["fields"] == ["last_name", "patronymic", "email", "phones"]


@pytest.mark.parametrize(
    ("option", "value", "code"),
    [
        ("--email", "not-an-email", "invalid"),
        ("--first-name", "R2-D2", "invalid"),
        ("--last-name", "", "required"),
        ("--phone", "12", "invalid"),
        ("--message", "x" * 2001, "too_long"),
    ],
)
def test_update_refuses_what_the_form_would_refuse(operator, stack, option, value, code):
    person = Person.new("update-invalid")
    submission_id = submit(person)
    stored = item(stack, submission_id)

    result = operator("update", submission_id, option, value, "--yes")

    assert result.code == 2
    assert f"{option}: {code}" in result.err
    assert value not in result.err or value == ""
    assert item(stack, submission_id) == stored
    assert audit_records(operator, submission_id) == []


def test_update_without_a_change_writes_nothing(operator, stack):
    person = Person.new("update-same")
    submission_id = submit(person)
    stored = item(stack, submission_id)

    result = operator("update", submission_id, "--first-name", person.first_name)

    assert result.code == 0
    assert "no change needed: 1" in result.out
    assert item(stack, submission_id) == stored


def test_update_declined_at_the_terminal_changes_nothing(operator, stack, monkeypatch):
    person = Person.new("update-declined")
    submission_id = submit(person)
    stored = item(stack, submission_id)
    monkeypatch.setattr("sys.stdin", TerminalInput("no\n"))

    result = operator("update", submission_id, "--first-name", "Алия")

    assert result.code == 3
    assert "Update first_name of submission" in result.err
    assert item(stack, submission_id) == stored


# withdraw / anonymise --------------------------------------------------------------------


def test_withdraw_leaves_no_trace_of_the_person_in_any_table(operator, stack):
    person = Person.new("withdraw", last_name="Жумабекова", message="Уникальное сообщение 7319")
    ids = [submit(person, locale="en"), submit(person, marketing=True)]
    old_hash = item(stack, ids[0])["email_hash"]
    old_blobs = [item(stack, submission_id)["personal_data"] for submission_id in ids]
    # The searches below can see what they look for.
    assert old_hash in every_stored_item()
    assert person.email.casefold() in mailing_list_emails(operator)

    result = operator("withdraw", person.email, "--yes")

    assert result.code == 0, result.err
    stored = every_stored_item()
    plaintext = [
        person.email,
        person.email.casefold(),
        person.last_name,
        person.first_name,
        person.patronymic,
        person.message,
        person.phone_e164,
        person.phone_e164.removeprefix("+7"),
    ]
    for value in [*plaintext, old_hash, *old_blobs]:
        assert value.casefold() not in stored.casefold()
    assert person.email.casefold() not in mailing_list_emails(operator)
    assert operator("find", person.email).code == 1


def test_withdraw_keeps_a_tombstone_with_times_and_policy_version(operator, stack):
    person = Person.new("tombstone")
    submission_id = submit(person, marketing=True)
    before = item(stack, submission_id)

    operator("withdraw", person.email, "--yes")

    after = item(stack, submission_id)
    assert set(after) == {
        "id",
        "created_at",
        "updated_at",
        "locale",
        "policy_version",
        "status",
        "consents",
    }
    assert after["status"] == "withdrawn"
    assert after["created_at"] == before["created_at"]
    assert after["policy_version"] == before["policy_version"]
    for consent in after["consents"].values():
        assert consent == {"given": False, "at": after["updated_at"]}


def test_withdraw_off_a_terminal_without_yes_is_refused(operator, stack, monkeypatch):
    person = Person.new("withdraw-no-yes")
    submission_id = submit(person)
    stored = item(stack, submission_id)
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))  # piped, so not a person

    result = operator("withdraw", person.email)

    assert result.code == 3
    assert "--yes" in result.err
    assert item(stack, submission_id) == stored


def test_withdraw_confirmed_at_the_terminal_goes_ahead(operator, stack, monkeypatch):
    person = Person.new("withdraw-confirmed")
    submission_id = submit(person)
    monkeypatch.setattr("sys.stdin", TerminalInput("yes\n"))

    result = operator("withdraw", person.email)

    assert result.code == 0, result.err
    assert "destroyed irreversibly" in result.err
    assert item(stack, submission_id)["status"] == "withdrawn"


def test_anonymise_removes_personal_data_and_coarsens_times(operator, stack):
    person = Person.new("anonymise")
    submission_id = submit(person, marketing=True, locale="en")
    before = item(stack, submission_id)

    result = operator("anonymise", submission_id, "--yes")

    assert result.code == 0, result.err
    after = item(stack, submission_id)
    assert set(after) == {"id", "created_at", "locale", "policy_version", "status", "consents"}
    assert after["status"] == "anonymised"
    assert after["locale"] == "en"
    assert after["created_at"] == before["created_at"][:7] + "-01T00:00:00.000000Z"
    assert after["consents"]["marketing"] == {"given": True, "at": after["created_at"]}
    assert operator("find", person.email).code == 1
    assert operator("anonymise", submission_id, "--yes").code == 3


# audit -----------------------------------------------------------------------------------


def test_audit_records_every_change_with_actor_and_no_personal_data(operator):
    person = Person.new("audited")
    first, second = submit(person, marketing=True), submit(person)
    operator("unsubscribe", person.email)
    operator("block", second)
    operator("unblock", second)
    operator("update", first, "--message", "Новое сообщение", "--yes")
    operator("withdraw", person.email, "--yes")

    result = operator("audit", "--submission", first)

    assert result.code == 0
    records = result.json()
    assert [r["action"] for r in records] == ["unsubscribe", "update", "withdraw"]
    assert [r["action"] for r in audit_records(operator, second)] == [
        "block",
        "unblock",
        "withdraw",
    ]
    withdrawal = records[-1]
    assert sorted(withdrawal["submission_ids"]) == sorted([first, second])
    assert withdrawal["count"] == 2
    assert withdrawal["actor"].startswith("arn:aws:")
    assert withdrawal["at"] >= records[0]["at"]
    for value in (person.email.casefold(), person.last_name, "Новое сообщение", person.phone_e164):
        assert value not in result.out.casefold()


def test_audit_since_leaves_out_earlier_records(operator):
    person = Person.new("audit-since")
    submission_id = submit(person)
    operator("block", submission_id)
    tomorrow = str(datetime.now(UTC).date() + timedelta(days=1))

    assert operator("audit", "--since", tomorrow).json() == []
    assert audit_records(operator, submission_id)[0]["action"] == "block"


def test_store_change_decided_on_a_stale_read_writes_neither_change_nor_audit(operator, stack):
    person = Person.new("stale")
    submission_id = submit(person)
    operator("block", submission_id)  # another operator, between our read and our write
    outputs = stack.outputs
    store = AuditedStore(
        Aws(),
        Resources(
            outputs["SubmissionsTableName"],
            outputs["AuditTableName"],
            outputs["DataKeyArn"],
            outputs["EmailHashKeyArn"],
        ),
    )
    decided_when_active = Change(
        submission_id, ("active",), {"status": "withdrawn"}, remove=("personal_data",)
    )

    with pytest.raises(RefusedError, match="changed while this command ran"):
        store.apply([decided_when_active], AuditTrail("arn:aws:iam::1:user/x").recorder("withdraw"))

    assert item(stack, submission_id)["status"] == "blocked"
    assert "personal_data" in item(stack, submission_id)
    assert [r["action"] for r in audit_records(operator, submission_id)] == ["block"]

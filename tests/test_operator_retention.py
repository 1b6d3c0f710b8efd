"""Retention through the operator CLI against the template's stack in moto.

The expiry each action leaves (a table of cases, the date worked out from the template's
`RetentionDays`), every read treating an expired item as gone without decrypting it, the
`retention` forecast, and `reapply` counting what a restore brought back expired.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

import boto3
import pytest

from functions.operator import actions
from functions.operator.audit import AuditTrail
from functions.operator.aws import Aws
from functions.operator.cli import main
from functions.operator.errors import RefusedError
from functions.operator.records import Submissions
from functions.operator.resources import Resources
from functions.operator.retention import MARKETING_CONSENT, TOMBSTONE, UNANSWERED
from functions.operator.store import AuditedStore
from functions.submission_item import parse_timestamp
from infra.cloudformation import load_template
from tests.support.contact import ContactFunction, valid_fields
from tests.support.operator import Operator, operator_runner, stored_item

RETENTION_DAYS = int(load_template()["Parameters"]["RetentionDays"]["Default"])


@pytest.fixture
def operator(contact: ContactFunction, capsys: pytest.CaptureFixture[str]) -> Operator:
    return operator_runner(contact.stack, capsys)


def new_email(tag: str) -> str:
    return f"{tag}.{uuid.uuid4().hex[:10]}@example.kz"


def submit(contact: ContactFunction, email: str, marketing: bool = False) -> str:
    """Post a form through the real handler; return the stored submission's id."""
    fields = valid_fields(email=email, marketing=marketing, message=f"Вопрос {uuid.uuid4().hex}")
    answer = contact.post_json(fields)
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"]


def after_days(timestamp: str) -> int:
    """The expiry `RetentionDays` after a stored time, in epoch seconds."""
    return int((parse_timestamp(timestamp) + dt.timedelta(days=RETENTION_DAYS)).timestamp())


# Each case: marketing consent at submission, the operator's actions in order, and what the
# expiry is then: `RetentionDays` after the answer, after the unsubscription, or none (why).
CASES = {
    "answered without marketing": (False, ["answered"], "answer"),
    "answered with marketing": (True, ["answered"], MARKETING_CONSENT),
    "unanswered": (False, [], UNANSWERED),
    "unsubscribed, unanswered": (True, ["unsubscribe"], UNANSWERED),
    "unsubscribed before the answer": (True, ["unsubscribe", "answered"], "answer"),
    "unsubscribed after the answer": (True, ["answered", "unsubscribe"], "unsubscription"),
    "update keeps it": (False, ["answered", "update"], "answer"),
    "block keeps it": (False, ["answered", "block"], "answer"),
    "unblock keeps it": (False, ["answered", "block", "unblock"], "answer"),
    "withdrawn": (False, ["answered", "withdraw"], TOMBSTONE),
    "withdrawn with marketing": (True, ["withdraw"], TOMBSTONE),
    "anonymised": (False, ["answered", "anonymise"], TOMBSTONE),
}


def act(operator: Operator, step: str, submission_id: str, email: str) -> None:
    arguments = {
        "answered": ["answered", submission_id, "--yes"],
        "unsubscribe": ["unsubscribe", email],
        "update": ["update", submission_id, "--first-name", "Динара", "--yes"],
        "block": ["block", submission_id],
        "unblock": ["unblock", submission_id],
        "withdraw": ["withdraw", email, "--yes"],
        "anonymise": ["anonymise", submission_id, "--yes"],
    }[step]
    result = operator(*arguments)
    assert result.code == 0, result.err


@pytest.mark.parametrize(("marketing", "steps", "expected"), CASES.values(), ids=CASES.keys())
def test_retention_expiry_follows_the_answer_and_the_end_of_marketing_consent(
    contact: ContactFunction,
    operator: Operator,
    marketing: bool,
    steps: list[str],
    expected: str,
) -> None:
    email = new_email("expiry")
    submission_id = submit(contact, email, marketing)
    expiries = []
    for step in steps:
        act(operator, step, submission_id, email)
        expiries.append(stored_item(contact.stack, submission_id).get("expires_at"))

    item = stored_item(contact.stack, submission_id)
    if expected == "answer":
        assert item["expires_at"] == after_days(item["answered_at"])
        # Set once by the action that started the clock, then kept by every later one.
        first = next(i for i, e in enumerate(expiries) if e is not None)
        assert expiries[first:] == [item["expires_at"]] * (len(expiries) - first)
    elif expected == "unsubscription":
        ended = item["consents"]["marketing"]["at"]
        assert ended > item["answered_at"]
        assert item["expires_at"] == after_days(ended)
    else:
        assert "expires_at" not in item
    if expected != TOMBSTONE:
        shown = operator("show", submission_id, "--json").json()
        expires = item.get("expires_at")
        kept_until = dt.datetime.fromtimestamp(int(expires), dt.UTC).date() if expires else None
        assert shown["kept_until"] == (kept_until.isoformat() if kept_until else None)
        assert shown["kept_reason"] == (None if expires else expected)


def test_retention_show_says_until_when_or_why_not(
    contact: ContactFunction, operator: Operator
) -> None:
    waiting = submit(contact, new_email("show"))
    subscribed = submit(contact, new_email("show"), marketing=True)
    answered = submit(contact, new_email("show"))
    for submission_id in (subscribed, answered):
        assert operator("answered", submission_id, "--yes").code == 0
    expires = dt.datetime.fromtimestamp(
        int(stored_item(contact.stack, answered)["expires_at"]), dt.UTC
    )

    assert "retention  no expiry: not answered yet" in operator("show", waiting).out
    assert "retention  no expiry: consents to news and offers" in operator("show", subscribed).out
    until = expires.strftime("%Y-%m-%d %H:%M")
    assert f"retention  kept until {until} UTC (" in operator("show", answered).out


def expire_a_minute_ago(contact: ContactFunction, submission_id: str) -> int:
    """Give an item the expiry it would have had, answered `RetentionDays` and a minute ago.

    Written straight into the table: it stands for an item DynamoDB has yet to delete.
    """
    expired = int(dt.datetime.now(dt.UTC).timestamp()) - 60
    table = boto3.resource("dynamodb").Table(contact.stack.outputs["SubmissionsTableName"])
    table.update_item(
        Key={"id": submission_id},
        UpdateExpression="SET expires_at = :expired",
        ExpressionAttributeValues={":expired": expired},
    )
    return expired


@pytest.fixture
def expired_and_kept(contact: ContactFunction) -> tuple[str, str, str, str]:
    """Two unanswered submissions consenting to news, of two people; the first one expired.

    Unanswered and subscribed, so the inbox and the mailing list would list both.
    """
    gone_email, kept_email = new_email("gone"), new_email("kept")
    gone = submit(contact, gone_email, marketing=True)
    kept = submit(contact, kept_email, marketing=True)
    expire_a_minute_ago(contact, gone)
    return gone, gone_email, kept, kept_email


def test_retention_every_read_treats_an_expired_item_as_gone_and_decrypts_nothing(
    operator: Operator, expired_and_kept: tuple[str, str, str, str]
) -> None:
    gone, gone_email, kept, kept_email = expired_and_kept

    inbox_text = operator("inbox").out
    assert kept in inbox_text and gone not in inbox_text
    inbox_ids = [entry["id"] for entry in operator("inbox", "--json").json()["submissions"]]
    assert kept in inbox_ids and gone not in inbox_ids

    for output in ([], ["--json"]):
        shown = operator("show", gone, *output)
        assert shown.code == 1 and shown.out == ""
        assert f"submission {gone} expired on " in shown.err
        assert operator("show", kept, *output).code == 0

    assert operator("find", gone_email).code == 1
    assert [entry["id"] for entry in operator("find", kept_email).json()] == [kept]
    assert operator("export", gone_email).code == 1
    exported = operator("export", kept_email).json()["submissions"]
    assert [entry["id"] for entry in exported] == [kept]

    listed, token = [], None
    # Bounded: a next token that never ends the walk fails here instead of hanging the run.
    for _ in range(100):
        page = operator("list", "--limit", "3", *(["--next-token", token] if token else []))
        listed += [entry["id"] for entry in page.json()["submissions"]]
        token = page.json()["next_token"]
        if token is None:
            break
    assert token is None, "the list still had a next page after 100 pages"
    assert kept in listed and gone not in listed

    emails = [row[0] for row in csv.reader(io.StringIO(operator("mailing-list").out))]
    assert kept_email in emails and gone_email not in emails

    # Nothing was decrypted: no read record names it, while the kept one's reads are there.
    assert operator("audit", "--submission", gone).json() == []
    reads = {record["action"] for record in operator("audit", "--submission", kept).json()}
    assert reads == {"inbox", "show", "export", "mailing-list"}


def test_retention_changes_refuse_an_expired_item(
    operator: Operator, expired_and_kept: tuple[str, str, str, str]
) -> None:
    gone, gone_email, _, _ = expired_and_kept
    for arguments in (
        ["answered", gone, "--yes"],
        ["block", gone],
        ["anonymise", gone, "--yes"],
        ["update", gone, "--first-name", "Динара", "--yes"],
        ["unsubscribe", gone_email],
        ["withdraw", gone_email, "--yes"],
    ):
        assert operator(*arguments).code == 1, arguments
    assert operator("audit", "--submission", gone).json() == []


def test_retention_forecast_counts_by_month_and_by_reason(
    contact: ContactFunction, operator: Operator, expired_and_kept: tuple[str, str, str, str]
) -> None:
    before = operator("retention", "--json").json()
    answered = submit(contact, new_email("forecast"))
    subscribed = submit(contact, new_email("forecast"), marketing=True)
    submit(contact, new_email("forecast"))
    for submission_id in (answered, subscribed):
        assert operator("answered", submission_id, "--yes").code == 0
    due = dt.datetime.fromtimestamp(int(stored_item(contact.stack, answered)["expires_at"]), dt.UTC)

    after = operator("retention", "--json").json()

    months = list(after["due_by_month"])
    assert len(months) == 12 and months[0] == dt.datetime.now(dt.UTC).strftime("%Y-%m")
    month = due.strftime("%Y-%m")
    if month in months:
        assert after["due_by_month"][month] == before["due_by_month"][month] + 1
    else:
        assert after["due_later"] == before["due_later"] + 1
    reasons, earlier = after["without_expiry"], before["without_expiry"]
    assert reasons[UNANSWERED] == earlier[UNANSWERED] + 1
    assert reasons[MARKETING_CONSENT] == earlier[MARKETING_CONSENT] + 1
    text = operator("retention").out
    assert f"  {months[0]}  {after['due_by_month'][months[0]]}" in text
    assert f"{reasons[UNANSWERED]:>5}  {UNANSWERED}: not answered yet" in text


def test_retention_reapply_counts_what_a_restore_brought_back_expired(
    operator: Operator, expired_and_kept: tuple[str, str, str, str]
) -> None:
    gone, _, kept, _ = expired_and_kept

    report = operator("reapply", "--yes")

    assert report.code == 0, report.err
    lines = report.out.splitlines()
    (header,) = [line for line in lines if line.startswith("expired, awaiting deletion")]
    count = int(header.rsplit(" ", 1)[1])
    listed = lines[lines.index(header) + 1 : lines.index(header) + 1 + count]
    assert f"  {gone}" in listed and f"  {kept}" not in listed


def test_retention_period_comes_from_the_stack(
    contact: ContactFunction, operator: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = contact.stack.outputs
    assert outputs["RetentionDays"] == str(RETENTION_DAYS)
    submission_id = submit(contact, new_email("period"))
    given_one_by_one = [
        "--table",
        outputs["SubmissionsTableName"],
        "--audit-table",
        outputs["AuditTableName"],
        "--data-key",
        outputs["DataKeyArn"],
        "--email-hash-key",
        outputs["EmailHashKeyArn"],
    ]
    # Without a stack, `answered` has no period to write the expiry with, and says so.
    assert main([*given_one_by_one, "answered", submission_id, "--yes"]) == 2
    assert "expires_at" not in stored_item(contact.stack, submission_id)
    monkeypatch.setenv("RETENTION_DAYS", "30")
    assert main([*given_one_by_one, "answered", submission_id, "--yes"]) == 0
    item = stored_item(contact.stack, submission_id)
    expected = parse_timestamp(item["answered_at"]) + dt.timedelta(days=30)
    assert item["expires_at"] == int(expected.timestamp())


def test_retention_answer_decided_before_an_unsubscription_is_refused_not_misdated(
    contact: ContactFunction, operator: Operator
) -> None:
    email = new_email("race")
    submission_id = submit(contact, email, marketing=True)
    outputs = contact.stack.outputs
    resources = Resources(
        outputs["SubmissionsTableName"],
        outputs["AuditTableName"],
        outputs["DataKeyArn"],
        outputs["EmailHashKeyArn"],
        int(outputs["RetentionDays"]),
    )
    aws = Aws()
    submissions = Submissions(aws, resources, AuditedStore(aws, resources))

    def unsubscribed_meanwhile(question: str) -> bool:
        # Read with consent to news (no expiry); the person unsubscribes before the write.
        assert operator("unsubscribe", email).code == 0
        return True

    with pytest.raises(RefusedError, match="changed while this command ran"):
        actions.answered(
            submissions, AuditTrail("arn:aws:iam::1:user/x"), submission_id, unsubscribed_meanwhile
        )
    assert "answered_at" not in stored_item(contact.stack, submission_id)

    assert operator("answered", submission_id, "--yes").code == 0
    item = stored_item(contact.stack, submission_id)
    assert item["expires_at"] == after_days(item["answered_at"])

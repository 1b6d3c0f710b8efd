"""The staff API through the preview's gateway: each action, its answers, its audit trail.

One stack, pool and function per module (in-process moto); each test stores what it needs.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.contact import valid_fields
from tests.support.staff import StaffApi, staff_api

# More pages than any test stores messages for (50 a page).
MAX_PAGES = 100


@pytest.fixture(scope="module")
def staff() -> Iterator[StaffApi]:
    with staff_api() as api:
        yield api


@pytest.fixture(scope="module")
def member(staff: StaffApi) -> tuple[str, str]:
    email, tokens = staff.add_member()
    return email, tokens["AccessToken"]


def submit(staff: StaffApi, **changes: Any) -> tuple[str, dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    fields = valid_fields(
        **{
            "email": f"visitor.{tag}@example.kz",
            "message": f"Здравствуйте {tag}\nвторая",  # noqa: RUF001
            **changes,
        }
    )
    answer = staff.contact.post_json(fields)
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"], fields


def inbox_ids(staff: StaffApi, token: str) -> list[str]:
    ids, page = [], None
    # Bounded: a next page that never ends the walk fails here instead of hanging the run.
    for _ in range(MAX_PAGES):
        answer = staff.request(
            "GET", "/api/staff/inbox" + (f"?page={page}" if page else ""), token=token
        )
        assert answer.status == 200
        ids += [message["id"] for message in answer.json()["messages"]]
        page = answer.json()["next_page"]
        if page is None:
            return ids
    raise AssertionError(f"the inbox still had a next page after {MAX_PAGES} pages")


def test_staff_status_names_the_signed_in_member(staff: StaffApi, member: tuple[str, str]) -> None:
    email, token = member
    answer = staff.request("GET", "/api/staff/status", token=token)
    assert answer.status == 200
    assert answer.json() == {"signed_in_as": email}
    assert answer.headers["cache-control"] == "no-store"


def test_staff_inbox_lists_a_new_message_with_its_name_and_first_line(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    submission_id, fields = submit(staff, locale="en")
    answer = staff.request("GET", "/api/staff/inbox", token=member[1])
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    listed = {m["id"]: m for m in answer.json()["messages"]}
    entry = listed[submission_id]
    assert entry["name"] == f"{fields['first_name']} {fields['last_name']}"
    assert entry["first_line"] == fields["message"].splitlines()[0]
    assert entry["locale"] == "en"
    assert entry["age_days"] == 0
    assert set(entry) == {"id", "received_at", "locale", "name", "first_line", "age_days"}


def test_staff_message_shows_everything_the_visitor_sent(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    submission_id, fields = submit(staff, phone=["+7 701 234 5678"])
    answer = staff.request("GET", f"/api/staff/messages/{submission_id}", token=member[1])
    assert answer.status == 200
    message = answer.json()
    assert message["personal_data"] == {
        "last_name": fields["last_name"],
        "first_name": fields["first_name"],
        "patronymic": fields["patronymic"],
        "email": fields["email"],
        "phone": ["+77012345678"],
        "message": fields["message"],
    }
    assert message["status"] == "active"
    assert message["answered_at"] is None
    assert message["kept_reason"] == "unanswered"


@pytest.mark.parametrize("wanted", ["not-an-id", "0b0e8d4c-5a6f-4f5e-9a39-1d2c3b4a5f60"])
def test_staff_message_unknown_is_not_found(
    staff: StaffApi, member: tuple[str, str], wanted: str
) -> None:
    answer = staff.request("GET", f"/api/staff/messages/{wanted}", token=member[1])
    assert answer.status == 404
    assert answer.json() == {"error": "not_found"}


def test_staff_answered_marks_by_the_member_and_leaves_the_inbox(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    email, token = member
    submission_id, _ = submit(staff)
    assert submission_id in inbox_ids(staff, token)
    answer = staff.request("POST", f"/api/staff/messages/{submission_id}/answered", {}, token=token)
    assert answer.status == 200
    assert answer.json()["answered_by"] == email
    assert submission_id not in inbox_ids(staff, token)
    again = staff.request("POST", f"/api/staff/messages/{submission_id}/answered", {}, token=token)
    assert again.status == 409
    assert again.json() == {"error": "already_answered"}


def test_staff_answered_ignores_an_actor_in_the_body(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    submission_id, _ = submit(staff)
    answer = staff.request(
        "POST",
        f"/api/staff/messages/{submission_id}/answered",
        {"answered_by": "someone@else.kz"},
        token=member[1],
    )
    assert answer.status == 422
    assert answer.json() == {"errors": {"answered_by": "unknown"}}


def test_staff_find_export_unsubscribe_withdraw_one_person(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    token = member[1]
    submission_id, fields = submit(staff, marketing=True)
    email = fields["email"]
    found = staff.request("POST", "/api/staff/people/find", {"email": email}, token=token)
    assert found.status == 200
    assert [s["id"] for s in found.json()["submissions"]] == [submission_id]
    assert "personal_data" not in found.json()["submissions"][0]

    exported = staff.request("POST", "/api/staff/people/export", {"email": email}, token=token)
    assert exported.status == 200
    assert exported.headers["content-disposition"].startswith('attachment; filename="export-')
    assert exported.json()["submissions"][0]["personal_data"]["email"] == email

    unsubscribed = staff.request(
        "POST", "/api/staff/people/unsubscribe", {"email": email}, token=token
    )
    assert unsubscribed.json() == {"changed": [submission_id], "unchanged": []}

    mismatch = staff.request(
        "POST",
        "/api/staff/people/withdraw",
        {"email": email, "confirm_email": "other@example.kz"},
        token=token,
    )
    assert mismatch.status == 422
    assert mismatch.json() == {"errors": {"confirm_email": "mismatch"}}
    withdrawn = staff.request(
        "POST",
        "/api/staff/people/withdraw",
        {"email": email, "confirm_email": email.upper()},
        token=token,
    )
    assert withdrawn.json() == {"changed": [submission_id], "unchanged": []}
    gone = staff.request("GET", f"/api/staff/messages/{submission_id}", token=token)
    assert gone.status == 404
    assert submission_id not in inbox_ids(staff, token)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ("{not json", {"body": "invalid_json"}),
        ("[]", {"body": "invalid_json"}),
        ({}, {"email": "required"}),
        ({"email": "a@example.kz", "extra": 1}, {"extra": "unknown"}),
        ({"email": "not an email"}, {"email": "invalid"}),
    ],
)
def test_staff_bad_body_is_refused_with_the_field(
    staff: StaffApi, member: tuple[str, str], body: Any, errors: dict[str, str]
) -> None:
    answer = staff.request("POST", "/api/staff/people/find", body, token=member[1])
    assert answer.status == 422
    assert answer.json() == {"errors": errors}


def test_staff_revoked_token_is_refused_by_the_function(staff: StaffApi) -> None:
    # The signature, issuer, client and expiry still pass: only Cognito knows the sign-out.
    _, tokens = staff.add_member()
    token = tokens["AccessToken"]
    assert staff.request("GET", "/api/staff/status", token=token).status == 200
    staff.cognito.global_sign_out(AccessToken=token)
    assert staff.gateway.authorizer.claims(f"Bearer {token}")["token_use"] == "access"
    answer = staff.request("GET", "/api/staff/inbox", token=token)
    assert answer.status == 401
    assert answer.json() == {"error": "unauthorized"}


def test_staff_removed_member_is_refused(staff: StaffApi) -> None:
    email, tokens = staff.add_member()
    staff.cognito.admin_disable_user(UserPoolId=staff.pool.user_pool_id, Username=email)
    answer = staff.request("GET", "/api/staff/status", token=tokens["AccessToken"])
    assert answer.status == 401


def test_staff_function_without_claims_answers_401_with_no_data(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    # Were the function reached without the authorizer, it still serves nobody.
    from functions.staff.app import handler
    from preview.lambda_events import LocalLambdaContext, http_api_event, http_response

    submit(staff)
    for headers in ({}, {"authorization": f"Bearer {member[1]}"}):
        event = http_api_event("GET", "/api/staff/inbox", None, headers)
        answer = http_response(handler(event, LocalLambdaContext("staff")))
        assert answer.status == 401
        assert json.loads(answer.body) == {"error": "unauthorized"}


def test_staff_audit_names_the_member_and_no_personal_data(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    email, token = member
    submission_id, fields = submit(staff, marketing=True)
    before = {record["id"] for record in staff.audit_records()}
    visitor = fields["email"]
    staff.request("GET", "/api/staff/inbox", token=token)
    staff.request("GET", f"/api/staff/messages/{submission_id}", token=token)
    staff.request("POST", "/api/staff/people/find", {"email": visitor}, token=token)
    staff.request("POST", "/api/staff/people/export", {"email": visitor}, token=token)
    staff.request("POST", "/api/staff/people/unsubscribe", {"email": visitor}, token=token)
    staff.request("POST", f"/api/staff/messages/{submission_id}/answered", {}, token=token)
    staff.request(
        "POST",
        "/api/staff/people/withdraw",
        {"email": visitor, "confirm_email": visitor},
        token=token,
    )
    new = [r for r in staff.audit_records() if r["id"] not in before]
    actions = {record["action"] for record in new}
    assert {"inbox", "show", "find", "export", "unsubscribe", "answered", "withdraw"} <= actions
    assert {record["actor"] for record in new} == {email}
    assert all(
        submission_id in record["submission_ids"] for record in new if record["action"] != "inbox"
    )
    text = json.dumps(new, default=str)
    staff.contact.assert_not_in(text)


def test_staff_inbox_page_costs_one_decrypt_per_data_key_and_one_query(
    staff: StaffApi, member: tuple[str, str], aws_calls: Counter[str]
) -> None:
    from functions import personal_data

    staff.contact.clear()
    # Two data keys: a fresh masker (a new instance) encrypts with a new one.
    for _ in range(2):
        personal_data.data_masker.cache_clear()
        for _ in range(4):
            submit(staff)
    personal_data.data_masker.cache_clear()  # a cold staff instance: nothing decrypted yet
    aws_calls.clear()
    answer = staff.request("GET", "/api/staff/inbox", token=member[1])
    assert len(answer.json()["messages"]) == 8
    assert aws_calls["kms.Decrypt"] == 2
    assert aws_calls["dynamodb.Query"] == 1
    assert aws_calls["dynamodb.Scan"] == 0


def test_staff_unknown_path_is_not_found_for_staff_only(
    staff: StaffApi, member: tuple[str, str]
) -> None:
    from functions.staff.app import handler
    from preview.lambda_events import LocalLambdaContext, http_api_event, http_response

    answer = staff.request("GET", "/api/staff/nothing-here", token=member[1])
    assert answer.status == 404
    assert answer.json() == {"error": "not_found"}
    event = http_api_event("GET", "/api/staff/nothing-here", None, {})
    unauthorized = http_response(handler(event, LocalLambdaContext("staff")))
    assert unauthorized.status == 401

"""`estimation-operator staff add | list | remove`: the staff of the browser's inbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.operator.errors import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE
from tests.support.operator import Operator, operator_runner
from tests.support.staff import StaffApi, staff_api


@pytest.fixture(scope="module")
def staff() -> Iterator[StaffApi]:
    with staff_api() as api:
        yield api


@pytest.fixture
def operator(staff: StaffApi, capsys: pytest.CaptureFixture[str]) -> Operator:
    run = operator_runner(staff.contact.stack, capsys)
    return lambda *args: run("staff", "--user-pool", staff.pool.user_pool_id, *args)


def test_operator_staff_add_invites_by_email_and_audits(
    staff: StaffApi, operator: Operator
) -> None:
    result = operator("add", "New.Member@Example.KZ")
    assert result.code == EXIT_OK, result.err
    assert "new.member@example.kz" in result.out and "temporary password" in result.out
    user = staff.cognito.admin_get_user(
        UserPoolId=staff.pool.user_pool_id, Username="new.member@example.kz"
    )
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    (record,) = [r for r in staff.audit_records() if r["action"] == "staff-add"]
    assert record["staff_member"] == "new.member@example.kz"
    assert record["actor"].startswith("arn:aws:")  # the operator's AWS identity


def test_operator_staff_list_shows_each_member(staff: StaffApi, operator: Operator) -> None:
    email, _ = staff.add_member()
    result = operator("list")
    assert result.code == EXIT_OK, result.err
    listed = {member["email"]: member for member in result.json()}
    assert listed[email]["status"] == "CONFIRMED"
    assert listed[email]["enabled"] is True


def test_operator_staff_remove_disables_and_signs_out_everywhere(
    staff: StaffApi, operator: Operator
) -> None:
    email, tokens = staff.add_member()
    token = tokens["AccessToken"]
    assert staff.request("GET", "/api/staff/status", token=token).status == 200
    result = operator("remove", email)
    assert result.code == EXIT_OK, result.err
    assert staff.request("GET", "/api/staff/status", token=token).status == 401
    user = staff.cognito.admin_get_user(UserPoolId=staff.pool.user_pool_id, Username=email)
    assert user["Enabled"] is False
    assert [r["staff_member"] for r in staff.audit_records() if r["action"] == "staff-remove"] == [
        email
    ]


def test_operator_staff_refuses_what_is_not_an_email(operator: Operator) -> None:
    result = operator("add", "someone-without-a-domain")
    assert result.code == EXIT_USAGE
    assert "someone-without-a-domain" not in result.err  # the value is not echoed


def test_operator_staff_remove_unknown_member_is_not_found(operator: Operator) -> None:
    result = operator("remove", "nobody.here@example.kz")
    assert result.code == EXIT_NOT_FOUND

"""The staff who may sign in to the browser's inbox: added, listed and removed by an operator.

Members of staff are users of the stack's Cognito user pool, named by their email. Adding one
makes Cognito email them a temporary password (in the words the pool's invitation template
holds: the site's default language, set by the deploy); removing one disables them and signs
them out everywhere. Each change is audited, naming the member of staff and never a visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from functions.email_address import InvalidEmail, lookup_form
from functions.operator.audit import AuditTrail
from functions.operator.aws import aws_failures
from functions.operator.errors import NotFoundError, UsageError
from functions.operator.store import AuditedStore


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as the pool knows them."""

    email: str
    status: str
    enabled: bool
    created_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "status": self.status,
            "enabled": self.enabled,
            "created_at": self.created_at,
        }


def _sign_in_name(email: str) -> str:
    try:
        return lookup_form(email)
    except InvalidEmail:
        raise UsageError(
            "that is not an email address Cognito could send an invitation to"
        ) from None


def _audited(store: AuditedStore, audit: AuditTrail, action: str, email: str) -> None:
    store.add_audit_records([audit.record(action, [], details={"staff_member": email})])


def add(
    cognito: Any,
    user_pool_id: str,
    store: AuditedStore,
    audit: AuditTrail,
    email: str,
    temporary_password: str | None = None,
) -> str:
    """Add a member of staff; Cognito emails them a temporary password. Return the sign-in name.

    `temporary_password` is for the preview, whose Cognito sends no email.
    """
    name = _sign_in_name(email)
    request: dict[str, Any] = {
        "UserPoolId": user_pool_id,
        "Username": name,
        "UserAttributes": [
            {"Name": "email", "Value": name},
            {"Name": "email_verified", "Value": "true"},
        ],
        "DesiredDeliveryMediums": ["EMAIL"],
    }
    if temporary_password is not None:
        request["TemporaryPassword"] = temporary_password
    with aws_failures():
        cognito.admin_create_user(**request)
    _audited(store, audit, "staff-add", name)
    return name


def members(cognito: Any, user_pool_id: str) -> list[StaffMember]:
    """Every member of staff, by email."""
    found: list[StaffMember] = []
    with aws_failures():
        for page in cognito.get_paginator("list_users").paginate(UserPoolId=user_pool_id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                found.append(
                    StaffMember(
                        email=attributes.get("email", user["Username"]),
                        status=user["UserStatus"],
                        enabled=bool(user["Enabled"]),
                        created_at=user["UserCreateDate"].isoformat(),
                    )
                )
    return sorted(found, key=lambda member: member.email)


def remove(
    cognito: Any, user_pool_id: str, store: AuditedStore, audit: AuditTrail, email: str
) -> str:
    """Disable a member of staff and sign them out everywhere; return the sign-in name."""
    name = _sign_in_name(email)
    try:
        with aws_failures():
            cognito.admin_disable_user(UserPoolId=user_pool_id, Username=name)
            cognito.admin_user_global_sign_out(UserPoolId=user_pool_id, Username=name)
    except Exception as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and cause.response["Error"]["Code"] == (
            "UserNotFoundException"
        ):
            raise NotFoundError("no member of staff with that email") from None
        raise
    _audited(store, audit, "staff-remove", name)
    return name

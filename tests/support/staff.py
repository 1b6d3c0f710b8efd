"""The staff API in-process: the template's stack and user pool in moto, a signed-in member of
staff, and requests through the preview's own gateway (the JWT check, then the handler).

The same pieces the preview runs (`preview.staff_pool`, `preview.staff_gateway`,
`preview.jwt_authorizer`), so a test's request takes the path a browser's takes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pyotp
import pytest
import requests

from functions.staff import runtime
from functions.staff.app import handler
from preview.jwt_authorizer import JwtAuthorizer
from preview.lambda_events import HttpResponse, http_api_event
from preview.staff_gateway import StaffGateway
from preview.staff_pool import TOTP_VARIABLE, StaffPool, create_staff_pool, temporary_password
from tests.support.contact import ContactFunction, contact_function
from tests.support.stack import REGION

INVITATION = {
    "StaffInvitationSubject": "Inbox",
    "StaffInvitationMessage": "Sign in as {username} with {####}",
}
NEW_PASSWORD = "a long new password 42"


@dataclass(frozen=True)
class Answer:
    """What the gateway answered."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @classmethod
    def of(cls, response: HttpResponse) -> Answer:
        return cls(response.status, {k.lower(): v for k, v in response.headers}, response.body)


def sign_in_first_time(
    cognito: Any, pool: StaffPool, email: str, password: str, new_password: str = NEW_PASSWORD
) -> dict[str, str]:
    """A first sign-in as the page does it: temporary password, new password, authenticator."""
    started = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    changed = cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password},
    )
    assert changed["ChallengeName"] == "MFA_SETUP"
    setup = cognito.associate_software_token(Session=changed["Session"])
    code = pyotp.TOTP(setup["SecretCode"]).now()
    verified = cognito.verify_software_token(Session=setup["Session"], UserCode=code)
    done = cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": email},
    )
    return done["AuthenticationResult"]


@dataclass
class StaffApi:
    """The staff API behind the preview's gateway, with the form function beside it."""

    contact: ContactFunction
    pool: StaffPool
    gateway: StaffGateway
    cognito: Any
    audit_table: str
    members: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_member(self, email: str | None = None) -> tuple[str, dict[str, str]]:
        """A new member of staff, signed in; their email and tokens."""
        email = email or f"staff.{uuid.uuid4().hex[:8]}@example.kz"
        password = temporary_password()
        self.cognito.admin_create_user(
            UserPoolId=self.pool.user_pool_id,
            Username=email,
            TemporaryPassword=password,
            UserAttributes=[{"Name": "email", "Value": email}],
            MessageAction="SUPPRESS",
        )
        tokens = sign_in_first_time(self.cognito, self.pool, email, password)
        self.members[email] = tokens
        return email, tokens

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        authorization: str | None = None,
    ) -> Answer:
        """One request through the gateway, with the token as a bearer token."""
        headers = {"content-type": "application/json"}
        if authorization is not None:
            headers["authorization"] = authorization
        elif token is not None:
            headers["authorization"] = f"Bearer {token}"
        text = body if isinstance(body, str) or body is None else json.dumps(body)
        event = http_api_event(method, path, text, headers)
        return Answer.of(self.gateway.invoke(event))

    def audit_records(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=REGION).Table(self.audit_table)
        return table.scan(ConsistentRead=True)["Items"]


def _jwks_in_process(url: str) -> dict[str, Any]:
    # Under mock_aws, moto answers Cognito's public JWKS URL in-process.
    return requests.get(url, timeout=5).json()


@contextmanager
def staff_api() -> Iterator[StaffApi]:
    """The stack, the pool and the staff function in moto, in-process."""
    with contact_function() as contact, pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOTP_VARIABLE, "true")
        functions = boto3.client("lambda", region_name=REGION)
        staff_environment = functions.get_function_configuration(
            FunctionName=contact.stack.outputs["StaffFunctionName"]
        )["Environment"]["Variables"]
        for name, value in staff_environment.items():
            patch.setenv(name, value)
        cognito = boto3.client("cognito-idp", region_name=REGION)
        pool = create_staff_pool(cognito, contact.stack.name, REGION, INVITATION)
        issuer_url = f"{pool.issuer}/.well-known/jwks.json"
        gateway = StaffGateway(
            pool=pool,
            authorizer=JwtAuthorizer(pool, issuer_url, fetch=_jwks_in_process),
            handler=handler,
            aws_endpoint="",
        )
        runtime.reset()
        try:
            yield StaffApi(contact, pool, gateway, cognito, staff_environment["AUDIT_TABLE"])
        finally:
            runtime.reset()

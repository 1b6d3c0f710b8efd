"""The preview's JWT check refuses every token API Gateway's authorizer would (and ID tokens).

Each refused request gets the authorizer's own 401, and the function never runs. Forged tokens
are signed with moto's own signing key where only one claim is to be wrong, so each case shows
the one check that catches it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from preview.staff_pool import create_staff_pool
from tests.support.stack import REGION
from tests.support.staff import INVITATION, StaffApi, staff_api

AUTHORIZER_REFUSAL = {"message": "Unauthorized"}


@pytest.fixture(scope="module")
def staff() -> Iterator[StaffApi]:
    with staff_api() as api:
        yield api


@pytest.fixture(scope="module")
def signed_in(staff: StaffApi) -> dict[str, str]:
    _, tokens = staff.add_member()
    return tokens


def _moto_signing_key() -> jwt.PyJWK:
    from moto.utilities.utils import load_resource

    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json"))


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _signed(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, _moto_signing_key().key, algorithm="RS256", headers={"kid": "dummy"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _hs256_with_public_key(staff: StaffApi, claims: dict[str, Any]) -> str:
    # The classic confusion attack: the verifier's RSA public key used as an HMAC secret.
    public = staff.gateway.authorizer._key("dummy").key
    secret = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "dummy"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _another_key(claims: dict[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def _another_pool(staff: StaffApi) -> str:
    pool = create_staff_pool(staff.cognito, "another-stack", REGION, INVITATION)
    other = StaffApi(staff.contact, pool, staff.gateway, staff.cognito, staff.audit_table)
    email = "other.pool@example.kz"
    password = "TemporaryPassword1"
    staff.cognito.admin_create_user(
        UserPoolId=pool.user_pool_id,
        Username=email,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    from tests.support.staff import sign_in_first_time

    return sign_in_first_time(other.cognito, pool, email, password)["AccessToken"]


def _another_client(staff: StaffApi) -> str:
    email, _ = staff.add_member()
    client = staff.cognito.create_user_pool_client(
        UserPoolId=staff.pool.user_pool_id,
        ClientName="another-client",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    from tests.support.staff import NEW_PASSWORD

    started = staff.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client,
        AuthParameters={"USERNAME": email, "PASSWORD": NEW_PASSWORD},
    )
    assert started["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    from preview.moto_compat import TOTP_SECRET

    done = staff.cognito.respond_to_auth_challenge(
        ClientId=client,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=started["Session"],
        ChallengeResponses={
            "USERNAME": email,
            "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(TOTP_SECRET).now(),
        },
    )
    return done["AuthenticationResult"]["AccessToken"]


# Each case: the Authorization header, from the fixture's staff and a valid token's tokens.
Case = Callable[[StaffApi, dict[str, str]], str | None]
CASES: dict[str, Case] = {
    "none": lambda staff, tokens: None,
    "garbage": lambda staff, tokens: "Bearer garbage",
    "not a bearer token": lambda staff, tokens: tokens["AccessToken"],
    "alg none": lambda staff, tokens: (
        "Bearer "
        + jwt.encode(
            _claims(tokens["AccessToken"]), None, algorithm="none", headers={"kid": "dummy"}
        )
    ),
    "signed by another key": lambda staff, tokens: (
        "Bearer " + _another_key(_claims(tokens["AccessToken"]))
    ),
    "HS256 with the public key as secret": lambda staff, tokens: (
        "Bearer " + _hs256_with_public_key(staff, _claims(tokens["AccessToken"]))
    ),
    "expired": lambda staff, tokens: (
        "Bearer " + _signed({**_claims(tokens["AccessToken"]), "exp": int(time.time()) - 60})
    ),
    "another pool's issuer": lambda staff, tokens: "Bearer " + _another_pool(staff),
    "another client": lambda staff, tokens: "Bearer " + _another_client(staff),
    "an ID token": lambda staff, tokens: "Bearer " + tokens["IdToken"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_staff_authorizer_refuses(staff: StaffApi, signed_in: dict[str, str], case: str) -> None:
    authorization = CASES[case](staff, signed_in)
    answer = staff.request("GET", "/api/staff/status", authorization=authorization)
    assert answer.status == 401
    assert answer.json() == AUTHORIZER_REFUSAL


def test_staff_authorizer_passes_a_current_access_token(
    staff: StaffApi, signed_in: dict[str, str]
) -> None:
    answer = staff.request("GET", "/api/staff/status", token=signed_in["AccessToken"])
    assert answer.status == 200


def test_staff_authorizer_forged_token_with_moto_key_passes_when_nothing_is_wrong(
    staff: StaffApi, signed_in: dict[str, str]
) -> None:
    # The forging helper itself is sound: its token fails only for the claim a case changes.
    token = _signed(_claims(signed_in["AccessToken"]))
    assert staff.gateway.authorizer.claims(f"Bearer {token}")["client_id"] == staff.pool.client_id


def test_staff_authorizer_hands_claims_where_api_gateway_puts_them(
    staff: StaffApi, signed_in: dict[str, str]
) -> None:
    from preview.lambda_events import http_api_event

    token = signed_in["AccessToken"]
    event = http_api_event("GET", "/api/staff/status", None, {"authorization": f"Bearer {token}"})
    authorized = staff.gateway.authorizer.authorize(event)
    assert authorized is not None
    claims = authorized["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["token_use"] == "access"
    assert claims["client_id"] == staff.pool.client_id
    assert all(isinstance(value, str) for value in claims.values())

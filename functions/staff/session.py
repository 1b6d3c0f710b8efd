"""Who is asking: the staff member the verified token names, if Cognito still knows the session.

API Gateway's JWT authorizer has checked the token's signature, issuer, client and expiry and
put its claims in `requestContext.authorizer.jwt.claims`. It does not know that a session was
signed out: Cognito's `GetUser`, called with the access token itself, does, so every request
asks it. The actor is the signed-in user's email as Cognito holds it, never anything the
request's body says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

# Cognito's answers for a token it no longer honours (signed out, revoked, user disabled or
# deleted, expired).
REFUSED_TOKEN_CODES = frozenset(
    {"NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"}
)
BEARER = "bearer "


class Unauthorized(Exception):
    """No valid, current staff session: 401 with no data."""


class SessionCheckUnavailable(Exception):
    """Cognito could not be asked: 503, and the request is not served."""


@dataclass(frozen=True)
class StaffMember:
    """The signed-in member of staff."""

    email: str


def access_token(headers: dict[str, str]) -> str:
    """The bearer token of the `Authorization` header; `Unauthorized` when there is none."""
    header = headers.get("authorization") or ""
    if not header.lower().startswith(BEARER) or not header[len(BEARER) :].strip():
        raise Unauthorized("no bearer token")
    return header[len(BEARER) :].strip()


def signed_in(cognito: Any, headers: dict[str, str], claims: dict[str, Any] | None) -> StaffMember:
    """The staff member whose current session the request's access token belongs to."""
    token = access_token(headers)
    if not claims or claims.get("token_use") != "access" or not claims.get("username"):
        raise Unauthorized("no verified access-token claims")
    try:
        user = cognito.get_user(AccessToken=token)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in REFUSED_TOKEN_CODES:
            raise Unauthorized("Cognito refused the token") from None
        raise SessionCheckUnavailable("GetUser failed") from exc
    except BotoCoreError as exc:
        raise SessionCheckUnavailable("Cognito unreachable") from exc
    if user.get("Username", "").lower() != str(claims["username"]).lower():
        raise Unauthorized("the claims and the session name different users")
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    return StaffMember(email=(attributes.get("email") or user["Username"]).lower())

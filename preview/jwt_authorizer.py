"""The preview's stand-in for API Gateway's JWT authorizer on the staff user pool.

As API Gateway does for an HTTP API route with a JWT authorizer: take the bearer token of
`Authorization`, check its RS256 signature against the pool's published keys (JWKS), its
issuer, its audience (an access token's `client_id`), its expiry and not-before time, and hand
the claims to the function in `requestContext.authorizer.jwt.claims`, every value a string.
Any failure is API Gateway's 401, and the function never runs. Stricter in one point: only
access tokens pass (`token_use`), as the staff API wants; the function checks that too,
because API Gateway would let an ID token (whose `aud` is the client) through.

PyJWT does the cryptography and the standard claims; nothing here parses a token by hand.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from preview.staff_pool import StaffPool

# The one algorithm Cognito signs with; PyJWT refuses any other (`none`, HS256, ...).
ALGORITHMS = ["RS256"]
UNAUTHORIZED = {
    "statusCode": 401,
    "headers": {"Content-Type": "application/json", "WWW-Authenticate": "Bearer"},
    "body": json.dumps({"message": "Unauthorized"}),
}
BEARER = "bearer "


class TokenRefused(Exception):
    """The token does not pass; the reason is for tests, never shown to the client."""


def fetch_jwks(url: str) -> dict[str, Any]:
    """The key set a URL serves (moto's server serves the pool's)."""
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.load(answer)


@dataclass
class JwtAuthorizer:
    """Checks tokens as API Gateway's JWT authorizer configured with the pool and its client."""

    pool: StaffPool
    jwks_url: str
    fetch: Callable[[str], dict[str, Any]] = fetch_jwks

    def __post_init__(self) -> None:
        self._keys: jwt.PyJWKSet | None = None
        self._lock = threading.Lock()

    def _key(self, kid: str | None) -> jwt.PyJWK:
        with self._lock:
            if self._keys is None:
                self._keys = jwt.PyJWKSet.from_dict(self.fetch(self.jwks_url))
            keys = self._keys
        for key in keys.keys:
            if key.key_id == kid:
                return key
        raise TokenRefused("no key with the token's kid")

    def claims(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of the bearer token; `TokenRefused` when it does not pass."""
        if not authorization or not authorization.lower().startswith(BEARER):
            raise TokenRefused("no bearer token")
        token = authorization[len(BEARER) :].strip()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self._key(header.get("kid")).key,
                algorithms=ALGORITHMS,
                issuer=self.pool.issuer,
                options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise TokenRefused(type(exc).__name__) from None
        if claims.get("token_use") != "access":
            raise TokenRefused("not an access token")
        if claims.get("client_id") != self.pool.client_id:
            raise TokenRefused("another client's token")
        return claims

    def authorize(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The event with the claims where API Gateway puts them, or None for a 401."""
        try:
            claims = self.claims(event.get("headers", {}).get("authorization"))
        except TokenRefused:
            return None
        event["requestContext"]["authorizer"] = {
            "jwt": {"claims": as_api_gateway_claims(claims), "scopes": None}
        }
        return event


def as_api_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them on: strings, arrays as `[a b]`."""
    return {
        name: "[" + " ".join(map(str, value)) + "]" if isinstance(value, list) else str(value)
        for name, value in claims.items()
    }

"""The preview's staff side: `/api/staff/` behind the JWT check, the page's config, Cognito.

- `/api/staff/...` goes through `JwtAuthorizer` (API Gateway's JWT authorizer) and then, with
  the claims in the event, to the real staff handler, one event at a time as Lambda runs it;
- `/admin/config.json` tells the admin page where the pool and its client are, as the deploy's
  generated file does, with the preview's own `/_cognito/` as the Cognito endpoint;
- `POST /_cognito/` forwards the page's Cognito calls to moto, only the calls a sign-in and a
  sign-out need (`ALLOWED_TARGETS`), so the page never talks to moto's port, nor reaches
  Cognito's administrator calls through the preview.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preview.jwt_authorizer import UNAUTHORIZED, JwtAuthorizer
from preview.lambda_events import HttpResponse, LocalLambdaContext, http_response
from preview.staff_pool import StaffPool

STAFF_PREFIX = "/api/staff/"
CONFIG_PATH = "/admin/config.json"
COGNITO_PATH = "/_cognito/"
STAFF_HANDLER = "functions.staff.app.handler"
COGNITO_SERVICE = "AWSCognitoIdentityProviderService"
ALLOWED_TARGETS = frozenset(
    f"{COGNITO_SERVICE}.{action}"
    for action in (
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "GetUser",
        "GlobalSignOut",
        "RevokeToken",
    )
)
JSON_TYPE = "application/json"
AMZ_JSON_TYPE = "application/x-amz-json-1.1"


@dataclass
class StaffGateway:
    """What the preview needs to serve the staff: the pool, the JWT check, the handler."""

    pool: StaffPool
    authorizer: JwtAuthorizer
    handler: Callable[[dict, Any], Any]
    aws_endpoint: str
    function_name: str = "staff"

    def context(self) -> LocalLambdaContext:
        return LocalLambdaContext(self.function_name)

    def config(self, cognito_endpoint: str) -> dict[str, str]:
        """`/admin/config.json` as the deploy writes it, pointed at the preview's Cognito."""
        return {
            "region": self.pool.region,
            "user_pool_id": self.pool.user_pool_id,
            "client_id": self.pool.client_id,
            "cognito_endpoint": cognito_endpoint,
        }

    def invoke(self, event: dict) -> HttpResponse:
        """Authorize as API Gateway would, then run the handler; 401 without running it."""
        authorized = self.authorizer.authorize(event)
        if authorized is None:
            return http_response(UNAUTHORIZED)
        return http_response(self.handler(authorized, self.context()))

    def forward_to_cognito(self, target: str | None, body: bytes) -> HttpResponse:
        """One call of the page's to Cognito (moto), if it is one a sign-in needs."""
        if target not in ALLOWED_TARGETS:
            error = {"__type": "AccessDeniedException", "message": "not allowed here"}
            return HttpResponse(
                403, [("Content-Type", AMZ_JSON_TYPE)], json.dumps(error).encode("utf-8")
            )
        request = urllib.request.Request(
            self.aws_endpoint.rstrip("/") + "/",
            data=body,
            method="POST",
            headers={
                "Content-Type": AMZ_JSON_TYPE,
                "X-Amz-Target": target,
                # moto routes by the service's host name or the signing scope; the page signs
                # nothing, so name the service as boto3's credential scope would.
                "Authorization": (
                    "AWS4-HMAC-SHA256 Credential=local/20260101/"
                    f"{self.pool.region}/cognito-idp/aws4_request"
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return HttpResponse(answer.status, [("Content-Type", AMZ_JSON_TYPE)], answer.read())
        except urllib.error.HTTPError as exc:
            return HttpResponse(exc.code, [("Content-Type", AMZ_JSON_TYPE)], exc.read())


def json_response(status: int, value: Any) -> HttpResponse:
    return HttpResponse(
        status,
        [("Content-Type", JSON_TYPE), ("Cache-Control", "no-cache")],
        json.dumps(value).encode("utf-8"),
    )

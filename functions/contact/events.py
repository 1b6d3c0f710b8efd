"""Lambda events and contexts for calling the handler in-process: the preview and the tests.

API Gateway's HTTP API (payload format 2.0) and function URLs send this shape.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LocalContext:
    """The parts of a Lambda context the handler's logger reads."""

    function_name: str = "contact-local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-central-1:123456789012:function:contact-local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def http_event(
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event; `base64_encoded` sends the body as API Gateway may."""
    if isinstance(body, bytes) or (base64_encoded and body is not None):
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        body, base64_encoded = base64.b64encode(raw).decode("ascii"), True
    path_only, _, query = path.partition("?")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path_only,
        "rawQueryString": query,
        # API Gateway hands header names over lower-cased.
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "localhost",
            "http": {
                "method": method.upper(),
                "path": path_only,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": (headers or {}).get("user-agent", "local"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }

"""Turn a preview HTTP request into an API Gateway HTTP API (payload 2.0) event, and back.

The preview runs the real Lambda handler in-process; these two functions stand in for API
Gateway on either side of it, so the handler sees the same event shape as in production.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

# API Gateway passes these bodies as text; anything else, form posts included, arrives
# base64-encoded, so the preview exercises the handler's decoding path as production does.
TEXT_CONTENT_TYPES = ("application/json", "text/")
ROUTE_KEY = "$default"
STAGE = "$default"
ACCOUNT_ID = "123456789012"
API_ID = "preview"


@dataclass(frozen=True)
class PreviewResponse:
    """What the preview server writes back: a status, header pairs and the body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _is_text(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith(TEXT_CONTENT_TYPES) or media_type.endswith("+json")


def _encode_body(body: bytes, content_type: str) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if _is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def http_api_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    now: dt.datetime | None = None,
) -> dict:
    """Build the HTTP API 2.0 event API Gateway would send for this request."""
    now = now or dt.datetime.now(dt.UTC)
    path, _, raw_query = target.partition("?")
    # API Gateway lower-cases header names and joins repeated headers with commas.
    joined: dict[str, list[str]] = {}
    for name, value in headers:
        joined.setdefault(name.lower(), []).append(value)
    event_headers = {name: ",".join(values) for name, values in joined.items()}
    cookie_header = event_headers.pop("cookie", "")
    encoded_body, is_base64 = _encode_body(body, event_headers.get("content-type", ""))
    event: dict = {
        "version": "2.0",
        "routeKey": ROUTE_KEY,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": event_headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": event_headers.get("host", ""),
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": event_headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": ROUTE_KEY,
            "stage": STAGE,
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": is_base64,
    }
    cookies = [part.strip() for part in cookie_header.split(";") if part.strip()]
    if cookies:
        event["cookies"] = cookies
    if raw_query:
        parameters: dict[str, list[str]] = {}
        for name, value in parse_qsl(raw_query, keep_blank_values=True):
            parameters.setdefault(name, []).append(value)
        event["queryStringParameters"] = {n: ",".join(v) for n, v in parameters.items()}
    if encoded_body is not None:
        event["body"] = encoded_body
    return event


def preview_response(result: object) -> PreviewResponse:
    """Turn the handler's return value into the HTTP response API Gateway would send.

    Like API Gateway, a result without `statusCode` is taken as a 200 JSON body.
    """
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return PreviewResponse(200, [("Content-Type", "application/json")], body.encode("utf-8"))
    headers = [(str(name), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw_body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body)
    else:
        body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)
    return PreviewResponse(int(result["statusCode"]), headers, body)

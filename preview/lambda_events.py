"""Lambda's side of an HTTP request, built locally: the event, the context, and back.

The one stand-in for API Gateway's HTTP API (payload format 2.0, which function URLs send too)
and for Lambda's context object: the preview turns each request into an event for the real
handler in-process, and the tests call the handler with the same events and contexts. Also
the events of a DynamoDB stream's event source mapping (a batch of records, and the report of a
batch given up on), which the preview's stand-in for the mapping sends. Standard library only,
so any test may use it, the packaged function's included.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

# API Gateway passes these bodies as text; anything else, form posts included, arrives
# base64-encoded, so the preview exercises the handler's decoding path as production does.
TEXT_CONTENT_TYPES = ("application/json", "text/")
ROUTE_KEY = "$default"
STAGE = "$default"
ACCOUNT_ID = "123456789012"
API_ID = "local"
LOCAL_REGION = "eu-central-1"
# The template gives the function 10 seconds.
FUNCTION_TIMEOUT_SECONDS = 10

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass
class LocalLambdaContext:
    """The parts of Lambda's context object that the handler and Powertools read."""

    function_name: str = "contact-local"
    invoked_function_arn: str = ""
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    deadline: float = field(default_factory=lambda: time.monotonic() + FUNCTION_TIMEOUT_SECONDS)

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = (
                f"arn:aws:lambda:{LOCAL_REGION}:{ACCOUNT_ID}:function:{self.function_name}"
            )
        if not self.log_group_name:
            self.log_group_name = f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def _is_text(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith(TEXT_CONTENT_TYPES) or media_type.endswith("+json")


def _encode_body(
    body: str | bytes | None, content_type: str, base64_encoded: bool | None
) -> tuple[str | None, bool]:
    if not body:
        return None, False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if base64_encoded is None:
        # As API Gateway decides: text types as text (when they are text), the rest encoded.
        base64_encoded = not _is_text(content_type)
        if not base64_encoded:
            try:
                return raw.decode("utf-8"), False
            except UnicodeDecodeError:
                base64_encoded = True
    if base64_encoded:
        return base64.b64encode(raw).decode("ascii"), True
    return (body if isinstance(body, str) else raw.decode("utf-8")), False


def _pairs(headers: Headers) -> Iterable[tuple[str, str]]:
    return headers.items() if isinstance(headers, Mapping) else headers


def http_api_event(
    method: str,
    target: str,
    body: str | bytes | None = None,
    headers: Headers = (),
    source_ip: str = "127.0.0.1",
    *,
    base64_encoded: bool | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """The HTTP API 2.0 event API Gateway would send for this request.

    `target` is the path with its query string. The body goes as API Gateway sends it (text
    for JSON and text, base64 for the rest) unless `base64_encoded` says which.
    """
    now = now or dt.datetime.now(dt.UTC)
    path, _, raw_query = target.partition("?")
    # API Gateway lower-cases header names and joins repeated headers with commas.
    joined: dict[str, list[str]] = {}
    for name, value in _pairs(headers):
        joined.setdefault(name.lower(), []).append(value)
    event_headers = {name: ",".join(values) for name, values in joined.items()}
    cookie_header = event_headers.pop("cookie", "")
    encoded_body, is_base64 = _encode_body(
        body, event_headers.get("content-type", ""), base64_encoded
    )
    event: dict = {
        "version": "2.0",
        "routeKey": ROUTE_KEY,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": event_headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": event_headers.get("host", "localhost"),
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


@dataclass(frozen=True)
class HttpResponse:
    """What API Gateway answers the client: a status, header pairs and the body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def http_response(result: object) -> HttpResponse:
    """Turn the handler's return value into the HTTP response API Gateway would send.

    Like API Gateway, a result without `statusCode` is taken as a 200 JSON body.
    """
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("Content-Type", "application/json")], body.encode("utf-8"))
    headers = [(str(name), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw_body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body)
    else:
        body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)
    return HttpResponse(int(result["statusCode"]), headers, body)


def stream_record(record: Mapping, event_source_arn: str) -> dict:
    """One record as Lambda passes it on: as GetRecords returned it, with its stream's ARN.

    A deletion by DynamoDB's time to live carries its `userIdentity` (the service's).
    """
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):  # boto3 parses it; Lambda sends epoch seconds
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    passed_on = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": record.get("eventSource", "aws:dynamodb"),
        "awsRegion": record.get("awsRegion", LOCAL_REGION),
        "dynamodb": dynamodb,
        "eventSourceARN": event_source_arn,
    }
    if "userIdentity" in record:
        # GetRecords names its fields `Type` and `PrincipalId`; Lambda's event, in lower case.
        identity = record["userIdentity"]
        passed_on["userIdentity"] = {
            "type": identity.get("Type", identity.get("type")),
            "principalId": identity.get("PrincipalId", identity.get("principalId")),
        }
    return passed_on


def dynamodb_stream_event(records: Iterable[Mapping], event_source_arn: str) -> dict:
    """The event a DynamoDB stream's event source mapping sends for a batch of records.

    `records` as DynamoDB Streams' GetRecords returns them.
    """
    return {"Records": [stream_record(record, event_source_arn) for record in records]}


def _arrival(record: Mapping) -> str:
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):
        return created.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def stream_batch_failure(
    records: list[Mapping],
    event_source_arn: str,
    shard_id: str,
    function_arn: str,
    attempts: int,
    now: dt.datetime | None = None,
) -> dict:
    """What Lambda sends to a stream mapping's on-failure destination for a batch it gave up on.

    Where the batch was in the stream (shard, sequence numbers, times), never its records.
    """
    now = now or dt.datetime.now(dt.UTC)
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _arrival(records[0]),
            "approximateArrivalOfLastRecord": _arrival(records[-1]),
            "batchSize": len(records),
            "streamArn": event_source_arn,
        },
    }

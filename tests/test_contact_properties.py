"""Property-based tests: no input ever makes the function fail, or store what it refused."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import boto3
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from functions.contact.app import handler
from functions.contact.models import FIELD_NAMES
from preview.lambda_events import LocalLambdaContext, http_api_event
from sitecontent.contact_form import answerable
from tests.support.contact import (
    SITE_ORIGIN,
    ContactFunction,
    captured_output,
    valid_fields,
)
from tests.support.stack import REGION

SUCCESS = {201, 303}


def stored_count(contact: ContactFunction) -> int:
    client = boto3.client("dynamodb", region_name=REGION)
    return client.scan(
        TableName=contact.environment["SUBMISSIONS_TABLE"], Select="COUNT", ConsistentRead=True
    )["Count"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
field_names = st.sampled_from(FIELD_NAMES) | st.text(max_size=12)
json_bodies = st.one_of(
    st.dictionaries(field_names, json_values, max_size=14).map(json.dumps),
    st.builds(
        lambda changes: json.dumps(valid_fields(**changes)),
        st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=3),
    ),
    st.text(max_size=200),
)
form_bodies = st.one_of(
    st.lists(st.tuples(field_names, st.text(max_size=40)), max_size=16).map(
        lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)
    ),
    st.text(max_size=200),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-8",
        "text/plain",
        "",
        "multipart/form-data",
    ]
) | st.text(max_size=30)
origins = st.sampled_from([None, SITE_ORIGIN, "https://evil.example", "null"]) | st.text(
    max_size=30
)
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    content_type = draw(content_types)
    body = draw(form_bodies if "form" in content_type else json_bodies)
    headers = {"content-type": content_type}
    origin = draw(origins)
    if origin is not None:
        headers["origin"] = origin
    headers.update(draw(st.dictionaries(header_text.filter(bool), header_text, max_size=3)))
    raw = body if draw(st.booleans()) else body.encode("utf-8", "surrogatepass")
    event = http_api_event(
        draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT"])),
        draw(st.sampled_from(["/api/contact", "/api/contact", "/api/other", "/"])),
        raw,
        headers,
        source_ip=draw(st.sampled_from(["203.0.113.9", "2001:db8::1", ""])),
        base64_encoded=isinstance(raw, bytes),
    )
    if draw(st.booleans()) and event.get("body") is not None:
        event["isBase64Encoded"] = not event["isBase64Encoded"]  # lie about the encoding
    return event


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=requests())
def test_properties_no_request_makes_a_5xx_or_stores_a_refusal(
    contact: ContactFunction,
    event: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    before = stored_count(contact)
    answer = handler(event, LocalLambdaContext())
    status = int(answer["statusCode"])
    assert status < 500
    after = stored_count(contact)
    if status in SUCCESS:
        assert after - before in (0, 1)  # 0: a repeat, or the honeypot
    else:
        assert after == before
    output = captured_output(capsys, caplog)
    body = event.get("body") or ""
    # Any longer run of visitor text in the request must not come back in the logs.
    for chunk in {body[i : i + 12] for i in range(0, max(len(body) - 12, 0), 12)}:
        if chunk.strip() and not chunk.isascii():
            assert chunk not in output


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=requests())
def test_properties_every_refusal_is_a_pair_of_the_forms_vocabulary(
    contact: ContactFunction, event: dict[str, Any]
) -> None:
    # The site has a message for each pair of the vocabulary, and only for those.
    answer = handler(event, LocalLambdaContext())
    if answer.get("headers", {}).get("Content-Type") == "application/json":
        errors = json.loads(answer["body"]).get("errors", {})
        assert [pair for pair in errors.items() if not answerable(*pair)] == []


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Serve the handler over WSGI, as API Gateway would pass the request on."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else None
    headers = {
        name[5:].replace("_", "-").lower(): value
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    query = environ.get("QUERY_STRING")
    path = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
    answer = handler(
        http_api_event(
            environ["REQUEST_METHOD"], path, body, headers, "192.0.2.10", base64_encoded=True
        ),
        LocalLambdaContext(),
    )
    status = int(answer["statusCode"])
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [(name, str(value)) for name, value in answer.get("headers", {}).items()],
    )
    return [(answer.get("body") or "").encode("utf-8")]


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_properties_api_matches_its_openapi_document(contact: ContactFunction, case: Any) -> None:
    # Every other check runs. A schema-valid body may still be refused with the documented
    # 422: which letters make a name, which numbers exist in a numbering plan and which
    # policy version is current are beyond what JSON Schema can say.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])

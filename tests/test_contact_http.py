"""The request as a whole: origins, content types, sizes, encodings, rate limits, XSS, routes."""

from __future__ import annotations

import base64
import json
from html import escape
from urllib.parse import urlencode

import pytest

from functions.contact import runtime
from functions.contact.app import handler
from functions.contact.limiter import SlidingWindowLimiter
from preview.lambda_events import LocalLambdaContext, http_api_event
from sitecontent.strings import load_strings
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    FORM_HEADERS,
    JSON_HEADERS,
    SITE_ORIGIN,
    ContactFunction,
    captured_output,
    personal_data_kept_out_of_logs,
    valid_fields,
)
from tests.support.site import LANGUAGES
from tests.support.tools import ROOT

FORM = FORM_HEADERS["content-type"]


def form_body(fields: dict) -> str:
    pairs = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not False:
                pairs.append((name, "on" if item is True else str(item)))
    return urlencode(pairs)


def errors_of(answer: dict) -> dict:
    return json.loads(answer["body"])["errors"]


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://estimation.kz", "https://estimation.kz.evil"]
)
def test_http_foreign_origin_is_refused(contact: ContactFunction, origin: str) -> None:
    fields = valid_fields()
    answer = contact.post(json.dumps(fields), {**JSON_HEADERS, "origin": origin})
    assert answer["statusCode"] == 403
    assert errors_of(answer) == {"request": "forbidden_origin"}
    assert contact.item_for(fields) is None


@pytest.mark.parametrize("locale", LANGUAGES)
def test_http_foreign_origin_form_post_gets_a_page_in_its_language(
    contact: ContactFunction, locale: str
) -> None:
    body = form_body(valid_fields(locale=locale))
    answer = contact.post(body, {**FORM_HEADERS, "origin": "https://evil.example"})
    assert answer["statusCode"] == 403
    assert answer["headers"]["Content-Type"].startswith("text/html")
    message = load_strings(ROOT / "content", locale)["errors.request.forbidden_origin"]
    assert escape(message) in answer["body"]


@pytest.mark.parametrize("headers", [{"content-type": "application/json"}, JSON_HEADERS])
def test_http_own_or_missing_origin_is_accepted(contact: ContactFunction, headers: dict) -> None:
    # curl and clients that send no Origin at all are allowed; browsers always send one.
    fields = valid_fields()
    assert contact.post(json.dumps(fields), headers)["statusCode"] == 201
    assert contact.item_for(fields) is not None


def test_http_every_origin_in_site_origin_is_allowed(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITE_ORIGIN", f"{SITE_ORIGIN}, http://127.0.0.1:8000")
    runtime.reset()
    try:
        for origin in (SITE_ORIGIN, "http://127.0.0.1:8000"):
            headers = {**JSON_HEADERS, "origin": origin}
            assert contact.post(json.dumps(valid_fields()), headers)["statusCode"] == 201
    finally:
        monkeypatch.undo()
        runtime.reset()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "multipart/form-data; boundary=x", "application/xml", "", "application/jsonx"],
)
def test_http_other_content_types_are_415(contact: ContactFunction, content_type: str) -> None:
    fields = valid_fields()
    headers = {"origin": SITE_ORIGIN, "content-type": content_type}
    answer = contact.post(json.dumps(fields), headers)
    assert answer["statusCode"] == 415
    assert errors_of(answer) == {"request": "unsupported_media_type"}
    assert contact.item_for(fields) is None


def test_http_content_type_parameters_and_case_are_accepted(contact: ContactFunction) -> None:
    headers = {"origin": SITE_ORIGIN, "content-type": "Application/JSON; charset=UTF-8"}
    assert contact.post(json.dumps(valid_fields()), headers)["statusCode"] == 201


@pytest.mark.parametrize("base64_encoded", [False, True])
@pytest.mark.parametrize("headers", [JSON_HEADERS, FORM_HEADERS])
def test_http_body_over_the_limit_is_413(
    contact: ContactFunction, headers: dict, base64_encoded: bool
) -> None:
    fields = valid_fields(message="ж" * 9000)
    body = json.dumps(fields, ensure_ascii=False) if headers is JSON_HEADERS else form_body(fields)
    answer = contact.post(body, headers, base64_encoded=base64_encoded)
    assert answer["statusCode"] == 413
    assert contact.item_for(fields) is None


@pytest.mark.parametrize("locale", LANGUAGES)
def test_http_base64_encoded_form_post_is_stored(contact: ContactFunction, locale: str) -> None:
    # API Gateway and function URLs may hand a form body over base64-encoded.
    fields = valid_fields(locale=locale, phone=["87012345678", "+44 20 7946 0958"])
    answer = contact.post(form_body(fields), FORM_HEADERS, base64_encoded=True)
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == f"/{locale}/thanks/"
    item = contact.item_for(fields)
    assert contact.personal_data(item)["phones"] == ["+77012345678", "+442079460958"]


@pytest.mark.parametrize(
    ("body", "base64_encoded", "headers"),
    [
        ("{not json", False, JSON_HEADERS),
        ("[1, 2, 3]", False, JSON_HEADERS),
        ('"a string"', False, JSON_HEADERS),
        ("", False, JSON_HEADERS),
        ("***not base64***", True, JSON_HEADERS),
        (base64.b64encode(b"\xff\xfe\xfd").decode(), True, FORM_HEADERS),
        ("last_name=%FF%FE", False, FORM_HEADERS),
        ("[" * 5000 + "]" * 5000, False, JSON_HEADERS),
    ],
)
def test_http_unreadable_body_is_a_clear_422(
    contact: ContactFunction, body: str, base64_encoded: bool, headers: dict
) -> None:
    event = http_api_event("POST", "/api/contact", None, headers)
    event.update(body=body, isBase64Encoded=base64_encoded)
    answer = handler(event, LocalLambdaContext())
    assert answer["statusCode"] == 422
    if headers is JSON_HEADERS:
        assert errors_of(answer) == {"request": "invalid"}


def test_http_rate_limit_per_address_is_429_with_retry_after(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    runtime.reset()
    try:
        answers = [
            contact.post_json(valid_fields(), source_ip="198.51.100.1")["statusCode"]
            for _ in range(4)
        ]
        assert answers == [201, 201, 201, 429]
        limited_fields = valid_fields()
        limited = contact.post_json(limited_fields, source_ip="198.51.100.1")
        assert errors_of(limited) == {"request": "rate_limited"}
        assert int(limited["headers"]["Retry-After"]) > 0
        assert contact.item_for(limited_fields) is None
        # Another address is not held back.
        assert contact.post_json(valid_fields(), source_ip="198.51.100.2")["statusCode"] == 201
    finally:
        monkeypatch.undo()
        runtime.reset()


def test_limiter_window_slides() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(limit=2, window=60.0, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    now[0] = 59.0
    assert not limiter.allow("a")
    now[0] = 60.5
    assert limiter.allow("a")


def test_limiter_zero_allows_everything() -> None:
    limiter = SlidingWindowLimiter(limit=0)
    assert all(limiter.allow("a") for _ in range(1000))


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><svg onload=alert(1)>",
]
PERSON_FIELDS = ["last_name", "first_name", "patronymic", "email", "phone", "message"]
OTHER_FIELDS = ["policy_version", "locale", "idempotency_key", "consent", "marketing"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("field", [*PERSON_FIELDS, *OTHER_FIELDS, "<b>unknown</b>"])
@pytest.mark.parametrize("headers", [JSON_HEADERS, FORM_HEADERS], ids=["json", "form"])
def test_http_xss_payloads_are_never_reflected_unescaped(
    contact: ContactFunction, headers: dict, field: str, payload: str
) -> None:
    fields = valid_fields(**{field: [payload] if field == "phone" else payload})
    body = json.dumps(fields) if headers is JSON_HEADERS else form_body(fields)
    answer = contact.post(body, headers)
    text = answer.get("body") or ""
    assert answer["statusCode"] < 500
    assert payload not in text
    for tag in ("<script", "<img", "<svg"):
        assert tag not in text.lower()
    assert text.lower().count("</title") <= 1  # the error page's own title only
    assert payload not in json.dumps(answer["headers"])


def test_http_unknown_route_is_404(contact: ContactFunction) -> None:
    answer = handler(http_api_event("GET", "/api/nothing"), LocalLambdaContext())
    assert answer["statusCode"] == 404
    answer = handler(http_api_event("DELETE", "/api/contact"), LocalLambdaContext())
    assert 400 <= answer["statusCode"] < 500

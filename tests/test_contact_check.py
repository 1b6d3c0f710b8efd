"""`POST /api/contact/check`: every error the form would get, and nothing stored.

The contact page asks it when its own checks found errors, so one press of Send shows all of
them, the phone numbers' too (issue 26).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from functions.contact import runtime
from functions.contact.app import handler
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    FORM_HEADERS,
    JSON_HEADERS,
    ContactFunction,
    personal_data_kept_out_of_logs,
    valid_fields,
)

CHECK = "/api/contact/check"
# Issue 26's visitor: a digit in the last name, an email without a domain, phone 123.
THREE_MISTAKES = {"last_name": "Smith2", "email": "ann@example", "phone": ["123"]}


def check(contact: ContactFunction, body: str, headers: dict, source_ip: str = "203.0.113.9"):
    event = http_api_event("POST", CHECK, body, headers, source_ip)
    return handler(event, LocalLambdaContext())


def check_json(contact: ContactFunction, fields: dict, **options) -> dict:
    contact.remember(fields.items())
    return check(contact, json.dumps(fields), JSON_HEADERS, **options)


def test_check_names_every_error_at_once_and_stores_nothing(
    contact: ContactFunction, aws_calls: Counter[str]
) -> None:
    stored_before = len(contact.items())
    aws_calls.clear()

    answer = check_json(contact, valid_fields(**THREE_MISTAKES))

    assert answer["statusCode"] == 422
    body = json.loads(answer["body"])
    assert body["errors"] == {"last_name": "invalid", "email": "invalid", "phone": "invalid"}
    assert body["positions"] == {"phone": 0}
    # No KMS, no DynamoDB: the check never reaches storage or encryption.
    assert aws_calls == Counter()
    assert len(contact.items()) == stored_before


def test_check_of_a_good_form_is_204_and_stores_nothing(
    contact: ContactFunction, aws_calls: Counter[str]
) -> None:
    stored_before = len(contact.items())
    aws_calls.clear()

    answer = check_json(contact, valid_fields())

    assert answer["statusCode"] == 204
    assert not answer.get("body")
    assert aws_calls == Counter()
    assert len(contact.items()) == stored_before


def test_check_answers_the_same_as_a_send_would(contact: ContactFunction) -> None:
    fields = valid_fields(**THREE_MISTAKES)
    checked = check_json(contact, fields)
    sent = contact.post_json(fields)
    assert (checked["statusCode"], checked["body"]) == (sent["statusCode"], sent["body"])

    stale = valid_fields(policy_version="0.1")
    assert check_json(contact, stale)["statusCode"] == contact.post_json(stale)["statusCode"] == 409


def test_check_of_a_form_post_gets_the_error_page_in_its_language(
    contact: ContactFunction,
) -> None:
    contact.remember([("last_name", "Smith2")])
    body = "last_name=Smith2&first_name=Anna&email=ann%40example.kz&consent=on&locale=en"
    answer = check(contact, body, FORM_HEADERS)
    assert answer["statusCode"] == 422
    assert answer["headers"]["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in answer["body"]


def test_check_counts_against_the_per_address_limit(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    runtime.reset()
    try:
        answers = [
            check_json(contact, valid_fields(), source_ip="198.51.100.9")["statusCode"]
            for _ in range(2)
        ]
        # Checks and sends share one count: the third request from the address is refused.
        sent = contact.post_json(valid_fields(), source_ip="198.51.100.9")
        assert answers == [204, 204]
        assert sent["statusCode"] == 429
        assert int(sent["headers"]["Retry-After"]) > 0
    finally:
        monkeypatch.undo()
        runtime.reset()


def test_check_only_accepts_post(contact: ContactFunction) -> None:
    answer = handler(http_api_event("GET", CHECK), LocalLambdaContext())
    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == "POST"

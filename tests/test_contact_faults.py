"""Faults in DynamoDB and KMS: a 503 the visitor may retry, nothing stored, then stored once."""

from __future__ import annotations

import json
from html import escape

import botocore.client
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from functions import personal_data
from functions.contact import runtime
from functions.contact.submissions import SubmissionDesk
from sitecontent.strings import load_strings
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    CURRENT_POLICY_VERSION,
    ContactFunction,
    captured_output,
    personal_data_kept_out_of_logs,
    valid_fields,
)
from tests.support.site import LANGUAGES
from tests.support.tools import ROOT


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)


def fail_on(patch: pytest.MonkeyPatch, call: str, fault: Exception) -> None:
    """Make one AWS operation (e.g. `dynamodb.PutItem`) fail with `fault`."""
    make_api_call = botocore.client.BaseClient._make_api_call

    def failing(self: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        if f"{self.meta.service_model.service_name}.{operation}" == call:
            raise fault
        return make_api_call(self, operation, params)

    patch.setattr(botocore.client.BaseClient, "_make_api_call", failing)


FAULTS = [
    ("dynamodb.PutItem", client_error("ProvisionedThroughputExceededException", "PutItem")),
    ("dynamodb.PutItem", client_error("ThrottlingException", "PutItem")),
    ("dynamodb.PutItem", client_error("InternalServerError", "PutItem")),
    ("dynamodb.PutItem", EndpointConnectionError(endpoint_url="https://dynamodb.example")),
    ("kms.GenerateMac", client_error("KMSInternalException", "GenerateMac")),
    ("kms.GenerateMac", client_error("ThrottlingException", "GenerateMac")),
    ("kms.GenerateDataKey", client_error("KMSInternalException", "GenerateDataKey")),
    ("kms.GenerateDataKey", client_error("DisabledException", "GenerateDataKey")),
]


@pytest.mark.parametrize(("call", "fault"), FAULTS, ids=lambda value: str(value)[:40])
def test_faults_answer_503_store_nothing_then_retry_stores_once(
    contact: ContactFunction,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    fault: Exception,
) -> None:
    # Given a data-key cache that is empty, so the data key must come from KMS now
    personal_data.data_masker.cache_clear()
    fields = valid_fields()
    with monkeypatch.context() as patch:
        fail_on(patch, call, fault)
        # When AWS fails
        answer = contact.post_json(fields)
        # Then the visitor is told to retry, and nothing is stored
        assert answer["statusCode"] == 503
        assert answer["headers"]["Retry-After"].isdigit()
        assert json.loads(answer["body"]) == {"errors": {"request": "unavailable"}}
        assert contact.item_for(fields) is None
    # When the browser retries with the same key after AWS recovers
    retried = [contact.post_json(fields) for _ in range(2)]
    # Then it is stored exactly once
    assert [answer["statusCode"] for answer in retried] == [201, 201]
    item = contact.item_for(fields)
    assert item is not None
    assert sum(1 for stored in contact.items() if stored["id"] == item["id"]) == 1


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_faults_form_post_gets_a_page_in_its_language(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    fail_on(monkeypatch, "dynamodb.PutItem", client_error("ThrottlingException", "PutItem"))
    answer = contact.post_form(
        [
            ("last_name", "Петров"),
            ("first_name", "Пётр"),
            ("email", "petr@example.kz"),
            ("consent", "on"),
            ("policy_version", CURRENT_POLICY_VERSION),
            ("locale", locale),
        ]
    )
    assert answer["statusCode"] == 503
    assert answer["headers"]["Retry-After"].isdigit()
    message = load_strings(ROOT / "content", locale)["errors.request.unavailable"]
    assert escape(message) in answer["body"]


def test_faults_unexpected_error_is_a_503_never_a_500(
    contact: ContactFunction,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(self: SubmissionDesk, fields: dict) -> None:
        raise RuntimeError(f"bug while handling {fields.get('email')}")

    monkeypatch.setattr(SubmissionDesk, "receive", broken)
    fields = valid_fields(email="leak.me@example.kz")
    answer = contact.post_json(fields)
    assert answer["statusCode"] == 503
    # The fault is logged by its type only: the message quoted the email.
    output = captured_output(capsys, caplog)
    assert "RuntimeError" in output
    assert "leak.me@example.kz" not in output


def test_faults_missing_configuration_is_a_503(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUBMISSIONS_TABLE")
    runtime.reset()
    try:
        answer = contact.post_json(valid_fields())
        assert answer["statusCode"] == 503
    finally:
        monkeypatch.undo()
        runtime.reset()
    assert contact.post_json(valid_fields())["statusCode"] == 201


@pytest.mark.parametrize("locale", LANGUAGES)
def test_faults_missing_configuration_form_post_gets_a_page_in_its_language(
    contact: ContactFunction, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    # The function's AWS settings are broken, its content is not: the visitor still reads why
    # in their own language (it was a wordless page marked English for every language).
    monkeypatch.delenv("SUBMISSIONS_TABLE")
    runtime.reset()
    try:
        answer = contact.post_form(
            [
                ("last_name", "Сәрсенбаев"),
                ("first_name", "Ұлжан"),
                ("email", "ulzhan@example.kz"),
                ("consent", "on"),
                ("policy_version", CURRENT_POLICY_VERSION),
                ("locale", locale),
            ]
        )
    finally:
        monkeypatch.undo()
        runtime.reset()
    assert answer["statusCode"] == 503
    assert f'<html lang="{locale}">' in answer["body"]
    strings = load_strings(ROOT / "content", locale)
    assert escape(strings["errors.request.unavailable"]) in answer["body"]
    assert f'href="/{locale}/contact/"' in answer["body"]

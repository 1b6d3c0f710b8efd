"""The OpenAPI document of the form API: generated from the code, served, and written."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from functions.contact.app import handler
from functions.contact.openapi import main as write_openapi
from preview.lambda_events import LocalLambdaContext, http_api_event

DOCUMENTED_ANSWERS = {"201", "303", "403", "409", "413", "415", "422", "429", "503"}


def served_document() -> dict:
    answer = handler(http_api_event("GET", "/api/openapi.json"), LocalLambdaContext())
    assert answer["statusCode"] == 200
    return json.loads(answer["body"])


def test_openapi_document_is_valid_and_describes_every_answer() -> None:
    document = served_document()
    validate(document)
    operation = document["paths"]["/api/contact"]["post"]
    assert set(operation["responses"]) == DOCUMENTED_ANSWERS
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    for code in ("429", "503"):
        assert "Retry-After" in operation["responses"][code]["headers"]


def test_openapi_request_bodies_name_every_form_field() -> None:
    content = served_document()["paths"]["/api/contact"]["post"]["requestBody"]["content"]
    for schema in (c["schema"] for c in content.values()):
        assert set(schema["properties"]) == {
            "last_name",
            "first_name",
            "patronymic",
            "email",
            "phone",
            "message",
            "consent",
            "marketing",
            "cross_border",
            "policy_version",
            "locale",
            "idempotency_key",
            "website",
        }
        assert schema["additionalProperties"] is False
        assert schema["properties"]["phone"]["type"] == "array"


def test_openapi_command_writes_the_served_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    assert write_openapi([str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == served_document()

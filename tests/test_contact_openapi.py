"""The OpenAPI document of the form API: generated from the code, served, and written."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from pydantic import ValidationError

from functions.contact.app import handler
from functions.contact.content import load_form_content
from functions.contact.models import validate_submission
from functions.contact.openapi import main as write_openapi
from functions.contact.openapi_spec import name_pattern, phone_pattern
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import CURRENT_POLICY_VERSION, valid_fields
from tests.support.site import copy_content, set_site_option
from tests.support.tools import ROOT

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


def test_openapi_document_describes_the_check_that_stores_nothing() -> None:
    paths = served_document()["paths"]
    check = paths["/api/contact/check"]["post"]
    assert set(check["responses"]) == {"204", "403", "409", "413", "415", "422", "429", "503"}
    assert "content" not in check["responses"]["204"]
    assert check["requestBody"] == paths["/api/contact"]["post"]["requestBody"]
    assert "Retry-After" in check["responses"]["429"]["headers"]


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


# The rules the document states come from the validation's own constants: whatever the
# document calls valid, the function accepts.
def _document_schema(name: str) -> dict:
    schema = served_document()["paths"]["/api/contact"]["post"]["requestBody"]["content"]
    return schema["application/json"]["schema"]["properties"][name]


def _validates(schema: dict, value: object) -> bool:
    # jsonschema-rs is the engine Schemathesis judges answers with; it knows `\p{L}`.
    return jsonschema_rs.validator_for(schema).is_valid(value)


def _function_accepts(**changes: object) -> bool:
    try:
        validate_submission(valid_fields(**changes), ("ru", "en"), ask_cross_border_consent=False)
    except ValidationError:
        return False
    return True


NAME_SCHEMA = {"type": "string", "pattern": name_pattern()}
NAME_CHARACTERS = st.characters(
    # Letters of several scripts, digits, marks, punctuation and spaces.
    categories=("Lu", "Ll", "Lo", "Lm", "Nd", "Mn", "Po", "Pd", "Zs", "So"),
) | st.sampled_from(" -'\u2019")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Ann", True),
        ("Ғалымжан-Ұлы", True),
        ("O\u2019Brien", True),
        ("Jean Luc", True),
        ("Ann1", False),
        ("-'", False),
        ("Ann!", False),
    ],
)
def test_openapi_name_pattern_is_the_functions_rule(name: str, valid: bool) -> None:
    schema = _document_schema("last_name")
    assert _validates(schema, name) is valid
    assert _function_accepts(last_name=name) is valid


@given(st.text(NAME_CHARACTERS, min_size=1, max_size=30))
@settings(max_examples=300)
def test_openapi_name_pattern_agrees_with_the_validation(name: str) -> None:
    documented = _validates(NAME_SCHEMA, name)
    if documented:
        assert _function_accepts(first_name=name)
    elif name == unicodedata.normalize("NFC", name) and name == name.strip():
        # The function also normalises and trims first, which a pattern cannot say.
        assert not _function_accepts(first_name=name)


@given(st.from_regex(phone_pattern(), fullmatch=True))
@settings(max_examples=100)
def test_openapi_phone_pattern_describes_numbers_the_function_stores_as_written(number) -> None:
    submission = validate_submission(
        valid_fields(phone=[number]), ("ru", "en"), ask_cross_border_consent=False
    )
    assert submission.phone == [number]


def test_openapi_names_the_languages_and_current_policy_of_the_content() -> None:
    content = load_form_content(ROOT / "content")
    assert _document_schema("locale")["enum"] == list(content.languages)
    assert _document_schema("policy_version")["enum"] == [CURRENT_POLICY_VERSION]
    body = served_document()["paths"]["/api/contact"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert _validates(schema, valid_fields(phone=["+77012345678"]))
    assert not _validates(schema, valid_fields(locale="de"))
    assert not _validates(schema, valid_fields(policy_version="0.9"))


def test_openapi_follows_the_content_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A third language added by an editor is documented at once.
    content = copy_content(tmp_path)
    shutil.copytree(ROOT / "tests" / "fixtures" / "site" / "kk", content / "kk")
    set_site_option(content, "languages =", 'languages = ["ru", "en", "kk"]')
    monkeypatch.setenv("CONTENT_DIR", str(content))
    assert _document_schema("locale")["enum"] == ["ru", "en", "kk"]

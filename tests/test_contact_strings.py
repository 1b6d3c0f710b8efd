"""The form's vocabulary: the codes the function answers, and their words in every language."""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

from typing import get_args

import pytest

from functions.contact.errors import WHOLE_REQUEST_STATUS
from functions.contact.openapi_spec import ErrorCode
from sitecontent import contact_form
from sitecontent.contact_form import FIELD_CODES, error_message, field_name
from sitecontent.site import load_site
from sitecontent.strings import load_strings
from tests.support.tools import ROOT

CONTENT = ROOT / "content"
LANGUAGES = load_site(CONTENT).languages


def test_strings_whole_request_codes_are_the_vocabularys() -> None:
    # One list: every whole-request code has a status, and every status a code of the list.
    assert set(WHOLE_REQUEST_STATUS) == set(contact_form.REQUEST_CODES) - {"invalid"}


def test_strings_api_document_names_every_code_of_the_vocabulary() -> None:
    assert get_args(ErrorCode) == contact_form.ERROR_CODES


@pytest.mark.parametrize("language", LANGUAGES)
def test_strings_every_answerable_pair_has_its_own_message(language: str) -> None:
    strings = load_strings(CONTENT, language)
    for field, codes in FIELD_CODES.items():
        assert field_name(strings, field), f"{language}: no name for {field}"
        for code, limit in codes.items():
            text = error_message(strings, field, code)
            assert text.strip() and "{" not in text, f"{language}: {field} {code}: {text!r}"
            if limit is not None:
                assert str(limit) in text, f"{language}: {field} {code} does not name {limit}"


@pytest.mark.parametrize(
    ("language", "field", "code", "text"),
    [
        (
            "en",
            "last_name",
            "invalid",
            "Enter your last name using letters, spaces, hyphens or apostrophes",
        ),
        (
            "en",
            "email",
            "invalid",
            "Enter an email address in the correct format, like name@example.kz",
        ),
        (
            "en",
            "phone",
            "invalid",
            "Enter a phone number with its country code, like +7 701 234 56 78",
        ),
        ("en", "message", "too_long", "Message must be 2000 characters or fewer"),
        ("en", "phone", "too_many", "Enter no more than 5 phone numbers"),
        (
            "ru",
            "last_name",
            "invalid",
            "Введите фамилию буквами; можно использовать пробелы, дефисы и апострофы",
        ),
        (
            "ru",
            "email",
            "invalid",
            "Введите адрес электронной почты в правильном формате, например name@example.kz",
        ),
        (
            "ru",
            "phone",
            "invalid",
            "Введите номер телефона с кодом страны, например +7 701 234 56 78",
        ),
        ("ru", "last_name", "too_long", "Фамилия должна быть не длиннее 100 символов"),
    ],
)
def test_strings_messages_say_what_to_fix(language: str, field: str, code: str, text: str) -> None:
    assert error_message(load_strings(CONTENT, language), field, code) == text


@pytest.mark.parametrize("language", LANGUAGES)
def test_strings_consent_required_says_why(language: str) -> None:
    strings = load_strings(CONTENT, language)
    why = {
        "en": "without it we cannot keep your details",
        "ru": "без него мы не можем",
        "kk": "онсыз біз деректеріңізді сақтап",
    }
    assert why[language] in error_message(strings, "consent", "consent_required")


@pytest.mark.parametrize("language", LANGUAGES)
def test_strings_a_page_error_says_to_reload(language: str) -> None:
    # An error about a hidden input or an input the form lacks: the page itself is at fault.
    strings = load_strings(CONTENT, language)
    reload = {"en": "Reload the page", "ru": "Обновите страницу", "kk": "Бетті жаңартып"}
    for field, code in [
        ("locale", "invalid"),
        ("nickname", "unknown_field"),
        ("request", "invalid"),
    ]:
        assert reload[language] in error_message(strings, field, code)

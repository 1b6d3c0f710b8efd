"""Validation of contact-form submissions: every rule, both body types, both languages."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest

from functions.contact import runtime
from sitecontent.contact_form import error_message, field_name
from sitecontent.strings import load_strings
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    ContactFunction,
    personal_data_kept_out_of_logs,
    valid_fields,
)
from tests.support.site import LANGUAGES, NEW_LANGUAGE
from tests.support.tools import ROOT

CONTENT = ROOT / "content"


@dataclass
class Answer:
    status: int
    errors: dict[str, str] | None
    page: str | None
    submission_id: str | None
    location: str | None


def form_pairs(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields as a browser posts them: repeated phones, ticked boxes as `on`."""
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        if isinstance(value, list):
            pairs.extend((name, str(item)) for item in value)
        elif value is True:
            pairs.append((name, "on"))
        elif value is not False:
            pairs.append((name, str(value)))
    return pairs


def submit(contact: ContactFunction, body_type: str, fields: dict[str, Any]) -> Answer:
    if body_type == "json":
        answer = contact.post_json(fields)
    else:
        answer = contact.post_form(form_pairs(fields))
    headers = answer.get("headers", {})
    body = answer.get("body") or ""
    parsed = json.loads(body) if headers.get("Content-Type") == "application/json" else None
    return Answer(
        status=int(answer["statusCode"]),
        errors=(parsed or {}).get("errors"),
        page=body if headers.get("Content-Type", "").startswith("text/html") else None,
        submission_id=(parsed or {}).get("id"),
        location=headers.get("Location"),
    )


def stored_personal_data(contact: ContactFunction, fields: dict[str, Any]) -> dict[str, Any]:
    """Decrypt, with the operator's rights, the item stored for these fields."""
    item = contact.item_for(fields)
    assert item is not None
    return contact.personal_data(item)


def assert_accepted(answer: Answer, body_type: str, locale: str) -> None:
    if body_type == "json":
        assert answer.status == 201
        assert answer.submission_id
    else:
        assert answer.status == 303
        assert answer.location == f"/{locale}/thanks/"


def assert_rejected(answer: Answer, body_type: str, field: str, code: str, locale: str) -> None:
    """The visitor is told which field is wrong, in their language for a form post."""
    assert answer.status == 422
    if body_type == "json":
        assert answer.errors is not None
        assert answer.errors.get(field) == code, answer.errors
    else:
        # The page names the field and says what to fix, in the visitor's language.
        strings = load_strings(CONTENT, locale)
        message = error_message(strings, field, code)
        name = field_name(strings, field, 0 if field == "phone" and code != "too_many" else None)
        assert answer.page is not None
        assert f"<li>{escape(f'{name}: {message}' if name else message)}</li>" in answer.page
        assert escape(strings["error_page.go_back"]) in answer.page
        assert f'href="/{locale}/contact/"' in answer.page


BODY_TYPES = ["json", "form"]
LOCALES = LANGUAGES


@pytest.mark.parametrize("body_type", BODY_TYPES)
@pytest.mark.parametrize("locale", LOCALES)
# Between them the names use every Kazakh letter: Ә Ғ Қ Ң Ө Ұ Ү Һ І.  # noqa: RUF003
@pytest.mark.parametrize(
    ("last_name", "first_name", "patronymic"),
    [
        ("Әбілқасым", "Ғалия", "Қайратқызы"),
        ("Жаңбыршин", "Өмірзақ", "Ұланұлы"),
        ("Үсенова", "Һәзіл", "Ілиясқызы"),
        ("Иванова-Петрова", "Анна Мария", "Сергеевна"),
        ("O'Brien", "Jean-Luc", None),
        ("D\u2019Artagnan", "José", "Ñúñez"),
    ],
)
def test_validation_accepts_names_in_any_script(
    contact: ContactFunction,
    body_type: str,
    locale: str,
    last_name: str,
    first_name: str,
    patronymic: str | None,
) -> None:
    fields = valid_fields(
        last_name=last_name, first_name=first_name, patronymic=patronymic, locale=locale
    )
    answer = submit(contact, body_type, fields)
    assert_accepted(answer, body_type, locale)
    stored = stored_personal_data(contact, fields)
    assert (stored["last_name"], stored["first_name"], stored["patronymic"]) == (
        last_name,
        first_name,
        patronymic,
    )


INVALID_CASES = [
    # (field, value, code)
    ("last_name", "R2D2", "invalid"),
    ("last_name", "<script>alert(1)</script>", "invalid"),
    ("last_name", "Иванов_", "invalid"),
    ("last_name", "-'", "invalid"),
    ("last_name", "Ivan😀", "invalid"),
    ("last_name", "   ", "required"),
    ("last_name", "Қ" * 101, "too_long"),
    ("first_name", "", "required"),
    ("first_name", None, "required"),
    ("patronymic", "Ivanovich2", "invalid"),
    ("email", None, "required"),
    ("email", "not-an-email", "invalid"),
    ("email", "name@", "invalid"),
    ("email", "name@localhost", "invalid"),
    ("email", "two words@example.kz", "invalid"),
    ("email", "a" * 250 + "@example.kz", "too_long"),
    ("phone", ["123"], "invalid"),
    ("phone", ["telephone"], "invalid"),
    ("phone", ["+7 701 234"], "invalid"),
    ("phone", ["+999 1234 5678"], "invalid"),
    # Letters and extensions: the stored E.164 number would keep neither.
    ("phone", ["+7 701 FLOWERS"], "invalid"),
    ("phone", ["+7 701 234 56 78 ext 12"], "invalid"),
    ("phone", ["++7 701 234 56 78"], "invalid"),
    ("phone", ["+7 701 234 5678"] * 6, "too_many"),
    # More entries than the form has inputs, blank or not: what the OpenAPI document says.
    ("phone", ["+7 701 234 5678", "", "", "", "", ""], "too_many"),
    ("phone", ["8" * 33], "too_long"),
    ("message", "ж" * 2001, "too_long"),
    ("consent", False, "consent_required"),
    ("consent", None, "consent_required"),
    ("policy_version", None, "required"),
    ("locale", None, "required"),
]


# The language matters to the page a form post gets; JSON answers are the same in both.
@pytest.mark.parametrize(("body_type", "locale"), [("json", "ru"), ("form", "ru"), ("form", "en")])
@pytest.mark.parametrize(("field", "value", "code"), INVALID_CASES)
def test_validation_rejects_invalid_field(
    contact: ContactFunction, body_type: str, locale: str, field: str, value: Any, code: str
) -> None:
    fields = valid_fields(locale=locale)
    if value is None:
        fields.pop(field, None)
    else:
        fields[field] = value
    answer = submit(contact, body_type, fields)
    # Without a locale the page falls back to the default language.
    assert_rejected(answer, body_type, field, code, locale if field != "locale" else "ru")
    assert contact.item_for(fields) is None


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (["87012345678"], ["+77012345678"]),
        (["+7 (701) 234-56-78", "8 727 250 00 00"], ["+77012345678", "+77272500000"]),
        (["7012345678"], ["+77012345678"]),
        (["+44 20 7946 0958"], ["+442079460958"]),
        (["+1 650-253-0000", "+49 30 901820"], ["+16502530000", "+4930901820"]),
        (["+7 701 234 5678", "87012345678"], ["+77012345678"]),
        ([], []),
    ],
)
@pytest.mark.parametrize("body_type", BODY_TYPES)
def test_validation_stores_phones_as_e164(
    contact: ContactFunction, body_type: str, sent: list[str], stored: list[str]
) -> None:
    fields = valid_fields(phone=sent)
    assert_accepted(submit(contact, body_type, fields), body_type, "ru")
    assert stored_personal_data(contact, fields)["phones"] == stored


@pytest.mark.parametrize("body_type", BODY_TYPES)
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Aigerim.Ospan@example.kz", "Aigerim.Ospan@example.kz"),
        ("user+tag@sub.example.com", "user+tag@sub.example.com"),
        ("  spaced@example.kz  ", "spaced@example.kz"),
        ("айгерим@пример.қаз", "айгерим@пример.қаз"),
    ],
)
def test_validation_accepts_real_emails(
    contact: ContactFunction, body_type: str, sent: str, stored: str
) -> None:
    fields = valid_fields(email=sent)
    assert_accepted(submit(contact, body_type, fields), body_type, "ru")
    assert stored_personal_data(contact, fields)["email"] == stored


@pytest.mark.parametrize("body_type", BODY_TYPES)
def test_validation_accepts_longest_message_and_blank_optionals(
    contact: ContactFunction, body_type: str
) -> None:
    fields = valid_fields(message="ж" * 2000, patronymic="")
    assert_accepted(submit(contact, body_type, fields), body_type, "ru")
    stored = stored_personal_data(contact, fields)
    assert stored["message"] == "ж" * 2000
    assert stored["patronymic"] is None


@pytest.mark.parametrize("body_type", BODY_TYPES)
@pytest.mark.parametrize("locale", LOCALES)
def test_validation_rejects_unknown_fields(
    contact: ContactFunction, body_type: str, locale: str
) -> None:
    answer = submit(contact, body_type, valid_fields(locale=locale, nickname="Ұлжан"))
    assert_rejected(answer, body_type, "nickname", "unknown_field", locale)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consent", "on"),
        ("marketing", "yes"),
        ("phone", "+7 701 234 5678"),
        ("last_name", 42),
        ("message", {"text": "hello"}),
        ("idempotency_key", "not-a-uuid"),
    ],
)
def test_validation_rejects_wrong_json_types(
    contact: ContactFunction, field: str, value: Any
) -> None:
    answer = submit(contact, "json", valid_fields(**{field: value}))
    assert answer.status == 422
    assert answer.errors == {field: "invalid"}


def test_validation_rejects_an_input_sent_twice_in_a_form(contact: ContactFunction) -> None:
    pairs = [*form_pairs(valid_fields()), ("last_name", "Second")]
    answer = contact.post_form(pairs)
    assert answer["statusCode"] == 422


@pytest.mark.parametrize("body_type", BODY_TYPES)
def test_validation_unknown_locale(contact: ContactFunction, body_type: str) -> None:
    # JSON names the field; a form post gets the page in the default language (Russian).
    answer = submit(contact, body_type, valid_fields(locale=NEW_LANGUAGE))
    assert_rejected(answer, body_type, "locale", "invalid", "ru")


@pytest.mark.parametrize("body_type", BODY_TYPES)
@pytest.mark.parametrize("locale", LOCALES)
def test_validation_stale_policy_version_is_409(
    contact: ContactFunction, body_type: str, locale: str
) -> None:
    fields = valid_fields(locale=locale, policy_version="0.9")
    answer = submit(contact, body_type, fields)
    assert answer.status == 409
    if body_type == "json":
        assert answer.errors == {"policy_version": "stale_policy"}
    else:
        assert answer.page is not None
        message = error_message(load_strings(CONTENT, locale), "policy_version", "stale_policy")
        assert escape(message) in answer.page
    assert contact.item_for(fields) is None


@pytest.mark.parametrize("locale", LOCALES)
def test_validation_reports_every_wrong_field_at_once(
    contact: ContactFunction, locale: str
) -> None:
    fields = valid_fields(locale=locale, last_name="1", email="x", phone=["0"], consent=False)
    answer = submit(contact, "json", fields)
    assert answer.errors == {
        "last_name": "invalid",
        "email": "invalid",
        "phone": "invalid",
        "consent": "consent_required",
    }


@pytest.mark.parametrize(
    ("phones", "position"),
    [(["123", "+7 701 234 5678"], 0), (["+7 701 234 5678", "8 727 FLOWERS"], 1)],
)
def test_validation_names_the_phone_number_that_is_wrong(
    contact: ContactFunction, phones: list[str], position: int
) -> None:
    # The form puts the message under the number it is about; among the numbers sent.
    answer = contact.post_json(valid_fields(phone=phones))
    assert json.loads(answer["body"]) == {
        "errors": {"phone": "invalid"},
        "positions": {"phone": position},
    }


def test_validation_a_phone_too_long_is_named_by_its_position(contact: ContactFunction) -> None:
    answer = contact.post_json(valid_fields(phone=["+7 701 234 5678", "8" * 33]))
    assert json.loads(answer["body"])["positions"] == {"phone": 1}


@pytest.mark.parametrize("locale", LOCALES)
def test_validation_error_page_names_each_field_and_says_going_back_keeps_it(
    contact: ContactFunction, locale: str
) -> None:
    strings = load_strings(CONTENT, locale)
    fields = valid_fields(locale=locale, last_name="Smith2", email="ann@example", phone=["123"])
    answer = submit(contact, "form", fields)

    assert answer.status == 422 and answer.page is not None
    items = [line.strip() for line in answer.page.splitlines() if line.strip().startswith("<li>")]
    expected = [
        f"{strings['form.last_name']}: {error_message(strings, 'last_name', 'invalid')}",
        f"{strings['form.email']}: {error_message(strings, 'email', 'invalid')}",
        f"{strings['form.phone']} 1: {error_message(strings, 'phone', 'invalid')}",
    ]
    assert items == [f"<li>{escape(item)}</li>" for item in expected]
    assert f"<title>{escape(strings['form.error_prefix'])} " in answer.page
    assert escape(strings["error_page.go_back"]) in answer.page
    assert "Smith2" not in answer.page and "ann@example" not in answer.page


@pytest.fixture
def cross_border_setting(
    contact: ContactFunction, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[bool], None]]:
    """Point the function at a copy of the content with `ask_cross_border_consent` set."""

    def choose(asked: bool) -> None:
        content = tmp_path / "content"
        shutil.copytree(CONTENT, content, dirs_exist_ok=True)
        site_toml = content / "site.toml"
        lines = [
            f"ask_cross_border_consent = {str(asked).lower()}"
            if line.startswith("ask_cross_border_consent")
            else line
            for line in site_toml.read_text(encoding="utf-8").splitlines()
        ]
        site_toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setenv("CONTENT_DIR", str(content))
        runtime.reset()

    yield choose
    monkeypatch.undo()
    runtime.reset()


@pytest.mark.parametrize("body_type", BODY_TYPES)
def test_validation_cross_border_consent_required_when_asked(
    contact: ContactFunction, cross_border_setting: Callable[[bool], None], body_type: str
) -> None:
    cross_border_setting(True)
    fields = valid_fields()
    assert_rejected(
        submit(contact, body_type, fields), body_type, "cross_border", "consent_required", "ru"
    )
    fields = valid_fields(cross_border=True)
    assert_accepted(submit(contact, body_type, fields), body_type, "ru")
    consents = contact.item_for(fields)["consents"]["M"]
    assert set(consents) == {"processing", "marketing", "cross_border"}
    assert consents["cross_border"]["M"]["given"] == {"BOOL": True}


def test_validation_cross_border_not_recorded_when_not_asked(
    contact: ContactFunction, cross_border_setting: Callable[[bool], None]
) -> None:
    cross_border_setting(False)
    fields = valid_fields(cross_border=True)
    assert submit(contact, "json", fields).status == 201
    assert set(contact.item_for(fields)["consents"]["M"]) == {"processing", "marketing"}

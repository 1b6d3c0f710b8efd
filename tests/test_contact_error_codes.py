"""The function answers exactly the (field, code) pairs of the form's vocabulary.

`sitecontent.contact_form` is the one list: the site needs a message for each of its pairs,
so the function must never answer a pair outside it (a visitor would see no message), and the
list must hold nothing the function cannot answer (editors would write words no one reads).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from functions.contact import runtime
from sitecontent.contact_form import FIELD_CODES, HIDDEN_FIELD_CODES, REQUEST, UNKNOWN_FIELD
from tests.support.contact import JSON_HEADERS, ContactFunction, valid_fields
from tests.support.site import NEW_LANGUAGE, copy_content, set_site_option

# One body per pair: valid but for the one field (cross-border consent is asked, and given).
CASES: dict[tuple[str, str], dict[str, Any]] = {
    ("last_name", "required"): {"last_name": None},
    ("last_name", "invalid"): {"last_name": "R2D2"},
    ("last_name", "too_long"): {"last_name": "Қ" * 101},
    ("first_name", "required"): {"first_name": None},
    ("first_name", "invalid"): {"first_name": "Anna!"},
    ("first_name", "too_long"): {"first_name": "Ұ" * 101},
    ("patronymic", "invalid"): {"patronymic": "Ivanovich2"},
    ("patronymic", "too_long"): {"patronymic": "Ә" * 101},
    ("email", "required"): {"email": None},
    ("email", "invalid"): {"email": "ann@example"},
    ("email", "too_long"): {"email": "a" * 250 + "@example.kz"},
    ("phone", "invalid"): {"phone": ["123"]},
    ("phone", "too_long"): {"phone": ["8" * 33]},
    ("phone", "too_many"): {"phone": ["+7 701 234 5678"] * 6},
    ("message", "invalid"): {"message": 42},
    ("message", "too_long"): {"message": "ж" * 2001},
    ("consent", "invalid"): {"consent": "yes"},
    ("consent", "consent_required"): {"consent": False},
    ("marketing", "invalid"): {"marketing": "yes"},
    ("cross_border", "invalid"): {"cross_border": "yes"},
    ("cross_border", "consent_required"): {"cross_border": False},
    ("policy_version", "required"): {"policy_version": None},
    ("policy_version", "invalid"): {"policy_version": 42},
    ("policy_version", "stale_policy"): {"policy_version": "0.9"},
    ("locale", "required"): {"locale": None},
    ("locale", "invalid"): {"locale": NEW_LANGUAGE},
    ("locale", "too_long"): {"locale": "x" * 17},
    ("idempotency_key", "invalid"): {"idempotency_key": "not-a-uuid"},
    ("website", "invalid"): {"website": 42},
    ("nickname", UNKNOWN_FIELD): {"nickname": "Ұлжан"},
}


@pytest.fixture(scope="module")
def asking_cross_border(
    contact: ContactFunction, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContactFunction]:
    """The function reading a copy of the content that asks for cross-border consent."""
    content = copy_content(tmp_path_factory.mktemp("codes"))
    set_site_option(content, "ask_cross_border_consent", "ask_cross_border_consent = true")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONTENT_DIR", str(content))
        runtime.reset()
        yield contact
    runtime.reset()


def test_error_codes_cases_cover_the_vocabulary() -> None:
    listed = {(field, code) for field, codes in FIELD_CODES.items() for code in codes}
    listed |= {(field, code) for field, codes in HIDDEN_FIELD_CODES.items() for code in codes}
    assert set(CASES) - {("nickname", UNKNOWN_FIELD)} == listed


@pytest.mark.parametrize(("pair", "changes"), CASES.items(), ids=[f"{f}-{c}" for f, c in CASES])
def test_error_codes_each_pair_of_the_vocabulary_is_answered(
    asking_cross_border: ContactFunction, pair: tuple[str, str], changes: dict[str, Any]
) -> None:
    field, code = pair
    answer = asking_cross_border.post_json(valid_fields(**{"cross_border": True, **changes}))
    assert json.loads(answer["body"])["errors"] == {field: code}


def test_error_codes_an_unreadable_body_is_the_requests_invalid(contact: ContactFunction) -> None:
    answer = contact.post("[1, 2]", JSON_HEADERS)
    assert json.loads(answer["body"]) == {"errors": {REQUEST: "invalid"}}

"""Every error code the function can answer has words in every language of the site."""

from __future__ import annotations

from typing import get_args

import pytest

from functions.contact.errors import WHOLE_REQUEST_STATUS
from functions.contact.openapi_spec import ErrorCode
from sitecontent.site import load_site
from sitecontent.strings import load_strings
from tests.support.tools import ROOT

CONTENT = ROOT / "content"
LANGUAGES = load_site(CONTENT).languages


def test_strings_every_whole_request_code_is_a_documented_error_code() -> None:
    assert set(WHOLE_REQUEST_STATUS) <= set(get_args(ErrorCode))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", get_args(ErrorCode))
def test_strings_error_code_has_a_message(language: str, code: str) -> None:
    # The no-JavaScript error page and the form's inline errors both show this message.
    message = load_strings(CONTENT, language).get(f"errors.{code}", "")
    assert message.strip(), f"content/{language}/strings.toml lacks [errors] {code}"

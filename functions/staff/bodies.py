"""The bodies the staff API accepts, and the field errors of those it refuses."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from functions.email_address import InvalidEmail, lookup_form

# The body's own error, when it is not a JSON object at all.
BODY = "body"


class RequestRefused(Exception):
    """A body the API cannot use: 422 with `{"errors": {field: code}}`."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class PersonRequest(BaseModel):
    """A request about one person, named by email."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    email: str


class WithdrawalRequest(PersonRequest):
    """A withdrawal: the email twice, as the member of staff typed it again."""

    confirm_email: str


class EmptyRequest(BaseModel):
    """A request that carries nothing (`{}`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Model = TypeVar("Model", bound=BaseModel)
_CODES = {"missing": "required", "extra_forbidden": "unknown", "string_type": "invalid"}


def parse(model: type[Model], body: str | None) -> Model:
    """The body as `model`; `RequestRefused` naming each bad field."""
    try:
        data: Any = json.loads(body) if body else {}
    except ValueError:
        raise RequestRefused({BODY: "invalid_json"}) from None
    if not isinstance(data, dict):
        raise RequestRefused({BODY: "invalid_json"})
    try:
        request = model.model_validate(data)
    except ValidationError as exc:
        errors = {
            str(error["loc"][0]) if error["loc"] else BODY: _CODES.get(error["type"], "invalid")
            for error in exc.errors()
        }
        raise RequestRefused(errors) from None
    for name in ("email", "confirm_email"):
        value = getattr(request, name, None)
        if value is not None:
            _check_email(name, value)
    return request


def _check_email(name: str, value: str) -> None:
    try:
        lookup_form(value)
    except InvalidEmail:
        raise RequestRefused({name: "invalid"}) from None


def same_email(first: str, second: str) -> bool:
    """Whether two addresses are one, as look-ups compare them."""
    return lookup_form(first) == lookup_form(second)

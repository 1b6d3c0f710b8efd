"""The contact-form submission as the function accepts it, and its validation rules.

Validation errors come back as stable codes per field (`required`, `invalid`, `too_long`,
`too_many`, `consent_required`, `unknown_field`), never with the values that failed; for the
repeating `phone`, also the position of the number an error is about. The pairs of field and
code it can answer are the form's vocabulary, `sitecontent.contact_form`.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated, Any

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from functions.contact.errors import REQUEST
from functions.email_address import InvalidEmail, validated_email
from sitecontent.contact_form import (
    MAX_EMAIL_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PHONE_LENGTH,
    MAX_PHONES,
    NAME_FIELDS,
    PHONE_DIGITS,
    PHONE_PUNCTUATION,
    answerable,
)
from sitecontent.contact_form import NAME_PUNCTUATION as _NAME_PUNCTUATION

DEFAULT_PHONE_REGION = "KZ"
# The limits and characters are the form's vocabulary (`sitecontent.contact_form`), which the
# site renders into the form and its script checks before sending.
NAME_PUNCTUATION = frozenset(_NAME_PUNCTUATION)
_PHONE_CHARACTERS = frozenset(PHONE_DIGITS + PHONE_PUNCTUATION)

FIELD_NAMES = (
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
)
CHECKBOXES = frozenset({"consent", "marketing", "cross_border"})

# pydantic's error types, translated to the API's codes; anything else is `invalid`.
_CODE_FOR_PYDANTIC_TYPE = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "too_long": "too_many",
}


def _invalid() -> PydanticCustomError:
    return PydanticCustomError("invalid", "invalid")


def _person_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value)
    if len(name) > MAX_NAME_LENGTH:
        raise PydanticCustomError("too_long", "too_long")
    if not any(char.isalpha() for char in name):
        raise _invalid()
    if not all(char.isalpha() or char in NAME_PUNCTUATION for char in name):
        raise _invalid()
    return name


class Submission(BaseModel):
    """A validated submission: the personal data, the consents and where it came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    last_name: Annotated[StrictStr, Field(max_length=MAX_NAME_LENGTH)]
    first_name: Annotated[StrictStr, Field(max_length=MAX_NAME_LENGTH)]
    patronymic: Annotated[StrictStr, Field(max_length=MAX_NAME_LENGTH)] | None = None
    email: Annotated[StrictStr, Field(max_length=MAX_EMAIL_LENGTH)]
    phone: Annotated[
        list[Annotated[StrictStr, Field(max_length=MAX_PHONE_LENGTH)]],
        Field(max_length=MAX_PHONES),
    ] = []
    message: Annotated[StrictStr, Field(max_length=MAX_MESSAGE_LENGTH)] | None = None
    consent: StrictBool = Field(default=False, validate_default=True)
    marketing: StrictBool = False
    cross_border: StrictBool = Field(default=False, validate_default=True)
    policy_version: Annotated[StrictStr, Field(max_length=32)]
    locale: Annotated[StrictStr, Field(max_length=16)]
    idempotency_key: StrictStr | None = None
    website: StrictStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_blank_values(cls, data: Any) -> Any:
        # A form sends empty inputs as empty strings: an empty optional field is no value, and
        # an empty required field is a missing one.
        if not isinstance(data, dict):
            return data
        cleaned: dict[str, Any] = {}
        for name, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            elif name == "phone" and isinstance(value, list):
                value = [v.strip() if isinstance(v, str) else v for v in value]
                # More entries than the form has inputs are too many, blank or not: the
                # OpenAPI document's `maxItems` counts every entry.
                if len(value) <= MAX_PHONES:
                    value = [v for v in value if v != ""]
            cleaned[name] = value
        return cleaned

    @field_validator(*NAME_FIELDS)
    @classmethod
    def _check_name(cls, value: str | None) -> str | None:
        return None if value is None else _person_name(value)

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str) -> str:
        if len(value) > MAX_EMAIL_LENGTH:
            raise PydanticCustomError("too_long", "too_long")
        try:
            return validated_email(value)
        except InvalidEmail:
            raise _invalid() from None

    @field_validator("phone")
    @classmethod
    def _check_phones(cls, values: list[str]) -> list[str]:
        phones: list[str] = []
        for position, value in enumerate(values):
            # The position (among the numbers sent) lets the form put the message under the
            # input it is about.
            wrong = PydanticCustomError("invalid", "invalid", {"position": position})
            if not set(value.removeprefix("+")) <= _PHONE_CHARACTERS:
                raise wrong
            try:
                number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
            except phonenumbers.NumberParseException:
                raise wrong from None
            if not phonenumbers.is_valid_number(number):
                raise wrong
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in phones:
                phones.append(e164)
        return phones

    @field_validator("consent")
    @classmethod
    def _check_consent(cls, value: bool) -> bool:
        if not value:
            raise PydanticCustomError("consent_required", "consent_required")
        return value

    @field_validator("cross_border")
    @classmethod
    def _check_cross_border(cls, value: bool, info: ValidationInfo) -> bool:
        if not value and (info.context or {}).get("ask_cross_border_consent"):
            raise PydanticCustomError("consent_required", "consent_required")
        return value

    @field_validator("locale")
    @classmethod
    def _check_locale(cls, value: str, info: ValidationInfo) -> str:
        if value not in (info.context or {}).get("languages", ()):
            raise _invalid()
        return value

    @field_validator("idempotency_key")
    @classmethod
    def _check_idempotency_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise _invalid() from None


def _first_error_per_field(error: ValidationError) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for detail in error.errors(include_input=False, include_url=False):
        details.setdefault(str(detail["loc"][0]) if detail["loc"] else REQUEST, detail)
    return details


def field_errors(error: ValidationError) -> dict[str, str]:
    """The API's `{field: code}` for a failed validation; the first code per field wins."""
    errors: dict[str, str] = {}
    for field, detail in _first_error_per_field(error).items():
        code = _CODE_FOR_PYDANTIC_TYPE.get(detail["type"], detail["type"])
        # Any other pydantic type (a wrong JSON type, say) is the field's `invalid`.
        errors[field] = code if answerable(field, code) else "invalid"
    return errors


def field_positions(error: ValidationError) -> dict[str, int]:
    """For a repeating field's error: the position of the value it is about, where known."""
    positions: dict[str, int] = {}
    for field, detail in _first_error_per_field(error).items():
        # A length checked per item names it in the location; the number check, in context.
        position = (detail.get("ctx") or {}).get("position")
        if position is None and len(detail["loc"]) > 1 and isinstance(detail["loc"][1], int):
            position = detail["loc"][1]
        if position is not None:
            positions[field] = position
    return positions


def validate_submission(
    fields: dict[str, Any], languages: tuple[str, ...], ask_cross_border_consent: bool
) -> Submission:
    """Validate parsed form fields; raise `ValidationError` (see `field_errors`) when invalid."""
    return Submission.model_validate(
        fields,
        context={"languages": languages, "ask_cross_border_consent": ask_cross_border_consent},
    )

"""The OpenAPI document of the form API, generated from the route and the pydantic models.

Powertools describes the route and its answers; the request bodies are the `Submission`
model's own JSON schema (JSON) and the same fields as a form post sends them, because the
route reads both content types itself rather than through Powertools' JSON-only body binding.

The rules the validation enforces beyond types and lengths (the letters of a name, the
phone numbers, the languages and the current policy version) are stated from the same
constants and content the validation reads, so the document and the function cannot drift.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import BaseModel, Field

from functions.contact.body import FORM, JSON
from functions.contact.content import FormContent
from functions.contact.models import (
    CHECKBOXES,
    DEFAULT_PHONE_REGION,
    NAME_FIELDS,
    NAME_PUNCTUATION,
    Submission,
)
from sitecontent.contact_form import ERROR_CODES

TITLE = "estimation.kz contact form"
VERSION = "1.0.0"
# Every code the function answers: the form's vocabulary, which the site's messages follow.
ErrorCode = Literal[ERROR_CODES]  # type: ignore[valid-type]


class SubmissionReceived(BaseModel):
    """The answer to a JSON client whose submission was received."""

    id: str = Field(
        description=(
            "The submission's id (a UUID): the same for a retry with the same "
            "`idempotency_key` and content; the same key with other content is another "
            "submission, with another id."
        )
    )
    status: Literal["received"]


class SubmissionErrors(BaseModel):
    """What was wrong: field name (or `request` for the whole request) to an error code."""

    errors: dict[str, ErrorCode]
    positions: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description=(
            "For a field that repeats (`phone`): the 0-based position, among the non-empty "
            "values sent, of the value its error is about. Absent when no error has one."
        ),
    )


_ERROR_PAGE = {"schema": {"type": "string"}}
_JSON_ERRORS = {"model": SubmissionErrors}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}


def _refusal(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": _JSON_ERRORS, "text/html": _ERROR_PAGE},
        **extra,
    }


CONTACT_RESPONSES: dict[int, Any] = {
    201: {
        "description": "Stored (or a repeat of a stored submission): JSON clients",
        "content": {"application/json": {"model": SubmissionReceived}},
    },
    303: {
        "description": "Stored: a form post goes on to `/<locale>/thanks/`",
        "headers": {
            "Location": {"description": "The thank-you page", "schema": {"type": "string"}}
        },
    },
    403: _refusal(
        "The `Origin` is not the site's (`forbidden_origin`), or the request did not come "
        "through the site's CDN (`direct_request`)"
    ),
    409: _refusal("`policy_version` is not the current policy version: reload the page"),
    413: _refusal("The body is over the size limit"),
    415: _refusal("Neither JSON nor a form post"),
    422: _refusal("Invalid fields, each with its error code"),
    429: _refusal("Too many posts from this address; retry later", headers=_RETRY_AFTER),
    503: _refusal("Storage or encryption failed; nothing was stored", headers=_RETRY_AFTER),
}

# The check answers every refusal the submission does; it calls no storage, so its 503 is
# only the function's own breakage.
CHECK_RESPONSES: dict[int, Any] = {
    204: {
        "description": "Nothing wrong: the same body would be accepted (nothing was stored)",
        "headers": {"Cache-Control": {"description": "`no-store`", "schema": {"type": "string"}}},
    },
    **{status: CONTACT_RESPONSES[status] for status in (403, 409, 413, 415, 422, 429)},
    503: _refusal("The function's configuration or content is broken", headers=_RETRY_AFTER),
}

WARM_UP_RESPONSES: dict[int, Any] = {
    204: {
        "description": "Awake: nothing to read, nothing stored",
        "headers": {"Cache-Control": {"description": "`no-store`", "schema": {"type": "string"}}},
    },
    503: {
        "description": "The function's configuration or content is broken",
        "content": {"application/json": _JSON_ERRORS},
        "headers": _RETRY_AFTER,
    },
}


def _class_escape(char: str) -> str:
    # Only the characters that mean something inside a class are escaped: ECMA-262's Unicode
    # mode, which OpenAPI 3.1 patterns follow, refuses escapes of anything else (`\ `).
    return "\\" + char if char in "\\]^-[" else char


def name_pattern() -> str:
    """A name as the validation accepts it: letters of any script and a little punctuation.

    The property `L` (any letter) is exactly what `str.isalpha` accepts; one letter at least.
    """
    allowed = r"\p{L}" + "".join(_class_escape(char) for char in sorted(NAME_PUNCTUATION))
    return rf"^[{allowed}]*\p{{L}}[{allowed}]*$"


def phone_pattern(region: str = DEFAULT_PHONE_REGION) -> str:
    """The default region's valid numbers in E.164, from libphonenumber's own metadata.

    The validation accepts more (any country's valid number after its `+` code, national
    formats with spaces, brackets and hyphens) and stores each number in E.164; a pattern for
    every country would be the whole metadata, so the document states the stored form of the
    region the form serves.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    kinds = (
        metadata.fixed_line,
        metadata.mobile,
        metadata.toll_free,
        metadata.premium_rate,
        metadata.shared_cost,
        metadata.personal_number,
        metadata.voip,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    )
    national = "|".join(
        kind.national_number_pattern for kind in kinds if kind and kind.national_number_pattern
    )
    # `[0-9]` rather than `\d`, which means any script's digits in Python's dialect.
    national = national.replace(r"\d", "[0-9]")
    return rf"^\+{metadata.country_code}(?:{national})$"


_PHONE_DESCRIPTION = (
    "A phone number valid in its country (libphonenumber): with its `+` country code, or a "
    f"{DEFAULT_PHONE_REGION} number without one; digits, spaces, brackets, hyphens and dots "
    "after an optional leading `+` (no letters, no extensions); stored in E.164. The "
    f"pattern states the stored form of {DEFAULT_PHONE_REGION} numbers."
)


def _string_branch(prop: dict[str, Any]) -> dict[str, Any]:
    """The part of a property's schema that describes it as text."""
    return next((p for p in prop.get("anyOf", [prop]) if p.get("type") == "string"), prop)


# A form sends an input left empty as an empty value: the function takes it as no value.
_EMPTY = {"const": "", "description": "Empty: the same as leaving the field out"}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.pop("anyOf", None) or [dict(schema)]
    kept = {key: schema[key] for key in ("default", "title", "description") if key in schema}
    return {"anyOf": [*branches, _EMPTY], **kept}


def json_body_schema(content: FormContent) -> dict[str, Any]:
    """The JSON body: the `Submission` model's schema, with consent as the must it is."""
    schema = Submission.model_json_schema()
    properties = schema["properties"]
    properties["consent"] = {"type": "boolean", "const": True}
    schema["required"] = [*schema.get("required", []), "consent"]
    if content.ask_cross_border_consent:
        properties["cross_border"] = {"type": "boolean", "const": True}
        schema["required"].append("cross_border")
    # Blank is missing: a required text must have at least one character.
    for name in schema["required"]:
        if properties[name].get("type") == "string":
            properties[name]["minLength"] = 1
    for name in NAME_FIELDS:
        _string_branch(properties[name])["pattern"] = name_pattern()
    properties["email"]["format"] = "email"
    properties["phone"]["items"]["pattern"] = phone_pattern()
    properties["phone"]["items"] = _or_empty(properties["phone"]["items"])
    properties["phone"]["description"] = _PHONE_DESCRIPTION
    properties["locale"]["enum"] = list(content.languages)
    # The build makes every language publish the same versions, so they share the current one.
    properties["policy_version"]["enum"] = sorted(set(content.current_policy.values()))
    _string_branch(properties["idempotency_key"])["format"] = "uuid"
    for name, prop in properties.items():
        if name not in schema["required"] and _string_branch(prop).get("type") == "string":
            properties[name] = _or_empty(prop)
    return schema


def form_body_schema(content: FormContent) -> dict[str, Any]:
    """The form post: the same fields, every value text; a ticked box sends its value."""
    schema = json_body_schema(content)
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        if name in CHECKBOXES:
            ticked = {
                "type": "string",
                "minLength": 1,
                "description": "Present (e.g. `on`) if ticked",
            }
            properties[name] = ticked if name in schema["required"] else _or_empty(ticked)
        elif name == "phone" or "anyOf" not in prop:
            properties[name] = prop
        else:
            # Text only: a form has no null.
            branches = [branch for branch in prop["anyOf"] if branch.get("type") != "null"]
            properties[name] = {**prop, "anyOf": branches}
            properties[name].pop("default", None)
    return {**schema, "properties": properties}


def document(app: Any, content: FormContent) -> str:
    """The OpenAPI document of `app`, for the site `content` describes, as JSON text."""
    spec = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
    body = {
        "required": True,
        "content": {
            JSON: {"schema": json_body_schema(content)},
            FORM: {
                "schema": form_body_schema(content),
                "encoding": {"phone": {"style": "form", "explode": True}},
            },
        },
    }
    operation = spec["paths"]["/api/contact"]["post"]
    operation["requestBody"] = body
    check = spec["paths"]["/api/contact/check"]["post"]
    check["requestBody"] = body
    check["responses"]["204"].pop("content", None)
    # Powertools describes a body for every answer from the route's return type; a redirect
    # has none. Its own validation-error schemas go too: this API answers with ours.
    operation["responses"]["303"].pop("content", None)
    spec["paths"]["/api/warm-up"]["get"]["responses"]["204"].pop("content", None)
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        spec.get("components", {}).get("schemas", {}).pop(unused, None)
    return json.dumps(spec, indent=2, ensure_ascii=False)

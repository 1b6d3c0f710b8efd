"""The OpenAPI document of the form API, generated from the route and the pydantic models.

Powertools describes the route and its answers; the request bodies are the `Submission`
model's own JSON schema (JSON) and the same fields as a form post sends them, because the
route reads both content types itself rather than through Powertools' JSON-only body binding.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from functions.contact.body import FORM, JSON
from functions.contact.models import CHECKBOXES, Submission

TITLE = "estimation.kz contact form"
VERSION = "1.0.0"
ErrorCode = Literal[
    "required",
    "invalid",
    "too_long",
    "too_many",
    "consent_required",
    "unknown_field",
    "stale_policy",
    "payload_too_large",
    "unsupported_media_type",
    "forbidden_origin",
    "rate_limited",
    "unavailable",
]


class SubmissionReceived(BaseModel):
    """The answer to a JSON client whose submission was received."""

    id: str = Field(description="The submission's id (a UUID); the same for a retry.")
    status: Literal["received"]


class SubmissionErrors(BaseModel):
    """What was wrong: field name (or `request` for the whole request) to an error code."""

    errors: dict[str, ErrorCode]


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
    403: _refusal("The `Origin` is not the site's"),
    409: _refusal("`policy_version` is not the current policy version: reload the page"),
    413: _refusal("The body is over the size limit"),
    415: _refusal("Neither JSON nor a form post"),
    422: _refusal("Invalid fields, each with its error code"),
    429: _refusal("Too many posts from this address; retry later", headers=_RETRY_AFTER),
    503: _refusal("Storage or encryption failed; nothing was stored", headers=_RETRY_AFTER),
}


def json_body_schema() -> dict[str, Any]:
    """The JSON body: the `Submission` model's schema, with consent as the must it is."""
    schema = Submission.model_json_schema()
    properties = schema["properties"]
    properties["consent"] = {"type": "boolean", "const": True}
    schema["required"] = [*schema.get("required", []), "consent"]
    # Blank is missing: a required text must have at least one character.
    for name in schema["required"]:
        if properties[name].get("type") == "string":
            properties[name]["minLength"] = 1
    properties["email"]["format"] = "email"
    properties["idempotency_key"]["anyOf"][0]["format"] = "uuid"
    return schema


def form_body_schema() -> dict[str, Any]:
    """The form post: the same fields, every value text; a ticked box sends its value."""
    schema = json_body_schema()
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        if name in CHECKBOXES:
            properties[name] = {"type": "string", "description": "Present (e.g. `on`) if ticked"}
        elif name == "phone":
            properties[name] = prop
        else:
            text = next((p for p in prop.get("anyOf", [prop]) if p.get("type") == "string"), {})
            properties[name] = {"type": "string", **{k: v for k, v in text.items() if k != "type"}}
    return {**schema, "properties": properties}


def document(app: Any) -> str:
    """The OpenAPI document of `app` as JSON text."""
    spec = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
    operation = spec["paths"]["/api/contact"]["post"]
    operation["requestBody"] = {
        "required": True,
        "content": {
            JSON: {"schema": json_body_schema()},
            FORM: {
                "schema": form_body_schema(),
                "encoding": {"phone": {"style": "form", "explode": True}},
            },
        },
    }
    # Powertools describes a body for every answer from the route's return type; a redirect
    # has none. Its own validation-error schemas go too: this API answers with ours.
    operation["responses"]["303"].pop("content", None)
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        spec.get("components", {}).get("schemas", {}).pop(unused, None)
    return json.dumps(spec, indent=2, ensure_ascii=False)

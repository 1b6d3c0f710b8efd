"""Read a request body, JSON or a form post, into the form's fields."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from functions.contact.errors import REQUEST, SubmissionRejected
from functions.contact.models import CHECKBOXES, FIELD_NAMES

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MEDIA_TYPES = (JSON, FORM)
# Far above the largest valid form (a 2,000-character Cyrillic message is about 12 KiB
# percent-encoded), far below what would cost memory or time.
MAX_BODY_BYTES = 16 * 1024
# More inputs than the form has, by a margin; more is not a person filling in the form.
MAX_FORM_INPUTS = 4 * len(FIELD_NAMES)


def media_type(headers: Mapping[str, str]) -> str:
    """The request's media type without parameters, lower-cased ('' when absent)."""
    return (headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def is_form_post(headers: Mapping[str, str]) -> bool:
    """Whether the answer should be a page or a redirect rather than JSON."""
    return media_type(headers) == FORM


def raw_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """The body's bytes; API Gateway and function URLs may hand it over base64-encoded."""
    if not body:
        return b""
    if not is_base64_encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise SubmissionRejected({REQUEST: "invalid"}) from None


def check_size(body: str | None, is_base64_encoded: bool) -> None:
    """Refuse a body over the limit before decoding or parsing any of it."""
    # base64 is 4 characters per 3 bytes; a str is at most 4 UTF-8 bytes per character, so
    # this cheap length check rejects nothing under the limit and stops the absurd at once.
    if body and len(body) > (4 * MAX_BODY_BYTES // 3 + 4 if is_base64_encoded else MAX_BODY_BYTES):
        raise SubmissionRejected.whole_request("payload_too_large")


def read_fields(content_type: str, data: bytes) -> dict[str, Any]:
    """Parse the body of a JSON or form post into the form's fields, as the model expects."""
    if len(data) > MAX_BODY_BYTES:
        raise SubmissionRejected.whole_request("payload_too_large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionRejected({REQUEST: "invalid"}) from None
    if content_type == JSON:
        return _json_fields(text)
    return _form_fields(text)


def peek_locale(content_type: str, data: bytes) -> object:
    """The `locale` a body names, if it can be read at all: for answering in that language."""
    try:
        return read_fields(content_type, data).get("locale")
    except SubmissionRejected:
        return None


def _json_fields(text: str) -> dict[str, Any]:
    try:
        fields = json.loads(text)
    except (ValueError, RecursionError):
        raise SubmissionRejected({REQUEST: "invalid"}) from None
    if not isinstance(fields, dict):
        raise SubmissionRejected({REQUEST: "invalid"})
    return fields


def _form_fields(text: str) -> dict[str, Any]:
    try:
        inputs = parse_qs(
            text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_INPUTS
        )
    except (ValueError, UnicodeDecodeError):
        raise SubmissionRejected({REQUEST: "invalid"}) from None
    fields: dict[str, Any] = {}
    for name, values in inputs.items():
        if name == "phone":
            fields[name] = values
        elif name in CHECKBOXES:
            # A ticked box sends its value (`on` unless the markup says otherwise); an unticked
            # one sends nothing at all.
            fields[name] = any(value != "" for value in values)
        else:
            # An input the form has once arriving twice is not a form this site rendered.
            fields[name] = values[0] if len(values) == 1 else values
    return fields

"""The answers: JSON for a JSON client; a redirect or a small escaped page for a form post."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape

from aws_lambda_powertools.event_handler import Response

from functions.contact.errors import REQUEST, RETRY_AFTER, http_status
from sitecontent.contact_form import error_message, field_name

JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
# The error page needs nothing from anywhere: no scripts, styles, frames or images.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cache-Control": "no-store",
}
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def received(submission_id: str, locale: str, form_post: bool) -> Response[str]:
    """201 with the id for a JSON client; 303 to the thank-you page for a form post."""
    if form_post:
        return Response(status_code=303, headers={**API_HEADERS, "Location": f"/{locale}/thanks/"})
    return Response(
        status_code=201,
        content_type=JSON_TYPE,
        body=json.dumps({"id": submission_id, "status": "received"}),
        headers=API_HEADERS,
    )


def rejected(
    errors: Mapping[str, str],
    form_post: bool,
    locale: str,
    strings: Mapping[str, str],
    positions: Mapping[str, int] | None = None,
) -> Response[str]:
    """The errors as JSON, or for a form post as a page in the visitor's language."""
    status = int(http_status(errors))
    headers = dict(PAGE_HEADERS if form_post else API_HEADERS)
    for code in errors.values():
        if code in RETRY_AFTER:
            headers["Retry-After"] = str(RETRY_AFTER[code])
    if form_post:
        return Response(
            status_code=status,
            content_type=HTML_TYPE,
            body=error_page(errors, locale, strings, positions),
            headers=headers,
        )
    answer: dict[str, object] = {"errors": dict(errors)}
    if positions:
        answer["positions"] = dict(positions)
    return Response(
        status_code=status,
        content_type=JSON_TYPE,
        body=json.dumps(answer, ensure_ascii=False),
        headers=headers,
    )


def error_page(
    errors: Mapping[str, str],
    locale: str,
    strings: Mapping[str, str],
    positions: Mapping[str, int] | None = None,
) -> str:
    """A small page listing each error, named by its field, in the visitor's language.

    The same messages the form shows with JavaScript; going back keeps what was typed, as
    browsers restore a form's inputs on the way back, and the page says so.
    """
    items = []
    for field, code in errors.items():
        message = error_message(strings, field, code)
        name = field_name(strings, field, (positions or {}).get(field)) if field != REQUEST else ""
        items.append(f"    <li>{escape(f'{name}: {message}' if name else message)}</li>")
    # Without a language (the content could not be read) the way back is the site's root.
    contact = f"/{escape(locale)}/contact/" if locale else "/"
    title = escape(strings.get("error_page.title", ""))
    prefix = escape(strings.get("form.error_prefix", ""))
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{escape(locale)}">' if locale else "<html>",
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="robots" content="noindex">',
            f"<title>{prefix} {title}</title></head>",
            "<body><main>",
            f"  <h1>{title}</h1>",
            f"  <p>{escape(strings.get('error_page.intro', ''))}</p>",
            "  <ul>",
            *items,
            "  </ul>",
            f"  <p>{escape(strings.get('error_page.go_back', ''))}</p>",
            f'  <p><a href="{contact}">{escape(strings.get("error_page.back", ""))}</a></p>',
            "</main></body>",
            "</html>",
            "",
        ]
    )

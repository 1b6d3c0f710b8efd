"""The HTTP API of the form function: `POST /api/contact` and its OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from functions.contact import runtime, telemetry
from functions.contact.body import (
    MAX_BODY_BYTES,
    MEDIA_TYPES,
    check_size,
    is_form_post,
    media_type,
    peek_locale,
    raw_body,
    read_fields,
)
from functions.contact.content import load_form_content
from functions.contact.errors import REQUEST, StorageUnavailable, SubmissionRejected
from functions.contact.openapi_spec import (
    CHECK_RESPONSES,
    CONTACT_RESPONSES,
    WARM_UP_RESPONSES,
    document,
)
from functions.contact.responses import API_HEADERS, received, rejected
from functions.contact.settings import ContentLocation
from functions.contact.viewer import came_through_the_cdn, visitor_address

CONTACT_PATH = "/api/contact"
# The same checks as `CONTACT_PATH`, answering without storing: the page asks it for every
# error at once when its own checks already found some (docs/form-api.md, "Checking only").
CHECK_PATH = "/api/contact/check"
OPENAPI_PATH = "/api/openapi.json"
WARM_UP_PATH = "/api/warm-up"
# The methods each path answers; any other is 405 with these in `Allow`.
ALLOWED_METHODS = {CONTACT_PATH: "POST", CHECK_PATH: "POST", WARM_UP_PATH: "GET"}

# debug=False explicitly: Powertools' debug mode would print whole events, personal data
# included, whatever the environment says.
app = APIGatewayHttpResolver(debug=False)


def _through_the_cdn(resolver: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """Refuse, on every route, a request that reached the API without passing the CDN."""
    if not came_through_the_cdn(resolver.current_event.headers, runtime.edge().origin_secret):
        raise SubmissionRejected.whole_request("direct_request")
    return next_middleware(resolver)


app.use(middlewares=[_through_the_cdn])


@app.post(
    CONTACT_PATH,
    summary="Submit the contact form",
    description=(
        "A JSON body or a form post (`application/x-www-form-urlencoded`, possibly "
        f"base64-encoded), at most {MAX_BODY_BYTES} bytes. The answer follows the request: "
        "JSON for JSON, a redirect or an HTML page for a form post."
    ),
    responses=CONTACT_RESPONSES,
    operation_id="submitContactForm",
)
def submit_contact_form() -> Response[str]:
    """Check where the request comes from and what it carries, then store the submission."""
    fields = _read_submission()
    receipt = runtime.current().desk.receive(fields)
    telemetry.record_received(receipt.submission_id, receipt.locale, receipt.outcome)
    return received(receipt.submission_id, receipt.locale, is_form_post(app.current_event.headers))


@app.post(
    CHECK_PATH,
    summary="Check the contact form without sending it",
    description=(
        "The same body and the same checks as `POST /api/contact`, and the same answers for "
        "anything wrong (422 with every field's error, 409, 403, 413, 415, 429), counted by "
        "the same per-address limit; but nothing is stored, encrypted or hashed, and no AWS "
        "service is called: a body that passes answers 204."
    ),
    responses=CHECK_RESPONSES,
    operation_id="checkContactForm",
)
def check_contact_form() -> Response[str]:
    """Answer what `submit_contact_form` would refuse, storing nothing: 204 when all is well."""
    runtime.current().desk.check(_read_submission())
    return Response(status_code=204, headers=API_HEADERS)


def _read_submission() -> dict[str, Any]:
    """The fields of this request, once its origin, rate, type and size are acceptable."""
    event = app.current_event
    # Read once: each `event.headers` builds a new case-insensitive copy.
    headers = event.headers
    current = runtime.current()
    origin = headers.get("origin")
    # No Origin at all is allowed: curl and privacy-minded clients send none, and a foreign
    # page's browser always sends one with a POST.
    if origin is not None and origin.rstrip("/") not in current.settings.allowed_origins:
        raise SubmissionRejected.whole_request("forbidden_origin")
    visitor = visitor_address(
        headers, event.request_context.http.source_ip, runtime.edge().origin_secret
    )
    if not current.limiter.allow(visitor):
        raise SubmissionRejected.whole_request("rate_limited")
    content_type = media_type(headers)
    if content_type not in MEDIA_TYPES:
        raise SubmissionRejected.whole_request("unsupported_media_type")
    check_size(event.body, bool(event.is_base64_encoded))
    return read_fields(content_type, raw_body(event.body, bool(event.is_base64_encoded)))


@app.get(
    WARM_UP_PATH,
    summary="Wake the function before a submission",
    description=(
        "The contact page's script asks once per page view, so the function has started and "
        "built its clients before the visitor sends the form. Answers 204 and stores nothing."
    ),
    responses=WARM_UP_RESPONSES,
    operation_id="warmUp",
)
def warm_up() -> Response[str]:
    """Build what the first submission needs, touching no AWS service; answer 204."""
    # Not counted by the per-address limiter: a page view is not a submission, and a visitor
    # who reloads the contact page must not use up their sends. API Gateway's throttling
    # counts it like every request.
    runtime.warm_up()
    return Response(status_code=204, headers=API_HEADERS)


@app.get(OPENAPI_PATH, include_in_schema=False)
def openapi_document() -> Response[str]:
    """The OpenAPI document of this API, generated from the code and the current content."""
    # Read afresh rather than from the runtime: the document needs no AWS settings, and in the
    # preview a new policy version shows at once.
    content = load_form_content(ContentLocation().content_dir)
    return Response(
        status_code=200,
        content_type="application/json",
        body=document(app, content),
        headers=API_HEADERS,
    )


@app.exception_handler(SubmissionRejected)
def _answer_rejection(exc: SubmissionRejected) -> Response[str]:
    telemetry.record_rejected(exc.errors)
    return _answer(exc.errors, exc.locale, exc.positions)


@app.not_found
def _answer_not_found(exc: NotFoundError) -> Response[str]:
    # A known path with another method is 405, so clients learn the right one; the rest is 404.
    allowed = ALLOWED_METHODS.get(app.current_event.path)
    if allowed:
        return Response(
            status_code=405,
            content_type="application/json",
            body=json.dumps({"message": "Method not allowed"}),
            headers={**API_HEADERS, "Allow": allowed},
        )
    return _answer_routing_error(exc)


@app.exception_handler(ServiceError)
def _answer_routing_error(exc: ServiceError) -> Response[str]:
    # Powertools' own answers, such as 404 for an unknown path: not a submission at all.
    return Response(
        status_code=exc.status_code,
        content_type="application/json",
        body=json.dumps({"message": exc.msg}),
        headers=API_HEADERS,
    )


@app.exception_handler([StorageUnavailable, Exception])
def _answer_fault(exc: Exception) -> Response[str]:
    # DynamoDB or KMS failing, or anything else that broke, is ours, not the visitor's: a 503
    # they may retry, never a 500 with a traceback. Logged by type only, as the message could
    # quote what was sent.
    telemetry.record_fault(exc)
    errors = {REQUEST: "unavailable"}
    telemetry.record_rejected(errors)
    return _answer(errors, None)


def _answer(
    errors: dict[str, str], locale: object, positions: dict[str, int] | None = None
) -> Response[str]:
    event = app.current_event
    form_post = is_form_post(event.headers)
    try:
        content = runtime.current().content
    except Exception as exc:  # the settings or content themselves are broken
        telemetry.record_fault(exc)
        return rejected(errors, form_post, "en", {}, positions)
    if form_post and locale is None:
        locale = _locale_in_body(event.body, bool(event.is_base64_encoded))
    language = content.language_or_default(locale)
    return rejected(errors, form_post, language, content.strings[language], positions)


def _locale_in_body(body: str | None, is_base64_encoded: bool) -> object:
    try:
        check_size(body, is_base64_encoded)
        return peek_locale(media_type(app.current_event.headers), raw_body(body, is_base64_encoded))
    except SubmissionRejected:
        return None

"""The staff API under `/api/staff/`: the operator's actions, for a signed-in member of staff.

Thin: each route reads the verified staff member and the request, calls the one
implementation the CLI calls too (`functions.operator`), and shapes the answer. Every answer
is JSON with `Cache-Control: no-store`; errors map to statuses in one place, below.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from functions.operator import actions, inbox, queries
from functions.operator.audit import AuditTrail
from functions.operator.errors import (
    AwsFailureError,
    NotFoundError,
    OperatorError,
    RefusedError,
    UsageError,
)
from functions.operator.records import submission_id
from functions.staff import runtime, views
from functions.staff.bodies import (
    EmptyRequest,
    PersonRequest,
    RequestRefused,
    WithdrawalRequest,
    parse,
    same_email,
)
from functions.staff.session import SessionCheckUnavailable, StaffMember, Unauthorized, signed_in
from functions.submission_item import ANSWERED_AT, ANSWERED_BY, ID, STATUS, WITH_PERSONAL_DATA

PREFIX = "/api/staff"
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
STAFF = "staff"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "staff-inbox")
# debug=False explicitly: Powertools' debug mode would print whole events and answers.
app = APIGatewayHttpResolver(debug=False)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(body, ensure_ascii=False),
        headers={**HEADERS, **(headers or {})},
    )


def _staff_member() -> StaffMember:
    event = app.current_event
    claims = (
        event.request_context.authorizer.jwt_claim if event.request_context.authorizer else None
    )
    return signed_in(runtime.current().cognito, event.headers, claims)


def _signed_in_only(resolver: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """Serve only a current staff session; the actor comes from it, never from the body."""
    resolver.append_context(**{STAFF: _staff_member()})
    return next_middleware(resolver)


app.use(middlewares=[_signed_in_only])


def _audit() -> AuditTrail:
    staff: StaffMember = app.context[STAFF]
    return AuditTrail(staff.email)


def _body(model: type[Any]) -> Any:
    return parse(model, app.current_event.decoded_body)


def _id_or_not_found(text: str) -> str:
    try:
        return submission_id(text)
    except UsageError:
        raise NotFoundError("not a submission id") from None


@app.get(f"{PREFIX}/status")
def status() -> Response[str]:
    """Who is signed in."""
    staff: StaffMember = app.context[STAFF]
    return _json(200, {"signed_in_as": staff.email})


@app.get(f"{PREFIX}/inbox")
def inbox_page() -> Response[str]:
    """One page of unanswered messages, oldest first."""
    page = app.current_event.get_query_string_value("page") or None
    current = runtime.current()
    try:
        found = inbox.inbox_page(
            current.submissions, _audit(), inbox.PAGE_SIZE, page, current.reply_subjects
        )
    except UsageError:
        raise RequestRefused({"page": "invalid"}) from None
    messages = [views.inbox_entry(entry) for entry in found.submissions]
    return _json(200, {"messages": messages, "next_page": found.next_page})


@app.get(f"{PREFIX}/messages/<message_id>")
def one_message(message_id: str) -> Response[str]:
    """One message, decrypted; audited as `show`."""
    current = runtime.current()
    wanted = _id_or_not_found(message_id)
    try:
        entry = inbox.show(current.submissions, _audit(), wanted, current.reply_subjects)
    except RefusedError:  # withdrawn or anonymised: nothing to show
        raise NotFoundError("no personal data") from None
    return _json(200, views.message(entry))


@app.post(f"{PREFIX}/messages/<message_id>/answered")
def mark_answered(message_id: str) -> Response[str]:
    """Mark a message answered, by the signed-in member of staff."""
    _body(EmptyRequest)
    submissions = runtime.current().submissions
    item = submissions.get(_id_or_not_found(message_id))
    if item[STATUS] not in WITH_PERSONAL_DATA:
        raise NotFoundError("no personal data")
    if ANSWERED_AT in item:
        return _json(409, {"error": "already_answered"})
    outcome = actions.answered(submissions, _audit(), item[ID], lambda _question: True)
    if not outcome.changed:
        return _json(409, {"error": "already_answered"})
    answered = submissions.get(item[ID])
    return _json(
        200,
        {
            "id": item[ID],
            "answered_at": answered[ANSWERED_AT],
            "answered_by": answered[ANSWERED_BY],
        },
    )


@app.post(f"{PREFIX}/people/find")
def find_person() -> Response[str]:
    """The metadata of a person's submissions; none is an empty list."""
    request = _body(PersonRequest)
    submissions = runtime.current().submissions
    try:
        found = queries.find(submissions, request.email)
    except NotFoundError:
        found = []
    submissions.store.add_audit_records(_audit().read_records("find", [s[ID] for s in found]))
    return _json(200, {"submissions": found})


@app.post(f"{PREFIX}/people/export")
def export_person() -> Response[str]:
    """Everything held on a person, decrypted, as a JSON download; audited as `export`."""
    request = _body(PersonRequest)
    exported = queries.export(runtime.current().submissions, _audit(), request.email)
    filename = f"export-{dt.datetime.now(dt.UTC).date().isoformat()}.json"
    return _json(200, exported, {"Content-Disposition": f'attachment; filename="{filename}"'})


@app.post(f"{PREFIX}/people/unsubscribe")
def unsubscribe_person() -> Response[str]:
    """Turn marketing consent off on every submission of the person."""
    request = _body(PersonRequest)
    outcome = actions.unsubscribe(runtime.current().submissions, _audit(), request.email)
    return _json(200, {"changed": outcome.changed, "unchanged": outcome.unchanged})


@app.post(f"{PREFIX}/people/withdraw")
def withdraw_person() -> Response[str]:
    """Destroy the person's personal data, once the email was typed twice alike."""
    request = _body(WithdrawalRequest)
    if not same_email(request.email, request.confirm_email):
        raise RequestRefused({"confirm_email": "mismatch"})
    outcome = actions.withdraw(
        runtime.current().submissions, _audit(), request.email, lambda _question: True
    )
    return _json(200, {"changed": outcome.changed, "unchanged": outcome.unchanged})


# Errors: the one place that maps them to statuses ------------------------------------------


@app.exception_handler(Unauthorized)
def _unauthorized(exc: Unauthorized) -> Response[str]:
    logger.info("staff request refused", extra={"reason": "unauthorized"})
    return _json(401, {"error": "unauthorized"}, {"WWW-Authenticate": "Bearer"})


@app.exception_handler(SessionCheckUnavailable)
def _session_unavailable(exc: SessionCheckUnavailable) -> Response[str]:
    logger.warning("staff session could not be checked")
    return _json(503, {"error": "unavailable"}, {"Retry-After": "2"})


@app.exception_handler(RequestRefused)
def _refused_request(exc: RequestRefused) -> Response[str]:
    return _json(422, {"errors": exc.errors})


@app.exception_handler(OperatorError)
def _operator_error(exc: OperatorError) -> Response[str]:
    # The message is not logged: an operator error may name an id, never an email, but the
    # answer needs no more than its kind.
    if isinstance(exc, NotFoundError):
        return _json(404, {"error": "not_found"})
    if isinstance(exc, UsageError):
        return _json(422, {"errors": {"email": "invalid"}})
    if isinstance(exc, RefusedError):
        return _json(409, {"error": "conflict"})
    assert isinstance(exc, AwsFailureError)
    logger.warning("staff request failed", extra={"reason": type(exc.__cause__).__name__})
    return _json(503, {"error": "unavailable"}, {"Retry-After": "2"})


@app.not_found
def _not_found(exc: RouteNotFound) -> Response[str]:
    # Only a signed-in member of staff learns which paths exist.
    _staff_member()
    return _json(404, {"error": "not_found"})

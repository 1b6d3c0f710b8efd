"""The staff API's Lambda function: `functions.staff.app.handler`."""

from __future__ import annotations

from typing import Any

from functions.staff.api import app, logger


# log_event=False: answers and requests carry personal data and bearer tokens.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway HTTP API (payload 2.0) request under `/api/staff/`."""
    return app.resolve(event, context)

"""The contact-form Lambda function: `functions.contact.app.handler`."""

from __future__ import annotations

from typing import Any

from functions.contact.startup import long_lived_objects

with long_lived_objects():
    from functions.contact.api import app
    from functions.contact.telemetry import logger, metrics


# log_event=False whatever the environment says: the event holds personal data.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway HTTP API (payload 2.0) or function URL request."""
    return app.resolve(event, context)

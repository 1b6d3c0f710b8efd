"""The notifier's Lambda function: `functions.notify.app.handler`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source

from functions.notify.notifier import notify
from functions.notify.telemetry import logger, metrics


# log_event=False: the stream's new image carries the encrypted blob and the email's hash.
@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
@event_source(data_class=DynamoDBStreamEvent)
def handler(event: DynamoDBStreamEvent, context: Any) -> None:
    """Publish one notification for a batch of new submissions; raise when it cannot."""
    notify(event)

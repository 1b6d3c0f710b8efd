"""Logs and metrics of the notifier: ids and counts, never anything a visitor typed."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

# The template sets both; the fallbacks keep a misconfigured notifier reporting.
FALLBACK_SERVICE = "notifier"
FALLBACK_NAMESPACE = "EstimationSite"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or FALLBACK_SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or FALLBACK_NAMESPACE,
    service=os.environ.get("POWERTOOLS_SERVICE_NAME") or FALLBACK_SERVICE,
)


def record_published(submission_ids: list[str], message_id: str) -> None:
    """Log and count one notification sent."""
    logger.info(
        "notification published",
        extra={
            "submission_ids": submission_ids,
            "count": len(submission_ids),
            "message_id": message_id,
        },
    )
    metrics.add_metric(name="notification_published", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name="submissions_notified", unit=MetricUnit.Count, value=len(submission_ids)
    )


def record_failed(submission_ids: list[str], error_code: str) -> None:
    """Log a notification that could not be published; the batch is retried."""
    logger.error(
        "notification not published",
        extra={"submission_ids": submission_ids, "count": len(submission_ids), "error": error_code},
    )


def record_skipped(event_names: list[str]) -> None:
    """Log stream records that announce no new submission (the mapping's filter lets none by)."""
    logger.warning("records without a new submission skipped", extra={"event_names": event_names})


def record_expired(submission_ids: list[str]) -> None:
    """Log and count the deletions by the time to live that were audited."""
    logger.info(
        "expiries recorded", extra={"submission_ids": submission_ids, "count": len(submission_ids)}
    )
    metrics.add_metric(name="submissions_expired", unit=MetricUnit.Count, value=len(submission_ids))


def record_expiries_failed(submission_ids: list[str], error_code: str) -> None:
    """Log expiries the audit table did not take; the batch is retried."""
    logger.error(
        "expiries not recorded",
        extra={"submission_ids": submission_ids, "count": len(submission_ids), "error": error_code},
    )

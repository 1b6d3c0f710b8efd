"""Logs and metrics of the form function: ids, field names and error codes, never values."""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from functions.contact.errors import REQUEST, StorageUnavailable, http_status
from functions.contact.models import FIELD_NAMES

# The template sets both names in the environment; the fallbacks keep a misconfigured
# function answering (503) instead of failing to write its metrics.
FALLBACK_SERVICE = "contact-form"
FALLBACK_NAMESPACE = "EstimationSite"

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or FALLBACK_SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or FALLBACK_NAMESPACE,
    service=os.environ.get("POWERTOOLS_SERVICE_NAME") or FALLBACK_SERVICE,
)


def configure(service: str, namespace: str) -> None:
    """Name the service and metric namespace from the settings read on the first request."""
    logger.append_keys(service=service)
    metrics.service = service
    metrics.namespace = namespace


def record_received(submission_id: str, locale: str, outcome: str) -> None:
    """Log and count a submission that was stored, repeated, or caught by the honeypot."""
    if outcome == "honeypot":
        logger.info("submission rejected", extra={"reason": "honeypot"})
        _count_rejection("honeypot")
        return
    logger.info(
        "submission received",
        extra={"submission_id": submission_id, "locale": locale, "outcome": outcome},
    )
    name = "submission_accepted" if outcome == "stored" else "submission_repeated"
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def record_rejected(errors: Mapping[str, str]) -> None:
    """Log and count a refused request by its reason: the codes and the known field names."""
    codes = sorted(set(errors.values()))
    status = int(http_status(errors))
    reason = codes[0] if status != 422 else "invalid_fields"
    logger.info(
        "submission rejected",
        extra={
            "status": status,
            "reason": reason,
            "error_codes": codes,
            # An unknown field's name is itself visitor input: count those, never name them.
            "fields": sorted(field for field in errors if field in FIELD_NAMES),
            "unknown_fields": sum(1 for field in errors if field not in (*FIELD_NAMES, REQUEST)),
        },
    )
    _count_rejection(reason)


def record_fault(exc: BaseException) -> None:
    """Log a server-side fault by its type only: exception messages may quote input."""
    extra = {"fault": type(exc).__name__}
    if isinstance(exc, StorageUnavailable):
        # Its arguments are ours: the service and AWS's error code, never input.
        extra["service_fault"] = ":".join(str(arg) for arg in exc.args)
    logger.error("submission not stored", extra=extra)


def _count_rejection(reason: str) -> None:
    # One request is one flush of the metrics, so the dimension names this rejection only.
    metrics.add_dimension(name="reason", value=reason)
    metrics.add_metric(name="submission_rejected", unit=MetricUnit.Count, value=1)

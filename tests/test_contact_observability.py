"""Logs and metrics of the form function: useful to operators, empty of personal data."""

from __future__ import annotations

import json
import logging

import pytest

from tests.support.contact import (
    ContactFunction,
    captured_output,
    valid_fields,
)


def emf_metrics(output: str) -> list[dict]:
    """The CloudWatch embedded-metric documents printed to stdout."""
    documents = []
    for line in output.splitlines():
        if line.startswith('{"_aws"'):
            documents.append(json.loads(line))
    return documents


def test_observability_accepted_submission_is_counted_and_logged_by_id(
    contact: ContactFunction,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    capsys.readouterr()
    answer = contact.post_json(valid_fields())
    submission_id = json.loads(answer["body"])["id"]
    output = captured_output(capsys, caplog)
    [metric] = emf_metrics(output)
    assert metric["submission_accepted"] == [1.0]
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "EstimationSite"
    assert submission_id in output
    contact.assert_not_in(output)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email": "not-an-email"}, "invalid_fields"),
        ({"policy_version": "0.1"}, "stale_policy"),
        ({"website": "https://spam.example"}, "honeypot"),
    ],
)
def test_observability_rejection_is_counted_by_reason(
    contact: ContactFunction,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    change: dict,
    reason: str,
) -> None:
    caplog.set_level(logging.INFO)
    capsys.readouterr()
    contact.post_json(valid_fields(**change))
    output = captured_output(capsys, caplog)
    [metric] = emf_metrics(output)
    assert metric["submission_rejected"] == [1.0]
    assert metric["reason"] == reason
    contact.assert_not_in(output)


def test_observability_logs_name_fields_and_codes_never_values(
    contact: ContactFunction,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    capsys.readouterr()
    fields = valid_fields(
        last_name="Нұрлыбекова7",  # noqa: RUF001
        email="nurlybekova@@example.kz",
        phone=["+7 777 000"],
        secret_note="Қазақстан Республикасы",
    )
    contact.post_json(fields)
    output = captured_output(capsys, caplog)
    record = next(r for r in caplog.records if r.getMessage() == "submission rejected")
    assert record.error_codes == ["invalid", "unknown_field"]
    assert record.fields == ["email", "last_name", "phone"]
    assert record.unknown_fields == 1  # counted; its name is visitor input too
    assert "secret_note" not in output
    contact.assert_not_in(output)

"""The warm-up the contact page sends: 204, nothing stored, no AWS call, the first send ready.

The page's side (one request per page view, none elsewhere or without JavaScript) is in
`tests/test_browser_warm_up.py`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import botocore.client
import botocore.session
import pytest

from functions import personal_data
from functions.contact import runtime
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import (  # noqa: F401 (an autouse fixture)
    ContactFunction,
    personal_data_kept_out_of_logs,
    valid_fields,
)

WARM_UP = "/api/warm-up"


def request(path: str, method: str = "GET", source_ip: str = "203.0.113.7") -> dict:
    from functions.contact.app import handler

    event = http_api_event(method, path, None, {"origin": "https://estimation.kz"}, source_ip)
    return handler(event, LocalLambdaContext())


@pytest.fixture
def cold(contact: ContactFunction) -> Iterator[ContactFunction]:
    """The function as a new Lambda instance finds it: nothing built, no data key cached."""
    runtime.reset()
    personal_data.data_masker.cache_clear()
    yield contact
    runtime.reset()


def test_warm_up_answers_204_uncached_with_no_body(cold: ContactFunction) -> None:
    answer = request(WARM_UP)

    assert answer["statusCode"] == 204
    assert not answer.get("body")
    assert answer["headers"]["Cache-Control"] == "no-store"


def test_warm_up_stores_nothing_and_calls_no_aws_service(
    cold: ContactFunction, aws_calls: Counter[str]
) -> None:
    stored = cold.items()
    aws_calls.clear()
    for _ in range(3):
        assert request(WARM_UP)["statusCode"] == 204

    assert aws_calls == Counter()
    assert cold.items() == stored


def test_warm_up_builds_what_the_first_submission_needs(
    cold: ContactFunction, aws_calls: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    request(WARM_UP)
    created: list[str] = []
    create_client = botocore.session.Session.create_client

    def recording(self: botocore.session.Session, service: str, *args, **kwargs):
        created.append(service)
        return create_client(self, service, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", recording)

    fields = valid_fields()
    answer = cold.post_json(fields)

    # The submission found its settings, content, clients and key provider made: it only
    # called AWS, once for the data key of the cache window and once each for the rest.
    assert answer["statusCode"] == 201
    assert created == []
    assert aws_calls == Counter(
        {"kms.GenerateDataKey": 1, "kms.GenerateMac": 1, "dynamodb.PutItem": 1}
    )
    assert cold.item_for(fields) is not None


def test_warm_up_does_not_use_up_the_sends_of_an_address(
    cold: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    runtime.reset()
    try:
        for _ in range(5):
            assert request(WARM_UP, source_ip="198.51.100.9")["statusCode"] == 204
        sends = [cold.post_json(valid_fields(), source_ip="198.51.100.9") for _ in range(3)]
    finally:
        monkeypatch.undo()
        runtime.reset()

    assert [answer["statusCode"] for answer in sends] == [201, 201, 429]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_warm_up_other_methods_are_405_naming_get(cold: ContactFunction, method: str) -> None:
    answer = request(WARM_UP, method)

    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == "GET"


def test_warm_up_with_broken_settings_is_a_503_to_retry(
    cold: ContactFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = cold.items()
    monkeypatch.delenv("SUBMISSIONS_TABLE")
    runtime.reset()
    try:
        answer = request(WARM_UP)
    finally:
        monkeypatch.undo()
        runtime.reset()

    assert answer["statusCode"] == 503
    assert json.loads(answer["body"]) == {"errors": {"request": "unavailable"}}
    assert "Retry-After" in answer["headers"]
    assert cold.items() == stored

"""Post to the contact-form function in-process, against the template's stack in moto.

Used by the function's own tests and by anyone whose tests need stored submissions.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import boto3
import pytest
from moto import mock_aws

from functions.contact import runtime
from functions.contact.app import handler
from functions.contact.store import SubmissionWriter
from functions.personal_data import decrypt_personal_data
from preview.lambda_events import LocalLambdaContext, http_api_event
from sitecontent.policy import current_policy_version
from tests.support.aws_env import use_fake_aws_credentials
from tests.support.stack import REGION, Stack, deploy_stack
from tests.support.tools import ROOT

SITE_ORIGIN = "https://estimation.kz"
# Fields that carry no personal data: logs may name the locale, and the rest are flags, the
# policy version and the browser's random key.
NOT_PERSONAL = frozenset(
    {"consent", "marketing", "cross_border", "policy_version", "locale", "idempotency_key"}
)
# The version the site's pages name today: what a fresh page sends.
CURRENT_POLICY_VERSION = current_policy_version(ROOT / "content", "ru").version
# Shorter values ("on", "ru") occur in any log by chance.
MIN_TRACEABLE_LENGTH = 4
JSON_HEADERS = {"content-type": "application/json", "origin": SITE_ORIGIN}
FORM_HEADERS = {"content-type": "application/x-www-form-urlencoded", "origin": SITE_ORIGIN}


def valid_fields(**changes: Any) -> dict[str, Any]:
    """A valid JSON submission (Kazakh names, a KZ phone), with `changes` applied."""
    fields: dict[str, Any] = {
        "last_name": "Әбілқасым",
        "first_name": "Ұлжан",
        "patronymic": "Қайратқызы",
        "email": "ulzhan.abilkasym@example.kz",
        "phone": ["+7 701 234 5678"],
        "message": "Прошу связаться со мной.",  # noqa: RUF001
        "consent": True,
        "marketing": False,
        "policy_version": CURRENT_POLICY_VERSION,
        "locale": "ru",
        "idempotency_key": str(uuid.uuid4()),
    }
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


def idempotency_key_in(body: str | bytes | None, base64_encoded: bool) -> str | None:
    """The idempotency key a request body carries (JSON or form), as the function reads it."""
    if body is None:
        return None
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        text = (base64.b64decode(raw, validate=True) if base64_encoded else raw).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    try:
        parsed = json.loads(text)
        key = parsed.get("idempotency_key") if isinstance(parsed, dict) else None
    except ValueError:
        key = (parse_qs(text).get("idempotency_key") or [None])[0]
    try:
        return str(uuid.UUID(key)) if isinstance(key, str) else None
    except ValueError:
        return None


@dataclass
class ContactFunction:
    """The handler with its stack: post to it, and look at what it stored."""

    stack: Stack
    environment: dict[str, str]
    # Every personal value posted so far, to prove none of them reaches a log.
    sent_values: set[str] = field(default_factory=set)
    # The item ids the function tried to write while handling one request, by that request's
    # idempotency key, in order: an id derives from the key and the content, so a test cannot
    # compute it and learns it from the function's one writer instead.
    put_attempts: dict[str, list[str]] = field(default_factory=dict)
    _attempts_of_this_request: list[str] = field(default_factory=list)

    def post(
        self,
        body: str | bytes | None,
        headers: dict[str, str],
        source_ip: str = "203.0.113.7",
        base64_encoded: bool = False,
        path: str = "/api/contact",
    ) -> dict[str, Any]:
        """Send a raw POST (to /api/contact unless `path` says) and return the Lambda answer."""
        encoded = base64_encoded or isinstance(body, bytes)
        event = http_api_event("POST", path, body, headers, source_ip, base64_encoded=encoded)
        self._attempts_of_this_request.clear()
        answer = handler(event, LocalLambdaContext())
        key = idempotency_key_in(event.get("body"), event["isBase64Encoded"])
        if key is not None:
            attempts = self.put_attempts.setdefault(key, [])
            attempts += [i for i in self._attempts_of_this_request if i not in attempts]
        return answer

    def record_put(self, item: dict[str, Any]) -> None:
        """Note an item id the function tried to write (see `put_attempts`)."""
        self._attempts_of_this_request.append(item["id"])

    def post_json(self, fields: dict[str, Any], **options: Any) -> dict[str, Any]:
        self.remember(fields.items())
        return self.post(json.dumps(fields), JSON_HEADERS, **options)

    def post_form(self, pairs: list[tuple[str, str]], **options: Any) -> dict[str, Any]:
        self.remember(pairs)
        return self.post(urlencode(pairs), FORM_HEADERS, **options)

    def remember(self, pairs: Any) -> None:
        """Note the personal values among posted fields (and anything in unknown fields)."""
        for name, value in pairs:
            if name in NOT_PERSONAL:
                continue
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, str):
                    continue
                # As sent, and as it may be normalised (email case, phone digits).
                forms = {item.strip(), item.strip().casefold()}
                if name == "phone":
                    forms.add(re.sub(r"[^\d+]", "", item))
                self.sent_values.update(f for f in forms if len(f) >= MIN_TRACEABLE_LENGTH)

    def assert_not_in(self, text: str) -> None:
        """Fail if any personal value posted so far appears in `text` (logs, metrics)."""
        leaked = sorted(value for value in self.sent_values if value in text)
        assert not leaked, f"{len(leaked)} submitted value(s) appear in the logs"

    def tables(self) -> list[str]:
        return boto3.client("dynamodb", region_name=REGION).list_tables()["TableNames"]

    def items(self, table: str | None = None) -> list[dict[str, Any]]:
        """Every item of a table (the submissions table by default), as DynamoDB returns it."""
        client = boto3.client("dynamodb", region_name=REGION)
        name = table or self.environment["SUBMISSIONS_TABLE"]
        return client.scan(TableName=name, ConsistentRead=True)["Items"]

    def item(self, submission_id: str) -> dict[str, Any] | None:
        """The stored item with this id, if any."""
        client = boto3.client("dynamodb", region_name=REGION)
        answer = client.get_item(
            TableName=self.environment["SUBMISSIONS_TABLE"],
            Key={"id": {"S": submission_id}},
            ConsistentRead=True,
        )
        return answer.get("Item")

    def item_for(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The item stored for the latest post with these fields' idempotency key, if any.

        Every id the function tried to write for that key is looked up in the table itself, so
        "None" means that no post with the key left an item.
        """
        key = str(uuid.UUID(fields["idempotency_key"]))
        for submission_id in reversed(self.put_attempts.get(key, [])):
            item = self.item(submission_id)
            if item is not None:
                return item
        return None

    def personal_data(self, item: dict[str, Any]) -> dict[str, Any]:
        """Decrypt an item's personal data with the operator's rights."""
        return decrypt_personal_data(
            self.environment["DATA_KEY_ARN"], item["id"]["S"], item["personal_data"]["S"]
        )

    def clear(self) -> None:
        """Delete every stored submission, so a test starts from an empty table."""
        client = boto3.client("dynamodb", region_name=REGION)
        for item in self.items():
            client.delete_item(
                TableName=self.environment["SUBMISSIONS_TABLE"], Key={"id": item["id"]}
            )


@contextmanager
def contact_function(**environment: str) -> Iterator[ContactFunction]:
    """Deploy the template in moto and point the handler at it; `environment` overrides.

    The per-address rate limit is off unless `RATE_LIMIT_PER_MINUTE` is given, so tests may
    post many times from one address.
    """
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        use_fake_aws_credentials(patch)
        stack = deploy_stack(name=f"contact-{uuid.uuid4().hex[:8]}", site_origin=SITE_ORIGIN)
        settings = {**stack.environment, "RATE_LIMIT_PER_MINUTE": "0", **environment}
        for name, value in settings.items():
            patch.setenv(name, value)
        runtime.reset()
        function = ContactFunction(stack, dict(os.environ))
        put_new = SubmissionWriter.put_new

        def recorded_put_new(writer: SubmissionWriter, item: dict[str, Any]) -> None:
            function.record_put(item)
            put_new(writer, item)

        patch.setattr(SubmissionWriter, "put_new", recorded_put_new)
        try:
            yield function
        finally:
            runtime.reset()


def captured_output(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> str:
    """Everything the function logged or printed (log records with their extra keys, EMF)."""
    printed = capsys.readouterr()
    records = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    return f"{printed.out}\n{printed.err}\n{records}"


@pytest.fixture(autouse=True)
def personal_data_kept_out_of_logs(
    contact: ContactFunction, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Import into a test module: after each test, no posted value is in its logs or output."""
    caplog.set_level(logging.INFO)
    yield
    contact.assert_not_in(captured_output(capsys, caplog))

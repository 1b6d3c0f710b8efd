"""The installed `estimation-operator` command, run as operators run it: a separate process
pointed with `--stack` and `--endpoint-url` at a moto server holding the template's stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from functions.contact import runtime
from functions.contact.app import handler
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import JSON_HEADERS, SITE_ORIGIN, valid_fields
from tests.support.stack import function_environment, stack_on_moto_server
from tests.support.tools import require

COMMAND = Path(sys.executable).with_name("estimation-operator")
STACK = "operator-entry-point"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "AWS_REGION": "eu-central-1",
}


@pytest.fixture(scope="module")
def moto_server():
    """A moto server on a free loopback port with the stack created from the template."""
    with stack_on_moto_server(STACK, SITE_ORIGIN) as (endpoint, outputs):
        yield endpoint, outputs


def submit_through_handler(endpoint: str, outputs: dict[str, str], email: str) -> str:
    """Store one submission with the real handler talking to the moto server."""
    fields = valid_fields(email=email, first_name="Ерлан", phone=["+7 727 355 5555"])
    with pytest.MonkeyPatch.context() as patch:
        for name, value in function_environment(endpoint, outputs).items():
            patch.setenv(name, value)
        runtime.reset()
        try:
            event = http_api_event("POST", "/api/contact", json.dumps(fields), JSON_HEADERS)
            answer = handler(event, LocalLambdaContext())
        finally:
            runtime.reset()
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"]


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    # Only fake credentials: no endpoint in the environment, so `--endpoint-url` must carry
    # every call, the Encryption SDK's own KMS calls included.
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [str(COMMAND), *args],
        env={**environment, **FAKE_CREDENTIALS},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_entry_point_exports_through_stack_and_endpoint_options(moto_server):
    require(COMMAND.exists(), f"{COMMAND} is not installed (pip install -e .)")
    endpoint, outputs = moto_server
    email = f"entry.{uuid.uuid4().hex[:8]}@example.kz"
    submission_id = submit_through_handler(endpoint, outputs, email)

    exported = run_command("--stack", STACK, "--endpoint-url", endpoint, "export", email)
    unknown = run_command("--stack", STACK, "--endpoint-url", endpoint, "find", "x@example.kz")

    assert exported.returncode == 0, exported.stderr
    (submission,) = json.loads(exported.stdout)["submissions"]
    assert submission["id"] == submission_id
    assert submission["personal_data"]["first_name"] == "Ерлан"
    assert submission["personal_data"]["phones"] == ["+77273555555"]
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("estimation-operator: no submissions for that email")

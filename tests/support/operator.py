"""Run the operator CLI in-process against the template's stack in moto, as tests need it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from functions.contact.app import handler
from functions.operator.cli import main
from preview.lambda_events import LocalLambdaContext, http_api_event
from tests.support.contact import FORM_HEADERS, JSON_HEADERS
from tests.support.stack import Stack


@dataclass(frozen=True)
class Result:
    """What one command printed, and its exit code."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Operator = Callable[..., Result]


def operator_runner(stack: Stack, capsys: pytest.CaptureFixture[str]) -> Operator:
    """`estimation-operator --stack <the test stack> ARGS...`, in-process."""

    def run(*args: str) -> Result:
        capsys.readouterr()  # drop what the handlers printed (their logs and metrics)
        code = main(["--stack", stack.name, *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


class TerminalInput(io.StringIO):
    """Standard input as a person at a terminal types it."""

    def isatty(self) -> bool:
        return True


def submit_json(fields: dict[str, Any]) -> str:
    """Post the fields through the real handler as the page's script does; return the id."""
    event = http_api_event("POST", "/api/contact", json.dumps(fields), JSON_HEADERS)
    answer = handler(event, LocalLambdaContext())
    assert answer["statusCode"] == 201, answer["body"]
    return json.loads(answer["body"])["id"]


def submit_form(body: str) -> int:
    """Post a urlencoded form as a browser without JavaScript does; return the status."""
    event = http_api_event("POST", "/api/contact", body, FORM_HEADERS)
    return handler(event, LocalLambdaContext())["statusCode"]


def stored_item(stack: Stack, submission_id: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(stack.outputs["SubmissionsTableName"])
    return table.get_item(Key={"id": submission_id}, ConsistentRead=True).get("Item")


def every_stored_text() -> str:
    """Every attribute of every item of every table, as one text to search."""
    dynamodb = boto3.client("dynamodb")
    texts = []
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            texts.append(json.dumps(page["Items"], ensure_ascii=False))
    return "\n".join(texts)

"""Run the operator CLI in-process against the template's stack in moto, as tests need it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from functions.operator.cli import main
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


def stored_item(stack: Stack, submission_id: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(stack.outputs["SubmissionsTableName"])
    return table.get_item(Key={"id": submission_id}, ConsistentRead=True).get("Item")

"""Figures for the form function: cold start, warm latency beside the bare AWS calls, calls.

Targets (issue 3): fresh interpreter → handler imported and first request answered ≤ 400 ms
(median of several runs); warm p50 ≤ 1.5 times the bare calls one submission needs (one `put_item`
and one KMS call) on the same moto in the same run; at most one DynamoDB write and one KMS
call per submission in steady state.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLD_START_TARGET_MS = 400.0
WARM_RATIO_TARGET = 1.5
COLD_RUNS = 7
WARM_RUNS = 500
COUNTED_SUBMISSIONS = 1000
ORIGIN = "https://estimation.kz"

# The same start, importing only the libraries the function may not drop and none of its code:
# the part of the cold start that no change to the function's own code can take away.
# The collector is paused as the handler pauses it (`functions/contact/startup.py`).
LIBRARIES_SCRIPT = """
import time
started = time.perf_counter()
import gc
gc.disable()
import boto3
import email_validator
import phonenumbers
import pydantic
import pydantic_settings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
    AWSEncryptionSDKProvider,
)
imported = time.perf_counter()
import json
print(json.dumps({"libraries_ms": (imported - started) * 1e3}))
"""


def _submission() -> dict:
    from tests.support.contact import valid_fields

    return valid_fields()


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _line(label: str, value: float, unit: str, target: float | None = None) -> None:
    if target is None:
        print(f"  {label:<58} {value:9.2f} {unit}")
    else:
        print(
            f"  {label:<58} {value:9.2f} {unit}  target ≤ {target:g}"
            f"  ({value / target:.2f} of target)"
        )


def cold_start() -> None:
    """Medians over fresh interpreters against a moto server: import, then the first answer.

    Three ways of loading the same function: from the repository's virtualenv (bytecode
    cached); from its package (the zip's files, with this machine's wheels) carrying bytecode,
    as a deploy from a machine with the runtime's Python makes it; and from the package without
    bytecode, as Lambda runs a zip made without: it unpacks the zip read-only, so each cold
    start compiles every module again.
    """
    import tempfile

    from infra.deploy.packaging import stage_function
    from tests.support.packaged import answer_first_request
    from tests.support.stack import function_environment, stack_on_moto_server

    # The moto server would log every request it serves.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    ways = ("repository", "package with bytecode", "package without bytecode")
    runs: dict[str, list] = {way: [] for way in ways}
    libraries_ms = []
    with (
        tempfile.TemporaryDirectory() as work,
        stack_on_moto_server("bench-cold", ORIGIN) as (endpoint, outputs),
    ):
        environment = function_environment(endpoint, outputs)
        # This machine's Python stands in for the runtime's in writing the bytecode.
        compiled = stage_function(
            ROOT / "content", Path(work) / "compiled", bytecode_python=sys.executable
        )
        bare = stage_function(ROOT / "content", Path(work) / "bare")
        for _ in range(COLD_RUNS):
            # Interleaved, so all see the same load on the machine.
            for way, folder in zip(ways, (None, compiled, bare), strict=True):
                first = answer_first_request(
                    environment, _submission(), folder, write_bytecode=folder is None
                )
                assert first.status == 201, first.body
                runs[way].append(first)
            libraries = subprocess.run(
                [sys.executable, "-c", LIBRARIES_SCRIPT],
                capture_output=True,
                text=True,
                check=True,
            )
            libraries_ms.append(json.loads(libraries.stdout.strip().splitlines()[-1]))
    print(f"cold start ({COLD_RUNS} fresh interpreters each, moto server on loopback)")
    for way in ways:
        print(f"  from the {way}:")
        _line(
            "  handler imported + first request answered (median)",
            statistics.median(r.total_ms for r in runs[way]),
            "ms",
            COLD_START_TARGET_MS,
        )
        _line("    the same, fastest run", min(r.total_ms for r in runs[way]), "ms")
        _line(
            "    of which importing the handler (median)",
            statistics.median(r.import_ms for r in runs[way]),
            "ms",
        )
        _line(
            "    process start → answered, incl. interpreter start",
            statistics.median(r.wall_ms for r in runs[way]),
            "ms",
        )
    _line(
        "importing only the required libraries (median)",
        statistics.median(r["libraries_ms"] for r in libraries_ms),
        "ms",
    )


def warm_and_calls() -> None:
    """Warm latency in-process against moto beside the bare calls, and calls per submission."""
    import boto3
    import botocore.client
    from moto import mock_aws

    from functions.email_address import email_hash
    from tests.support.contact import JSON_HEADERS, contact_function

    calls: Counter[str] = Counter()
    make_api_call = botocore.client.BaseClient._make_api_call

    def counting(self: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return make_api_call(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        with contact_function() as function, _function_output_discarded():
            env = function.environment
            dynamodb = boto3.client("dynamodb")
            kms = boto3.client("kms")
            bodies = [json.dumps(_submission()) for _ in range(WARM_RUNS + COUNTED_SUBMISSIONS + 1)]
            first = json.loads(function.post(bodies.pop(), JSON_HEADERS)["body"])["id"]
            # The baseline writes an item of exactly the shape the function writes.
            item = function.item(first)

            def bare_calls() -> None:
                # What one submission cannot do without: hash the email, write one item.
                digest = email_hash(kms, env["EMAIL_HASH_KEY_ARN"], "bench@example.kz")
                dynamodb.put_item(
                    TableName=env["SUBMISSIONS_TABLE"],
                    Item={**item, "id": {"S": str(uuid.uuid4())}, "email_hash": {"S": digest}},
                    ConditionExpression="attribute_not_exists(id)",
                )

            for body in bodies[:20]:  # warm both paths: clients, data-key cache, imports
                function.post(body, JSON_HEADERS)
                bare_calls()
            handler_ms, bare_ms = [], []
            # Interleaved, so both see the same machine load and the same table size.
            for body in bodies[20:WARM_RUNS]:
                start = time.perf_counter()
                answer = function.post(body, JSON_HEADERS)
                handler_ms.append((time.perf_counter() - start) * 1000)
                assert answer["statusCode"] == 201
                start = time.perf_counter()
                bare_calls()
                bare_ms.append((time.perf_counter() - start) * 1000)

            calls.clear()
            for body in bodies[WARM_RUNS:]:
                assert function.post(body, JSON_HEADERS)["statusCode"] == 201
    finally:
        botocore.client.BaseClient._make_api_call = make_api_call
        del mock_aws

    print(f"warm, in-process against moto ({len(handler_ms)} submissions, interleaved)")
    ratio_p50 = statistics.median(handler_ms) / statistics.median(bare_ms)
    _line("handler p50", statistics.median(handler_ms), "ms")
    _line("handler p99", _percentile(handler_ms, 0.99), "ms")
    _line("bare calls p50 (GenerateMac + PutItem)", statistics.median(bare_ms), "ms")
    _line("bare calls p99", _percentile(bare_ms, 0.99), "ms")
    _line("ratio handler / bare, p50", ratio_p50, "times", WARM_RATIO_TARGET)
    _line(
        "ratio handler / bare, p99",
        _percentile(handler_ms, 0.99) / _percentile(bare_ms, 0.99),
        "times",
        WARM_RATIO_TARGET,
    )
    print(f"AWS calls per {COUNTED_SUBMISSIONS} submissions (steady state)")
    for call in ("dynamodb.PutItem", "kms.GenerateMac", "kms.GenerateDataKey", "kms.Decrypt"):
        _line(call, calls[call], "calls")
    others = sum(
        count
        for call, count in calls.items()
        if call not in {"dynamodb.PutItem", "kms.GenerateMac", "kms.GenerateDataKey", "kms.Decrypt"}
    )
    _line("any other call", others, "calls")
    _line(
        "KMS calls per submission",
        sum(count for call, count in calls.items() if call.startswith("kms."))
        / COUNTED_SUBMISSIONS,
        "calls",
        1,
    )
    _line(
        "DynamoDB calls per submission",
        sum(count for call, count in calls.items() if call.startswith("dynamodb."))
        / COUNTED_SUBMISSIONS,
        "calls",
        1,
    )


@contextlib.contextmanager
def _function_output_discarded() -> Iterator[None]:
    """Send the function's log lines and metrics (EMF, printed to stdout) to /dev/null.

    They are still formatted and written, as in Lambda, so the figures include their cost;
    only the terminal is spared a few thousand JSON lines between the figures.
    """
    from functions.contact.telemetry import logger

    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        previous = logger.registered_handler.setStream(sink)
        try:
            yield
        finally:
            logger.registered_handler.setStream(previous)


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    cold_start()
    warm_and_calls()


if __name__ == "__main__":
    main()

"""Figures for the form function: cold start, the warm-up, warm latency, calls per submission.

Targets, each a ratio measured in one run (issue 13):
- cold start from the package with bytecode ≤ 1.2 times the libraries' floor, under Lambda's
  Python (3.13) and, beside it, this machine's;
- a submission a few seconds after its instance's warm-up ≤ 1.3 times the bare AWS calls it needs;
- warm p50 ≤ 1.3 times the bare calls one submission needs (one `put_item`, one KMS call) on the
  same moto in the same run, on this machine's Python and again on Lambda's; at most one
  DynamoDB write and one KMS call per submission.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"
COLD_RATIO_TARGET = 1.2
WARMED_RATIO_TARGET = 1.3
WARM_RATIO_TARGET = 1.3
# Each fresh interpreter's figure moves by ±20 % on a quiet machine; seven runs left the median
# ratio moving by 0.3 from one run to the next.
COLD_RUNS = 15
WARM_UP_RUNS = 7
# How long the visitor types between the page's warm-up and their send, here.
TYPING_SECONDS = 3.0
WARM_RUNS = 500
COUNTED_SUBMISSIONS = 1000
OWN_WORK_RUNS = 300
ORIGIN = "https://estimation.kz"
# `./dev`'s virtualenv on Lambda's Python, where the warm figures are taken again.
LAMBDA_PYTHON = ROOT / ".venv-lambda" / "bin" / "python"

# The same start, importing only the libraries the function is built on and none of its code:
# the part of the cold start no change to the function's own code can take away. The
# collector is paused as the handler pauses it (`functions/contact/startup.py`).
LIBRARIES_SCRIPT = """
import time
started, started_cpu = time.perf_counter(), time.process_time()
import gc
gc.disable()
import aws_encryption_sdk
import boto3
import email_validator
import phonenumbers
import pydantic
import pydantic_settings
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.provider import BaseProvider
imported, imported_cpu = time.perf_counter(), time.process_time()
import json
print(json.dumps({
    "libraries_ms": (imported - started) * 1e3,
    "libraries_cpu_ms": (imported_cpu - started_cpu) * 1e3,
}))
"""


def _submission() -> dict:
    from tests.support.contact import valid_fields

    return valid_fields()


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _line(label: str, value: float, unit: str, target: float | None = None) -> None:
    if target is None:
        print(f"  {label:<62} {value:9.2f} {unit}")
    else:
        print(
            f"  {label:<62} {value:9.2f} {unit}  target ≤ {target:g}"
            f"  ({value / target:.2f} of target)"
        )


def _pythons() -> dict[str, str]:
    """This machine's Python and Lambda's (3.13), by version, when this machine has it."""
    from infra.runtime_python import RuntimePythonNotFound, find_runtime_python

    pythons = {HERE: sys.executable}
    try:
        runtime = find_runtime_python()
    except RuntimePythonNotFound as missing:
        print(f"  (only this machine's Python: {missing})")
    else:
        pythons.setdefault(runtime.version.rpartition(".")[0], runtime.path)
    return pythons


def _packages(work: Path, pythons: dict[str, str]) -> dict[str, Path]:
    """The function's package for each Python, with the bytecode that Python writes."""
    from infra.deploy.packaging import stage_function
    from tests.support.packaged import local_target

    return {
        version: stage_function(
            ROOT / "content",
            work / f"compiled-{version}",
            target=local_target(version),
            bytecode_python=python,
        )
        for version, python in pythons.items()
    }


def _floor_ms(package: Path, python: str, environment: dict[str, str]) -> tuple[float, float]:
    """The libraries' import in a fresh interpreter: (wall, CPU) milliseconds."""
    from tests.support.packaged import run_in_package

    figures, _, _ = run_in_package(LIBRARIES_SCRIPT, [], environment, package, python)
    return figures["libraries_ms"], figures["libraries_cpu_ms"]


def cold_start(
    environment: dict[str, str], pythons: dict[str, str], packages: dict[str, Path], work: Path
) -> None:
    """Medians over fresh interpreters against a moto server: import, then the first answer.

    Under each Python, from the function's package (the zip's files, with this machine's
    wheels for it) with the bytecode that Python writes, as a deploy makes the zip, against
    the libraries' floor imported from the same package. Under this machine's Python also from
    the repository's virtualenv and from the package without bytecode, as Lambda runs a zip
    made without: it unpacks the zip read-only, so each cold start compiles every module again.
    """
    from infra.deploy.packaging import stage_function
    from tests.support.packaged import answer_first_request

    bare = stage_function(ROOT / "content", work / "bare")
    ways = {
        (version, "package with bytecode"): (python, packages[version], True)
        for version, python in pythons.items()
    }
    ways[(HERE, "repository")] = (sys.executable, None, True)
    ways[(HERE, "package without bytecode")] = (sys.executable, bare, False)
    runs: dict[tuple[str, str], list] = {way: [] for way in ways}
    floors: dict[str, list[tuple[float, float]]] = {version: [] for version in pythons}
    for _ in range(COLD_RUNS):
        # Interleaved, so all see the same load on the machine.
        for way, (python, package, with_bytecode) in ways.items():
            first = answer_first_request(
                environment,
                _submission(),
                package,
                write_bytecode=with_bytecode and package is None,
                python=python,
            )
            assert first.status == 201, first.body
            runs[way].append(first)
        for version, python in pythons.items():
            floors[version].append(_floor_ms(packages[version], python, environment))
    print(f"cold start ({COLD_RUNS} fresh interpreters each, moto server on loopback)")
    for version in pythons:
        floor = statistics.median(wall for wall, _ in floors[version])
        print(f"  Python {version}:")
        for (way_version, way), samples in runs.items():
            if way_version != version:
                continue
            total = statistics.median(r.total_ms for r in samples)
            print(f"    from the {way}:")
            _line("  handler imported + first request answered (median)", total, "ms")
            _line(
                "    of which importing the handler (median)",
                statistics.median(r.import_ms for r in samples),
                "ms",
            )
            _line(
                "    process start → answered, incl. interpreter start",
                statistics.median(r.wall_ms for r in samples),
                "ms",
            )
            if way == "package with bytecode":
                # Each run's ratio to the floor measured right after it, so a burst of other
                # processes' load weighs on both sides of one ratio.
                pairs = list(zip(samples, floors[version], strict=True))
                _line(
                    "  ratio to the libraries' floor, wall time (median of runs)",
                    statistics.median(r.total_ms / wall for r, (wall, _) in pairs),
                    "times",
                    COLD_RATIO_TARGET,
                )
                _line(
                    "  ratio to the libraries' floor, CPU time (median of runs)",
                    statistics.median(r.total_cpu_ms / cpu for r, (_, cpu) in pairs),
                    "times",
                    COLD_RATIO_TARGET,
                )
        _line("  importing only the required libraries, from the package (median)", floor, "ms")


def warm_up(
    environment: dict[str, str], pythons: dict[str, str], packages: dict[str, Path]
) -> None:
    """What the visitor waits for on a fresh instance: cold, or warmed up by the page's request.

    Each run, under each Python, from the package with bytecode: a cold instance answering
    its first request (import included), an instance that answered the page's warm-up
    `TYPING_SECONDS` before the submission, and a bare process making the calls a first
    submission needs from clients made before the same pause.
    """
    import boto3

    from tests.support.packaged import (
        answer_first_request,
        bare_first_calls,
        submission_after_warm_up,
    )

    dynamodb = boto3.client("dynamodb", endpoint_url=environment["AWS_ENDPOINT_URL"])
    cold: dict[str, list[float]] = {version: [] for version in pythons}
    warmed: dict[str, list[float]] = {version: [] for version in pythons}
    bare: dict[str, list[float]] = {version: [] for version in pythons}
    item = None
    for _ in range(WARM_UP_RUNS):
        for version, python in pythons.items():
            package = packages[version]
            first = answer_first_request(environment, _submission(), package, python=python)
            assert first.status == 201, first.body
            cold[version].append(first.total_ms)
            if item is None:
                key = {"id": {"S": first.body["id"]}}
                table = environment["SUBMISSIONS_TABLE"]
                item = dynamodb.get_item(TableName=table, Key=key)["Item"]
            statuses = submission_after_warm_up(
                environment, _submission(), package, python, TYPING_SECONDS
            )
            assert statuses[:2] == (204, 201), statuses
            warmed[version].append(statuses[2])
            bare[version].append(
                bare_first_calls(environment, item, package, python, TYPING_SECONDS)
            )
    print(
        f"a fresh instance's first submission ({WARM_UP_RUNS} runs each, "
        f"{TYPING_SECONDS:g} s after the warm-up)"
    )
    for version in pythons:
        bare_ms = statistics.median(bare[version])
        warmed_ms = statistics.median(warmed[version])
        cold_ms = statistics.median(cold[version])
        print(f"  Python {version}, from the package with bytecode:")
        _line("  cold: handler imported + the submission answered (median)", cold_ms, "ms")
        _line("  after the warm-up: the submission answered (median)", warmed_ms, "ms")
        _line("  bare calls: GenerateDataKey + GenerateMac + PutItem (median)", bare_ms, "ms")
        _line(
            "  ratio warmed / bare (median of runs)",
            statistics.median(w / b for w, b in zip(warmed[version], bare[version], strict=True)),
            "times",
            WARMED_RATIO_TARGET,
        )
        _line("  ratio cold / bare", cold_ms / bare_ms, "times")


def fresh_instances() -> None:
    """The cold start and the warm-up, both against one moto server holding the stack."""
    from tests.support.stack import function_environment, stack_on_moto_server

    # The moto server would log every request it serves.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    pythons = _pythons()
    with (
        tempfile.TemporaryDirectory() as work,
        stack_on_moto_server("bench-cold", ORIGIN) as (endpoint, outputs),
    ):
        environment = function_environment(endpoint, outputs)
        packages = _packages(Path(work), pythons)
        cold_start(environment, pythons, packages, Path(work))
        warm_up(environment, pythons, packages)


def warm_and_calls() -> None:
    """Warm latency in-process against moto beside the bare calls, and calls per submission."""
    import boto3
    import botocore.client
    from moto import mock_aws

    from functions.contact.app import handler
    from functions.email_address import MAC_ALGORITHM, email_hash
    from preview.lambda_events import LocalLambdaContext, http_api_event
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
            # The events as API Gateway hands them over: building them is not the function's.
            events = [
                http_api_event("POST", "/api/contact", body, JSON_HEADERS, "203.0.113.7")
                for body in bodies[20:WARM_RUNS]
            ]
            context = LocalLambdaContext()
            # Interleaved, so both see the same machine load and the same table size.
            for event in events:
                start = time.perf_counter()
                answer = handler(event, context)
                handler_ms.append((time.perf_counter() - start) * 1000)
                assert answer["statusCode"] == 201
                start = time.perf_counter()
                bare_calls()
                bare_ms.append((time.perf_counter() - start) * 1000)

            # For the function's own work alone, below: its two calls answered in process (a
            # MAC moto made, an empty PutItem answer), while the baseline's clients call moto.
            mac = kms.generate_mac(
                KeyId=env["EMAIL_HASH_KEY_ARN"], Message=b"bench", MacAlgorithm=MAC_ALGORITHM
            )
            calls.clear()
            for body in bodies[WARM_RUNS:]:
                assert function.post(body, JSON_HEADERS)["statusCode"] == 201

            answers = {"GenerateMac": mac, "PutItem": {}}

            def answered_in_process(
                self: botocore.client.BaseClient, operation: str, params: dict
            ) -> dict:
                if self is not kms and self is not dynamodb and operation in answers:
                    return answers[operation]
                return make_api_call(self, operation, params)

            botocore.client.BaseClient._make_api_call = answered_in_process
            own_events = events[:OWN_WORK_RUNS]
            own_alone = _own_work_ms(handler, own_events, context, lambda: None)
            own_after_moto = _own_work_ms(handler, own_events, context, bare_calls)
    finally:
        botocore.client.BaseClient._make_api_call = make_api_call
        del mock_aws

    print(
        f"warm, in-process against moto, Python {HERE} ({len(handler_ms)} submissions, interleaved)"
    )
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
    print(f"the function's own work, its two AWS calls answered in process (p50, {HERE})")
    _line("back to back", own_alone, "ms")
    _line("each right after the bare calls on moto, as in the ratio", own_after_moto, "ms")
    _line(
        f"own work a ratio of {WARM_RATIO_TARGET:g} leaves, beside these bare calls",
        (WARM_RATIO_TARGET - 1) * statistics.median(bare_ms),
        "ms",
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


def _own_work_ms(handler: Any, events: list[dict], context: Any, before: Any) -> float:
    """The handler's p50 in ms, each submission right after `before()` (back to back: nothing).

    The same code takes about twice as long right after other work (moto's calls, or even a
    pause) as back to back, most likely because the processor's caches no longer hold it: the
    ratio's handler runs after moto's calls, as a function on Lambda after waiting for the
    network.
    """
    samples = []
    for event in events:
        before()
        start = time.perf_counter()
        answer = handler(event, context)
        samples.append((time.perf_counter() - start) * 1000)
        assert answer["statusCode"] == 201, answer
    return statistics.median(samples)


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


def warm_on_lambdas_python() -> None:
    """The warm figures again on Lambda's Python (3.13), in `./dev`'s second virtualenv."""
    if HERE == "3.13":
        return
    if not LAMBDA_PYTHON.exists():
        print(
            f"warm, Python 3.13: not measured, no {LAMBDA_PYTHON.relative_to(ROOT)} "
            "(`./dev bench` builds it when it finds CPython 3.13)"
        )
        return
    subprocess.run(
        [str(LAMBDA_PYTHON), "-m", "tests.benchmarks.bench_contact", "warm"], cwd=ROOT, check=True
    )


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    # Other processes slow every figure; the ratios, measured interleaved, suffer less.
    print(f"before: {_load()}")
    fresh_instances()
    warm_and_calls()
    sys.stdout.flush()
    warm_on_lambdas_python()
    print(f"after: {_load()}")


if __name__ == "__main__":
    # `warm`: only the warm figures, as `warm_on_lambdas_python` runs them on Lambda's Python.
    if sys.argv[1:] == ["warm"]:
        os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
        warm_and_calls()
    else:
        main()

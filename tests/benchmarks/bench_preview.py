"""Latency of a submission through `build.py serve` under load: 200 posts from 20 clients.

Start the preview as a developer does, warm it up, then post 200 JSON submissions from 20
concurrent clients and print the median and p99 latency and the throughput beside targets.
The preview runs one submission at a time, as one Lambda instance does, so latency under this
load is mostly queueing: the figure says how long a visitor waits when 20 arrive at once.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sitecontent.policy import current_policy_version
from tests.benchmarks.figures import p99
from tests.support.preview import ROOT, load_payload, running_preview, submit_concurrently

SUBMISSIONS = 200
CLIENTS = 20
WARM_UP = 5
TIMEOUT_SECONDS = 300.0
# What a developer tolerates locally with 20 people submitting at the same instant.
TARGET_MEDIAN_SECONDS = 1.0
TARGET_P99_SECONDS = 2.0
TARGET_PER_SECOND = 20.0


def _line(name: str, value: float, target: float, unit: str, lower_is_better: bool) -> str:
    ratio = value / target
    verdict = (ratio <= 1) if lower_is_better else (ratio >= 1)
    mark = "ok" if verdict else "MISSED"
    return f"{name:<22} {value:8.3f} {unit:<6} target {target:7.3f}  ratio {ratio:5.2f}  {mark}"


def main() -> None:
    version = current_policy_version(ROOT / "content", "ru").version
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as work, running_preview(Path(work)) as preview:
        warm_up = [load_payload(version, "ru", n, f"warm{run}") for n in range(WARM_UP)]
        submit_concurrently(preview, warm_up, 1, TIMEOUT_SECONDS)
        payloads = [load_payload(version, "ru", n, run) for n in range(SUBMISSIONS)]
        started = time.perf_counter()
        outcomes = submit_concurrently(preview, payloads, CLIENTS, TIMEOUT_SECONDS)
        elapsed = time.perf_counter() - started
    failed = [o.status for o in outcomes if o.status != 201]
    latencies = [o.seconds for o in outcomes if o.status == 201]
    print(f"{SUBMISSIONS} submissions from {CLIENTS} clients in {elapsed:.2f} s; failed: {failed}")
    if not latencies:
        return
    print(_line("median latency", statistics.median(latencies), TARGET_MEDIAN_SECONDS, "s", True))
    print(_line("p99 latency", p99(latencies), TARGET_P99_SECONDS, "s", True))
    print(_line("throughput", len(latencies) / elapsed, TARGET_PER_SECOND, "/s", False))

"""Notifications through `build.py serve`: store-to-notification delay, messages per burst.

Start the preview as a developer does, with a short batching window (`PREVIEW_NOTIFY_WINDOW`,
`WINDOW_SECONDS` here; the deployed window is 60 s), then:

- one submission at a time, each waited for: the delay from its 201 answer to the line the
  preview prints for its notification. A lone submission waits the whole window, so the delay
  is the window plus what the stream's polling, the notifier, SNS and the printing add;
- a burst of 100 from 10 clients, in a second preview whose window (10 s) outlasts the burst,
  as the deployed minute does: how many messages name them (a burst within one window is one
  message, two when it straddles a window's end), and each one's delay.

The delay is measured by polling the preview's output every 20 ms: each figure may be up to
that much late.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sitecontent.policy import current_policy_version
from tests.benchmarks.figures import p99
from tests.support.preview import ROOT, Preview, load_payload, post_json, running_preview

WINDOW_SECONDS = 2.0
# The burst's own preview: a window longer than the burst takes to post, as the deployed 60 s.
BURST_WINDOW_SECONDS = 10.0
ONE_AT_A_TIME = 15
BURST = 100
CLIENTS = 10
POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 120.0
# Reading the stream (at once after a submission), the notifier and moto's SNS on top of the
# window.
TARGET_OVERHEAD_MEDIAN = 1.0
TARGET_OVERHEAD_P99 = 2.0
TARGET_MESSAGES_PER_100 = 2


def _line(name: str, value: float, target: float, unit: str) -> str:
    ratio = value / target
    mark = "ok" if ratio <= 1 else "MISSED"
    return f"{name:<34} {value:8.3f} {unit:<9} target ≤ {target:6.2f}  ratio {ratio:5.2f}  {mark}"


def _notified_at(preview: Preview, ids: set[str]) -> dict[str, float]:
    """When each id first appeared in a printed notification (monotonic seconds)."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while len(seen) < len(ids) and time.monotonic() < deadline:
        now = time.monotonic()
        for line in preview.notifications():
            for submission_id in ids - seen.keys():
                if submission_id in line:
                    seen[submission_id] = now
        time.sleep(POLL_SECONDS)
    if len(seen) < len(ids):
        raise TimeoutError(f"{len(ids) - len(seen)} submission(s) never notified")
    return seen


def _stored(preview: Preview, payload: dict) -> tuple[str, float]:
    status, answer = post_json(preview, payload, timeout=TIMEOUT_SECONDS)
    assert status == 201, answer
    return answer["id"], time.monotonic()


def _delays(preview: Preview, answered: dict[str, float]) -> list[float]:
    notified = _notified_at(preview, set(answered))
    return [notified[i] - at for i, at in answered.items()]


def _window(seconds: float) -> dict[str, str]:
    return {"PREVIEW_NOTIFY_WINDOW": f"{seconds:g}"}


def main() -> None:
    version = current_policy_version(ROOT / "content", "ru").version
    run = uuid.uuid4().hex[:8]
    with (
        tempfile.TemporaryDirectory() as work,
        running_preview(Path(work), environment=_window(WINDOW_SECONDS)) as preview,
    ):
        single = []
        for number in range(ONE_AT_A_TIME):
            submission_id, at = _stored(preview, load_payload(version, "ru", number, run))
            single += _delays(preview, {submission_id: at})
    with (
        tempfile.TemporaryDirectory() as work,
        running_preview(Path(work), environment=_window(BURST_WINDOW_SECONDS)) as preview,
    ):
        payloads = [load_payload(version, "ru", n, f"burst{run}") for n in range(BURST)]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            answered = dict(pool.map(lambda payload: _stored(preview, payload), payloads))
        posting = time.monotonic() - started
        burst = _delays(preview, answered)
        messages = [line for line in preview.notifications() if any(i in line for i in answered)]
    print(
        f"one submission at a time ({ONE_AT_A_TIME}), window {WINDOW_SECONDS:g} s "
        "(deployed: 60 s), stored to printed notification:"
    )
    print(f"  median {statistics.median(single):.3f} s, p99 {p99(single):.3f} s")
    overhead = [delay - WINDOW_SECONDS for delay in single]
    print(
        _line(
            "  beyond the window, median", statistics.median(overhead), TARGET_OVERHEAD_MEDIAN, "s"
        )
    )
    print(_line("  beyond the window, p99", p99(overhead), TARGET_OVERHEAD_P99, "s"))
    print(
        f"burst of {BURST} from {CLIENTS} clients, posted in {posting:.2f} s, "
        f"window {BURST_WINDOW_SECONDS:g} s:"
    )
    print(
        _line(
            f"  SNS messages per {BURST} submissions",
            len(messages),
            TARGET_MESSAGES_PER_100,
            "messages",
        )
    )
    print(
        f"  stored to printed notification: median {statistics.median(burst):.3f} s, "
        f"p99 {p99(burst):.3f} s"
    )

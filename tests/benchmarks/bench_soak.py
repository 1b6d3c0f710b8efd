"""A soak through `build.py serve`: 2,000 submissions at about 20 a second, then an audit.

The preview starts as a developer starts it, with the per-address rate limit raised (not off)
for the run and a short notification window. Submissions come from five loopback addresses
(127.0.0.2-6, each a visitor to the limiter), half as JSON and half as form posts, in Russian
and English; one in ten is sent twice with the same idempotency key, half of those after the
first answer (an answer lost on the way) and half at the same moment (a double click).

Afterwards, from the table itself (every item decrypted with the operator's rights) and from
the preview's printed notifications:
- every accepted submission is stored exactly once, and nothing else is;
- nothing is half-stored: each item has every attribute and its personal data decrypts to
  what was sent;
- every stored id appears in exactly one notification line;
- the preview's memory (the serve process; its moto process beside it) stays within the bound
  below, sampled every half second.
Loopback only, and bounded: the run gives up after `RUN_SECONDS`. Figures are printed, never
asserted (`./dev bench soak`); a broken promise prints FAILED and the reason.
"""

from __future__ import annotations

import http.client
import json
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from functions import submission_item
from preview.notifications import WINDOW_VARIABLE
from preview.serve import RATE_LIMIT_VARIABLE
from sitecontent.policy import current_policy_version
from tests.benchmarks.figures import p99
from tests.support.preview import ROOT, Preview, running_preview

SUBMISSIONS = 2_000
PER_SECOND = 20.0
ADDRESSES = tuple(f"127.0.0.{n}" for n in range(2, 7))
# Each address sends about 20 / 5 * 60 = 240 a minute, and a tenth again: the limit is on,
# raised above that, so the run exercises it without being throttled.
RATE_LIMIT_PER_MINUTE = 600
RETRY_EVERY = 10
NOTIFY_WINDOW_SECONDS = 2
CLIENTS = 32
REQUEST_SECONDS = 60.0
RUN_SECONDS = 600.0
NOTIFICATION_SECONDS = 120.0
LANGUAGES = ("ru", "en")
# The serve process (site, function, notifier; moto lives in a process of its own) may grow
# with the run's traffic, but not without bound: this is what a developer's machine affords.
MEMORY_BOUND_MB = 250.0
ACCEPTED = {201, 303}
# What every new item holds (`functions.submission_item.new_item`).
NEW_ITEM_ATTRIBUTES = (
    submission_item.ID,
    submission_item.CREATED_AT,
    submission_item.LOCALE,
    submission_item.POLICY_VERSION,
    submission_item.STATUS,
    submission_item.CONSENTS,
    *submission_item.PERSONAL,
)
SENT_LAST_NAME = "Выносливость"


@dataclass
class Submission:
    """One visitor's submission, as sent, and what each of its sends was answered."""

    number: int
    address: str
    as_form: bool
    fields: dict
    statuses: list[int] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return any(status in ACCEPTED for status in self.statuses)


def _fields(number: int, run: str, versions: dict[str, str]) -> dict:
    language = LANGUAGES[number % len(LANGUAGES)]
    return {
        "last_name": SENT_LAST_NAME,
        "first_name": "Әсел",
        "email": f"soak.{run}.{number}@example.kz",
        "phone": [f"+7 701 {number // 10000 % 1000:03d} {number % 10000:04d}"],
        "message": f"Soak № {number}",
        "consent": True,
        "marketing": number % 3 == 0,
        "policy_version": versions[language],
        "locale": language,
        "idempotency_key": str(uuid.uuid4()),
    }


def _form_body(fields: dict) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if item is True:
                pairs.append((name, "on"))
            elif item is not False:
                pairs.append((name, str(item)))
    return urlencode(pairs)


def _send(preview: Preview, submission: Submission) -> None:
    """Post the submission once from its address; note the answer (0: no answer)."""
    if submission.as_form:
        body = _form_body(submission.fields).encode("utf-8")
        content_type = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(submission.fields).encode("utf-8")
        content_type = "application/json"
    connection = http.client.HTTPConnection(
        "127.0.0.1", preview.port, timeout=REQUEST_SECONDS, source_address=(submission.address, 0)
    )
    started = time.perf_counter()
    try:
        connection.request(
            "POST",
            "/api/contact",
            body,
            {"Content-Type": content_type, "Origin": preview.url},
        )
        answer = connection.getresponse()
        text = answer.read()
        status = answer.status
    except OSError:
        status, text = 0, b""
    finally:
        connection.close()
    submission.seconds.append(time.perf_counter() - started)
    submission.statuses.append(status)
    if status == 201:
        submission.ids.add(json.loads(text)["id"])


class MemorySampler:
    """The resident memory of a process and its children, every half second, in MB."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            children = sum(_rss_mb(child) for child in _children(self.pid))
            self.samples.append((_rss_mb(self.pid), children))


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _paced(preview: Preview, submissions: list[Submission]) -> float:
    """Send every submission at `PER_SECOND`, with the chosen ones again; return the seconds."""

    def sent_twice_in_a_row(submission: Submission) -> None:
        _send(preview, submission)
        _send(preview, submission)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = []
        for submission in submissions:
            delay = started + submission.number / PER_SECOND - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            retried = submission.number % RETRY_EVERY
            if retried == 0:
                futures.append(pool.submit(sent_twice_in_a_row, submission))
            else:
                futures.append(pool.submit(_send, preview, submission))
                if retried == RETRY_EVERY // 2:
                    futures.append(pool.submit(_send, preview, submission))
        _, not_done = wait(futures, timeout=RUN_SECONDS)
        for future in not_done:
            future.cancel()
    if not_done:
        raise TimeoutError(f"{len(not_done)} sends unanswered after {RUN_SECONDS:.0f} s")
    for future in futures:
        future.result()
    return time.perf_counter() - started


def _audit(preview: Preview, submissions: list[Submission]) -> list[str]:
    """Every broken promise, in words; none when all were kept."""
    problems: list[str] = []
    items = preview.stored_items()
    by_email: dict[str, list[str]] = {}
    half_stored = 0
    for item_id, item in items.items():
        missing = [name for name in NEW_ITEM_ATTRIBUTES if name not in item]
        try:
            personal = preview.decrypt(item)
        except Exception:
            personal = {}
        if missing or personal.get("last_name") != SENT_LAST_NAME:
            half_stored += 1
            continue
        by_email.setdefault(personal["email"], []).append(item_id)
    if half_stored:
        problems.append(f"{half_stored} item(s) half-stored: an attribute missing or unreadable")
    accepted = [s for s in submissions if s.accepted]
    expected = {s.fields["email"] for s in accepted}
    twice = [email for email, ids in by_email.items() if len(ids) > 1]
    never = expected - set(by_email)
    unexpected = set(by_email) - expected
    if twice:
        problems.append(f"{len(twice)} accepted submission(s) stored more than once")
    if never:
        problems.append(f"{len(never)} accepted submission(s) not stored")
    if unexpected:
        problems.append(f"{len(unexpected)} submission(s) stored though never accepted")
    json_ids = {i for s in accepted for i in s.ids}
    if not json_ids <= set(items):
        problems.append(f"{len(json_ids - set(items))} id(s) answered 201 but not in the table")
    split = [s.number for s in accepted if len(s.ids) > 1]
    if split:
        problems.append(f"{len(split)} retried submission(s) answered with different ids")
    try:
        lines = preview.wait_for_notifications(set(items), NOTIFICATION_SECONDS)
    except AssertionError as missing:
        problems.append(str(missing).splitlines()[0])
        lines = preview.notifications()
    named = Counter(item_id for line in lines for item_id in items if item_id in line)
    not_once = [item_id for item_id in items if named[item_id] != 1]
    if not_once:
        problems.append(f"{len(not_once)} stored id(s) not in exactly one notification line")
    return problems


def main() -> None:
    versions = {
        language: current_policy_version(ROOT / "content", language).version
        for language in LANGUAGES
    }
    run = uuid.uuid4().hex[:8]
    submissions = [
        Submission(n, ADDRESSES[n % len(ADDRESSES)], n % 2 == 1, _fields(n, run, versions))
        for n in range(SUBMISSIONS)
    ]
    environment = {
        RATE_LIMIT_VARIABLE: str(RATE_LIMIT_PER_MINUTE),
        WINDOW_VARIABLE: str(NOTIFY_WINDOW_SECONDS),
    }
    with (
        tempfile.TemporaryDirectory() as work,
        running_preview(Path(work), environment=environment) as preview,
    ):
        memory = MemorySampler(preview.process.pid)
        memory.start()
        try:
            elapsed = _paced(preview, submissions)
            problems = _audit(preview, submissions)
        finally:
            memory.stop()
        notification_lines = len(preview.notifications())
    _report(submissions, elapsed, memory.samples, problems, notification_lines)


def _report(
    submissions: list[Submission],
    elapsed: float,
    samples: list[tuple[float, float]],
    problems: list[str],
    notification_lines: int,
) -> None:
    sends = [status for s in submissions for status in s.statuses]
    seconds = [value for s in submissions for value in s.seconds]
    accepted = sum(s.accepted for s in submissions)
    print(
        f"{SUBMISSIONS} submissions ({len(sends)} sends, {len(sends) - SUBMISSIONS} repeats with"
        f" the same key) from {len(ADDRESSES)} addresses in {elapsed:.1f} s:"
        f" {len(sends) / elapsed:.1f} sends/s (paced at {PER_SECOND:g} submissions/s)"
    )
    print(f"answers: {dict(sorted(Counter(sends).items()))}; accepted submissions: {accepted}")
    print(f"latency: median {statistics.median(seconds):.3f} s, p99 {p99(seconds):.3f} s")
    print(f"notification lines: {notification_lines}")
    if samples:
        own = [sample[0] for sample in samples]
        moto = [sample[1] for sample in samples]
        peak = max(own)
        mark = "ok" if peak <= MEMORY_BOUND_MB else "MISSED"
        print(
            f"serve process memory: start {own[0]:.0f} MB, end {own[-1]:.0f} MB, peak"
            f" {peak:.0f} MB; bound {MEMORY_BOUND_MB:.0f} MB  {mark}"
        )
        print(f"its moto process: start {moto[0]:.0f} MB, end {moto[-1]:.0f} MB")
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}")
    else:
        print(
            "ok: every accepted submission stored exactly once, nothing half-stored, every"
            " stored id in exactly one notification line"
        )

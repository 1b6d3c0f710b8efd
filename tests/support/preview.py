"""Run `python build.py serve` as a developer does, and look inside its moto server.

The preview, end-to-end, load and Schemathesis tests share one way to start the preview, wait
until it answers, read what it stored, and stop it with Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from functions.aws_clients import stack_outputs
from functions.personal_data import decrypt_personal_data
from preview.environment import variables_set
from preview.local_aws import LOCAL_REGION

ROOT = Path(__file__).resolve().parents[2]
STACK_NAME = "preview"
READY_SECONDS = 90.0
STOP_SECONDS = 20.0
# Under load a submission waits for those ahead of it: the preview runs one at a time.
REQUEST_SECONDS = 60.0
# How the preview prints what the operator's topic would mail (`preview.notifications`).
NOTIFICATION_LINE = "notification for "
# The line the preview prints for its member of staff (preview/staff_start.py).
STAFF_LINE = re.compile(
    r"^Staff sign-in: (?P<url>\S+) as (?P<email>\S+), temporary password (?P<password>\S+)$",
    re.MULTILINE,
)


def free_port() -> int:
    """A port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(port: int, aws_port: int, out_dir: Path, content_dir: Path | None = None):
    """The command line a developer types, with the ports and folders of one test run.

    Run so that it stops with the test's process (`ending_with_this_process`).
    """
    command = [sys.executable, "build.py", "serve", "--port", str(port)]
    command += ["--aws-port", str(aws_port), "--out", str(out_dir)]
    if content_dir is not None:
        command += ["--content", str(content_dir)]
    return ending_with_this_process(command)


def ending_with_this_process(command: list[str]) -> list[str]:
    """`command`, made to stop as on Ctrl-C when the process that starts it ends, however.

    A test worker ended by force (pytest-timeout's limit, a crash) otherwise leaves its
    previews running, each watching its content and holding its ports, until someone kills
    them: two were found still running 50 minutes on. util-linux's `setpriv` asks Linux for
    that signal (the parent-death signal, prctl), then becomes the command (same process).
    """
    return ["setpriv", "--pdeathsig", "INT", "--", *command]


def _clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["PYTHONUNBUFFERED"] = "1"
    return {**environment, **(extra or {})}


@dataclass
class Preview:
    """One running `serve` process, its site URL and its moto endpoint."""

    process: subprocess.Popen
    port: int
    aws_port: int
    out_dir: Path
    log_path: Path
    _outputs: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def staff_sign_in(self) -> tuple[str, str, str]:
        """The admin page's address, the member of staff's email and temporary password."""
        (found,) = STAFF_LINE.finditer(self.log())
        return found["url"], found["email"], found["password"]

    def notifications(self) -> list[str]:
        """Every notification the preview printed so far, one line each."""
        return [line for line in self.log().splitlines() if line.startswith(NOTIFICATION_LINE)]

    def wait_for_notifications(self, ids: set[str], timeout: float) -> list[str]:
        """The notification lines once every id is named in one; fail after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.notifications()
            if all(any(i in line for line in lines) for i in ids):
                return lines
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.1)
        missing = sorted(i for i in ids if not any(i in line for line in self.notifications()))
        raise AssertionError(f"no notification within {timeout:.0f} s for {missing}:\n{self.log()}")

    def wait_until_ready(self, timeout: float = READY_SECONDS) -> None:
        """Wait until the site answers and then the form function (the local AWS is ready)."""
        deadline = time.monotonic() + timeout
        self.wait_until_answering("/", deadline)
        # The function's own route: 503 while the local AWS is still starting.
        self.wait_until_answering("/api/openapi.json", deadline)

    def wait_until_answering(self, path: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                # The function's first answer is a cold start: on busy cores, seconds.
                with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"serve did not answer {path} in time:\n{self.log()}")

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        """Stop the preview as Ctrl-C does; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    # Inside the moto server ---------------------------------------------------------------

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=LOCAL_REGION,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="operator",
            aws_secret_access_key="operator",
        )

    @property
    def outputs(self) -> dict[str, str]:
        if not self._outputs:
            stack = self.client("cloudformation").describe_stacks(StackName=STACK_NAME)
            self._outputs = stack_outputs(stack["Stacks"][0])
        return self._outputs

    def stored_items(self) -> dict[str, dict]:
        """Every submission item in the table, raw as DynamoDB holds it, by id."""
        paginator = self.client("dynamodb").get_paginator("scan")
        table = self.outputs["SubmissionsTableName"]
        return {
            item["id"]["S"]: item
            for page in paginator.paginate(TableName=table, ConsistentRead=True)
            for item in page["Items"]
        }

    def decrypt(self, item: dict) -> dict:
        """The personal data of one item, decrypted with operator rights."""
        with self.aws_environment():
            return decrypt_personal_data(
                self.outputs["DataKeyArn"], item["id"]["S"], item["personal_data"]["S"]
            )

    @contextmanager
    def aws_environment(self) -> Iterator[None]:
        """Point every AWS client created inside at this preview's moto server."""
        names = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "operator",
            "AWS_SECRET_ACCESS_KEY": "operator",
            "AWS_DEFAULT_REGION": LOCAL_REGION,
            "AWS_REGION": LOCAL_REGION,
        }
        with variables_set(names):
            yield


def start_preview(
    work_dir: Path, content_dir: Path | None = None, environment: dict[str, str] | None = None
) -> Preview:
    """Start `build.py serve` on free ports with its output in `work_dir`; wait until ready.

    `environment` adds variables, such as the notifications' batching window.
    """
    preview = launch_preview(work_dir, content_dir, environment)
    try:
        preview.wait_until_ready()
    except BaseException:
        preview.stop()
        raise
    return preview


def launch_preview(
    work_dir: Path, content_dir: Path | None = None, environment: dict[str, str] | None = None
) -> Preview:
    """`start_preview` without the wait: the caller calls `wait_until_ready` when it needs it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    port, aws_port = free_port(), free_port()
    log_path = work_dir / "serve.log"
    out_dir = work_dir / "dist"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            serve_command(port, aws_port, out_dir, content_dir),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_clean_environment(environment),
        )
    return Preview(process, port, aws_port, out_dir, log_path)


@contextmanager
def running_preview(
    work_dir: Path, content_dir: Path | None = None, environment: dict[str, str] | None = None
) -> Iterator[Preview]:
    """A preview for the duration of the block, stopped with Ctrl-C afterwards."""
    preview = start_preview(work_dir, content_dir, environment)
    try:
        yield preview
    finally:
        preview.stop()


class SharedPreview:
    """The preview of the real content, shared by the tests on one worker that only add to it.

    A preview costs about six core-seconds to start (moto's import and the stack, the build,
    the function's import). The tests that share this one add submissions and look only at
    what they added (`stored_items` before and after); a test that changes the stack, signs
    in the printed member of staff or counts notifications starts its own. Started on first
    use; `conftest.py` stops it once the next test on the worker no longer needs it.
    """

    def __init__(self, work_dirs: pytest.TempPathFactory) -> None:
        self._work_dirs = work_dirs
        self._preview: Preview | None = None

    def running(self) -> Preview:
        if self._preview is None or self._preview.process.poll() is not None:
            self._preview = start_preview(self._work_dirs.mktemp("site-preview"))
        return self._preview

    def stop(self) -> None:
        if self._preview is not None:
            self._preview.stop()
            self._preview = None


@dataclass(frozen=True)
class Outcome:
    """One submission as a client saw it."""

    status: int
    answer: dict
    seconds: float


def post_json(preview: Preview, payload: dict, timeout: float = 15.0) -> tuple[int, dict]:
    """Post the form as the page's JavaScript does: JSON with the site's Origin."""
    request = urllib.request.Request(
        f"{preview.url}/api/contact",
        data=json.dumps(payload).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Origin": preview.url},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def load_payload(policy_version: str, locale: str, number: int, run: str) -> dict:
    """A valid JSON submission, unique by its email and idempotency key."""
    return {
        "last_name": "Жүктемеқызы",
        "first_name": "Әсел",
        "email": f"load.{run}.{number}@example.kz",
        "phone": [f"+7 701 {number // 10000 % 1000:03d} {number % 10000:04d}"],
        "message": f"Нагрузка № {number}",
        "consent": True,
        "policy_version": policy_version,
        "locale": locale,
        "idempotency_key": str(uuid.uuid4()),
    }


def submit_concurrently(
    preview: Preview, payloads: list[dict], clients: int, timeout: float
) -> list[Outcome]:
    """Post every payload from `clients` threads at once; give up after `timeout` seconds."""

    def submit(payload: dict) -> Outcome:
        started = time.perf_counter()
        try:
            status, answer = post_json(preview, payload, timeout=REQUEST_SECONDS)
        except OSError as error:  # a refused, dropped or timed-out connection is a failure
            status, answer = 0, {"error": f"{type(error).__name__}: {error}"}
        return Outcome(status, answer, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(submit, payload) for payload in payloads]
        _, not_done = wait(futures, timeout=timeout)
        for future in not_done:
            future.cancel()
    if not_done:
        raise TimeoutError(f"{len(not_done)} of {len(payloads)} submissions unanswered")
    return [future.result() for future in futures]

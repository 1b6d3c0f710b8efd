"""The deploy rehearsal: `build.py local-aws` (`./dev aws`), and a deploy to a plain moto.

Issue 26: against a plain `python -m moto.server` the deploy created the stack, then failed
with "stack demo has no SiteBucketName output", and nothing said that the project's own moto
server (with its fixes) works, nor how to start it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.deploy import deploy
from preview.local_aws import LOCAL_REGION, moto_template
from tests.support.aws_env import use_fake_aws_credentials
from tests.support.preview import ending_with_this_process, free_port
from tests.support.tools import ROOT

pytestmark = pytest.mark.slow
START_SECONDS = 90.0
DEPLOY_SECONDS = 600.0


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**environment, "PYTHONUNBUFFERED": "1"}


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@pytest.fixture
def local_aws(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`build.py local-aws --port 0` as a developer starts it, and its printed output."""
    log_path = tmp_path / "local-aws.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ending_with_this_process([sys.executable, "build.py", "local-aws", "--port", "0"]),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_environment(),
        )
    try:
        yield process, log_path
    finally:
        _stop(process)


def _printed(log_path: Path, pattern: str) -> re.Match[str]:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(pattern, log_path.read_text(encoding="utf-8"), re.MULTILINE)
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(log_path.read_text(encoding="utf-8"))


def test_local_aws_prints_a_deploy_line_that_works_against_it(
    local_aws: tuple[subprocess.Popen, Path], tmp_path: Path
) -> None:
    process, log_path = local_aws
    endpoint = _printed(log_path, r"in memory\): (http://127\.0\.0\.1:\d+)$")[1]
    line = _printed(log_path, r"^  (AWS_ACCESS_KEY_ID=.*build\.py deploy .*)$")[1]
    assert f"--endpoint-url {endpoint}" in line
    assert "--stack demo" in line

    # The line as printed, from the repository, with the build written elsewhere.
    words = shlex.split(line)
    variables = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    command = [word for word in words if word.split("=", 1)[0] not in variables]
    command += ["--out", str(tmp_path / "dist")]
    deployed = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**_environment(), **variables},
        timeout=DEPLOY_SECONDS,
        check=False,
    )

    assert deployed.returncode == 0, deployed.stderr
    assert "deployed stack demo" in deployed.stdout
    assert _stop(process) == 0
    assert "stopped the local AWS" in log_path.read_text(encoding="utf-8")


@pytest.fixture
def plain_moto() -> Iterator[str]:
    """`python -m moto.server`, without the project's fixes, in a process of its own."""
    port = free_port()
    process = subprocess.Popen(
        ending_with_this_process(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_environment(),
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def test_deploy_to_a_plain_moto_says_to_start_the_local_aws(
    plain_moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_aws_credentials(monkeypatch)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = deploy(
            ROOT / "content",
            tmp_path / "dist",
            "demo",
            LOCAL_REGION,
            plain_moto,
            adapt_template=moto_template,
        )

    assert status == 1
    message = err.getvalue()
    assert "has no SiteBucketName output" not in message
    assert "plain moto server" in message
    assert "./dev aws" in message and "python build.py local-aws" in message

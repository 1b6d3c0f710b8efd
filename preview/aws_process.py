"""The preview's local AWS in a process of its own: a moto server holding the preview's stack.

Importing moto and creating the stack take seconds; in a process of their own they never hold
up the site (the preview serves pages while they start) and never compete with it for the
interpreter. The process reports, as one JSON line on its standard output, where it listens,
the stack's outputs and the environment the template gives the form function; then it serves
until its standard input closes (the preview stopped, however it stopped) or it is terminated.

    python -m preview.aws_process --port 5000 --stack preview --site-origin http://127.0.0.1:8000

`LocalAwsProcess` is the preview's side: it starts the process, waits for its line, and
notices when it ends without being asked to.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
# The secret the stack's CDN adds to API requests reaches the process in its environment, not
# its command line, which any user of the machine can read.
ORIGIN_SECRET_VARIABLE = "PREVIEW_ORIGIN_SECRET"
STOP_SECONDS = 10.0


@dataclass(frozen=True)
class LocalAws:
    """A local AWS that is ready: where it is, and the preview stack's resources."""

    endpoint_url: str
    outputs: dict[str, str]
    function_environment: dict[str, str]
    seconds: float


class LocalAwsError(RuntimeError):
    """The local AWS could not start, or stopped; the message says why."""


class LocalAwsProcess:
    """The moto server process of one preview."""

    def __init__(self, port: int, stack: str, site_origin: str, origin_secret: str = "") -> None:
        self.port = port
        self.stack = stack
        self.site_origin = site_origin
        self.origin_secret = origin_secret
        self._process: subprocess.Popen[str] | None = None
        self._stopping = threading.Event()
        self._started = 0.0

    def start(self) -> None:
        """Start the process; it goes on starting in the background."""
        self._started = time.perf_counter()
        command = [sys.executable, "-m", "preview.aws_process", "--port", str(self.port)]
        command += ["--stack", self.stack, "--site-origin", self.site_origin]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={
                **os.environ,
                ORIGIN_SECRET_VARIABLE: self.origin_secret,
                # Before the process imports moto, which reads it once (`preview.aws_guard`).
                "MOTO_DISABLE_GLOBAL_CORS": "true",
            },
            # Its own session: Ctrl-C in the terminal reaches the preview, which stops it.
            start_new_session=True,
        )

    def wait_until_ready(self) -> LocalAws:
        """Block until the process reports it is ready; `LocalAwsError` if it cannot be."""
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        try:
            report = json.loads(line)
        except ValueError:
            code = self._process.wait()
            raise LocalAwsError(f"the moto server process ended with exit code {code}") from None
        if "error" in report:
            raise LocalAwsError(report["error"])
        return LocalAws(
            report["endpoint_url"],
            report["outputs"],
            report["function_environment"],
            time.perf_counter() - self._started,
        )

    def watch(self, on_exit: Callable[[int], None]) -> None:
        """Call `on_exit(exit code)` from a thread if the process ends before `stop()`."""

        def wait() -> None:
            assert self._process is not None
            code = self._process.wait()
            if not self._stopping.is_set():
                on_exit(code)

        threading.Thread(target=wait, name="preview-aws-watch", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self) -> None:
        """Stop the process and wait for it (its memory, millions of objects, is not kept)."""
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        assert process.stdin is not None
        process.stdin.close()
        # Still starting, it would read its standard input only once ready: SIGTERM ends it
        # at once either way.
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The process itself ---------------------------------------------------------------------------


def _report(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _serve(port: int, stack: str, site_origin: str, origin_secret: str) -> dict:
    import boto3

    from preview.local_aws import create_local_stack, ensure_port_free, start_moto_server

    if port:
        ensure_port_free(LOOPBACK, port)
    server = start_moto_server(LOOPBACK, port)
    endpoint_url = "http://{}:{}".format(*server.get_host_and_port())
    outputs = create_local_stack(
        stack, site_origin=site_origin, endpoint_url=endpoint_url, origin_secret=origin_secret
    )
    functions = boto3.client("lambda", endpoint_url=endpoint_url)
    configuration = functions.get_function_configuration(
        FunctionName=outputs["ContactFunctionName"]
    )
    return {
        "endpoint_url": endpoint_url,
        "outputs": outputs,
        "function_environment": configuration["Environment"]["Variables"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preview.aws_process")
    parser.add_argument("--port", type=int, required=True, help="0: any free port")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--site-origin", required=True)
    args = parser.parse_args(argv)
    # Importing moto and creating the stack make millions of objects that live as long as the
    # process: the cyclic garbage collector, run again and again over them, took part of the
    # start (2.49 → 2.32 s of CPU, three starts each). Back on once the stack is ready.
    gc.disable()
    # The preview stops this process by closing its standard input or with SIGTERM; a Ctrl-C
    # meant for the preview must not end it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # The moto server's werkzeug would log every AWS call of every submission.
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        origin_secret = os.environ.get(ORIGIN_SECRET_VARIABLE, "")
        ready = _serve(args.port, args.stack, args.site_origin, origin_secret)
    except Exception as exc:  # reported in one line by the preview, which keeps serving pages
        _report({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    gc.enable()
    _report(ready)
    sys.stdin.read()
    # Skip the interpreter's last garbage collection over moto's millions of objects.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())

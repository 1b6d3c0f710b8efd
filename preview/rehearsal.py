"""`python build.py local-aws` (`./dev aws`): a local AWS to rehearse a deploy against.

The project's moto server (`preview.local_aws.start_moto_server`, with the fixes of
`preview.moto_compat`) on loopback until Ctrl-C, and the deploy line to try against it. A
plain `python -m moto.server` creates the stack but forgets its outputs, and the deploy then
stops at the site's upload.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading

from preview.lambda_events import LOCAL_REGION
from preview.local_aws import PortInUseError, start_moto_server

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 5001
DEFAULT_STACK = "demo"
# moto accepts any credentials; the deploy needs some, and never the developer's real ones.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def deploy_line(endpoint_url: str, stack: str = DEFAULT_STACK, region: str = LOCAL_REGION) -> str:
    """The command that deploys the whole stack and site to the local AWS at `endpoint_url`."""
    credentials = " ".join(f"{name}={value}" for name, value in FAKE_CREDENTIALS.items())
    command = [_python(), "build.py", "deploy", "--stack", stack, "--region", region]
    command += ["--endpoint-url", endpoint_url]
    return f"{credentials} {shlex.join(command)}"


def _python() -> str:
    """This interpreter, as short as it can be written from here (`.venv/bin/python`)."""
    relative = os.path.relpath(sys.executable)
    return sys.executable if relative.startswith("..") else relative


def run(port: int = DEFAULT_PORT, stack: str = DEFAULT_STACK) -> int:
    """Serve the local AWS until Ctrl-C or SIGTERM; return the exit code."""
    try:
        server = start_moto_server(LOOPBACK, port)
    except PortInUseError as exc:
        print(f"error: {exc}; choose another with --port", file=sys.stderr)
        return 1
    endpoint_url = "http://{}:{}".format(*server.get_host_and_port())
    stop = threading.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}
    try:
        print(
            f"Local AWS (moto with the project's fixes, in memory): {endpoint_url}\n"
            "Rehearse a deploy from another terminal:\n"
            f"  {deploy_line(endpoint_url, stack)}\n"
            "Press Ctrl-C to stop; everything it holds is forgotten.",
            flush=True,
        )
        # Wake up now and then: a signal handler runs only between bytecodes of this thread.
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped the local AWS", flush=True)
    return 0

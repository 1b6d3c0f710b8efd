"""Run the whole product locally: the site, the form's function and a moto stand-in for AWS.

`python build.py serve` calls `serve()`. It builds the site into `dist/`, starts a moto server
on loopback with the stack created from `infra/template.yaml`, runs the real Lambda handler
in-process behind a small web server, runs the notifier on the table's stream and prints each
notification (`preview.notifications`), and rebuilds when `content/` or `site/` change.
Submissions live in moto's memory for as long as the preview runs. This is where the site
generator, the function and the template's stack are put together; none of them imports it.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

from preview.http_server import PreviewServer, PreviewSite
from preview.lambda_events import LocalLambdaContext
from preview.local_aws import (
    LOCAL_REGION,
    PortInUseError,
    create_local_stack,
    ensure_port_free,
    start_moto_server,
)
from preview.notifications import NotifierSetup, batching_window, running_notifier
from preview.watch import FolderWatcher
from sitecontent.site import load_site
from sitegen.build import SITE_DIR
from sitegen.errors import BuildError

STACK_NAME = "preview"
HANDLER = "functions.contact.app.handler"
LOOPBACK = "127.0.0.1"
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# moto accepts any credentials; fixed fake ones keep a developer's real AWS profile out of it.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}


def serve(
    content_dir: Path,
    out_dir: Path,
    host: str = LOOPBACK,
    port: int = 8000,
    aws_port: int = 5000,
) -> int:
    """Preview the site with a working form until Ctrl-C; return the exit code."""
    try:
        return _serve(Path(content_dir).resolve(), Path(out_dir).resolve(), host, port, aws_port)
    except KeyboardInterrupt:
        # Ctrl-C while starting up: what had started was stopped on the way out.
        print("\nstopped before the preview was ready", flush=True)
        return 0
    finally:
        # moto's in-memory AWS is millions of objects; the interpreter's last garbage
        # collection would spend seconds on them after Ctrl-C. The process ends right after.
        gc.freeze()


def _serve(content_dir: Path, out_dir: Path, host: str, port: int, aws_port: int) -> int:
    if port == aws_port:
        print(f"error: --port and --aws-port are both {port}; choose two ports", file=sys.stderr)
        return 1
    try:
        window = batching_window()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        ensure_port_free(host, port)
        ensure_port_free(LOOPBACK, aws_port)
    except PortInUseError as exc:
        print(f"error: {exc}; choose another with --port or --aws-port", file=sys.stderr)
        return 1
    site = PreviewSite(content_dir, out_dir)
    try:
        print(site.build(), flush=True)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with _local_aws(aws_port) as endpoint_url:
        outputs = _create_stack(endpoint_url, _site_origins(host, port))
        _set_function_environment(outputs, endpoint_url, content_dir)
        return _run(site, host, port, endpoint_url, outputs, window)


def _site_origins(host: str, port: int) -> str:
    """The origins a browser may send for this preview, comma-separated for SITE_ORIGIN."""
    names = {host}
    if host in (LOOPBACK, "localhost", "0.0.0.0", ""):
        # The same machine reached by either name, also when listening on every address.
        names = (names - {"0.0.0.0", ""}) | {LOOPBACK, "localhost"}
    return ",".join(f"http://{name}:{port}" for name in sorted(names))


@contextmanager
def _local_aws(aws_port: int) -> Iterator[str]:
    """A moto server on loopback for as long as the preview runs."""
    # Set before any AWS client exists: the stack, the handler and the operator all use them.
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = LOCAL_REGION
    # The moto server's werkzeug would log every AWS call of every submission.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = start_moto_server(LOOPBACK, aws_port)
    try:
        yield f"http://{LOOPBACK}:{aws_port}"
    finally:
        moto.stop()


def _create_stack(endpoint_url: str, site_origins: str) -> dict[str, str]:
    return create_local_stack(STACK_NAME, site_origin=site_origins, endpoint_url=endpoint_url)


def _set_function_environment(
    outputs: dict[str, str], endpoint_url: str, content_dir: Path
) -> None:
    """Give the handler the environment the template gives the function, pointed at moto."""
    functions = boto3.client("lambda", endpoint_url=endpoint_url)
    configuration = functions.get_function_configuration(
        FunctionName=outputs["ContactFunctionName"]
    )
    os.environ.update(configuration["Environment"]["Variables"])
    os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    os.environ["CONTENT_DIR"] = str(content_dir)
    # One developer on loopback: the per-visitor limit would only throttle load tests.
    os.environ["RATE_LIMIT_PER_MINUTE"] = "0"


def _load_handler() -> Any:
    """Import the handler once its environment is set, as Lambda starts it."""
    module_name, _, attribute = HANDLER.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _run(
    site: PreviewSite,
    host: str,
    port: int,
    endpoint_url: str,
    outputs: dict[str, str],
    window: float | None,
) -> int:
    function_name = outputs["ContactFunctionName"]

    def context() -> LocalLambdaContext:
        return LocalLambdaContext(function_name)

    # Where the deploy subscribes the operator; the preview prints what they would get.
    recipient = load_site(site.content_dir).operator_email
    notifier = NotifierSetup(STACK_NAME, outputs, endpoint_url, recipient, window)
    # Both functions run in this process, one event at a time, as each instance does in Lambda.
    lock = threading.Lock()
    # Set up before the site's socket listens: a browser's connection must not wait for it.
    with running_notifier(notifier, lock, _say) as batching:
        try:
            httpd = PreviewServer((host, port), site, _load_handler(), context, lock)
        except OSError as exc:  # taken since the check, or an address this machine lacks
            print(f"error: cannot listen on {host} port {port}: {exc.strerror}", file=sys.stderr)
            return 1
        return _serve_until_stopped(site, httpd, host, port, endpoint_url, batching)


def _serve_until_stopped(
    site: PreviewSite,
    httpd: PreviewServer,
    host: str,
    port: int,
    endpoint_url: str,
    window: float,
) -> int:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    watcher = FolderWatcher([site.content_dir, SITE_DIR], lambda: _rebuild(site, httpd))
    server_thread = threading.Thread(target=httpd.serve_forever, name="preview-http", daemon=True)
    try:
        # The socket listens already; announcing it first means that whoever sees the site
        # answer has seen the banner too.
        _print_banner(host, port, endpoint_url, site.content_dir, window)
        server_thread.start()
        watcher.start()
        # Wake up now and then: a signal handler runs only between bytecodes of this thread.
        while not stop.wait(0.5):
            pass
        print("\nstopping the preview", flush=True)
    finally:
        watcher.stop()
        if server_thread.is_alive():
            httpd.shutdown()
        httpd.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _rebuild(site: PreviewSite, httpd: PreviewServer) -> None:
    try:
        summary = site.build()
    except BuildError as exc:
        print(f"build failed, still serving the previous site: {exc}", flush=True)
        return
    from functions.contact import runtime
    from functions.notify import notifier

    # A warm function keeps the content it read first (the current policy version, the
    # strings); a deploy starts fresh instances, so after a rebuild the preview does the same.
    with httpd.handler_lock:
        runtime.reset()
        notifier.reset()
    print(f"content changed: {summary}", flush=True)


def _print_banner(
    host: str, port: int, endpoint_url: str, content_dir: Path, window: float
) -> None:
    shown_host = LOOPBACK if host in ("0.0.0.0", "") else host
    region = os.environ["AWS_REGION"]
    # moto accepts any credentials, but the operator's shell may have none at all.
    credentials = " ".join(f"{name}={value}" for name, value in FAKE_CREDENTIALS.items())
    print(
        f"Preview: http://{shown_host}:{port}/\n"
        f"AWS endpoint (moto, in memory): {endpoint_url}\n"
        f"Operator CLI: {credentials} estimation-operator --endpoint-url {endpoint_url}"
        f" --stack {STACK_NAME} --region {region} list\n"
        f"Notifications: printed here, one line each, {window:g} s after a submission"
        f" (the batching window; set PREVIEW_NOTIFY_WINDOW=SECONDS for another)\n"
        f"Rebuilding on changes in {content_dir} and {SITE_DIR}. Press Ctrl-C to stop.",
        flush=True,
    )

"""Run the whole product locally: the site, the form's function and a moto stand-in for AWS.

`python build.py serve` calls `serve()`. It builds the site into `dist/` and serves it at once;
meanwhile a moto server starts in a process of its own (`preview.aws_process`) with the stack
created from `infra/template.yaml`, and once it is ready the real Lambda handler answers
`/api/` in-process (a request that comes earlier waits for it) while the notifier
runs on the table's stream and prints each notification (`preview.notifications`). Every save
under `content/` or `site/` rebuilds the site, and open pages reload or show the build's error
(`preview.reload`).
Submissions live in moto's memory for as long as the preview runs. This is where the site
generator, the function and the template's stack are put together; none of them imports it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import secrets
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from preview import botocore_data
from preview.aws_process import LocalAws, LocalAwsError, LocalAwsProcess
from preview.console import WholeLines
from preview.http_server import PreviewServer, PreviewSite, request_timeout
from preview.lambda_events import LOCAL_REGION, LocalLambdaContext
from preview.local_aws import PortInUseError, ensure_port_free
from preview.notifications import (
    NotifierSetup,
    RunningNotifier,
    batching_window,
    running_notifier,
)
from preview.reload import BuildFailed, LiveReload
from preview.staff_pool import TOTP_VARIABLE
from preview.staff_start import start_staff
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
# The per-address limit of submissions a minute in the preview; unset, none.
RATE_LIMIT_VARIABLE = "PREVIEW_RATE_LIMIT_PER_MINUTE"
# How long a form request that arrives while the local AWS starts waits for it before it is
# answered 503. The start takes about 3.5 s on an idle machine and over 20 s on busy shared
# cores; it ends by itself (ready, or failed and reported), so this only bounds a start that
# hangs.
READY_WAIT_SECONDS = 60.0
# The function's own answer when storage is unavailable (docs/form-api.md, "Answers"), so the
# page's script retries it, then shows its usual message; a form post gets the same JSON.
UNAVAILABLE = {
    "statusCode": 503,
    "headers": {"Content-Type": "application/json", "Retry-After": "2"},
    "body": json.dumps({"errors": {"request": "unavailable"}}),
}


def serve(
    content_dir: Path,
    out_dir: Path,
    host: str = LOOPBACK,
    port: int = 8000,
    aws_port: int = 5000,
    open_browser: bool = False,
) -> int:
    """Preview the site with a working form until Ctrl-C; return the exit code."""
    # The function's encryption SDK, the notifier and the staff's API each make sessions.
    botocore_data.share_one_loader()
    # The function, the notifier and the preview print from threads of this one process.
    if not isinstance(sys.stdout, WholeLines):
        sys.stdout = WholeLines(sys.stdout)
    try:
        return _serve(
            Path(content_dir).resolve(), Path(out_dir).resolve(), host, port, aws_port, open_browser
        )
    except KeyboardInterrupt:
        # Ctrl-C while starting up: what had started was stopped on the way out.
        print("\nstopped before the preview was ready", flush=True)
        return 0


class FormFunction:
    """What answers `/api/`: the real handler while the local AWS runs, a 503 otherwise.

    A request that arrives while the local AWS is still starting waits for it (up to
    `READY_WAIT_SECONDS`), so a form sent as soon as the address shows is stored, not refused.
    """

    def __init__(self) -> None:
        self.handler: Any = None
        self.function_name = "contact"
        # Called after each request the handler answered: the notifier reads the stream then.
        self.answered: Callable[[], None] = lambda: None
        # Set once the start is over, whether the handler came up or not.
        self._settled = threading.Event()

    def settle(self) -> None:
        """The start is over: waiting requests go on, to the handler or to a 503."""
        self._settled.set()

    def wait_until_ready(self) -> None:
        """Block while the local AWS is starting, at most `READY_WAIT_SECONDS`."""
        self._settled.wait(READY_WAIT_SECONDS)

    def __call__(self, event: dict, context: Any) -> Any:
        handler = self.handler
        if handler is None:
            return UNAVAILABLE
        try:
            return handler(event, context)
        finally:
            self.answered()

    def context(self) -> LocalLambdaContext:
        return LocalLambdaContext(self.function_name)


def _serve(
    content_dir: Path, out_dir: Path, host: str, port: int, aws_port: int, open_browser: bool
) -> int:
    if port and port == aws_port:
        print(f"error: --port and --aws-port are both {port}; choose two ports", file=sys.stderr)
        return 1
    try:
        window = batching_window()
        timeout = request_timeout()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        ensure_port_free(host, port)
        if aws_port:
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
    # The preview stands in for the CDN too: it adds this to each API request, as the
    # distribution adds the deploy's secret, so the function runs as it does behind CloudFront.
    origin_secret = secrets.token_urlsafe(32)
    form = FormFunction()
    # Both functions run in this process, one event at a time, as each instance does in Lambda.
    lock = threading.Lock()
    live_reload = LiveReload(lambda changed: _rebuild(site, httpd, changed))
    try:
        httpd = PreviewServer(
            (host, port), site, form, form.context, live_reload, origin_secret, lock, timeout
        )
    except OSError as exc:  # taken since the check, or an address this machine does not have
        print(f"error: cannot listen on {host} port {port}: {exc.strerror}", file=sys.stderr)
        return 1
    port = httpd.server_address[1]
    _set_local_credentials()
    aws = LocalAwsProcess(aws_port, STACK_NAME, _site_origins(host, port), origin_secret)
    aws.start()
    try:
        return _run(site, httpd, live_reload, form, aws, open_browser, window)
    finally:
        aws.stop()


def _site_origins(host: str, port: int) -> str:
    """The origins a browser may send for this preview, comma-separated for SITE_ORIGIN."""
    names = {host}
    if host in (LOOPBACK, "localhost", "0.0.0.0", ""):
        # The same machine reached by either name, also when listening on every address.
        names = (names - {"0.0.0.0", ""}) | {LOOPBACK, "localhost"}
    return ",".join(f"http://{name}:{port}" for name in sorted(names))


def _set_local_credentials() -> None:
    # Set before any AWS client exists: the stack, the handler and the operator all use them.
    os.environ.update(FAKE_CREDENTIALS)
    # Inherited by the moto server's process: it then checks the staff's TOTP codes.
    os.environ[TOTP_VARIABLE] = "true"
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = LOCAL_REGION


def _set_function_environment(aws: LocalAws, content_dir: Path) -> None:
    """Give the handler the environment the template gives the function, pointed at moto."""
    os.environ.update(aws.function_environment)
    os.environ["AWS_ENDPOINT_URL"] = aws.endpoint_url
    os.environ["CONTENT_DIR"] = str(content_dir)
    # One developer on loopback: the per-visitor limit would only throttle load tests, which
    # may set one of their own (the soak benchmark does).
    os.environ["RATE_LIMIT_PER_MINUTE"] = os.environ.get(RATE_LIMIT_VARIABLE, "0")


def _load_handler() -> Any:
    """Import the handler once its environment is set, as Lambda starts it."""
    module_name, _, attribute = HANDLER.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _start_form(
    aws: LocalAwsProcess,
    form: FormFunction,
    content_dir: Path,
    notifications: NotificationStart,
    httpd: PreviewServer,
    site_url: str,
) -> None:
    """Once the local AWS is ready, let the real handler answer the form (on its own thread).

    The notifier runs first: every submission the form stores is then notified. Requests that
    waited for the start go on once it is over, whatever its outcome.
    """
    try:
        _start_handler(aws, form, content_dir, notifications, httpd, site_url)
    finally:
        form.settle()


def _start_handler(
    aws: LocalAwsProcess,
    form: FormFunction,
    content_dir: Path,
    notifications: NotificationStart,
    httpd: PreviewServer,
    site_url: str,
) -> None:
    try:
        ready = aws.wait_until_ready()
    except LocalAwsError as exc:
        print(
            f"local AWS failed to start: {exc}; the form answers 503 until the preview is"
            " started again",
            file=sys.stderr,
            flush=True,
        )
        return
    aws.watch(lambda code: _local_aws_stopped(form, code))
    _set_function_environment(ready, content_dir)
    form.function_name = ready.outputs["ContactFunctionName"]
    # The notifications' links lead to this preview's staff inbox.
    os.environ["SITE_URL"] = site_url
    try:
        notifier = notifications.start(ready, content_dir)
        staff = start_staff(ready, content_dir, site_url)
        handler = _load_handler()
    except Exception as exc:
        print(
            f"the form function failed to start: {type(exc).__name__}: {exc}; the form answers 503",
            file=sys.stderr,
            flush=True,
        )
        raise
    # Everything is announced before the form answers: whoever sees it work has seen these.
    _print_aws_banner(ready, notifier.batching_window)
    httpd.staff = staff.gateway
    print(staff.sign_in_line(site_url), flush=True)
    form.answered = notifier.wake
    form.handler = handler


class NotificationStart:
    """Starts the notifier on the local AWS once it is ready; stops it with the preview."""

    def __init__(self, lock: threading.Lock, window: float | None) -> None:
        self.lock = lock
        self.window = window
        self._running = contextlib.ExitStack()

    def start(self, aws: LocalAws, content_dir: Path) -> RunningNotifier:
        """Run the notifier on the stream."""
        # Where the deploy subscribes the operator; the preview prints what they would get.
        recipient = load_site(content_dir).operator_email
        setup = NotifierSetup(STACK_NAME, aws.outputs, aws.endpoint_url, recipient, self.window)
        return self._running.enter_context(running_notifier(setup, self.lock, _say))

    def stop(self) -> None:
        self._running.close()


def _local_aws_stopped(form: FormFunction, code: int) -> None:
    form.handler = None
    print(
        f"local AWS (moto) stopped unexpectedly (exit code {code}): the form now answers 503"
        " and the submissions it held are gone; stop the preview and start it again",
        file=sys.stderr,
        flush=True,
    )


def _run(
    site: PreviewSite,
    httpd: PreviewServer,
    live_reload: LiveReload,
    form: FormFunction,
    aws: LocalAwsProcess,
    open_browser: bool,
    window: float | None,
) -> int:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    watcher = FolderWatcher([site.content_dir, SITE_DIR], live_reload.rebuild)
    server_thread = threading.Thread(target=httpd.serve_forever, name="preview-http", daemon=True)
    notifications = NotificationStart(httpd.handler_lock, window)
    host, port = httpd.server_address[:2]
    url = f"http://{LOOPBACK if host in ('0.0.0.0', '') else host}:{port}/"
    form_thread = threading.Thread(
        target=_start_form,
        args=(aws, form, site.content_dir, notifications, httpd, url),
        name="preview-aws",
        daemon=True,
    )
    try:
        # The socket listens already; announcing it first means that whoever sees the site
        # answer has seen the banner too.
        _print_banner(httpd, site.content_dir)
        server_thread.start()
        form_thread.start()
        watcher.start()
        if open_browser:
            threading.Thread(target=_open_browser, args=(url,), daemon=True).start()
        # Wake up now and then: a signal handler runs only between bytecodes of this thread.
        while not stop.wait(0.5):
            pass
        print("\nstopping the preview", flush=True)
    finally:
        live_reload.close()
        notifications.stop()
        watcher.stop()
        if server_thread.is_alive():
            httpd.shutdown()
        httpd.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _rebuild(site: PreviewSite, httpd: PreviewServer, changed: frozenset[Path]) -> str:
    """The live reload's builder: build, and let the function read the content afresh."""
    try:
        summary = site.build(changed)
    except BuildError as exc:
        raise BuildFailed(exc.location, exc.message) from exc
    # A warm function keeps the content it read first (the current policy version, the
    # strings); a deploy starts fresh instances, so after a rebuild the preview does the same.
    # Before the local AWS is ready the function is not even imported: nothing to forget.
    with httpd.handler_lock:
        for name in ("functions.contact.runtime", "functions.notify.notifier"):
            module = sys.modules.get(name)
            if module is not None:
                module.reset()
    return summary


def _say(line: str) -> None:
    print(line, flush=True)


def _open_browser(url: str) -> None:
    if not webbrowser.open(url):
        print(f"could not open a browser; open {url} yourself", flush=True)


def _print_banner(httpd: PreviewServer, content_dir: Path) -> str:
    host, port = httpd.server_address[:2]
    shown_host = LOOPBACK if host in ("0.0.0.0", "") else host
    url = f"http://{shown_host}:{port}/"
    print(
        f"Preview: {url}\n"
        f"Local AWS (moto) starting: a form sent meanwhile waits for it (up to"
        f" {READY_WAIT_SECONDS:g} s).\n"
        f"Rebuilding on changes in {content_dir} and {SITE_DIR}. Press Ctrl-C to stop.",
        flush=True,
    )
    return url


def _print_aws_banner(aws: LocalAws, window: float) -> None:
    region = os.environ["AWS_REGION"]
    # moto accepts any credentials, but the operator's shell may have none at all.
    credentials = " ".join(f"{name}={value}" for name, value in FAKE_CREDENTIALS.items())
    print(
        f"Local AWS ready after {aws.seconds:.1f} s: the form stores submissions.\n"
        f"AWS endpoint (moto, in memory): {aws.endpoint_url}\n"
        f"Operator CLI: {credentials} estimation-operator --endpoint-url {aws.endpoint_url}"
        f" --stack {STACK_NAME} --region {region} list\n"
        f"Notifications: printed here, one line each, {window:g} s after a submission"
        f" (the batching window; set PREVIEW_NOTIFY_WINDOW=SECONDS for another)",
        flush=True,
    )

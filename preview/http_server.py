"""The preview's web server: the built site as the CDN serves it, and `/api/` as API Gateway.

Static pages get the security headers the build wrote (`sitegen.security.headers_for`), so the
preview answers with the same headers as production; `/api/...` requests become HTTP API 2.0
events (`preview.lambda_events`) for the real Lambda handler. With a `LiveReload`, each page
also gets its script tag and `/_preview/` serves the script and its events (`preview.reload`).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from functions.contact.viewer import ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER
from preview.lambda_events import HttpResponse, LocalLambdaContext, http_api_event, http_response
from preview.local_hosts import host_allowed, own_hosts
from preview.reload import EVENTS_PATH, PREFIX, SCRIPT, SCRIPT_PATH, LiveReload, add_script
from preview.staff_gateway import (
    COGNITO_PATH,
    CONFIG_PATH,
    STAFF_PREFIX,
    StaffGateway,
    json_response,
)
from sitegen.build import build
from sitegen.media_types import CONTENT_TYPES
from sitegen.memory import BuildMemory
from sitegen.security import HEADERS_FILE, headers_for
from sitegen.translation_report import stale_notice, stale_warning

API_PREFIX = "/api/"
# API Gateway refuses bodies over 10 MB before the function sees them.
MAX_BODY_BYTES = 10 * 1024 * 1024
NOT_FOUND_PAGE = "404.html"
MAX_LINE_BYTES = 65536
# How long the preview waits on a client that sends nothing (an idle keep-alive connection, a
# request or body sent halfway); each such client holds a thread until then.
REQUEST_TIMEOUT_SECONDS = 30.0
TIMEOUT_VARIABLE = "PREVIEW_REQUEST_TIMEOUT"
# RFC 9112: a chunk size is hexadecimal digits, nothing else (no sign, no prefix, no space
# before it); a Content-Length is decimal digits.
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
DECIMAL = re.compile(r"[0-9]+")
# http.server's own table for its request log (C0, DEL and C1 as \\xNN, backslash doubled).
CONTROL_CHARACTERS = {c: f"\\x{c:02x}" for c in itertools.chain(range(0x20), range(0x7F, 0xA0))}
CONTROL_CHARACTERS[ord("\\")] = "\\\\"

Handler = Callable[[dict, Any], Any]


def request_timeout() -> float:
    """`PREVIEW_REQUEST_TIMEOUT` in seconds, or the default; ValueError if not a positive number."""
    text = os.environ.get(TIMEOUT_VARIABLE, "")
    if not text:
        return REQUEST_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"{TIMEOUT_VARIABLE} must be a number of seconds above 0, not {text!r}")
    return seconds


# How often the server looks whether it should stop; an idle wake-up costs microseconds.
SHUTDOWN_POLL_SECONDS = 0.05


class MalformedRequest(ValueError):
    """A request whose framing a CDN would refuse with 400: the body's length is not certain."""


class PreviewSite:
    """The built site being served, and the security headers its build wrote."""

    def __init__(self, content_dir: Path, out_dir: Path) -> None:
        self.content_dir = content_dir
        self.out_dir = out_dir
        self.headers: dict[str, str] = {}
        # For each built page (`kk/contact/index.html`) that shows a translation behind its
        # source: one line per such translation, which the page shows as a notice.
        self.notices: dict[str, tuple[str, ...]] = {}
        # The site in memory: each rebuild reads, checks and renders again only what changed.
        self._memory = BuildMemory()

    def build(self, changed: Iterable[Path] = ()) -> str:
        """Build the site into the output folder; raise `BuildError` and keep the old site.

        `changed` names files known to have changed since the last build. Returns what was
        built, then one warning line per translation behind its source.
        """
        started = time.perf_counter()
        result = build(self.content_dir, self.out_dir, memory=self._memory, changed=changed)
        self.headers = headers_for(self.out_dir)
        elapsed = time.perf_counter() - started
        notices: dict[str, list[str]] = {}
        for stale in result.stale:
            line = stale_notice(stale.translation)
            for page in stale.pages:
                notices.setdefault(page, []).append(line)
        self.notices = {page: tuple(lines) for page, lines in notices.items()}
        summary = f"built {len(result.pages)} pages into {self.out_dir} in {elapsed * 1000:.0f} ms"
        return "\n".join([summary, *(stale_warning(stale.translation) for stale in result.stale)])

    def notice_for(self, page: Path) -> tuple[str, ...]:
        """What the built `page` should tell the editor about stale translations it shows."""
        try:
            relative = page.resolve().relative_to(self.out_dir.resolve()).as_posix()
        except ValueError:
            return ()
        return self.notices.get(relative, ())


class PreviewServer(ThreadingHTTPServer):
    """Serves one `PreviewSite` and hands `/api/` requests to one Lambda handler."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when a browser and a load test
    # open many at once.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        site: PreviewSite,
        handler: Handler,
        context_factory: Callable[[], LocalLambdaContext],
        live_reload: LiveReload | None = None,
        origin_secret: str = "",
        handler_lock: threading.Lock | None = None,
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self.site = site
        self.request_timeout = request_timeout
        self.handler = handler
        self.context_factory = context_factory
        self.live_reload = live_reload
        # What the distribution adds to each request for the API (`infra/template.yaml`).
        self.origin_secret = origin_secret
        # Lambda gives each execution environment one event at a time, and the handler's
        # module-level state (the Powertools resolver) relies on that. Other functions run in
        # this process (the notifier) share the lock: their metrics share Powertools' state.
        self.handler_lock = handler_lock or threading.Lock()
        # The staff's API, config and Cognito, once the local AWS holds the user pool.
        self.staff: StaffGateway | None = None
        super().__init__(address, PreviewRequestHandler)
        # Its own names only: a page on a rebinding domain gets 403 (`preview.local_hosts`).
        self.allowed_hosts = own_hosts(self.server_address[1], address[0])

    def serve_forever(self, poll_interval: float = SHUTDOWN_POLL_SECONDS) -> None:
        # socketserver looks whether `shutdown()` was asked for once a poll interval, 0.5 s by
        # default: each stop of the preview (Ctrl-C, and a test's) waited up to that long.
        super().serve_forever(poll_interval)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that left before its answer (a reloaded page, a closed tab, a timed-out
        # request) is not the preview's error: no traceback in the terminal for it.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def invoke(self, event: dict) -> HttpResponse:
        """Run the handler on one event as Lambda would, and translate its answer."""
        # A handler still starting (the preview's, while its local AWS starts) is waited for
        # outside the lock, which the start itself needs.
        waiting = getattr(self.handler, "wait_until_ready", None)
        if waiting is not None:
            waiting()
        with self.handler_lock:
            try:
                result = self.handler(event, self.context_factory())
            except Exception as exc:
                # Name where it failed, never the message: it may quote what a visitor typed.
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                print(
                    f"handler raised {type(exc).__name__} at {frame.filename}:{frame.lineno}",
                    file=sys.stderr,
                    flush=True,
                )
                return HttpResponse(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    [("Content-Type", "application/json")],
                    b'{"message":"Internal Server Error"}',
                )
        return http_response(result)


class PreviewRequestHandler(SimpleHTTPRequestHandler):
    """One request: a file from the built site, or an event for the handler."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    # A response goes out as two writes, its headers then its body; with Nagle's algorithm on,
    # the body waited for the client's delayed ACK of the headers, 40 ms on Linux, on every
    # request of a kept-alive connection after its first few (a browser's, Schemathesis's).
    disable_nagle_algorithm = True
    # The CDN's types (the deploy stores each file with them), not the machine's mimetypes.
    extensions_map = CONTENT_TYPES

    def __init__(self, request: Any, client_address: Any, server: PreviewServer) -> None:
        self._sent_headers: set[str] = set()
        # socketserver sets it on the connection: a read or write that waits longer ends it.
        self.timeout = server.request_timeout
        super().__init__(request, client_address, server, directory=str(server.site.out_dir))

    # Routing -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if self._path() == CONFIG_PATH:
            self._send_staff_config()
        elif self._is_api():
            self._invoke()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._is_api():
            self._invoke()
        else:
            super().do_HEAD()

    def do_POST(self) -> None:
        if self._path() == COGNITO_PATH:
            self._forward_to_cognito()
        elif self._is_api():
            self._invoke()
        else:
            self._not_allowed()

    def __getattr__(self, name: str) -> Any:
        # Every other method (PUT, TRACE, QUERY, ...) is handled as POST is: API Gateway hands
        # it to the function on an API route, and a page allows only GET and HEAD.
        if name.startswith("do_"):
            return self.do_POST
        raise AttributeError(name)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not host_allowed(self.headers.get("Host"), self.server.allowed_hosts):
            self.close_connection = True
            self.send_error(HTTPStatus.FORBIDDEN, "not this preview's name")
            return False
        if "\x00" in unquote(self.path.split("?", 1)[0]):
            # No file has such a name, and the file system refuses to look one up.
            self.send_error(HTTPStatus.BAD_REQUEST, "NUL in the path")
            return False
        return True

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def _is_api(self) -> bool:
        return self._path().startswith(API_PREFIX)

    def _not_allowed(self) -> None:
        # Read the body anyway, so the client is not cut off before it reads the answer.
        try:
            if self._read_body() is None:
                self.close_connection = True
        except MalformedRequest:
            self.close_connection = True
            self.send_error(HTTPStatus.BAD_REQUEST, "malformed body framing")
            return
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # The function ---------------------------------------------------------------------------

    def _invoke(self) -> None:
        body = self._body_or_refusal()
        if body is None:
            return
        event = http_api_event(
            self.command,
            self.path,
            body,
            self._cdn_headers(),
            self.client_address[0],
            now=dt.datetime.now(dt.UTC),
        )
        if self._path().startswith(STAFF_PREFIX):
            self._write(self._invoke_staff(event))
        else:
            self._write(self.server.invoke(event))

    # The staff --------------------------------------------------------------------------------

    def _invoke_staff(self, event: dict) -> HttpResponse:
        staff = self.server.staff
        if staff is None:
            return json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"})
        with self.server.handler_lock:
            return staff.invoke(event)

    def _send_staff_config(self) -> None:
        staff = self.server.staff
        if staff is None:
            self._write(json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}))
            return
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        self._write(json_response(HTTPStatus.OK, staff.config(f"http://{host}{COGNITO_PATH}")))

    def _forward_to_cognito(self) -> None:
        body = self._body_or_refusal()
        if body is None:
            return
        staff = self.server.staff
        if staff is None:
            self._write(json_response(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "unavailable"}))
            return
        self._write(staff.forward_to_cognito(self.headers.get("X-Amz-Target"), body))

    def _cdn_headers(self) -> list[tuple[str, str]]:
        """The headers as CloudFront forwards them: the viewer's address and the origin secret
        are the CDN's own, whatever the client wrote under those names."""
        written_by_the_cdn = {ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER}
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in written_by_the_cdn]
        host, port = self.client_address[:2]
        headers.append((VIEWER_ADDRESS_HEADER, f"{host}:{port}"))
        if self.server.origin_secret:
            headers.append((ORIGIN_SECRET_HEADER, self.server.origin_secret))
        return headers

    def _body_or_refusal(self) -> bytes | None:
        """The request's body; None once the request is answered 400 (its framing leaves the
        body's end in doubt) or 413 (over API Gateway's limit), as API Gateway answers both,
        and the connection closed."""
        try:
            body = self._read_body()
        except MalformedRequest:
            self.close_connection = True
            self.send_error(HTTPStatus.BAD_REQUEST, "malformed body framing")
            return None
        if body is None:
            self.close_connection = True
            self._write(HttpResponse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE))
        return body

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is over API Gateway's limit.

        Raises `MalformedRequest` where the framing leaves the body's end in doubt, as a CDN
        refuses it (request smuggling starts there): Content-Length together with
        Transfer-Encoding, a transfer coding other than chunked, Content-Lengths that differ
        or are not decimal digits, a chunk size that is not hexadecimal digits.
        """
        lengths = self.headers.get_all("Content-Length") or []
        codings = self.headers.get_all("Transfer-Encoding") or []
        if codings:
            if lengths:
                raise MalformedRequest("Content-Length with Transfer-Encoding")
            if ",".join(codings).strip().lower() != "chunked":
                raise MalformedRequest("a transfer coding other than chunked")
            return self._read_chunked_body()
        # Repeats of one value, in separate fields or one list, count as one (RFC 9112, 6.3).
        values = {value.strip() for field in lengths for value in field.split(",")}
        if len(values) > 1:
            raise MalformedRequest("Content-Lengths that differ")
        length = values.pop() if values else "0"
        if not DECIMAL.fullmatch(length):
            raise MalformedRequest("a Content-Length that is not a number")
        if int(length) > MAX_BODY_BYTES:
            return None
        return self._read_exactly(int(length))

    def _read_exactly(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) != size:
            raise MalformedRequest("the body ended early")
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE_BYTES)
        if not line.endswith(b"\n"):
            raise MalformedRequest("a line too long, or the body ended early")
        return line.rstrip(b"\r\n")

    def _read_chunked_body(self) -> bytes | None:
        # http.server reads only Content-Length bodies; API Gateway accepts chunked ones too.
        body = bytearray()
        while True:
            # A chunk extension (`;name=value`) may follow the size; API Gateway drops it.
            size_text = self._read_line().split(b";", 1)[0].rstrip(b" \t")
            if not CHUNK_SIZE.fullmatch(size_text):
                raise MalformedRequest("a chunk size that is not hexadecimal digits")
            size = int(size_text, 16)
            if size == 0:
                while self._read_line():
                    pass  # trailer fields, which API Gateway drops too
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                return None
            body += self._read_exactly(size)
            if self._read_line():
                raise MalformedRequest("a chunk longer than its size")

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    # The site -------------------------------------------------------------------------------

    def send_head(self) -> Any:
        path = self.path.split("?", 1)[0]
        # The file a request names, decoded and with `.` and `..` resolved as the CDN resolves
        # them: `/%5fheaders.json` and `/en/../_headers.json` name the headers file too.
        wanted = os.path.normpath(self.translate_path(self.path))
        if wanted == os.path.normpath(os.path.join(self.directory, HEADERS_FILE)):
            # Build metadata for the server, not a page: the CDN does not publish it either.
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        live_reload = self.server.live_reload
        if live_reload is None:
            return super().send_head()
        if path.startswith(PREFIX):
            return self._send_live_reload(live_reload, path)
        page = self.translate_path(self.path)
        if path.endswith("/") and os.path.isdir(page):
            page = os.path.join(page, "index.html")
        if page.endswith(".html") and os.path.isfile(page):
            return self._send_page(HTTPStatus.OK, Path(page))
        return super().send_head()

    # Live reload -----------------------------------------------------------------------------

    def _send_page(self, status: HTTPStatus, page: Path) -> io.BytesIO:
        """A built page with the live reload's script tag, which only the preview adds."""
        assert self.server.live_reload is not None
        tag = self.server.live_reload.script_tag(self.server.site.notice_for(page))
        body = add_script(page.read_bytes(), tag)
        self.send_response(status)
        self.send_header("Content-Type", self.extensions_map[".html"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _send_live_reload(self, live_reload: LiveReload, path: str) -> io.BytesIO | None:
        if path == SCRIPT_PATH:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.extensions_map[".js"])
            self.send_header("Content-Length", str(len(SCRIPT)))
            self.end_headers()
            return io.BytesIO(SCRIPT)
        if path != EVENTS_PATH:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        # The stream ends only with the page or the preview; no length, so no keep-alive.
        self.close_connection = True
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return None
        try:
            for event in live_reload.events():
                self.wfile.write(event)
                self.wfile.flush()
        except ConnectionError:
            pass  # the page closed or reloaded
        return None

    def list_directory(self, path: str | Any) -> None:
        # The CDN never lists a folder; a folder without index.html is a missing page.
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND_PAGE
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        if self.server.live_reload is not None:
            body = self._send_page(HTTPStatus.NOT_FOUND, page).getvalue()
        else:
            body = page.read_bytes()
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", self.extensions_map[".html"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # Headers --------------------------------------------------------------------------------

    def send_header(self, keyword: str, value: str) -> None:
        self._sent_headers.add(keyword.lower())
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        for name, value in self.server.site.headers.items():
            if name.lower() not in self._sent_headers:
                self.send_header(name, value)
        if "cache-control" not in self._sent_headers:
            # An editor reloads to see a rebuild; nothing may be served from a cache.
            self.send_header("Cache-Control", "no-store")
        super().end_headers()
        self._sent_headers = set()

    def log_message(self, format: str, *args: Any) -> None:
        # The request line names only the path; bodies, which hold personal data, are never
        # logged. Control characters a client put in it are escaped, as http.server does: the
        # editor's terminal would otherwise obey them.
        message = (format % args).translate(CONTROL_CHARACTERS)
        sys.stderr.write(f"{self.address_string()} - {message}\n")

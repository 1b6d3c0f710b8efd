"""The preview's web server: the built site as the CDN serves it, and `/api/` as API Gateway.

Static pages get the security headers the build wrote (`sitegen.security.headers_for`), so the
preview answers with the same headers as production; `/api/...` requests become HTTP API 2.0
events (`preview.lambda_events`) for the real Lambda handler.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from preview.lambda_events import HttpResponse, LocalLambdaContext, http_api_event, http_response
from sitegen.build import build
from sitegen.media_types import CONTENT_TYPES
from sitegen.security import HEADERS_FILE, headers_for

API_PREFIX = "/api/"
# API Gateway refuses bodies over 10 MB before the function sees them.
MAX_BODY_BYTES = 10 * 1024 * 1024
NOT_FOUND_PAGE = "404.html"
MAX_LINE_BYTES = 65536

Handler = Callable[[dict, Any], Any]


class PreviewSite:
    """The built site being served, and the security headers its build wrote."""

    def __init__(self, content_dir: Path, out_dir: Path) -> None:
        self.content_dir = content_dir
        self.out_dir = out_dir
        self.headers: dict[str, str] = {}

    def build(self) -> str:
        """Build the site into the output folder; raise `BuildError` and keep the old site."""
        started = time.perf_counter()
        result = build(self.content_dir, self.out_dir)
        self.headers = headers_for(self.out_dir)
        elapsed = time.perf_counter() - started
        return f"built {len(result.pages)} pages into {self.out_dir} in {elapsed:.2f} s"


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
        handler_lock: threading.Lock | None = None,
    ) -> None:
        self.site = site
        self.handler = handler
        self.context_factory = context_factory
        # Lambda gives each execution environment one event at a time, and the handler's
        # module-level state (the Powertools resolver) relies on that. Other functions run in
        # this process (the notifier) share the lock: their metrics share Powertools' state.
        self.handler_lock = handler_lock or threading.Lock()
        super().__init__(address, PreviewRequestHandler)

    def invoke(self, event: dict) -> HttpResponse:
        """Run the handler on one event as Lambda would, and translate its answer."""
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
    # The CDN's types (the deploy stores each file with them), not the machine's mimetypes.
    extensions_map = CONTENT_TYPES

    def __init__(self, request: Any, client_address: Any, server: PreviewServer) -> None:
        self._sent_headers: set[str] = set()
        super().__init__(request, client_address, server, directory=str(server.site.out_dir))

    # Routing -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if self._is_api():
            self._invoke()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._is_api():
            self._invoke()
        else:
            super().do_HEAD()

    def do_POST(self) -> None:
        if self._is_api():
            self._invoke()
        else:
            self._not_allowed()

    def __getattr__(self, name: str) -> Any:
        # Every other method (PUT, TRACE, QUERY, ...) is handled as POST is: API Gateway hands
        # it to the function on an API route, and a page allows only GET and HEAD.
        if name.startswith("do_"):
            return self.do_POST
        raise AttributeError(name)

    def _is_api(self) -> bool:
        return self.path.split("?", 1)[0].startswith(API_PREFIX)

    def _not_allowed(self) -> None:
        # Read the body anyway, so the client is not cut off before it reads the answer.
        try:
            if self._read_body() is None:
                self.close_connection = True
        except ValueError:
            self.close_connection = True
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # The function ---------------------------------------------------------------------------

    def _invoke(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self.send_error(HTTPStatus.BAD_REQUEST, "malformed body framing")
            return
        if body is None:
            self.close_connection = True
            self._write(HttpResponse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE))
            return
        event = http_api_event(
            self.command,
            self.path,
            body,
            self.headers.items(),
            self.client_address[0],
            now=dt.datetime.now(dt.UTC),
        )
        self._write(self.server.invoke(event))

    def _read_body(self) -> bytes | None:
        """The request body, or None when it is over API Gateway's limit."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked_body()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length)

    def _read_chunked_body(self) -> bytes | None:
        # http.server reads only Content-Length bodies; API Gateway accepts chunked ones too.
        body = bytearray()
        while True:
            size = int(self.rfile.readline(MAX_LINE_BYTES).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline(MAX_LINE_BYTES) not in (b"\r\n", b"\n", b""):
                    pass  # trailer fields, which API Gateway drops too
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                return None
            body += self.rfile.read(size)
            self.rfile.readline(MAX_LINE_BYTES)

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
        if self.path.split("?", 1)[0] == f"/{HEADERS_FILE}":
            # Build metadata for the server, not a page: the CDN does not publish it either.
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def list_directory(self, path: str | Any) -> None:
        # The CDN never lists a folder; a folder without index.html is a missing page.
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND_PAGE
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
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
        # logged.
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")

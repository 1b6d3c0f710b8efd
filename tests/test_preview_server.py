"""The preview's web server in-process: files as the CDN serves them, `/api/` as API Gateway.

A small built site on disk and a real Powertools resolver stand in for the build and the form
function, so these tests need neither; `test_preview_serve.py` runs the real command.
"""

from __future__ import annotations

import gc
import http.client
import json
import re
import socket
import struct
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from preview.http_server import PreviewServer, PreviewSite
from preview.lambda_events import LocalLambdaContext
from preview.reload import SCRIPT, LiveReload
from sitegen.security import HEADERS_FILE, headers_for

ORIGIN_SECRET = "the-previews-own-secret"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'sha256-abc'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
FILES = {
    "index.html": "<!doctype html><title>Язык</title>",
    "404.html": "<!doctype html><title>Страница не найдена</title>",
    "en/contact/index.html": "<!doctype html><title>Contact</title>",
    "assets/site.0123abcd.css": "body{margin:0}",
    "assets/form.0123abcd.js": "document.title;",
    "sitemap.xml": "<?xml version='1.0'?><urlset/>",
    "robots.txt": "User-agent: *\n",
    "en/private/notes.txt": "a folder without index.html",
}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def fetch(url: str, method: str = "GET", data: bytes | None = None, headers=None):
    """Status, headers and body of one request, without following redirects."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=5) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def contact_function() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.post("/api/contact")
    def contact() -> Response:
        event = app.current_event
        answer = {
            "body": event.decoded_body,
            "base64": event.is_base64_encoded,
            "origin": event.headers.get("origin"),
            "source_ip": event.request_context.http.source_ip,
            "viewer": event.headers.get("cloudfront-viewer-address"),
            "secret": event.headers.get("x-origin-verify"),
        }
        return Response(201, "application/json", json.dumps(answer, ensure_ascii=False))

    @app.post("/api/broken")
    def broken() -> Response:
        raise RuntimeError("Әбілқайыр typed this")

    return app


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("preview-server") / "dist"
    for relative, text in FILES.items():
        (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / relative).write_text(text, encoding="utf-8")
    (out_dir / HEADERS_FILE).write_text(json.dumps(SECURITY_HEADERS), encoding="utf-8")
    return out_dir


@pytest.fixture(scope="module")
def server_url(site_dir: Path) -> Iterator[str]:
    site = PreviewSite(site_dir.parent, site_dir)
    site.headers = headers_for(site_dir)
    resolver = contact_function()

    def handler(event, context):
        if event["rawPath"] == "/api/broken":
            raise RuntimeError("Әбілқайыр typed this")
        return resolver.resolve(event, context)

    live_reload = LiveReload(lambda changed: "built")
    server = PreviewServer(
        ("127.0.0.1", 0), site, handler, LocalLambdaContext, live_reload, ORIGIN_SECRET
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/en/contact/", "text/html; charset=utf-8"),
        ("/assets/site.0123abcd.css", "text/css; charset=utf-8"),
        ("/assets/form.0123abcd.js", "text/javascript; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/_preview/reload.js", "text/javascript; charset=utf-8"),
    ],
)
def test_preview_server_serves_files_with_their_type_and_the_security_headers(
    server_url, path, content_type
):
    status, headers, body = fetch(server_url + path)

    assert status == 200
    assert headers["Content-Type"] == content_type
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value
    assert headers["Cache-Control"] == "no-store"
    relative = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    assert without_reload_tag(body) == FILES.get(relative, SCRIPT.decode("utf-8"))


def without_reload_tag(body: bytes) -> str:
    """A page as the build wrote it: the preview adds its live reload's tag when serving."""
    return re.sub(
        r'<script src="/_preview/reload\.js" data-build="[^"]+" defer></script>', "", body.decode()
    )


@pytest.mark.parametrize("path", ["/ru/missing/", "/nothing.css", "/en/private/", HEADERS_FILE])
def test_preview_server_answers_a_miss_with_the_404_page(server_url, path):
    status, headers, body = fetch(f"{server_url}/{path.lstrip('/')}")

    assert status == 404
    assert without_reload_tag(body) == FILES["404.html"]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_preview_server_redirects_a_page_without_its_trailing_slash(server_url):
    status, headers, _ = fetch(server_url + "/en/contact")

    assert status == 301
    assert headers["Location"] == "/en/contact/"


@pytest.mark.parametrize("method", ["POST", "PUT", "QUERY"])
def test_preview_server_refuses_other_methods_on_a_page(server_url, method):
    status, headers, _ = fetch(server_url + "/en/contact/", method, b"a=b")

    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


def test_preview_server_hands_a_json_post_to_the_function_as_text(server_url):
    payload = json.dumps({"last_name": "Әбілқайыр"}, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "Origin": server_url}

    status, answer_headers, body = fetch(server_url + "/api/contact", "POST", payload, headers)

    assert status == 201
    assert answer_headers["Content-Type"] == "application/json"
    seen = json.loads(body)
    assert seen.pop("viewer").startswith("127.0.0.1:")
    assert seen == {
        "body": payload.decode("utf-8"),
        "base64": False,
        "origin": server_url,
        "source_ip": "127.0.0.1",
        "secret": ORIGIN_SECRET,
    }


def test_preview_server_sends_what_the_cdn_sends_whatever_the_client_wrote(server_url):
    # CloudFront writes the viewer's address and its origin secret over whatever a client sent.
    connection = http.client.HTTPConnection(server_url.removeprefix("http://"), timeout=5)
    connection.putrequest("POST", "/api/contact")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("CloudFront-Viewer-Address", "192.0.2.1:1")
    connection.putheader("X-Origin-Verify", "a-guess")
    connection.putheader("Content-Length", "2")
    connection.endheaders(b"{}")
    client_port = connection.sock.getsockname()[1]
    answer = connection.getresponse()
    seen = json.loads(answer.read())
    connection.close()

    assert answer.status == 201
    assert seen["secret"] == ORIGIN_SECRET
    assert seen["viewer"] == f"127.0.0.1:{client_port}"


def test_preview_server_hands_a_form_post_to_the_function_base64_encoded(server_url):
    form = "last_name=%D3%98&consent=on".encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    status, _, body = fetch(server_url + "/api/contact", "POST", form, headers)

    assert status == 201
    assert json.loads(body)["base64"] is True
    assert json.loads(body)["body"] == form.decode("ascii")


def test_preview_server_reads_a_chunked_body_for_the_function(server_url):
    connection = http.client.HTTPConnection(server_url.removeprefix("http://"), timeout=5)
    chunks = [b'{"last_name": ', '"Әбілқайыр"}'.encode()]
    headers = {"Content-Type": "application/json"}

    connection.request("POST", "/api/contact", iter(chunks), headers, encode_chunked=True)
    answer = connection.getresponse()

    assert answer.status == 201
    assert json.loads(answer.read())["body"] == '{"last_name": "Әбілқайыр"}'
    connection.close()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "OPTIONS", "TRACE", "QUERY"])
def test_preview_server_hands_every_method_on_the_api_to_the_function(server_url, method):
    status, headers, body = fetch(server_url + "/api/contact", method)

    # Powertools' own answer for a route without that method, not the preview's.
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["message"] == "Not found"


def test_preview_server_answers_an_unknown_api_route_from_the_function(server_url):
    status, _, _ = fetch(server_url + "/api/nothing-here")

    assert status == 404


def test_preview_server_turns_a_crash_into_a_500_without_the_message(server_url, capfd):
    status, _, body = fetch(server_url + "/api/broken", "POST", b"{}")

    assert status == 500
    assert json.loads(body) == {"message": "Internal Server Error"}
    logged = capfd.readouterr()
    assert "handler raised RuntimeError" in logged.err
    assert "Әбілқайыр" not in logged.out + logged.err


@pytest.mark.parametrize("path", ["/api/contact", "/_cognito/"])
def test_preview_server_refuses_a_body_over_api_gateways_limit(server_url, path):
    # Announce the body without sending it: the answer must come before it is read. The staff
    # page's Cognito calls go through the preview too, and are refused alike (not 503).
    connection = http.client.HTTPConnection(server_url.removeprefix("http://"), timeout=5)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
    connection.endheaders()

    answer = connection.getresponse()

    assert answer.status == 413
    connection.close()


def _server_end_of(client: socket.socket) -> socket.socket:
    """The preview's side of a connection the test opened (the server runs in this process)."""

    def peer(candidate: socket.socket) -> object:
        try:
            return candidate.getpeername()
        except OSError:  # closed, listening or not connected
            return None

    sockets = [obj for obj in gc.get_objects() if isinstance(obj, socket.socket)]
    (server_end,) = [s for s in sockets if s is not client and peer(s) == client.getsockname()]
    return server_end


@pytest.mark.parametrize("path", ["/en/contact/", "/api/contact"])
def test_preview_server_sends_each_answer_at_once_on_a_kept_alive_connection(server_url, path):
    # Headers and body go out as two writes. With Nagle's algorithm on the preview's socket the
    # body waited for the client's delayed ACK of the headers: 40 ms on Linux for each answer
    # after a connection's first few, which made Schemathesis's 542 requests take 29 s, not 10.
    # When that happens is up to the kernel's timers, so the test looks at the cause instead.
    connection = http.client.HTTPConnection("127.0.0.1", int(server_url.rsplit(":", 1)[1]))
    try:
        for _ in range(3):
            method = "POST" if path.startswith("/api/") else "GET"
            connection.request(method, path, body=b"{}" if method == "POST" else None)
            answer = connection.getresponse()
            answer.read()
            assert answer.status in (200, 201)
            assert not answer.will_close, "the preview closed a kept-alive connection"
        server_end = _server_end_of(connection.sock)
        assert server_end.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), (
            "Nagle's algorithm is on: each answer's body waits for the client's delayed ACK"
        )
    finally:
        connection.close()


def test_preview_server_says_nothing_when_a_client_leaves_before_its_answer(site_dir, capfd):
    # Given a function that answers only once the client has gone (a reload, a closed tab),
    answered = threading.Event()
    client_gone = threading.Event()

    def slow_handler(event, context):
        client_gone.wait(10)
        return {"statusCode": 200, "body": "{}"}

    site = PreviewSite(site_dir.parent, site_dir)
    server = PreviewServer(("127.0.0.1", 0), site, slow_handler, LocalLambdaContext)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    original_finish = server.finish_request

    def finish_request(request, client_address):
        try:
            original_finish(request, client_address)
        finally:
            answered.set()

    server.finish_request = finish_request
    try:
        client = socket.create_connection(server.server_address[:2])
        host = "{}:{}".format(*server.server_address[:2])
        client.sendall(f"GET /api/openapi.json HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        # When the client resets the connection before the answer,
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        client_gone.set()
        assert answered.wait(10)
    finally:
        server.shutdown()
        server.server_close()

    # then the terminal shows no traceback: the client's leaving is not the preview's error.
    assert "Traceback" not in capfd.readouterr().err


# Requests as an attacker writes them, byte for byte: the preview answers each as a CDN would.


def raw_exchange(server_url: str, request: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the answer until the server closes; return its status and body."""
    host, port = server_url.removeprefix("http://").split(":")
    # Written for any preview; it answers only its own names.
    request = request.replace(b"\r\nHost: preview\r\n", f"\r\nHost: {host}:{port}\r\n".encode(), 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    assert status_line.startswith("HTTP/1."), f"no HTTP answer: {answer[:80]!r}"
    return int(status_line.split()[1]), body


def api_post(headers: str, body: bytes = b"") -> bytes:
    return (
        "POST /api/contact HTTP/1.1\r\nHost: preview\r\nContent-Type: application/json\r\n"
        f"Connection: close\r\n{headers}\r\n"
    ).encode() + body


def test_preview_server_refuses_a_negative_chunk_size(server_url):
    # A size of -1 once meant "read until the client hangs up", past the body limit.
    status, _ = raw_exchange(server_url, api_post("Transfer-Encoding: chunked\r\n", b"-1\r\n{}"))
    assert status == 400


@pytest.mark.parametrize("size", [b"+2", b"0x2", b" 2", b"2_0", b"", b"g"])
def test_preview_server_refuses_a_chunk_size_that_is_not_hex_digits(server_url, size):
    request = api_post("Transfer-Encoding: chunked\r\n", size + b"\r\n{}\r\n0\r\n\r\n")
    assert raw_exchange(server_url, request)[0] == 400


@pytest.mark.parametrize("path", [b"/assets/%00.css", b"/en/%00/", b"/%00"])
def test_preview_server_answers_a_nul_in_the_path_with_400(server_url, capfd, path):
    # It once reached open() and ended in a traceback and a dropped connection.
    request = b"GET " + path + b" HTTP/1.1\r\nHost: preview\r\nConnection: close\r\n\r\n"
    status, _ = raw_exchange(server_url, request)
    assert status == 400
    assert "Traceback" not in capfd.readouterr().err


def test_preview_server_answers_a_raw_nul_in_the_path_with_400(server_url, capfd):
    request = b"GET /assets/\x00.css HTTP/1.1\r\nHost: preview\r\nConnection: close\r\n\r\n"
    status, _ = raw_exchange(server_url, request)
    assert status == 400
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "path",
    [
        "/%5fheaders.json",
        "/%5Fheaders.json",
        "/./_headers.json",
        "/en/../_headers.json",
        "/en/%2e%2e/_headers.json",
        "//_headers.json",
        "/_headers.json?x=1",
    ],
)
def test_preview_server_never_serves_the_headers_file_however_it_is_named(server_url, path):
    request = f"GET {path} HTTP/1.1\r\nHost: preview\r\nConnection: close\r\n\r\n".encode()
    status, body = raw_exchange(server_url, request)
    assert status == 404
    assert without_reload_tag(body) == FILES["404.html"]


def test_preview_server_refuses_a_content_length_with_an_underscore(server_url):
    # int("1_0") is 10 in Python; to HTTP it is no number at all.
    status, _ = raw_exchange(server_url, api_post("Content-Length: 1_0\r\n", b"{}" * 5))
    assert status == 400


@pytest.mark.parametrize("length", ["+2", "2.0", " ", "0x2", "٢"])
def test_preview_server_refuses_a_content_length_that_is_not_digits(server_url, length):
    request = api_post(f"Content-Length: {length}\r\n", b"{}")
    assert raw_exchange(server_url, request)[0] == 400


def test_preview_server_refuses_two_different_content_lengths(server_url):
    request = api_post("Content-Length: 2\r\nContent-Length: 10\r\n", b"{}")
    assert raw_exchange(server_url, request)[0] == 400


def test_preview_server_accepts_a_content_length_repeated_with_the_same_value(server_url):
    # RFC 9112 allows a recipient to take identical repeated values as one.
    request = api_post("Content-Length: 2\r\nContent-Length: 2\r\n", b"{}")
    assert raw_exchange(server_url, request)[0] == 201


def test_preview_server_refuses_content_length_together_with_chunked(server_url):
    request = api_post(
        "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", b"2\r\n{}\r\n0\r\n\r\n"
    )
    assert raw_exchange(server_url, request)[0] == 400


@pytest.mark.parametrize("encoding", ["gzip, chunked", "chunked, gzip", "identity", "xchunked"])
def test_preview_server_refuses_a_transfer_coding_other_than_chunked(server_url, encoding):
    request = api_post(f"Transfer-Encoding: {encoding}\r\n", b"2\r\n{}\r\n0\r\n\r\n")
    assert raw_exchange(server_url, request)[0] == 400


def test_preview_server_refuses_bad_framing_on_a_page_too(server_url):
    request = (
        b"POST /en/contact/ HTTP/1.1\r\nHost: preview\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n-1\r\n"
    )
    assert raw_exchange(server_url, request)[0] == 400

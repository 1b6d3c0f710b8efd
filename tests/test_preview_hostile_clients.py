"""The running preview against hostile clients: web pages of other origins, rebinding names,
and local clients that write control characters, hold connections open or send half a request.

A web page open in the editor's browser must not read the submissions an editor sent from
the form, through the local AWS (moto's server) or the preview itself. Chromium is the
attacker's browser: a page served from another local port, a page of `null` origin, and a
page on a name that resolves to 127.0.0.1 (`rebinding.test`, mapped by `CHROMIUM_ARGS`, as a
rebinding domain resolves after its first lookup).
"""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from preview.http_server import TIMEOUT_VARIABLE
from preview.reload import EVENTS_PATH, MAX_STREAMS
from tests.support.contact import valid_fields
from tests.support.preview import Preview, post_json, running_preview

pytestmark = pytest.mark.slow

REBINDING_NAME = "rebinding.test"
# Short, so a test sees a silent client dropped; the default is 30 s.
REQUEST_TIMEOUT = "2"
# Far longer than the timeout: how long a test waits for the preview to drop a client.
DROPPED_WITHIN = 60.0
# What the attacker's script answers when it read nothing: the browser or the server refused,
# or no answer came (a browser may hold a request to a local address for a permission that
# nobody grants). Anything else is what it read.
KEPT_OUT = {"blocked", "no answer"}
# Every script gives up waiting after this long, so a request that never ends fails its test
# instead of hanging it (Playwright bounds no evaluate).
ANSWER_MILLISECONDS = 20_000


def bounded(script: str) -> str:
    """A page script with its wait, written `ANSWER_MILLISECONDS`, set to that limit."""
    return script.replace("ANSWER_MILLISECONDS", str(ANSWER_MILLISECONDS))


# A page's attempt at the local AWS, as the issue's attacker wrote it: list the tables over
# DynamoDB's JSON protocol and read the answer. The script answers what it could read, or
# "blocked" when the browser (or the server) refused, or "no answer". moto checks no
# signature, but routes a request by the service its credential scope names.
LIST_TABLES = bounded("""async (endpoint) => {
    try {
        const answer = await fetch(endpoint + "/", {
            method: "POST",
            headers: {
                "Authorization": "AWS4-HMAC-SHA256 Credential=x/20261206/eu-central-1/"
                    + "dynamodb/aws4_request, SignedHeaders=host, Signature=0",
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
            },
            body: "{}",
            signal: AbortSignal.timeout(ANSWER_MILLISECONDS),
        });
        return answer.status + " " + (await answer.text());
    } catch (error) {
        return error.name === "TimeoutError" ? "no answer" : "blocked";
    }
}""")
# The same from a sandboxed frame in that page: a `null` origin, in the page's address space.
FROM_NULL_ORIGIN = bounded("""([endpoint, attack]) => new Promise((resolve) => {
    window.addEventListener("message", (event) => resolve(event.data), {once: true});
    setTimeout(() => resolve("no answer from the frame"), 2 * ANSWER_MILLISECONDS);
    const frame = document.createElement("iframe");
    frame.sandbox = "allow-scripts";
    frame.srcdoc = "<script>(" + attack + ")(" + JSON.stringify(endpoint) + ")"
        + ".then((seen) => parent.postMessage(seen, '*'));</scr" + "ipt>";
    document.body.appendChild(frame);
})""")
# A reset needs no answer to do harm: a no-cors post, which no preflight guards.
RESET = bounded("""async (endpoint) => {
    try {
        await fetch(endpoint + "/moto-api/reset", {
            method: "POST", mode: "no-cors", signal: AbortSignal.timeout(ANSWER_MILLISECONDS),
        });
        return "sent";
    } catch (error) {
        return "blocked";
    }
}""")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """A preview holding one submission, as after an editor tried the form."""
    work_dir = tmp_path_factory.mktemp("preview-hostile")
    environment = {TIMEOUT_VARIABLE: REQUEST_TIMEOUT}
    with running_preview(work_dir, environment=environment) as running:
        fields = valid_fields(idempotency_key=str(uuid.uuid4()))
        status, answer = post_json(running, fields)
        assert status == 201, answer
        yield running


@pytest.fixture(scope="module")
def attacker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page on another local port: any site the editor has open could be this one."""
    folder = tmp_path_factory.mktemp("attacker")
    (folder / "index.html").write_text("<!doctype html><title>elsewhere</title>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def table_names(preview: Preview) -> list[str]:
    return preview.client("dynamodb").list_tables()["TableNames"]


def test_local_aws_answers_the_preview_and_the_cli_still(preview):
    # boto3 as the function, the notifier, the operator CLI and the tests use it.
    assert preview.outputs["SubmissionsTableName"] in table_names(preview)
    assert len(preview.stored_items()) >= 1


def test_local_aws_keeps_a_page_on_another_local_port_out(preview, attacker_url, page):
    page.goto(f"{attacker_url}/index.html")
    seen = page.evaluate(LIST_TABLES, preview.endpoint_url)
    assert seen in KEPT_OUT, seen


def test_local_aws_keeps_a_page_of_null_origin_out(preview, attacker_url, page):
    page.goto(f"{attacker_url}/index.html")
    seen = page.evaluate(FROM_NULL_ORIGIN, [preview.endpoint_url, LIST_TABLES])
    assert seen in KEPT_OUT, seen


def test_local_aws_keeps_a_rebinding_page_out(preview, page):
    # Same origin as the endpoint to the browser: only the Host header tells them apart.
    rebound = f"http://{REBINDING_NAME}:{preview.aws_port}"
    page.goto(f"{rebound}/")
    seen = page.evaluate(LIST_TABLES, rebound)
    assert not seen.startswith("200"), seen
    assert preview.outputs["SubmissionsTableName"] not in seen


def test_local_aws_sends_no_cors_header_to_any_origin(preview):
    connection = http.client.HTTPConnection("127.0.0.1", preview.aws_port, timeout=10)
    connection.request(
        "POST",
        "/",
        body=b"{}",
        headers={
            "Origin": "http://evil.example",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    answer = connection.getresponse()
    body = answer.read().decode()
    connection.close()
    assert answer.status == 403
    assert answer.getheader("Access-Control-Allow-Origin") is None
    assert preview.outputs["SubmissionsTableName"] not in body


@pytest.mark.parametrize("headers", [{}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}])
def test_local_aws_refuses_motos_reset_from_anyone(preview, headers):
    connection = http.client.HTTPConnection("127.0.0.1", preview.aws_port, timeout=10)
    connection.request("POST", "/moto-api/reset", headers=headers)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 403
    assert preview.outputs["SubmissionsTableName"] in table_names(preview)


def test_local_aws_survives_a_reset_sent_by_a_page(preview, attacker_url, page):
    page.goto(f"{attacker_url}/index.html")
    page.evaluate(RESET, preview.endpoint_url)
    assert preview.outputs["SubmissionsTableName"] in table_names(preview)
    assert len(preview.stored_items()) >= 1


# The preview's own server: its names only (issue 26) ------------------------------------------


def request_preview(preview: Preview, path: str, host: str, method: str = "GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    headers = {"Host": host}
    if body is not None:
        headers |= {"Content-Type": "application/json", "Origin": f"http://{host}"}
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    # The event stream never ends: its first event is enough.
    content = answer.read() if answer.status != 200 or path != "/_preview/events" else b""
    connection.close()
    return answer.status, content


def form_body() -> bytes:
    return json.dumps(valid_fields(idempotency_key=str(uuid.uuid4()))).encode()


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/ru/"), ("GET", "/_preview/events"), ("POST", "/api/contact")],
)
def test_preview_refuses_a_foreign_host(preview, method, path):
    before = len(preview.stored_items())
    body = form_body() if method == "POST" else None
    status, content = request_preview(preview, path, f"evil.example:{preview.port}", method, body)
    assert status == 403
    assert b"<form" not in content
    assert len(preview.stored_items()) == before


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LocalHost"])
def test_preview_answers_its_own_names(preview, name):
    status, content = request_preview(preview, "/ru/", f"{name}:{preview.port}")
    assert status == 200
    assert b"<form" in content or b"<html" in content


def test_preview_keeps_a_rebinding_page_out(preview, page):
    rebound = f"http://{REBINDING_NAME}:{preview.port}"
    answer = page.goto(f"{rebound}/ru/")
    assert answer is not None and answer.status == 403
    status = page.evaluate(
        bounded("""async (body) => (await fetch("/api/contact", {
            method: "POST", headers: {"Content-Type": "application/json"}, body,
            signal: AbortSignal.timeout(ANSWER_MILLISECONDS),
        })).status"""),
        form_body().decode(),
    )
    assert status == 403


# Local clients that misbehave ------------------------------------------------------------------


def raw_connection(preview: Preview) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", preview.port), timeout=DROPPED_WITHIN)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the preview sends until it closes; fails if it keeps it open too long."""
    deadline = time.monotonic() + DROPPED_WITHIN
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
        assert time.monotonic() < deadline, f"still open after {DROPPED_WITHIN:.0f} s"
    return received


def wait_for_log(preview: Preview, marker: str) -> str:
    deadline = time.monotonic() + DROPPED_WITHIN
    while marker not in preview.log():
        assert time.monotonic() < deadline, f"{marker!r} never logged:\n{preview.log()}"
        time.sleep(0.1)
    return next(line for line in preview.log().splitlines() if marker in line)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        # An xterm title change (OSC 0 ... BEL) and a C1 CSI: a path the preview looks up (404).
        ("\x1b]0;TITLE\x07\x9b", "\\x1b]0;TITLE\\x07\\x9b"),
        # A carriage return splits the request line: logged as a bad request (400).
        ("\x1b]0;TITLE\x07\r", "\\x1b]0;TITLE\\x07"),
    ],
    ids=["looked-up", "bad-request"],
)
def test_preview_log_escapes_control_characters_a_client_sent(preview, path, shown):
    marker = uuid.uuid4().hex
    with raw_connection(preview) as connection:
        connection.sendall(
            f"GET /{marker}{path} HTTP/1.1\r\n".encode("latin-1")
            + f"Host: 127.0.0.1:{preview.port}\r\nConnection: close\r\n\r\n".encode()
        )
        read_until_closed(connection)
    line = wait_for_log(preview, marker)
    assert not [char for char in "\x1b\x07\r\x9b" if char in line], repr(line)
    assert f"{marker}{shown}" in line.replace("\\\\", "\\")


def test_preview_drops_half_sent_requests(preview):
    host = f"Host: 127.0.0.1:{preview.port}\r\n"
    halves = [
        b"GET /ru/ HTTP/1.1\r\nHo",  # headers never finished
        f"POST /api/contact HTTP/1.1\r\n{host}Content-Length: 100\r\n\r\n{{".encode(),
        f"POST /api/contact HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n5\r\n".encode(),
        b"",  # connected, and then nothing
    ] * 5
    connections = [raw_connection(preview) for _ in halves]
    try:
        for connection, half in zip(connections, halves, strict=True):
            connection.sendall(half)
        for connection in connections:
            # Whatever the preview answers (nothing, or 408), it then hangs up.
            assert b"201" not in read_until_closed(connection)
    finally:
        for connection in connections:
            connection.close()
    # And it still serves everyone else.
    assert request_preview(preview, "/ru/", f"127.0.0.1:{preview.port}")[0] == 200


def open_stream(preview: Preview) -> socket.socket:
    connection = raw_connection(preview)
    connection.sendall(
        f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n\r\n".encode()
    )
    received = b""
    while b"data:" not in received:
        chunk = connection.recv(65536)
        assert chunk, "the stream closed before its first event"
        received += chunk
    return connection


def test_preview_lets_the_oldest_reload_streams_give_way(preview):
    extra = 5
    # One after another, each open before the next: their order is the preview's too.
    streams = [open_stream(preview) for _ in range(MAX_STREAMS + extra)]
    try:
        for oldest in streams[:extra]:
            read_until_closed(oldest)  # socket.timeout if it stays open
        # A page opened now still gets its stream.
        streams.append(open_stream(preview))
    finally:
        for stream in streams:
            stream.close()

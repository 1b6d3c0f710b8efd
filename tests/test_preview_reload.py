"""The live reload in-process: what an open page is told, and what the preview adds to pages.

A small built site and a builder the test controls stand in for the site generator; the
browser's side (the page reloading, the overlay) is `test_browser_preview_reload.py`.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from preview.http_server import PreviewServer, PreviewSite
from preview.reload import BuildFailed, LiveReload
from preview.serve import FormFunction
from sitegen.security import HEADERS_FILE

PAGE = "<!doctype html><html><head><title>Contact</title></head><body>Hi</body></html>"
TAG = re.compile(rb'<script src="/_preview/reload\.js" data-build="([^"]+)" defer></script>')


class Builder:
    """Stands in for the site build: succeeds, or raises what the test tells it to."""

    def __init__(self) -> None:
        self.failure: Exception | None = None

    def __call__(self) -> str:
        if self.failure is not None:
            raise self.failure
        return "built 1 page"


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    (out / "en" / "contact").mkdir(parents=True)
    (out / "en" / "contact" / "index.html").write_text(PAGE, encoding="utf-8")
    (out / "404.html").write_text(PAGE.replace("Contact", "Not found"), encoding="utf-8")
    (out / HEADERS_FILE).write_text(json.dumps({"X-Frame-Options": "DENY"}), encoding="utf-8")
    return out


@pytest.fixture
def preview(out_dir: Path) -> Iterator[tuple[str, LiveReload, Builder]]:
    site = PreviewSite(out_dir.parent, out_dir)
    site.headers = {"X-Frame-Options": "DENY"}
    builder = Builder()
    live_reload = LiveReload(builder)
    form = FormFunction()
    # No local AWS here: its start is over, and it never came up.
    form.settle()
    server = PreviewServer(("127.0.0.1", 0), site, form, form.context, live_reload)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", live_reload, builder
    live_reload.close()
    server.shutdown()
    server.server_close()


def get(host: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        connection.request(method, path, b"{}" if method == "POST" else None)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


class EventStream:
    """An open page's EventSource connection, read one event at a time."""

    def __init__(self, host: str) -> None:
        self.connection = http.client.HTTPConnection(host, timeout=10)
        self.connection.request("GET", "/_preview/events")
        self.answer = self.connection.getresponse()

    def next_event(self) -> dict:
        data = []
        while True:
            line = self.answer.fp.readline().decode("utf-8")
            assert line, "the stream ended"
            if line.startswith("data: "):
                data.append(line.removeprefix("data: "))
            elif line == "\n" and data:
                return json.loads("".join(data))

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def events(preview) -> Iterator[Callable[[], EventStream]]:
    opened: list[EventStream] = []

    def open_stream() -> EventStream:
        opened.append(EventStream(preview[0]))
        return opened[-1]

    yield open_stream
    for stream in opened:
        stream.close()


@pytest.mark.parametrize(("path", "status"), [("/en/contact/", 200), ("/en/missing/", 404)])
def test_reload_script_is_added_to_served_pages_and_never_to_the_built_files(
    preview, out_dir, path, status
):
    host, live_reload, _ = preview

    answer_status, headers, body = get(host, path)

    assert answer_status == status
    tags = TAG.findall(body)
    assert tags == [live_reload.state.build.encode()]
    assert body.index(TAG.search(body).group(0)) < body.index(b"</head>")
    assert int(headers["Content-Length"]) == len(body)
    for built in out_dir.rglob("*.html"):
        assert b"_preview" not in built.read_bytes()


def test_reload_tells_an_open_page_the_build_it_is_and_each_good_build_after(preview, events):
    _, live_reload, _ = preview
    stream = events()
    first = stream.next_event()
    assert first == {"build": live_reload.state.build, "failure": None}

    live_reload.rebuild({Path("en/contact.md")})

    second = stream.next_event()
    assert second["failure"] is None
    assert second["build"] != first["build"]


def test_reload_tells_an_open_page_where_a_build_failed_and_when_it_is_mended(preview, events):
    _, live_reload, builder = preview
    stream = events()
    good = stream.next_event()["build"]

    builder.failure = BuildFailed("content/en/contact.md:2", "invalid front matter: <b>x</b>")
    live_reload.rebuild({Path("content/en/contact.md")})

    failed = stream.next_event()
    # The last good build is still the one served; the page shows the failure over it.
    assert failed == {
        "build": good,
        "failure": {
            "location": "content/en/contact.md:2",
            "message": "invalid front matter: <b>x</b>",
        },
    }
    builder.failure = None
    live_reload.rebuild({Path("content/en/contact.md")})
    mended = stream.next_event()
    assert mended["failure"] is None
    assert mended["build"] != good


def test_reload_shows_an_unexpected_error_with_where_it_was_raised(preview, events, capsys):
    _, live_reload, builder = preview
    stream = events()
    stream.next_event()

    builder.failure = ZeroDivisionError("division by zero")
    live_reload.rebuild({Path("site/templates/page.html")})

    failure = stream.next_event()["failure"]
    assert failure["message"] == "ZeroDivisionError: division by zero"
    assert re.fullmatch(r".+\.py:\d+", failure["location"])
    assert "page.html: build failed, still serving the previous site" in capsys.readouterr().out


def test_reload_names_each_saved_page_with_its_language_folder(preview, capsys):
    # The same file name in two languages is two pages: the terminal line tells them apart.
    _, live_reload, _ = preview

    live_reload.rebuild({Path("content/ru/contact.md"), Path("content/en/contact.md")})

    assert "en/contact.md, ru/contact.md: built 1 page" in capsys.readouterr().out


def test_reload_tells_a_page_opened_after_a_failure_about_it(preview, events):
    _, live_reload, builder = preview
    builder.failure = BuildFailed("content/ru/index.md:1", "front matter is not closed")
    live_reload.rebuild()

    assert events().next_event()["failure"]["location"] == "content/ru/index.md:1"


def test_reload_streams_end_when_the_preview_stops(preview, events):
    _, live_reload, _ = preview
    stream = events()
    stream.next_event()

    live_reload.close()

    assert stream.answer.fp.readline() == b""


def test_preview_form_answers_503_when_the_local_aws_did_not_start(preview):
    host, _, _ = preview

    status, headers, body = get(host, "/api/contact", "POST")

    assert status == 503
    assert headers["Retry-After"] == "2"
    assert json.loads(body) == {"errors": {"request": "unavailable"}}

"""Live reload: open pages reload after each good rebuild and show a failed one's error.

As MkDocs' livereload does, this takes a `builder` callable and knows nothing of the site
generator: `builder()` returns a one-line summary of what it built, or raises `BuildFailed`
naming where the problem is. The preview's web server adds one tag to every page it serves,

    <script src="/_preview/reload.js" data-build="..." defer></script>

(to the response only: the built files never hold it, so nothing of it can be deployed), and
serves that script and an EventSource stream, `/_preview/events`, that tells each page the
latest good build and whether the last rebuild failed. The script (`reload.js` beside this
file) reloads a page that is older than the latest good build, keeping its scroll position,
and shows a failed rebuild's `file:line` and message over the page until a good one. Both are
same-origin, so the production Content-Security-Policy (`script-src 'self'`,
`connect-src 'self'`) allows them and the preview keeps sending exactly the production headers.
"""

from __future__ import annotations

import json
import secrets
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PREFIX = "/_preview/"
SCRIPT_PATH = PREFIX + "reload.js"
EVENTS_PATH = PREFIX + "events"
SCRIPT = (Path(__file__).with_name("reload.js")).read_bytes()
# A comment line now and then: a page that went away shows as a failed write, and its thread
# ends, rather than waiting for the next rebuild.
KEEP_ALIVE_SECONDS = 15.0
# How soon a page reconnects after the preview restarts (EventSource's own default is ~3 s).
RECONNECT_MILLISECONDS = 500
SHOWN_CHANGES = 3
# Open streams, one a page (and a thread each in the preview): a client opening thousands
# would exhaust the preview's memory. Past this many, the oldest gives way; its page, if still
# open, reconnects and becomes the newest.
MAX_STREAMS = 32


class BuildFailed(Exception):
    """The builder's way of saying the content has a problem, and where."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass(frozen=True)
class BuildState:
    """What every open page is told: the latest good build, and the failure since, if any."""

    build: str
    failure: BuildFailed | None = None

    def event(self) -> bytes:
        failure = self.failure
        data = {
            "build": self.build,
            "failure": failure and {"location": failure.location, "message": failure.message},
        }
        return f"data: {json.dumps(data)}\n\n".encode()


def _describe(changed: Iterable[Path]) -> str:
    # With its folder: `en/contact.md` and `ru/contact.md` are different pages.
    names = sorted(f"{path.parent.name}/{path.name}" for path in changed)
    if not names:
        return "rebuilt"
    more = len(names) - SHOWN_CHANGES
    return ", ".join(names[:SHOWN_CHANGES]) + (f" and {more} more" if more > 0 else "")


def add_script(html: bytes, tag: bytes) -> bytes:
    """A page's HTML with the script tag at the end of its head (or of the page)."""
    head_end = html.find(b"</head>")
    if head_end < 0:
        return html + tag
    return html[:head_end] + tag + html[head_end:]


def _unexpected(exc: Exception) -> BuildFailed:
    """A bug rather than the content: the editor sees it too, the traceback is in the terminal."""
    traceback.print_exception(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return BuildFailed(f"{frame.filename}:{frame.lineno}", f"{type(exc).__name__}: {exc}")


class LiveReload:
    """Runs the builder on each change and tells every open page how it went."""

    def __init__(self, builder: Callable[[], str]) -> None:
        self._builder = builder
        # Changes with every start of the preview, so pages left open across a restart reload.
        self._run = secrets.token_hex(4)
        self._good_builds = 0
        self._state = BuildState(self._build_id())
        self._changed = threading.Condition()
        self._closed = False
        # The open streams, oldest first; a stream gone from here ends at its next wake-up.
        self._streams: list[object] = []

    def _build_id(self) -> str:
        return f"{self._run}-{self._good_builds}"

    @property
    def state(self) -> BuildState:
        return self._state

    def rebuild(self, changed: Iterable[Path] = ()) -> None:
        """Build again after `changed` (paths) changed; print and publish the outcome."""
        what = _describe(changed)
        try:
            summary = self._builder()
        except Exception as exc:
            failure = exc if isinstance(exc, BuildFailed) else _unexpected(exc)
            print(f"{what}: build failed, still serving the previous site: {failure}", flush=True)
            self._publish(BuildState(self._state.build, failure))
            return
        self._good_builds += 1
        print(f"{what}: {summary}", flush=True)
        self._publish(BuildState(self._build_id()))

    def _publish(self, state: BuildState) -> None:
        with self._changed:
            self._state = state
            self._changed.notify_all()

    def script_tag(self) -> bytes:
        """The tag that makes a page reload after the next good build.

        Taken before the page's file is read: a build finishing in between then costs one
        reload too many, never one too few.
        """
        return (
            f'<script src="{SCRIPT_PATH}" data-build="{self._state.build}" defer></script>'
        ).encode()

    def events(self) -> Iterator[bytes]:
        """The EventSource stream of one page: the state now, then each change, until closed.

        Ends also when `MAX_STREAMS` newer streams have opened since.
        """
        stream = object()
        with self._changed:
            self._streams.append(stream)
            if len(self._streams) > MAX_STREAMS:
                del self._streams[0]
                self._changed.notify_all()
        try:
            yield from self._stream_events(stream)
        finally:
            with self._changed:
                if stream in self._streams:
                    self._streams.remove(stream)

    def _stream_events(self, stream: object) -> Iterator[bytes]:
        state = self._state
        yield f"retry: {RECONNECT_MILLISECONDS}\n".encode() + state.event()
        while True:
            with self._changed:
                self._changed.wait_for(
                    lambda seen=state: (
                        self._closed or self._state is not seen or stream not in self._streams
                    ),
                    KEEP_ALIVE_SECONDS,
                )
                if self._closed or stream not in self._streams:
                    return
                fresh = self._state
            if fresh is state:
                yield b": still here\n\n"
            else:
                state = fresh
                yield state.event()

    def close(self) -> None:
        """End every page's stream (the preview is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

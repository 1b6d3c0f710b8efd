"""Helpers for the site's tests: copies of the content, a tiny static server, page facts.

The static server stands in for the CDN (the real preview server is `preview.http_server`): it
serves `dist/`, sends the headers the build recorded, and answers unknown paths with
`/404.html`. The fixtures that build and serve the real site are in `tests/conftest.py`.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from sitecontent.site import load_site
from sitegen.security import headers_for

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
# The published languages, as content/site.toml lists them: tests that run per language take
# them from here, so a language added to the content is tested without a change to the tests.
LANGUAGES = load_site(CONTENT).languages
# The slow browser tests of behaviour every language shares run in the default language and the
# first other one; each language's words are checked without a browser, and what Kazakh brings
# (its messages, its long words) in test_browser_kazakh.py.
BROWSER_LANGUAGES = LANGUAGES[:2]
# A language that is not published, whole as an editor would add it (a German stand-in).
NEW_LANGUAGE = "de"
NEW_LANGUAGE_FIXTURE = ROOT / "tests" / "fixtures" / "site" / NEW_LANGUAGE
ANALYTICS_IDS = {"yandex_metrica_id": "98765432", "google_analytics_id": "G-TEST123456"}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    site_headers: ClassVar[dict[str, str]] = {}

    def end_headers(self) -> None:
        for name, value in self.site_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.exists():
            return super().send_error(code, message, explain)
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests


class _SiteServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a connection it no longer needs (a page left, a test's context
        # closed) is no error of the site's: only anything else is printed, as by default.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_static(out_dir: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 at a free port; yield its base URL."""
    handler = type("Handler", (_SiteHandler,), {"site_headers": headers_for(out_dir)})
    server = _SiteServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def copy_content(destination: Path) -> Path:
    """A private copy of the real `content/` that a test may change."""
    return Path(shutil.copytree(CONTENT, destination / "content"))


def add_language(content_dir: Path, folder: Path = NEW_LANGUAGE_FIXTURE) -> str:
    """Add a language as an editor does: copy its folder and list it last in `site.toml`."""
    language = folder.name
    shutil.copytree(folder, content_dir / language)
    listed = [*load_site(content_dir).languages, language]
    set_site_option(
        content_dir, "languages =", "languages = [" + ", ".join(f'"{x}"' for x in listed) + "]"
    )
    return language


def set_site_option(content_dir: Path, line_start: str, replacement: str) -> None:
    """Replace the `site.toml` line starting with `line_start` (a setting an editor changes)."""
    path = content_dir / "site.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    matches = [i for i, line in enumerate(lines) if line.startswith(line_start)]
    assert matches, f"no line starting {line_start!r} in {path}"
    lines[matches[0]] = replacement
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class PageFacts(HTMLParser):
    """What the tests read from a built page: language, head links, anchors and their text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.alternates: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(html)
        self.text = " ".join("".join(self.text_parts).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang", "")
        elif tag == "meta" and "name" in attributes:
            self.meta[attributes["name"]] = attributes.get("content", "")
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes["href"]
        elif tag == "link" and attributes.get("rel") == "alternate":
            self.alternates[attributes["hreflang"]] = attributes["href"]
        elif tag in ("a", "title", "style", "script"):
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, attributes, words = self._open.pop()
            text = " ".join("".join(words).split())
            if tag == "title":
                self.title = text
            elif tag == "a":
                self.links.append((attributes.get("href", ""), text))

    def handle_data(self, data: str) -> None:
        for _, _, words in self._open:
            words.append(data)
        if not any(tag in ("style", "script", "title") for tag, _, _ in self._open):
            self.text_parts.append(data)

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]


def read_page(out_dir: Path, url: str) -> PageFacts:
    """Parse the built file that answers `url`."""
    relative = url.lstrip("/") + ("index.html" if url.endswith("/") else "")
    return PageFacts((out_dir / relative).read_text(encoding="utf-8"))

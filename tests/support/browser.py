"""Browser contexts a module's tests share, each left as a new one between tests.

In Chromium a new context starts a renderer process: half a core-second and more before any
page loads, the largest part of what a short browser test cost. With a context a test, the
errors module's 34 tests kept the machine busy for 85 core-seconds, and the end-to-end
contact module's 19 for 59; with these, 52 and 44 (and the warm-up and staff-page modules'
13 tests 24 and 19.5). A kept context has a blank page open, so its renderer lives on between
tests; `forget` then closes the test's pages and clears what they left: cookies, permissions,
every origin's storage and the HTTP cache. What a test adds to the context itself (routes,
listeners, scripts run in every page) cannot be taken back, so a test that needs those makes
a context of its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext


class KeptContexts:
    """One context per set of options, made at first use; all closed when the `with` ends."""

    def __init__(self, browser: Browser, timeout_ms: float | None = None) -> None:
        self._browser = browser
        self._timeout_ms = timeout_ms
        self._kept: dict[str, BrowserContext] = {}
        self._used: dict[str, BrowserContext] = {}

    def get(self, **options: Any) -> BrowserContext:
        """The context with these `browser.new_context` options; `forget` when the test ends."""
        key = repr(sorted(options.items()))
        if key not in self._kept:
            context = self._browser.new_context(**options)
            if self._timeout_ms is not None:
                context.set_default_timeout(self._timeout_ms)
            context.new_page()  # blank: it keeps the renderer process between tests
            self._kept[key] = context
        self._used[key] = self._kept[key]
        return self._kept[key]

    def forget(self) -> None:
        """Leave every context a test used as a new one: no page of its, nothing stored."""
        for context in self._used.values():
            _forget(context)
        self._used.clear()

    def __enter__(self) -> KeptContexts:
        return self

    def __exit__(self, *_: object) -> None:
        for context in self._kept.values():
            context.close()
        self._kept.clear()


def _forget(context: BrowserContext) -> None:
    keeper, *pages = context.pages
    # The origins whose storage a page may have used: those it showed, and those holding
    # local storage (Playwright lists them) in case a page navigated on.
    origins = {_origin(page.url) for page in pages}
    origins.update(entry["origin"] for entry in context.storage_state()["origins"])
    for page in pages:
        page.close()
    context.clear_cookies()
    context.clear_permissions()
    session = context.new_cdp_session(keeper)
    try:
        for origin in sorted(origin for origin in origins if origin):
            session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        session.send("Network.clearBrowserCache")
    finally:
        session.detach()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else ""

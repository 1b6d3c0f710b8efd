"""Browser contexts a module's tests share, each left as a new one between tests.

In Chromium a new context starts a renderer process: half a core-second and more before any
page loads, the largest part of what a short browser test cost. With a context a test, the
errors module's 34 tests kept the machine busy for 85 core-seconds, and the end-to-end
contact module's 19 for 59; with these, 52 and 44 (and the warm-up and staff-page modules'
13 tests 24 and 19.5). A kept context has a page that stays open, so its renderer lives on
between tests; `forget` then closes the test's other pages and clears what they left: cookies,
permissions, every origin's storage and the HTTP cache.

A new page still costs Chromium and Playwright a tenth of a core-second (its tab, its
renderer, the protocol sessions Playwright opens for it): the errors module's 34 tests took
29 core-seconds with a new page each and 24.5 on the kept one. So a test that only navigates,
types and routes takes the kept page (`page`), and `forget` also takes its routes back and
clears its tab's session storage. It keeps its history, so a test goes back only to pages it
opened itself. A listener a test adds to the kept page it takes off again
(`page.remove_listener`). What a test adds to the context itself (routes, listeners, scripts
run in every page) cannot be taken back: such a test makes a context of its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page


class KeptContexts:
    """One context per set of options, made at first use; all closed when the `with` ends."""

    def __init__(self, browser: Browser, timeout_ms: float | None = None) -> None:
        self._browser = browser
        self._timeout_ms = timeout_ms
        self._kept: dict[str, _KeptPage] = {}
        self._used: set[str] = set()

    def get(self, **options: Any) -> BrowserContext:
        """The context with these `browser.new_context` options; `forget` when the test ends."""
        return self._kept_page(options).context

    def page(self, **options: Any) -> Page:
        """The kept page of the context with these options, as the last test left it but with
        nothing stored and no route; `forget` when the test ends."""
        return self._kept_page(options).page

    def _kept_page(self, options: dict[str, Any]) -> _KeptPage:
        key = repr(sorted(options.items()))
        if key not in self._kept:
            context = self._browser.new_context(**options)
            if self._timeout_ms is not None:
                context.set_default_timeout(self._timeout_ms)
            self._kept[key] = _KeptPage(context)
        self._used.add(key)
        return self._kept[key]

    def forget(self) -> None:
        """Leave every context a test used as a new one: nothing stored, no page but the kept
        one, and that one without routes."""
        for key in sorted(self._used):
            self._kept[key].forget()
        self._used.clear()

    def __enter__(self) -> KeptContexts:
        return self

    def __exit__(self, *_: object) -> None:
        for kept in self._kept.values():
            kept.context.close()
        self._kept.clear()


class _KeptPage:
    """A context's page that stays open between tests."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()

    def forget(self) -> None:
        context = self.context
        # The origins whose storage a page may have used: those it showed, and those holding
        # local storage (Playwright lists them) in case a page navigated on.
        origins = {_origin(page.url) for page in context.pages}
        origins.update(entry["origin"] for entry in context.storage_state()["origins"])
        if self.page.is_closed():
            self.page = context.new_page()
        for page in context.pages:
            if page is not self.page:
                page.close()
        self.page.unroute_all(behavior="ignoreErrors")
        context.clear_cookies()
        context.clear_permissions()
        session = context.new_cdp_session(self.page)
        try:
            # "all" takes the kept tab's session storage too, in every origin it showed.
            for origin in sorted(origin for origin in origins if origin):
                session.send(
                    "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
                )
            session.send("Network.clearBrowserCache")
        finally:
            session.detach()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else ""

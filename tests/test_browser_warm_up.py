"""The contact page wakes the form's function: one bare request per page view, nowhere else.

Debian's Chromium loads the built site under its real security headers (the CSP's
`connect-src 'self'` must let the request through); the warm-up's answer is the function's
(204), given by the test. Absence is checked without waiting on a clock: a later request that
the browser sends after any warm-up of the earlier page would have been is awaited instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

from tests.support.browser import KeptContexts
from tests.support.site import BROWSER_LANGUAGES

pytestmark = pytest.mark.browser

WARM_UP = "/api/warm-up"


class WarmUps:
    """The warm-up requests a page sent, in order, answered as the function answers (204)."""

    def __init__(self, page: Page) -> None:
        self.requests: list[Request] = []
        # Registered before any `expect_request`: the same event reaches this listener first.
        page.on(
            "request",
            lambda request: self.requests.append(request) if is_warm_up(request) else None,
        )
        page.route(f"**{WARM_UP}", self._answer)

    @staticmethod
    def _answer(route: Route) -> None:
        route.fulfill(status=204, headers={"Cache-Control": "no-store"})


def is_warm_up(request: Request) -> bool:
    return request.url.endswith(WARM_UP)


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser) as kept:
        yield kept


@pytest.fixture
def context(contexts: KeptContexts, site_url: str) -> Iterator[BrowserContext]:
    context = contexts.get()
    # A cookie of the site's own, which the warm-up must not carry.
    context.add_cookies([{"name": "visitor", "value": "seen-before", "url": site_url}])
    yield context
    contexts.forget()


def open_contact(page: Page, site_url: str, language: str) -> None:
    with page.expect_request(is_warm_up):
        page.goto(f"{site_url}/{language}/contact/")


@pytest.mark.parametrize("language", BROWSER_LANGUAGES)
def test_browser_warm_up_once_per_view_of_the_contact_page(
    context: BrowserContext, site_url: str, language: str
) -> None:
    page = context.new_page()
    warm_ups = WarmUps(page)

    open_contact(page, site_url, language)
    with page.expect_request(is_warm_up):
        page.reload()  # a second view: its own request
    open_contact(page, site_url, language)

    assert len(warm_ups.requests) == 3
    for request in warm_ups.requests:
        assert request.method == "GET"
        assert request.url == f"{site_url}{WARM_UP}"
        assert request.post_data is None
        headers = request.all_headers()
        assert "cookie" not in headers and "referer" not in headers


@pytest.mark.parametrize(
    "path", ["/", "/ru/", "/en/privacy/", "/ru/thanks/", "/en/no-such-page/"], ids=str
)
def test_browser_warm_up_never_from_other_pages(
    context: BrowserContext, site_url: str, path: str
) -> None:
    page = context.new_page()
    warm_ups = WarmUps(page)

    page.goto(f"{site_url}{path}", wait_until="load")
    if path == "/":
        page.wait_for_url(f"{site_url}/ru/")  # the language picker sends browsers on
    open_contact(page, site_url, "en")

    # Only the contact page's own: one the other page sent would have arrived before it.
    assert [request.frame.url for request in warm_ups.requests] == [f"{site_url}/en/contact/"]


def test_browser_warm_up_again_when_shown_from_the_back_forward_cache(
    context: BrowserContext, site_url: str
) -> None:
    page = context.new_page()
    warm_ups = WarmUps(page)
    open_contact(page, site_url, "ru")

    # What the browser fires when it shows the page again: from the cache (persisted), and not.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: false}))")
    with page.expect_request(is_warm_up):
        page.evaluate(
            "window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
        )

    assert len(warm_ups.requests) == 2


def test_browser_warm_up_nothing_without_javascript(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        warm_ups = WarmUps(page)
        page.goto(f"{site_url}/ru/contact/", wait_until="load")
        assert page.locator("#contact-form").is_visible()
        page.goto(f"{site_url}/en/contact/", wait_until="load")
    finally:
        context.close()

    assert warm_ups.requests == []

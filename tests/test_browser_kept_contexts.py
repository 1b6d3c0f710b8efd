"""A browser context kept between tests is left as a new one (`tests/support/browser.py`).

The form and error tests share one context per module to spare Chromium a renderer process a
test; a choice, cookie or cached page one test leaves must not reach the next. The site keeps
the visitor's analytics choice in local storage (`site/assets/consent.js`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.browser import KeptContexts

pytestmark = pytest.mark.browser

LEAVE_TRACES = """() => {
    localStorage.setItem("left", "by the last test");
    sessionStorage.setItem("left", "by the last test");
    document.cookie = "left=by-the-last-test; path=/; max-age=3600";
}"""
TRACES = """() => [localStorage.length, sessionStorage.length, document.cookie]"""


@pytest.fixture
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser, timeout_ms=15_000) as kept:
        yield kept


@pytest.fixture
def other_origin(site_url: str) -> str:
    """The same server under another name: another origin, whose storage is its own."""
    return site_url.replace("127.0.0.1", "localhost")


def test_a_kept_context_forgets_what_the_last_tests_pages_left(
    contexts: KeptContexts, site_url: str, other_origin: str
) -> None:
    first = contexts.get()
    page = first.new_page()
    page.goto(f"{site_url}/en/contact/")
    page.evaluate(LEAVE_TRACES)
    # Another origin's storage too: a test may follow a link elsewhere.
    other = first.new_page()
    other.goto(f"{other_origin}/en/")
    other.evaluate(LEAVE_TRACES)
    assert page.evaluate(TRACES) == [1, 1, "left=by-the-last-test"]

    contexts.forget()

    again = contexts.get()
    assert again is first, "the context was made again, not kept"
    assert [p.url for p in again.pages] == ["about:blank"], "the last test's pages stayed open"
    for url in (f"{site_url}/en/contact/", f"{other_origin}/en/"):
        page = again.new_page()
        page.goto(url)
        assert page.evaluate(TRACES) == [0, 0, ""], url
    assert again.cookies() == []


def test_the_kept_page_forgets_what_the_last_test_left_on_it(
    contexts: KeptContexts, site_url: str, other_origin: str
) -> None:
    page = contexts.page()
    # A route the last test left, and traces in this very tab's storage.
    page.route("**/en/thanks/", lambda route: route.fulfill(status=404, body="routed"))
    page.goto(f"{site_url}/en/contact/")
    page.evaluate(LEAVE_TRACES)
    assert page.goto(f"{site_url}/en/thanks/").status == 404

    contexts.forget()

    again = contexts.page()
    assert again is page, "the page was made again, not kept"
    assert again.goto(f"{site_url}/en/thanks/").status == 200, "the last test's route stayed"
    again.goto(f"{site_url}/en/contact/")
    assert again.evaluate(TRACES) == [0, 0, ""]

    # The tab's session storage, in each origin it showed.
    for url in (f"{other_origin}/en/", f"{site_url}/en/contact/"):
        again.goto(url)
        again.evaluate(LEAVE_TRACES)

    contexts.forget()

    assert contexts.page() is again
    for url in (f"{other_origin}/en/", f"{site_url}/en/contact/"):
        again.goto(url)
        assert again.evaluate(TRACES) == [0, 0, ""], url

    again.close()  # as a test may: the next one gets a new kept page
    contexts.forget()
    third = contexts.page()
    assert not third.is_closed() and third.context.pages == [third]

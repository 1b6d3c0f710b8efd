"""The language switcher in Debian's Chromium: it lands on the same page in the other language.

The pages are served with the headers the build recorded, CSP included, and must not break it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from sitecontent.strings import load_strings
from tests.support.browser import KeptContexts
from tests.support.site import CONTENT, LANGUAGES

pytestmark = pytest.mark.browser

# Each language's own name, as its strings file gives it to the switcher ("Қазақша").
NAMES = {language: load_strings(CONTENT, language)["language.name"] for language in LANGUAGES}
# Round the languages: each switches to the next, the last to the first.
NEXT = dict(zip(LANGUAGES, LANGUAGES[1:] + LANGUAGES[:1], strict=True))
SLUGS = ["", "privacy/", "privacy/1.0/", "contact/", "thanks/"]


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser) as kept:
        yield kept


@pytest.fixture
def page(contexts: KeptContexts) -> Iterator[Page]:
    yield contexts.page()
    contexts.forget()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", SLUGS)
def test_browser_switcher_lands_on_the_same_page(
    page: Page, site_url: str, language: str, slug: str
) -> None:
    other = NEXT[language]
    refused: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Refused" in message.text:
            refused.append(message.text)

    page.on("console", record)
    page.goto(f"{site_url}/{language}/{slug}")
    heading = page.locator("h1").inner_text()

    page.get_by_role("link", name=NAMES[other], exact=True).click()

    page.wait_for_url(f"{site_url}/{other}/{slug}")
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator("h1").inner_text() != heading
    page.remove_listener("console", record)  # the page is kept for the next test
    assert refused == [], "the page broke its own Content-Security-Policy"


def test_browser_root_sends_to_the_default_language(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/")

    page.wait_for_url(f"{site_url}/ru/")


def test_browser_unknown_address_gets_the_not_found_page(page: Page, site_url: str) -> None:
    response = page.goto(f"{site_url}/en/no-such-page/")

    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()

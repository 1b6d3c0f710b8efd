"""The language switcher in Debian's Chromium: it lands on the same page in the other language.

The pages are served with the headers the build recorded, CSP included, and must not break it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from sitecontent.strings import load_strings
from tests.support.site import CONTENT, LANGUAGES

pytestmark = pytest.mark.browser

# Each language's own name, as its strings file gives it to the switcher ("Қазақша").
NAMES = {language: load_strings(CONTENT, language)["language.name"] for language in LANGUAGES}
# Round the languages: each switches to the next, the last to the first.
NEXT = dict(zip(LANGUAGES, LANGUAGES[1:] + LANGUAGES[:1], strict=True))
SLUGS = ["", "privacy/", "privacy/1.0/", "contact/", "thanks/"]


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", SLUGS)
def test_browser_switcher_lands_on_the_same_page(
    context: BrowserContext, site_url: str, language: str, slug: str
) -> None:
    other = NEXT[language]
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Refused" in message.text else None,
    )
    page.goto(f"{site_url}/{language}/{slug}")
    heading = page.locator("h1").inner_text()

    page.get_by_role("link", name=NAMES[other], exact=True).click()

    page.wait_for_url(f"{site_url}/{other}/{slug}")
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator("h1").inner_text() != heading
    assert refused == [], "the page broke its own Content-Security-Policy"
    page.close()


def test_browser_root_sends_to_the_default_language(context: BrowserContext, site_url: str) -> None:
    page = context.new_page()

    page.goto(f"{site_url}/")

    page.wait_for_url(f"{site_url}/ru/")
    page.close()


def test_browser_unknown_address_gets_the_not_found_page(
    context: BrowserContext, site_url: str
) -> None:
    page = context.new_page()

    response = page.goto(f"{site_url}/en/no-such-page/")

    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.close()

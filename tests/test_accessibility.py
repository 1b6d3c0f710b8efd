"""axe-core (from `axe-playwright-python`) finds no violations on any page, in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from sitegen.build import BuildResult, build
from tests.support.browser import KeptContexts
from tests.support.site import (
    BROWSER_LANGUAGES,
    LANGUAGES,
    copy_content,
    serve_static,
    set_site_option,
)

pytestmark = pytest.mark.browser

AXE = Axe()


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser) as kept:
        yield kept


@pytest.fixture
def page(contexts: KeptContexts) -> Iterator[Page]:
    # axe evaluates its own script in the page; the site's CSP (tested elsewhere) would block it.
    yield contexts.page(bypass_csp=True)
    contexts.forget()


@pytest.fixture(scope="module")
def cross_border_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real content with `ask_cross_border_consent = true`, served on loopback."""
    content = copy_content(tmp_path_factory.mktemp("cross-border"))
    set_site_option(content, "ask_cross_border_consent", "ask_cross_border_consent = true")
    result = build(content, content.parent / "dist")
    with serve_static(result.out_dir) as url:
        yield url


def violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{item['id']}: {item['help']} — {[node['target'] for node in item['nodes']]}"
        for item in results.response["violations"]
    ]


def page_urls() -> list[str]:
    slugs = ["", "privacy/", "privacy/1.0/", "contact/", "thanks/"]
    return ["/404.html"] + [f"/{language}/{slug}" for language in LANGUAGES for slug in slugs]


@pytest.mark.parametrize("url", page_urls())
def test_accessibility_page_has_no_violations(
    page: Page, site_url: str, built_site: BuildResult, url: str
) -> None:
    relative = url.lstrip("/") + ("index.html" if url.endswith("/") else "")
    assert relative in built_site.files
    page.goto(site_url + url)

    assert violations(page) == []


def test_accessibility_language_picker_has_no_violations(page: Page, site_url: str) -> None:
    # Keep the picker on screen: a redirect answered with 204 leaves the browser where it is.
    page.route(f"{site_url}/ru/", lambda route: route.fulfill(status=204))
    page.goto(f"{site_url}/")

    assert page.locator("ul.language-choice").is_visible()
    assert violations(page) == []


def test_accessibility_form_with_errors_has_no_violations(page: Page, site_url: str) -> None:
    page.route(
        "**/api/contact",
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            body='{"errors": {"email": "invalid", "consent": "consent_required"}}',
        ),
    )
    page.goto(f"{site_url}/en/contact/")
    page.fill("#last_name", "Smith")
    page.fill("#first_name", "Anna")
    page.fill("#email", "anna@example.com")
    page.check("#consent")
    page.click("[data-add-phone]")
    page.click("#contact-form button[type=submit]")
    page.locator("#email-error").filter(has_text="Enter an email address").wait_for()

    assert violations(page) == []


@pytest.mark.parametrize("language", BROWSER_LANGUAGES)
def test_accessibility_analytics_banner_has_no_violations(
    page: Page, analytics_site_url: str, language: str
) -> None:
    page.goto(f"{analytics_site_url}/{language}/contact/")
    page.locator("#analytics-banner").wait_for()

    assert violations(page) == []


@pytest.mark.parametrize("language", BROWSER_LANGUAGES)
def test_accessibility_cross_border_consent_and_its_error_have_no_violations(
    page: Page, cross_border_site_url: str, language: str
) -> None:
    page.route(
        "**/api/contact",
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            body='{"errors": {"cross_border": "consent_required"}}',
        ),
    )
    page.goto(f"{cross_border_site_url}/{language}/contact/")
    assert violations(page) == []

    page.fill("#last_name", "Smith")
    page.fill("#first_name", "Anna")
    page.fill("#email", "anna@example.com")
    page.check("#consent")
    page.check("#cross_border")
    page.click("#contact-form button[type=submit]")
    page.locator("#cross_border[aria-invalid=true]").wait_for()

    assert violations(page) == []

"""A language added as a folder only: German from a fixture, built and served with its form.

The test copies the real content, adds `tests/fixtures/site/de/` and lists `de` in
`site.toml`, as an editor would; no Python file knows German. `build.py serve` then builds
it, the form works in German with and without JavaScript, the function answers in German and
stores the submission as `de`, and the translations report counts the new folder in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from sitecontent.contact_form import error_message
from sitecontent.strings import load_strings
from tests.support.preview import Preview, running_preview
from tests.support.site import NEW_LANGUAGE, NEW_LANGUAGE_FIXTURE, add_language, copy_content

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STRINGS = load_strings(NEW_LANGUAGE_FIXTURE.parent, NEW_LANGUAGE)
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    work_dir = tmp_path_factory.mktemp("new-language")
    content = copy_content(work_dir)
    assert add_language(content) == NEW_LANGUAGE
    with running_preview(work_dir / "serve", content) as running:
        yield running


def new_page(browser: Browser, javascript: bool) -> Page:
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def fill(page: Page, email: str) -> None:
    page.fill("#last_name", "Schneider")
    page.fill("#first_name", "Jürgen")
    page.fill("#email", email)
    page.check("#consent")


def test_new_language_form_without_javascript_answers_in_it_and_stores_it(
    preview: Preview, browser: Browser
) -> None:
    page = new_page(browser, javascript=False)
    before = set(preview.stored_items())

    def without_browser_checks(route):
        response = route.fetch()
        route.fulfill(
            response=response, body=response.text().replace("<form ", "<form novalidate ", 1)
        )

    page.route("**/de/contact/", without_browser_checks)
    page.goto(f"{preview.url}/de/contact/")
    assert page.locator("html").get_attribute("lang") == NEW_LANGUAGE
    fill(page, "juergen-at-example.de")
    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("#contact-form button[type=submit]")

    assert posted.value.status == 422
    assert page.locator("html").get_attribute("lang") == NEW_LANGUAGE
    assert error_message(STRINGS, "email", "invalid") in page.locator("body").inner_text()

    page.unroute("**/de/contact/")
    page.goto(f"{preview.url}/de/contact/")
    fill(page, f"juergen.{uuid.uuid4().hex[:8]}@example.de")
    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("#contact-form button[type=submit]")

    assert posted.value.status == 303
    page.wait_for_url(f"{preview.url}/de/thanks/")
    assert page.locator("h1").inner_text() == "Danke"
    new = [item for key, item in preview.stored_items().items() if key not in before]
    assert [item["locale"]["S"] for item in new] == [NEW_LANGUAGE]
    page.context.close()


def test_new_language_form_with_javascript_shows_its_messages(
    preview: Preview, browser: Browser
) -> None:
    page = new_page(browser, javascript=True)
    page.goto(f"{preview.url}/de/contact/")
    fill(page, "juergen-at-example.de")

    page.click("#contact-form button[type=submit]")

    message = f"{STRINGS['form.error_prefix']} {error_message(STRINGS, 'email', 'invalid')}"
    expect(page.locator("#email-error")).to_have_text(message)
    # The switcher of every language offers it, by its own name.
    page.goto(f"{preview.url}/kk/contact/")
    expect(page.locator('a[hreflang="de"]')).to_have_text("Deutsch")
    page.context.close()


def test_new_language_is_counted_among_the_translations(preview: Preview) -> None:
    # Its folder records no source revision yet: the preview says so, file by file.
    for name in ("index.md", "contact.md", "thanks.md", "404.md", "strings.toml"):
        assert f"warning: {NEW_LANGUAGE}/{name} records no translated_from" in preview.log()

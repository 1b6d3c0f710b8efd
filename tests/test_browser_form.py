"""The contact form in Debian's Chromium, in both languages, with and without JavaScript."""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from tests.support.browser import KeptContexts
from tests.support.site import BROWSER_LANGUAGES

pytestmark = pytest.mark.browser

LANGUAGES = BROWSER_LANGUAGES
EMAIL_ERROR = {
    "ru": "Введите адрес электронной почты в правильном формате, например name@example.kz",
    "en": "Enter an email address in the correct format, like name@example.kz",
}
PHONE_ERROR = {
    "ru": "Введите номер телефона с кодом страны, например +7 701 234 56 78",
    "en": "Enter a phone number with its country code, like +7 701 234 56 78",
}
UNAVAILABLE = {
    "ru": "Не удалось сохранить сообщение. Попробуйте ещё раз через минуту.",
    "en": "We could not save your message just now. Please try again in a minute.",
}


@pytest.fixture(scope="module")
def kept(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser) as contexts:
        yield contexts


@pytest.fixture
def contexts(kept: KeptContexts) -> Iterator[KeptContexts]:
    yield kept
    kept.forget()


def open_contact(contexts: KeptContexts, site_url: str, language: str) -> Page:
    page = contexts.page()
    page.goto(f"{site_url}/{language}/contact/")
    return page


def fill_required(page: Page) -> None:
    page.fill("#last_name", "Абенова")
    page.fill("#first_name", "Айгерим")
    page.fill("#email", "aigerim@example.kz")
    page.fill("#phone-1", "+7 701 234 56 78")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_submit_disabled_until_consent(
    contexts: KeptContexts, site_url: str, language: str
) -> None:
    page = open_contact(contexts, site_url, language)
    submit = page.locator("#contact-form button[type=submit]")

    assert page.locator("#consent").is_visible() and not page.is_checked("#consent")
    assert submit.is_disabled()
    page.check("#consent")
    assert submit.is_enabled()
    page.uncheck("#consent")
    assert submit.is_disabled()


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_consent_links_to_the_policy_version_it_sends(
    contexts: KeptContexts, site_url: str, language: str
) -> None:
    page = open_contact(contexts, site_url, language)
    version = page.locator("input[name=policy_version]").get_attribute("value")

    page.locator("label[for=consent] a").click()

    page.wait_for_url(f"{site_url}/{language}/privacy/{version}/")
    assert page.locator("h1").is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_422_errors_show_inline_and_keep_the_input(
    contexts: KeptContexts, site_url: str, language: str
) -> None:
    page = open_contact(contexts, site_url, language)
    sent: list[dict] = []

    def answer(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps({"errors": {"email": "invalid", "phone": "invalid"}}),
        )

    page.route("**/api/contact", answer)
    fill_required(page)
    page.fill("#message", "Здравствуйте")
    page.check("#consent")
    page.click("#contact-form button[type=submit]")

    page.locator("#email-error").filter(has_text=EMAIL_ERROR[language]).wait_for()
    assert page.locator("#phone-1-error").inner_text().endswith(PHONE_ERROR[language])
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert page.locator("#email").get_attribute("aria-describedby") == "email-error"
    assert page.input_value("#email") == "aigerim@example.kz"
    assert page.input_value("#message") == "Здравствуйте"
    assert sent[0]["locale"] == language
    assert sent[0]["consent"] is True and sent[0]["marketing"] is False
    assert sent[0]["phone"] == ["+7 701 234 56 78"]
    assert sent[0]["website"] == ""
    assert uuid.UUID(sent[0]["idempotency_key"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_retry_reuses_the_idempotency_key_then_thanks(
    contexts: KeptContexts, site_url: str, language: str
) -> None:
    page = open_contact(contexts, site_url, language)
    keys: list[str] = []

    def answer(route: Route) -> None:
        keys.append(json.loads(route.request.post_data or "{}")["idempotency_key"])
        if len(keys) == 1:
            route.fulfill(status=503, content_type="application/json", body='{"errors": {}}')
        else:
            route.fulfill(
                status=201,
                content_type="application/json",
                body=json.dumps({"id": str(uuid.uuid4()), "status": "received"}),
            )

    page.route("**/api/contact", answer)
    fill_required(page)
    page.check("#consent")
    page.click("#contact-form button[type=submit]")
    page.locator("#form-status").filter(has_text=UNAVAILABLE[language]).wait_for()
    page.click("#contact-form button[type=submit]")

    page.wait_for_url(f"{site_url}/{language}/thanks/")
    assert len(keys) == 2 and keys[0] == keys[1]


@pytest.fixture(scope="module")
def cached_context(browser: Browser) -> Iterator[BrowserContext]:
    """A Chromium with its back/forward cache on, as visitors' browsers have it.

    Playwright turns the cache off by default (so that going back always reloads); a page
    restored from it keeps its scripts' state, the form's idempotency key included.
    """
    from tests.conftest import CHROMIUM_ARGS
    from tests.support.tools import require_chromium

    cached = browser.browser_type.launch(
        executable_path=str(require_chromium()),
        headless=True,
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    context = cached.new_context()
    yield context
    context.close()
    cached.close()


def record_posts(page: Page, statuses: list[int]) -> list[dict]:
    """Answer the form's posts with these statuses in turn; return what each post sent."""
    sent: list[dict] = []

    def answer(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        status = statuses[min(len(sent), len(statuses)) - 1]
        body = {"id": str(uuid.uuid4()), "status": "received"} if status == 201 else {"errors": {}}
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route("**/api/contact", answer)
    return sent


def come_back_from_the_cache(page: Page, contact_url: str) -> None:
    """Go back to the contact page and check that the browser restored it from its cache."""
    page.go_back(wait_until="commit")
    page.wait_for_url(contact_url, wait_until="commit")
    page.wait_for_function("document.readyState === 'complete'")
    # Set before the page was left: a reload would have lost it.
    assert page.evaluate("window.beforeLeaving === true"), "the page was reloaded, not restored"


def submit_button(page: Page) -> Locator:
    return page.locator("#contact-form button[type=submit]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_correction_after_going_back_is_sent_with_a_new_key(
    cached_context: BrowserContext, site_url: str, language: str
) -> None:
    # Given a visitor who sent the form with a typo and landed on the thanks page
    page = cached_context.new_page()
    contact_url = f"{site_url}/{language}/contact/"
    page.goto(contact_url)
    sent = record_posts(page, [201])
    fill_required(page)
    page.fill("#email", "aigerim@exmaple.kz")
    page.check("#marketing")
    page.check("#consent")
    page.evaluate("window.beforeLeaving = true")
    submit_button(page).click()
    page.wait_for_url(f"{site_url}/{language}/thanks/")
    # When they go back, fix the email, untick marketing and send again
    come_back_from_the_cache(page, contact_url)
    assert page.input_value("#email") == "aigerim@exmaple.kz"
    page.fill("#email", "aigerim@example.kz")
    page.uncheck("#marketing")
    submit_button(page).click()
    page.wait_for_url(f"{site_url}/{language}/thanks/")
    # Then the correction goes out as a submission of its own, not as a repeat of the first
    assert [(post["email"], post["marketing"]) for post in sent] == [
        ("aigerim@exmaple.kz", True),
        ("aigerim@example.kz", False),
    ]
    assert sent[0]["idempotency_key"] != sent[1]["idempotency_key"]
    page.close()


def test_browser_page_shown_again_from_the_cache_makes_a_new_key(
    cached_context: BrowserContext, site_url: str
) -> None:
    page = cached_context.new_page()
    contact_url = f"{site_url}/en/contact/"
    page.goto(contact_url)
    sent = record_posts(page, [503, 201])
    fill_required(page)
    page.check("#consent")
    submit_button(page).click()
    page.locator("#form-status").filter(has_text=UNAVAILABLE["en"]).wait_for()
    # The visitor opens the policy from the consent's link, then comes back and sends.
    page.evaluate("window.beforeLeaving = true")
    page.locator("label[for=consent] a").click()
    page.wait_for_url(f"{site_url}/en/privacy/**")
    come_back_from_the_cache(page, contact_url)
    submit_button(page).click()
    page.wait_for_url(f"{site_url}/en/thanks/")
    assert len(sent) == 2
    assert sent[0]["idempotency_key"] != sent[1]["idempotency_key"]
    page.close()


def test_browser_a_send_after_a_success_carries_a_new_key(
    contexts: KeptContexts, site_url: str
) -> None:
    page = open_contact(contexts, site_url, "en")
    sent = record_posts(page, [201])
    # A thanks page answering "204 No Content" leaves the form on screen, as a navigation that
    # never completes would: what is sent from it next is another submission.
    page.route("**/en/thanks/", lambda route: route.fulfill(status=204))
    fill_required(page)
    page.check("#consent")
    with page.expect_request("**/en/thanks/"):
        submit_button(page).click()
    expect(submit_button(page)).to_be_enabled()
    with page.expect_request("**/en/thanks/"):
        submit_button(page).click()
    assert page.url == f"{site_url}/en/contact/"
    assert len(sent) == 2
    assert sent[0]["idempotency_key"] != sent[1]["idempotency_key"]


def test_browser_the_second_click_of_a_double_click_sends_nothing_more(
    contexts: KeptContexts, site_url: str
) -> None:
    # A double click whose first click was answered (201) before its second arrived, as a
    # warm function answers within a double click's interval: the form, unlocked with a new
    # key after the success, must not take the second click for another submission.
    page = open_contact(contexts, site_url, "en")
    sent = record_posts(page, [201])
    page.route("**/en/thanks/", lambda route: route.fulfill(status=204))
    fill_required(page)
    page.check("#consent")
    box = submit_button(page).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request("**/en/thanks/"):
        page.mouse.click(x, y)
    expect(submit_button(page)).to_be_enabled()
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)
    # A later, separate click is still another submission (the test above): wait for it, so
    # that a second post from the double click would have been recorded by then.
    with page.expect_request("**/en/thanks/"):
        submit_button(page).click()
    assert len(sent) == 2


def test_browser_add_phone_sends_every_number(contexts: KeptContexts, site_url: str) -> None:
    page = open_contact(contexts, site_url, "en")
    sent: list[dict] = []
    page.route(
        "**/api/contact",
        lambda route: (
            sent.append(json.loads(route.request.post_data or "{}")),
            route.fulfill(status=201, content_type="application/json", body='{"id": "x"}'),
        ),
    )
    fill_required(page)
    page.click("[data-add-phone]")
    page.fill("#phone-2", "+7 727 123 45 67")
    page.check("#consent")
    page.click("#contact-form button[type=submit]")

    page.wait_for_url(f"{site_url}/en/thanks/")
    assert sent[0]["phone"] == ["+7 701 234 56 78", "+7 727 123 45 67"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_without_javascript_required_gates_then_plain_post(
    contexts: KeptContexts, site_url: str, language: str
) -> None:
    page = contexts.page(java_script_enabled=False)
    posts: list[str] = []

    def answer(route: Route) -> None:
        posts.append(route.request.post_data or "")
        route.fulfill(status=303, headers={"Location": f"/{language}/thanks/"})

    page.route("**/api/contact", answer)
    page.goto(f"{site_url}/{language}/contact/")
    required = page.locator("#contact-form [required]")
    names = {required.nth(i).get_attribute("name") for i in range(required.count())}
    assert names == {"last_name", "first_name", "email", "consent"}

    page.click("#contact-form button[type=submit]")  # empty: the browser refuses
    fill_required(page)
    page.click("#contact-form button[type=submit]")  # consent not ticked: refused again
    assert posts == []
    page.check("#consent")
    page.click("#contact-form button[type=submit]")

    page.wait_for_url(f"{site_url}/{language}/thanks/")
    form = parse_qs(posts[0])
    assert form["consent"] == ["on"] and form["locale"] == [language]
    assert form["policy_version"] == ["1.0"] and "marketing" not in form
    assert "idempotency_key" not in form

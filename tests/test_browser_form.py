"""The contact form in Debian's Chromium, in both languages, with and without JavaScript."""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

pytestmark = pytest.mark.browser

LANGUAGES = ["ru", "en"]
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
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def open_contact(context: BrowserContext, site_url: str, language: str) -> Page:
    page = context.new_page()
    page.goto(f"{site_url}/{language}/contact/")
    return page


def fill_required(page: Page) -> None:
    page.fill("#last_name", "Абенова")
    page.fill("#first_name", "Айгерим")
    page.fill("#email", "aigerim@example.kz")
    page.fill("#phone-1", "+7 701 234 56 78")


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_submit_disabled_until_consent(
    context: BrowserContext, site_url: str, language: str
) -> None:
    page = open_contact(context, site_url, language)
    submit = page.locator("#contact-form button[type=submit]")

    assert page.locator("#consent").is_visible() and not page.is_checked("#consent")
    assert submit.is_disabled()
    page.check("#consent")
    assert submit.is_enabled()
    page.uncheck("#consent")
    assert submit.is_disabled()


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_consent_links_to_the_policy_version_it_sends(
    context: BrowserContext, site_url: str, language: str
) -> None:
    page = open_contact(context, site_url, language)
    version = page.locator("input[name=policy_version]").get_attribute("value")

    page.locator("label[for=consent] a").click()

    page.wait_for_url(f"{site_url}/{language}/privacy/{version}/")
    assert page.locator("h1").is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_422_errors_show_inline_and_keep_the_input(
    context: BrowserContext, site_url: str, language: str
) -> None:
    page = open_contact(context, site_url, language)
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
    context: BrowserContext, site_url: str, language: str
) -> None:
    page = open_contact(context, site_url, language)
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


def test_browser_add_phone_sends_every_number(context: BrowserContext, site_url: str) -> None:
    page = open_contact(context, site_url, "en")
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


@pytest.fixture(scope="module")
def no_script_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(java_script_enabled=False)
    yield context
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_browser_without_javascript_required_gates_then_plain_post(
    no_script_context: BrowserContext, site_url: str, language: str
) -> None:
    page = no_script_context.new_page()
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

"""The form's error messages, retries and consent in Debian's Chromium, 390 and 1280 px.

The pages are the built site; `/api/contact` is answered by the real form function in-process
(on the template's stack in moto), so what the browser shows after a send is the function's
own answer. GOV.UK Design System's error summary and error message patterns are the anchor:
a focused summary at the top of the form linking to each field, a message by each field tied
to its input, "Error: " before the page title while errors show.
"""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from functions.contact.api import CHECK_PATH
from sitecontent.contact_form import RETRY_ATTEMPTS, error_message
from sitecontent.site import load_site
from sitecontent.strings import load_strings
from tests.support.browser import KeptContexts
from tests.support.contact import SITE_ORIGIN, ContactFunction
from tests.support.site import BROWSER_LANGUAGES, CONTENT

pytestmark = pytest.mark.browser

LANGUAGES = BROWSER_LANGUAGES
# Every language the site publishes (a new one is tested without a change here).
SITE_LANGUAGES = list(load_site(CONTENT).languages)
WIDTHS = [390, 1280]
OPERATOR = {"ru": "Содружеств", "en": "Commonwealth"}
OPERATOR_EMAIL = load_site(CONTENT).operator_email
# The three mistakes of issue 14, and a visitor who makes them.
TYPED = {"ru": ("Абенова2", "Айгерим"), "en": ("Smith2", "Anna")}
BAD_EMAIL = "ann@example"
BAD_PHONE = "123"
# How long a held send may take to reach the handler on busy cores.
HELD_WITHIN_MS = 60_000
GOOD = {"last_name": "Абенова", "email": "ann@example.kz", "phone": "+7 701 234 56 78"}


def strings(language: str) -> dict[str, str]:
    return load_strings(CONTENT, language)


def message(language: str, field: str, code: str) -> str:
    return error_message(strings(language), field, code)


class FunctionBehindTheRoute:
    """Answer the page's posts with the real handler, as API Gateway behind the CDN would.

    `posts` are the sends (`/api/contact`), `checks` the checks that store nothing. A test may
    first have sends answered 503 (`unavailable_next` of them, with `retry_after`), as the
    function answers when storage fails for a moment.
    """

    def __init__(self, contact: ContactFunction) -> None:
        self.contact = contact
        self.posts: list[bytes] = []
        self.checks: list[bytes] = []
        self.held: list[Route] = []
        self.hold_next = False
        self.unavailable_next = 0
        self.retry_after = "1"

    def __call__(self, route: Route) -> None:
        if route.request.url.endswith(CHECK_PATH):
            self.answer(route)
            return
        if self.unavailable_next:
            self.unavailable_next -= 1
            self.posts.append(route.request.post_data_buffer or b"")
            route.fulfill(
                status=503,
                headers={"Content-Type": "application/json", "Retry-After": self.retry_after},
                body=json.dumps({"errors": {"request": "unavailable"}}),
            )
            return
        if self.hold_next:
            self.hold_next = False
            self.held.append(route)
            return
        self.answer(route)

    def next_held(self, page: Page, what: str) -> Route:
        """The send held back, once its route has reached this handler.

        The page clears its errors as it sends, but the route reaches Python a moment later:
        on busy cores, after the page's own changes. So it is waited for (Playwright's waits
        hand it over meanwhile), within a minute.
        """
        waited = 0
        while not self.held and waited < HELD_WITHIN_MS:
            page.wait_for_timeout(50)
            waited += 50
        assert self.held, what
        return self.held.pop()

    def answer(self, route: Route) -> None:
        request = route.request
        body = request.post_data_buffer or b""
        path = urlsplit(request.url).path
        (self.checks if path == CHECK_PATH else self.posts).append(body)
        # The CDN makes the request same-origin: the function sees the site's own origin.
        headers = {"content-type": request.headers.get("content-type", ""), "origin": SITE_ORIGIN}
        reply = self.contact.post(body, headers, path=path)
        route.fulfill(
            status=int(reply["statusCode"]),
            headers={k: str(v) for k, v in reply.get("headers", {}).items()},
            body=reply.get("body") or "",
        )


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser, timeout_ms=15_000) as kept:
        yield kept


@pytest.fixture
def open_contact(
    contexts: KeptContexts, site_url: str, contact: ContactFunction, width: int
) -> Iterator[Callable[..., tuple[Page, FunctionBehindTheRoute]]]:
    def opened(language: str, javascript: bool = True) -> tuple[Page, FunctionBehindTheRoute]:
        page = contexts.page(
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            # axe evaluates its own script in the page; the site's CSP (tested elsewhere)
            # would block it.
            bypass_csp=True,
        )
        function = FunctionBehindTheRoute(contact)
        page.route("**/api/contact", function)
        page.route(f"**{CHECK_PATH}", function)
        page.goto(f"{site_url}/{language}/contact/")
        return page, function

    yield opened
    contexts.forget()


def type_the_three_mistakes(page: Page, language: str) -> None:
    last_name, first_name = TYPED[language]
    page.fill("#last_name", last_name)
    page.fill("#first_name", first_name)
    page.fill("#email", BAD_EMAIL)
    page.fill("#phone-1", BAD_PHONE)
    page.fill("#message", "Здравствуйте!")
    page.check("#consent")


def accessible(page: Page, selector: str) -> dict[str, str]:
    """Chromium's own accessible name and description of an element (what a screen reader says)."""
    session = page.context.new_cdp_session(page)
    try:
        document = session.send("DOM.getDocument", {"depth": 0})
        node = session.send(
            "DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector}
        )
        tree = session.send(
            "Accessibility.getPartialAXTree", {"nodeId": node["nodeId"], "fetchRelatives": False}
        )
    finally:
        session.detach()
    (own,) = tree["nodes"]
    return {
        part: " ".join(str(own.get(part, {}).get("value", "")).split())
        for part in ("name", "description")
    }


def summary_entries(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#error-summary li").all_inner_texts()]


def assert_tied(page: Page, input_id: str, text: str) -> None:
    """The message shows by its input, and is that input's accessible description."""
    expect(page.locator(f"#{input_id}-error")).to_contain_text(text)
    expect(page.locator(f"#{input_id}")).to_have_attribute("aria-invalid", "true")
    assert text in accessible(page, f"#{input_id}")["description"]


@pytest.mark.parametrize("language", SITE_LANGUAGES)
def test_errors_one_press_shows_all_three_mistakes_and_stores_nothing(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    # Issue 26: the phone's error came only after the name and email were fixed and the form
    # was sent again, because only the function knows whether 123 is a number.
    page, function = open_contact(language)
    stored_before = len(function.contact.items())
    page.fill("#last_name", "Smith2")
    page.fill("#first_name", "Anna")
    page.fill("#email", BAD_EMAIL)
    page.fill("#phone-1", BAD_PHONE)
    page.fill("#message", "Hello!")
    page.check("#consent")
    expected = {
        "last_name": message(language, "last_name", "invalid"),
        "email": message(language, "email", "invalid"),
        "phone-1": message(language, "phone", "invalid"),
    }

    page.click("#contact-form button[type=submit]")

    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a")).to_have_count(3)
    assert summary_entries(page) == list(expected.values())
    links = page.locator("#error-summary a")
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        f"#{input_id}" for input_id in expected
    ]
    for input_id, text in expected.items():
        assert_tied(page, input_id, text)
    # The function was asked once and stored nothing; the form was not sent.
    assert (len(function.checks), function.posts) == (1, [])
    assert len(function.contact.items()) == stored_before
    assert page.input_value("#last_name") == "Smith2"
    assert page.input_value("#phone-1") == BAD_PHONE
    assert page.input_value("#message") == "Hello!"
    assert page.is_checked("#consent")


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_summary_links_move_focus_to_their_fields(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, _ = open_contact(language)
    type_the_three_mistakes(page, language)
    page.fill("#first_name", "")
    page.click("[data-add-phone]")
    page.fill("#phone-2", "+7 701 FLOWERS")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_focused()

    links = page.locator("#error-summary a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    # The browser finds the second number's letters, the function the first number's digits.
    assert targets == ["#last_name", "#first_name", "#email", "#phone-1", "#phone-2"]
    for index, target in enumerate(targets):
        page.locator("#error-summary a").nth(index).click()
        expect(page.locator(target)).to_be_focused()
        expect(page.locator(target)).to_be_in_viewport()
    assert summary_entries(page)[1] == message(language, "first_name", "required")


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_title_says_error_until_a_good_send(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], site_url: str, language: str
) -> None:
    page, function = open_contact(language)
    title = page.title()
    prefix = strings(language)["form.error_prefix"]
    type_the_three_mistakes(page, language)

    page.click("#contact-form button[type=submit]")
    expect(page).to_have_title(f"{prefix} {title}")

    page.fill("#last_name", GOOD["last_name"])
    page.fill("#email", GOOD["email"])
    page.fill("#phone-1", GOOD["phone"])
    function.hold_next = True
    page.click("#contact-form button[type=submit]")
    # While the good send is on its way the errors are gone, and the title with them.
    expect(page).to_have_title(title)
    expect(page.locator("#error-summary")).to_be_hidden()
    function.answer(function.next_held(page, "the good send reached the function"))

    page.wait_for_url(f"{site_url}/{language}/thanks/")
    assert not page.title().startswith(prefix)


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_phone_message_sits_under_the_number_it_is_about(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, _ = open_contact(language)
    type_the_three_mistakes(page, language)
    page.fill("#last_name", GOOD["last_name"])
    page.fill("#email", GOOD["email"])
    text = message(language, "phone", "invalid")

    # The only number wrong: its message is under it, not under "Add another phone".
    page.click("#contact-form button[type=submit]")
    assert_tied(page, "phone-1", text)
    assert_between(page, "#phone-1", "#phone-1-error", "[data-add-phone]")

    page.fill("#phone-1", GOOD["phone"])
    page.click("[data-add-phone]")
    page.fill("#phone-2", BAD_PHONE)
    page.click("#contact-form button[type=submit]")

    assert_tied(page, "phone-2", text)
    expect(page.locator("#phone-1-error")).to_be_empty()
    assert_between(page, "#phone-2", "#phone-2-error", "[data-add-phone]")


def assert_between(page: Page, above: str, middle: str, below: str) -> None:
    """`middle` shows under `above` and over `below`, on the page as laid out."""
    top = page.locator(above).bounding_box()
    box = page.locator(middle).bounding_box()
    bottom = page.locator(below).bounding_box()
    assert top and box and bottom
    assert top["y"] + top["height"] <= box["y"] < box["y"] + box["height"] <= bottom["y"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_summary_and_messages_have_no_axe_violations(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, _ = open_contact(language)
    type_the_three_mistakes(page, language)
    page.click("[data-add-phone]")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()

    results = Axe().run(page).response["violations"]
    assert [f"{item['id']}: {[n['target'] for n in item['nodes']]}" for item in results] == []


OVERLAPS = """() => {
  const messages = [...document.querySelectorAll('.field-error, #error-summary')]
    .filter((element) => element.getClientRects().length);
  const others = [...document.querySelectorAll('main *')]
    .filter((element) => element.getClientRects().length && !element.children.length);
  const overlaps = [];
  for (const message of messages) {
    const a = message.getBoundingClientRect();
    for (const other of others) {
      if (message.contains(other) || other.contains(message)) continue;
      const b = other.getBoundingClientRect();
      const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (width > 0.5 && height > 0.5) overlaps.push(`${message.id}: ${other.outerHTML}`);
    }
  }
  return overlaps;
}"""


@pytest.mark.parametrize("width", [390], ids=["390px"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_messages_overlap_nothing_on_a_phone_screen(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, _ = open_contact(language)
    type_the_three_mistakes(page, language)
    page.fill("#first_name", "")
    page.fill("#patronymic", "Қайрат-2")
    page.click("[data-add-phone]")
    page.fill("#phone-2", "+7 701 FLOWERS")

    page.click("#contact-form button[type=submit]")

    expect(page.locator(".field-error:not(:empty)")).to_have_count(6)
    assert page.evaluate(OVERLAPS) == []


@pytest.mark.parametrize("width", [390], ids=["390px"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_errors_without_javascript_the_page_names_each_fields_problem(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, function = open_contact(language, javascript=False)
    type_the_three_mistakes(page, language)
    words = strings(language)

    with page.expect_response(lambda response: response.url.endswith("/api/contact")) as posted:
        page.click("#contact-form button[type=submit]")

    assert posted.value.status == 422
    expect(page).to_have_title(f"{words['form.error_prefix']} {words['error_page.title']}")
    items = [" ".join(text.split()) for text in page.locator("li").all_inner_texts()]
    assert items == [
        f"{words['form.last_name']}: {message(language, 'last_name', 'invalid')}",
        f"{words['form.email']}: {message(language, 'email', 'invalid')}",
        f"{words['form.phone']} 1: {message(language, 'phone', 'invalid')}",
    ]
    expect(page.locator("body")).to_contain_text(words["error_page.go_back"])

    # As the page says, going back finds the form as it was typed.
    page.go_back()
    assert page.input_value("#last_name") == TYPED[language][0]
    assert page.input_value("#email") == BAD_EMAIL
    assert page.input_value("#phone-1") == BAD_PHONE
    assert page.input_value("#message") == "Здравствуйте!"
    assert page.is_checked("#consent")
    assert len(function.posts) == 1


@pytest.mark.parametrize("width", [1280], ids=["1280px"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_consent_names_the_operator_and_its_email(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, _ = open_contact(language)

    consent: dict[str, Any] = accessible(page, "#consent")
    text = f"{consent['name']} {consent['description']}"

    assert OPERATOR[language] in text
    assert OPERATOR_EMAIL in text
    version = page.locator("input[name=policy_version]").get_attribute("value")
    assert page.locator("label[for=consent] a").get_attribute("href") == (
        f"/{language}/privacy/{version}/"
    )
    withdraw = page.locator("#consent-details a[href^='mailto:']")
    subject = strings(language)["form.withdraw_subject"]
    assert withdraw.get_attribute("href") == f"mailto:{OPERATOR_EMAIL}?subject={quote(subject)}"
    assert subject in consent["description"]


def type_a_good_form(page: Page) -> None:
    page.fill("#last_name", GOOD["last_name"])
    page.fill("#first_name", "Anna")
    page.fill("#email", GOOD["email"])
    page.fill("#phone-1", GOOD["phone"])
    page.fill("#message", "Hello!")
    page.check("#consent")


def keys_sent(function: FunctionBehindTheRoute) -> set[str]:
    return {json.loads(body)["idempotency_key"] for body in function.posts}


@pytest.mark.parametrize("width", [1280], ids=["1280px"])
@pytest.mark.parametrize("language", SITE_LANGUAGES)
def test_retry_two_busy_answers_then_stored_once_with_a_waiting_status(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], site_url: str, language: str
) -> None:
    # Issue 26: a 503 with Retry-After made the visitor come back and send again.
    page, function = open_contact(language)
    stored_before = len(function.contact.items())
    type_a_good_form(page)
    function.unavailable_next = 2
    # The third try waits for the test to have read the status.
    function.hold_next = True

    page.click("#contact-form button[type=submit]")

    status = page.locator("#form-status")
    expect(status).to_have_text(strings(language)["form.retrying"])
    expect(status).to_have_attribute("role", "status")
    expect(page.locator("#contact-form button[type=submit]")).to_be_disabled()
    function.answer(function.next_held(page, "the page sent a third time"))

    page.wait_for_url(f"{site_url}/{language}/thanks/")
    assert len(function.posts) == 3
    assert len(keys_sent(function)) == 1
    assert len(function.contact.items()) == stored_before + 1


@pytest.mark.parametrize("width", [1280], ids=["1280px"])
@pytest.mark.parametrize("language", SITE_LANGUAGES)
def test_retry_gives_up_after_the_last_try_keeping_what_was_typed(
    open_contact: Callable[..., tuple[Page, FunctionBehindTheRoute]], language: str
) -> None:
    page, function = open_contact(language)
    stored_before = len(function.contact.items())
    type_a_good_form(page)
    function.unavailable_next = RETRY_ATTEMPTS + 1
    function.retry_after = "0"

    page.click("#contact-form button[type=submit]")

    status = page.locator("#form-status")
    expect(status).to_have_text(message(language, "request", "unavailable"))
    expect(status).to_be_focused()
    assert len(function.posts) == RETRY_ATTEMPTS + 1
    assert len(keys_sent(function)) == 1
    assert len(function.contact.items()) == stored_before
    assert page.input_value("#last_name") == GOOD["last_name"]
    assert page.input_value("#phone-1") == GOOD["phone"]
    assert page.input_value("#message") == "Hello!"
    expect(page.locator("#contact-form button[type=submit]")).to_be_enabled()

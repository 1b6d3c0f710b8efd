"""The contact form end to end in Debian's Chromium, against `build.py serve`, in both languages.

After every submission the test reads the table through the preview's moto server: the item
must hold no plaintext of what was typed, and decrypting it with operator rights must give
back exactly what was typed, Cyrillic and Kazakh letters included. A second preview serves a
copy of the content that asks for consent to cross-border transfer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from sitecontent.contact_form import error_message
from sitecontent.files import split_front_matter
from sitecontent.strings import load_strings
from tests.support.browser import KeptContexts
from tests.support.preview import ROOT, Preview, running_preview
from tests.support.site import BROWSER_LANGUAGES, copy_content, set_site_option

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LANGUAGES = BROWSER_LANGUAGES
CONTENT = ROOT / "content"
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Visitor:
    """What one visitor types into the form."""

    last_name: str
    first_name: str
    patronymic: str
    email: str
    phone: str
    phone_e164: str
    message: str

    def personal_data(self) -> dict:
        """The personal data the operator should read back from the stored item."""
        return {
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
            "email": self.email,
            "phones": [self.phone_e164],
            "message": self.message,
        }

    def plaintexts(self) -> list[str]:
        local_part = self.email.split("@")[0]
        return [
            self.last_name,
            self.first_name,
            self.patronymic,
            self.email,
            local_part,
            self.phone_e164,
            self.phone_e164.removeprefix("+"),
            self.message,
        ]


def visitor(language: str) -> Visitor:
    """A visitor with a unique email and message, typing letters of both alphabets."""
    tag = uuid.uuid4().hex[:10]
    if language == "ru":
        return Visitor(
            last_name="Әбілқайырова",
            first_name="Ғалия",
            patronymic="Нұрланқызы",
            email=f"galiya.{tag}@example.kz",
            phone="+7 701 234 56 78",
            phone_e164="+77012345678",
            message=f"Сәлеметсіз бе! Прошу перезвонить: ҢӨҰҮҺІ әғқңөұүһі {tag}",  # noqa: RUF001
        )
    return Visitor(
        last_name="O'Brien-Қасымова",
        first_name="Aigerim",
        patronymic="Үмітқызы",
        email=f"aigerim.{tag}@example.kz",
        phone="8 (727) 250-12-34",
        phone_e164="+77272501234",
        message=f"Hello, please call back. Ә Ғ Қ Ң Ө Ұ Ү Һ І {tag}",  # noqa: RUF001
    )


def page_title(language: str, slug: str) -> str:
    meta, _, _ = split_front_matter(CONTENT / language / f"{slug}.md")
    return meta["title"]


@pytest.fixture
def preview(site_preview: Preview) -> Preview:
    """The worker's shared preview: these tests look only at the submissions they add."""
    return site_preview


@pytest.fixture(scope="module")
def cross_border_preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """The preview of a copy of the content with `ask_cross_border_consent = true`."""
    work_dir = tmp_path_factory.mktemp("preview-cross-border")
    content = copy_content(work_dir)
    set_site_option(content, "ask_cross_border_consent", "ask_cross_border_consent = true")
    with running_preview(work_dir / "serve", content) as running:
        yield running


@pytest.fixture(scope="module")
def contexts(browser):
    with KeptContexts(browser, timeout_ms=TIMEOUT_MS) as kept:
        yield kept


@pytest.fixture
def page(contexts):
    yield contexts.page()
    contexts.forget()


@pytest.fixture
def page_without_js(contexts):
    yield contexts.page(java_script_enabled=False)
    contexts.forget()


def fill(page, person: Visitor, consent: bool = True) -> None:
    page.fill("#last_name", person.last_name)
    page.fill("#first_name", person.first_name)
    page.fill("#patronymic", person.patronymic)
    page.fill("#email", person.email)
    page.fill("#phone-1", person.phone)
    page.fill("#message", person.message)
    if consent:
        page.check("#consent")


def assert_on_thanks_page(page, preview: Preview, language: str) -> None:
    page.wait_for_url(f"{preview.url}/{language}/thanks/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == page_title(language, "thanks")


def assert_stored_once_and_protected(preview: Preview, before: set[str], person: Visitor) -> dict:
    """The one new item holds no plaintext, and decrypts to exactly what was typed."""
    new = {i: item for i, item in preview.stored_items().items() if i not in before}
    assert len(new) == 1, f"expected one stored submission, found {len(new)}"
    item = next(iter(new.values()))
    stored = json.dumps(item, ensure_ascii=False)
    log = preview.log()
    for typed in person.plaintexts():
        assert typed not in stored
        assert typed not in log
    assert preview.decrypt(item) == person.personal_data()
    consents = item["consents"]["M"]
    assert consents["processing"]["M"]["given"]["BOOL"] is True
    assert consents["marketing"]["M"]["given"]["BOOL"] is False
    return item


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_form_with_javascript_lands_on_the_thanks_page(preview, page, language):
    person = visitor(language)
    before = set(preview.stored_items())
    page.goto(f"{preview.url}/{language}/contact/")

    fill(page, person)
    page.click("button[type=submit]")

    assert_on_thanks_page(page, preview, language)
    item = assert_stored_once_and_protected(preview, before, person)
    assert item["locale"]["S"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_form_without_javascript_is_redirected_to_the_thanks_page(
    preview, page_without_js, language
):
    page = page_without_js
    person = visitor(language)
    before = set(preview.stored_items())
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person)

    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("button[type=submit]")

    assert posted.value.status == 303
    assert_on_thanks_page(page, preview, language)
    assert_stored_once_and_protected(preview, before, person)


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_server_error_page_without_javascript_speaks_the_visitors_language(
    preview, page_without_js, language
):
    page = page_without_js
    strings = load_strings(CONTENT, language)
    before = set(preview.stored_items())

    def without_browser_checks(route):
        # An old browser that ignores `required` and `type=email`: the server must catch it.
        response = route.fetch()
        html = response.text().replace("<form ", "<form novalidate ", 1)
        route.fulfill(response=response, body=html)

    page.route(f"**/{language}/contact/", without_browser_checks)
    page.goto(f"{preview.url}/{language}/contact/")
    person = visitor(language)
    fill(page, person, consent=False)
    page.fill("#email", "not-an-email")

    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("button[type=submit]")

    assert posted.value.status == 422
    assert page.locator("html").get_attribute("lang") == language
    text = page.locator("body").inner_text()
    assert strings["error_page.title"] in text
    assert error_message(strings, "email", "invalid") in text
    assert error_message(strings, "consent", "consent_required") in text
    back = page.locator(f"a[href='/{language}/contact/']")
    assert back.inner_text() == strings["error_page.back"]
    assert person.last_name not in page.content()
    assert set(preview.stored_items()) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_form_with_javascript_waits_for_consent_before_it_can_be_sent(preview, page, language):
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, visitor(language), consent=False)

    assert page.locator("button[type=submit]").is_disabled()
    page.check("#consent")
    assert page.locator("button[type=submit]").is_enabled()


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_form_with_javascript_shows_errors_inline_and_keeps_what_was_typed(
    preview, page, language
):
    strings = load_strings(CONTENT, language)
    person = visitor(language)
    # Digits only, so the page's own checks let it through; only the server knows it is no
    # number.
    bad_phone = "123"
    before = set(preview.stored_items())

    def without_consent(route):
        # The server is the judge of consent: a post that arrives without it is refused.
        payload = json.loads(route.request.post_data)
        route.continue_(post_data=json.dumps({**payload, "consent": False}))

    page.route("**/api/contact", without_consent)
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person)
    page.fill("#phone-1", bad_phone)

    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("button[type=submit]")

    assert posted.value.status == 422
    prefix = strings["form.error_prefix"]
    phone_message = error_message(strings, "phone", "invalid")
    consent_message = error_message(strings, "consent", "consent_required")
    expect(page.locator("#phone-1-error")).to_have_text(f"{prefix} {phone_message}")
    expect(page.locator("#consent-error")).to_have_text(f"{prefix} {consent_message}")
    expect(page.locator("#phone-1")).to_have_attribute("aria-invalid", "true")
    assert page.url == f"{preview.url}/{language}/contact/"
    assert page.input_value("#last_name") == person.last_name
    assert page.input_value("#first_name") == person.first_name
    assert page.input_value("#patronymic") == person.patronymic
    assert page.input_value("#email") == person.email
    assert page.input_value("#message") == person.message
    assert page.input_value("#phone-1") == bad_phone
    assert set(preview.stored_items()) == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_double_click_stores_one_submission(preview, page, language):
    person = visitor(language)
    before = set(preview.stored_items())
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person)

    page.dblclick("button[type=submit]")

    assert_on_thanks_page(page, preview, language)
    assert_stored_once_and_protected(preview, before, person)


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_retried_request_stores_one_submission(preview, page, language):
    person = visitor(language)
    before = set(preview.stored_items())
    answers = []

    def deliver_twice(route):
        # The network delivers the post, loses the answer, and the request is sent again.
        answers.append(route.fetch())
        answers.append(route.fetch())
        route.fulfill(response=answers[-1])

    page.route("**/api/contact", deliver_twice)
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person)

    page.click("button[type=submit]")

    assert_on_thanks_page(page, preview, language)
    assert [answer.status for answer in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert_stored_once_and_protected(preview, before, person)


def assert_consents_kept_with_their_times(
    item: dict, names: tuple[str, ...], sent_after: dt.datetime, sent_before: dt.datetime
) -> None:
    """Each named consent is stored as given, at the time the submission arrived."""
    consents = item["consents"]["M"]
    for name in names:
        consent = consents[name]["M"]
        given_at = dt.datetime.fromisoformat(consent["at"]["S"])
        assert consent["given"]["BOOL"] is True
        assert consent["at"]["S"] == item["created_at"]["S"]
        assert sent_after <= given_at <= sent_before


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_cross_border_with_javascript_waits_for_both_consents(
    cross_border_preview, page, language
):
    preview = cross_border_preview
    person = visitor(language)
    before = set(preview.stored_items())
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person, consent=False)
    submit = page.locator("button[type=submit]")

    page.check("#consent")
    expect(submit).to_be_disabled()
    page.uncheck("#consent")
    page.check("#cross_border")
    expect(submit).to_be_disabled()
    page.check("#consent")
    expect(submit).to_be_enabled()
    sent_after = dt.datetime.now(dt.UTC)
    submit.click()

    assert_on_thanks_page(page, preview, language)
    item = assert_stored_once_and_protected(preview, before, person)
    consents = ("processing", "cross_border")
    assert_consents_kept_with_their_times(item, consents, sent_after, dt.datetime.now(dt.UTC))


@pytest.mark.parametrize("language", LANGUAGES)
def test_e2e_cross_border_without_javascript_requires_both_boxes(
    cross_border_preview, page_without_js, language
):
    preview, page = cross_border_preview, page_without_js
    person = visitor(language)
    before = set(preview.stored_items())
    posts = []

    def record(request):
        if request.method == "POST":
            posts.append(request)

    # Taken off again below: the page is kept for the module's next test.
    page.on("request", record)
    page.goto(f"{preview.url}/{language}/contact/")
    fill(page, person)

    expect(page.locator("#consent")).to_have_attribute("required", "")
    expect(page.locator("#cross_border")).to_have_attribute("required", "")
    page.click("button[type=submit]")
    assert page.locator("#cross_border").evaluate("box => box.validity.valueMissing")
    assert posts == []
    page.remove_listener("request", record)

    page.check("#cross_border")
    sent_after = dt.datetime.now(dt.UTC)
    with page.expect_response(lambda r: r.url.endswith("/api/contact")) as posted:
        page.click("button[type=submit]")

    assert posted.value.status == 303
    assert_on_thanks_page(page, preview, language)
    item = assert_stored_once_and_protected(preview, before, person)
    consents = ("processing", "cross_border")
    assert_consents_kept_with_their_times(item, consents, sent_after, dt.datetime.now(dt.UTC))


def test_e2e_contact_page_wakes_the_function_through_the_preview(preview, page):
    # The page's warm-up reaches the real handler as API Gateway would hand it over, under the
    # preview's real CSP, and is answered 204, uncached, with nothing stored.
    before = set(preview.stored_items())

    with page.expect_response(lambda response: response.url.endswith("/api/warm-up")) as woken:
        page.goto(f"{preview.url}/en/contact/")

    answer = woken.value
    assert answer.status == 204
    assert answer.headers["cache-control"] == "no-store"
    assert answer.request.method == "GET"
    assert set(preview.stored_items()) == before

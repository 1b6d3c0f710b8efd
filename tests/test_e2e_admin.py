"""The staff inbox end to end in Debian's Chromium, against `build.py serve`, in both languages.

One long scenario per language, as a member of staff lives it, on a phone-sized screen (360 px):
a visitor sends the form; the staff member signs in for the first time (temporary password,
new password, authenticator set-up with a `pyotp` code), finds the message in the inbox, opens
it, replies by `mailto:`, marks it answered (it leaves the inbox), finds the visitor by email,
exports, unsubscribes; signs out (the old access token then gets 401); signs in again through
the notification's `/admin/#<id>` link, which opens the message; withdraws. At every view
nothing overflows the screen and axe finds no violations. Russian uses the staff member the
preview prints; English one that an administrator adds.
"""

# ruff: noqa: RUF001 (Russian text is meant to be Cyrillic)

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from sitecontent.strings import load_strings
from tests.support.admin import add_staff, first_sign_in, printed_staff, sign_in
from tests.support.preview import Preview, running_preview
from tests.support.site import CONTENT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TIMEOUT_MS = 30_000
AXE = Axe()


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    with running_preview(tmp_path_factory.mktemp("preview-admin")) as running:
        yield running


def staff_member(preview: Preview, language: str) -> tuple[str, str]:
    """Russian: the staff member the preview prints. English: one an administrator adds."""
    url, email, password = printed_staff(preview)
    assert url == f"{preview.url}/admin/"
    return (email, password) if language == "ru" else add_staff(preview)


def check_view(page: Page, selector: str) -> None:
    """The view is shown, nothing on it is wider than the screen, and axe finds nothing."""
    page.locator(selector).wait_for()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{selector} overflows: {width}"
    violations = AXE.run(page).response["violations"]
    assert [(item["id"], [node["target"] for node in item["nodes"]]) for item in violations] == []


def send_form(page: Page, preview: Preview, language: str, tag: str, email: str) -> None:
    page.goto(f"{preview.url}/{language}/contact/")
    page.fill("#last_name", "Әбілқайырова")
    page.fill("#first_name", "Ғалия")
    page.fill("#email", email)
    page.fill("#phone-1", "+7 701 234 56 78")
    page.fill("#message", f"Прошу перезвонить <b>{tag}</b>\nвторая строка")
    page.check("#consent")
    page.check("#marketing")
    page.click("#contact-form button[type=submit]")
    page.wait_for_url(f"{preview.url}/{language}/thanks/")


def status_with(access_token: str, preview: Preview) -> int:
    request = urllib.request.Request(
        f"{preview.url}/api/staff/status", headers={"Authorization": f"Bearer {access_token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("language", ["ru", "en"])
def test_e2e_admin_staff_answer_a_message_and_serve_a_person(
    preview: Preview, browser: Browser, language: str, tmp_path: Path
) -> None:
    words = {
        key.removeprefix("admin."): text
        for key, text in load_strings(CONTENT, language).items()
        if key.startswith("admin.")
    }
    subject = load_strings(CONTENT, language)["reply.subject"]
    tag = uuid.uuid4().hex[:10]
    visitor_email = f"galiya.{tag}@example.kz"
    email, temporary = staff_member(preview, language)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale=language, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tokens: list[str] = []
    page.on(
        "request",
        lambda request: (
            tokens.append(request.headers.get("authorization", ""))
            if "/api/staff/" in request.url
            else None
        ),
    )
    send_form(page, preview, language, tag, visitor_email)

    # First sign-in: temporary password, new password, authenticator, code.
    page.goto(f"{preview.url}/admin/")
    # The page takes the browser's language once that language's words have loaded.
    expect(page.locator("html")).to_have_attribute("lang", language)
    secret = first_sign_in(page, email, temporary, lambda view: check_view(page, view))
    link = urlsplit(page.get_attribute("#mfa-link", "href") or "")
    assert (link.scheme, link.netloc) == ("otpauth", "totp")
    assert unquote(link.path) == f"/estimation.kz:{email}"
    assert parse_qs(link.query) == {"secret": [secret], "issuer": ["estimation.kz"]}

    # The message just sent is listed, opened, answered, and leaves the inbox.
    entry = page.locator("#inbox-list li").filter(has_text=f"Прошу перезвонить <b>{tag}</b>")
    entry.wait_for()
    assert page.inner_text("#signed-in-as") == words["signed_in_as"].replace("{email}", email)
    assert "Ғалия Әбілқайырова" in entry.inner_text()
    check_view(page, "#view-inbox")
    entry.locator("a").click()
    check_view(page, "#view-message")
    message_id = page.url.rsplit("#", 1)[1]
    assert page.inner_text("#message-text") == f"Прошу перезвонить <b>{tag}</b>\nвторая строка"
    assert visitor_email in page.inner_text("#message-details")
    reply = urlsplit(page.get_attribute("#reply", "href") or "")
    assert (reply.scheme, unquote(reply.path)) == ("mailto", visitor_email)
    assert parse_qs(reply.query) == {"subject": [subject]}
    page.click("#mark-answered")
    page.locator("#status").filter(has_text=words["marked_answered"]).wait_for()
    assert not page.locator(f"#inbox-list a[href='#{message_id}']").count()

    # Find by email, export, unsubscribe.
    page.click("a[href='#find']")
    page.fill("#find-email", visitor_email)
    page.click("#find-form button[type=submit]")
    page.locator("#found-count").filter(has_text=words["found"].replace("{count}", "1")).wait_for()
    check_view(page, "#view-find")
    with page.expect_download() as download:
        page.click("#export")
    download.value.save_as(tmp_path / "export.json")
    exported = (tmp_path / "export.json").read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("export-")
    assert visitor_email in exported and tag in exported
    page.click("#unsubscribe")
    unsubscribed = words["unsubscribed"].replace("{changed}", "1").replace("{unchanged}", "0")
    page.locator("#status").filter(has_text=unsubscribed).wait_for()

    # Sign out: the session is revoked, so the token the page held no longer opens anything.
    access_token = tokens[-1].removeprefix("Bearer ")
    assert status_with(access_token, preview) == 200
    page.click("#sign-out")
    page.locator("#status").filter(has_text=words["signed_out"]).wait_for()
    assert status_with(access_token, preview) == 401

    # The notification's link: after the sign-in (password and code) it opens the message.
    page.goto(f"{preview.url}/admin/#{message_id}")
    sign_in(page, email, secret, lambda view: check_view(page, view))
    page.locator("#message-details").filter(has_text=email).wait_for()
    assert page.locator("#mark-answered").is_hidden()

    # Withdraw asks for the email again; then the person's data is gone.
    page.click("a[href='#find']")
    page.fill("#find-email", visitor_email)
    page.click("#find-form button[type=submit]")
    page.click("#withdraw")
    page.fill("#withdraw-email", f"other.{visitor_email}")
    page.click("#withdraw-form button[type=submit]")
    page.locator("#alert").filter(has_text=words["withdraw_mismatch"]).wait_for()
    page.fill("#withdraw-email", visitor_email)
    page.click("#withdraw-form button[type=submit]")
    withdrawn = words["withdrawn"].replace("{changed}", "1").replace("{unchanged}", "0")
    page.locator("#status").filter(has_text=withdrawn).wait_for()
    page.evaluate("id => { location.hash = id; }", message_id)
    page.locator("#alert").filter(has_text=words["not_found"]).wait_for()
    assert errors == []
    context.close()

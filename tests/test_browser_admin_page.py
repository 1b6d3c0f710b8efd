"""The staff inbox page in Debian's Chromium: hostile stored content, and its languages.

What a visitor typed reaches this page from the staff API. A name can hold only letters (the
form function checks), but the store may hold older or restored data, and a message may hold
anything: markup, `javascript:` links, right-to-left overrides, terminal escapes. Here the
staff API's and Cognito's answers are played by the test (Playwright routes, same origin,
under the CSP the CDN sends for `/admin/`), so the page meets exactly the values that would hurt
it; the real API and Cognito are exercised end to end in `test_e2e_admin.py`.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from sitecontent.strings import load_strings
from sitegen.build import BuildResult
from sitegen.security import HEADERS_FILE, admin_headers, headers_file_text, headers_for
from tests.support.browser import KeptContexts
from tests.support.site import CONTENT, serve_static

pytestmark = pytest.mark.browser

STAFF = "staff@example.kz"
# Each sets `window.pwned` when it runs: nothing may.
MARKUP = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>'
LINK = "javascript:window.pwned=3"
RTL_OVERRIDE = "\u202e"
ESCAPE = "\x1b[2J\x1b[31m"
HOSTILE_NAME = f"{MARKUP}{RTL_OVERRIDE}gpj.exe"
HOSTILE_MESSAGE = (
    f"{LINK}\n{MARKUP}\n{ESCAPE}red{RTL_OVERRIDE}txt.exe\n[click](javascript:alert(1))"
)
# Addresses a visitor might give that try to add a recipient or a header to the reply.
HOSTILE_EMAILS = [
    "boss@example.kz?cc=thief@evil.example&bcc=spy@evil.example",
    "a&cc=thief@evil.example@example.kz",
    "x%0D%0ABcc:thief@evil.example@example.kz",
    "x\r\nBcc: thief@evil.example@example.kz",
    "x,thief@evil.example",
    "x#frag@example.kz",
]


def fulfil_json(route: Route, body: object, status: int = 200) -> None:
    route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


class FakeBackEnd:
    """Cognito and the staff API as the page sees them, answering with hostile content."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.messages: dict[str, dict] = {}
        self.cognito_calls: list[str] = []

    def add(self, name: str, message: str, email: str, locale: str) -> str:
        message_id = str(uuid.uuid4())
        self.messages[message_id] = {
            "id": message_id,
            "received_at": "2026-03-01T19:30:00Z",
            "locale": locale,
            "policy_version": "1.0",
            "status": "active",
            "consents": {"processing": {"given": True}, "marketing": {"given": False}},
            "answered_at": None,
            "answered_by": None,
            "kept_until": None,
            "kept_reason": "unanswered",
            "personal_data": {
                "last_name": name,
                "first_name": name,
                "patronymic": "",
                "email": email,
                "phone": ["+77012345678"],
                "message": message,
            },
        }
        return message_id

    def install(self, page: Page) -> None:
        page.route(f"{self.base_url}/admin/config.json", self._config)
        page.route(f"{self.base_url}/_cognito/", self._cognito)
        page.route(f"{self.base_url}/api/staff/**", self._api)

    def _config(self, route: Route) -> None:
        fulfil_json(
            route,
            {
                "region": "eu-central-1",
                "user_pool_id": "eu-central-1_test",
                "client_id": "client",
                "cognito_endpoint": f"{self.base_url}/_cognito/",
            },
        )

    def _cognito(self, route: Route) -> None:
        action = route.request.headers["x-amz-target"].rsplit(".", 1)[1]
        self.cognito_calls.append(action)
        if action == "InitiateAuth":
            result = {"AccessToken": "access", "RefreshToken": "refresh", "IdToken": "id"}
            fulfil_json(route, {"AuthenticationResult": result})
        else:
            fulfil_json(route, {})

    def _api(self, route: Route) -> None:
        assert route.request.headers["authorization"] == "Bearer access"
        path = urlsplit(route.request.url).path.removeprefix("/api/staff/")
        if path == "status":
            fulfil_json(route, {"signed_in_as": STAFF})
        elif path == "inbox":
            listed = [
                {
                    "id": entry["id"],
                    "received_at": entry["received_at"],
                    "locale": entry["locale"],
                    "name": f"{entry['personal_data']['last_name']} x",
                    "first_line": entry["personal_data"]["message"].splitlines()[0],
                    "age_days": 3,
                }
                for entry in self.messages.values()
            ]
            fulfil_json(route, {"messages": listed, "next_page": None})
        elif path.startswith("messages/") and path.removeprefix("messages/") in self.messages:
            fulfil_json(route, self.messages[path.removeprefix("messages/")])
        else:
            fulfil_json(route, {"error": "not_found"}, 404)


@pytest.fixture(scope="module")
def site_url(built_site: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site served with the headers the CDN sends for `/admin/` (its own CSP)."""
    out = Path(shutil.copytree(built_site.out_dir, tmp_path_factory.mktemp("admin") / "dist"))
    # Cognito is played by the test on the site's own origin, as the preview forwards it.
    headers = admin_headers(headers_for(out))
    (out / HEADERS_FILE).write_text(headers_file_text(headers), encoding="utf-8")
    with serve_static(out) as url:
        yield url


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[KeptContexts]:
    with KeptContexts(browser) as kept:
        yield kept


@pytest.fixture
def page(contexts: KeptContexts) -> Iterator[Page]:
    context = contexts.get(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield page
    contexts.forget()
    assert errors == []


def sign_in(page: Page, site_url: str, back_end: FakeBackEnd, hash_: str = "") -> None:
    back_end.install(page)
    page.goto(f"{site_url}/admin/{hash_}")
    page.fill("#sign-in-email", STAFF)
    page.fill("#sign-in-password", "correct horse battery")
    page.click("#sign-in-form button[type=submit]")
    page.locator("#signed-in-as").filter(has_text=STAFF).wait_for()


def pwned(page: Page) -> object:
    return page.evaluate("window.pwned")


def test_admin_page_shows_hostile_content_as_text(page: Page, site_url: str) -> None:
    back_end = FakeBackEnd(site_url)
    message_id = back_end.add(HOSTILE_NAME, HOSTILE_MESSAGE, "visitor@example.kz", "ru")
    sign_in(page, site_url, back_end)

    entry = page.locator("#inbox-list li").first
    entry.wait_for()
    assert MARKUP in entry.inner_text()
    assert "\\u202egpj.exe" in entry.inner_text()
    assert LINK in entry.inner_text()
    entry.locator("a").click()
    page.locator("#view-message").wait_for()
    shown = page.locator("#message-text").inner_text()

    assert page.url.endswith(f"#{message_id}")
    assert MARKUP in shown and LINK in shown
    assert "\\x1b[2J\\x1b[31mred\\u202etxt.exe" in shown
    assert "\x1b" not in shown and RTL_OVERRIDE not in shown
    assert MARKUP in page.locator("#message-title").inner_text()
    assert page.locator("main img, main script, main b").count() == 0
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    assert not [href for href in hrefs if href.lower().startswith("javascript:")]
    assert pwned(page) is None


def test_admin_page_switches_language_and_keeps_the_session(page: Page, site_url: str) -> None:
    back_end = FakeBackEnd(site_url)
    message_id = back_end.add("Абенова", "Здравствуйте", "visitor@example.kz", "en")
    sign_in(page, site_url, back_end, f"#{message_id}")
    page.locator("#message-title").filter(has_text="Message from Абенова").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"

    page.click("button[data-language=ru]")

    page.locator("#message-title").filter(has_text="Сообщение от Абенова").wait_for()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.inner_text("#mark-answered") == "Отметить как отвеченное"
    assert page.get_attribute("button[data-language=ru]", "aria-pressed") == "true"
    assert page.inner_text("#signed-in-as") == f"Вы вошли как {STAFF}"
    # The reply stays in the visitor's language.
    assert "subject=Your%20message%20to%20estimation.kz" in (
        page.get_attribute("#reply", "href") or ""
    )
    assert back_end.cognito_calls == ["InitiateAuth"]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_admin_reply_link_writes_to_the_visitor_alone_in_their_language(
    page: Page, site_url: str, language: str
) -> None:
    back_end = FakeBackEnd(site_url)
    ids = {
        email: back_end.add("Абенова", f"Здравствуйте {number}", email, language)
        for number, email in enumerate(HOSTILE_EMAILS)
    }
    subject = load_strings(CONTENT, language)["reply.subject"]
    sign_in(page, site_url, back_end)

    for number, (email, message_id) in enumerate(ids.items()):
        page.evaluate("id => { location.hash = id; }", message_id)
        page.locator("#message-text").filter(has_text=f"Здравствуйте {number}").wait_for()
        href = page.get_attribute("#reply", "href") or ""
        reply = urlsplit(href)

        assert reply.scheme == "mailto"
        assert unquote(reply.path) == email, href
        assert "\r" not in href and "\n" not in href and "," not in reply.path
        assert parse_qs(reply.query, keep_blank_values=True) == {"subject": [subject]}, href

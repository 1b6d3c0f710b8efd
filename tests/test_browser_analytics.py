"""Analytics consent in Debian's Chromium, with Yandex Metrica and Google Analytics ids set.

The machine has no internet: requests to the analytics hosts are answered by a stub and
recorded, which is exactly what the tests look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route

pytestmark = pytest.mark.browser

ANALYTICS_HOSTS = ("mc.yandex.ru", "googletagmanager.com", "google-analytics.com")
YANDEX_TAG = "https://mc.yandex.ru/metrika/tag.js"
GTAG = "https://www.googletagmanager.com/gtag/js"
ALLOW = {"ru": "Разрешить", "en": "Allow"}
DECLINE = {"ru": "Отказаться", "en": "Decline"}
SETTINGS = {"ru": "Настройки cookie-файлов аналитики", "en": "Analytics cookie settings"}


class Recorder:
    """A browser context whose requests to analytics hosts are stubbed and remembered."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.requests: list[str] = []
        # Recorded as the browser asks, so a test waiting for a request finds it here.
        context.on("request", self._record)
        for host in ANALYTICS_HOSTS:
            context.route(f"https://*{host}/**", self._stub)
            context.route(f"https://{host}/**", self._stub)

    def _record(self, request: Request) -> None:
        hostname = urlsplit(request.url).hostname or ""
        if any(hostname == host or hostname.endswith("." + host) for host in ANALYTICS_HOSTS):
            self.requests.append(request.url)

    def _stub(self, route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body="/* stub */")

    def hosts(self) -> set[str]:
        return {host for host in ANALYTICS_HOSTS for url in self.requests if host in url}


@pytest.fixture
def recorder(browser: Browser) -> Iterator[Recorder]:
    context = browser.new_context()
    yield Recorder(context)
    context.close()


@pytest.fixture
def gpc_recorder(browser: Browser) -> Iterator[Recorder]:
    context = browser.new_context()
    # What a browser with Global Privacy Control switched on exposes.
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    yield Recorder(context)
    context.close()


def open_page(recorder: Recorder, url: str) -> Page:
    page = recorder.context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def allow(page: Page, language: str) -> None:
    """Press "Allow" and wait until both vendors' scripts are asked for."""
    with (
        page.expect_request(YANDEX_TAG),
        page.expect_request(lambda request: request.url.startswith(GTAG + "?")),
    ):
        page.get_by_role("button", name=ALLOW[language]).click()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_browser_analytics_only_after_allow(
    recorder: Recorder, analytics_site_url: str, language: str
) -> None:
    page = open_page(recorder, f"{analytics_site_url}/{language}/")
    banner = page.locator("#analytics-banner")

    assert banner.is_visible()
    assert recorder.requests == []
    allow(page, language)

    assert recorder.hosts() >= {"mc.yandex.ru", "googletagmanager.com"}
    assert banner.is_hidden()


def test_browser_analytics_choice_survives_reload(
    recorder: Recorder, analytics_site_url: str
) -> None:
    page = open_page(recorder, f"{analytics_site_url}/en/privacy/")
    allow(page, "en")
    recorder.requests.clear()

    with page.expect_request(YANDEX_TAG):
        page.reload()

    assert page.locator("#analytics-banner").is_hidden()
    assert recorder.hosts() >= {"mc.yandex.ru", "googletagmanager.com"}


def test_browser_analytics_decline_is_remembered_and_changeable(
    recorder: Recorder, analytics_site_url: str
) -> None:
    page = open_page(recorder, f"{analytics_site_url}/ru/contact/")
    page.get_by_role("button", name=DECLINE["ru"]).click()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("#analytics-banner").is_hidden()
    assert recorder.requests == []

    page.get_by_role("button", name=SETTINGS["ru"]).click()
    allow(page, "ru")

    assert recorder.hosts() >= {"mc.yandex.ru", "googletagmanager.com"}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_browser_analytics_none_with_global_privacy_control(
    gpc_recorder: Recorder, analytics_site_url: str, language: str
) -> None:
    page = open_page(gpc_recorder, f"{analytics_site_url}/{language}/")

    assert page.evaluate("navigator.globalPrivacyControl") is True
    assert page.locator("#analytics-banner").is_hidden()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert gpc_recorder.requests == []

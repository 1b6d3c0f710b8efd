"""Analytics consent in Debian's Chromium, with Yandex Metrica and Google Analytics ids set.

The machine has no internet: requests to the analytics hosts are answered by a stub and
recorded, which is exactly what the tests look at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

pytestmark = pytest.mark.browser

ANALYTICS_HOSTS = ("mc.yandex.ru", "googletagmanager.com", "google-analytics.com")
LOADED = {"mc.yandex.ru", "googletagmanager.com"}
# How long a page may take to ask for the analytics scripts after "allow" on a busy machine.
SCRIPTS_SECONDS = 15.0
ALLOW = {"ru": "Разрешить", "en": "Allow"}
DECLINE = {"ru": "Отказаться", "en": "Decline"}
SETTINGS = {"ru": "Настройки cookie-файлов аналитики", "en": "Analytics cookie settings"}


class Recorder:
    """A browser context whose requests to analytics hosts are stubbed and remembered."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.requests: list[str] = []
        for host in ANALYTICS_HOSTS:
            context.route(f"https://*{host}/**", self._stub)
            context.route(f"https://{host}/**", self._stub)

    def _stub(self, route: Route) -> None:
        self.requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body="/* stub */")

    def hosts(self) -> set[str]:
        return {host for host in ANALYTICS_HOSTS for url in self.requests if host in url}

    def hosts_once_loaded(self, page: Page) -> set[str]:
        """The hosts asked so far, once the page has asked both analytics hosts (or given up).

        A click's scripts are requested after it returns, and the page was network-idle
        already, so waiting for that state again proves nothing: wait for the requests.
        """
        deadline = time.monotonic() + SCRIPTS_SECONDS
        while not self.hosts() >= LOADED and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # Playwright delivers the routed requests meanwhile
        return self.hosts()


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


@pytest.mark.parametrize("language", ["ru", "en"])
def test_browser_analytics_only_after_allow(
    recorder: Recorder, analytics_site_url: str, language: str
) -> None:
    page = open_page(recorder, f"{analytics_site_url}/{language}/")
    banner = page.locator("#analytics-banner")

    assert banner.is_visible()
    assert recorder.requests == []
    page.get_by_role("button", name=ALLOW[language]).click()

    assert recorder.hosts_once_loaded(page) >= LOADED
    assert banner.is_hidden()


def test_browser_analytics_choice_survives_reload(
    recorder: Recorder, analytics_site_url: str
) -> None:
    page = open_page(recorder, f"{analytics_site_url}/en/privacy/")
    page.get_by_role("button", name=ALLOW["en"]).click()
    recorder.requests.clear()

    page.reload()

    assert recorder.hosts_once_loaded(page) >= LOADED
    assert page.locator("#analytics-banner").is_hidden()


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
    page.get_by_role("button", name=ALLOW["ru"]).click()

    assert recorder.hosts_once_loaded(page) >= LOADED


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

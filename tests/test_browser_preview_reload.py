"""An editor's preview in Debian's Chromium: pages refresh themselves and show build errors.

`build.py serve` runs on a copy of `content/`; the tests save files in it as an editor does and
watch the open pages, never reloading them themselves. How fast that happens is a figure
(`./dev bench preview`), not an assertion: the waits here are generous for busy CI cores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.support.preview import Preview, running_preview
from tests.support.site import copy_content

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT_MS = 30_000
# Collects what the Content-Security-Policy refused: the live reload must need no exception.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_content(tmp_path_factory.mktemp("reload-content"))


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory, content_dir: Path) -> Iterator[Preview]:
    with running_preview(tmp_path_factory.mktemp("reload-serve"), content_dir) as running:
        yield running


@pytest.fixture
def edited(browser: Browser) -> Iterator[dict[Path, str]]:
    """The files a test edits and their text before, put back once its pages are closed.

    Putting a file back is a save: a rebuild, and every open page reloads. Chromium may then
    acknowledge the closing of a page whose reload is committing without closing it, and
    Playwright waits for it forever (microsoft/playwright#42366, #42068): a test hung for 600 s
    that way. So the pages close first (`context` needs this fixture, so it ends before it).
    """
    originals: dict[Path, str] = {}
    yield originals
    assert browser.contexts == [], "a file put back with pages open makes them reload"
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def context(browser: Browser, edited: dict[Path, str]) -> Iterator[BrowserContext]:
    # A short window, so that the contact page scrolls.
    context = browser.new_context(viewport={"width": 800, "height": 400})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    yield context
    # A test's last save may still be reloading a page it did not wait for: each page is taken
    # to a blank one first (which waits for that, and has no live reload), then closed.
    for page in context.pages:
        park(page)
    context.close()


def park(page: Page) -> None:
    """Leave for a blank page, whatever reload is under way (one may interrupt a try: three)."""
    for attempt in range(3):
        try:
            page.goto("about:blank", timeout=WAIT_MS)
            return
        except PlaywrightError:
            if attempt == 2:
                raise


def edit(edited: dict[Path, str], path: Path) -> Path:
    """Note `path` as edited by this test, to be put back as it is now."""
    edited.setdefault(path, path.read_text(encoding="utf-8"))
    return path


@pytest.fixture
def contact_page(content_dir: Path, edited: dict[Path, str]) -> Path:
    return edit(edited, content_dir / "en" / "contact.md")


def open_page(context: BrowserContext, preview: Preview, path: str) -> Page:
    # No need to wait for the page's event stream: a page that connects after a rebuild is
    # told it is older than the latest build, and reloads all the same.
    page = context.new_page()
    page.goto(f"{preview.url}{path}")
    return page


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_browser_preview_page_shows_a_saved_edit_by_itself_where_it_was_scrolled(
    context: BrowserContext, preview: Preview, contact_page: Path
) -> None:
    page = open_page(context, preview, "/en/contact/")
    page.evaluate("window.scrollTo(0, 300)")
    assert page.evaluate("window.scrollY") == 300
    marker = f"Edited {uuid.uuid4().hex[:8]}"

    # When the editor saves the page with a new sentence,
    contact_page.write_text(
        contact_page.read_text(encoding="utf-8").replace("\n+++\n", f"\n+++\n{marker}\n\n", 1),
        encoding="utf-8",
    )

    # then the open page shows it without anyone reloading it, at the same scroll position.
    expect(page.get_by_text(marker)).to_be_visible(timeout=WAIT_MS)
    page.wait_for_function("() => window.scrollY === 300", timeout=WAIT_MS)
    assert csp_violations(page) == []


def test_browser_preview_shows_a_broken_front_matter_over_the_page_until_mended(
    context: BrowserContext, preview: Preview, contact_page: Path
) -> None:
    pages = [open_page(context, preview, path) for path in ("/en/contact/", "/ru/")]
    good = contact_page.read_text(encoding="utf-8")
    heading = pages[0].locator("h1").inner_text()

    # When the editor saves a setting the front matter does not know, written as markup,
    contact_page.write_text(good.replace("+++\n", '+++\n"<img src=x>" = 1\n', 1), encoding="utf-8")

    # then every open page shows the error, naming the file and line, as text,
    for page in pages:
        overlay = page.locator("#preview-build-error")
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay).to_contain_text(f"{contact_page}:2")
        expect(overlay).to_contain_text("unknown front matter '<img src=x>'")
        assert overlay.locator("img").count() == 0
        assert csp_violations(page) == []
    # over the last good page, still there beneath it.
    assert pages[0].locator("h1").inner_text() == heading

    # When the editor mends the file, the error goes.
    contact_page.write_text(good, encoding="utf-8")
    for page in pages:
        expect(page.locator("#preview-build-error")).to_have_count(0, timeout=WAIT_MS)


@pytest.fixture
def russian_contact_page(content_dir: Path, edited: dict[Path, str]) -> Path:
    return edit(edited, content_dir / "ru" / "contact.md")


def test_browser_preview_a_translation_behind_its_source_shows_a_notice(
    context: BrowserContext, preview: Preview, russian_contact_page: Path
) -> None:
    kazakh, english, kazakh_home, russian = (
        open_page(context, preview, path)
        for path in ("/kk/contact/", "/en/contact/", "/kk/", "/ru/contact/")
    )
    for page in (kazakh, english, kazakh_home, russian):
        expect(page.locator("#preview-translation-notice")).to_have_count(0)

    # When the editor changes the Russian contact page, the source of its translations,
    russian_contact_page.write_text(
        russian_contact_page.read_text(encoding="utf-8").replace(
            "сообщение — мы ответим по электронной почте.",
            "сообщение — мы ответим в течение двух рабочих дней.",
            1,
        ),
        encoding="utf-8",
    )

    # then each translation of it says so, in a small box, naming its file and the way out,
    for page, name in ((kazakh, "kk/contact.md"), (english, "en/contact.md")):
        notice = page.locator("#preview-translation-notice")
        expect(notice).to_be_visible(timeout=WAIT_MS)
        expect(notice).to_contain_text(f"{name} is behind ru/contact.md")
        expect(notice).to_contain_text(f"python build.py translations --done {name}")
        assert csp_violations(page) == []
    # while the source and the pages of other files stay as they were,
    expect(russian.get_by_text("в течение двух рабочих дней")).to_be_visible(timeout=WAIT_MS)
    for page in (russian, kazakh_home):
        expect(page.locator("#preview-translation-notice")).to_have_count(0)
    # The editor can put the notice away.
    kazakh.locator("#preview-translation-notice button").click()
    expect(kazakh.locator("#preview-translation-notice")).to_have_count(0)
    # The terminal has one warning line per translation.
    for name in ("kk/contact.md", "en/contact.md"):
        assert f"warning: {name} is behind ru/contact.md" in preview.log()

    # When the source is put back, the translations are in step again and the notices go.
    russian_contact_page.write_text(
        russian_contact_page.read_text(encoding="utf-8").replace(
            "сообщение — мы ответим в течение двух рабочих дней.",
            "сообщение — мы ответим по электронной почте.",
            1,
        ),
        encoding="utf-8",
    )
    for page in (kazakh, english):
        expect(page.locator("#preview-translation-notice")).to_have_count(0, timeout=WAIT_MS)

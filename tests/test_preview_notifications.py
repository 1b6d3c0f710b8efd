"""The operator's notifications through the running preview (`build.py serve`).

Submissions go in as visitors send them (Debian's Chromium, with and without JavaScript, and a
burst of JSON posts); what comes out is the line the preview prints for each message the
operator's topic would mail. A later submission's notification is the sign that everything
before it was handed over: the mapping hands batches over in order, so a duplicate would have
been printed before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from functions.submission_item import PERSONAL
from sitecontent.policy import current_policy_version
from tests.support.preview import ROOT, Preview, launch_preview, load_payload, post_json

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Long enough that a burst of 50 posts, one at a time through the preview on two busy cores,
# fits in one window (at most two messages: the burst may straddle a window's end).
BURST_WINDOW_SECONDS = 8
# Where each submission waits for its own notification, the window's length is only how long
# the test waits: a preview of its own with a short one spares 18 s of three 8 s windows.
SINGLE_WINDOW_SECONDS = 2
NOTIFIED_WITHIN = BURST_WINDOW_SECONDS + 60
TIMEOUT_MS = 15_000
POLICY_VERSION = current_policy_version(ROOT / "content", "ru").version


@pytest.fixture(scope="module")
def previews(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Preview]]:
    """The module's two previews by window, started together: the burst's starts (six
    core-seconds) while the single submissions' test waits for its notifications."""
    launched: dict[int, Preview] = {}
    try:
        for window in (SINGLE_WINDOW_SECONDS, BURST_WINDOW_SECONDS):
            work_dir = tmp_path_factory.mktemp("preview-notifications")
            environment = {"PREVIEW_NOTIFY_WINDOW": str(window)}
            launched[window] = launch_preview(work_dir, environment=environment)
        yield launched
    finally:
        for preview in launched.values():
            preview.stop()


@pytest.fixture
def preview(previews: dict[int, Preview]) -> Preview:
    previews[SINGLE_WINDOW_SECONDS].wait_until_ready()
    return previews[SINGLE_WINDOW_SECONDS]


@pytest.fixture
def burst_preview(previews: dict[int, Preview]) -> Preview:
    previews[BURST_WINDOW_SECONDS].wait_until_ready()
    return previews[BURST_WINDOW_SECONDS]


@dataclass(frozen=True)
class Visitor:
    last_name: str
    first_name: str
    email: str
    phone: str
    message: str

    def typed(self) -> list[str]:
        """Every value typed, and the forms it is stored or shown in."""
        digits = "+" + "".join(c for c in self.phone if c.isdigit())
        return [
            self.last_name,
            self.first_name,
            self.email,
            self.email.split("@")[0],
            self.phone,
            digits,
            digits.removeprefix("+"),
            self.message,
        ]


def visitor() -> Visitor:
    tag = uuid.uuid4().hex[:10]
    return Visitor(
        last_name="Жақсыбекова",
        first_name="Динара",
        email=f"dinara.{tag}@example.kz",
        phone="+7 701 765 43 21",
        message=f"Перезвоните мне, пожалуйста {tag}",
    )


def send_from_browser(browser, preview: Preview, person: Visitor, javascript: bool) -> str:
    """Fill and send the Russian contact page; return the stored submission's id."""
    before = set(preview.stored_items())
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{preview.url}/ru/contact/")
        page.fill("#last_name", person.last_name)
        page.fill("#first_name", person.first_name)
        page.fill("#email", person.email)
        page.fill("#phone-1", person.phone)
        page.fill("#message", person.message)
        page.check("#consent")
        page.click("button[type=submit]")
        page.wait_for_url(f"{preview.url}/ru/thanks/")
    finally:
        context.close()
    (submission_id,) = set(preview.stored_items()) - before
    return submission_id


def sentinel(preview: Preview) -> list[str]:
    """Submit once more and wait for its notification: every earlier one is printed by then."""
    status, answer = post_json(preview, load_payload(POLICY_VERSION, "en", 1, "sentinel"))
    assert status == 201, answer
    return preview.wait_for_notifications({answer["id"]}, NOTIFIED_WITHIN)


def assert_holds_nothing_stored(preview: Preview, lines: list[str], ids: set[str]) -> None:
    """No line holds the items' encrypted blob or the email's keyed hash."""
    items = preview.stored_items()
    for submission_id in ids:
        for name in PERSONAL:
            value = items[submission_id][name]["S"]
            assert not [line for line in lines if value in line], f"{name} is printed"


def test_preview_one_submission_with_and_without_javascript_gives_one_notification_each(
    browser, preview: Preview
) -> None:
    banner = (
        f"Notifications: printed here, one line each, {SINGLE_WINDOW_SECONDS} s after a submission"
    )
    assert banner in preview.log()
    people = {javascript: visitor() for javascript in (True, False)}
    ids = {}
    for javascript, person in people.items():
        ids[javascript] = send_from_browser(browser, preview, person, javascript)
        preview.wait_for_notifications({ids[javascript]}, NOTIFIED_WITHIN)

    lines = sentinel(preview)

    for javascript, person in people.items():
        naming = [line for line in lines if ids[javascript] in line]
        assert len(naming) == 1, f"javascript={javascript}: {naming}"
        (line,) = naming
        assert "новые обращения: 1 |" in line
        assert f"estimation-operator --endpoint-url {preview.endpoint_url}" in line
        assert f"show {ids[javascript]}" in line
        assert "Язык: Русский (ru)" in line
        for value in person.typed():
            assert value not in line, f"javascript={javascript}: a typed value is printed"
    assert_holds_nothing_stored(preview, lines, set(ids.values()))


def test_preview_burst_of_50_gives_at_most_two_notifications_naming_all(
    burst_preview: Preview,
) -> None:
    preview = burst_preview
    run = uuid.uuid4().hex[:8]
    payloads = [load_payload(POLICY_VERSION, "ru", number, run) for number in range(50)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda payload: post_json(preview, payload), payloads))
    assert {status for status, _ in answers} == {201}
    ids = {answer["id"] for _, answer in answers}
    preview.wait_for_notifications(ids, NOTIFIED_WITHIN)

    lines = sentinel(preview)

    naming = [line for line in lines if ids & {i for i in ids if i in line}]
    assert 1 <= len(naming) <= 2, naming
    for submission_id in ids:
        assert sum(line.count(f"show {submission_id}") for line in naming) == 1
    typed = [value for payload in payloads for value in (payload["email"], payload["message"])]
    assert not [value for value in typed if any(value in line for line in naming)]

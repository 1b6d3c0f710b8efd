"""Figures for the staff inbox page: its weight on first load, and sign-in to inbox shown.

Targets (issue 23): what `/admin/` loads before anyone signs in (the page with its inlined CSS,
its script, one language's words, the icon, the config), gzip-compressed, at most 14 KB like
the public pages; the QR code library loads only at the authenticator set-up, so it is printed
apart. Sign-in to inbox shown, in the preview through Debian's Chromium: from the click on
"Sign in" (password) through the code to the inbox on screen, median of 5, each in a fresh tab
as staff open it.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from sitegen.admin import ADMIN_PAGE
from sitegen.build import build
from tests.support.admin import NEW_PASSWORD, add_staff, code_for, enter_password, first_sign_in
from tests.support.preview import ROOT, running_preview
from tests.support.tools import CHROMIUM

PAGE_BYTES_TARGET = 14 * 1024
SIGN_IN_RUNS = 5
# What staff tolerate between typing their code and seeing their messages, on the preview.
SIGN_IN_SECONDS_TARGET = 2.0
CONFIG_EXAMPLE = (
    b'{"region": "eu-central-1", "user_pool_id": "eu-central-1_AbCdEfGhI", '
    b'"client_id": "1example23456789abcdefghij", '
    b'"cognito_endpoint": "https://cognito-idp.eu-central-1.amazonaws.com/"}'
)


def _gzip_size(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9, mtime=0))


def _ratio(value: float, target: float) -> str:
    return f"{value / target:.2f} of target"


def page_weight(out: Path) -> None:
    """Print the gzip size of everything the admin page loads before sign-in."""
    html = (out / ADMIN_PAGE).read_bytes()
    loaded = {"admin/index.html": html, "admin/config.json": CONFIG_EXAMPLE}
    for url in re.findall(rb'<(?:script|link)[^>]+(?:src|href)="(/assets/[^"]+)"', html):
        loaded[url.decode().lstrip("/")] = (out / url.decode().lstrip("/")).read_bytes()
    # The script loads one language's words, the browser's: count the largest.
    config = re.search(rb'<script type="application/json" id="admin-config">(.*?)</script>', html)
    assert config, "the admin page carries no config"
    words = json.loads(config.group(1))["words"]
    largest = max(words.values(), key=lambda url: _gzip_size((out / url.lstrip("/")).read_bytes()))
    loaded[largest.lstrip("/")] = (out / largest.lstrip("/")).read_bytes()
    later = re.search(rb'data-qrcode="(/assets/[^"]+)"', html)
    print(f"admin page weight on first load (gzip -9, target ≤ {PAGE_BYTES_TARGET} B):")
    total = 0
    for name, content in loaded.items():
        size = _gzip_size(content)
        total += size
        print(f"  {name:36} {size:6} B")
    print(f"  {'first load in all':36} {total:6} B  {_ratio(total, PAGE_BYTES_TARGET)}")
    if later:
        size = _gzip_size((out / later.group(1).decode().lstrip("/")).read_bytes())
        print(f"  {'later, at set-up: ' + later.group(1).decode():36} {size:6} B")


def sign_in_seconds() -> None:
    """Print the median time from "Sign in" to the inbox on screen, in the preview."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS

    with (
        tempfile.TemporaryDirectory() as work,
        running_preview(Path(work)) as preview,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        email, temporary = add_staff(preview)
        page = browser.new_page()
        page.goto(f"{preview.url}/admin/")
        secret = first_sign_in(page, email, temporary)
        page.locator("#view-inbox").wait_for()
        page.close()
        timings = []
        for _ in range(SIGN_IN_RUNS):
            page = browser.new_page()
            page.goto(f"{preview.url}/admin/")
            started = time.perf_counter()
            enter_password(page, email, NEW_PASSWORD)
            page.locator("#view-mfa").wait_for()
            page.fill("#mfa-code", code_for(secret))
            page.click("#mfa-form button[type=submit]")
            page.locator("#view-inbox").wait_for()
            timings.append(time.perf_counter() - started)
            page.close()
        browser.close()
    median = statistics.median(timings)
    print(f"sign-in to inbox shown, preview, median of {SIGN_IN_RUNS}:")
    print(f"  runs {', '.join(f'{seconds:.3f}' for seconds in timings)} s")
    print(
        f"  median {median:.3f} s  target ≤ {SIGN_IN_SECONDS_TARGET} s  "
        f"{_ratio(median, SIGN_IN_SECONDS_TARGET)}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        page_weight(build(ROOT / "content", Path(work) / "dist").out_dir)
    sign_in_seconds()


if __name__ == "__main__":
    main()

"""The staff inbox's sign-in, as a member of staff goes through it, for tests and benchmarks.

The preview prints one staff member's address and temporary password; more are added as an
administrator adds them. Codes come from `pyotp` with the secret the page shows at set-up
(moto's Cognito checks them against its one fixed secret when the preview turns TOTP on).
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable

import pyotp
from playwright.sync_api import Page

from tests.support.preview import READY_SECONDS, STAFF_LINE, Preview

NEW_PASSWORD = "Correct-horse-battery-42"


def printed_staff(preview: Preview, timeout: float = READY_SECONDS) -> tuple[str, str, str]:
    """The admin page URL, email and temporary password the preview printed.

    The preview prints the line once its local AWS has the staff pool, which may be a moment
    after the form's function answers.
    """
    deadline = time.monotonic() + timeout
    while not STAFF_LINE.search(preview.log()):
        assert time.monotonic() < deadline, f"no staff sign-in line:\n{preview.log()}"
        assert preview.process.poll() is None, f"serve exited:\n{preview.log()}"
        time.sleep(0.1)
    return preview.staff_sign_in()


def add_staff(preview: Preview) -> tuple[str, str]:
    """A new member of staff in the preview's user pool: email and temporary password."""
    printed_staff(preview)  # the pool exists
    with urllib.request.urlopen(f"{preview.url}/admin/config.json", timeout=30) as answer:
        pool = json.loads(answer.read())["user_pool_id"]
    email, password = f"staff.{uuid.uuid4().hex[:8]}@example.kz", "Temporary-password-1"
    preview.client("cognito-idp").admin_create_user(
        UserPoolId=pool,
        Username=email,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    return email, password


def code_for(secret: str) -> str:
    """The authenticator app's code right now."""
    return pyotp.TOTP(secret).now()


def enter_password(page: Page, email: str, password: str) -> None:
    page.fill("#sign-in-email", email)
    page.fill("#sign-in-password", password)
    page.click("#sign-in-form button[type=submit]")


def first_sign_in(
    page: Page,
    email: str,
    temporary_password: str,
    on_view: Callable[[str], None] = lambda selector: None,
) -> str:
    """Temporary password, new password, authenticator set-up, code; the secret it showed.

    `on_view` is called with each view's selector once it is shown (before it is filled in).
    """
    page.locator("#view-sign-in").wait_for()
    on_view("#view-sign-in")
    enter_password(page, email, temporary_password)
    page.locator("#view-new-password").wait_for()
    on_view("#view-new-password")
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-again", NEW_PASSWORD)
    page.click("#new-password-form button[type=submit]")
    page.locator("#mfa-qr svg[role=img]").wait_for()
    on_view("#view-mfa-setup")
    secret = page.inner_text("#mfa-secret").replace(" ", "")
    page.fill("#mfa-setup-code", code_for(secret))
    page.click("#mfa-setup-form button[type=submit]")
    return secret


def sign_in(
    page: Page, email: str, secret: str, on_view: Callable[[str], None] = lambda selector: None
) -> None:
    """A later sign-in: the password chosen at the first, then the app's code."""
    enter_password(page, email, NEW_PASSWORD)
    page.locator("#view-mfa").wait_for()
    on_view("#view-mfa")
    page.fill("#mfa-code", code_for(secret))
    page.click("#mfa-form button[type=submit]")

"""What the stack's staff side needs from the site: the invitation's words, the page's config.

The deploy and the preview both use these: the invitation Cognito mails a new member of staff
(in the site's default language, `[staff_invitation]` in its `strings.toml`), and
`/admin/config.json`, which tells the admin page where the user pool and its client are, so
one built page serves any stack.
"""

from __future__ import annotations

from pathlib import Path

from sitecontent.site import load_site
from sitecontent.strings import load_strings

CONFIG_PATH = "admin/config.json"
# Re-read on every load: a redeployed stack's new pool must reach open pages at once.
CONFIG_CACHE_CONTROL = "no-cache"
POOL_OUTPUT = "StaffUserPoolId"
CLIENT_OUTPUT = "StaffUserPoolClientId"


def invitation(content_dir: Path, admin_url: str) -> dict[str, str]:
    """The template's invitation parameters, in the site's default language."""
    strings = load_strings(content_dir, load_site(content_dir).default_language)
    return {
        "StaffInvitationSubject": strings["staff_invitation.subject"],
        # Cognito fills {username} and {####} itself; the page's address is ours to give.
        "StaffInvitationMessage": strings["staff_invitation.message"].replace(
            "{admin_url}", admin_url
        ),
    }


def admin_config(outputs: dict[str, str], region: str) -> dict[str, str] | None:
    """`/admin/config.json` for a deployed stack; None when it has no staff pool."""
    if POOL_OUTPUT not in outputs or CLIENT_OUTPUT not in outputs:
        return None
    return {
        "region": region,
        "user_pool_id": outputs[POOL_OUTPUT],
        "client_id": outputs[CLIENT_OUTPUT],
        "cognito_endpoint": f"https://cognito-idp.{region}.amazonaws.com/",
    }

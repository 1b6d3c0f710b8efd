"""The staff inbox, `/admin/`: one page for every language, and what its script is told.

One URL, not one per language: the notification links every message to `/admin/#<id>`
whatever language the staff member reads, and a language folder adds its words to this page
with no new URL to learn. So the page carries each language's `[admin]` strings; its script
shows the browser's preferred language among them (the default language otherwise) and
switches on the page, remembering nothing in the browser. The HTML itself is in the default
language, so the page reads right before the script runs.
"""

from __future__ import annotations

from sitecontent.site import Site

ADMIN_PAGE = "admin/index.html"
ADMIN_URL = "/admin/"
# Written by the deploy from the stack's outputs and served by the preview, never by the build:
# the same built page works with any stack's user pool (STAFF_API_CONTRACT.md).
CONFIG_URL = "/admin/config.json"
STAFF_API_URL = "/api/staff/"
STRINGS_PREFIX = "admin."
# Other tables' strings the page shows: the language's name in the switcher, the consents'
# names, and the subject of the answer, which is in the visitor's language.
SHARED_STRINGS = {
    "language_name": "language.name",
    "languages_label": "site.languages_label",
    "skip_link": "site.skip_link",
    "site_name": "site.name",
    "reply_subject": "reply.subject",
    "consent_processing": "form.consent_name",
    "consent_marketing": "form.marketing_name",
    "consent_cross_border": "form.cross_border_name",
}


def admin_words(strings: dict[str, str]) -> dict[str, str]:
    """One language's words for the inbox page, keyed without the `admin.` prefix."""
    words = {
        key.removeprefix(STRINGS_PREFIX): text
        for key, text in strings.items()
        if key.startswith(STRINGS_PREFIX)
    }
    words.update({name: strings[key] for name, key in SHARED_STRINGS.items()})
    return words


def admin_page_config(site: Site, strings: dict[str, dict[str, str]]) -> dict[str, object]:
    """What `admin.js` reads from the page: every language's words, and where to find the rest."""
    host = site.base_url.split("://", 1)[-1].split("/", 1)[0]
    return {
        "defaultLanguage": site.default_language,
        "languages": list(site.languages),
        "words": {language: admin_words(strings[language]) for language in site.languages},
        # The name the authenticator app shows beside the codes.
        "issuer": host,
        "configUrl": CONFIG_URL,
        "apiUrl": STAFF_API_URL,
    }

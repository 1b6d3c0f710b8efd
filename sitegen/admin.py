"""The staff inbox, `/admin/`: one page for every language, and what its script is told.

One URL, not one per language: the notification links every message to `/admin/#<id>`
whatever language the staff member reads, and a language folder adds its words to this page
with no new URL to learn. The HTML is in the default language, so the page reads right before
its script runs; each language's words (its `[admin]` strings) are a small file of their own,
which the script loads for the browser's preferred language among the site's (the default
otherwise) and for whichever the staff member switches to, remembering nothing in the browser.
So the first load carries one language's words however many the site has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sitecontent.site import Site
from sitegen.assets import ASSETS_URL, hashed_name

ADMIN_PAGE = "admin/index.html"
ADMIN_URL = "/admin/"
# Written by the deploy from the stack's outputs and served by the preview, never by the build:
# the same built page works with any stack's user pool (STAFF_API_CONTRACT.md).
CONFIG_URL = "/admin/config.json"
STAFF_API_URL = "/api/staff/"
STRINGS_PREFIX = "admin."
# Other tables' strings the page shows in the staff member's language.
SHARED_STRINGS = {
    "languages_label": "site.languages_label",
    "skip_link": "site.skip_link",
    "site_name": "site.name",
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


@dataclass(frozen=True)
class WordFile:
    """One language's words for the inbox page, as an asset."""

    url: str
    content: bytes = b""

    @property
    def path(self) -> str:
        return self.url.removeprefix("/")


def admin_word_files(site: Site, strings: dict[str, dict[str, str]]) -> dict[str, WordFile]:
    """Each language's words as a file under `/assets/`, content-hashed like every asset."""
    files: dict[str, WordFile] = {}
    for language in site.languages:
        words = admin_words(strings[language])
        text = json.dumps(words, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        content = text.encode("utf-8")
        name = hashed_name(f"admin-words.{language}.json", content)
        files[language] = WordFile(ASSETS_URL + name, content)
    return files


def admin_page_config(
    site: Site, strings: dict[str, dict[str, str]], word_files: dict[str, WordFile]
) -> dict[str, object]:
    """What `admin.js` reads from the page: where each language's words are, and the few
    words it needs in every language whichever it shows."""
    host = site.base_url.split("://", 1)[-1].split("/", 1)[0]
    return {
        "defaultLanguage": site.default_language,
        "languages": list(site.languages),
        "words": {language: word_files[language].url for language in site.languages},
        # The switcher and the inbox name each language in itself.
        "languageNames": {
            language: strings[language]["language.name"] for language in site.languages
        },
        # A reply's subject is in the visitor's language, whatever the staff member reads.
        "replySubjects": {
            language: strings[language]["reply.subject"] for language in site.languages
        },
        # The name the authenticator app shows beside the codes.
        "issuer": host,
        "configUrl": CONFIG_URL,
        "apiUrl": STAFF_API_URL,
    }

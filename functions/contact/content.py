"""What the form function reads from `content/`: languages, policy versions and UI strings.

Read once per cold start; the function ships the same files the site is built from, so the
error page speaks the site's words and the current policy version is the site's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitecontent.policy import current_policy_version
from sitecontent.site import load_site
from sitecontent.strings import load_strings


@dataclass(frozen=True)
class FormContent:
    """The editors' settings and words the function answers with."""

    languages: tuple[str, ...]
    default_language: str
    ask_cross_border_consent: bool
    current_policy: dict[str, str]
    strings: dict[str, dict[str, str]]

    def language_or_default(self, locale: object) -> str:
        """The visitor's language when it is one of the site's, else the default language."""
        if isinstance(locale, str) and locale in self.languages:
            return locale
        return self.default_language


def load_form_content(content_dir: Path) -> FormContent:
    """Read the site settings, each language's current policy version and its UI strings."""
    site = load_site(content_dir)
    return FormContent(
        languages=site.languages,
        default_language=site.default_language,
        ask_cross_border_consent=site.ask_cross_border_consent,
        current_policy={
            language: current_policy_version(content_dir, language).version
            for language in site.languages
        },
        strings={language: load_strings(content_dir, language) for language in site.languages},
    )

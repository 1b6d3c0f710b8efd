"""The text of a notification: how many submissions arrived, and for each what shows it.

In the site's default language, with the words of `[notification]` in its `strings.toml`. It
holds ids, times (UTC and Kazakhstan's), languages and operator commands: nothing a visitor
typed, not even the email's keyed hash, because the mail leaves the store for the operator's
mailbox (a provider in another country). Each id links to the staff inbox's page for it
(`https://<site>/admin/#<id>`), which shows the message after sign-in; the CLI command that
shows it follows.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.submission_item import utc_and_kazakhstan_time
from sitecontent.site import load_site
from sitecontent.strings import load_strings

# The operator CLI's command name (`[project.scripts]` in pyproject.toml).
OPERATOR_PROGRAM = "estimation-operator"
# SNS refuses subjects of 100 characters or more.
MAX_SUBJECT_LENGTH = 99


@dataclass(frozen=True)
class Arrival:
    """A new submission as a notification names it."""

    submission_id: str
    created_at: str
    locale: str


@dataclass(frozen=True)
class Notification:
    """One message for the operator's topic."""

    subject: str
    text: str
    submission_ids: tuple[str, ...]


@dataclass(frozen=True)
class NotificationWords:
    """The default language's `[notification]` strings, and each language's own name."""

    subject: str
    intro: str
    received: str
    language: str
    inbox: str
    open: str
    language_names: dict[str, str]


def load_words(content_dir: Path) -> NotificationWords:
    """Read the words once: the site's default language, and every language's name."""
    site = load_site(content_dir)
    strings = load_strings(content_dir, site.default_language)
    names = {
        language: load_strings(content_dir, language)["language.name"]
        for language in site.languages
    }
    return NotificationWords(
        subject=strings["notification.subject"],
        intro=strings["notification.intro"],
        received=strings["notification.received"],
        language=strings["notification.language"],
        inbox=strings["notification.inbox"],
        open=strings["notification.open"],
        language_names=names,
    )


@dataclass(frozen=True)
class OperatorCommand:
    """The `estimation-operator` command line that reaches this stack."""

    stack: str
    region: str
    endpoint_url: str | None = None

    def _line(self, *arguments: str) -> str:
        words = [OPERATOR_PROGRAM]
        if self.endpoint_url:
            words += ["--endpoint-url", self.endpoint_url]
        words += ["--stack", self.stack, "--region", self.region, *arguments]
        return shlex.join(words)

    def show(self, submission_id: str) -> str:
        return self._line("show", submission_id)

    def inbox(self) -> str:
        return self._line("inbox")


@dataclass(frozen=True)
class StaffInbox:
    """The staff inbox's page, where a notification's links lead."""

    site_url: str

    def link(self, submission_id: str) -> str:
        """The page that opens this submission after sign-in."""
        return f"{self.site_url.rstrip('/')}/admin/#{submission_id}"


def _language(words: NotificationWords, locale: str) -> str:
    name = words.language_names.get(locale)
    return f"{name} ({locale})" if name else locale


def compose(
    arrivals: Sequence[Arrival],
    words: NotificationWords,
    command: OperatorCommand,
    staff_inbox: StaffInbox,
) -> Notification:
    """The notification of these arrivals, oldest first."""
    ordered = sorted(arrivals, key=lambda arrival: (arrival.created_at, arrival.submission_id))
    count = len(ordered)
    lines = [words.intro.format(count=count), ""]
    for number, arrival in enumerate(ordered, start=1):
        utc, local = utc_and_kazakhstan_time(arrival.created_at)
        lines += [
            f"{number}. {arrival.submission_id}",
            "   " + words.received.format(utc=utc, local=local),
            "   " + words.language.format(language=_language(words, arrival.locale)),
            "   " + words.open.format(link=staff_inbox.link(arrival.submission_id)),
            "   " + command.show(arrival.submission_id),
            "",
        ]
    lines.append(words.inbox.format(command=command.inbox()))
    subject = " ".join(words.subject.format(count=count).split())[:MAX_SUBJECT_LENGTH]
    return Notification(subject, "\n".join(lines) + "\n", tuple(a.submission_id for a in ordered))

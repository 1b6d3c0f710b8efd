"""The notifier's configuration: environment variables set by `infra/template.yaml`.

Read with the standard library, not pydantic-settings: the notifier ships in the same zip as
the form function but must not need the validation libraries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from functions import DEFAULT_CONTENT_DIR


class SettingsError(RuntimeError):
    """A variable the template sets is missing: the notifier cannot say where to look."""


@dataclass(frozen=True)
class NotifierSettings:
    topic_arn: str
    stack_name: str
    region: str
    # Only where AWS is a stand-in (the preview's moto server): the operator needs it too.
    endpoint_url: str | None
    content_dir: Path
    # Where the notification's links lead; the site's `base_url` (content/site.toml) unless
    # set (the preview sets its own address).
    site_url: str | None


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"the environment variable {name} is not set")
    return value


def load_settings() -> NotifierSettings:
    """The settings from the environment; `SettingsError` names a missing variable."""
    return NotifierSettings(
        topic_arn=_required("NOTIFICATION_TOPIC_ARN"),
        stack_name=_required("STACK_NAME"),
        region=_required("AWS_REGION"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        content_dir=Path(os.environ.get("CONTENT_DIR") or DEFAULT_CONTENT_DIR),
        site_url=os.environ.get("SITE_URL") or None,
    )

"""What a warm staff function keeps between requests: settings, clients, the submissions.

Built on the first request, so importing the handler stays cheap and a test can point the
function at a fresh environment with `reset()`. The data masker (`functions.personal_data`)
lives for the instance too, so its cache of decrypted data keys serves every page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from functions.operator.aws import Aws
from functions.operator.inbox import reply_subjects
from functions.operator.records import Submissions
from functions.operator.resources import Resources
from functions.operator.store import AuditedStore
from functions.staff.settings import Settings


@dataclass(frozen=True)
class Runtime:
    submissions: Submissions
    cognito: Any
    reply_subjects: dict[str, str]


@functools.cache
def current() -> Runtime:
    """The runtime of this Lambda instance, built on first use."""
    return _build()


def reset() -> None:
    """Forget the runtime, so the next request reads the environment again."""
    current.cache_clear()


def _build() -> Runtime:
    settings = Settings()
    resources = Resources(
        submissions_table=settings.submissions_table,
        audit_table=settings.audit_table,
        data_key_arn=settings.data_key_arn,
        email_hash_key_arn=settings.email_hash_key_arn,
        retention_days=settings.retention_days,
    )
    # The operator's own clients and store: one implementation of every action, two doors.
    aws = Aws()
    return Runtime(
        submissions=Submissions(aws, resources, AuditedStore(aws, resources)),
        cognito=aws.client("cognito-idp"),
        reply_subjects=reply_subjects(settings.content_dir),
    )

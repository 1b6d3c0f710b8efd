"""What a warm function keeps between requests: settings, content, AWS clients, the limiter.

Built on the first request, not at import, so importing the handler stays cheap and a test
can point the function at a fresh environment with `reset()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.backends import default_backend

from functions.contact import telemetry
from functions.contact.content import FormContent
from functions.contact.limiter import SlidingWindowLimiter
from functions.contact.settings import EdgeSettings, Settings
from functions.contact.startup import long_lived_objects
from functions.contact.submissions import SubmissionDesk


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    content: FormContent
    desk: SubmissionDesk
    limiter: SlidingWindowLimiter


_current: Runtime | None = None
_edge: EdgeSettings | None = None


def current() -> Runtime:
    """The runtime of this Lambda instance, built on first use."""
    global _current
    if _current is None:
        with long_lived_objects(freeze=False):
            _current = _build()
    return _current


def edge() -> EdgeSettings:
    """The CDN's settings, read once: every route checks them, even without the runtime."""
    global _edge
    if _edge is None:
        _edge = EdgeSettings()
    return _edge


def warm_up() -> None:
    """Build what a submission's first request would, calling no AWS service.

    The settings, content, AWS clients and the data masker with its key provider (the runtime),
    the validators' data (a rehearsal), and the OpenSSL backend the Encryption SDK's data-key
    cache hashes with on its first use. What stays for the first submission is AWS's own work:
    its calls, and the data key of the first cache window.
    """
    current().desk.rehearse()
    default_backend()


def reset() -> None:
    """Forget the runtime, so the next request reads the environment again."""
    global _current, _edge
    _current = None
    _edge = None


def _build() -> Runtime:
    import boto3
    from botocore.config import Config

    from functions import personal_data
    from functions.contact.content import load_form_content
    from functions.contact.store import SubmissionWriter

    settings = Settings()
    telemetry.configure(settings.powertools_service_name, settings.powertools_metrics_namespace)
    # A visitor waits for the answer: fail fast into a 503 they can retry, well inside the
    # function's 10-second timeout, rather than retrying for long.
    config = Config(
        connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"}
    )
    content = load_form_content(settings.content_dir)
    # The first submission needs the data masker anyway; building it now lets the function's
    # own clients share its botocore session, so the cold start loads botocore's data once.
    session = boto3.Session(botocore_session=personal_data.aws_session(settings.data_key_arn))
    desk = SubmissionDesk(
        content=content,
        store=SubmissionWriter(
            session.client("dynamodb", config=config), settings.submissions_table
        ),
        kms_client=session.client("kms", config=config),
        data_key_arn=settings.data_key_arn,
        email_hash_key_arn=settings.email_hash_key_arn,
    )
    return Runtime(
        settings=settings,
        content=content,
        desk=desk,
        limiter=SlidingWindowLimiter(settings.rate_limit_per_minute),
    )

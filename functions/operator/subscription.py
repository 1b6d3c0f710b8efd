"""`confirm-subscription URL`: confirm the notifications so that only AWS users can end them.

The mail AWS sends to confirm an email subscription holds a link; clicking it confirms the
subscription, and then every notification carries an unsubscribe link that anyone who opens it
follows: a colleague, a forwarded mail, a mail scanner that opens links. The notifications and
the alarms then stop without a word. Confirmed through the API with `AuthenticateOnUnsubscribe`
instead, the subscription can be ended only by a signed request from the account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from functions.operator.aws import Aws, aws_failures
from functions.operator.errors import UsageError

# sns.<region>.amazonaws.com, and the China regions' domain.
SNS_HOST = re.compile(r"sns\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?")


@dataclass(frozen=True)
class Confirmation:
    """What the link in AWS's confirmation mail names."""

    region: str
    topic_arn: str
    token: str


def read_confirmation_link(url: str) -> Confirmation:
    """The topic and token of a confirmation link; `UsageError` when it is not one."""
    parts = urlsplit(url.strip())
    host = SNS_HOST.fullmatch(parts.hostname or "")
    query = parse_qs(parts.query)
    # The mail's link opens `/confirmation.html?TopicArn=...&Token=...&Endpoint=...`; the
    # API's own form is `/?Action=ConfirmSubscription&TopicArn=...&Token=...`.
    action = query.get("Action", ["ConfirmSubscription"])[0]
    topic_arn = query.get("TopicArn", [""])[0]
    token = query.get("Token", [""])[0]
    if parts.scheme != "https" or host is None or action != "ConfirmSubscription":
        raise UsageError(
            "not a confirmation link: copy the whole link of AWS's mail, which starts with "
            "https://sns.<region>.amazonaws.com/"
        )
    if not topic_arn.startswith("arn:aws") or not token:
        raise UsageError("the confirmation link lacks its TopicArn or Token: copy all of it")
    return Confirmation(host.group(1), topic_arn, token)


def confirm_subscription(url: str, endpoint_url: str | None) -> str:
    """Confirm the link's subscription with `AuthenticateOnUnsubscribe`; the lines to print."""
    confirmation = read_confirmation_link(url)
    aws = Aws(region=confirmation.region, endpoint_url=endpoint_url)
    with aws_failures():
        answer = aws.client("sns").confirm_subscription(
            TopicArn=confirmation.topic_arn,
            Token=confirmation.token,
            AuthenticateOnUnsubscribe="true",
        )
    return (
        f"confirmed {answer['SubscriptionArn']}\n"
        "only a signed request from the AWS account can now unsubscribe it: the unsubscribe "
        "link in each notification no longer works"
    )

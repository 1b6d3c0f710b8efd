"""The operator's email on the stack's notification topic: subscribed once, moved on a change.

`operator_email` in `content/site.toml` is the one address the topic mails (new submissions and
alarms). The deploy subscribes it when the topic has not got it yet, and says that AWS mailed a
confirmation link that must be clicked; it never subscribes the same address twice; and when
the address in `site.toml` changes, it unsubscribes the old one. AWS allows no one to remove a
subscription still waiting for its confirmation: it deletes it by itself after 48 hours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.deploy.aws import Aws

EMAIL = "email"
# What SNS lists instead of an ARN for a subscription not yet confirmed.
PENDING = "PendingConfirmation"
# Each stack names its topic in this output.
TOPIC_OUTPUT = "NotificationTopicArn"
# The operator CLI's command that confirms with AuthenticateOnUnsubscribe.
CONFIRM_COMMAND = "estimation-operator confirm-subscription"


def email_subscriptions(sns: Any, topic_arn: str) -> list[dict[str, str]]:
    """The topic's email subscriptions (endpoint, ARN or `PendingConfirmation`)."""
    found = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        found += [s for s in page["Subscriptions"] if s["Protocol"] == EMAIL]
    return found


def _same_address(one: str, other: str) -> bool:
    # Mail providers treat an address's case as the same mailbox; so does this check.
    return one.strip().lower() == other.strip().lower()


def plan_subscription(sns: Any, topic_arn: str | None, email: str) -> list[str]:
    """What `subscribe_operator` would do, in the words of the dry run."""
    current = email_subscriptions(sns, topic_arn) if topic_arn else []
    lines = []
    if not any(_same_address(s["Endpoint"], email) for s in current):
        lines.append(f"would subscribe {email} (AWS then mails it a confirmation link)")
    else:
        lines.append(f"{email} is subscribed already")
    lines += [
        f"would unsubscribe {s['Endpoint']}"
        for s in current
        if not _same_address(s["Endpoint"], email)
    ]
    return lines


def _confirm_with(email: str) -> str:
    return (
        f"AWS has mailed {email} a confirmation link: do not click it, copy it and run "
        f"`{CONFIRM_COMMAND} 'LINK'`, which confirms so that only the AWS account can "
        "unsubscribe (after a click, anyone who opens a notification's unsubscribe link, a "
        "mail scanner too, silently ends the notifications and the alarms)"
    )


def subscribe_operator(
    aws: Aws, topic_arn: str, email: str, say: Callable[[str], None], stack_is_new: bool = True
) -> None:
    """Make `email` the one address the topic mails; say what was done and what is left to do.

    On a stack deployed before, a topic without any email subscription lost the operator's:
    someone unsubscribed it, or nobody confirmed it in time. That is said, and it is subscribed
    again.
    """
    sns = aws.client("sns")
    email = email.strip()
    current = email_subscriptions(sns, topic_arn)
    same = [s for s in current if _same_address(s["Endpoint"], email)]
    if not same:
        if not (stack_is_new or current):
            say(
                f"{email} is no longer subscribed to the notifications (someone followed the "
                "unsubscribe link of a notification, or the subscription was never confirmed): "
                "no notification or alarm reached it since; subscribing it again"
            )
        sns.subscribe(
            TopicArn=topic_arn, Protocol=EMAIL, Endpoint=email, ReturnSubscriptionArn=True
        )
        say(f"subscribed {email} to the notifications: {_confirm_with(email)}")
    elif all(s["SubscriptionArn"] == PENDING for s in same):
        say(
            f"{email} has not confirmed its subscription yet: {_confirm_with(email)}; AWS drops "
            "an unconfirmed one after 48 hours, and a deploy after that subscribes again"
        )
    else:
        say(f"{email} gets the notifications (subscribed and confirmed)")
    for old in current:
        if _same_address(old["Endpoint"], email):
            continue
        if old["SubscriptionArn"] == PENDING:
            say(
                f"{old['Endpoint']} never confirmed its subscription and cannot be removed; "
                "AWS drops it within 48 hours"
            )
        else:
            sns.unsubscribe(SubscriptionArn=old["SubscriptionArn"])
            say(f"unsubscribed {old['Endpoint']}: operator_email is now {email}")

"""The deploy's subscription of `operator_email` to the stack's topic, against a moto server.

moto confirms every email subscription at once; AWS waits for the click, which the tests that
need a pending one stand in for with botocore's Stubber.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from infra.deploy.aws import Aws
from infra.deploy.subscription import email_subscriptions, plan_subscription, subscribe_operator
from tests.support.stack import REGION, stack_on_moto_server

TOPIC = "arn:aws:sns:eu-central-1:123456789012:site-NotificationTopic-1"


@pytest.fixture(scope="module")
def moto() -> Iterator[tuple[str, dict[str, str]]]:
    with stack_on_moto_server("subscription") as (endpoint, outputs):
        yield endpoint, outputs


@pytest.fixture
def topic(moto: tuple[str, dict[str, str]]) -> Iterator[tuple[Aws, str]]:
    """The stack's topic with no email subscribed, and the deploy's clients for it."""
    endpoint, outputs = moto
    aws = Aws(REGION, endpoint)
    topic_arn = outputs["NotificationTopicArn"]
    yield aws, topic_arn
    sns = aws.client("sns")
    for subscription in email_subscriptions(sns, topic_arn):
        sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])


def endpoints(aws: Aws, topic_arn: str) -> list[str]:
    return sorted(s["Endpoint"] for s in email_subscriptions(aws.client("sns"), topic_arn))


def test_subscription_first_deploy_subscribes_and_says_to_click_the_link(topic) -> None:
    aws, topic_arn = topic
    said: list[str] = []

    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", said.append)

    assert endpoints(aws, topic_arn) == ["palata2020@bk.ru"]
    assert said == [
        "subscribed palata2020@bk.ru to the notifications: AWS has mailed palata2020@bk.ru a "
        "confirmation link, which must be clicked before any notification arrives"
    ]


def test_subscription_same_address_again_is_never_subscribed_twice(topic) -> None:
    aws, topic_arn = topic
    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", lambda _: None)
    said: list[str] = []

    subscribe_operator(aws, topic_arn, " Palata2020@BK.ru ", said.append)

    assert endpoints(aws, topic_arn) == ["palata2020@bk.ru"]
    assert said == ["Palata2020@BK.ru gets the notifications (subscribed and confirmed)"]


def test_subscription_moves_when_the_address_changes(topic) -> None:
    aws, topic_arn = topic
    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", lambda _: None)
    said: list[str] = []

    subscribe_operator(aws, topic_arn, "office@estimation.kz", said.append)

    assert endpoints(aws, topic_arn) == ["office@estimation.kz"]
    assert said[0].startswith("subscribed office@estimation.kz to the notifications: AWS has")
    assert said[1] == "unsubscribed palata2020@bk.ru: operator_email is now office@estimation.kz"


def test_subscription_dry_run_plans_without_changing(topic) -> None:
    aws, topic_arn = topic
    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", lambda _: None)

    plan = plan_subscription(aws.client("sns"), topic_arn, "office@estimation.kz")

    assert plan == [
        "would subscribe office@estimation.kz (AWS then mails it a confirmation link)",
        "would unsubscribe palata2020@bk.ru",
    ]
    assert endpoints(aws, topic_arn) == ["palata2020@bk.ru"]


def _stubbed(subscriptions: list[dict[str, str]]) -> tuple[Aws, Stubber]:
    aws = Aws(REGION, "http://127.0.0.1:9")  # never reached: the stubber answers
    stubber = Stubber(aws.client("sns"))
    stubber.add_response(
        "list_subscriptions_by_topic",
        {"Subscriptions": [{"TopicArn": TOPIC, "Protocol": "email", **s} for s in subscriptions]},
        {"TopicArn": TOPIC},
    )
    return aws, stubber


def test_subscription_waiting_for_its_click_is_not_subscribed_again() -> None:
    aws, stubber = _stubbed(
        [{"Endpoint": "palata2020@bk.ru", "SubscriptionArn": "PendingConfirmation"}]
    )
    said: list[str] = []

    with stubber:
        subscribe_operator(aws, TOPIC, "palata2020@bk.ru", said.append)

    stubber.assert_no_pending_responses()  # no Subscribe call was made
    assert said[0].startswith("palata2020@bk.ru has not confirmed its subscription yet: click")


def test_subscription_of_an_old_address_never_confirmed_is_left_to_expire() -> None:
    aws, stubber = _stubbed(
        [{"Endpoint": "old@estimation.kz", "SubscriptionArn": "PendingConfirmation"}]
    )
    stubber.add_response(
        "subscribe",
        {"SubscriptionArn": f"{TOPIC}:1"},
        {
            "TopicArn": TOPIC,
            "Protocol": "email",
            "Endpoint": "palata2020@bk.ru",
            "ReturnSubscriptionArn": True,
        },
    )
    said: list[str] = []

    with stubber:
        subscribe_operator(aws, TOPIC, "palata2020@bk.ru", said.append)

    stubber.assert_no_pending_responses()  # and no Unsubscribe, which AWS would refuse
    assert said[1] == (
        "old@estimation.kz never confirmed its subscription and cannot be removed; "
        "AWS drops it within 48 hours"
    )

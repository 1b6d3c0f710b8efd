"""The deploy's subscription of `operator_email` to the stack's topic, against a moto server.

moto confirms every email subscription at once; AWS waits for the click, which the tests that
need a pending one stand in for with botocore's Stubber.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import botocore.client
import pytest
from botocore.stub import Stubber

from functions.operator.cli import main
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
    (line,) = said
    assert line.startswith("subscribed palata2020@bk.ru to the notifications: AWS has mailed")
    # The deploy points to the command that confirms without the unsafe click.
    assert "do not click it" in line
    assert "`estimation-operator confirm-subscription 'LINK'`" in line


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
    assert said[0].startswith("palata2020@bk.ru has not confirmed its subscription yet: AWS")
    assert "estimation-operator confirm-subscription" in said[0]


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


def test_subscription_says_when_the_operator_is_no_longer_subscribed(topic) -> None:
    # Given a stack deployed before, whose operator followed a notification's unsubscribe link,
    aws, topic_arn = topic
    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", lambda _: None)
    sns = aws.client("sns")
    (subscription,) = email_subscriptions(sns, topic_arn)
    sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    said: list[str] = []

    # when the next deploy runs,
    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", said.append, stack_is_new=False)

    # then it says so, and subscribes the address again.
    assert said[0].startswith("palata2020@bk.ru is no longer subscribed to the notifications")
    assert said[1].startswith("subscribed palata2020@bk.ru to the notifications")
    assert endpoints(aws, topic_arn) == ["palata2020@bk.ru"]


def test_subscription_on_a_new_stack_is_not_called_lost(topic) -> None:
    aws, topic_arn = topic
    said: list[str] = []

    subscribe_operator(aws, topic_arn, "palata2020@bk.ru", said.append, stack_is_new=True)

    assert not [line for line in said if "no longer subscribed" in line]


# The operator confirms with AuthenticateOnUnsubscribe -------------------------------------------


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """Every AWS call the code under test makes, with its parameters."""
    calls: list[tuple[str, dict]] = []
    make_api_call = botocore.client.BaseClient._make_api_call

    def recording(self: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        calls.append((operation, params))
        return make_api_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


@pytest.mark.parametrize("form", ["confirmation.html?", "?Action=ConfirmSubscription&"])
def test_confirm_subscription_confirms_so_that_only_the_account_can_unsubscribe(
    moto, topic, sent, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    endpoint, _ = moto
    aws, topic_arn = topic
    aws.client("sns").subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="palata2020@bk.ru")
    # The link of AWS's confirmation mail, as the operator copies it.
    link = (
        f"https://sns.{REGION}.amazonaws.com/{form}TopicArn={quote(topic_arn)}"
        "&Token=2336412f37fb687f5d51e6e2425a8a58&Endpoint=palata2020%40bk.ru"
    )

    code = main(["--endpoint-url", endpoint, "confirm-subscription", link])

    assert code == 0, capsys.readouterr().err
    assert f"confirmed {topic_arn}:" in capsys.readouterr().out
    (params,) = [params for operation, params in sent if operation == "ConfirmSubscription"]
    assert params == {
        "TopicArn": topic_arn,
        "Token": "2336412f37fb687f5d51e6e2425a8a58",
        "AuthenticateOnUnsubscribe": "true",
    }


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/confirmation.html?TopicArn=arn:aws:sns:x&Token=t",
        f"http://sns.{REGION}.amazonaws.com/confirmation.html?TopicArn=arn:aws:sns:x&Token=t",
        f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&TopicArn=arn:aws:sns:x&Token=t",
        f"https://sns.{REGION}.amazonaws.com/confirmation.html?TopicArn=arn:aws:sns:x",
    ],
)
def test_confirm_subscription_refuses_what_is_not_a_confirmation_link(
    link: str, sent, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--endpoint-url", "http://127.0.0.1:9", "confirm-subscription", link])

    assert code == 2
    assert "confirmation link" in capsys.readouterr().err
    assert sent == []

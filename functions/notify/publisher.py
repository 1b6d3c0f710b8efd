"""The one place the notifier talks to SNS: publish a notification to the operator's topic."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.notify.message import Notification


class PublishFailed(RuntimeError):
    """SNS did not take the message; Lambda retries the batch, then reports it as failed."""


class TopicPublisher:
    """Publishes notifications to one topic."""

    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn

    def publish(self, notification: Notification) -> str:
        """Send one message; return its SNS message id or raise `PublishFailed`."""
        try:
            answer = self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=notification.subject,
                Message=notification.text,
            )
        except ClientError as exc:
            raise PublishFailed(exc.response.get("Error", {}).get("Code", "error")) from exc
        except BotoCoreError as exc:
            raise PublishFailed(type(exc).__name__) from exc
        return answer["MessageId"]

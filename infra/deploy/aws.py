"""AWS clients for one deploy: one region, and every call to `--endpoint-url` when given."""

from __future__ import annotations

import boto3

from functions.aws_clients import AwsClients
from infra.deploy.errors import DeployError


class Aws(AwsClients):
    """The deploy's clients, in a region known before anything is built or uploaded."""

    def __init__(self, region: str | None = None, endpoint_url: str | None = None) -> None:
        super().__init__(region or boto3.session.Session().region_name, endpoint_url)
        if not self.region:
            raise DeployError("no AWS region: give --region or set AWS_REGION")

    def account_id(self) -> str:
        """The account the credentials belong to."""
        return self.client("sts").get_caller_identity()["Account"]

"""AWS clients for one deploy: one region, and every call to `--endpoint-url` when given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from infra.deploy.errors import DeployError


@dataclass
class Aws:
    """Clients for the deploy's region, created once each."""

    region: str | None = None
    endpoint_url: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._session = boto3.session.Session(region_name=self.region)
        self.region = self._session.region_name
        if not self.region:
            raise DeployError("no AWS region: give --region or set AWS_REGION")

    def client(self, service: str) -> Any:
        """The client for `service`, pointed at the endpoint when one was given."""
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url
            )
        return self._clients[service]

    def account_id(self) -> str:
        """The account the credentials belong to."""
        return self.client("sts").get_caller_identity()["Account"]

"""AWS clients for the commands people run: the operator CLI, the deploy and the preview.

A command takes its region and endpoint from its options and makes each client once. The
Lambda functions make theirs differently (`functions/contact/runtime.py`: the data masker's
botocore session, short timeouts), and never import this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3


class AwsClients:
    """Clients for one run of a command, all in one region and sent to one endpoint."""

    def __init__(self, region: str | None = None, endpoint_url: str | None = None) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """One client per service, created on first use."""
        if service not in self._clients:
            # boto3's default session, so its loaded service models serve every client; a
            # session of our own would parse them again on each run.
            self._clients[service] = boto3.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url
            )
        return self._clients[service]


def stack_outputs(description: Mapping[str, Any] | None) -> dict[str, str]:
    """The outputs of a stack as `DescribeStacks` describes it, by output key."""
    outputs = (description or {}).get("Outputs", [])
    return {output["OutputKey"]: output["OutputValue"] for output in outputs}

"""Create the project's AWS resources in moto from `infra/template.yaml` itself.

Tests never declare tables or keys by hand: they deploy the real template, so the template and
the code cannot drift.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from preview.local_aws import LOCAL_REGION as REGION
from preview.local_aws import create_local_stack, start_moto_server
from tests.support.aws_env import use_fake_aws_credentials


@dataclass(frozen=True)
class Stack:
    name: str
    outputs: dict[str, str]

    @property
    def environment(self) -> dict[str, str]:
        """The function's environment exactly as the template sets it."""
        functions = boto3.client("lambda", region_name=REGION)
        name = self.outputs["ContactFunctionName"]
        return functions.get_function_configuration(FunctionName=name)["Environment"]["Variables"]


def deploy_stack(
    name: str = "estimation-test", site_origin: str = "https://estimation.kz"
) -> Stack:
    """Deploy the template into the active moto backend (`mock_aws`) and return its outputs."""
    return Stack(name=name, outputs=create_local_stack(name, site_origin))


@contextlib.contextmanager
def stack_on_moto_server(
    name: str, site_origin: str = "https://estimation.kz"
) -> Iterator[tuple[str, dict[str, str]]]:
    """A moto server on a free loopback port holding the template's stack: (endpoint, outputs).

    For code that runs in another process, as the function's package or an installed command.
    """
    with pytest.MonkeyPatch.context() as patch:
        use_fake_aws_credentials(patch)
        server = start_moto_server("127.0.0.1", 0)
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            yield endpoint, create_local_stack(name, site_origin, endpoint_url=endpoint)
        finally:
            server.stop()


def function_environment(endpoint: str, outputs: dict[str, str]) -> dict[str, str]:
    """The function's environment as the template sets it, pointed at the moto server."""
    functions = boto3.client("lambda", endpoint_url=endpoint, region_name=REGION)
    configuration = functions.get_function_configuration(
        FunctionName=outputs["ContactFunctionName"]
    )
    return {**configuration["Environment"]["Variables"], "AWS_ENDPOINT_URL": endpoint}

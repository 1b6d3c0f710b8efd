"""Create the project's AWS resources in moto from `infra/template.yaml` itself.

Tests never declare tables or keys by hand: they deploy the real template, so the template and
the code cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import boto3

from infra.local_aws import LOCAL_REGION as REGION
from infra.local_aws import create_local_stack


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

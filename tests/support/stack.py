"""Create the project's AWS resources in moto from `infra/template.yaml` itself.

Tests never declare tables or keys by hand: they deploy the real template, so the template and
the code cannot drift.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml

from infra import moto_compat

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
REGION = "eu-central-1"


def template_for_moto(path: Path = TEMPLATE) -> str:
    """The template as JSON, with each KMS key policy handed over as a JSON string.

    moto keeps a key policy written as an object as a dict and its KMS calls on that key then
    fail; real CloudFormation accepts either form.
    """
    template = json.loads(json.dumps(load_cfn_yaml(path.read_text(encoding="utf-8"))))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::KMS::Key" and isinstance(
            resource["Properties"].get("KeyPolicy"), dict
        ):
            resource["Properties"]["KeyPolicy"] = json.dumps(resource["Properties"]["KeyPolicy"])
    return json.dumps(template)


def _placeholder_function_zip() -> bytes:
    # moto's Lambda insists on a zip in S3; the tests call the handler in-process instead.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("functions/__init__.py", "")
    return buffer.getvalue()


@dataclass(frozen=True)
class Stack:
    name: str
    outputs: dict[str, str]

    @property
    def environment(self) -> dict[str, str]:
        """The function's environment exactly as the template sets it."""
        functions = boto3.client("lambda", region_name=REGION)
        config = functions.get_function_configuration(
            FunctionName=self.outputs["ContactFunctionName"]
        )
        return config["Environment"]["Variables"]


def deploy_stack(
    name: str = "estimation-test", site_origin: str = "https://estimation.kz"
) -> Stack:
    """Deploy the template into the active moto backend and return its outputs."""
    moto_compat.apply()
    s3 = boto3.client("s3", region_name=REGION)
    bucket = f"{name}-artifacts"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key="function.zip", Body=_placeholder_function_zip())
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=template_for_moto(),
        Parameters=[
            {"ParameterKey": "SiteOrigin", "ParameterValue": site_origin},
            {"ParameterKey": "FunctionCodeBucket", "ParameterValue": bucket},
            {"ParameterKey": "FunctionCodeKey", "ParameterValue": "function.zip"},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    described = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return Stack(name=name, outputs=outputs)

"""A local stand-in for AWS: moto, with the project's stack created from `infra/template.yaml`.

Used by the tests (in-process `mock_aws`) and by the local preview (a moto server on loopback).
moto comes with the development dependencies; nothing here runs in Lambda.
"""

from __future__ import annotations

import io
import json
import socket
import zipfile
from pathlib import Path
from typing import Any

import boto3
from cfnlint.decode.cfn_yaml import loads as load_cfn_yaml

from infra import moto_compat

TEMPLATE = Path(__file__).resolve().parent / "template.yaml"
LOCAL_REGION = "eu-central-1"
PLACEHOLDER_CODE_KEY = "function-placeholder.zip"


class PortInUseError(RuntimeError):
    """The port asked for is taken by another program."""


def template_for_moto(path: Path = TEMPLATE) -> str:
    """The template as JSON, with each KMS key policy handed over as a JSON string.

    moto keeps a key policy written as an object as a dict and its KMS calls on that key then
    fail; real CloudFormation accepts either form.
    """
    template = json.loads(json.dumps(load_cfn_yaml(path.read_text(encoding="utf-8"))))
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Key" and isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return json.dumps(template)


def _placeholder_function_zip() -> bytes:
    # moto's Lambda insists on a zip in S3; locally the handler runs in-process instead.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("functions/__init__.py", "")
    return buffer.getvalue()


def create_local_stack(
    name: str,
    site_origin: str,
    endpoint_url: str | None = None,
    region: str = LOCAL_REGION,
) -> dict[str, str]:
    """Create the stack in moto (in-process, or the server at `endpoint_url`); return outputs."""
    moto_compat.apply()
    clients: dict[str, Any] = {
        service: boto3.client(service, region_name=region, endpoint_url=endpoint_url)
        for service in ("s3", "cloudformation")
    }
    bucket = f"{name}-local-artifacts".lower()
    clients["s3"].create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
    )
    clients["s3"].put_object(
        Bucket=bucket, Key=PLACEHOLDER_CODE_KEY, Body=_placeholder_function_zip()
    )
    clients["cloudformation"].create_stack(
        StackName=name,
        TemplateBody=template_for_moto(),
        Parameters=[
            {"ParameterKey": "SiteOrigin", "ParameterValue": site_origin},
            {"ParameterKey": "FunctionCodeBucket", "ParameterValue": bucket},
            {"ParameterKey": "FunctionCodeKey", "ParameterValue": PLACEHOLDER_CODE_KEY},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = clients["cloudformation"].describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def ensure_port_free(host: str, port: int) -> None:
    """Raise `PortInUseError` naming the port when something already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"port {port} on {host} is in use: {exc.strerror}") from exc


def start_moto_server(host: str = "127.0.0.1", port: int = 5000):
    """Start a moto server on loopback in a thread, with the project's moto fixes applied."""
    from moto.server import ThreadedMotoServer

    ensure_port_free(host, port)
    moto_compat.apply()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server

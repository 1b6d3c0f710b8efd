"""A local stand-in for AWS: moto, with the project's stack created from `infra/template.yaml`.

Used by the tests (in-process `mock_aws`), by the local preview (a moto server on loopback),
and by `build.py deploy --endpoint-url` (`moto_template`). moto comes with the development
dependencies; nothing here runs in Lambda, and the deploy itself never imports it.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import socket
import threading
import zipfile
from typing import Any

import boto3

from functions.aws_clients import stack_outputs
from infra.cloudformation import load_template
from preview import moto_compat
from preview.aws_guard import LocalCallersOnly
from preview.lambda_events import LOCAL_REGION

PLACEHOLDER_CODE_KEY = "function-placeholder.zip"
# Resources moto would create but run wrongly: given a stream's event source mapping, moto runs
# the (placeholder) function in Docker on every write and then empties the stream. The preview
# runs the mapping itself instead (`preview.stream_mapping`).
RUN_BY_THE_PREVIEW = frozenset({"AWS::Lambda::EventSourceMapping"})
# moto's server otherwise lets every web page read its answers (flask-cors for all origins).
DISABLE_CORS_VARIABLE = "MOTO_DISABLE_GLOBAL_CORS"


class PortInUseError(RuntimeError):
    """The port asked for is taken by another program."""


def moto_template(template: dict[str, Any]) -> dict[str, Any]:
    """The template as moto's CloudFormation can create it; `template` is left as it was.

    Without the resources moto lacks (and whatever names them), and with each KMS key policy
    handed over as a JSON string: moto keeps a key policy written as an object as a dict, and
    its KMS calls on that key then fail. Real CloudFormation accepts either form.
    """
    template = _without_unsupported(copy.deepcopy(template))
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Key" and isinstance(properties.get("KeyPolicy"), dict):
            properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    return template


def _references(node: Any) -> set[str]:
    """Logical ids a template fragment names through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
            found |= _references(value)
    return found


def _without_unsupported(template: dict[str, Any]) -> dict[str, Any]:
    """Drop the resources moto's CloudFormation cannot create, and whatever names them.

    moto skips such resources (CloudFront, API Gateway v2, bucket policies, alarms) with a
    warning but then fails on any output or resource that refers to them; real CloudFormation
    creates all. The stream's event source mapping goes too (`RUN_BY_THE_PREVIEW`).
    """
    supported = moto_compat.supported_resource_types() - RUN_BY_THE_PREVIEW
    resources = template["Resources"]
    dropped = {name for name, r in resources.items() if r["Type"] not in supported}
    while True:
        more = {
            name
            for name, resource in resources.items()
            if name not in dropped and _references(resource) & dropped
        }
        if not more:
            break
        dropped |= more
    template["Resources"] = {k: v for k, v in resources.items() if k not in dropped}
    template["Outputs"] = {
        k: v for k, v in template.get("Outputs", {}).items() if not _references(v) & dropped
    }
    return template


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
    origin_secret: str = "",
) -> dict[str, str]:
    """Create the stack in moto (in-process, or the server at `endpoint_url`); return outputs.

    `origin_secret` is what the CDN adds to API requests; empty, as in the tests that call the
    function directly, nothing claims to come through a CDN.
    """
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
        TemplateBody=json.dumps(moto_template(load_template())),
        Parameters=[
            {"ParameterKey": "SiteOrigin", "ParameterValue": site_origin},
            {"ParameterKey": "FunctionCodeBucket", "ParameterValue": bucket},
            {"ParameterKey": "FunctionCodeKey", "ParameterValue": PLACEHOLDER_CODE_KEY},
            {"ParameterKey": "OriginSecret", "ParameterValue": origin_secret},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    return stack_outputs(clients["cloudformation"].describe_stacks(StackName=name)["Stacks"][0])


def ensure_port_free(host: str, port: int) -> None:
    """Raise `PortInUseError` naming the port when something already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers themselves bind: connections of a preview stopped a moment ago
        # (TIME_WAIT) do not hold the port, a program listening on it does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"port {port} on {host} is in use: {exc.strerror}") from exc


class LocalMotoServer:
    """moto's server application behind `LocalCallersOnly`, served by werkzeug on a thread.

    What `moto.server.ThreadedMotoServer` does, with the guard in front of the application.
    """

    def __init__(self, host: str, port: int) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self._guard = LocalCallersOnly(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            host, port, self._guard, threaded=True, request_handler=MotoRequestHandler
        )
        self._guard.listen_on(self._server.server_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="moto-server", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), port

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


def start_moto_server(host: str = "127.0.0.1", port: int = 5000) -> LocalMotoServer:
    """Start a moto server on loopback in a thread, with the project's moto fixes applied.

    Only programs on this machine get in (`preview.aws_guard`); web pages do not.
    """
    # Read by moto when first imported: no flask-cors in front of its services.
    os.environ[DISABLE_CORS_VARIABLE] = "true"
    ensure_port_free(host, port)
    moto_compat.apply()
    server = LocalMotoServer(host, port)
    server.start()
    return server

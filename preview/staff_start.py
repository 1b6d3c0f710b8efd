"""The preview's staff, once the local AWS is ready: the pool, one member, the gateway.

Creates the template's user pool and client in moto (`preview.staff_pool`), adds the site's
operator as a member of staff with a temporary password through the operator's own `staff add`
action, and readies the staff function behind the JWT check (`preview.staff_gateway`).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

import boto3

from functions.operator import staff
from functions.operator.audit import AuditTrail
from functions.operator.aws import Aws
from functions.operator.resources import Resources
from functions.operator.store import AuditedStore
from infra.staff import invitation
from preview.aws_process import LocalAws
from preview.jwt_authorizer import JwtAuthorizer
from preview.lambda_events import LOCAL_REGION
from preview.staff_gateway import STAFF_HANDLER, StaffGateway
from preview.staff_pool import create_staff_pool, temporary_password
from sitecontent.site import load_site

STACK_NAME = "preview"
# Who adds the preview's member of staff, as the audit trail names them.
PREVIEW_ACTOR = "preview"


@dataclass(frozen=True)
class StaffStart:
    gateway: StaffGateway
    email: str
    password: str

    def sign_in_line(self, site_url: str) -> str:
        return (
            f"Staff sign-in: {site_url}admin/ as {self.email}, temporary password {self.password}"
        )


def jwks_url(endpoint_url: str, user_pool_id: str) -> str:
    """Where moto's server publishes a pool's signing keys."""
    return f"{endpoint_url.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"


def start_staff(aws: LocalAws, content_dir: Path, site_url: str) -> StaffStart:
    """Create the pool and a member of staff; return the gateway and the sign-in."""
    cognito = boto3.client("cognito-idp", endpoint_url=aws.endpoint_url, region_name=LOCAL_REGION)
    words = invitation(content_dir, f"{site_url}admin/")
    pool = create_staff_pool(cognito, STACK_NAME, LOCAL_REGION, words)
    outputs = aws.outputs
    resources = Resources(
        submissions_table=outputs["SubmissionsTableName"],
        audit_table=outputs["AuditTableName"],
        data_key_arn=outputs["DataKeyArn"],
        email_hash_key_arn=outputs["EmailHashKeyArn"],
    )
    store = AuditedStore(Aws(LOCAL_REGION, aws.endpoint_url), resources)
    password = temporary_password()
    email = staff.add(
        cognito,
        pool.user_pool_id,
        store,
        AuditTrail(PREVIEW_ACTOR),
        load_site(content_dir).operator_email,
        temporary_password=password,
    )
    # The staff function's environment beyond the form's, as the template sets it.
    os.environ["AUDIT_TABLE"] = outputs["AuditTableName"]
    module_name, _, attribute = STAFF_HANDLER.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    gateway = StaffGateway(
        pool=pool,
        authorizer=JwtAuthorizer(pool, jwks_url(aws.endpoint_url, pool.user_pool_id)),
        handler=handler,
        aws_endpoint=aws.endpoint_url,
        function_name=outputs.get("StaffFunctionName", "staff"),
    )
    return StaffStart(gateway, email, password)

"""The staff's Cognito user pool and app client, created in moto from the template's properties.

moto's CloudFormation does not create Cognito resources, so the preview (and the tests) create
them with Cognito's own API, from the very properties `infra/template.yaml` gives
`StaffUserPool` and `StaffUserPoolClient`: no second copy of the pool's settings to drift.
The invitation's words come from the site's default language, as the deploy fills them in.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from typing import Any

from infra.cloudformation import load_template

POOL = "StaffUserPool"
CLIENT = "StaffUserPoolClient"
# Properties of the template's pool that CreateUserPool takes under another name, or not at
# all (the MFA methods are set with SetUserPoolMfaConfig).
POOL_NAME = "UserPoolName"
ENABLED_MFAS = "EnabledMfas"
# moto checks TOTP codes only with this set (in the moto server's environment), against one
# fixed secret that AssociateSoftwareToken returns.
TOTP_VARIABLE = "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"
# What a temporary password is drawn from: Cognito's policy asks 12 characters at least.
PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 16


@dataclass(frozen=True)
class StaffPool:
    """The pool, its app client, and the issuer its tokens name."""

    region: str
    user_pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _resolved(node: Any, parameters: dict[str, str], stack: str) -> Any:
    """A template fragment with `Ref`s to parameters and `Fn::Sub`s of the stack's name filled."""
    if isinstance(node, list):
        return [_resolved(item, parameters, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        return parameters[node["Ref"]]
    if set(node) == {"Fn::Sub"}:
        values = {"AWS::StackName": stack, **parameters}
        return re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], node["Fn::Sub"])
    return {key: _resolved(value, parameters, stack) for key, value in node.items()}


def _properties(template: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(template["Resources"][name]["Properties"])


def create_staff_pool(
    cognito: Any,
    stack: str,
    region: str,
    invitation_words: dict[str, str],
    template: dict[str, Any] | None = None,
) -> StaffPool:
    """Create the template's pool and client with Cognito's API (moto's, here)."""
    template = template or load_template()
    pool = _resolved(_properties(template, POOL), invitation_words, stack)
    name = pool.pop(POOL_NAME)
    enabled_mfas = pool.pop(ENABLED_MFAS, [])
    created = cognito.create_user_pool(PoolName=name, **pool)["UserPool"]
    if "SOFTWARE_TOKEN_MFA" in enabled_mfas:
        cognito.set_user_pool_mfa_config(
            UserPoolId=created["Id"],
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=pool["MfaConfiguration"],
        )
    client = _properties(template, CLIENT)
    client.pop("UserPoolId")
    client = {**_resolved(client, invitation_words, stack), "UserPoolId": created["Id"]}
    client_id = cognito.create_user_pool_client(**client)["UserPoolClient"]["ClientId"]
    return StaffPool(region=region, user_pool_id=created["Id"], client_id=client_id)


def temporary_password() -> str:
    """A random temporary password the pool's policy accepts."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))

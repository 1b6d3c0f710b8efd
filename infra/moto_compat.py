"""Make moto's CloudFormation honour a KMS key's `KeySpec` and `KeyUsage`.

moto (5.x) creates every `AWS::KMS::Key` from a template as a symmetric encryption key, so the
template's HMAC key for email look-ups would refuse `GenerateMac`. Real CloudFormation honours
both properties; this patch makes the local stand-in do the same. It is applied by the tests
and the local preview only, never in Lambda.
"""

from __future__ import annotations

from typing import Any

_applied = False


def apply() -> None:
    """Patch moto's KMS key resource once per process."""
    global _applied
    if _applied:
        return
    from moto.kms.models import Key, kms_backends

    def create_from_cloudformation_json(
        cls: type[Key],
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Key:
        properties = cloudformation_json["Properties"]
        key = kms_backends[account_id][region_name].create_key(
            policy=properties["KeyPolicy"],
            key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=properties.get("Description"),
            tags=properties.get("Tags", []),
        )
        key.key_rotation_status = properties.get("EnableKeyRotation", False)
        key.enabled = properties.get("Enabled", True)
        return key

    Key.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    _applied = True

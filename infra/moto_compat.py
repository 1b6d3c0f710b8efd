"""Make moto's CloudFormation honour a KMS key's `KeySpec` and `KeyUsage`.

moto (5.x) creates every `AWS::KMS::Key` from a template as a symmetric encryption key, so the
template's HMAC key for email look-ups would refuse `GenerateMac`. Real CloudFormation honours
both properties; this patch makes the local stand-in do the same. It is applied by the tests
and the local preview only, never in Lambda.

moto also forgets, when it executes a change set, to keep the new template, parameters and
outputs on the stack: a stack created through a change set has no outputs, and the next
identical deploy looks like a change. The second patch keeps them, as CloudFormation does.
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
    _keep_change_set_results()
    _applied = True


def _keep_change_set_results() -> None:
    from moto.cloudformation.models import ChangeSet

    apply_resources = ChangeSet.apply

    def apply_change_set(change_set: ChangeSet) -> None:
        apply_resources(change_set)
        stack = change_set.stack
        stack.template = change_set.template
        stack._parse_template()
        stack.parameters = change_set.parameters
        stack.output_map = stack._create_output_map()

    ChangeSet.apply = apply_change_set

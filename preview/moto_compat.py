"""Where the local stand-in reaches into moto's internals: seven fixes, one saving, one question.

moto (5.2) creates every `AWS::KMS::Key` from a template as a symmetric encryption key, so the
template's HMAC key for email look-ups would refuse `GenerateMac`. Real CloudFormation honours
`KeySpec` and `KeyUsage`; the first fix makes the stand-in do the same.

moto also forgets, when it executes a change set, to keep the new template, parameters and
outputs on the stack: a stack created through a change set has no outputs, and the next
identical deploy looks like a change. The second fix keeps them, as CloudFormation does.

moto's CloudFormation also ignores a table's `TimeToLiveSpecification`: the third fix turns
the time to live on as the template says (moto deletes nothing by it, but `DescribeTimeToLive`
then answers as AWS would).

moto's Cognito hands every user the same TOTP secret, `asdfasdfasdf`: 60 bits, where Cognito's
are 160 and RFC 4226 asks 128 at least. Authenticator apps and pyotp refuse so short a key, so
a first sign-in could not set up its authenticator. The fourth fix gives moto a secret of
Cognito's length (still one fixed secret for everyone, as moto's design has it).

moto's Cognito also gives every access and ID token an hour, whatever the app client's
`AccessTokenValidity` and `IdTokenValidity` say; the staff's client says 15 minutes. The fifth
fix makes moto's tokens expire when the client says, as Cognito's do.

moto's Cognito has no `RevokeToken`: the staff page's sign-out and its closing tab revoke the
refresh token, and moto answered 500. The sixth fix adds it as Cognito has it: the refresh
token ends, and so do the access tokens it gave (matched by their `origin_jti`), while the
same person's other sessions go on.

moto's Cognito takes a TOTP code only in the 30 seconds it belongs to, so a code typed (or
computed by a test) just before a step ends is refused when it arrives just after. RFC 6238
(§5.2) recommends a verifier accept the code of the step before for that delay (Cognito names
clock skew among the reasons it refuses a code, so it allows some); the seventh fix makes
moto's check accept that one step too.

The saving: moto makes a 2048-bit RSA key pair for every KMS key it creates, symmetric and HMAC
keys too, where only signing, verifying and `GetPublicKey` use one. The template has four keys,
so each stack cost half a second of CPU (a preview's start, and every in-process stack of the
tests). moto now makes the pair, with its own code, the first time something uses it.

And moto's CloudFormation skips resource types it has no model for, then fails on whatever
refers to them: `supported_resource_types` says which it has.

None of this is moto's public API. `INTERNALS` fingerprints each piece of moto this module
replaces or calls, as read in moto 5.2.5; `tests/test_preview_moto_compat.py` fails, naming the
piece, when moto changes any of them, and `pyproject.toml` admits moto 5.2 only. Applied by the
tests and the local preview, never in Lambda or by the deploy.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import inspect
import json
import threading
import time
from typing import Any

from preview import botocore_data

# "module:qualified name" of each moto function this module replaces or relies on, and the
# SHA-256 (first 16 hex digits) of its source in the moto version these fixes were written for.
INTERNALS = {
    "moto.kms.models:Key.create_from_cloudformation_json": "e3409ffb6d920c81",
    "moto.kms.models:KmsBackend.create_key": "8fe561c750e1e02d",
    "moto.cloudformation.models:ChangeSet.apply": "1644afa9d35ce893",
    "moto.cloudformation.models:Stack._parse_template": "ad65dbca9b0285f2",
    "moto.cloudformation.models:Stack._create_output_map": "2fbf0e644ecec374",
    "moto.cloudformation.parsing:get_model_map": "fb06726090724d5f",
    "moto.cognitoidp.models:CognitoIdpBackend.associate_software_token": "e2b4bb99a2501701",
    "moto.cognitoidp.models:CognitoIdpBackend.verify_software_token": "e6c262e1768dcd4d",
    "moto.cognitoidp.models:CognitoIdpUserPool.create_jwt": "73889b186eb2fa10",
    # Both call `verify_totp` by its name in `models`, which the seventh fix replaces.
    "moto.cognitoidp.models:CognitoIdpBackend.respond_to_auth_challenge": "f534d52b883f212e",
    "moto.cognitoidp.utils:verify_totp": "9df21e7c99fffbf3",
    "moto.dynamodb.models.table:Table.create_from_cloudformation_json": "2ade84941382510e",
    # RevokeToken reads and ends what these write (and what `sign_out` ends the same way).
    "moto.cognitoidp.models:CognitoIdpUserPool.create_refresh_token": "eb8f94cfc936198b",
    "moto.cognitoidp.models:CognitoIdpUserPool.create_access_token": "46076c3cdad81122",
    "moto.cognitoidp.models:CognitoIdpUserPool.sign_out": "01f51d3922512368",
    # The saving: `Key.__init__` makes the pair by calling `generate_private_key` by its name in
    # `models`, and only signing, verifying and the public key read `private_key`.
    "moto.kms.models:Key.__init__": "39d3eaacb7bac0cf",
    "moto.kms.utils:generate_private_key": "cdf2b67aac1401be",
}
# Cognito's units for token validity, in seconds; an absent unit is Cognito's default, hours.
VALIDITY_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
VALIDITY = {"access": "AccessToken", "id": "IdToken"}
# A TOTP secret as long as Cognito's: 20 bytes, 32 base32 characters (fixed, as moto's is).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_applied = False
# The originals, fingerprinted before they are replaced.
_originals: dict[str, Any] = {}


def _resolve(name: str) -> Any:
    module_name, _, qualified = name.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


def fingerprint(name: str) -> str:
    """The fingerprint of one of `INTERNALS` as this moto has it (before any fix)."""
    target = _originals.get(name) or _resolve(name)
    return hashlib.sha256(inspect.getsource(target).encode("utf-8")).hexdigest()[:16]


def changed_internals() -> list[str]:
    """The `INTERNALS` whose source differs from what these fixes were written against."""
    return [name for name, expected in INTERNALS.items() if fingerprint(name) != expected]


def supported_resource_types() -> set[str]:
    """The resource types moto's CloudFormation creates (or accepts and ignores)."""
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    return set(get_model_map()) | set(NULL_MODELS)


def apply() -> None:
    """Apply the fixes, once per process."""
    global _applied
    if _applied:
        return
    # Before the first import of moto, which makes its sessions as it loads.
    botocore_data.share_one_loader()
    for name in INTERNALS:
        # The source of a function replaced below stays readable for `fingerprint`.
        _originals[name] = _resolve(name)
    _honour_key_spec()
    _keep_change_set_results()
    _honour_time_to_live()
    _longer_totp_secret()
    _token_validity_of_the_client()
    _revoke_token()
    _code_of_the_step_before()
    _key_pair_on_first_use()
    _applied = True


def _honour_key_spec() -> None:
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


def _longer_totp_secret() -> None:
    from moto.cognitoidp import models

    # Read by name, at call time, by the two internals fingerprinted above.
    models.COGNITO_TOTP_MFA_SECRET = TOTP_SECRET


def _code_of_the_step_before() -> None:
    from cryptography.hazmat.primitives.twofactor import InvalidToken
    from moto.cognitoidp import models, utils

    def verify_totp(totp: Any, code: bytes, valid_window: int = 0) -> None:
        try:
            utils.verify_totp(totp, code, valid_window)
        except InvalidToken:
            # Not a wider window both ways (moto's `valid_window`): only the step before.
            totp.verify(code, int(time.time()) - utils.TOTP_TIME_STEP)

    models.verify_totp = verify_totp


def token_seconds(client_config: dict[str, Any], token_use: str) -> int | None:
    """How long the client's tokens of this use live, as Cognito reads its settings."""
    kind = VALIDITY.get(token_use)
    if kind is None or f"{kind}Validity" not in client_config:
        return None
    unit = (client_config.get("TokenValidityUnits") or {}).get(kind, "hours")
    return int(client_config[f"{kind}Validity"]) * VALIDITY_UNITS[unit]


def _token_validity_of_the_client() -> None:
    from moto.cognitoidp.models import CognitoIdpUserPool

    create_jwt = CognitoIdpUserPool.create_jwt

    def create_jwt_for_the_client(
        pool: CognitoIdpUserPool,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 60 * 60,
        extra_data: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        client = pool.clients.get(client_id)
        seconds = token_seconds(client.extended_config, token_use) if client else None
        return create_jwt(pool, client_id, username, token_use, seconds or expires_in, extra_data)

    CognitoIdpUserPool.create_jwt = create_jwt_for_the_client


def _honour_time_to_live() -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import Table

    create_table = Table.create_from_cloudformation_json

    def create_from_cloudformation_json(
        cls: type[Table],
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Table:
        table = create_table(resource_name, cloudformation_json, account_id, region_name, **kwargs)
        specification = cloudformation_json["Properties"].get("TimeToLiveSpecification")
        if specification:
            backend = dynamodb_backends[account_id][region_name]
            backend.update_time_to_live(table.name, specification)
        return table

    Table.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)


def _claims(token: str) -> dict[str, Any]:
    # moto signed it itself: only its payload is wanted here.
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def revoke_token(backend: Any, token: str, client_id: str) -> None:
    """End a refresh token and the access tokens it gave, as Cognito's `RevokeToken` does."""
    from moto.cognitoidp.exceptions import NotAuthorizedError

    for pool in backend.user_pools.values():
        issued = pool.refresh_tokens.get(token)
        if issued is None:
            continue
        issued_to, _, origin_jti = issued
        if issued_to != client_id:
            raise NotAuthorizedError("the token was not issued to this client")
        pool.refresh_tokens[token] = None
        for access_token, (access_client, _) in list(pool.access_tokens.items()):
            if access_client == client_id and _claims(access_token)["origin_jti"] == origin_jti:
                pool.access_tokens.pop(access_token)
        return
    # Cognito answers a token it no longer knows (revoked, or signed out) with success too.


def _revoke_token() -> None:
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    def revoke(response: CognitoIdpResponse) -> Any:
        revoke_token(
            response.backend, response._get_param("Token"), response._get_param("ClientId")
        )
        return EmptyResult()

    # moto calls the method named after the action, `RevokeToken`.
    CognitoIdpResponse.revoke_token = revoke


# One lock for every key's pair: a pair is made once, however many requests use it at once.
_KEY_PAIR_LOCK = threading.Lock()


class KeyPairOnFirstUse:
    """A KMS key's `private_key` as moto has it, made by moto the first time it is used."""

    def __init__(self, key_spec: str) -> None:
        self.key_spec = key_spec
        self.made: Any = None

    def __getattr__(self, name: str) -> Any:
        # Only the pair's own attributes: none of this object's, nor the protocols (copying)
        # Python looks up on any object.
        if name in ("key_spec", "made") or name.startswith("__"):
            raise AttributeError(name)
        with _KEY_PAIR_LOCK:
            if self.made is None:
                self.made = _originals["moto.kms.utils:generate_private_key"](self.key_spec)
        return getattr(self.made, name)


def _key_pair_on_first_use() -> None:
    from moto.kms import models

    models.generate_private_key = KeyPairOnFirstUse

"""The moto internals the local stand-in relies on are the ones its fixes were written for.

`preview/moto_compat.py` replaces two of moto's methods and calls others that are not moto's
public API. A moto release that changes any of them fails here, naming it, before a fix can go
quietly wrong; then re-read the fix against the new moto and record the new fingerprint.
"""

from __future__ import annotations

import importlib.metadata

import pytest

from preview import moto_compat


def test_moto_compat_moto_is_the_minor_version_the_fixes_were_written_for() -> None:
    # pyproject.toml admits this minor version only.
    assert importlib.metadata.version("moto").startswith("5.2.")


@pytest.mark.parametrize("internal", sorted(moto_compat.INTERNALS))
def test_moto_compat_internal_is_unchanged(internal: str) -> None:
    assert moto_compat.fingerprint(internal) == moto_compat.INTERNALS[internal], (
        f"moto changed {internal}: check preview/moto_compat.py against it"
    )


def test_moto_compat_knows_the_resource_types_the_template_needs_most() -> None:
    supported = moto_compat.supported_resource_types()
    assert {"AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::Lambda::Function"} <= supported
    # What moto lacks, and the stand-in therefore leaves out of the template.
    assert "AWS::CloudFront::Distribution" not in supported


def test_moto_compat_totp_secret_is_one_an_authenticator_accepts() -> None:
    # The gap: moto's own secret is 60 bits, and pyotp (like authenticator apps) refuses it.
    import pyotp
    from moto.cognitoidp import models

    moto_compat.apply()
    with pytest.raises(ValueError, match="112 bits"):
        pyotp.TOTP("asdfasdfasdf").now()
    assert models.COGNITO_TOTP_MFA_SECRET == moto_compat.TOTP_SECRET
    assert len(pyotp.TOTP(models.COGNITO_TOTP_MFA_SECRET).now()) == 6


@pytest.mark.parametrize(
    ("seconds_before", "accepted"), [(0, True), (30, True), (60, False), (-30, False)]
)
def test_moto_compat_totp_code_of_the_step_before_is_accepted(
    monkeypatch: pytest.MonkeyPatch, seconds_before: int, accepted: bool
) -> None:
    # The gap: a code computed just before its 30 s ended, checked just after, was refused
    # (CI saw a first sign-in fail so). A fixed clock, mid-step, makes each case certain.
    import time

    import pyotp
    from cryptography.hazmat.primitives.twofactor import InvalidToken
    from moto.cognitoidp import models, utils

    moto_compat.apply()
    now = 1_800_000_015
    monkeypatch.setattr(time, "time", lambda: now)
    code = pyotp.TOTP(moto_compat.TOTP_SECRET).at(now - seconds_before).encode()
    totp = utils.cognito_totp(moto_compat.TOTP_SECRET)
    if accepted:
        models.verify_totp(totp, code)
    else:
        with pytest.raises(InvalidToken):
            models.verify_totp(totp, code)


def test_moto_compat_tokens_expire_when_the_staff_client_says() -> None:
    import boto3
    import jwt
    from moto import mock_aws
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    from preview.staff_pool import create_staff_pool
    from tests.support.staff import INVITATION, sign_in_first_time

    moto_compat.apply()
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-central-1")
        pool = create_staff_pool(cognito, "compat", "eu-central-1", INVITATION)
        cognito.admin_create_user(
            UserPoolId=pool.user_pool_id,
            Username="compat@example.kz",
            TemporaryPassword="TemporaryPassword1",
            MessageAction="SUPPRESS",
        )
        tokens = sign_in_first_time(cognito, pool, "compat@example.kz", "TemporaryPassword1")
        # The gap: moto's own create_jwt gives this client's tokens an hour.
        original = moto_compat._originals["moto.cognitoidp.models:CognitoIdpUserPool.create_jwt"]
        backends = cognitoidp_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"]
        backend_pool = backends.user_pools[pool.user_pool_id]
        _, moto_seconds = original(backend_pool, pool.client_id, "compat@example.kz", "access")
    assert moto_seconds == 3600
    assert tokens["ExpiresIn"] == 15 * 60
    for name in ("AccessToken", "IdToken"):
        claims = jwt.decode(tokens[name], options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == 15 * 60


def test_moto_compat_revoke_token_ends_that_session_and_no_other() -> None:
    import boto3
    import pyotp
    from botocore.exceptions import ClientError
    from moto import mock_aws

    from preview.staff_pool import create_staff_pool
    from tests.support.staff import INVITATION, NEW_PASSWORD, sign_in_first_time

    moto_compat.apply()
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-central-1")
        pool = create_staff_pool(cognito, "revoke", "eu-central-1", INVITATION)
        email = "revoke@example.kz"
        cognito.admin_create_user(
            UserPoolId=pool.user_pool_id,
            Username=email,
            TemporaryPassword="TemporaryPassword1",
            MessageAction="SUPPRESS",
        )
        closed_tab = sign_in_first_time(cognito, pool, email, "TemporaryPassword1")
        started = cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": NEW_PASSWORD},
        )
        other_tab = cognito.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=started["Session"],
            ChallengeResponses={
                "USERNAME": email,
                "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(moto_compat.TOTP_SECRET).now(),
            },
        )["AuthenticationResult"]

        cognito.revoke_token(Token=closed_tab["RefreshToken"], ClientId=pool.client_id)

        with pytest.raises(ClientError, match="NotAuthorized"):
            cognito.get_user(AccessToken=closed_tab["AccessToken"])
        with pytest.raises(ClientError, match="NotAuthorized"):
            cognito.initiate_auth(
                AuthFlow="REFRESH_TOKEN_AUTH",
                ClientId=pool.client_id,
                AuthParameters={"REFRESH_TOKEN": closed_tab["RefreshToken"]},
            )
        assert cognito.get_user(AccessToken=other_tab["AccessToken"])["Username"]
        # Revoking again, as a second sign-out would, is no error.
        cognito.revoke_token(Token=closed_tab["RefreshToken"], ClientId=pool.client_id)


def test_moto_compat_kms_key_pair_is_made_only_for_a_key_that_uses_it() -> None:
    # The saving: moto made an RSA pair for every key, symmetric and HMAC ones too (half a
    # second of CPU a stack). A key that signs still signs, verifiably with its public key.
    import boto3
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.kms.models import kms_backends

    moto_compat.apply()
    region = "eu-central-1"
    with mock_aws():
        kms = boto3.client("kms", region_name=region)

        def key(**spec: str) -> str:
            return kms.create_key(**spec)["KeyMetadata"]["KeyId"]

        symmetric = key()
        mac = key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
        signing = key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
        keys = kms_backends[DEFAULT_ACCOUNT_ID][region].keys
        assert [keys[k].private_key.made for k in (symmetric, mac, signing)] == [None] * 3

        algorithm = "RSASSA_PKCS1_V1_5_SHA_256"
        signature = kms.sign(KeyId=signing, Message=b"m", SigningAlgorithm=algorithm)["Signature"]
        verified = kms.verify(
            KeyId=signing, Message=b"m", Signature=signature, SigningAlgorithm=algorithm
        )
        public = serialization.load_der_public_key(kms.get_public_key(KeyId=signing)["PublicKey"])
        # Raises if the signature is not the public key's.
        public.verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())

        assert verified["SignatureValid"] is True
        assert keys[signing].private_key.made is not None
        assert [keys[k].private_key.made for k in (symmetric, mac)] == [None, None]

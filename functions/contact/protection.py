"""How personal data is protected at rest: one module that the function and the operator share.

A submission item in the submissions table holds no personal data in plaintext:

- `personal_data`: the names, email, phones and message as one blob, envelope-encrypted with
  the data key through Powertools data masking (AWS Encryption SDK provider). The encryption
  context names the purpose and the item id, never personal data, so a blob copied to another
  item does not decrypt.
  The item id is bound into each blob's authenticated header, while the data key itself is
  bound (in KMS) to the purpose only: the Encryption SDK's data-key cache is keyed by the
  whole context, so with the id in the data key's context every submission would cost a
  `GenerateDataKey` call and the cache would never hit.
- `email_hash`: a KMS HMAC of the normalised email, for look-ups; the HMAC key never leaves KMS.
"""

from __future__ import annotations

import base64
import functools
from typing import TYPE_CHECKING, Any

import attr
from aws_encryption_sdk.identifiers import Algorithm
from aws_encryption_sdk.materials_managers.base import CryptoMaterialsManager
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
    AWSEncryptionSDKProvider,
)

if TYPE_CHECKING:
    from botocore.session import Session

PURPOSE = "contact-form-submission"
ITEM_CONTEXT_KEY = "submission_id"
MAC_ALGORITHM = "HMAC_SHA_256"
# Key-committing AES-GCM without the ECDSA signature of the SDK's default suite. A signature
# proves a blob came from an encryptor rather than from someone who may only decrypt; here the
# only one who may decrypt, the operator, may also write items anyway, so it would protect
# nothing, and it costs a P-384 signature (about a millisecond) on every submission.
ALGORITHM = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
# One data key serves many submissions for this long: one GenerateDataKey call per window
# instead of one per submission.
DATA_KEY_CACHE_SECONDS = 300.0


def normalise_email(email: str) -> str:
    """The form of an email that look-ups compare: trimmed and case-folded.

    >>> normalise_email("  Aigerim.Ospan@Example.KZ ")
    'aigerim.ospan@example.kz'
    """
    return email.strip().casefold()


def encryption_context(submission_id: str) -> dict[str, str]:
    """The context bound into each blob: what it is for and which item it belongs to."""
    return {"purpose": PURPOSE, ITEM_CONTEXT_KEY: submission_id}


class _ItemContextOutsideDataKey(CryptoMaterialsManager):
    """Ask the caching materials manager for data keys as if the context had no item id.

    Encrypting, the id goes back into the materials, so the SDK writes it into the message's
    header, which the message authenticates; decrypting, the header's context (id included) is
    compared with the caller's by Powertools. Only KMS and the cache see the shared context.
    """

    def __init__(self, caching: CryptoMaterialsManager) -> None:
        self._caching = caching

    def get_encryption_materials(self, request: Any) -> Any:
        context = dict(request.encryption_context)
        item = (
            {ITEM_CONTEXT_KEY: context.pop(ITEM_CONTEXT_KEY)} if ITEM_CONTEXT_KEY in context else {}
        )
        materials = self._caching.get_encryption_materials(
            attr.evolve(request, encryption_context=context)
        )
        return attr.evolve(materials, encryption_context={**materials.encryption_context, **item})

    def decrypt_materials(self, request: Any) -> Any:
        context = _without_item(request.encryption_context)
        return self._caching.decrypt_materials(attr.evolve(request, encryption_context=context))


def _without_item(context: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in context.items() if key != ITEM_CONTEXT_KEY}


def _decrypt_data_keys_without_item(master_key_provider: Any) -> None:
    # Powertools decrypts through the master key provider rather than the materials manager:
    # the data key was bound in KMS to the context without the item id, so ask KMS with that.
    decrypt_from_list = master_key_provider.decrypt_data_key_from_list

    def decrypt_data_key_from_list(
        encrypted_data_keys: Any, algorithm: Any, encryption_context: dict[str, str]
    ) -> Any:
        return decrypt_from_list(encrypted_data_keys, algorithm, _without_item(encryption_context))

    master_key_provider.decrypt_data_key_from_list = decrypt_data_key_from_list


@functools.cache
def data_masker(data_key_arn: str, cache_seconds: float = DATA_KEY_CACHE_SECONDS) -> DataMasking:
    """A data masker for the data key, cached so the data-key cache lives across requests."""
    provider = AWSEncryptionSDKProvider(
        keys=[data_key_arn], max_cache_age_seconds=float(cache_seconds)
    )
    # Powertools exposes no option for this; its key provider's materials manager is the one
    # place both encrypt and decrypt go through.
    key_provider = provider._key_provider
    key_provider.cache_cmm = _ItemContextOutsideDataKey(key_provider.cache_cmm)
    _decrypt_data_keys_without_item(key_provider.key_provider)
    return DataMasking(provider=provider)


def aws_session(data_key_arn: str) -> Session:
    """The botocore session of the data masker's KMS client, to make other clients from.

    Each botocore session reads and parses its own copy of the service models and endpoint
    data (tens of milliseconds per session on a cold start); clients made from this one reuse
    what the masker's KMS client has loaded. Powertools makes the session itself and takes none.
    """
    key_provider = data_masker(data_key_arn).provider._key_provider.key_provider
    return key_provider.config.botocore_session


def encrypt_personal_data(
    data_key_arn: str, submission_id: str, personal_data: dict[str, Any]
) -> str:
    """Envelope-encrypt the personal data of one submission into one blob."""
    return data_masker(data_key_arn).encrypt(
        personal_data,
        provider_options={"algorithm": ALGORITHM},
        **encryption_context(submission_id),
    )


def decrypt_personal_data(data_key_arn: str, submission_id: str, blob: str) -> dict[str, Any]:
    """Decrypt one blob; needs `kms:Decrypt`, which only the operator's policy grants."""
    return data_masker(data_key_arn).decrypt(blob, **encryption_context(submission_id))


def email_hash(kms_client: Any, email_hash_key_arn: str, email: str) -> str:
    """The keyed hash of an email, as stored in `email_hash` and looked up by the operator."""
    answer = kms_client.generate_mac(
        KeyId=email_hash_key_arn,
        Message=normalise_email(email).encode("utf-8"),
        MacAlgorithm=MAC_ALGORITHM,
    )
    return base64.urlsafe_b64encode(answer["Mac"]).decode("ascii").rstrip("=")

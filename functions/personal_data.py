"""The personal data of a submission, envelope-encrypted into the item's one blob.

Powertools data masking does the encrypting, with a provider built on the AWS Encryption SDK's
public API: a KMS master key provider, the SDK's caching cryptographic materials manager, and
one small materials manager of ours in front of it. The blob is an Encryption SDK message,
base64-encoded, byte for byte the format the function wrote when it used Powertools' own
`AWSEncryptionSDKProvider`, so items stored then decrypt the same.

The encryption context names the purpose and the item id, never personal data, so a blob
copied to another item does not decrypt. The item id is bound into each blob's authenticated
header, while the data key itself is bound (in KMS) to the purpose only: the SDK's data-key
cache is keyed by the whole context, so with the id in the data key's context every
submission would cost a `GenerateDataKey` call and the cache would never hit. Powertools'
provider offers no way to put a materials manager in the SDK's path, and decrypts through the
master key provider rather than a materials manager; reaching into it meant using its private
attributes and patching the SDK's key provider. Here both directions go through our materials
manager, which is the SDK's documented extension point.
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

import attr
import botocore.session
from aws_encryption_sdk import (
    CachingCryptoMaterialsManager,
    EncryptionSDKClient,
    LocalCryptoMaterialsCache,
    StrictAwsKmsMasterKeyProvider,
)
from aws_encryption_sdk.exceptions import DecryptKeyError, GenerateKeyError, NotSupportedError
from aws_encryption_sdk.identifiers import Algorithm
from aws_encryption_sdk.materials_managers.base import CryptoMaterialsManager
from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.exceptions import (
    DataMaskingContextMismatchError,
    DataMaskingDecryptKeyError,
    DataMaskingDecryptValueError,
    DataMaskingEncryptKeyError,
)
from aws_lambda_powertools.utilities.data_masking.provider import BaseProvider

PURPOSE = "contact-form-submission"
ITEM_CONTEXT_KEY = "submission_id"
# Key-committing AES-GCM without the ECDSA signature of the SDK's default suite. A signature
# proves a blob came from an encryptor rather than from someone who may only decrypt; here the
# only one who may decrypt, the operator, may also write items anyway, so it would protect
# nothing, and it costs a P-384 signature (about a millisecond) on every submission.
ALGORITHM = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
# One data key serves many submissions for this long: one GenerateDataKey call per window
# instead of one per submission.
DATA_KEY_CACHE_SECONDS = 300.0
# Cached data keys: one per context, and the context leaves the item id out.
CACHE_CAPACITY = 100
# The SDK adds the public key of signing suites to the header's context; ours signs nothing,
# but a blob of another suite would carry it.
SDK_CONTEXT_KEYS = frozenset({"aws-crypto-public-key"})


def encryption_context(submission_id: str) -> dict[str, str]:
    """The context bound into each blob: what it is for and which item it belongs to."""
    return {"purpose": PURPOSE, ITEM_CONTEXT_KEY: submission_id}


def _without_item(context: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in context.items() if key != ITEM_CONTEXT_KEY}


class _ItemContextOutsideDataKey(CryptoMaterialsManager):
    """Ask the caching materials manager for data keys as if the context had no item id.

    Encrypting, the id goes back into the materials, so the SDK writes it into the message's
    header, which the message authenticates; decrypting, the provider compares the header's
    context (id included) with the item's. Only KMS and the cache see the shared context.
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


class ItemBoundEncryptionProvider(BaseProvider):
    """Powertools' provider interface over the Encryption SDK, with item ids kept out of KMS."""

    def __init__(
        self, data_key_arn: str, cache_seconds: float, botocore_session: botocore.session.Session
    ) -> None:
        super().__init__()
        # Public: the function makes its other clients from it (`aws_session`).
        self.botocore_session = botocore_session
        self._client = EncryptionSDKClient()
        key_provider = StrictAwsKmsMasterKeyProvider(
            key_ids=[data_key_arn], botocore_session=botocore_session
        )
        caching = CachingCryptoMaterialsManager(
            master_key_provider=key_provider,
            cache=LocalCryptoMaterialsCache(CACHE_CAPACITY),
            max_age=float(cache_seconds),
        )
        self._materials = _ItemContextOutsideDataKey(caching)

    def encrypt(self, data: Any, provider_options: dict | None = None, **context: str) -> str:
        """The data as JSON, encrypted under `context`, base64-encoded."""
        try:
            ciphertext, _ = self._client.encrypt(
                source=self.json_serializer(data).encode("utf-8"),
                materials_manager=self._materials,
                encryption_context=context,
                **{"algorithm": ALGORITHM, **(provider_options or {})},
            )
        except GenerateKeyError:
            raise DataMaskingEncryptKeyError("no data key from KMS") from None
        return base64.b64encode(ciphertext).decode("ascii")

    def decrypt(self, data: str, provider_options: dict | None = None, **context: str) -> Any:
        """The data a blob holds, if it was encrypted under exactly `context`."""
        try:
            plaintext, header = self._client.decrypt(
                source=base64.b64decode(data, validate=True),
                materials_manager=self._materials,
                **(provider_options or {}),
            )
        except DecryptKeyError:
            raise DataMaskingDecryptKeyError("KMS did not decrypt the data key") from None
        except (binascii.Error, TypeError, ValueError, NotSupportedError):
            raise DataMaskingDecryptValueError("not a blob this provider wrote") from None
        written = {k: v for k, v in header.encryption_context.items() if k not in SDK_CONTEXT_KEYS}
        if written != context:
            raise DataMaskingContextMismatchError("the blob belongs to another item")
        return self.json_deserializer(plaintext.decode("utf-8"))


@functools.cache
def data_masker(data_key_arn: str, cache_seconds: float = DATA_KEY_CACHE_SECONDS) -> DataMasking:
    """A data masker for the data key, cached so the data-key cache lives across requests."""
    session = botocore.session.Session()
    return DataMasking(provider=ItemBoundEncryptionProvider(data_key_arn, cache_seconds, session))


def aws_session(data_key_arn: str) -> botocore.session.Session:
    """The botocore session of the data masker's KMS client, to make other clients from.

    Each botocore session reads and parses its own copy of the service models and endpoint
    data (tens of milliseconds per session on a cold start); clients made from this one reuse
    what the masker's KMS client has loaded.
    """
    return data_masker(data_key_arn).provider.botocore_session


def encrypt_personal_data(
    data_key_arn: str, submission_id: str, personal_data: dict[str, Any]
) -> str:
    """Envelope-encrypt the personal data of one submission into one blob."""
    return data_masker(data_key_arn).encrypt(personal_data, **encryption_context(submission_id))


def decrypt_personal_data(data_key_arn: str, submission_id: str, blob: str) -> dict[str, Any]:
    """Decrypt one blob; needs `kms:Decrypt`, which only the operator's policy grants."""
    return data_masker(data_key_arn).decrypt(blob, **encryption_context(submission_id))

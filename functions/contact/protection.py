"""How personal data is protected at rest: one module that the function and the operator share.

A submission item in the submissions table holds no personal data in plaintext:

- `personal_data`: the names, email, phones and message as one blob, envelope-encrypted with
  the data key through Powertools data masking (AWS Encryption SDK provider). The encryption
  context names the purpose and the item id, never personal data, so a blob copied to another
  item does not decrypt.
- `email_hash`: a KMS HMAC of the normalised email, for look-ups; the HMAC key never leaves KMS.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from aws_lambda_powertools.utilities.data_masking import DataMasking
from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
    AWSEncryptionSDKProvider,
)

PURPOSE = "contact-form-submission"
MAC_ALGORITHM = "HMAC_SHA_256"
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
    return {"purpose": PURPOSE, "submission_id": submission_id}


@functools.cache
def data_masker(data_key_arn: str, cache_seconds: float = DATA_KEY_CACHE_SECONDS) -> DataMasking:
    """A data masker for the data key, cached so the data-key cache lives across requests."""
    provider = AWSEncryptionSDKProvider(
        keys=[data_key_arn], max_cache_age_seconds=float(cache_seconds)
    )
    return DataMasking(provider=provider)


def encrypt_personal_data(
    data_key_arn: str, submission_id: str, personal_data: dict[str, Any]
) -> str:
    """Envelope-encrypt the personal data of one submission into one blob."""
    return data_masker(data_key_arn).encrypt(personal_data, **encryption_context(submission_id))


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

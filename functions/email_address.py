"""Email addresses: the one check and normal form, and the keyed hash that look-ups compare.

The form stores an address as email-validator normalises it (Unicode NFC, the domain in
Unicode, so `xn--e1afmkfd.xn--p1ai` reads `пример.рф`), and hashes that, lower-cased, for
look-ups; the operator CLI hashes what it is given the same way, so an address typed with its
punycode domain, in NFD, in capitals or with spaces around it finds the same submissions.
Lower-case, never `casefold`: case folding merges different mailboxes (`straße@` with
`strasse@`, `ﬁnance@` with `finance@`), and `export` would hand one person another's data.

Beside `functions/submission_item.py` rather than in it: that module stays standard library
only for whatever merely reads items, and this needs email-validator, as both the form
function and the operator CLI have anyway.
"""

from __future__ import annotations

import base64
from typing import Any

from email_validator import EmailNotValidError, validate_email

MAC_ALGORITHM = "HMAC_SHA_256"


class InvalidEmail(ValueError):
    """Not an email address; carries no part of what was given, so it is safe to log."""


def validated_email(text: str) -> str:
    """The address as the form stores it: checked, NFC, its domain in Unicode.

    Surrounding spaces are dropped; anything else email-validator refuses raises `InvalidEmail`.

    >>> validated_email(" Aigerim@XN--E1AFMKFD.XN--P1AI ")
    'Aigerim@пример.рф'
    """
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidEmail("not an email address") from None


def lookup_form(text: str) -> str:
    """The form of an address that look-ups compare: validated, then lower-cased.

    >>> lookup_form("Straße@Example.DE"), lookup_form("strasse@example.de")
    ('straße@example.de', 'strasse@example.de')
    """
    return _lookup_form_of_valid(validated_email(text))


def _lookup_form_of_valid(address: str) -> str:
    # Lower-case, never casefold (see the module's docstring).
    return address.lower()


def email_mac(kms_client: Any, email_hash_key_arn: str, email: str) -> bytes:
    """KMS's HMAC of the address's look-up form; the key never leaves KMS."""
    return valid_email_mac(kms_client, email_hash_key_arn, validated_email(email))


def valid_email_mac(kms_client: Any, email_hash_key_arn: str, address: str) -> bytes:
    """`email_mac` of an address `validated_email` returned already, as a validated form holds.

    The form function's hot path: it validated the address a moment before, and a second
    check would only repeat the same work.
    """
    answer = kms_client.generate_mac(
        KeyId=email_hash_key_arn,
        Message=_lookup_form_of_valid(address).encode("utf-8"),
        MacAlgorithm=MAC_ALGORITHM,
    )
    return answer["Mac"]


def hash_text(mac: bytes) -> str:
    """A MAC as the item's `email_hash` holds it: URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def email_hash(kms_client: Any, email_hash_key_arn: str, email: str) -> str:
    """The keyed hash of an address, as stored in `email_hash` and looked up by the operator."""
    return hash_text(email_mac(kms_client, email_hash_key_arn, email))

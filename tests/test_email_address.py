"""One normal form of an email address for look-ups, shared by the form and the operator CLI."""

from __future__ import annotations

import doctest
import unicodedata

import pytest

from functions import email_address
from functions.email_address import InvalidEmail, lookup_form, validated_email

NFC = unicodedata.normalize("NFC", "josé@example.kz")
NFD = unicodedata.normalize("NFD", "josé@example.kz")

# Two ways of writing one mailbox: a look-up with either finds what the other stored.
SAME_MAILBOX = [
    ("idn1@пример.рф", "idn1@xn--e1afmkfd.xn--p1ai"),
    ("idn1@ПРИМЕР.РФ", "idn1@пример.рф"),
    ("user@bücher.de", "user@xn--bcher-kva.de"),
    (NFC, NFD),
    ("Ärger@Bücher.de", unicodedata.normalize("NFD", "ärger@bücher.de")),
    ("Aigerim.Ospan@EXAMPLE.KZ", "aigerim.ospan@example.kz"),
    ("  aigerim@example.kz ", "aigerim@example.kz"),
    ("\taigerim@example.kz\n", "aigerim@example.kz"),
    ("Ivan@example.kz", "ivan@example.kz"),
]
# Different mailboxes that case folding would merge: never the same look-up.
DIFFERENT_MAILBOXES = [
    ("straße@example.de", "strasse@example.de"),
    ("\ufb01nance@example.kz", "finance@example.kz"),
    ("\u0131van@example.kz", "ivan@example.kz"),
    ("\u0130van@example.kz", "ivan@example.kz"),
    ("aigerim@example.kz", "aigerim@example.com"),
]


@pytest.mark.parametrize(("one", "other"), SAME_MAILBOX)
def test_lookup_form_is_one_for_every_way_of_writing_a_mailbox(one: str, other: str) -> None:
    assert lookup_form(one) == lookup_form(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_MAILBOXES)
def test_lookup_form_never_merges_different_mailboxes(one: str, other: str) -> None:
    assert lookup_form(one) != lookup_form(other)


@pytest.mark.parametrize(
    ("typed", "form"),
    [
        ("idn1@xn--e1afmkfd.xn--p1ai", "idn1@пример.рф"),
        (NFD, NFC),
        ("Straße@Example.DE", "straße@example.de"),
        ("\ufb01nance@Example.kz", "\ufb01nance@example.kz"),
    ],
)
def test_lookup_form_is_nfc_with_a_unicode_domain_lower_cased(typed: str, form: str) -> None:
    assert lookup_form(typed) == form
    assert unicodedata.is_normalized("NFC", lookup_form(typed))


def test_validated_email_keeps_the_case_the_visitor_typed() -> None:
    # What is stored (and exported) is what the visitor wrote; only look-ups lower-case.
    assert validated_email("Aigerim.Ospan@XN--E1AFMKFD.XN--P1AI") == "Aigerim.Ospan@пример.рф"


@pytest.mark.parametrize("text", ["", "   ", "not an address", "a@b", "a b@example.kz", "@x.kz"])
def test_lookup_form_refuses_what_is_not_an_address_without_quoting_it(text: str) -> None:
    with pytest.raises(InvalidEmail) as refused:
        lookup_form(text)
    assert str(refused.value) == "not an email address"


def test_email_address_examples_in_its_docstrings_hold() -> None:
    failures, tried = doctest.testmod(email_address)
    assert tried >= 2
    assert failures == 0

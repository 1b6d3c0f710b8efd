"""The stored item's definition: its examples hold, and a new item has exactly its shape."""

from __future__ import annotations

import doctest

from functions import submission_item
from functions.submission_item import ACTIVE, AWAITING_ANSWER, METADATA, PERSONAL, new_item


def test_submission_item_examples_in_its_docstrings_hold() -> None:
    failures, tried = doctest.testmod(submission_item)
    assert tried >= 3
    assert failures == 0


def test_submission_item_new_item_is_active_with_consents_timed_at_creation() -> None:
    item = new_item(
        "6d7c9a52-2c1d-5f0e-8d3f-0b8f6f0a1c2e",
        created_at="2026-11-25T12:04:05.000006Z",
        locale="kk",
        policy_version="1.0",
        consents={"processing": True, "marketing": False},
        personal_data="blob",
        email_hash="hash",
    )
    assert item["status"] == ACTIVE
    assert item["consents"] == {
        "processing": {"given": True, "at": "2026-11-25T12:04:05.000006Z"},
        "marketing": {"given": False, "at": "2026-11-25T12:04:05.000006Z"},
    }
    # Every attribute is metadata, one of the two that identify the person, or the inbox's key.
    assert set(item) <= set(METADATA) | set(PERSONAL) | {AWAITING_ANSWER}
    assert AWAITING_ANSWER in item
    assert set(PERSONAL) <= set(item)

"""Load through `build.py serve`: 200 submissions from 20 clients at once, all stored once.

Latency figures under the same load come from `./dev bench preview`; this test asserts only
what a visitor and the operator would notice: every submission answered, stored, and once.
"""

from __future__ import annotations

import time
import uuid

import pytest

from sitecontent.policy import current_policy_version
from tests.support.preview import ROOT, Preview, load_payload, submit_concurrently

pytestmark = pytest.mark.slow
SUBMISSIONS = 200
CLIENTS = 20
# Generous: the preview runs one submission at a time, as one Lambda instance does.
TIMEOUT_SECONDS = 120.0


@pytest.fixture
def preview(site_preview: Preview) -> Preview:
    """The worker's shared preview: these tests look only at the submissions they add."""
    return site_preview


def test_load_stores_every_concurrent_submission_exactly_once(preview):
    version = current_policy_version(ROOT / "content", "ru").version
    run = uuid.uuid4().hex[:8]
    payloads = [load_payload(version, "ru", number, run) for number in range(SUBMISSIONS)]
    before = set(preview.stored_items())

    started = time.monotonic()
    outcomes = submit_concurrently(preview, payloads, CLIENTS, TIMEOUT_SECONDS)
    elapsed = time.monotonic() - started

    assert [(o.status, o.answer) for o in outcomes if o.status != 201] == []
    ids = [o.answer["id"] for o in outcomes]
    assert len(set(ids)) == SUBMISSIONS
    stored = {i: item for i, item in preview.stored_items().items() if i not in before}
    assert set(stored) == set(ids)
    emails = {preview.decrypt(item)["email"] for item in stored.values()}
    assert emails == {payload["email"] for payload in payloads}
    assert elapsed < TIMEOUT_SECONDS

"""Figures for the staff inbox: what one page of 50 reads and decrypts as the table grows.

Target (issue 23, item 5): flat. A page reads the sparse `awaiting-answer` index, 50 items at
most, and decrypts with one KMS `Decrypt` per distinct data key on it (the data masker's cache),
whether the table holds 100 submissions or 10,000. Stored here in moto, in this process: most
submissions answered (out of the index), the rest waiting, every blob encrypted for real under
one data key, as one warm form instance writes them within its cache window. The warm page's
time grows in moto, whose index query walks the whole table in memory; DynamoDB reads the
index's partition from where the page starts.
"""

from __future__ import annotations

import contextlib
import io
import logging
import statistics
import time
import uuid
from collections import Counter
from typing import Any

SIZES = (100, 10_000)
PAGES = 5
TARGET_ITEMS_READ = 50
TARGET_DECRYPTS = 1


def _seed(environment: dict[str, str], count: int) -> None:
    """Store `count` submissions, a tenth of them (60 at least) waiting for an answer."""
    import boto3

    from functions.personal_data import encrypt_personal_data
    from functions.submission_item import (
        ANSWERED_AT,
        ANSWERED_BY,
        AWAITING_ANSWER,
        new_item,
        utc_timestamp,
    )

    table = boto3.resource("dynamodb").Table(environment["SUBMISSIONS_TABLE"])
    waiting = max(60, count // 10)
    with table.batch_writer() as batch:
        for number in range(count):
            submission_id = str(uuid.uuid4())
            personal = {
                "last_name": "Әбілқасым",
                "first_name": "Ұлжан",
                "patronymic": None,
                "email": f"bench.{number}@example.kz",
                "phones": [],
                "message": f"message {number}",
            }
            blob = encrypt_personal_data(environment["DATA_KEY_ARN"], submission_id, personal)
            item: dict[str, Any] = new_item(
                submission_id,
                utc_timestamp(),
                "ru",
                "1.0",
                {"processing": True, "marketing": False},
                blob,
                f"hash-{number}",
            )
            if number >= waiting:
                del item[AWAITING_ANSWER]
                item[ANSWERED_AT] = utc_timestamp()
                item[ANSWERED_BY] = "bench@example.kz"
            batch.put_item(Item=item)


def _page_figures(count: int) -> tuple[int, int, int, float]:
    """Items read, Decrypt calls and queries of one cold page, and the median time of warm ones."""
    import botocore.client

    from functions import personal_data
    from tests.support.staff import staff_api

    calls: Counter[str] = Counter()
    make_api_call = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: dict) -> dict:
        answer = make_api_call(self, operation, params)
        calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        if operation in {"Query", "Scan"}:
            calls["items read"] += answer.get("ScannedCount", 0)
        return answer

    with staff_api() as staff:
        _seed(staff.contact.environment, count)
        _, tokens = staff.add_member()
        token = tokens["AccessToken"]
        personal_data.data_masker.cache_clear()  # a cold staff instance
        botocore.client.BaseClient._make_api_call = counting
        try:
            answer = staff.request("GET", "/api/staff/inbox", token=token)
        finally:
            botocore.client.BaseClient._make_api_call = make_api_call
        assert answer.status == 200 and len(answer.json()["messages"]) == 50
        times = []
        for _ in range(PAGES):
            started = time.perf_counter()
            staff.request("GET", "/api/staff/inbox", token=token)
            times.append(time.perf_counter() - started)
    return (
        calls["items read"],
        calls["kms.Decrypt"],
        calls["dynamodb.Query"],
        statistics.median(times),
    )


def main() -> None:
    logging.disable(logging.INFO)
    try:
        for count in SIZES:
            with contextlib.redirect_stdout(io.StringIO()) as quiet:
                read, decrypts, queries, seconds = _page_figures(count)
            del quiet
            print(
                f"{count:>6} stored: one page of 50 read {read} items "
                f"(target ≤ {TARGET_ITEMS_READ}) in {queries} query, "
                f"{decrypts} KMS Decrypt (target {TARGET_DECRYPTS} per data key); "
                f"warm page {seconds * 1000:.0f} ms (median of {PAGES}, moto in-process)",
                flush=True,
            )
    finally:
        logging.disable(logging.NOTSET)

"""Figures for the operator CLI: the time an operator waits, and the mailing list at scale.

Targets (set for issue 6, where the docs promise them): answering one person's email
(`find`, `export`, `withdraw`) ≤ 2 s each; `mailing-list` over 1,000 submissions ≤ 60 s,
the scale docs/operating.md calls fine for a full table scan with decryption. Measured on moto in
this process, so the figures are this code's own cost; real AWS adds its round trips, and
moto adds one of its own to every transaction (`withdraw`): it copies each table it writes
to, so that figure grows with the table, as DynamoDB's does not.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import time
import uuid

SUBMISSIONS = 1000
INTERACTIVE_TARGET_S = 2.0
MAILING_LIST_TARGET_S = 60.0


def _timed(argv: list[str]) -> tuple[float, str]:
    from functions.operator.cli import main

    output = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    elapsed = time.perf_counter() - started
    assert code == 0, (argv[2], code)
    return elapsed, output.getvalue()


def _report(name: str, seconds: float, target: float) -> None:
    print(f"{name:<42} {seconds:8.2f} s   target ≤ {target:5.1f} s   ratio {seconds / target:5.2f}")


def _store_submissions(count: int) -> list[str]:
    """Post `count` people (every other one consenting to marketing); return their emails."""
    from functions.contact.app import handler
    from preview.lambda_events import LocalLambdaContext, http_api_event
    from tests.support.contact import JSON_HEADERS, valid_fields

    emails = [f"bench.{uuid.uuid4().hex[:12]}@example.kz" for _ in range(count)]
    # The handler logs and counts each submission (ids only); not part of these figures.
    logging.disable(logging.INFO)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for number, email in enumerate(emails):
                fields = valid_fields(email=email, marketing=number % 2 == 0)
                event = http_api_event("POST", "/api/contact", json.dumps(fields), JSON_HEADERS)
                assert handler(event, LocalLambdaContext())["statusCode"] == 201
    finally:
        logging.disable(logging.NOTSET)
    return emails


def main() -> None:
    from tests.support.contact import contact_function

    with contact_function() as function:
        started = time.perf_counter()
        emails = _store_submissions(SUBMISSIONS)
        print(
            f"setup: {SUBMISSIONS} submissions through the handler in "
            f"{time.perf_counter() - started:.1f} s"
        )
        stack = ["--stack", function.stack.name]
        seconds, csv_text = _timed([*stack, "mailing-list"])
        listed = csv_text.count("\n") - 1
        _report(
            f"mailing-list, {SUBMISSIONS} stored, {listed} listed", seconds, MAILING_LIST_TARGET_S
        )
        for command in ("find", "export"):
            seconds, _ = _timed([*stack, command, emails[1]])
            _report(f"{command}, one person", seconds, INTERACTIVE_TARGET_S)
        seconds, _ = _timed([*stack, "withdraw", emails[1], "--yes"])
        _report("withdraw, one person", seconds, INTERACTIVE_TARGET_S)

"""The operator CLI over generated arguments: never a traceback, always the guide's exit code.

Each example is a command line and what the exit-code table of docs/operating.md says it must
end in: done, not found, usage, refused or AWS failure. Hypothesis runs with the deterministic
profile `tests/conftest.py` loads, against the template's stack in moto.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.operator.cli import main
from tests.support.contact import contact_function, valid_fields
from tests.support.stack import Stack
from tests.support.tools import ROOT

KNOWN_EMAIL = "known.person@example.kz"
MISSING_TABLE = "no-such-table"


def readme_exit_codes() -> dict[str, int]:
    """docs/operating.md's exit-code table, by the meaning each row starts with (`usage`, ...)."""
    guide = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| ([A-Za-z][A-Za-z ]*?)[:(|]", guide, flags=re.MULTILINE)
    return {meaning.strip(): int(code) for code, meaning in rows}


EXIT_CODES = readme_exit_codes()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The stack with one person's submission in it."""
    with contact_function() as function:
        answer = function.post_json(valid_fields(email=KNOWN_EMAIL, marketing=True))
        assert answer["statusCode"] == 201
        yield function.stack


def token_of(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode("utf-8")).decode("ascii")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text.strip())
    except ValueError:
        return False
    return True


def since_meaning(text: str) -> str:
    """A date, or a date and time whose moment UTC can write (years 1 to 9999), is usable."""
    moment = datetime.fromisoformat(text)
    try:
        (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        return "usage"
    return "done"


# Each strategy gives (arguments, meaning); a part that is a usage error makes the whole one.
Part = tuple[list[str], str]

# Any text, but not `-h` or `--h...`: argparse takes those for `--help` and exits 0.
garbage = st.text(max_size=24).filter(lambda text: not text.startswith(("-h", "--h")))
not_an_email = garbage.filter(lambda text: "@" not in text)
unknown_email = st.builds(
    lambda local, domain: f"u-{local}@{domain}",
    st.text("abcdefghijklmnopqrstuvwxyz0123456789.", min_size=1, max_size=12).filter(
        lambda local: not local.startswith(".") and not local.endswith(".") and ".." not in local
    ),
    st.sampled_from(["example.kz", "пример.рф", "xn--e1afmkfd.xn--p1ai", "EXAMPLE.COM"]),
)
known_email = st.sampled_from([KNOWN_EMAIL, KNOWN_EMAIL.upper(), f"  {KNOWN_EMAIL} "])

emails: st.SearchStrategy[Part] = st.one_of(
    known_email.map(lambda email: ([email], "done")),
    unknown_email.map(lambda email: ([email], "not found")),
    not_an_email.map(lambda text: ([text], "usage")),
)
ids: st.SearchStrategy[Part] = st.one_of(
    st.uuids().map(lambda value: ([str(value)], "not found")),
    garbage.map(lambda text: ([text], "not found" if _is_uuid(text) else "usage")),
)
offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.datetimes(timezones=offsets).map(datetime.isoformat),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]),
)
since: st.SearchStrategy[Part] = st.one_of(
    moments.map(lambda text: (["--since", text], since_meaning(text))),
    garbage.filter(lambda text: not any(c.isdigit() for c in text)).map(
        lambda text: (["--since", text], "usage")
    ),
)
limits: st.SearchStrategy[Part] = st.one_of(
    st.integers(min_value=-5, max_value=1100).map(
        lambda n: (["--limit", str(n)], "done" if 1 <= n <= 1000 else "usage")
    ),
    st.sampled_from(["", "1e3", "٣", "10.0", " 5", "0x10"]).map(
        lambda text: (["--limit", text], "usage")
    ),
)
tokens: st.SearchStrategy[Part] = st.one_of(
    st.uuids().map(lambda value: (["--next-token", token_of({"id": str(value)})], "done")),
    st.sampled_from(
        [{"id": 5}, {"id": None}, {"id": "x"}, {"id": str(uuid.UUID(int=1)), "x": 1}, [], "s", {}]
    ).map(lambda key: (["--next-token", token_of(key)], "usage")),
    garbage.filter(lambda text: not text.startswith("-")).map(
        lambda text: (["--next-token", text], "usage")
    ),
)


def _combined(command: list[str], parts: list[Part], otherwise: str) -> tuple[list[str], str]:
    argv = list(command)
    for arguments, _ in parts:
        argv += arguments
    usage = any(meaning == "usage" for _, meaning in parts)
    return argv, "usage" if usage else otherwise


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[list[str], str]:
    """One command line and the meaning of the exit code docs/operating.md promises for it."""
    kind = draw(st.sampled_from(["email", "id", "list", "audit", "mailing-list", "unknown"]))
    if kind == "email":
        command = draw(st.sampled_from(["find", "export", "unsubscribe", "withdraw"]))
        email = draw(emails)
        if command == "withdraw" and email[1] == "done":
            email = ([f"x{KNOWN_EMAIL}"], "not found")  # the known person stays
        argv, meaning = _combined([command], [email], email[1])
    elif kind == "id":
        command = draw(st.sampled_from(["block", "unblock", "anonymise", "update"]))
        extra = ["--first-name", "Ali"] if command == "update" else []
        target = draw(ids)
        argv, meaning = _combined([command], [target, (extra, "done")], target[1])
        argv += ["--yes"] * draw(st.booleans())
    elif kind == "list":
        options = [draw(part) for part in (since, limits, tokens) if draw(st.booleans())]
        argv, meaning = _combined(["list"], options, "done")
    elif kind == "audit":
        options = [draw(since)] if draw(st.booleans()) else []
        if draw(st.booleans()):
            submission = draw(ids)
            done = "done" if submission[1] == "not found" else "usage"
            options.append((["--submission", *submission[0]], done))
        argv, meaning = _combined(["audit"], options, "done")
    elif kind == "mailing-list":
        argv, meaning = ["mailing-list"], "done"
    else:
        commands = {"find", "export", "unsubscribe", "withdraw", "block", "unblock"}
        commands |= {"anonymise", "update", "mailing-list", "list", "audit"}
        word = draw(garbage.filter(lambda text: not text.startswith("-") and text not in commands))
        argv, meaning = [word], "usage"
    # Now and then a table that does not exist: AWS says so, whatever the command asked.
    missing_table = draw(st.integers(0, 4)) == 0
    if missing_table and kind in {"email", "list", "mailing-list"} and meaning != "usage":
        argv, meaning = ["--table", MISSING_TABLE, *argv], "AWS failure"
    return argv, meaning


def run(stack: Stack, argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--stack", stack.name, *argv])
    return code, err.getvalue()


def test_readme_names_the_meaning_of_every_exit_code() -> None:
    assert EXIT_CODES == {"done": 0, "not found": 1, "usage": 2, "refused": 3, "AWS failure": 4}


@settings(max_examples=100)
@given(line=command_lines())
def test_cli_never_shows_a_traceback_and_exits_as_the_readme_says(
    stack: Stack, line: tuple[list[str], str]
) -> None:
    argv, meaning = line
    code, err = run(stack, argv)
    assert "Traceback" not in err
    assert code == EXIT_CODES[meaning], f"{argv!r}: {err.strip()}"

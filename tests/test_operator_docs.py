"""docs/operating.md, the operator staff's guide, documents every command, option and exit code."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from functions.operator import errors
from functions.operator.cli import build_parser
from sitecontent.policy import current_policy_version
from sitecontent.site import load_site

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
MAILTO_SUBJECT = re.compile(r"mailto:[^?\s>)]+\?subject=([^>)\n]+)")


def operator_section() -> str:
    """The operator staff's guide, docs/operating.md."""
    return (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (choices,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(choices.choices)


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_operator_docs_describe_every_command(command):
    assert f"`estimation-operator {command}" in operator_section()


@pytest.mark.parametrize(
    "option",
    sorted(
        {
            option
            for parser in subcommands().values()
            for action in parser._actions
            for option in action.option_strings
            if option.startswith("--") and option != "--help"
        }
    ),
)
def test_operator_docs_name_every_option(option):
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", operator_section())


def test_operator_docs_list_every_exit_code():
    codes = sorted(value for name, value in vars(errors).items() if name.startswith("EXIT_"))
    table = re.findall(r"^\| (\d) \|", operator_section(), flags=re.MULTILINE)

    assert [int(code) for code in table] == codes == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("language", load_site(CONTENT).languages)
def test_operator_docs_answer_every_email_subject_the_policy_invites(language):
    policy = current_policy_version(CONTENT, language).path.read_text(encoding="utf-8")
    subjects = MAILTO_SUBJECT.findall(policy)

    assert len(subjects) >= 3  # unsubscribe, update, withdraw
    for subject in subjects:
        assert subject.strip() in operator_section()

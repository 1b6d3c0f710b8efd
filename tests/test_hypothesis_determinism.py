"""One commit, one result: a property test draws the same cases whatever ran before it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Draws text and numbers the way the property tests do, under the suite's profile, after the
# given project modules were imported (as tests that ran earlier in the worker would have).
DRAW = """
import importlib, sys
import tests.conftest  # the suite's Hypothesis profile, as pytest loads it first
for name in sys.argv[1:]:
    importlib.import_module(name)
from hypothesis import given, strategies as st
drawn = []
@given(st.text(), st.integers())
def draw(text, number):
    drawn.append((text, number))
draw()
print(repr(drawn))
"""


def drawn_after(*modules: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", DRAW, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_property_draws_do_not_depend_on_what_was_imported_before():
    # Hypothesis also draws the literals of every project module loaded so far: the field
    # names, codes and messages of the function's modules would otherwise enter the draws
    # only after a test had imported them.
    alone = drawn_after()
    after_other_tests = drawn_after(
        "functions.contact.models", "functions.operator.cli", "sitegen.build", "preview.serve"
    )
    assert alone == after_other_tests

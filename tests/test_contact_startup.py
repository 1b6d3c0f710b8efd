"""The function's cold start pauses the cycle collector, and always leaves it running again."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from functions.contact.startup import long_lived_objects
from infra.deploy.packaging import ROOT


@pytest.fixture(autouse=True)
def collector_restored():
    yield
    gc.unfreeze()
    gc.enable()


def test_handler_import_leaves_the_collector_on_and_the_libraries_frozen() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, functions.contact.app; print(gc.isenabled(), gc.get_freeze_count())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    enabled, frozen = done.stdout.split()
    assert enabled == "True"
    # Powertools, boto3, pydantic and the rest: far more objects than the function's own.
    assert int(frozen) > 100_000


def test_objects_made_meanwhile_are_frozen_and_the_collector_runs_again() -> None:
    before = gc.get_freeze_count()
    with long_lived_objects():
        assert not gc.isenabled()
        made = [[index] for index in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


def test_pausing_without_freezing_freezes_nothing() -> None:
    before = gc.get_freeze_count()
    with long_lived_objects(freeze=False):
        assert not gc.isenabled()
        made = [[index] for index in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == before
    assert len(made) == 1000


def test_collector_runs_again_after_a_failure_inside() -> None:
    with pytest.raises(RuntimeError), long_lived_objects():
        raise RuntimeError("settings missing")
    assert gc.isenabled()


def test_collector_left_off_by_its_owner_stays_off() -> None:
    gc.disable()
    with long_lived_objects():
        pass
    assert not gc.isenabled()

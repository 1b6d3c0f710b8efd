"""Finding Lambda's Python (CPython 3.13) on a machine: the order, and what does not count.

Each case builds a machine of fake executables in a scratch folder: a `PATH`, a pyenv root and
perhaps uv, each Python a script answering the finder's probe as that Python would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infra.runtime_python import VARIABLE, RuntimePythonNotFound, find_runtime_python
from tests.support.tools import ROOT, require

SHIM = "#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n"


def python_script(version: str, implementation: str = "cpython", free_threaded=False) -> str:
    facts = {"implementation": implementation, "version": version, "free_threaded": free_threaded}
    return f"#!/bin/sh\necho '{json.dumps(facts)}'\n"


@dataclass
class Machine:
    """What is installed: `PATH` entries, pyenv's versions, uv's answer, the variable."""

    on_path: dict[str, str] = field(default_factory=dict)
    pyenv: dict[str, str] = field(default_factory=dict)
    uv_finds: str | None = None
    variable: str | None = None


def executable(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path


def lay_out(machine: Machine, root: Path) -> dict[str, str]:
    """Create the machine's files under `root`; return the environment that sees them."""
    bin_dir = root / "bin"
    bin_dir.mkdir()
    for name, script in machine.on_path.items():
        executable(bin_dir / name, script)
    for version, script in machine.pyenv.items():
        executable(root / "pyenv" / "versions" / version / "bin" / "python3.13", script)
    if machine.uv_finds is not None:
        found = executable(root / "uv-pythons" / "python3.13", machine.uv_finds)
        uv = f'#!/bin/sh\n[ "$*" = "python find 3.13" ] && echo {found} && exit 0\nexit 2\n'
        executable(bin_dir / "uv", uv)
    environ = {"PATH": str(bin_dir), "HOME": str(root / "home"), "PYENV_ROOT": str(root / "pyenv")}
    if machine.variable is not None:
        environ[VARIABLE] = machine.variable.format(root=root)
    return environ


CASES = {
    "variable names a working 3.13": (
        Machine(on_path={"python3.13": python_script("3.13.1")}, variable="{root}/custom/python"),
        ("custom/python", VARIABLE),
    ),
    "python3.13 on the PATH that runs": (
        Machine(
            on_path={"python3.13": python_script("3.13.1")},
            pyenv={"3.13.0": python_script("3.13.0")},
        ),
        ("bin/python3.13", "python3.13 on the PATH"),
    ),
    "pyenv shim that exits 127, pyenv has the version": (
        Machine(on_path={"python3.13": SHIM}, pyenv={"3.13.0": python_script("3.13.0")}),
        ("pyenv/versions/3.13.0/bin/python3.13", "pyenv's 3.13.0"),
    ),
    "pyenv's newest release, not a dev or free-threaded build": (
        Machine(
            pyenv={
                "3.13.0": python_script("3.13.0"),
                "3.13.2": python_script("3.13.2"),
                "3.13.10t": python_script("3.13.10", free_threaded=True),
                "3.13-dev": python_script("3.13.11"),
                "3.12.1": python_script("3.12.1"),
            }
        ),
        ("pyenv/versions/3.13.2/bin/python3.13", "pyenv's 3.13.2"),
    ),
    "pyenv without the version, uv has it": (
        Machine(
            on_path={"python3.13": SHIM},
            pyenv={"3.12.1": python_script("3.12.1")},
            uv_finds=python_script("3.13.3"),
        ),
        ("uv-pythons/python3.13", "uv python find"),
    ),
    "a python3.13 that is another version is passed over": (
        Machine(
            on_path={"python3.13": python_script("3.12.9")},
            pyenv={"3.13.0": python_script("3.13.0")},
        ),
        ("pyenv/versions/3.13.0/bin/python3.13", "pyenv's 3.13.0"),
    ),
}


@pytest.mark.parametrize(("machine", "expected"), CASES.values(), ids=CASES.keys())
def test_runtime_python_found_in_order(
    machine: Machine, expected: tuple[str, str], tmp_path: Path
) -> None:
    if machine.variable:
        executable(tmp_path / "custom" / "python", python_script("3.13.1"))
    environ = lay_out(machine, tmp_path)

    found = find_runtime_python(environ=environ)

    where, found_by = expected
    assert (Path(found.path), found.found_by) == (tmp_path / where, found_by)
    assert found.version.startswith("3.13.")
    assert found.path in found.describe() and found.version in found.describe()


MISSING = {
    "nothing at all": (Machine(), "no CPython 3.13 found"),
    "only a shim and other versions": (
        Machine(on_path={"python3.13": SHIM}, pyenv={"3.12.1": python_script("3.12.1")}),
        "python3.13 does not run",
    ),
    "PyPy of the version": (
        Machine(on_path={"python3.13": python_script("3.13.0", implementation="pypy")}),
        "is not a standard CPython build",
    ),
    "variable names another version, though pyenv has 3.13": (
        Machine(pyenv={"3.13.0": python_script("3.13.0")}, variable="{root}/bin/python3.12"),
        f"{VARIABLE}=",
    ),
    "variable names nothing that runs": (
        Machine(pyenv={"3.13.0": python_script("3.13.0")}, variable="{root}/nowhere/python"),
        "does not run",
    ),
}


@pytest.mark.parametrize(("machine", "reason"), MISSING.values(), ids=MISSING.keys())
def test_runtime_python_missing_says_where_it_looked(
    machine: Machine, reason: str, tmp_path: Path
) -> None:
    environ = lay_out(machine, tmp_path)
    executable(tmp_path / "bin" / "python3.12", python_script("3.12.1"))

    with pytest.raises(RuntimePythonNotFound) as missing:
        find_runtime_python(environ=environ)

    assert reason in str(missing.value)


def test_runtime_python_pyenv_root_defaults_to_home(tmp_path: Path) -> None:
    executable(
        tmp_path / ".pyenv" / "versions" / "3.13.4" / "bin" / "python3.13", python_script("3.13.4")
    )
    environ = {"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)}

    assert find_runtime_python(environ=environ).version == "3.13.4"


def test_runtime_python_command_prints_the_path_or_the_reason(tmp_path: Path) -> None:
    python = executable(tmp_path / "bin" / "python3.13", python_script("3.13.5"))
    command = [sys.executable, "-m", "infra.runtime_python"]
    base = {"HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv")}

    found = subprocess.run(
        command, env={**base, "PATH": str(python.parent)}, cwd=ROOT, capture_output=True, text=True
    )
    missing = subprocess.run(
        command,
        env={**base, "PATH": str(tmp_path / "empty")},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert (found.returncode, found.stdout.strip()) == (0, str(python))
    assert missing.returncode == 1 and "no CPython 3.13 found" in missing.stderr


def test_runtime_python_is_on_this_machine() -> None:
    # The deploy's bytecode and `./dev test`'s second pass need it: CI fails without it.
    try:
        found = find_runtime_python()
    except RuntimePythonNotFound as missing:
        require(False, str(missing))
    assert found.version.startswith("3.13.")

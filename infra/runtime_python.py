"""Find this machine's CPython of Lambda's runtime version (3.13), for bytecode and tests.

The deploy writes the zip's bytecode with it, and `./dev test` runs the function's tests on it.
Where to look, in order:

1. `ESTIMATION_RUNTIME_PYTHON`: a path or command name. Set, it must be that version: a wrong
   one is an error, never a quiet fall-through to another Python.
2. `python3.13` on the `PATH`, if it runs: a version manager's shim can be there without the
   version behind it (pyenv's exits 127 when its global version is another).
3. pyenv's installed 3.13.x, newest first: `$PYENV_ROOT/versions/3.13.N` (`~/.pyenv` without
   the variable), which is where `pyenv root` and `pyenv prefix 3.13.N` point.
4. uv's: `uv python find 3.13`, when uv is installed.

Standard library only: `./dev` runs it before anything is installed, as
`python -m infra.runtime_python`, which prints the interpreter's path (exit 0) or why none was
found (exit 1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# Must match the template's ContactFunction `Runtime: python3.13`.
RUNTIME_VERSION = "3.13"
VARIABLE = "ESTIMATION_RUNTIME_PYTHON"
# Run in each candidate: what it is, exactly. A free-threaded build has the same version but
# another ABI (cp313t wheels), so it is not Lambda's.
_PROBE = (
    "import json, sys, sysconfig; print(json.dumps({'implementation': sys.implementation.name, "
    "'version': '%d.%d.%d' % sys.version_info[:3], "
    "'free_threaded': bool(sysconfig.get_config_var('Py_GIL_DISABLED'))}))"
)
_PROBE_SECONDS = 30


@dataclass(frozen=True)
class RuntimePython:
    """A CPython of the runtime's version, and how it was found."""

    path: str
    version: str
    found_by: str

    def describe(self) -> str:
        return f"CPython {self.version} at {self.path} ({self.found_by})"


class RuntimePythonNotFound(Exception):
    """No usable CPython of the runtime's version; the message says where it looked."""


def _probe(command: str) -> dict | None:
    try:
        done = subprocess.run(
            [command, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=_PROBE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _check(command: str, version: str, found_by: str) -> RuntimePython | str:
    """The interpreter if it is CPython `version`, else why not."""
    facts = _probe(command)
    if facts is None:
        return f"{command} does not run"
    if facts.get("implementation") != "cpython" or facts.get("free_threaded"):
        return f"{command} is not a standard CPython build"
    if not str(facts.get("version", "")).startswith(f"{version}."):
        return f"{command} is Python {facts.get('version')}, not {version}"
    return RuntimePython(command, facts["version"], found_by)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split("."))


def _pyenv_candidates(version: str, environ: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    root = Path(environ.get("PYENV_ROOT") or Path(environ.get("HOME") or Path.home()) / ".pyenv")
    # Releases only (3.13.0, 3.13.1, ...): not 3.13-dev, 3.13.0t or a virtualenv's name.
    pattern = re.compile(rf"{re.escape(version)}\.\d+")
    installed = [
        entry.name
        for entry in (root / "versions").glob(f"{version}.*")
        if pattern.fullmatch(entry.name)
    ]
    for name in sorted(installed, key=_version_key, reverse=True):
        yield str(root / "versions" / name / "bin" / f"python{version}"), f"pyenv's {name}"


def _uv_candidate(version: str, path: str | None) -> Iterator[tuple[str, str]]:
    uv = shutil.which("uv", path=path)
    if uv is None:
        return
    try:
        done = subprocess.run(
            [uv, "python", "find", version],
            capture_output=True,
            text=True,
            timeout=_PROBE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return
    if done.returncode == 0 and done.stdout.strip():
        yield done.stdout.strip().splitlines()[-1], "uv python find"


def find_runtime_python(
    version: str = RUNTIME_VERSION, environ: Mapping[str, str] | None = None
) -> RuntimePython:
    """The CPython `version` this machine has, by the order above; or `RuntimePythonNotFound`."""
    environ = os.environ if environ is None else environ
    named = environ.get(VARIABLE, "").strip()
    if named:
        found = _check(shutil.which(named, path=environ.get("PATH")) or named, version, VARIABLE)
        if isinstance(found, RuntimePython):
            return found
        raise RuntimePythonNotFound(f"{VARIABLE}={named}: {found}")
    tried = []
    on_path = shutil.which(f"python{version}", path=environ.get("PATH"))
    candidates: list[Iterator[tuple[str, str]]] = [
        iter([(on_path, f"python{version} on the PATH")] if on_path else []),
        _pyenv_candidates(version, environ),
        _uv_candidate(version, environ.get("PATH")),
    ]
    for source in candidates:
        for command, found_by in source:
            found = _check(command, version, found_by)
            if isinstance(found, RuntimePython):
                return found
            tried.append(found)
    looked = f"{VARIABLE}, python{version} on the PATH, pyenv's versions, uv"
    detail = f" ({'; '.join(tried)})" if tried else ""
    raise RuntimePythonNotFound(f"no CPython {version} found: looked at {looked}{detail}")


def main() -> int:
    try:
        found = find_runtime_python()
    except RuntimePythonNotFound as missing:
        print(missing, file=sys.stderr)
        return 1
    print(found.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

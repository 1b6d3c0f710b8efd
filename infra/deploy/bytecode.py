"""Bytecode for the function's zip, written by the runtime's own Python.

Lambda unpacks the zip read-only, so Python cannot cache what it compiles there: without
bytecode in the zip, every cold start compiles every module again (over a second on a
development machine, `./dev bench contact`). Bytecode is specific to a Python minor version, so
only the runtime's version can write bytecode Lambda will use (`infra/runtime_python.py` finds
it); when the machine deploying has none, the zip goes without.

The files are unchecked-hash bytecode: Python loads them without reading or hashing the source,
and they hold no timestamps, so the same sources and the same Python give the same bytes. The
file names inside point where Lambda unpacks the code, so tracebacks name real paths.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from infra.deploy.errors import DeployError

LAMBDA_TASK_ROOT = "/var/task"

# Runs in the compiling Python: compiles each (source, entry name) pair in parallel and prints
# the bytecode's entry names beside the files written.
_COMPILE = """
import json, os, py_compile, sys
from concurrent.futures import ProcessPoolExecutor

def compile_one(job):
    # A file this Python cannot compile cannot be imported by it either: left as source.
    source, name, work, task_root = job
    folder, _, file_name = name.rpartition("/")
    pyc_file = f"{file_name[:-3]}.{sys.implementation.cache_tag}.pyc"
    pyc_name = "/".join(filter(None, (folder, "__pycache__", pyc_file)))
    try:
        py_compile.compile(
            source,
            cfile=os.path.join(work, pyc_name),
            dfile=f"{task_root}/{name}",
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError:
        return None
    return pyc_name

if __name__ == "__main__":
    jobs, work, task_root = json.load(sys.stdin)
    with ProcessPoolExecutor() as pool:
        names = list(pool.map(compile_one, [(*job, work, task_root) for job in jobs], chunksize=32))
    print(json.dumps([name for name in names if name]))
"""


def python_identity(python: str) -> str:
    """The exact version of `python`: the bytecode it writes depends on it."""
    result = subprocess.run(
        [python, "-c", "import sys; print(sys.implementation.cache_tag, sys.version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DeployError(f"{python} does not run: {result.stderr.strip()}")
    return result.stdout.strip()


def compile_entries(entries: dict[str, Path], python: str, work: Path) -> dict[str, Path]:
    """Compile the `.py` entries with `python` into `work`; return the bytecode's entries."""
    jobs = [(str(path), name) for name, path in sorted(entries.items()) if name.endswith(".py")]
    # `python` runs the script as a file, so its worker processes can import it.
    script = work / "compile_entries.py"
    work.mkdir(parents=True, exist_ok=True)
    script.write_text(_COMPILE, encoding="utf-8")
    result = subprocess.run(
        [python, str(script)],
        input=json.dumps([jobs, str(work / "bytecode"), LAMBDA_TASK_ROOT]),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DeployError(f"compiling the function's bytecode failed:\n{result.stderr[-4000:]}")
    return {name: work / "bytecode" / name for name in json.loads(result.stdout)}

"""Answer one request in a fresh interpreter, from the repository or from the function's package.

From the package, the interpreter sees nothing but the package and the standard library (no
site-packages, no repository), as Lambda sees only what it unpacked: a file the zip lacks fails
here too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preview.lambda_events import LOCAL_REGION, LocalLambdaContext, http_api_event

ROOT = Path(__file__).resolve().parents[2]

# Its own clock starts before the handler's import: what follows is the part of a cold start
# this code controls (Lambda's own runtime start comes on top). The last line printed is the
# figures.
# The event and the context's attributes come as JSON (`preview.lambda_events` built them),
# as the package holds no test code to build them with.
FIRST_REQUEST = """
import time
started = time.perf_counter()
import json, sys, types
from functions.contact.app import handler
imported = time.perf_counter()
answer = handler(json.loads(sys.argv[1]), types.SimpleNamespace(**json.loads(sys.argv[2])))
answered = time.perf_counter()
print(json.dumps({
    "status": answer["statusCode"],
    "body": answer["body"],
    "import_ms": (imported - started) * 1e3,
    "total_ms": (answered - started) * 1e3,
    **traced(),
}))
"""
# With `trace`: every file the interpreter opens (modules and data alike), from its start.
TRACE = """
import sys
opened = set()
sys.addaudithook(lambda event, args: opened.add(args[0]) if event == "open" else None)
def traced():
    modules = {name: getattr(module, "__file__", None) for name, module in sys.modules.items()}
    files = sorted(path for path in opened if isinstance(path, str))
    return {"modules": {n: f for n, f in modules.items() if f}, "opened": files}
"""
NO_TRACE = """
def traced():
    return {}
"""
# The notifier's first batch, from the same package: a stream event in, its message ids out.
FIRST_BATCH = """
import json, sys, types
from functions.notify.app import handler
handler(json.loads(sys.argv[1]), types.SimpleNamespace(**json.loads(sys.argv[2])))
print(json.dumps(traced()))
"""


@dataclass(frozen=True)
class FirstBatch:
    """What the notifier's first batch imported and opened, and everything it printed."""

    output: str
    modules: dict[str, str]
    opened: list[str]


@dataclass(frozen=True)
class FirstAnswer:
    status: int
    body: dict[str, Any]
    import_ms: float
    total_ms: float
    # From process start, interpreter start included.
    wall_ms: float
    # Everything the function printed: its log lines and metrics, then the figures.
    output: str
    # With `trace`: each module imported, by name, with its file; each file opened.
    modules: dict[str, str] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)


def answer_first_request(
    environment: dict[str, str],
    fields: dict[str, Any],
    package: Path | None = None,
    write_bytecode: bool = True,
    trace: bool = False,
) -> FirstAnswer:
    """Post `fields` as JSON to a fresh interpreter's handler, from `package` or the repository.

    `write_bytecode=False` runs as from a read-only folder without bytecode, as Lambda runs a
    zip that ships none: each module is compiled again at each start. `trace` records what the
    interpreter imported and opened (and costs the figures a little).
    """
    event = http_api_event(
        "POST", "/api/contact", json.dumps(fields), {"content-type": "application/json"}
    )
    script = (TRACE if trace else NO_TRACE) + FIRST_REQUEST
    started = time.perf_counter()
    done = _run_in_package(
        script, environment, event, LocalLambdaContext(), package, write_bytecode
    )
    wall_ms = (time.perf_counter() - started) * 1e3
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return FirstAnswer(
        status=figures["status"],
        body=json.loads(figures["body"]),
        import_ms=figures["import_ms"],
        total_ms=figures["total_ms"],
        wall_ms=wall_ms,
        output=done.stdout,
        modules=figures.get("modules", {}),
        opened=figures.get("opened", []),
    )


def _run_in_package(
    script: str,
    environment: dict[str, str],
    event: dict,
    context: LocalLambdaContext,
    package: Path | None,
    write_bytecode: bool = True,
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # Lambda sets the region; the template does not.
        "AWS_REGION": LOCAL_REGION,
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        **environment,
        "PYTHONPATH": str(package or ROOT),
    }
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    # -S: no site-packages, so the package must bring every dependency; Lambda runs the code
    # from the folder it unpacked, which is also the working directory.
    command = [sys.executable, *(["-S"] if package else []), "-c", script]
    attributes = vars(context).copy()
    attributes.pop("deadline")  # this process's clock; the handler never asks for the time left
    done = subprocess.run(
        [*command, json.dumps(event), json.dumps(attributes)],
        env=env,
        cwd=package or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"the function did not answer:\n{done.stderr[-4000:]}")
    return done


def notify_first_batch(environment: dict[str, str], event: dict, package: Path) -> FirstBatch:
    """Hand the notifier in `package` one stream event in a fresh interpreter, traced."""
    context = LocalLambdaContext("notify-local", memory_limit_in_mb=256)
    done = _run_in_package(TRACE + FIRST_BATCH, environment, event, context, package, False)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return FirstBatch(done.stdout, figures["modules"], figures["opened"])

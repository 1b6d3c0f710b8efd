"""Answer one request in a fresh interpreter, from the repository or from the function's package.

From the package, the interpreter sees nothing but the package and the standard library (no
site-packages, no repository), as Lambda sees only what it unpacked: a file the zip lacks fails
here too.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.deploy.packaging import HOST, Target
from preview.lambda_events import LOCAL_REGION, LocalLambdaContext, http_api_event

ROOT = Path(__file__).resolve().parents[2]
# Wheels this machine's glibc (Debian 12: 2.36) loads, newest last.
MANYLINUX_TAGS = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")

# Its own clock starts before the handler's import: what follows is the part of a cold start
# this code controls (Lambda's own runtime start comes on top). The last line printed is the
# figures.
# The event and the context's attributes come as JSON (`preview.lambda_events` built them),
# as the package holds no test code to build them with.
FIRST_REQUEST = """
import time
started, started_cpu = time.perf_counter(), time.process_time()
import json, sys, types
from functions.contact.app import handler
imported = time.perf_counter()
answer = handler(json.loads(sys.argv[1]), types.SimpleNamespace(**json.loads(sys.argv[2])))
answered, answered_cpu = time.perf_counter(), time.process_time()
print(json.dumps({
    "status": answer["statusCode"],
    "body": answer["body"],
    "import_ms": (imported - started) * 1e3,
    "total_ms": (answered - started) * 1e3,
    "total_cpu_ms": (answered_cpu - started_cpu) * 1e3,
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

# The staff API's first request, from the same package: an event in, its status out.
FIRST_STAFF_REQUEST = """
import json, sys, types
from functions.staff.app import handler
answer = handler(json.loads(sys.argv[1]), types.SimpleNamespace(**json.loads(sys.argv[2])))
print(json.dumps({"status": answer["statusCode"], "body": answer["body"], **traced()}))
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
    # The same span in this process's CPU time: what other processes' load hardly changes.
    total_cpu_ms: float
    # From process start, interpreter start included.
    wall_ms: float
    # Everything the function printed: its log lines and metrics, then the figures.
    output: str
    # With `trace`: each module imported, by name, with its file; each file opened.
    modules: dict[str, str] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)


def local_target(python_version: str) -> Target:
    """This machine's wheels for a CPython version, to run the package here with that Python."""
    if python_version == HOST.python_version:
        return HOST
    machine = platform.machine()
    return Target(python_version, tuple(f"{tag}_{machine}" for tag in MANYLINUX_TAGS))


def _lambda_like_environment(
    environment: dict[str, str], package: Path | None, write_bytecode: bool
) -> dict[str, str]:
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
    return env


def _context_json(context: LocalLambdaContext | None = None) -> str:
    context = vars(context or LocalLambdaContext()).copy()
    context.pop("deadline")  # this process's clock; the handler never asks for the time left
    return json.dumps(context)


def _submission_event(fields: dict[str, Any]) -> dict[str, Any]:
    return http_api_event(
        "POST", "/api/contact", json.dumps(fields), {"content-type": "application/json"}
    )


def run_in_package(
    script: str,
    arguments: list[str],
    environment: dict[str, str],
    package: Path | None,
    python: str,
    write_bytecode: bool = True,
) -> tuple[dict[str, Any], str, float]:
    """Run `script` in a fresh interpreter as Lambda would; its last line's figures, all output."""
    # -S: no site-packages, so the package must bring every dependency; Lambda runs the code
    # from the folder it unpacked, which is also the working directory.
    command = [python, *(["-S"] if package else []), "-c", script, *arguments]
    started = time.perf_counter()
    done = subprocess.run(
        command,
        env=_lambda_like_environment(environment, package, write_bytecode),
        cwd=package or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall_ms = (time.perf_counter() - started) * 1e3
    if done.returncode != 0:
        raise AssertionError(f"the function did not answer:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout, wall_ms


def answer_first_request(
    environment: dict[str, str],
    fields: dict[str, Any],
    package: Path | None = None,
    write_bytecode: bool = True,
    trace: bool = False,
    python: str = sys.executable,
) -> FirstAnswer:
    """Post `fields` as JSON to a fresh interpreter's handler, from `package` or the repository.

    `write_bytecode=False` runs as from a read-only folder without bytecode, as Lambda runs a
    zip that ships none: each module is compiled again at each start. `trace` records what the
    interpreter imported and opened (and costs the figures a little). `python` runs it: this
    machine's, or another version (with a package staged for it).
    """
    script = (TRACE if trace else NO_TRACE) + FIRST_REQUEST
    event = json.dumps(_submission_event(fields))
    figures, output, wall_ms = run_in_package(
        script, [event, _context_json()], environment, package, python, write_bytecode
    )
    return FirstAnswer(
        status=figures["status"],
        body=json.loads(figures["body"]),
        import_ms=figures["import_ms"],
        total_ms=figures["total_ms"],
        total_cpu_ms=figures["total_cpu_ms"],
        wall_ms=wall_ms,
        output=output,
        modules=figures.get("modules", {}),
        opened=figures.get("opened", []),
    )


# A page view's warm-up, a pause while the visitor types, then their submission: the
# submission's own time is what they wait for.
WARMED_REQUEST = """
import json, sys, time, types
from functions.contact.app import handler
warm_up, submission = json.loads(sys.argv[1])
context = types.SimpleNamespace(**json.loads(sys.argv[2]))
warmed = handler(warm_up, context)
time.sleep(float(sys.argv[3]))
started = time.perf_counter()
answer = handler(submission, context)
answered = time.perf_counter()
print(json.dumps({
    "warm_up_status": warmed["statusCode"],
    "status": answer["statusCode"],
    "body": answer["body"],
    "submission_ms": (answered - started) * 1e3,
}))
"""
# The AWS calls a cache window's first submission cannot do without, from clients made as the
# function makes them (and made before the pause, as the warm-up makes them): a data key, the
# email's MAC, the conditional write of an item of the function's shape.
BARE_FIRST_CALLS = """
import base64, json, os, sys, time, uuid
import boto3
from botocore.config import Config
item = json.loads(sys.argv[1])
config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"})
session = boto3.Session()
kms, dynamodb = session.client("kms", config=config), session.client("dynamodb", config=config)
time.sleep(float(sys.argv[2]))
started = time.perf_counter()
kms.generate_data_key(
    KeyId=os.environ["DATA_KEY_ARN"],
    NumberOfBytes=32,
    EncryptionContext={"purpose": "contact-form-submission"},
)
mac = kms.generate_mac(
    KeyId=os.environ["EMAIL_HASH_KEY_ARN"], Message=b"bench@example.kz", MacAlgorithm="HMAC_SHA_256"
)["Mac"]
item.update(id={"S": str(uuid.uuid4())}, email_hash={"S": base64.urlsafe_b64encode(mac).decode()})
dynamodb.put_item(
    TableName=os.environ["SUBMISSIONS_TABLE"],
    Item=item,
    ConditionExpression="attribute_not_exists(id)",
)
print(json.dumps({"calls_ms": (time.perf_counter() - started) * 1e3}))
"""


def submission_after_warm_up(
    environment: dict[str, str],
    fields: dict[str, Any],
    package: Path,
    python: str,
    pause_seconds: float,
) -> tuple[int, int, float]:
    """A fresh instance warmed up, then after a pause sent `fields`: both statuses, its ms."""
    events = [http_api_event("GET", "/api/warm-up", None, {}), _submission_event(fields)]
    figures, _, _ = run_in_package(
        WARMED_REQUEST,
        [json.dumps(events), _context_json(), str(pause_seconds)],
        environment,
        package,
        python,
    )
    return figures["warm_up_status"], figures["status"], figures["submission_ms"]


def bare_first_calls(
    environment: dict[str, str],
    item: dict[str, Any],
    package: Path,
    python: str,
    pause_seconds: float,
) -> float:
    """The milliseconds of the calls a first submission needs, from a fresh process's clients."""
    figures, _, _ = run_in_package(
        BARE_FIRST_CALLS, [json.dumps(item), str(pause_seconds)], environment, package, python
    )
    return figures["calls_ms"]


def notify_first_batch(environment: dict[str, str], event: dict, package: Path) -> FirstBatch:
    """Hand the notifier in `package` one stream event in a fresh interpreter, traced."""
    context = LocalLambdaContext("notify-local", memory_limit_in_mb=256)
    figures, output, _ = run_in_package(
        TRACE + FIRST_BATCH,
        [json.dumps(event), _context_json(context)],
        environment,
        package,
        sys.executable,
        write_bytecode=False,
    )
    return FirstBatch(output, figures["modules"], figures["opened"])


def staff_first_request(environment: dict[str, str], event: dict, package: Path) -> FirstBatch:
    """Hand the staff API in `package` one request in a fresh interpreter, traced.

    Its status and body come as the batch's output's last line.
    """
    context = LocalLambdaContext("staff-local")
    figures, _, _ = run_in_package(
        TRACE + FIRST_STAFF_REQUEST,
        [json.dumps(event), _context_json(context)],
        environment,
        package,
        sys.executable,
        write_bytecode=False,
    )
    return FirstBatch(json.dumps(figures), figures["modules"], figures["opened"])

"""What the functions' zip holds: what the handlers run and read, and nothing else.

One zip serves the template's functions: the form (`functions.contact.app.handler`), the
notifier (`functions.notify.app.handler`) and the staff API (`functions.staff.app.handler`).

- The project's modules the handlers import, directly or not: followed from each handler the
  template names, through every `import` of project code (those under `if TYPE_CHECKING:`
  aside). The operator CLI, the OpenAPI writer and the test helpers are never imported by a
  handler, so they stay out, without a list saying so.
- The installed dependencies, less what no handler imports (`NEVER_IMPORTED`) and botocore's
  data for services the function never calls.
- The content files the content model reads (`sitecontent.model_files`).

`tests/test_deploy_packaging.py` runs the staged package in a fresh interpreter and compares
what it imported and opened with what the zip holds, both ways.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from infra.cloudformation import load_template
from sitecontent import model_files

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_PARTS = frozenset({"__pycache__", "bin"})
# Installed with what the handlers import, yet never imported by them: top-level entries of
# the installed dependencies, and why each is there.
NEVER_IMPORTED = {
    "attrs": "the attrs distribution's second name for `attr`, which the Encryption SDK imports",
    "cffi": "cffi's Python side, for building bindings: cryptography loads only `_cffi_backend`",
    "pycparser": "the C parser cffi builds bindings with, at install time",
    "dns": "dnspython, for email-validator's deliverability check, which the form never asks for",
    "wrapt-stubs": "wrapt's type stubs",
}
# The AWS services the functions call: the form's store writes to DynamoDB; the email hash and
# the Encryption SDK's data keys come from KMS; the notifier publishes to SNS; the staff API
# asks Cognito whether a session still stands. botocore lists
# every service folder it ships when it builds its first client, so the other 400 would cost
# each cold start ~40 ms (and 25 MB).
AWS_SERVICES = frozenset({"cognito-idp", "dynamodb", "kms", "sns"})
SERVICE_DATA_FOLDERS = ("botocore/data/", "boto3/data/")
ENDPOINTS = "botocore/data/endpoints.json"


def handler_modules(template: dict | None = None) -> list[str]:
    """The modules Lambda imports first: each function's `Handler` in the template."""
    resources = (template or load_template())["Resources"].values()
    return sorted(
        resource["Properties"]["Handler"].rpartition(".")[0]
        for resource in resources
        if resource["Type"] == "AWS::Lambda::Function"
    )


def _module_file(name: str, root: Path) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_nodes(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            yield from (n for other in child.orelse for n in [other, *_run_time_nodes(other)])
            continue
        yield child
        yield from _run_time_nodes(child)


def imported_names(path: Path) -> set[str]:
    """Every absolute module name a module imports when it runs, at any depth.

    `from a import b` names `a` and `a.b`, which may be a module or only an attribute.
    """
    names: set[str] = set()
    for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def project_modules(entry_modules: Iterable[str], root: Path = ROOT) -> dict[str, Path]:
    """The project's modules `entry_modules` import, directly or not, by name.

    Importing a module runs its packages' `__init__` first, so those are in too.
    """
    found: dict[str, Path] = {}
    pending = list(entry_modules)
    while pending:
        parts = pending.pop().split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            if name in found:
                continue
            path = _module_file(name, root)
            if path is None:
                break  # not the project's: the standard library or a dependency
            found[name] = path
            pending.extend(imported_names(path))
    return found


def _files_under(folder: Path) -> dict[str, Path]:
    return {
        path.relative_to(folder).as_posix(): path
        for path in folder.rglob("*")
        if path.is_file()
        and not SKIPPED_PARTS & set(path.relative_to(folder).parts)
        and path.suffix != ".pyc"
    }


def is_unused_service_data(name: str) -> bool:
    """Whether a zip entry is botocore's or boto3's data for a service the function never calls."""
    for folder in SERVICE_DATA_FOLDERS:
        if name.startswith(folder):
            service, separator, _ = name.removeprefix(folder).partition("/")
            # Files directly in the folder (endpoints, partitions, retries) serve every service.
            return bool(separator) and service not in AWS_SERVICES
    return False


def _unused_distributions(dependencies: Path) -> set[str]:
    # A distribution whose every top-level entry is unused goes with its metadata.
    unused = set()
    for record in dependencies.glob("*.dist-info/RECORD"):
        lines = record.read_text(encoding="utf-8").splitlines()
        tops = {line.split(",", 1)[0].split("/", 1)[0] for line in lines if line}
        tops = {top for top in tops if top != ".." and not top.endswith(".dist-info")}
        if tops and {top.split(".", 1)[0] for top in tops} <= NEVER_IMPORTED.keys():
            unused.add(record.parent.name)
    return unused


def pruned_endpoints(source: Path, destination: Path) -> Path:
    """botocore's endpoint data, with only the services the function calls; written once.

    Every new botocore session parses the whole file (1.2 MB, about 20 ms of each cold start
    on a development machine), though the function's clients find theirs in each service's
    endpoint rules; the partitions, their regions and defaults stay whole.
    """
    if destination.is_file():
        return destination
    data = json.loads(source.read_text(encoding="utf-8"))
    for partition in data["partitions"]:
        partition["services"] = {
            service: endpoints
            for service, endpoints in partition["services"].items()
            if service in AWS_SERVICES
        }
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Beside and renamed, so a concurrent packager never reads half a file; same bytes each time.
    partial = destination.with_name(f".{destination.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    partial.replace(destination)
    return destination


def dependency_entries(dependencies: Path) -> dict[str, Path]:
    """The installed dependencies' files the zip holds, by name inside the zip."""
    unused = NEVER_IMPORTED.keys() | _unused_distributions(dependencies)
    entries = {
        name: path
        for name, path in _files_under(dependencies).items()
        if name.split("/", 1)[0] not in unused and not is_unused_service_data(name)
    }
    if ENDPOINTS in entries:
        # Derived files live beside the installed set, which stays as pip left it.
        derived = dependencies.with_name(f"{dependencies.name}-derived")
        entries[ENDPOINTS] = pruned_endpoints(entries[ENDPOINTS], derived / ENDPOINTS)
    return entries


def package_entries(
    content_dir: Path, dependencies: Path, handlers: Iterable[str] | None = None
) -> dict[str, Path]:
    """Every file the zip holds, by its name inside the zip."""
    entries = dependency_entries(dependencies)
    for path in project_modules(handler_modules() if handlers is None else handlers).values():
        entries[path.relative_to(ROOT).as_posix()] = path
    for path in model_files(content_dir):
        entries[f"content/{path.relative_to(content_dir).as_posix()}"] = path
    return entries

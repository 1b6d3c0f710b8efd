"""Bytecode in the function's zip, so Lambda's read-only unpacked code is not compiled anew at
each cold start.

Only the runtime's Python (3.13) writes bytecode Lambda uses, and this machine has 3.11: these
tests have this machine's Python stand in for it, which checks everything but the version.
"""

from __future__ import annotations

import marshal
import sys
import zipfile
from pathlib import Path

import boto3
import pytest

from infra.deploy.bytecode import LAMBDA_TASK_ROOT
from infra.deploy.packaging import ROOT, Artefact, package_function, stage_function
from tests.support.contact import valid_fields
from tests.support.packaged import answer_first_request
from tests.support.stack import function_environment, stack_on_moto_server

TAG = sys.implementation.cache_tag
UNCHECKED_HASH_FLAGS = 0b01  # hash-based, source never checked


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Artefact:
    build = tmp_path_factory.mktemp("build")
    return package_function(ROOT / "content", build, bytecode_python=sys.executable)


def test_zip_carries_bytecode_of_the_code_and_its_libraries(compiled: Artefact) -> None:
    names = set(zipfile.ZipFile(compiled.path).namelist())
    assert {
        f"functions/contact/__pycache__/app.{TAG}.pyc",
        f"functions/contact/__pycache__/submissions.{TAG}.pyc",
        f"sitecontent/__pycache__/site.{TAG}.pyc",
        f"pydantic/__pycache__/main.{TAG}.pyc",
        f"botocore/__pycache__/client.{TAG}.pyc",
        f"aws_encryption_sdk/__pycache__/__init__.{TAG}.pyc",
    } <= names
    # Every module beside its bytecode: the sources stay for tracebacks.
    compiled_sources = {
        f"{folder}{name.removesuffix(f'.{TAG}.pyc')}.py"
        for folder, name in (n.rpartition("__pycache__/")[::2] for n in names if n.endswith(".pyc"))
    }
    assert {n for n in names if n.endswith(".py")} == compiled_sources
    assert compiled.bytecode.startswith(TAG)


def test_bytecode_is_loaded_without_the_source_and_names_lambdas_paths(
    compiled: Artefact,
) -> None:
    data = zipfile.ZipFile(compiled.path).read(f"functions/contact/__pycache__/app.{TAG}.pyc")
    assert int.from_bytes(data[4:8], "little") == UNCHECKED_HASH_FLAGS
    code = marshal.loads(data[16:])
    assert code.co_filename == f"{LAMBDA_TASK_ROOT}/functions/contact/app.py"


def test_zip_with_bytecode_rebuilt_elsewhere_is_byte_identical(
    compiled: Artefact, tmp_path: Path
) -> None:
    again = package_function(ROOT / "content", tmp_path, bytecode_python=sys.executable)
    assert again.path != compiled.path
    assert again.sha256 == compiled.sha256


def test_packaged_function_runs_its_bytecode_not_its_sources(tmp_path: Path) -> None:
    package = stage_function(ROOT / "content", tmp_path / "task", bytecode_python=sys.executable)
    # Were any of these compiled again from source, the function would fail to start.
    for module in (
        "functions/contact/app.py",
        "functions/contact/api.py",
        "functions/contact/submissions.py",
        "functions/personal_data.py",
    ):
        (package / module).write_text(
            "raise RuntimeError('compiled from source')\n", encoding="utf-8"
        )
    with stack_on_moto_server("bytecode-function") as (endpoint, outputs):
        first = answer_first_request(
            function_environment(endpoint, outputs), valid_fields(), package, write_bytecode=False
        )
        table = outputs["SubmissionsTableName"]
        items = boto3.client("dynamodb", endpoint_url=endpoint).scan(TableName=table)["Items"]
    assert first.status == 201, first.body
    assert [item["id"]["S"] for item in items] == [first.body["id"]]

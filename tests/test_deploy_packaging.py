"""The function's zip: arm64 manylinux dependencies, the code and content it reads, stable bytes.

The zip holds what the handler runs and reads, and nothing else: the packaged function runs in
an interpreter that sees nothing but the package, and what it imports and opens is compared
with what the package holds. The dependencies come from PyPI once; later runs reuse the
installed set from the cache.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from infra.deploy.function_files import AWS_SERVICES, NEVER_IMPORTED, package_entries
from infra.deploy.packaging import (
    FIXED_TIMESTAMP,
    ROOT,
    Artefact,
    _forget_unused_zips,
    install_dependencies,
    package_function,
    runtime_requirements,
    stage_function,
    write_zip,
)
from preview.lambda_events import dynamodb_stream_event, http_api_event
from tests.support.contact import valid_fields
from tests.support.packaged import (
    FirstAnswer,
    FirstBatch,
    answer_first_request,
    notify_first_batch,
    staff_first_request,
)
from tests.support.site import copy_content
from tests.support.stack import function_environment, stack_on_moto_server

ELF_MACHINE_AARCH64 = 183


@pytest.fixture(scope="module")
def dependencies() -> Path:
    return install_dependencies(runtime_requirements())


@pytest.fixture(scope="module")
def artefact(dependencies: Path) -> Artefact:
    # As the deploy packages it: reused from build/lambda/ when these sources were zipped before.
    return package_function(ROOT / "content")


@dataclass(frozen=True)
class PackagedRun:
    """The staged package, what its first request and the notifier's first batch imported and
    opened, and what they stored and published."""

    package: Path
    answer: FirstAnswer
    stored_ids: list[str]
    batch: FirstBatch
    published: list[str]
    staff: FirstBatch

    @property
    def modules(self) -> dict[str, str]:
        return {**self.answer.modules, **self.batch.modules, **self.staff.modules}

    @property
    def opened(self) -> list[str]:
        return [*self.answer.opened, *self.batch.opened, *self.staff.opened]


def _notify_in_package(endpoint: str, outputs: dict[str, str], package: Path) -> tuple:
    """The stream's records handed to the packaged notifier; what it imported and published."""

    def client(service: str, **options):
        return boto3.client(service, endpoint_url=endpoint, **options)

    sqs, sns = client("sqs"), client("sns")
    queue = sqs.create_queue(QueueName="packaged-mailbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=outputs["NotificationTopicArn"], Protocol="sqs", Endpoint=arn["QueueArn"]
    )
    table = client("dynamodb").describe_table(TableName=outputs["SubmissionsTableName"])
    stream = table["Table"]["LatestStreamArn"]
    streams = client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
    (shard,) = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    functions = client("lambda")
    configuration = functions.get_function_configuration(
        FunctionName=outputs["NotifierFunctionName"]
    )
    environment = {**configuration["Environment"]["Variables"], "AWS_ENDPOINT_URL": endpoint}
    batch = notify_first_batch(environment, dynamodb_stream_event(records, stream), package)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return batch, [json.loads(m["Body"])["Message"] for m in messages]


@pytest.fixture(scope="module")
def packaged_run(tmp_path_factory: pytest.TempPathFactory) -> PackagedRun:
    # The zip's own files, with this machine's wheels and no bytecode, run by an interpreter
    # that sees nothing else: a module, a botocore model or a content file the zip lacks fails.
    package = stage_function(ROOT / "content", tmp_path_factory.mktemp("packaged") / "task")
    fields = valid_fields(first_name="Айгерім", email="packaged@example.kz")
    with stack_on_moto_server("packaged-function") as (endpoint, outputs):
        answer = answer_first_request(
            function_environment(endpoint, outputs),
            fields,
            package,
            write_bytecode=False,
            trace=True,
        )
        table = outputs["SubmissionsTableName"]
        items = boto3.client("dynamodb", endpoint_url=endpoint).scan(TableName=table)["Items"]
        batch, published = _notify_in_package(endpoint, outputs, package)
        staff = _staff_in_package(endpoint, outputs, package)
    ids = [item["id"]["S"] for item in items]
    return PackagedRun(package, answer, ids, batch, published, staff)


def _staff_in_package(endpoint: str, outputs: dict[str, str], package: Path) -> FirstBatch:
    """A request to the packaged staff API whose token Cognito (moto) does not know: a 401."""
    functions = boto3.client("lambda", endpoint_url=endpoint)
    configuration = functions.get_function_configuration(FunctionName=outputs["StaffFunctionName"])
    environment = {**configuration["Environment"]["Variables"], "AWS_ENDPOINT_URL": endpoint}
    event = http_api_event("GET", "/api/staff/inbox", None, {"authorization": "Bearer unknown"})
    # As API Gateway's authorizer hands on a token it verified; only Cognito can refuse it now.
    claims = {"token_use": "access", "username": "staff@example.kz"}
    event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return staff_first_request(environment, event, package)


def _top_level(entry: str) -> str:
    # `six.py`, `_cffi_backend.cpython-313-aarch64-linux-gnu.so`, `pydantic/...`: the module name.
    return entry.split("/", 1)[0].split(".", 1)[0]


def test_runtime_requirements_leave_out_the_generator_and_the_deploy() -> None:
    names = {r.split("[")[0].split(">")[0].split("<")[0].lower() for r in runtime_requirements()}
    assert not names & {"jinja2", "markdown", "markupsafe", "pyyaml"}
    assert {"aws-lambda-powertools", "pydantic", "boto3", "phonenumberslite"} <= names


def test_package_holds_the_handler_its_readers_and_content(artefact: Artefact) -> None:
    names = set(zipfile.ZipFile(artefact.path).namelist())
    assert {
        "functions/__init__.py",
        "functions/contact/app.py",
        "functions/notify/app.py",
        "functions/personal_data.py",
        "functions/submission_item.py",
        "sitecontent/__init__.py",
        "sitecontent/site.py",
        "sitecontent/policy.py",
        "content/site.toml",
        "content/ru/strings.toml",
        "content/en/strings.toml",
        "content/ru/privacy/1.0.md",
        "content/en/privacy/1.0.md",
    } <= names
    assert not [n for n in names if n.startswith("sitegen/")]
    assert not [n for n in names if n.startswith(("preview/", "tests/"))]
    # The staff API runs the operator's own actions; the CLI's terminal parts stay out.
    assert {"functions/staff/app.py", "functions/operator/actions.py"} <= names
    terminal = {"cli.py", "display.py", "__main__.py"}
    assert not {f"functions/operator/{name}" for name in terminal} & names
    assert "functions/contact/openapi.py" not in names  # the document's writer, a developer's tool
    unwanted = ("jinja2/", "markdown/", "markupsafe/", "yaml/", "pytest/", "moto/", "cfnlint/")
    assert not [n for n in names if n.startswith(unwanted)]
    # phonenumberslite: the same module without the geocoding, carrier and time-zone tables.
    assert not [n for n in names if n.startswith(("phonenumbers/geodata/", "phonenumbers/tzdata/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "pydantic_core/__init__.py" in names
    assert "aws_lambda_powertools/__init__.py" in names


def test_package_native_libraries_are_built_for_arm64(artefact: Artefact) -> None:
    archive = zipfile.ZipFile(artefact.path)
    libraries = [n for n in archive.namelist() if n.endswith(".so")]
    assert any(n.startswith("pydantic_core/") for n in libraries)
    for name in libraries:
        header = archive.read(name)[:20]
        assert header[:4] == b"\x7fELF", name
        assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64, name


def test_package_entries_are_sorted_dated_and_permissioned_alike(artefact: Artefact) -> None:
    infos = zipfile.ZipFile(artefact.path).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {FIXED_TIMESTAMP}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_package_rebuilt_from_same_sources_is_byte_identical(
    artefact: Artefact, dependencies: Path, tmp_path: Path
) -> None:
    again = write_zip(package_entries(ROOT / "content", dependencies), tmp_path / "again.zip")
    assert again.path.read_bytes() == artefact.path.read_bytes()
    assert again.key == artefact.key


def test_package_key_changes_with_the_content(
    artefact: Artefact, dependencies: Path, tmp_path: Path
) -> None:
    content = copy_content(tmp_path)
    strings = content / "en" / "strings.toml"
    strings.write_text(strings.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = write_zip(package_entries(content, dependencies), tmp_path / "edited.zip")
    assert edited.key != artefact.key
    assert edited.key.startswith("functions/contact-") and edited.key.endswith(".zip")


def test_packaged_function_imports_every_library_the_package_holds_and_no_other(
    packaged_run: PackagedRun,
) -> None:
    package = packaged_run.package
    held = {
        _top_level(entry.name)
        for entry in package.iterdir()
        if not entry.name.endswith(".dist-info") and entry.name != "content"
    }
    imported = {
        name.split(".")[0]
        for name, file in packaged_run.modules.items()
        if Path(file).is_relative_to(package)
    }
    assert imported == held
    assert not held & NEVER_IMPORTED.keys()


def test_packaged_function_imports_every_project_module_the_package_holds(
    packaged_run: PackagedRun,
) -> None:
    package = packaged_run.package
    held = {
        path.relative_to(package).as_posix()
        for folder in ("functions", "sitecontent")
        for path in (package / folder).rglob("*.py")
    }
    imported = {
        Path(file).relative_to(package).as_posix()
        for file in packaged_run.modules.values()
        if Path(file).is_relative_to(package / "functions")
        or Path(file).is_relative_to(package / "sitecontent")
    }
    assert imported == held
    assert {"functions/submission_item.py", "functions/notify/app.py"} <= held


def test_packaged_function_reads_every_content_file_the_package_holds(
    packaged_run: PackagedRun,
) -> None:
    content = packaged_run.package / "content"
    held = {path for path in content.rglob("*") if path.is_file()}
    read = {Path(path) for path in packaged_run.opened if Path(path).is_relative_to(content)}
    assert read == held
    assert content / "site.toml" in held


def test_package_zips_unused_for_a_day_are_removed(tmp_path: Path) -> None:
    stale, recent = tmp_path / "contact-stale.zip", tmp_path / "contact-recent.zip"
    for path in (stale, recent):
        path.write_bytes(b"zip")
    day_and_more = time.time() - 25 * 3600
    os.utime(stale, (day_and_more, day_and_more))
    _forget_unused_zips(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contact-recent.zip"]


def test_package_keeps_aws_data_only_for_the_services_the_function_calls(
    artefact: Artefact,
) -> None:
    names = zipfile.ZipFile(artefact.path).namelist()
    services = {
        name.split("/")[2]
        for name in names
        if name.startswith("botocore/data/") and name.count("/") > 2
    }
    assert services == AWS_SERVICES == {"cognito-idp", "dynamodb", "kms", "sns"}
    # What every client reads, whatever its service.
    assert {"botocore/data/endpoints.json", "botocore/data/partitions.json"} <= set(names)
    assert not [n for n in names if n.startswith("boto3/data/") and n.split("/")[2] == "s3"]


def test_package_endpoint_data_names_only_the_functions_services_in_every_partition(
    artefact: Artefact, dependencies: Path
) -> None:
    packaged = json.loads(zipfile.ZipFile(artefact.path).read("botocore/data/endpoints.json"))
    installed = json.loads((dependencies / "botocore/data/endpoints.json").read_text("utf-8"))

    assert [p["partition"] for p in packaged["partitions"]] == [
        p["partition"] for p in installed["partitions"]
    ]
    for kept, whole in zip(packaged["partitions"], installed["partitions"], strict=True):
        assert set(kept["services"]) == AWS_SERVICES & set(whole["services"])
        assert kept["regions"] == whole["regions"]
        present = AWS_SERVICES & set(whole["services"])
        assert {name: kept["services"][name] for name in present} == {
            name: whole["services"][name] for name in present
        }


def test_packaged_function_stores_a_submission_using_only_what_the_zip_holds(
    packaged_run: PackagedRun,
) -> None:
    first = packaged_run.answer
    assert first.status == 201, first.body
    assert packaged_run.stored_ids == [first.body["id"]]
    assert "Айгерім" not in first.output and "packaged@example.kz" not in first.output


def test_packaged_staff_api_asks_cognito_and_refuses_an_unknown_token(
    packaged_run: PackagedRun,
) -> None:
    answer = json.loads(packaged_run.staff.output)
    assert answer["status"] == 401
    assert json.loads(answer["body"]) == {"error": "unauthorized"}


def test_packaged_notifier_publishes_without_the_validation_or_encryption_libraries(
    packaged_run: PackagedRun,
) -> None:
    # The form function's first request stored one submission; the notifier announced it.
    (message,) = packaged_run.published
    assert packaged_run.stored_ids[0] in message
    package = packaged_run.package
    imported = {
        name
        for name, file in packaged_run.batch.modules.items()
        if Path(file).is_relative_to(package)
    }
    tops = {name.split(".")[0] for name in imported}
    assert not tops & {"pydantic", "pydantic_core", "aws_encryption_sdk", "cryptography"}
    assert not [n for n in imported if n.startswith(("functions.contact", "functions.personal"))]
    assert "functions.notify.app" in imported

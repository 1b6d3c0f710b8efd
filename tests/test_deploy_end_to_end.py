"""`python build.py deploy` against a local moto server, as an operator would run it.

One server per module; each fixture deploys once and records what the bucket and the stack
looked like, so the tests only read those records and may run in any order or worker.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.deploy import deploy
from infra.deploy.packaging import LAMBDA
from infra.deploy.site_sync import IMMUTABLE, REVALIDATE
from infra.runtime_python import RuntimePythonNotFound, find_runtime_python
from preview.local_aws import LOCAL_REGION, moto_template, start_moto_server
from sitegen.security import HEADERS_FILE
from tests.support.aws_env import use_fake_aws_credentials

ROOT = Path(__file__).resolve().parents[1]
STACK = "estimation-e2e"
EXTRA_PAGE = {
    "en": '+++\ntitle = "About"\ndescription = "Who we are."\n+++\nThe Commonwealth.\n',
    "ru": '+++\ntitle = "О нас"\ndescription = "Кто мы."\n+++\nСодружество.\n',  # noqa: RUF001
}


@dataclass
class Local:
    endpoint_url: str
    workspace: Path

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=LOCAL_REGION, endpoint_url=self.endpoint_url)

    def deploy(
        self,
        content: Path,
        stack: str = STACK,
        dry_run: bool = False,
        retention_days: int | None = None,
    ) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = deploy(
                content,
                content.parent / "dist",
                stack,
                LOCAL_REGION,
                self.endpoint_url,
                dry_run,
                adapt_template=moto_template,
                retention_days=retention_days,
            )
        return status, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Snapshot:
    """What a deploy left behind: objects with their headers, every version, stack events."""

    output: str
    objects: dict[str, tuple[str, str]]
    built: frozenset[str]
    versions: frozenset[tuple[str, str, str]]
    stack_events: int
    # The stack's OriginSecret parameter (moto shows NoEcho values) and the function's copy.
    origin_secret: str | None
    function_origin_secret: str | None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    with pytest.MonkeyPatch.context() as patch:
        use_fake_aws_credentials(patch)
        server = start_moto_server(port=_free_port())
        try:
            host, port = server.get_host_and_port()
            yield Local(f"http://{host}:{port}", tmp_path_factory.mktemp("deploy"))
        finally:
            server.stop()


def _content_copy(local: Local, name: str, with_extra_page: bool) -> Path:
    content = local.workspace / name / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content", content)
    for language, text in EXTRA_PAGE.items():
        page = content / language / "about.md"
        if with_extra_page:
            page.write_text(text, encoding="utf-8")
        else:
            page.unlink(missing_ok=True)
    return content


def _deployed(local: Local, content: Path) -> Snapshot:
    status, output, errors = local.deploy(content)
    assert status == 0, errors
    return _snapshot(local, content, output)


def _snapshot(local: Local, content: Path, output: str) -> Snapshot:
    cloudformation, s3 = local.client("cloudformation"), local.client("s3")
    stack = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
    bucket = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "SiteBucketName")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    objects = {}
    for key in keys:
        head = s3.head_object(Bucket=bucket, Key=key)
        objects[key] = (head["ContentType"], head["CacheControl"])
    versions = set()
    for name in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for version in s3.list_object_versions(Bucket=name).get("Versions", []):
            versions.add((name, version["Key"], version["VersionId"]))
    out_dir = content.parent / "dist"
    built = frozenset(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    events = cloudformation.describe_stack_events(StackName=STACK)["StackEvents"]
    parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in stack["Parameters"]}
    function = next(
        o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "ContactFunctionName"
    )
    environment = local.client("lambda").get_function_configuration(FunctionName=function)
    return Snapshot(
        output,
        objects,
        built,
        frozenset(versions),
        len(events),
        parameters.get("OriginSecret"),
        environment["Environment"]["Variables"].get("ORIGIN_SECRET"),
    )


@pytest.fixture(scope="module")
def published(local: Local) -> tuple[Snapshot, Snapshot]:
    """The first deploy of a fresh stack, then the same deploy again."""
    content = _content_copy(local, "site", with_extra_page=True)
    first = _deployed(local, content)
    second = _deployed(local, content)
    return first, second


@pytest.fixture(scope="module")
def planned_again(local: Local, published: tuple[Snapshot, Snapshot]) -> tuple[str, Snapshot]:
    """A dry run of the published site, and the state afterwards."""
    content = _content_copy(local, "site", with_extra_page=True)
    status, output, errors = local.deploy(content, dry_run=True)
    assert status == 0, errors
    return output, _snapshot(local, content, output)


@pytest.fixture(scope="module")
def page_removed(local: Local, published: tuple[Snapshot, Snapshot]) -> Snapshot:
    content = _content_copy(local, "site", with_extra_page=False)
    return _deployed(local, content)


def test_deploy_bucket_holds_exactly_the_built_files(
    published: tuple[Snapshot, Snapshot],
) -> None:
    first, _ = published
    assert set(first.objects) == first.built - {HEADERS_FILE}
    assert {"index.html", "404.html", "en/about/index.html", "ru/contact/index.html"} <= set(
        first.objects
    )


def test_deploy_objects_carry_content_type_and_cache_control(
    published: tuple[Snapshot, Snapshot],
) -> None:
    first, _ = published
    assert first.objects["en/privacy/index.html"] == ("text/html; charset=utf-8", REVALIDATE)
    assert first.objects["sitemap.xml"] == ("application/xml; charset=utf-8", REVALIDATE)
    assert first.objects["robots.txt"] == ("text/plain; charset=utf-8", REVALIDATE)
    scripts = [key for key in first.objects if key.startswith("assets/") and key.endswith(".js")]
    assert scripts
    for key in scripts:
        assert first.objects[key] == ("text/javascript; charset=utf-8", IMMUTABLE)


def test_deploy_reports_each_step(published: tuple[Snapshot, Snapshot]) -> None:
    first, _ = published
    for step in range(1, 7):
        assert f"[{step}/6]" in first.output
    assert "stack estimation-e2e created" in first.output
    assert "no CDN to invalidate" in first.output
    # The deploy names the runtime's Python that wrote the bytecode, or says there was none.
    try:
        compiler = find_runtime_python(LAMBDA.python_version)
    except RuntimePythonNotFound:
        assert "the zip carries no bytecode" in first.output
    else:
        assert f"bytecode written by {compiler.describe()}" in first.output


def test_deploy_again_changes_nothing(published: tuple[Snapshot, Snapshot]) -> None:
    first, second = published
    # No object or artefact version written, no stack event: nothing executed, nothing put.
    assert second.versions == first.versions
    assert second.stack_events == first.stack_events
    assert second.objects == first.objects
    assert "no changes: the change set was empty and is deleted" in second.output
    assert "already in" in second.output
    assert "0 uploaded, 0 deleted" in second.output
    assert "nothing changed in the bucket: no invalidation" in second.output


def test_deploy_generates_the_origin_secret_once_and_keeps_it(
    published: tuple[Snapshot, Snapshot],
) -> None:
    first, second = published
    assert first.origin_secret and len(first.origin_secret) >= 32
    assert second.origin_secret == first.origin_secret
    assert first.function_origin_secret == first.origin_secret
    assert first.origin_secret not in first.output + second.output


def test_deploy_dry_run_of_a_current_stack_plans_nothing(
    published: tuple[Snapshot, Snapshot], planned_again: tuple[str, Snapshot]
) -> None:
    output, after = planned_again
    assert "stack estimation-e2e is current: same template and parameters" in output
    assert "site: 0 to upload, 0 to delete" in output
    assert "CDN: nothing changed, no invalidation" in output
    assert after.versions == published[1].versions
    assert after.stack_events == published[1].stack_events


def test_deploy_removed_page_leaves_the_bucket(page_removed: Snapshot) -> None:
    assert "en/about/index.html" not in page_removed.objects
    assert "ru/about/index.html" not in page_removed.objects
    assert set(page_removed.objects) == page_removed.built - {HEADERS_FILE}
    assert "deleted en/about/index.html" in page_removed.output


def test_deploy_dry_run_prints_the_plan_and_changes_nothing(local: Local) -> None:
    content = _content_copy(local, "dry", with_extra_page=False)
    buckets_before = local.client("s3").list_buckets()["Buckets"]
    status, output, errors = local.deploy(content, stack="estimation-dry", dry_run=True)
    assert status == 0, errors
    assert "would create stack estimation-dry through a change set" in output
    assert "would upload index.html (public, max-age=0, must-revalidate)" in output
    assert "would create bucket estimation-dry-artifacts-" in output
    assert local.client("s3").list_buckets()["Buckets"] == buckets_before
    stacks = local.client("cloudformation").list_stacks()["StackSummaries"]
    assert "estimation-dry" not in {s["StackName"] for s in stacks}


def test_deploy_content_error_exits_1_with_the_file(local: Local) -> None:
    content = _content_copy(local, "broken", with_extra_page=False)
    site_toml = content / "site.toml"
    site_toml.write_text(
        site_toml.read_text(encoding="utf-8").replace("base_url", "base_uri"), encoding="utf-8"
    )
    status, _, errors = local.deploy(content, stack="estimation-broken")
    assert status == 1
    assert errors.startswith("deploy failed at step 1/6, build the site: ")
    assert "site.toml: missing setting 'base_url'" in errors
    assert "Traceback" not in errors


def test_deploy_unreachable_aws_exits_1_naming_the_step(
    aws_credentials: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # fail at once rather than after retries
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    status = deploy(ROOT / "content", tmp_path / "dist", STACK, LOCAL_REGION, nowhere, False)
    assert status == 1
    errors = capsys.readouterr().err
    assert errors.startswith("deploy failed at step 3/6, upload the function's artefact: ")
    assert "Could not connect to the endpoint URL" in errors


@pytest.mark.parametrize(
    ("options", "stand_in"), [([], False), (["--endpoint-url", "http://127.0.0.1:5000"], True)]
)
def test_deploy_command_hands_the_moto_template_to_an_endpoint_only(
    monkeypatch: pytest.MonkeyPatch, options: list[str], stand_in: bool
) -> None:
    import build
    import infra.deploy

    adapters = []
    monkeypatch.setattr(
        infra.deploy, "deploy", lambda *arguments, **_: adapters.append(arguments[-1])
    )
    build.main(["deploy", "--stack", STACK, *options])
    assert adapters == [moto_template if stand_in else None]


def test_deploy_subscribes_the_operator_once_and_says_to_confirm(
    local: Local, published: tuple[Snapshot, Snapshot], planned_again: tuple[str, Snapshot]
) -> None:
    first, second = published
    stack = local.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    topic = next(
        o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "NotificationTopicArn"
    )
    subscriptions = local.client("sns").list_subscriptions_by_topic(TopicArn=topic)
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions["Subscriptions"]] == [
        ("email", "palata2020@bk.ru")
    ]
    assert "AWS has mailed palata2020@bk.ru a confirmation link" in first.output
    assert "AWS has mailed" not in second.output
    assert "palata2020@bk.ru gets the notifications" in second.output
    assert "notifications: palata2020@bk.ru is subscribed already" in planned_again[0]


def test_deploy_retention_days_sets_the_stack_parameter_and_later_deploys_keep_it(
    local: Local, published: tuple[Snapshot, Snapshot]
) -> None:
    content = _content_copy(local, "site", with_extra_page=True)
    status, output, errors = local.deploy(content, dry_run=True, retention_days=30)
    assert status == 0, errors
    assert f"would update stack {STACK} through a change set (parameters RetentionDays" in output

    assert local.deploy(content, retention_days=30)[0] == 0
    assert local.deploy(content)[0] == 0  # without the option: the stack keeps its own

    stack = local.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in stack["Parameters"]}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert parameters["RetentionDays"] == outputs["RetentionDays"] == "30"


@pytest.mark.parametrize("days", ["0", "-5", "1.5", "ten", "36501"])
def test_deploy_retention_days_refuses_what_is_not_a_number_of_days(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import build

    with pytest.raises(SystemExit) as exited:
        build.main(["deploy", "--stack", STACK, "--retention-days", days])
    assert exited.value.code == 2
    assert "give a whole number of days from 1 to 36500" in capsys.readouterr().err

"""Fixtures shared by every test module: the built site, the form function, the browser."""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pkgutil
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from preview import botocore_data
from tests.support.aws_env import use_fake_aws_credentials
from tests.support.site import ANALYTICS_IDS, CONTENT, copy_content, serve_static, set_site_option
from tests.support.tools import require_chromium

if TYPE_CHECKING:
    from sitegen.build import BuildResult
    from tests.support.contact import ContactFunction

# Collecting imports every project module and the test modules, thousands of objects a second
# that all live to the end of the run: the cyclic garbage collector, run again and again over
# them, took a tenth of each worker's collection (6.2 s → 5.5 s). Back on once collected
# (`pytest_collection`).
gc.disable()

# Property-based tests generate the same cases on every run: one commit, one result, so a
# failure in CI is a failure of the code and not of the draw. No example database either, as
# one left by an earlier run would change what the next one tries, and no deadline: on two
# busy cores a slow example is not a failure.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.load_profile("deterministic")

# moto's `mock_aws` drops boto3's default session at every start, so each test's clients parsed
# their service models again: one loader per worker parses each once (`preview.botocore_data`).
botocore_data.share_one_loader()


def _import_every_project_module() -> None:
    """Load the project's modules before any test runs, whatever the tests' order.

    Hypothesis mixes into its draws the literals of every project module loaded so far (it
    reads them from `sys.modules`), so with a derandomized profile a test's cases still
    depended on which tests had run before it in the same worker: under xdist, on timing.
    With every module loaded first, the draws are the same in any order. A module that needs
    what this environment lacks (the 3.13 run has only the function's libraries) is the same
    absentee on every run.
    """
    for package_name in ("sitecontent", "sitegen", "functions", "infra", "preview"):
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if module.name.endswith(".__main__"):
                continue
            with contextlib.suppress(ImportError):
                importlib.import_module(module.name)


_import_every_project_module()

# Chromium flags for this closed network: without the background-networking ones Chromium
# keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A name that resolves to this machine, as a DNS rebinding domain does after its first
    # lookup (tests/test_preview_hostile_clients.py).
    "--host-resolver-rules=MAP rebinding.test 127.0.0.1",
]


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed region, so no test can reach real AWS."""
    use_fake_aws_credentials(monkeypatch)


# The worker's shared preview of the real content, for the hook that stops it.
SHARED_PREVIEW = pytest.StashKey["SharedPreview"]()


@pytest.fixture(scope="session")
def _shared_preview(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from tests.support.preview import SharedPreview

    shared = SharedPreview(tmp_path_factory)
    request.config.stash[SHARED_PREVIEW] = shared
    yield shared
    shared.stop()


@pytest.fixture
def site_preview(_shared_preview):
    """`build.py serve` of the real content, shared by the tests on this worker.

    For tests that only add submissions and read back what they added: see `SharedPreview`.
    """
    return _shared_preview.running()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    # Stopped as soon as the worker's next test does not use it (the modules that do are run
    # one after the other, `pytest_collection_modifyitems`), not kept idle to the end.
    shared = item.config.stash.get(SHARED_PREVIEW, None)
    if shared is not None and (nextitem is None or not _uses_shared_preview(nextitem)):
        shared.stop()


def _uses_shared_preview(item: pytest.Item) -> bool:
    return "site_preview" in item.fixturenames


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The real content, built once per test session."""
    from sitegen.build import build

    return build(CONTENT, tmp_path_factory.mktemp("site") / "dist")


@pytest.fixture(scope="session")
def site_url(built_site: BuildResult) -> Iterator[str]:
    """Base URL of the real site served on loopback."""
    with serve_static(built_site.out_dir) as url:
        yield url


@pytest.fixture(scope="session")
def analytics_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real content with Yandex Metrica and Google Analytics ids set, served on loopback."""
    from sitegen.build import build

    content = copy_content(tmp_path_factory.mktemp("analytics"))
    for name, value in ANALYTICS_IDS.items():
        set_site_option(content, name, f'{name} = "{value}"')
    result = build(content, content.parent / "dist")
    with serve_static(result.out_dir) as url:
        yield url


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count every AWS API call by service and operation, e.g. `kms.GenerateMac`."""
    # Imported here: the site's tests never load botocore.
    import botocore.client

    calls: Counter[str] = Counter()
    make_api_call = botocore.client.BaseClient._make_api_call

    def counting(self: botocore.client.BaseClient, operation: str, params: dict) -> dict:
        calls[f"{self.meta.service_model.service_name}.{operation}"] += 1
        return make_api_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


@pytest.fixture(scope="module")
def contact() -> Iterator[ContactFunction]:
    """The form function on the template's stack in moto, one per test module."""
    # Imported here: the site's tests never load moto or the function.
    from tests.support.contact import contact_function

    with contact_function() as function:
        yield function


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a browser Playwright downloads."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _no_real_aws_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own AWS profile must never leak into a test.
    if "AWS_PROFILE" in os.environ:
        monkeypatch.delenv("AWS_PROFILE")


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[object]:
    # Around collection in every process: pytest-xdist's controller collects nothing and never
    # reaches `pytest_collection_finish`, and kept the collector off for the whole run.
    try:
        return (yield)
    finally:
        gc.enable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The modules that start servers or tools (marked `slow`) first, the rest after, each in
    # its order: pytest-xdist steals from the end of a worker's queue, so the run ends on quick
    # tests, not on one worker's long module, and a preview's waits meet the other worker's
    # computing. Warm runs: 333 s before, 311 and 320 s after (about 590 and 560 core-seconds).
    # Among the slow ones, the tests sharing a preview come first and together, so that each
    # worker starts it at most once or twice.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("slow") is None,
            not _uses_shared_preview(item),
        )
    )

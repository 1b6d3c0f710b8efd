"""`./dev serve` installs only what the preview needs: the `preview` extra, no test tools.

The extra's needs are read from the installed distributions' own metadata (what pip would
install for `.[preview]`), and the preview is then run with every module that only the test
tools bring made unimportable, as in a `.venv` that `./dev serve` alone set up.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sitecontent.policy import current_policy_version
from tests.support.preview import ROOT, Preview, free_port, post_json, serve_command

pytestmark = pytest.mark.slow
PROJECT = "estimation-site"
TEST_TOOLS = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "playwright",
    "axe-playwright-python",
    "schemathesis",
    "cfn-lint",
    "ruff",
}


def _requirements(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(text) for text in listed]


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution these requirements bring, following each one's own requirements."""
    seen: set[str] = set()
    pending = [(requirement, frozenset()) for requirement in requirements]
    while pending:
        requirement, extras = pending.pop()
        environment = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        if requirement.marker and not any(requirement.marker.evaluate(e) for e in environment):
            continue
        name = canonicalize_name(requirement.name)
        if name == PROJECT:  # `dev` names `estimation-site[preview]`
            pending += [(r, frozenset()) for r in _requirements(None)]
            for extra in requirement.extras:
                pending += [(r, frozenset()) for r in _requirements(extra)]
            continue
        key = f"{name}[{','.join(sorted(requirement.extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for text in metadata.requires(name) or []:
            pending.append((Requirement(text), frozenset(requirement.extras)))
    return {key.split("[")[0] for key in seen}


def test_preview_extra_brings_no_test_tool():
    preview = installed_closure(_requirements("preview"))
    everything = installed_closure(_requirements("dev"))

    assert preview & TEST_TOOLS == set()
    assert everything >= TEST_TOOLS
    # cfn-lint's sympy and networkx were most of the weight an editor used to install.
    assert {"sympy", "networkx"} <= everything - preview


def modules_only_the_test_tools_bring() -> set[str]:
    dev_only = installed_closure(_requirements("dev")) - installed_closure(_requirements("preview"))
    return {
        module
        for module, owners in metadata.packages_distributions().items()
        if owners and all(canonicalize_name(owner) in dev_only for owner in owners)
    }


def test_preview_runs_and_stores_a_submission_without_the_test_tools(tmp_path):
    blocked = sorted(modules_only_the_test_tools_bring())
    assert {"pytest", "playwright", "cfnlint", "schemathesis", "hypothesis"} <= set(blocked)
    # Imported at start-up by every Python in the preview, its local AWS process included.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        f"import sys\nsys.modules.update(dict.fromkeys({blocked!r}))\n", encoding="utf-8"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(PYTHONUNBUFFERED="1", PYTHONPATH=str(hooks))
    port, aws_port = free_port(), free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            serve_command(port, aws_port, tmp_path / "dist"),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    preview = Preview(process, port, aws_port, tmp_path / "dist", log_path)
    try:
        preview.wait_until_ready()
        status, answer = post_json(
            preview,
            {
                "last_name": "Editor",
                "first_name": "Only",
                "email": "editor.only@example.kz",
                "consent": True,
                "policy_version": current_policy_version(ROOT / "content", "en").version,
                "locale": "en",
            },
        )
        assert status == 201, preview.log()
        assert answer["id"] in preview.stored_items()
    finally:
        assert preview.stop() == 0
    assert not re.search(r"ModuleNotFoundError|Traceback", preview.log()), preview.log()


def test_preview_blocking_hook_really_blocks(tmp_path):
    # The check above proves something only if a blocked module cannot be imported.
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import sys\nsys.modules.update(dict.fromkeys(['playwright']))\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import playwright"],
        env={**os.environ, "PYTHONPATH": str(hooks)},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "playwright" in result.stderr

"""The Nu Html Checker (npm `vnu-jar`, on the machine's Java) finds no error on any page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sitegen.build import BuildResult, build
from tests.support.site import ANALYTICS_IDS, LANGUAGES, copy_content, set_site_option
from tests.support.tools import require_vnu

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def every_option_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The site with analytics ids and the cross-border checkbox: every optional markup."""
    content = copy_content(tmp_path_factory.mktemp("options"))
    for name, value in ANALYTICS_IDS.items():
        set_site_option(content, name, f'{name} = "{value}"')
    set_site_option(content, "ask_cross_border_consent", "ask_cross_border_consent = true")
    return build(content, content.parent / "dist")


def test_html_validity_no_errors_on_any_page(
    built_site: BuildResult, every_option_site: BuildResult
) -> None:
    java, jar = require_vnu()
    pages = [site.out_dir / name for site in (built_site, every_option_site) for name in site.pages]
    assert "cross_border" in (every_option_site.out_dir / "en/contact/index.html").read_text()

    finished = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    # vnu writes its JSON report to stderr.
    messages = json.loads(finished.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).as_posix()}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
    # Each language's home, policy, policy 1.0, contact and thanks, the root, the 404 and the
    # staff inbox, in each of the two builds.
    assert len(pages) == 2 * (5 * len(LANGUAGES) + 3)

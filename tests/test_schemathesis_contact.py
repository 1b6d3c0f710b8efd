"""Schemathesis against the function's own OpenAPI document, as `build.py serve` serves it.

Generated requests, valid and invalid, must never get a 5xx, and every answer must match what
the document declares: its status, content type, headers and body schema. The run is
deterministic (a fixed seed, no example database), so one commit always gives one result, and
it must end without a single warning: a warning such as "mostly rejected generated data" means
the document no longer states the rules the function enforces.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.preview import Preview
from tests.support.tools import require

pytestmark = pytest.mark.slow
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = 40
SEED = 2


@pytest.fixture
def preview(site_preview: Preview) -> Preview:
    """The worker's shared preview: these tests look only at the submissions they add."""
    return site_preview


def test_schemathesis_finds_no_server_error_and_no_schema_violation(preview, tmp_path):
    schemathesis = Path(sys.executable).with_name("schemathesis")
    require(schemathesis.exists(), f"Schemathesis is not installed at {schemathesis}")
    command = [
        str(schemathesis),
        "run",
        f"{preview.url}/api/openapi.json",
        "--url",
        preview.url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--request-timeout",
        "15",
        "--seed",
        str(SEED),
        "--generation-deterministic",
        # The page's own origin, as a browser posting the form sends it.
        "--header",
        f"Origin: {preview.url}",
    ]

    # Run in a scratch folder: Schemathesis keeps its example database in the working folder.
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=150, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues found" in result.stdout, result.stdout
    assert "WARNINGS" not in result.stdout, result.stdout
    assert "warning" not in result.stdout.splitlines()[-1], result.stdout
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert counts is not None, result.stdout
    assert int(counts[1]) == int(counts[2]) >= MAX_EXAMPLES

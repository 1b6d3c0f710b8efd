"""Tests that need an outside tool: fail under CI=true, skip with the reason elsewhere."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(available: bool, reason: str) -> None:
    """Stop the test when a tool is missing: a failure in CI, a skip on a developer's machine."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing tool fails the run; `./dev test` installs it)")
    pytest.skip(f"{reason}; `./dev test` installs it")


def require_chromium() -> Path:
    require(CHROMIUM.exists(), f"Debian's Chromium is not at {CHROMIUM}")
    return CHROMIUM


def require_vnu() -> tuple[str, Path]:
    java = shutil.which("java")
    require(java is not None, "Java is not installed (the Nu Html Checker needs it)")
    require(VNU_JAR.exists(), f"the Nu Html Checker is not at {VNU_JAR}")
    return java, VNU_JAR

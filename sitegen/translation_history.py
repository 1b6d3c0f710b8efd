"""What changed in a translation's source since it was translated, from git's history.

A translation records its source's revision as a content hash (`sitegen.translations`); the
source's text at that revision is found by hashing the source's versions in git, newest
first. Without git, or when no version has that revision (never committed, or a record typed
by hand), there is no diff: only that the source changed.
"""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

from sitegen.translations import Translation, revision

# How far back to look: a translation older than this many changes of its source is shown
# as changed, without a diff.
MAX_VERSIONS = 200
GIT_TIMEOUT_SECONDS = 30


def _git(folder: Path, *arguments: str) -> str | None:
    try:
        finished = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return finished.stdout if finished.returncode == 0 else None


def source_text_at(source: Path, wanted: str) -> str | None:
    """The source's text when its revision was `wanted`, if git's history has it."""
    folder = source.parent
    commits = _git(folder, "log", f"--max-count={MAX_VERSIONS}", "--format=%H", "--", source.name)
    for commit in (commits or "").split():
        text = _git(folder, "show", f"{commit}:./{source.name}")
        if text is not None and revision(source, text) == wanted:
            return text
    return None


def source_diff(translation: Translation) -> str | None:
    """A unified diff of the source from the text it was translated from to now, or None."""
    if translation.recorded is None:
        return None
    old = source_text_at(translation.source, translation.recorded)
    if old is None:
        return None
    new = translation.source.read_text(encoding="utf-8")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{translation.source_name} (as translated, {translation.recorded})",
        tofile=f"{translation.source_name} (now, {translation.current})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

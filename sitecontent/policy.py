"""The published versions of the personal-data policy: `content/<lang>/privacy/<version>.md`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sitecontent.errors import ContentError
from sitecontent.files import split_front_matter

POLICY_FOLDER = "privacy"


@dataclass(frozen=True)
class PolicyVersion:
    """One published version of the personal-data policy in one language."""

    language: str
    version: str
    effective: dt.date
    path: Path


def policy_files(content_dir: Path, language: str) -> list[Path]:
    """Every policy version's file of a language, by file name."""
    return sorted((content_dir / language / POLICY_FOLDER).glob("*.md"))


def policy_versions(content_dir: Path, language: str) -> list[PolicyVersion]:
    """Every published policy version of a language, oldest first."""
    versions = []
    for path in policy_files(content_dir, language):
        meta, _, _ = split_front_matter(path)
        try:
            version, effective = str(meta["version"]), meta["effective"]
        except KeyError as exc:
            raise ContentError(f"{path}:1", f"policy front matter needs {exc.args[0]!r}") from exc
        if not isinstance(effective, dt.date):
            raise ContentError(f"{path}:1", "'effective' must be a date such as 2026-11-25")
        if version != path.stem:
            raise ContentError(f"{path}:1", f"version {version!r} must match the file name")
        versions.append(PolicyVersion(language, version, effective, path))
    if not versions:
        raise ContentError(str(content_dir / language / POLICY_FOLDER), "no policy version")
    return sorted(versions, key=lambda v: (v.effective, v.version))


def current_policy_version(content_dir: Path, language: str) -> PolicyVersion:
    """The version in force: the one with the latest effective date."""
    return policy_versions(content_dir, language)[-1]

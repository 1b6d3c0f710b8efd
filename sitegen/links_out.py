"""Refuse links that lead out of the folders a build reads.

`site/` and `content/` are published: a symbolic link in them to `/etc/hostname` or `~/.aws`
would put that file on the web, and the deploy would upload it. A link that stays inside its
folder (a shared image under two names) is kept.
"""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.errors import BuildError


def _links(folder: str) -> list[str]:
    """Every symbolic link under `folder`, not following any (scandir: no stat per entry)."""
    found: list[str] = []
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_symlink():
                    found.append(entry.path)
                elif entry.is_dir():
                    pending.append(entry.path)
    return sorted(found)


def check_links_stay_inside(folder: Path) -> None:
    """Raise `BuildError` naming the first link under `folder` that leads outside it."""
    root = folder.resolve()
    for link in _links(str(folder)):
        target = Path(link).resolve()
        if not target.is_relative_to(root):
            raise BuildError(
                f"{link}:1",
                f"is a link to {os.readlink(link)}, outside {folder}: the build publishes only"
                " what is inside; copy the file in instead",
            )

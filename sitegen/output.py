"""Write a built site into its output folder: only the files whose bytes changed.

On this project's disks creating and deleting thousands of files costs seconds, and a preview
server's watcher then sees only real changes; so a file whose bytes are already there is not
written again, and only files no longer built are deleted. A fresh build learns what is there
by reading the folder; a build that follows one in the same process (the preview's) knows it
already, since it holds what it wrote last time, and reads nothing back.
"""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.errors import BuildError
from sitegen.security import HEADERS_FILE


def _existing_files(out_dir: Path) -> tuple[set[str], bool]:
    """Every file under `out_dir`, relative, and whether any folder there is empty."""
    # os.walk rather than Path.rglob: with thousands of pages pathlib's overhead shows. No stat
    # per file: comparing bytes reads the file anyway, and a missing one is new.
    names: set[str] = set()
    has_empty_folder = False
    root = str(out_dir)
    for folder, subfolders, files in os.walk(root):
        # os.walk's folders start with `root`: slicing is the relative path (os.path.relpath
        # costs a tenth of a rebuild of a thousand pages per language).
        prefix = folder[len(root) + 1 :].replace(os.sep, "/")
        has_empty_folder = has_empty_folder or not (subfolders or files)
        names.update(f"{prefix}/{name}" if prefix else name for name in files)
    return names, has_empty_folder


def _on_disk(path: str, content: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def write_site(
    out_dir: Path, outputs: dict[str, bytes], written: dict[str, bytes] | None = None
) -> None:
    """Make `out_dir` hold exactly `outputs` (relative path → bytes).

    `written` is what an earlier call wrote into the same folder, if this process made it:
    files are then compared with it rather than read back.
    """
    root = str(out_dir)
    if written is not None and not os.path.isfile(os.path.join(root, HEADERS_FILE)):
        written = None  # the folder was emptied or replaced meanwhile: look at what is there
    if written is None:
        existing, has_empty_folder = _existing_files(out_dir)
        if existing and HEADERS_FILE not in existing:
            raise BuildError(
                str(out_dir), "is not empty and was not written by a build; not replacing"
            )
    else:
        existing, has_empty_folder = set(written), False
    made: set[str] = set()
    for relative, content in outputs.items():
        if written is not None:
            before = written.get(relative)
            if before is content or before == content:
                continue
        elif relative in existing and _on_disk(os.path.join(root, relative), content):
            continue
        target = os.path.join(root, relative)
        folder = os.path.dirname(relative)
        if folder not in made:
            os.makedirs(os.path.join(root, folder), exist_ok=True)
            made.add(folder)
        with open(target, "wb") as handle:
            handle.write(content)
    stale = sorted(existing - outputs.keys())
    for relative in stale:
        Path(root, relative).unlink(missing_ok=True)
    # Only a deletion can leave a folder empty, so a build that deleted nothing skips the walk.
    if not (stale or has_empty_folder):
        return
    for folder, _, names in os.walk(out_dir, topdown=False):
        if not names and Path(folder) != out_dir and not os.listdir(folder):
            os.rmdir(folder)

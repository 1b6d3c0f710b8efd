"""The files a build reads, listed once per build with what says whether each has changed.

Every build lists the content and site folders once, with each file's modification time, size
and inode (its `Stamp`), and reads its files from that listing. A build that follows another
in the same process (the preview's) compares stamps to know which files it must read again;
a fresh build has nothing to compare with and reads them all.

A stamp is not trusted when the file was saved so recently that a second save could still
leave the same stamp (file times tick coarsely, and an edit may keep the size), or when the
caller says the file changed (the preview's watcher names what it saw): such a file gets an
`UNTRUSTED` stamp, unequal to every other, so it is read again.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Saves within this long of a listing may share a stamp with a later save (the coarsest file
# times in common use tick every 2 s).
RACY_NANOSECONDS = 2_000_000_000


class _Untrusted:
    """A stamp equal to nothing but itself: whatever was computed from the file is redone."""

    def __repr__(self) -> str:
        return "<untrusted stamp>"


Stamp = tuple[int, int, int] | _Untrusted


@dataclass(frozen=True)
class SourceFiles:
    """Every file under one folder: relative path (with `/`) → stamp, in path order."""

    root: Path
    stamps: dict[str, Stamp]
    # The folders right under `root` (languages' folders under `content/`), links included.
    folders: frozenset[str] = frozenset()
    _names: list[str] = field(default_factory=list, repr=False, compare=False)
    _keys: list[list[str]] = field(default_factory=list, repr=False, compare=False)
    _under: dict[tuple[str, str, bool], list[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def under(self, folder: str, suffix: str = "", recursive: bool = True) -> list[str]:
        """Relative paths of the files under `folder` ending in `suffix`, in path order."""
        asked = (folder, suffix, recursive)
        if asked not in self._under:
            self._under[asked] = self._find_under(folder, suffix, recursive)
        return self._under[asked]

    def _find_under(self, folder: str, suffix: str, recursive: bool) -> list[str]:
        # In path order a folder's files are one run of the listing: find it, read only it.
        parts = folder.split("/")
        depth = len(parts)
        start = bisect.bisect_left(self._keys, parts)
        found = []
        for index in range(start, len(self._keys)):
            key = self._keys[index]
            if key[:depth] != parts:
                break
            name = self._names[index]
            if name.endswith(suffix) and (recursive or len(key) == depth + 1):
                found.append(name)
        return found

    def stamp(self, relative: str) -> Stamp | None:
        """The file's stamp; None when there is no such file."""
        return self.stamps.get(relative)

    def path(self, relative: str) -> Path:
        return self.root / relative


def _walk(
    folder: str,
    prefix: str,
    found: list[tuple[list[str], str, Stamp]],
    now: int,
    folders: set[str] | None = None,
) -> None:
    # As pathlib's rglob, which the build used before: symbolic links to folders are not
    # followed; links to files are listed, stamped by what they point at.
    with os.scandir(folder) as entries:
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if entry.is_dir():
                if folders is not None:
                    folders.add(entry.name)
                if not entry.is_symlink():
                    _walk(entry.path, f"{relative}/", found, now)
                continue
            try:
                status = entry.stat()
            except OSError:
                stamp: Stamp = _Untrusted()
            else:
                stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
                if status.st_mtime_ns >= now - RACY_NANOSECONDS:
                    stamp = _Untrusted()
            found.append((relative.split("/"), relative, stamp))


def list_sources(root: Path, changed: Iterable[Path] = ()) -> SourceFiles:
    """List every file under `root`; the `changed` paths (absolute) get untrusted stamps."""
    now = time.time_ns()
    found: list[tuple[list[str], str, Stamp]] = []
    folders: set[str] = set()
    if os.path.isdir(root):
        _walk(str(root), "", found, now, folders)
    # Ordered as pathlib orders paths, part by part: `a/b` before `a-b/c`.
    found.sort(key=lambda item: item[0])
    stamps = {relative: stamp for _, relative, stamp in found}
    for path in changed:
        try:
            relative = Path(path).relative_to(root).as_posix()
        except ValueError:
            continue
        if relative in stamps:
            stamps[relative] = _Untrusted()
    names = [relative for _, relative, _ in found]
    keys = [parts for parts, _, _ in found]
    return SourceFiles(Path(root), stamps, frozenset(folders), names, keys)

"""Notice edits under the content and template folders, for the preview's rebuilds.

Polling modification times twice a second is enough for one editor saving files, works the
same on every platform and needs no extra dependency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

POLL_SECONDS = 0.5

Snapshot = dict[Path, tuple[int, int]]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """Every file under the folders with its modification time and size."""
    state: Snapshot = {}
    for folder in folders:
        for path in folder.rglob("*"):
            # Editors write swap and backup files next to the real ones; they change nothing.
            if path.name.startswith(".") or path.name.endswith("~"):
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            if path.is_file():
                state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


class FolderWatcher(threading.Thread):
    """Call `on_change` after files under `folders` are added, changed or removed."""

    def __init__(
        self,
        folders: Iterable[Path],
        on_change: Callable[[], None],
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__(name="preview-watcher", daemon=True)
        self.folders = [Path(folder) for folder in folders]
        self.on_change = on_change
        self.poll_seconds = poll_seconds
        self._stopped = threading.Event()
        self._last = snapshot(self.folders)

    def run(self) -> None:
        while not self._stopped.wait(self.poll_seconds):
            current = snapshot(self.folders)
            if current == self._last:
                continue
            # Wait for a save of several files to settle, so it causes one rebuild, not many.
            while not self._stopped.wait(self.poll_seconds):
                settled = snapshot(self.folders)
                if settled == current:
                    break
                current = settled
            self._last = current
            self.on_change()

    def stop(self) -> None:
        """Stop polling and wait for a rebuild in progress to finish."""
        self._stopped.set()
        if self.is_alive():
            self.join()

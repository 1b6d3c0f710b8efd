"""Notice edits under the content and template folders, for the preview's rebuilds.

watchfiles listens to the operating system's file events (inotify, FSEvents,
ReadDirectoryChangesW), so a save is noticed a few tens of milliseconds after it happens and
nothing is spent while nobody saves. Polling modification times, which the preview did
before, notices a save only at its next look and costs a scan of every file at each look: at
the 50 ms a quick notice needs, a few per cent of a core for the real site and most of one with
a thousand pages per language (`./dev bench watch` prints both). Where file events never
arrive (some network and container mounts), `WATCHFILES_FORCE_POLLING=1` makes watchfiles
poll instead.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

# A save of several files (an editor's "save all", a `git checkout`) arrives as a burst of
# events: wait until the folders have been quiet this long, so the burst costs one rebuild.
SETTLE_MILLISECONDS = 10
# ...but never longer than this, should something keep writing.
LONGEST_WAIT_MILLISECONDS = 1000

# How often the watcher's thread wakes while nothing changes (the stop event is looked at
# every step regardless).
IDLE_MILLISECONDS = 100

OnChange = Callable[[set[Path]], None]


class _EditorFilesFilter(watchfiles.DefaultFilter):
    """watchfiles' own list of scratch files (swap, backup, `.#` locks), and hidden files."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return not Path(path).name.startswith(".") and super().__call__(change, path)


class FolderWatcher(threading.Thread):
    """Call `on_change` with the changed paths after files under `folders` change.

    Files added, changed or removed count; editors' scratch files do not. `on_change` runs on
    the watcher's thread, one call at a time, so it may take as long as a rebuild takes.
    """

    def __init__(
        self,
        folders: Iterable[Path],
        on_change: OnChange,
        settle_milliseconds: int = SETTLE_MILLISECONDS,
    ) -> None:
        super().__init__(name="preview-watcher", daemon=True)
        self.folders = [Path(folder) for folder in folders]
        self.on_change = on_change
        self.settle_milliseconds = settle_milliseconds
        self._stopped = threading.Event()
        self._listening = threading.Event()

    def start(self) -> None:
        """Start watching; a file saved after this returns is noticed."""
        super().start()
        self._listening.wait()

    def run(self) -> None:
        try:
            self._watch()
        except Exception as exc:
            # Such as the system's limit on watched folders: say so rather than go quiet.
            print(
                f"the file watcher stopped ({type(exc).__name__}: {exc}): saves are no longer"
                " noticed; restart the preview, with WATCHFILES_FORCE_POLLING=1 if it happens"
                " again",
                file=sys.stderr,
                flush=True,
            )
        finally:
            self._listening.set()

    def _watch(self) -> None:
        changes = watchfiles.watch(
            *self.folders,
            watch_filter=_EditorFilesFilter(),
            step=self.settle_milliseconds,
            debounce=LONGEST_WAIT_MILLISECONDS,
            stop_event=self._stopped,
            # Come back empty-handed now and then: the first time says the watch is in place.
            rust_timeout=IDLE_MILLISECONDS,
            yield_on_timeout=True,
            raise_interrupt=False,
        )
        for batch in changes:
            self._listening.set()
            if batch:
                self._call_on_change({Path(path) for _, path in batch})

    def _call_on_change(self, paths: set[Path]) -> None:
        try:
            self.on_change(paths)
        except Exception:
            # A bug in a rebuild must not end the watching: the next save may well fix it.
            traceback.print_exc()

    def stop(self) -> None:
        """Stop watching and wait for a rebuild in progress to finish."""
        self._stopped.set()
        if self.is_alive():
            self.join()

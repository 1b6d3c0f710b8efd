"""The preview's watcher: one rebuild per save, none for editors' scratch files."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from preview.watch import FolderWatcher

POLL = 0.05


@pytest.fixture
def watched(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "contact.md").write_text("+++\n+++\nHello\n", encoding="utf-8")
    changes: list[float] = []
    changed = threading.Event()

    def on_change() -> None:
        changes.append(time.monotonic())
        changed.set()

    watcher = FolderWatcher([tmp_path], on_change, poll_seconds=POLL)
    watcher.start()
    yield tmp_path, changes, changed
    watcher.stop()


@pytest.mark.parametrize(
    "edit",
    [
        lambda root: (root / "en" / "contact.md").write_text("+++\n+++\nHi\n", encoding="utf-8"),
        lambda root: (root / "en" / "thanks.md").write_text("+++\n+++\n", encoding="utf-8"),
        lambda root: (root / "en" / "contact.md").unlink(),
    ],
    ids=["changed", "added", "removed"],
)
def test_watch_notices_a_changed_added_or_removed_file(watched, edit):
    root, changes, changed = watched

    edit(root)

    assert changed.wait(5)
    assert len(changes) == 1


def test_watch_rebuilds_once_for_a_save_of_several_files(watched):
    root, changes, changed = watched

    for number in range(5):
        (root / "en" / f"page{number}.md").write_text("+++\n+++\n", encoding="utf-8")

    assert changed.wait(5)
    time.sleep(POLL * 6)
    assert len(changes) == 1


def test_watch_ignores_editors_swap_and_backup_files(watched):
    root, changes, _ = watched

    (root / "en" / ".contact.md.swp").write_text("swap", encoding="utf-8")
    (root / "en" / "contact.md~").write_text("backup", encoding="utf-8")
    time.sleep(POLL * 6)

    assert changes == []

"""The preview's watcher: one rebuild per save, none for editors' scratch files."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from preview.watch import FolderWatcher

# Generous: the watcher notices a save in tens of milliseconds, but CI's cores are busy.
NOTICE_SECONDS = 10.0


@pytest.fixture
def watched(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "contact.md").write_text("+++\n+++\nHello\n", encoding="utf-8")
    changes: queue.Queue[set[Path]] = queue.Queue()
    watcher = FolderWatcher([tmp_path], changes.put)
    watcher.start()
    yield tmp_path, changes, watcher
    watcher.stop()


def next_change(changes: queue.Queue[set[Path]]) -> set[Path]:
    return changes.get(timeout=NOTICE_SECONDS)


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda root: (root / "en" / "contact.md").write_text("+++\n+++\nHi\n"), "contact.md"),
        (lambda root: (root / "en" / "thanks.md").write_text("+++\n+++\n"), "thanks.md"),
        (lambda root: (root / "en" / "contact.md").unlink(), "contact.md"),
    ],
    ids=["changed", "added", "removed"],
)
def test_watch_notices_a_changed_added_or_removed_file(watched, edit, path):
    root, changes, _ = watched

    edit(root)

    assert next_change(changes) == {root / "en" / path}


def test_watch_rebuilds_once_for_a_save_of_several_files(tmp_path):
    changes: queue.Queue[set[Path]] = queue.Queue()
    # A settling time far beyond what five writes take, however busy the machine.
    watcher = FolderWatcher([tmp_path], changes.put, settle_milliseconds=1000)
    watcher.start()
    try:
        saved = {tmp_path / f"page{number}.md" for number in range(5)}
        for path in saved:
            path.write_text("+++\n+++\n", encoding="utf-8")

        assert next_change(changes) == saved
        assert changes.empty()
    finally:
        watcher.stop()


def test_watch_ignores_editors_swap_and_backup_files(watched):
    root, changes, _ = watched

    (root / "en" / ".contact.md.swp").write_text("swap", encoding="utf-8")
    (root / "en" / "contact.md~").write_text("backup", encoding="utf-8")
    (root / "en" / ".#contact.md").write_text("lock", encoding="utf-8")
    # A real save afterwards: the events arrive in order, so scratch files would show by now.
    (root / "en" / "contact.md").write_text("+++\n+++\nSaved\n", encoding="utf-8")

    seen = next_change(changes)
    while not changes.empty():
        seen |= changes.get()
    assert seen == {root / "en" / "contact.md"}


def test_watch_keeps_watching_after_a_rebuild_fails(tmp_path):
    # Given a rebuild that fails with an error nobody expected,
    calls: queue.Queue[set[Path]] = queue.Queue()

    def failing_rebuild(paths: set[Path]) -> None:
        calls.put(paths)
        raise RuntimeError("a bug in the build")

    watcher = FolderWatcher([tmp_path], failing_rebuild)
    watcher.start()
    try:
        (tmp_path / "first.md").write_text("one", encoding="utf-8")
        assert next_change(calls) == {tmp_path / "first.md"}

        # then the next save is still noticed.
        (tmp_path / "second.md").write_text("two", encoding="utf-8")
        assert tmp_path / "second.md" in next_change(calls)
    finally:
        watcher.stop()


def test_watch_stops_at_once(watched):
    _, _, watcher = watched

    watcher.stop()

    assert not watcher.is_alive()


def test_watch_says_so_when_it_cannot_watch(tmp_path, capfd):
    watcher = FolderWatcher([tmp_path / "no-such-folder"], lambda paths: None)

    watcher.start()
    watcher.join(NOTICE_SECONDS)

    assert not watcher.is_alive()
    assert "the file watcher stopped" in capfd.readouterr().err

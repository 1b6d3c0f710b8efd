"""The preview's terminal keeps each thread's lines whole (preview/console.py)."""

from __future__ import annotations

import io
import threading

from preview.console import WholeLines


def _in_thread(write, text: str) -> None:
    thread = threading.Thread(target=write, args=(text,))
    thread.start()
    thread.join()


def test_console_line_of_another_thread_never_lands_inside_a_half_written_one() -> None:
    # Given a metrics record half written (`print` writes its text, then its newline)
    terminal = io.StringIO()
    console = WholeLines(terminal)
    console.write('{"_aws": {"Timestamp": 1}}')
    # When a notification is printed from another thread meanwhile, then the record ends
    _in_thread(console.write, "notification for palata2020@bk.ru: 1 new submission\n")
    console.write("\n")
    # Then each is a line of its own
    assert terminal.getvalue().splitlines() == [
        "notification for palata2020@bk.ru: 1 new submission",
        '{"_aws": {"Timestamp": 1}}',
    ]


def test_console_prints_whole_lines_as_print_makes_them() -> None:
    terminal = io.StringIO()
    console = WholeLines(terminal)
    print("first", "line", file=console)
    print("second\nthird", file=console)
    assert terminal.getvalue() == "first line\nsecond\nthird\n"

"""The preview's terminal: whole lines only, whichever thread writes them.

The preview runs the form function, the notifier and its own messages in threads of one
process, and all of them print: Powertools writes each metrics line with `print`, which is two
writes (the text, then the newline). Another thread's line could land between them, gluing a
notification to a metrics record, and a reader of the output (the editor, a test) then misses
it. Here each thread's text is held until its newline and the whole line is written at once.
"""

from __future__ import annotations

import io
import threading
from typing import TextIO


class WholeLines(io.TextIOBase):
    """A text stream that writes to `target` only whole lines, each in one piece."""

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._pending = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        held = getattr(self._pending, "text", "") + text
        complete, newline, rest = held.rpartition("\n")
        self._pending.text = rest
        if newline:
            with self._lock:
                self._target.write(complete + newline)
                self._target.flush()
        return len(text)

    def flush(self) -> None:
        # A thread's unfinished line stays held: half a line is what this class prevents.
        with self._lock:
            self._target.flush()

    @property
    def encoding(self) -> str:
        return self._target.encoding

    def fileno(self) -> int:
        return self._target.fileno()

    def isatty(self) -> bool:
        return self._target.isatty()

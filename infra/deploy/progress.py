"""Tell the person deploying what is happening, one numbered step at a time."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Numbered steps with their details and durations, on stdout.

    `current` names the step under way, for an error that interrupts it.
    """

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.number = 0
        self.current = ""
        self.stream = stream or sys.stdout

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Announce a step, and its duration once it is done."""
        self.number += 1
        self.current = f"step {self.number}/{self.total}, {title.lower()}"
        self.say(f"[{self.number}/{self.total}] {title}", indent=0)
        started = time.monotonic()
        yield
        self.current = ""
        self.say(f"done in {time.monotonic() - started:.1f} s")

    def say(self, line: str, indent: int = 6) -> None:
        """Print one line of detail under the current step."""
        print(" " * indent + line, file=self.stream, flush=True)

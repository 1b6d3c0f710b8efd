"""What one build computed, kept with its inputs, so that the next build redoes only what changed.

Each step of a build that reads files or checks content (a page, the strings, a check) is
named and given its inputs: the stamps of the files it reads (`sitegen.sources`) and the
values it is computed from. When a later build in the same process asks for the same step
with equal inputs, the kept result is the answer; otherwise the step runs. A step that fails
keeps nothing, so a broken file fails every build until it is mended, with the same error a
fresh build gives. A fresh build starts from an empty memo, so it runs every step.

A check is such a step whose result is that it passed (or, for a check that warns, the
warnings it found): key it by what it reads, one entry per file where it checks file by file,
and it runs again only where those files changed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

Result = TypeVar("Result")


class Memo:
    """Results of named steps, each with the inputs it was computed from."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[Hashable, object]] = {}
        self._used: set[Hashable] = set()

    def __call__(self, step: Hashable, inputs: Hashable, compute: Callable[[], Result]) -> Result:
        """The result of `step` for `inputs`: the kept one if the inputs are the same."""
        self._used.add(step)
        kept = self._kept.get(step)
        if kept is not None and kept[0] == inputs:
            return kept[1]  # type: ignore[return-value]
        self._kept.pop(step, None)
        result = compute()
        self._kept[step] = (inputs, result)
        return result

    def __len__(self) -> int:
        return len(self._kept)

    def has(self, step: Hashable, inputs: Hashable) -> bool:
        """Whether `step` has a result kept for these inputs."""
        kept = self._kept.get(step)
        return kept is not None and kept[0] == inputs

    def forget_unused(self) -> None:
        """Drop the steps this build did not ask for (deleted pages): memory stays bounded."""
        self._kept = {step: kept for step, kept in self._kept.items() if step in self._used}
        self._used = set()

    def clear(self) -> None:
        self._kept.clear()
        self._used.clear()

"""Share work out to forked worker processes, for large sites: one way, used by each step.

A site of a dozen pages is read and rendered in milliseconds, where starting worker processes
would cost more than it saves; from `PARALLEL_FROM` items on, the items are dealt out in turn
to one worker per core (this process being one of them, rather than wait idle), forked so that
they inherit whatever the step set up before (compiled templates, gathered pages) for free.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

PARALLEL_FROM = 400

Item = TypeVar("Item")
Result = TypeVar("Result")


def worker_count() -> int:
    return min(os.cpu_count() or 1, 8)


def deal(items: Sequence[Item]) -> list[list[Item]]:
    """The items dealt out in turn, one share per worker: each share keeps the items' order."""
    workers = worker_count() if len(items) >= PARALLEL_FROM else 1
    return [list(items[index::workers]) for index in range(workers)]


def in_workers(work: Callable[[list[Item]], Result], shares: list[list[Item]]) -> list[Result]:
    """`work(share)` for each share, the first here and the others in forked workers."""
    if len(shares) == 1:
        return [work(shares[0])]
    # Imported here: small sites, the usual case, never pay for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=context) as pool:
        others = pool.map(work, shares[1:])
        return [work(shares[0]), *others]

"""A small per-source-IP rate limit inside the function, on top of API Gateway's throttling.

API Gateway throttles the whole API; this stops one address from filling the table. It lives
in one Lambda instance's memory, so it is a brake, not a guarantee: several warm instances each
count on their own.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
# Bounds the memory a flood of distinct addresses can take; the least recently seen go first.
MAX_TRACKED_ADDRESSES = 10_000


class SlidingWindowLimiter:
    """Allow at most `limit` requests per address in any `window` seconds; 0 allows all."""

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, address: str) -> bool:
        """Record a request from `address` and say whether it is within the limit."""
        if self._limit <= 0:
            return True
        now = self._clock()
        times = self._seen.pop(address, None) or deque()
        while times and times[0] <= now - self._window:
            times.popleft()
        self._seen[address] = times
        if len(self._seen) > MAX_TRACKED_ADDRESSES:
            self._seen.popitem(last=False)
        if len(times) >= self._limit:
            return False
        times.append(now)
        return True

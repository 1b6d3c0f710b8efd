"""What several benchmarks compute from their samples."""

from __future__ import annotations

import statistics


def p99(values: list[float]) -> float:
    """The 99th percentile, interpolated between the samples either side of it."""
    return statistics.quantiles(values, n=100, method="inclusive")[98]

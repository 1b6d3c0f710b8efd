"""Environment variables set for a while, then put back as they were."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def variables_set(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in `os.environ` for the block; afterwards each is as it was, or unset.

    Only these names are put back: whatever else the block sets stays, unlike
    `unittest.mock.patch.dict`, which restores the whole environment.
    """
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

"""What the function does once per Lambda instance, made cheaper for the cold start."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def long_lived_objects(freeze: bool = True) -> Iterator[None]:
    """Create objects that live as long as the instance without the cycle collector running.

    Importing the libraries and building the AWS clients make hundreds of thousands of objects,
    and every allocation burst sets off a collection that scans them all: about 70 ms of a cold
    start, for objects that stay until the instance ends. The collector is paused meanwhile;
    afterwards they are frozen out of its sight (`gc.freeze`), so later collections during
    requests scan only what requests make, and it runs again as before.

    `freeze=False` only pauses: for what can run more than once in a process (the runtime is
    built again after `runtime.reset()`), as freezing again would keep whatever garbage exists
    at that moment for good.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()

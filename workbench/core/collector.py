"""Pausing Python's cycle collector around work that makes many short-lived objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run a block without Python's cycle collector.

    The collector runs after every 700 new container objects and then scans the young ones.
    Tagging a batch or building thousands of retrieval hits makes hundreds of thousands of
    tuples and lists that never form cycles, so there it would only cost time (a tenth of
    the run). It runs as usual again after the block.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""Python's cycle collector paused while allocator makes many small objects at once (reading a
file, building a model, making a synthetic case): almost none of them is in a cycle, and the
collector would walk them again and again (a third of reading's time at 10,000 lines).
Memory is freed by reference counting as before; the collector resumes as it was afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block, back on afterwards if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def collector_settled() -> Iterator[None]:
    """The objects alive now (modules, the instance, a base plan) set aside from the cycle
    collector for the block (`gc.freeze`), back in its care afterwards: a batch analysis makes
    and drops thousands of objects a point, and each full collection walked every object of the
    process again (0.7 ms a Monte Carlo sample of the five-year plan, 80,000 objects). Where
    something else has set objects aside already (the freeze is the process's), nothing
    changes."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

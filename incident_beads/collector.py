"""Pausing the cyclic garbage collector where many objects are made and few reference cycles.

Each allocation threshold makes the collector walk the live objects again. With tens of
thousands of records in memory (the fleet's answers), or everything a command imported and
read, that walking costs more than it finds: the records hold no cycles, and what a short
command leaves behind ends with its process.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused(*, ending: bool = False) -> Iterator[None]:
    """Run the block with the collector off; a collector that was on is turned on again.

    With `ending` (the process ends with the block: a command run from its own command line),
    everything alive is frozen first (`gc.freeze`): turning the collector on would walk it all
    at once, and so would the collection at exit, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if ending:
            gc.freeze()
        if enabled:
            gc.enable()


def resume() -> None:
    """Turn the collector on for good: a server runs long, and what it makes must be freed."""
    gc.enable()

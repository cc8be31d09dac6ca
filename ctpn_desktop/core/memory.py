"""Building a large snapshot without the cycle collector stopping it again and again.

Loading 5,000 injects (or 50,000 log entries) makes hundreds of thousands of small objects, none of them in a
reference cycle. CPython's collector counts them and, every so many, scans the whole heap: a window with its
workspaces, SQLAlchemy and Qt wrappers is a large heap, and each full scan took 40–60 ms, two or three times
while the MSEL editor opened (a third of its opening time). With the collector paused while a snapshot is
built, the objects it made are looked at once, by the first young-generation collection afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause automatic cycle collection for the block; nested blocks leave it to the outermost to resume."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

"""How the interpreter runs the application: the cyclic garbage collector's pace.

Python's collector counts allocations: after 700 it looks at the newest objects, and now and then at every
object the program holds. With Qt, SQLAlchemy and an open MSEL of thousands of injects that full look costs a
few hundred milliseconds, and it lands inside whatever the user is waiting for (opening the MSEL, a release, a
log entry). Collecting less often, and leaving the objects made at start-up out of the full look once the
window is up, keeps those pauses out of the way; memory is still freed at once by reference counting.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
"""Allocations between two collections of the newest objects (Python's default is 700)."""


def tune_garbage_collector() -> None:
    """Collect less often; called first thing by the window and the command line (and by the benchmarks,
    which measure the application as it runs)."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle_after_start() -> None:
    """Everything made to start the application (modules, classes, the window) lives as long as it does:
    leave it out of later full collections."""
    gc.collect()
    gc.freeze()

"""Where the application reads the time, apart from the exercise clock (`core.clock`) so that the window can be
built without the domain model."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["SystemTimeSource", "TimeSource"]


class TimeSource(Protocol):
    """Where the clock reads the time; injected so that tests and the whole app can run on a fake one."""

    def wall(self) -> datetime:
        """The current wall time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin that never goes backwards within one process."""
        ...


class SystemTimeSource:
    """The real clocks of the computer."""

    def wall(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

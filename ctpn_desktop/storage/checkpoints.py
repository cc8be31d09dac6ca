"""Checkpoints of the write-ahead log while nobody is waiting for a write.

SQLite folds the write-ahead log back into the file every thousand pages by itself, inside whichever commit
crosses the line: a note-taker's entry would then wait for the whole file to be written and synced. Documents are
opened with that automatic checkpoint off (`db` sets ``wal_autocheckpoint=0``), and this thread checkpoints
instead once the document has been quiet for a moment, or when the log has grown large during a long burst.
A checkpoint never blocks a writer (``PASSIVE``); what is committed is safe in the log either way.

The same quiet moment, just before the checkpoint, is when the thread does the ``idle_work`` it is given: the
search index catching up with the log's new records (see `fts`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

log = logging.getLogger(__name__)

IDLE_S = 1.0
"""Quiet time after the last commit before the log is folded back into the file."""
LARGE_LOG_BYTES = 32 * 1024 * 1024
"""A log this large is checkpointed even while writes keep coming."""


class IdleCheckpointer:
    """One document's background checkpoints; `note_commit` after each commit, `stop` before closing."""

    def __init__(self, engine: Engine, path: Path, *, idle_s: float = IDLE_S, poll_s: float | None = None,
                 large_log_bytes: int = LARGE_LOG_BYTES,
                 idle_work: Callable[[Callable[[], bool]], object] | None = None) -> None:
        """``idle_work(stop)`` runs before each checkpoint and should return soon once ``stop()`` is true."""
        self._engine = engine
        self._idle_work = idle_work
        self._wal = path.with_name(path.name + "-wal")
        self._idle_s = idle_s
        self._poll_s = poll_s if poll_s is not None else max(idle_s / 2, 0.05)
        self._large = large_log_bytes
        self._last_commit = 0.0
        self._dirty = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.checkpoints = 0
        """How many checkpoints this thread ran (for tests and diagnostics)."""
        self._thread = threading.Thread(target=self._run, name=f"checkpoint {path.name}", daemon=True)
        self._thread.start()

    def note_commit(self) -> None:
        with self._lock:
            self._dirty = True
            self._last_commit = time.monotonic()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _quiet(self) -> bool | None:
        """True when quiet, False when the log is large in a burst of writes, None when nothing is due."""
        with self._lock:
            if not self._dirty:
                return None
            if time.monotonic() - self._last_commit >= self._idle_s:
                return True
        try:
            return False if self._wal.stat().st_size >= self._large else None
        except OSError:
            return None

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            quiet = self._quiet()
            if quiet is None:
                continue
            with self._lock:
                self._dirty = False
            try:
                if quiet and self._idle_work is not None:
                    self._idle_work(self._stop.is_set)
                with self._engine.connect() as connection:
                    busy, frames, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
                self.checkpoints += 1
                if busy or done < frames:  # a reader or a writer was in the way: try again when next quiet
                    self.note_commit()
            except Exception as error:  # the next checkpoint, or the one at closing, catches up
                log.warning("background checkpoint of %s failed: %s", self._wal.name, error)
                self.note_commit()

"""Checkpoints of the write-ahead log while nobody is waiting for a write.

SQLite folds the write-ahead log back into the file every thousand pages by itself, inside whichever commit
crosses the line: a note-taker's entry would then wait for the whole file to be written and synced. Documents are
opened with that automatic checkpoint off (`db` sets ``wal_autocheckpoint=0``), and this thread checkpoints
instead once the document has been quiet for a moment, or when the log has grown large during a long burst.
A checkpoint never blocks a writer (``PASSIVE``); what is committed is safe in the log either way.
"""

from __future__ import annotations

import logging
import threading
import time
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
                 large_log_bytes: int = LARGE_LOG_BYTES) -> None:
        self._engine = engine
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

    def _due(self) -> bool:
        with self._lock:
            if not self._dirty:
                return False
            quiet = time.monotonic() - self._last_commit >= self._idle_s
        if quiet:
            return True
        try:
            return self._wal.stat().st_size >= self._large
        except OSError:
            return False

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            if not self._due():
                continue
            with self._lock:
                self._dirty = False
            try:
                with self._engine.connect() as connection:
                    busy, frames, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
                self.checkpoints += 1
                if busy or done < frames:  # a reader or a writer was in the way: try again when next quiet
                    self.note_commit()
            except Exception as error:  # the next checkpoint, or the one at closing, catches up
                log.warning("background checkpoint of %s failed: %s", self._wal.name, error)
                self.note_commit()

"""The station's journal: what a station of a shared room wrote while it could not reach the server.

A write the server cannot take (the network is gone, the server restarts) is kept in a small SQLite file on
the station's own disk, committed with ``synchronous=FULL`` before the screen says it is saved. When the server
is back the journal is sent in the order it was written, each item exactly once: every item carries the
identity its row will have in the room (a log entry's id, an event's id), and sending checks, inside the same
transaction as the write, whether the room already has it — so an item whose sending was interrupted after the
room committed it is never written twice.

What sending cannot take is not lost either: an inject another station released first is kept in the journal
with the reason ("first release wins") and shown to the user; log entries and evaluation notes never conflict
(they get their numbers from the room when they arrive; a correction is always a new revision).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_item (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    run_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    written_at TEXT NOT NULL,
    sent_at TEXT,
    outcome TEXT NOT NULL DEFAULT ''
)
"""

SENT, REFUSED = "sent", "refused"


@dataclass(frozen=True)
class JournalItem:
    id: str
    position: int
    kind: str
    run_id: str
    payload: dict[str, Any]
    written_at: datetime
    sent_at: datetime | None = None
    outcome: str = ""

    @property
    def waiting(self) -> bool:
        return self.sent_at is None

    @property
    def refused(self) -> bool:
        return self.outcome.startswith(REFUSED)


class StationJournal:
    """One file per station and room. Safe to use from the window's thread and the room listener's."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        with self._connect() as connection:
            connection.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    def add(self, kind: str, run_id: str, payload: dict[str, Any], *, item_id: str | None = None) -> JournalItem:
        """Keep ``payload`` on this station's disk; committed (and synced) when this returns."""
        written = datetime.now(UTC)
        item_id = item_id or str(uuid.uuid4())
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._lock:
            connection = self._connect()
            try:
                connection.execute("BEGIN IMMEDIATE")
                position = int(connection.execute("SELECT coalesce(max(position), 0) + 1 FROM journal_item")
                               .fetchone()[0])
                connection.execute("INSERT INTO journal_item (id, position, kind, run_id, payload, written_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?)",
                                   (item_id, position, kind, run_id, text, written.isoformat()))
                connection.execute("COMMIT")
            finally:
                connection.close()
        return JournalItem(item_id, position, kind, run_id, payload, written)

    def items(self, *, waiting_only: bool = False) -> list[JournalItem]:
        query = "SELECT id, position, kind, run_id, payload, written_at, sent_at, outcome FROM journal_item"
        if waiting_only:
            query += " WHERE sent_at IS NULL"
        with self._lock:
            connection = self._connect()
            try:
                rows = connection.execute(query + " ORDER BY position").fetchall()
            finally:
                connection.close()
        return [JournalItem(row[0], row[1], row[2], row[3], json.loads(row[4]), datetime.fromisoformat(row[5]),
                            datetime.fromisoformat(row[6]) if row[6] else None, row[7]) for row in rows]

    def waiting(self) -> list[JournalItem]:
        return self.items(waiting_only=True)

    def refused(self) -> list[JournalItem]:
        return [item for item in self.items() if item.refused]

    def mark(self, item_id: str, outcome: str = SENT) -> None:
        with self._lock:
            connection = self._connect()
            try:
                connection.execute("UPDATE journal_item SET sent_at = ?, outcome = ? WHERE id = ?",
                                   (datetime.now(UTC).isoformat(), outcome, item_id))
            finally:
                connection.close()


Sender = Callable[[Any, JournalItem], str]
"""Sends one item to the room (given the room's document); returns the outcome to record."""


def senders() -> dict[str, Sender]:
    """The kinds of item the services keep, and how each is sent (imported late: the services import this)."""
    from ctpn_desktop.core.services import log, runs

    return {**log.JOURNAL_SENDERS, **runs.JOURNAL_SENDERS}


@dataclass(frozen=True)
class FlushReport:
    sent: int
    refused: tuple[JournalItem, ...]
    waiting: int
    """Items still on this station: the server went away again while sending."""


def flush(document: Any, journal: StationJournal) -> FlushReport:
    """Send what the journal holds, oldest first; stops at the first item the server cannot take now."""
    from ctpn_desktop.core.errors import CtpnError, RoomOffline

    table = senders()
    sent = 0
    refused: list[JournalItem] = []
    waiting = journal.waiting()
    for index, item in enumerate(waiting):
        sender = table.get(item.kind)
        if sender is None:
            journal.mark(item.id, f"{REFUSED}: this version does not know how to send a '{item.kind}'")
            refused.append(item)
            continue
        try:
            outcome = sender(document, item)
        except RoomOffline:
            return FlushReport(sent, tuple(refused), len(waiting) - index)
        except CtpnError as error:
            outcome = f"{REFUSED}: {error}"
        journal.mark(item.id, outcome)
        if outcome.startswith(REFUSED):
            refused.append(item)
        else:
            sent += 1
    return FlushReport(sent, tuple(refused), 0)

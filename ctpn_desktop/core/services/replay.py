"""Replays of runs, and the bookmarks people set in them at the debrief.

`ReplayService.load` reads every stored record of a run once (a handful of SELECTs) and hands a `RunReplay` that
answers any moment from memory: the replay is rebuilt from the records each time it is opened, never from a
snapshot that could disagree with them. It writes nothing but bookmarks.

A bookmark marks a moment of the record (its wall time, with the exercise time the clock showed) under a label.
It is kept as it was made, since observations cite it (`EvidenceKind.BOOKMARK`), and it says how to cite it:
``Replay 1:12:00 (Run 1) — Police cordon decided``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from ctpn_desktop.core.clock import TimeSource, format_elapsed
from ctpn_desktop.core.entities import RunStatus
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.replay import RunReplay
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import revision_of
from ctpn_desktop.core.services.runs import RunService, adhoc_of, anchor_of, event_of, run_info_of
from ctpn_desktop.storage.orm import (
    AdhocInjectRow,
    ClockAnchorRow,
    InjectEventRow,
    LogRecordRow,
    ReplayBookmarkRow,
    RunRow,
    next_seq,
    utc_text,
)

MAX_LABEL = 200


@dataclass(frozen=True, slots=True)
class Bookmark:
    id: str
    run_id: str
    at_wall: datetime
    exercise_s: float
    label: str
    author: str
    created_at: datetime
    run_label: str = ""

    @property
    def citation(self) -> str:
        """How an observation or a report names it."""
        run = f" ({self.run_label})" if self.run_label else ""
        return f"Replay {format_elapsed(self.exercise_s)}{run} — {self.label}"


def bookmark_of(row: ReplayBookmarkRow, run_label: str = "") -> Bookmark:
    return Bookmark(id=row.id, run_id=row.run_id, at_wall=datetime.fromisoformat(row.at_wall),
                    exercise_s=row.exercise_s, label=row.label, author=row.author,
                    created_at=datetime.fromisoformat(row.created_at), run_label=run_label)


class ReplayService:
    def __init__(self, document: Document, source: TimeSource, runs: RunService | None = None,
                 device_id: str = "", author: str = "") -> None:
        self._document = document
        self._sessions = document.sessions
        self._source = source
        self._runs = runs or RunService(document, source)
        self._device_id = device_id or document.station.id
        self._author = author or document.station.name

    def load(self, run_id: str) -> RunReplay:
        """Every record of the run, read now: a replay of a run still in play ends at this moment."""
        scenario = self._runs.frozen_scenario(run_id)
        with self._sessions() as session:
            run = session.get(RunRow, run_id)
            if run is None:
                raise ValidationFailed("that run does not exist in this document")
            status = RunStatus(run.status)
            anchors = [anchor_of(r) for r in session.scalars(
                select(ClockAnchorRow).where(ClockAnchorRow.run_id == run_id).order_by(ClockAnchorRow.seq))]
            events = [event_of(r) for r in session.scalars(
                select(InjectEventRow).where(InjectEventRow.run_id == run_id)
                .order_by(InjectEventRow.seq, InjectEventRow.wall_time, InjectEventRow.id))]
            adhocs = [adhoc_of(r) for r in session.scalars(
                select(AdhocInjectRow).where(AdhocInjectRow.run_id == run_id).order_by(AdhocInjectRow.number))]
            log = [revision_of(r) for r in session.scalars(
                select(LogRecordRow).where(LogRecordRow.run_id == run_id)
                .order_by(LogRecordRow.device_id, LogRecordRow.chain_seq))]
        until = None if status is RunStatus.ENDED else self._source.wall().astimezone(UTC)
        return RunReplay(scenario, anchors, events, adhocs, log, until=until)

    # Bookmarks ---------------------------------------------------------------------------------------------
    def _require_write(self) -> None:
        station = self._document.station
        if not (station.can(Permission.EVALUATE) or station.can(Permission.LOG)):
            station.require(Permission.EVALUATE)

    def add_bookmark(self, run_id: str, *, at_wall: datetime, exercise_s: float, label: str) -> Bookmark:
        """Mark a moment of the run's record; committed when this returns."""
        self._require_write()
        label = " ".join(label.split())
        if not label:
            raise ValidationFailed("a bookmark needs a label that says what happened at that moment")
        if len(label) > MAX_LABEL:
            raise ValidationFailed(f"a bookmark's label is at most {MAX_LABEL} characters, not {len(label)}")
        if at_wall.tzinfo is None:
            raise ValidationFailed("the moment of a bookmark needs a time zone")
        with self._sessions() as session, session.begin():
            run = session.get(RunRow, run_id)
            if run is None:
                raise ValidationFailed("that run does not exist in this document")
            row = ReplayBookmarkRow(id=str(uuid.uuid4()), run_id=run_id, at_wall=utc_text(at_wall.astimezone(UTC)),
                                    exercise_s=float(exercise_s), label=label, author=self._author,
                                    created_at=utc_text(self._source.wall().astimezone(UTC)),
                                    device_id=self._device_id)
            row.seq = next_seq(session, ReplayBookmarkRow, run_id)
            session.add(row)
            session.flush()
            return bookmark_of(row, run_info_of(run).label)

    def bookmarks(self, run_id: str | None = None) -> list[Bookmark]:
        """The bookmarks of a run (of every run when None), in the order of the moments they mark."""
        with self._sessions() as session:
            labels = {r.id: r.label for r in session.scalars(select(RunRow))}
            query = select(ReplayBookmarkRow)
            if run_id is not None:
                query = query.where(ReplayBookmarkRow.run_id == run_id)
            rows = list(session.scalars(query))
        marks = [bookmark_of(row, labels.get(row.run_id, "")) for row in rows]
        return sorted(marks, key=lambda b: (b.at_wall, b.created_at, b.id))

"""Runs: one conduct of the exercise, its clock and what happened to each inject.

A run freezes the scenario (as scenario JSON v1, attachments included) when it is created, so later edits in
the scenario editor never rewrite history. Every clock action and inject event is committed before the
method returns: what the facilitator sees as done is on disk.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import (
    ExerciseClock,
    TimeSource,
    format_elapsed,
    scenario_time,
    scenario_time_in,
    story_schedule,
)
from ctpn_desktop.core.entities import (
    AdhocInject,
    ClockAnchor,
    ClockEventKind,
    DeliveryMethod,
    InjectEvent,
    InjectEventKind,
    Phase,
    RunInfo,
    RunStatus,
    Scenario,
)
from ctpn_desktop.core.errors import RoomOffline, RunStateError, ValidationFailed
from ctpn_desktop.core.io import scenario_json
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.journal import REFUSED, SENT, JournalItem
from ctpn_desktop.core.services.scenario import read_scenario
from ctpn_desktop.core.timeline import PhaseStart, current_phase, next_phase, phase_starts
from ctpn_desktop.storage import db
from ctpn_desktop.storage.orm import (
    AdhocInjectRow,
    AttachmentRow,
    ClockAnchorRow,
    InjectEventRow,
    LogRecordRow,
    RunRow,
    RunScenarioRow,
)
from ctpn_desktop.storage.tracking import Prepared


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def run_info_of(row: RunRow) -> RunInfo:
    return RunInfo(id=row.id, number=row.number, label=row.label, rehearsal=row.rehearsal,
                   status=RunStatus(row.status), created_at=datetime.fromisoformat(row.created_at),
                   started_at=_dt(row.started_at), ended_at=_dt(row.ended_at))


def anchor_of(row: ClockAnchorRow) -> ClockAnchor:
    return ClockAnchor(seq=row.seq, kind=ClockEventKind(row.kind), wall_time=datetime.fromisoformat(row.wall_time),
                       exercise_s=row.exercise_s, running=row.running, compression=row.compression,
                       reason=row.reason)


def event_of(row: InjectEventRow) -> InjectEvent:
    return InjectEvent(id=row.id, run_id=row.run_id, inject_id=row.inject_id, kind=InjectEventKind(row.kind),
                       wall_time=datetime.fromisoformat(row.wall_time), exercise_s=row.exercise_s,
                       scenario_time=_dt(row.scenario_time), actor=row.actor, note=row.note,
                       new_offset_s=row.new_offset_s, seq=row.seq)


def _event_of_values(values: Mapping[str, Any], seq: int) -> InjectEvent:
    """The event as `event_of` reads it back, from the values just written."""
    scenario_text = values["scenario_time"]
    return InjectEvent(id=values["id"], run_id=values["run_id"], inject_id=values["inject_id"],
                       kind=InjectEventKind(values["kind"]), wall_time=datetime.fromisoformat(values["wall_time"]),
                       exercise_s=values["exercise_s"],
                       scenario_time=datetime.fromisoformat(scenario_text) if scenario_text else None,
                       actor=values["actor"], note=values["note"], new_offset_s=values["new_offset_s"], seq=seq)


def adhoc_of(row: AdhocInjectRow) -> AdhocInject:
    return AdhocInject(id=row.id, run_id=row.run_id, number=row.number, title=row.title, content=row.content,
                       created_at=datetime.fromisoformat(row.created_at), exercise_s=row.exercise_s,
                       delivery_method=DeliveryMethod(row.delivery_method), recipients_text=row.recipients_text,
                       phase_id=row.phase_id, author=row.author)


_EVENT = cast(Table, InjectEventRow.__table__)
_EVENT_FIELDS = tuple(column.key for column in _EVENT.columns if column.key != "seq")


def _event_insert(*, first_release: bool, returning: bool) -> Insert:
    """The event's row with the run's next ``seq``, both worked out by the database in one statement; with
    ``first_release`` nothing is inserted when the inject was released already (first release wins).

    Built once, so that every release runs the same compiled statement."""
    table = _EVENT.c
    values = [bindparam(name, type_=table[name].type) for name in _EVENT_FIELDS]
    seq = (select(func.coalesce(func.max(table.seq), 0) + 1)
           .where(table.run_id == bindparam("run_id")).scalar_subquery())
    rows = select(*values, seq)
    if first_release:
        rows = rows.where(~exists().where(table.run_id == bindparam("run_id"),
                                          table.inject_id == bindparam("inject_id"),
                                          table.kind == bindparam("kind")))
    statement = insert(_EVENT).from_select([*_EVENT_FIELDS, "seq"], rows)
    return statement.returning(table.seq) if returning else statement.execution_options(preserve_rowcount=True)


_INSERT_EVENT = {(first, returning): Prepared(_event_insert(first_release=first, returning=returning))
                 for first in (False, True) for returning in (False, True)}
"""By (first release only, with RETURNING): SQLite before 3.35 has no RETURNING; the seq is then read back."""
_SEQ_OF_EVENT = select(InjectEventRow.seq).where(InjectEventRow.id == bindparam("id"))


@dataclass
class _RunEvents:
    """A run's events as this service last read them, in the order they were recorded.

    Inject events are only ever inserted, each with the next ``seq`` of its run taken under the run's lock, so
    everything up to ``through_seq`` is known and what is new has a higher seq. Events this service wrote
    itself go in at once; a hole below them (another station's event not heard of yet) is read on the next
    catch-up."""

    events: list[InjectEvent] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    through_seq: int = 0
    """Every event with a seq up to this one is in ``events``."""
    phase_events: int = 0
    """How many phase-started events ``events`` holds: the phase starts change only when this does."""

    def add(self, event: InjectEvent) -> None:
        if event.id in self.ids:
            return
        at = bisect.bisect_right(self.seqs, event.seq)
        self.events.insert(at, event)
        self.seqs.insert(at, event.seq)
        self.ids.add(event.id)
        if event.kind is InjectEventKind.PHASE_STARTED:
            self.phase_events += 1
        if event.seq == self.through_seq + 1:
            self.through_seq = event.seq

    @property
    def complete(self) -> bool:
        """No hole: nothing above ``through_seq`` was taken in out of turn."""
        return not self.seqs or self.seqs[-1] <= self.through_seq


class RunService:
    def __init__(self, document: Document, source: TimeSource, actor: str = "") -> None:
        self._document = document
        self._sessions = document.sessions
        self._source = source
        self._actor = actor or document.station.name
        self._station = document.station
        self._frozen: dict[str, Scenario] = {}
        self._blobs: dict[str, dict[str, bytes]] = {}
        self._clocks: dict[str, ExerciseClock] = {}
        self._phase_jumps: dict[str, tuple[_RunEvents, int, dict[str, float]]] = {}
        """Per run, the phase starts worked out from its cached events (and how many phase-started events there
        were: other events leave them as they are)."""
        self._stories: dict[str, tuple[dict[str, float], tuple[PhaseStart, ...]]] = {}
        """Per run, the story schedule (see `clock.story_schedule`) and the phase starts it was made with."""
        self._known_injects: dict[str, frozenset[str]] = {}
        self._stale_clocks: set[str] = set()
        self._last_jumps: dict[str, dict[str, float]] = {}
        self._events: dict[str, _RunEvents] = {}
        self._events_lock = threading.Lock()
        self._stale_events: set[str] = set()
        """Runs whose cached events are no longer known to be complete: read them all again."""
        self._awaited_events: dict[str, set[str]] = {}
        """Per run, ids of events written (here or elsewhere) that the cache may not hold yet."""
        document.changes.subscribe(self._document_changed, weak=True)

    def _document_changed(self, changes: Changes) -> None:
        """Another station (or another service on this document) changed a clock or an event: the cached clock
        catches up when next read, on the reader's thread; phase starts are read again."""
        if changes.touches(Topic.CLOCK, Topic.RUNS):
            for run_id in list(self._clocks):
                if changes.concerns_run(run_id):
                    self._stale_clocks.add(run_id)
        if changes.touches(Topic.INJECT_EVENTS) and ("inject_event" in changes.tables or not changes.tables):
            written = changes.row_ids("inject_event")
            with self._events_lock:
                for run_id in list(self._events):
                    if not changes.concerns_run(run_id):
                        continue
                    if written is None:
                        self._stale_events.add(run_id)
                    else:
                        self._awaited_events.setdefault(run_id, set()).update(written)

    def live_run(self) -> RunInfo | None:
        """The run in play (running, paused or halted): the one started last if there are several."""
        playing = [run for run in self.list_runs()
                   if run.status in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.HALTED)]
        return max(playing, key=lambda r: (r.started_at or r.created_at, r.number)) if playing else None

    def list_runs(self, *, include_discarded: bool = False) -> list[RunInfo]:
        with self._sessions() as session:
            query = select(RunRow).order_by(RunRow.number)
            if not include_discarded:
                query = query.where(RunRow.discarded.is_(False))
            return [run_info_of(r) for r in session.scalars(query)]

    def run(self, run_id: str) -> RunInfo:
        with self._sessions() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                raise ValidationFailed("that run does not exist in this document")
            return run_info_of(row)

    def create_run(self, label: str = "", *, rehearsal: bool = False) -> RunInfo:
        """Freeze the scenario as it is now into a new run, ready to start."""
        self._station.require(Permission.MANAGE_RUNS)
        with self._sessions() as session, session.begin():
            scenario = read_scenario(session)
            blobs = {row.id: row.data for row in session.scalars(select(AttachmentRow))}
            frozen = scenario_json.dumps(scenario_json.from_scenario(scenario, blobs))
            number = int(session.scalar(select(func.max(RunRow.number))) or 0) + 1
            row = RunRow(id=str(uuid.uuid4()), number=number, label=label or f"Run {number}", rehearsal=rehearsal,
                         status=RunStatus.READY.value, created_at=self._source.wall().isoformat())
            session.add(row)
            session.flush()
            session.add(RunScenarioRow(run_id=row.id, frozen_scenario=frozen))
            session.flush()
            return run_info_of(row)

    def discard_run(self, run_id: str) -> None:
        """Only rehearsals can be discarded; a real run's record is kept whatever happens."""
        self._station.require(Permission.MANAGE_RUNS)
        with self._sessions() as session, session.begin():
            row = self._row(session, run_id)
            if not row.rehearsal:
                raise RunStateError("a real run cannot be discarded; only rehearsal runs can")
            row.discarded = True

    def frozen_scenario(self, run_id: str) -> Scenario:
        if run_id not in self._frozen:
            with self._sessions() as session:
                text = session.scalar(select(RunScenarioRow.frozen_scenario).where(RunScenarioRow.run_id == run_id))
            if text is None:
                raise ValidationFailed("that run does not exist in this document")
            self._frozen[run_id], self._blobs[run_id] = scenario_json.to_scenario(
                scenario_json.parse_scenario_text(text))
        return self._frozen[run_id]

    def attachment_data(self, run_id: str, attachment_id: str) -> bytes:
        """An attachment as it was frozen into the run (the presenter shows these, not the live scenario's)."""
        self.frozen_scenario(run_id)
        try:
            return self._blobs[run_id][attachment_id]
        except KeyError:
            raise ValidationFailed("that attachment is not part of this run") from None

    def clock(self, run_id: str) -> ExerciseClock:
        clock = self._clocks.get(run_id)
        if clock is None:
            with self._sessions() as session:
                rows = session.scalars(select(ClockAnchorRow).where(ClockAnchorRow.run_id == run_id)
                                       .order_by(ClockAnchorRow.seq)).all()
                clock = self._clocks[run_id] = ExerciseClock([anchor_of(r) for r in rows], self._source)
            self._stale_clocks.discard(run_id)
        elif run_id in self._stale_clocks:
            self._stale_clocks.discard(run_id)
            last = clock.last_anchor.seq if clock.last_anchor is not None else 0
            try:
                with self._sessions() as session:
                    rows = session.scalars(select(ClockAnchorRow).where(ClockAnchorRow.run_id == run_id,
                                                                        ClockAnchorRow.seq > last)
                                           .order_by(ClockAnchorRow.seq)).all()
            except RoomOffline:
                self._stale_clocks.add(run_id)  # the clock goes on as it was known; caught up once back
                return clock
            clock.catch_up([anchor_of(r) for r in rows])
        return clock

    def events(self, run_id: str) -> list[InjectEvent]:
        """The run's events in the order they were recorded.

        Read in full once; after that a change announced with the keys of the events written costs one read of
        the events after the last one known (none when this service wrote them itself), and a change whose rows
        are not known (a reconnection, a merge, a large write) reads them all again."""
        return list(self._caught_up(run_id).events)

    def events_since(self, run_id: str, after_seq: int) -> list[InjectEvent]:
        """The run's events recorded after ``after_seq`` (see `InjectEvent.seq`), in order."""
        with self._sessions() as session:
            rows = session.scalars(select(InjectEventRow).where(InjectEventRow.run_id == run_id,
                                                                InjectEventRow.seq > after_seq)
                                   .order_by(InjectEventRow.seq, InjectEventRow.wall_time, InjectEventRow.id))
            return [event_of(r) for r in rows]

    def events_by_ids(self, run_id: str, event_ids: Iterable[str]) -> list[InjectEvent]:
        """Those of ``event_ids`` that are events of ``run_id``, in the order they were recorded; ids of other
        runs' events, or of none, are left out."""
        wanted = sorted(set(event_ids))
        if not wanted:
            return []
        found: list[InjectEvent] = []
        with self._sessions() as session:
            for start in range(0, len(wanted), 500):
                rows = session.scalars(select(InjectEventRow).where(InjectEventRow.run_id == run_id,
                                                                    InjectEventRow.id.in_(wanted[start:start + 500])))
                found.extend(event_of(r) for r in rows)
        return sorted(found, key=lambda e: (e.seq, e.wall_time, e.id))

    def _caught_up(self, run_id: str) -> _RunEvents:
        with self._events_lock:
            known = self._events.get(run_id)
            stale = known is None or run_id in self._stale_events
            awaited = self._awaited_events.pop(run_id, set())
            self._stale_events.discard(run_id)
        try:
            if stale:
                known = _RunEvents()
                for event in self.events_since(run_id, -1):
                    known.add(event)
                known.through_seq = known.seqs[-1] if known.seqs else 0
                with self._events_lock:
                    self._events[run_id] = known
                return known
            assert known is not None
            missing = awaited - known.ids
            if missing or not known.complete:
                for event in self.events_since(run_id, known.through_seq):
                    known.add(event)
                known.through_seq = max(known.through_seq, known.seqs[-1] if known.seqs else 0)
                missing -= known.ids
                if missing:  # recorded out of turn, or another run's: looked up by their keys
                    for event in self.events_by_ids(run_id, missing):
                        known.add(event)
        except RoomOffline:
            with self._events_lock:  # asked again once the server is back
                if stale:
                    self._stale_events.add(run_id)
                else:
                    self._awaited_events.setdefault(run_id, set()).update(awaited)
            raise
        return known

    def _row(self, session: Session, run_id: str) -> RunRow:
        row = session.get(RunRow, run_id)
        if row is None:
            raise ValidationFailed("that run does not exist in this document")
        return row

    def _persist_anchor(self, run_id: str, anchor: ClockAnchor) -> RunInfo:
        """Store the clock's next anchor; the clock takes it only once it is committed. If another station
        moved the clock at the same moment, its anchor stands and this one is refused."""
        self._station.require(Permission.HALT if anchor.kind is ClockEventKind.HALT else Permission.DRIVE_CLOCK)
        clock = self.clock(run_id)
        try:
            with self._sessions() as session, session.begin():
                row = self._row(session, run_id)
                session.add(ClockAnchorRow(run_id=run_id, seq=anchor.seq, kind=anchor.kind.value,
                                           wall_time=anchor.wall_time.isoformat(), exercise_s=anchor.exercise_s,
                                           running=anchor.running, compression=anchor.compression,
                                           reason=anchor.reason))
                row.status = clock.status_after(anchor).value
                if anchor.kind is ClockEventKind.START:
                    row.started_at = anchor.wall_time.isoformat()
                if anchor.kind is ClockEventKind.END:
                    row.ended_at = anchor.wall_time.isoformat()
                session.flush()
                info = run_info_of(row)
        except RoomOffline as error:
            raise RoomOffline(error.where, "the server cannot be reached, so the clock was not changed: the other "
                                           "stations would not follow it. Try again when the room is back online"
                              ) from error
        except IntegrityError:
            self._stale_clocks.add(run_id)
            raise RunStateError("the clock was changed on another station at the same moment; look at the clock "
                                "again and repeat the command if it is still needed") from None
        self._stale_clocks.discard(run_id)
        clock.apply(anchor)
        return info

    def start(self, run_id: str) -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).start())

    def pause(self, run_id: str, reason: str = "") -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).pause(reason))

    def resume(self, run_id: str, reason: str = "") -> RunInfo:
        """Run again; after a real-world halt only with a reason, so the record says why play went on."""
        if self.clock(run_id).status is RunStatus.HALTED and not reason.strip():
            raise ValidationFailed("Resuming after a halt needs a reason.")
        return self._persist_anchor(run_id, self.clock(run_id).resume(reason))

    def halt(self, run_id: str, reason: str) -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).halt(reason))

    def end(self, run_id: str, reason: str = "") -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).end(reason))

    def set_compression(self, run_id: str, factor: float, reason: str = "") -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).set_compression(factor, reason))

    def adjust(self, run_id: str, *, to_exercise_s: float, reason: str) -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).adjust(to_exercise_s=to_exercise_s, reason=reason))

    def jump_to(self, run_id: str, exercise_s: float, reason: str) -> RunInfo:
        return self._persist_anchor(run_id, self.clock(run_id).jump_to(exercise_s, reason))

    def phase_jumps(self, run_id: str) -> dict[str, float]:
        """Phase id → exercise time at which the facilitator started it, from the run's phase-started events."""
        return dict(self._jumps(run_id))

    def _jumps(self, run_id: str) -> dict[str, float]:
        try:
            known = self._caught_up(run_id)
        except RoomOffline:
            return dict(self._last_jumps.get(run_id, {}))  # as last known, until the server is back
        cached = self._phase_jumps.get(run_id)
        if cached is None or cached[0] is not known or cached[1] != known.phase_events:
            cached = self._phase_jumps[run_id] = (known, known.phase_events, phase_starts(known.events))
            self._last_jumps[run_id] = cached[2]
        return cached[2]

    def _story(self, run_id: str, scenario: Scenario, jumps: dict[str, float]) -> tuple[PhaseStart, ...]:
        cached = self._stories.get(run_id)
        if cached is None or cached[0] is not jumps:
            cached = self._stories[run_id] = (jumps, story_schedule(scenario.phases, phase_jumps=jumps))
        return cached[1]

    def scenario_time_at(self, run_id: str, exercise_s: float) -> datetime | None:
        return scenario_time(exercise_s, self.frozen_scenario(run_id).phases,
                             phase_jumps=self._jumps(run_id))

    def scenario_time_now(self, run_id: str) -> datetime | None:
        return self.scenario_time_at(run_id, self.clock(run_id).elapsed())

    def current_phase(self, run_id: str) -> Phase | None:
        """The phase in play now, phases started by hand included."""
        return current_phase(self.frozen_scenario(run_id).phases, self.clock(run_id).elapsed(),
                             phase_jumps=self.phase_jumps(run_id))

    def start_phase(self, run_id: str, phase_id: str, note: str = "") -> InjectEvent:
        """Record that the facilitator opened ``phase_id`` now (a phase-started event)."""
        if self.frozen_scenario(run_id).phase(phase_id) is None:
            raise ValidationFailed("that phase is not part of this run")
        return self._record(run_id, phase_id, InjectEventKind.PHASE_STARTED, note)

    def advance_phase(self, run_id: str, note: str = "") -> tuple[Phase, InjectEvent]:
        """Move play to the next phase: the clock jumps forward to its planned start, and the move is recorded.

        The clock moves rather than the phase alone so that the phase's injects fall due on their planned
        offsets and the story time opens at the phase's scenario start.
        """
        clock = self.clock(run_id)
        if clock.status in (RunStatus.READY, RunStatus.ENDED):
            raise RunStateError(f"the run is {clock.status.value}: start it before moving between phases")
        upcoming = next_phase(self.frozen_scenario(run_id).phases, clock.elapsed(),
                              phase_jumps=self.phase_jumps(run_id))
        if upcoming is None:
            raise RunStateError("play is already in the last phase")
        if upcoming.start_s > clock.elapsed():
            self.jump_to(run_id, upcoming.start_s, f"Moved to {upcoming.phase.name}")
        return upcoming.phase, self.start_phase(run_id, upcoming.phase.id, note)

    def _record(self, run_id: str, inject_id: str, kind: InjectEventKind, note: str = "",
                new_offset_s: int | None = None) -> InjectEvent:
        self._station.require(Permission.DRIVE_CLOCK if kind is InjectEventKind.PHASE_STARTED else Permission.RELEASE)
        clock = self.clock(run_id)
        if clock.status in (RunStatus.READY, RunStatus.ENDED):
            raise RunStateError(f"the run is {clock.status.value}: start it before acting on injects")
        scenario = self.frozen_scenario(run_id)
        if kind is InjectEventKind.PHASE_STARTED:
            if scenario.phase(inject_id) is None:
                raise ValidationFailed("that phase is not part of this run")
        elif inject_id not in self._inject_ids(run_id) and not self._is_adhoc(run_id, inject_id):
            raise ValidationFailed("that inject is not part of this run")
        elapsed = clock.elapsed()
        try:
            jumps = self._jumps(run_id)
        except RoomOffline:
            if kind is InjectEventKind.PHASE_STARTED:
                raise
            jumps = self._last_jumps.get(run_id, {})  # as last known: the event is kept on this station
        if kind is InjectEventKind.PHASE_STARTED:
            jumps = {**jumps, inject_id: elapsed}
        story = scenario_time_in(self._story(run_id, scenario, jumps), elapsed)
        values: dict[str, Any] = {
            "id": str(uuid.uuid4()), "run_id": run_id, "inject_id": inject_id, "kind": kind.value,
            "wall_time": self._source.wall().astimezone(UTC).isoformat(timespec="microseconds"),
            "exercise_s": elapsed, "scenario_time": story.isoformat() if story else None, "actor": self._actor,
            "note": note, "new_offset_s": new_offset_s}
        room = self._document.room
        if room is not None and not room.online and kind is not InjectEventKind.PHASE_STARTED:
            return self._keep(values)
        try:
            seq = self._store_event(values)
        except RoomOffline:
            if room is None or kind is InjectEventKind.PHASE_STARTED:
                raise
            return self._keep(values)
        assert seq is not None
        event = _event_of_values(values, seq)
        known = self._events.get(run_id)
        if known is not None:
            known.add(event)  # this service's own write is not read back
        return event

    def _store_event(self, values: dict[str, Any], *, resent: bool = False) -> int | None:
        """Write the event (a column → value mapping, without ``seq``) and return its ``seq``; None when it was
        there already (a resend).

        One statement inserts the row with the run's next ``seq`` and, for a release, only if the inject was not
        released before, so that nothing can come between the check, the numbering and the write. It goes
        through the session, which records the write for the change notification."""
        first_release = values["kind"] == InjectEventKind.RELEASED.value
        with self._document.writing() as write:
            connection = write.connection
            db.serialize_run(connection, values["run_id"])
            if resent and connection.execute(_SEQ_OF_EVENT, {"id": values["id"]}).first() is not None:
                return None
            returning = connection.dialect.insert_returning
            result = write.execute("inject_event", _INSERT_EVENT[first_release, returning], values)
            if returning:
                seq = result.scalar()
            else:
                seq = connection.scalar(_SEQ_OF_EVENT, {"id": values["id"]}) if result.rowcount else None
            if seq is None:
                raise self._second_release(connection, values["run_id"], values["inject_id"])
        return int(seq)

    def _keep(self, values: dict[str, Any]) -> InjectEvent:
        """The room's server is away: keep the event on this station, at the moment it happened."""
        room = self._document.room
        assert room is not None
        room.keep(JOURNAL_EVENT, values["run_id"], dict(values), item_id=values["id"])
        return replace(_event_of_values(values, 0), pending=True)

    @staticmethod
    def _second_release(session: Session | Connection, run_id: str, inject_id: str) -> RunStateError:
        """Why a release was refused: first release wins, an inject already released (here or on another
        station) is not released again."""
        first = session.execute(select(_EVENT.c.actor, _EVENT.c.wall_time, _EVENT.c.exercise_s).where(
            _EVENT.c.run_id == run_id, _EVENT.c.inject_id == inject_id,
            _EVENT.c.kind == InjectEventKind.RELEASED.value).order_by(_EVENT.c.seq).limit(1)).first()
        if first is None:
            return RunStateError("that inject was already released; it is not released twice")
        by = f" by {first.actor}" if first.actor else ""
        when = datetime.fromisoformat(first.wall_time).astimezone().strftime("%H:%M:%S")
        return RunStateError(f"that inject was already released{by} at {when} (exercise time "
                             f"{format_elapsed(first.exercise_s)}); it is not released twice")

    def _inject_ids(self, run_id: str) -> frozenset[str]:
        if run_id not in self._known_injects:
            self._known_injects[run_id] = frozenset(i.id for i in self.frozen_scenario(run_id).injects)
        return self._known_injects[run_id]

    def _is_adhoc(self, run_id: str, inject_id: str) -> bool:
        with self._sessions() as session:
            row = session.get(AdhocInjectRow, inject_id)
            return row is not None and row.run_id == run_id

    def release(self, run_id: str, inject_id: str, note: str = "") -> InjectEvent:
        return self._record(run_id, inject_id, InjectEventKind.RELEASED, note)

    def skip(self, run_id: str, inject_id: str, note: str = "") -> InjectEvent:
        return self._record(run_id, inject_id, InjectEventKind.SKIPPED, note)

    def defer(self, run_id: str, inject_id: str, minutes: float, note: str = "") -> InjectEvent:
        if minutes <= 0:
            raise ValidationFailed("defer by a positive number of minutes")
        new_offset = int(self.clock(run_id).elapsed() + minutes * 60)
        return self._record(run_id, inject_id, InjectEventKind.DEFERRED, note, new_offset)

    def retime(self, run_id: str, inject_id: str, new_offset_s: int, note: str = "") -> InjectEvent:
        return self._record(run_id, inject_id, InjectEventKind.RETIMED, note, int(new_offset_s))

    def add_adhoc(self, run_id: str, title: str, content: str = "", *,
                  delivery_method: DeliveryMethod = DeliveryMethod.VERBAL, recipients_text: str = "",
                  phase_id: str | None = None, release: bool = True,
                  note: str = "") -> tuple[AdhocInject, InjectEvent | None]:
        """An inject written live; numbered A1, A2 … within the run and, unless asked not to, released at once."""
        self._station.require(Permission.RELEASE)
        if not title.strip():
            raise ValidationFailed("an ad-hoc inject needs a title")
        clock = self.clock(run_id)
        if clock.status in (RunStatus.READY, RunStatus.ENDED):
            raise RunStateError(f"the run is {clock.status.value}: start it before writing ad-hoc injects")
        if phase_id is not None and self.frozen_scenario(run_id).phase(phase_id) is None:
            raise ValidationFailed("that phase is not part of this run")
        with self._sessions() as session, session.begin():
            number = int(session.scalar(select(func.max(AdhocInjectRow.number))
                                        .where(AdhocInjectRow.run_id == run_id)) or 0) + 1
            row = AdhocInjectRow(id=str(uuid.uuid4()), run_id=run_id, number=number, title=title, content=content,
                                 delivery_method=DeliveryMethod(delivery_method).value,
                                 recipients_text=recipients_text, phase_id=phase_id, author=self._actor,
                                 created_at=self._source.wall().astimezone(UTC).isoformat(timespec="microseconds"),
                                 exercise_s=clock.elapsed())
            session.add(row)
        adhoc = adhoc_of(row)
        return adhoc, (self.release(run_id, adhoc.id, note) if release else None)

    def adhoc_injects(self, run_id: str) -> list[AdhocInject]:
        with self._sessions() as session:
            rows = session.scalars(select(AdhocInjectRow).where(AdhocInjectRow.run_id == run_id)
                                   .order_by(AdhocInjectRow.number))
            return [adhoc_of(r) for r in rows]

    def has_log(self, run_id: str) -> bool:
        with self._sessions() as session:
            return session.scalar(select(LogRecordRow.id).where(LogRecordRow.run_id == run_id).limit(1)) is not None


JOURNAL_EVENT = "inject_event"


def _send_event(document: Document, item: JournalItem) -> str:
    """Send an event kept while the room was away; a release another station made first wins over it."""
    from ctpn_desktop.core.clock import SystemTimeSource

    values = {name: item.payload[name] for name in _EVENT_FIELDS}
    try:
        RunService(document, SystemTimeSource())._store_event(values, resent=True)
    except RunStateError as error:
        return f"{REFUSED}: {error}"
    return SENT


JOURNAL_SENDERS = {JOURNAL_EVENT: _send_event}

"""Replay of a run: what the room knew at any moment, rebuilt from the stored records alone.

At the debrief people ask "what did we know at 19:12?": which injects were out, what had been decided, what the
clock said. `RunReplay` takes every record of a run once (clock anchors, inject events, ad-hoc injects, log
revisions) and answers that question for any moment, by binary search over sorted arrays and the same rules the
conduct screen uses (`timeline.Timeline`, `timeline.phase_starts`, `clock.scenario_time`). Nothing is kept from the
day but the records, so a replay cannot disagree with them.

**The record axis.** Every record carries the wall time it was written (a log revision: when it was committed,
which is when the screen said it was saved). Those times, on one axis, are the one order in which everything
happened across tables; within one stream (a table, or one laptop's log chain) the order of recording wins over a
wall clock that was set back, so a record is never placed before the one written before it. A *moment* is a
number of seconds on that axis from the run's first record.

**Exercise time.** The scrubber people drag is exercise time. It maps to a moment through the clock anchors: the
state shown for exercise time T is the room at the **last moment the clock read T or less**. During a pause that
is the end of the pause, so everything recorded while the clock stood still is in; where the clock jumped
forward over T it is the moment of the jump (the clock then shows where it jumped to); where the clock was set
back it is the later pass. Stepping from event to event moves along the record axis itself, so the records of a
pause, or of the pass before a clock was set back, are reached one by one.

After ENDEX the clock stands still; records written later (corrections at the hot wash) are stepped to like any
other, but dragging to the end shows the room at ENDEX.
"""

from __future__ import annotations

import bisect
import enum
import math
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from ctpn_desktop.core.clock import ExerciseClock, FakeTimeSource, format_elapsed, scenario_time
from ctpn_desktop.core.entities import (
    AdhocInject,
    ClockAnchor,
    ClockEventKind,
    InjectEvent,
    InjectEventKind,
    LogEntry,
    LogRevision,
    Phase,
    RunStatus,
    Scenario,
)
from ctpn_desktop.core.services.log import entry_order
from ctpn_desktop.core.timeline import QueueRow, Timeline, current_phase, phase_starts

T = TypeVar("T")

SPEEDS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Play speeds offered: exercise seconds per second of replay."""
_TIMELINE_CACHE = 16
"""Timelines kept for recent seeks (one per number of inject events seen), so playing rebuilds one only when
it passes an event."""


class ReplayEventKind(enum.StrEnum):
    CLOCK = "clock"
    INJECT = "inject"
    ADHOC = "adhoc"
    LOG = "log"
    CORRECTION = "correction"


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One record of the run at its place on the record axis: what "step to the next event" stops at."""

    moment: float
    wall_time: datetime
    exercise_s: float
    """What the exercise clock read when the record was written."""
    kind: ReplayEventKind
    label: str
    ref_id: str
    """The inject, phase, ad-hoc inject or log entry the record is about (the anchor's seq for the clock)."""


class Shown(enum.StrEnum):
    """What the presenter display showed, as far as the record tells."""

    STAND_BY = "stand-by"
    INJECT = "inject"
    ADHOC = "adhoc"
    PHASE = "phase"
    HALT = "halt"


@dataclass(frozen=True, slots=True)
class PresenterShown:
    shown: Shown
    ref_id: str = ""


@dataclass(frozen=True, slots=True)
class ClockReading:
    exercise_s: float
    status: RunStatus
    compression: float
    last_anchor: ClockAnchor | None
    """The latest clock action at that moment (a halt's reason, a pause's)."""


@dataclass(frozen=True)
class ReplayState:
    """The room at one moment: everything a replay screen shows."""

    moment: float
    wall_time: datetime
    clock: ClockReading
    scenario_time: datetime | None
    phase: Phase | None
    timeline: Timeline
    """Folded from the inject events recorded up to the moment; ask it about ``exercise_s``."""
    adhocs: tuple[AdhocInject, ...]
    events: tuple[InjectEvent, ...]
    log: tuple[LogEntry, ...]
    """The entries written so far, each as it stood: later corrections are not in ``current`` or ``history``."""
    presenter: PresenterShown
    events_seen: int
    """How many entries of `RunReplay.events` are at or before the moment."""

    @property
    def exercise_s(self) -> float:
        return self.clock.exercise_s

    def queue(self) -> list[QueueRow]:
        return self.timeline.states_at(self.exercise_s)


def _effective(walls: Iterable[datetime], origin: datetime) -> list[float]:
    """Moments of one stream in recording order: never earlier than the record before (a wall clock set back)."""
    moments: list[float] = []
    latest = -math.inf
    for wall in walls:
        latest = max(latest, (wall - origin).total_seconds())
        moments.append(latest)
    return moments


def _sorted_by(items: Sequence[T], moments: Sequence[float]) -> tuple[list[T], list[float]]:
    order = sorted(range(len(items)), key=lambda i: moments[i])  # stable: recording order breaks ties
    return [items[i] for i in order], [moments[i] for i in order]


class RunReplay:
    """Every record of one run on the record axis, and the state of the room at any moment or exercise time."""

    def __init__(self, scenario: Scenario, anchors: Sequence[ClockAnchor], events: Sequence[InjectEvent],
                 adhocs: Sequence[AdhocInject], log: Sequence[LogRevision], *, until: datetime | None = None,
                 due_window_s: float = 0.0) -> None:
        """``events`` and ``adhocs`` in recording order; ``until`` is where the replay of a run still in play
        ends (now); an ended run ends at its last record."""
        self.scenario = scenario
        self._due_window_s = due_window_s
        anchors = sorted(anchors, key=lambda a: a.seq)
        chains: dict[str, list[LogRevision]] = defaultdict(list)
        for revision in log:
            chains[revision.device_id].append(revision)
        walls = [a.wall_time for a in anchors] + [e.wall_time for e in events] + [a.created_at for a in adhocs]
        walls += [r.committed_at for r in log]
        self.origin: datetime = min(walls) if walls else (until or datetime(1970, 1, 1, tzinfo=UTC))

        self._anchors = anchors
        self._anchor_moments = _effective((a.wall_time for a in anchors), self.origin)
        self._statuses = self._lifecycle(anchors)
        self._events, self._event_moments = list(events), _effective((e.wall_time for e in events), self.origin)
        self._adhocs, self._adhoc_moments = list(adhocs), _effective((a.created_at for a in adhocs), self.origin)
        revisions: list[LogRevision] = []
        revision_moments: list[float] = []
        for chain in chains.values():
            chain.sort(key=lambda r: r.chain_seq)
            revisions += chain
            revision_moments += _effective((r.committed_at for r in chain), self.origin)
        self._revisions, self._revision_moments = _sorted_by(revisions, revision_moments)
        self._index_log()

        last = max([*self._anchor_moments[-1:], *self._event_moments[-1:], *self._adhoc_moments[-1:],
                    *self._revision_moments[-1:], 0.0])
        ended = bool(anchors) and anchors[-1].kind is ClockEventKind.END
        if ended:
            self.end_moment = last
            self.endex_moment = self._anchor_moments[-1]
        else:
            self.end_moment = max(last, (until - self.origin).total_seconds()) if until is not None else last
            self.endex_moment = self.end_moment
        self._segments()
        self.events = self._event_list()
        self._event_index = [e.moment for e in self.events]
        self._timelines: OrderedDict[int, Timeline] = OrderedDict()

    # Building ----------------------------------------------------------------------------------------------
    @staticmethod
    def _lifecycle(anchors: Sequence[ClockAnchor]) -> list[RunStatus]:
        """The clock's state after each anchor, by the clock's own rules (which also check the anchors)."""
        clock = ExerciseClock((), FakeTimeSource())
        statuses = []
        for anchor in anchors:
            clock.catch_up([anchor])
            statuses.append(clock.status)
        return statuses

    def _segments(self) -> None:
        """Stretches of the record axis over which the clock runs at one rate: before STARTEX, then one per
        anchor. ``_start_min`` is the lowest exercise time from each stretch on, for the exercise-time search."""
        starts = [0.0, *self._anchor_moments]
        values = [0.0] + [a.exercise_s for a in self._anchors]
        rates = [0.0] + [a.compression if a.running else 0.0 for a in self._anchors]
        self._seg_start, self._seg_value, self._seg_rate = starts, values, rates
        self._seg_end = [*starts[1:], max(self.endex_moment, starts[-1])]
        suffix: list[float] = []
        lowest = math.inf
        for value in reversed(values):
            lowest = min(lowest, value)
            suffix.append(lowest)
        self._start_min = suffix[::-1]

    def _event_list(self) -> list[ReplayEvent]:
        titles = {i.id: f"#{i.number} {i.title}" for i in self.scenario.injects}
        titles |= {p.id: p.name for p in self.scenario.phases}
        titles |= {a.id: f"A{a.number} {a.title}" for a in self._adhocs}
        items: list[tuple[float, int, int, ReplayEvent]] = []

        def add(moment: float, order: int, index: int, kind: ReplayEventKind, label: str, ref: str,
                wall: datetime) -> None:
            items.append((moment, order, index, ReplayEvent(moment, wall, self.clock_at(moment).exercise_s, kind,
                                                            label, ref)))

        for i, (anchor, moment) in enumerate(zip(self._anchors, self._anchor_moments, strict=True)):
            label = {ClockEventKind.START: "STARTEX", ClockEventKind.END: "ENDEX"}.get(
                anchor.kind, f"Clock {anchor.kind.value}")
            if anchor.kind is ClockEventKind.COMPRESSION:
                label += f" ×{anchor.compression:g}"
            elif anchor.kind is ClockEventKind.ADJUST:
                label += f" to {format_elapsed(anchor.exercise_s)}"
            add(moment, 0, i, ReplayEventKind.CLOCK, label + (f" — {anchor.reason}" if anchor.reason else ""),
                str(anchor.seq), anchor.wall_time)
        for i, (adhoc, moment) in enumerate(zip(self._adhocs, self._adhoc_moments, strict=True)):
            add(moment, 1, i, ReplayEventKind.ADHOC, f"Ad-hoc inject A{adhoc.number} written: {adhoc.title}",
                adhoc.id, adhoc.created_at)
        verbs = {InjectEventKind.RELEASED: "Released", InjectEventKind.SKIPPED: "Skipped",
                 InjectEventKind.DEFERRED: "Deferred", InjectEventKind.RETIMED: "Re-timed",
                 InjectEventKind.PHASE_STARTED: "Phase started:"}
        for i, (event, moment) in enumerate(zip(self._events, self._event_moments, strict=True)):
            label = f"{verbs[event.kind]} {titles.get(event.inject_id, 'an inject not in this run')}"
            if event.new_offset_s is not None:
                label += f" to {format_elapsed(event.new_offset_s)}"
            add(moment, 2, i, ReplayEventKind.INJECT, label, event.inject_id, event.wall_time)
        for i, (revision, moment) in enumerate(zip(self._revisions, self._revision_moments, strict=True)):
            text = " ".join(revision.text.split())
            short = text if len(text) <= 70 else text[:69] + "…"
            if revision.revision == 1:
                kind, label = ReplayEventKind.LOG, f"Log {revision.entry_number} ({revision.kind.value}): {short}"
            else:
                what = "withdrawn" if revision.withdrawn else "corrected"
                kind, label = ReplayEventKind.CORRECTION, f"Log {revision.entry_number} {what}: {short}"
            add(moment, 3, i, kind, label, revision.entry_id, revision.committed_at)
        items.sort(key=lambda item: item[:3])
        return [item[3] for item in items]

    # The clock --------------------------------------------------------------------------------------------
    def _segment(self, moment: float) -> int:
        return bisect.bisect_right(self._seg_start, moment) - 1 if moment >= 0 else 0

    def clock_at(self, moment: float) -> ClockReading:
        """What the exercise clock read at ``moment``: the latest anchor's time, run on at its compression if
        the clock was running (the clock's rule, with the record axis for the time since)."""
        index = self._segment(moment)
        if index == 0:
            return ClockReading(0.0, RunStatus.READY, 1.0, None)
        anchor = self._anchors[index - 1]
        since = max(0.0, min(moment, self._seg_end[index]) - self._seg_start[index])
        elapsed = anchor.exercise_s + since * self._seg_rate[index]
        return ClockReading(elapsed, self._statuses[index - 1], anchor.compression, anchor)

    def moment_at_exercise(self, exercise_s: float) -> float:
        """The last moment the clock read ``exercise_s`` or less (see the module docstring)."""
        index = bisect.bisect_right(self._start_min, exercise_s) - 1
        if index < 0:
            return 0.0
        start, end, value, rate = (self._seg_start[index], self._seg_end[index], self._seg_value[index],
                                   self._seg_rate[index])
        if rate == 0.0 or value + (end - start) * rate <= exercise_s:
            return end
        return start + (exercise_s - value) / rate

    def moment_of(self, wall: datetime) -> float:
        return (wall - self.origin).total_seconds()

    def wall_of(self, moment: float) -> datetime:
        return self.origin + timedelta(seconds=moment)

    @property
    def end_exercise_s(self) -> float:
        """The exercise time at ENDEX (or now, for a run still in play): the end of the scrubber."""
        return self.clock_at(self.endex_moment).exercise_s

    @property
    def start_exercise_s(self) -> float:
        return min(0.0, min(self._seg_value))

    # Events -----------------------------------------------------------------------------------------------
    def next_event(self, moment: float) -> ReplayEvent | None:
        index = bisect.bisect_right(self._event_index, moment)
        return self.events[index] if index < len(self.events) else None

    def previous_event(self, moment: float) -> ReplayEvent | None:
        index = bisect.bisect_left(self._event_index, moment) - 1
        return self.events[index] if index >= 0 else None

    # The state --------------------------------------------------------------------------------------------
    def state_at_exercise(self, exercise_s: float) -> ReplayState:
        return self.state_at(self.moment_at_exercise(exercise_s))

    def state_at_wall(self, wall: datetime) -> ReplayState:
        return self.state_at(self.moment_of(wall))

    def state_at(self, moment: float) -> ReplayState:
        """The room at ``moment``: every record at or before it counts, nothing after it does."""
        moment = min(max(moment, 0.0), self.end_moment)
        clock = self.clock_at(moment)
        seen = bisect.bisect_right(self._event_moments, moment)
        events = tuple(self._events[:seen])
        timeline = self._timeline(seen, events)
        jumps = phase_starts(events)
        phases = self.scenario.phases
        adhocs = tuple(self._adhocs[:bisect.bisect_right(self._adhoc_moments, moment)])
        log = self._log_at(moment)
        return ReplayState(
            moment=moment, wall_time=self.wall_of(moment), clock=clock,
            scenario_time=scenario_time(clock.exercise_s, phases, phase_jumps=jumps),
            phase=current_phase(phases, clock.exercise_s, phase_jumps=jumps), timeline=timeline, adhocs=adhocs,
            events=events, log=log, presenter=self._presenter(moment, clock, events, adhocs),
            events_seen=bisect.bisect_right(self._event_index, moment))

    def _timeline(self, seen: int, events: tuple[InjectEvent, ...]) -> Timeline:
        timeline = self._timelines.get(seen)
        if timeline is None:
            timeline = Timeline(self.scenario.injects, events, due_window_s=self._due_window_s)
            self._timelines[seen] = timeline
            if len(self._timelines) > _TIMELINE_CACHE:
                self._timelines.popitem(last=False)
        else:
            self._timelines.move_to_end(seen)
        return timeline

    def _index_log(self) -> None:
        """Each entry once, in logged order, with every version of it as it stood after each of its revisions
        (the versions are made here, once, so that a seek only picks them)."""
        grouped: dict[str, list[tuple[float, LogRevision]]] = {}
        for revision, moment in zip(self._revisions, self._revision_moments, strict=True):
            grouped.setdefault(revision.entry_id, []).append((moment, revision))
        entries: list[tuple[LogEntry, list[float], list[LogEntry]]] = []
        for written in grouped.values():
            moments = [moment for moment, _revision in written]
            versions: list[LogEntry] = []
            for count in range(1, len(written) + 1):
                seen = sorted((r for _m, r in written[:count]), key=lambda r: r.revision)
                versions.append(LogEntry(current=seen[-1], history=tuple(seen[:-1])))
            entries.append((versions[0], moments, versions))
        entries.sort(key=lambda item: entry_order(item[0]))
        self._log_entries = [(moments, versions) for _first, moments, versions in entries]

    def _log_at(self, moment: float) -> tuple[LogEntry, ...]:
        """Entries as they stood at ``moment``: those written by then, each with the revisions made by then."""
        shown = []
        for moments, versions in self._log_entries:
            if moments[0] <= moment:
                shown.append(versions[bisect.bisect_right(moments, moment) - 1] if len(moments) > 1 else versions[0])
        return tuple(shown)

    def _presenter(self, moment: float, clock: ClockReading, events: Sequence[InjectEvent],
                   adhocs: Sequence[AdhocInject]) -> PresenterShown:
        """The conduct screen puts a released inject, and a phase as it opens, on the display; a halt shows the
        halt screen until play resumes, and then it stands by."""
        if clock.status is RunStatus.HALTED:
            return PresenterShown(Shown.HALT)
        adhoc_ids = {a.id for a in adhocs}
        latest: tuple[float, PresenterShown] = (-math.inf, PresenterShown(Shown.STAND_BY))
        for event, at in zip(reversed(events), reversed(self._event_moments[:len(events)]), strict=True):
            if event.kind is InjectEventKind.RELEASED:
                shown = Shown.ADHOC if event.inject_id in adhoc_ids else Shown.INJECT
                latest = (at, PresenterShown(shown, event.inject_id))
                break
            if event.kind is InjectEventKind.PHASE_STARTED:
                latest = (at, PresenterShown(Shown.PHASE, event.inject_id))
                break
        resumed = self._resumed_after_halt(moment)
        if resumed is not None and resumed >= latest[0]:
            return PresenterShown(Shown.STAND_BY)
        return latest[1]

    def _resumed_after_halt(self, moment: float) -> float | None:
        """The moment of the latest resume after a halt, up to ``moment``."""
        count = bisect.bisect_right(self._anchor_moments, moment)
        for index in range(count - 1, 0, -1):
            if self._anchors[index].kind is ClockEventKind.RESUME and self._statuses[index - 1] is RunStatus.HALTED:
                return self._anchor_moments[index]
        return None

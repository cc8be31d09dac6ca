"""The facilitator's queue: which injects are due, overdue, held or done at exercise time T.

Everything here is a pure function of three things: the frozen scenario's injects, the run's inject events
and the exercise time T. Only the events change what an inject *is* (its effective due time, whether it was
released or skipped, whether its dependency was released); T only decides where each inject stands against
its due time. So `Timeline` folds the events once, when it is built, and `states_at(T)` — called on every
tick of the conduct screen, with thousands of injects — is a single pass over precomputed entries, and the
questions "what is next" and "what is due" are answered by binary search.

Rules, in the words a facilitator uses:

- An inject is **due** from its effective due time (its planned offset, or the time given by its latest
  deferral or re-time) and **overdue** once it has been due for more than ``overdue_after_s`` (120 s by
  default) without being released. A ``due_window_s`` lets injects turn due a little before their time.
- **Released** is final: players have it, whatever was recorded afterwards. **Skipped** holds until a later
  deferral or re-time puts the inject back in the queue.
- **Contingency** injects are never due by themselves: they are held back until released by hand.
- An inject that depends on another waits for that one's release: before its time it is pending with the
  reason shown, and at its time it **waits** instead of turning due. A waiting inject never turns overdue on
  its own account; its dependency is the one that is late.

Events are taken in the order they were recorded. Wall time can jump and exercise time can be adjusted
backwards, so neither orders events reliably; the order of recording does.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ctpn_desktop.core.entities import EventType, Inject, InjectEvent, InjectEventKind, Phase

DEFAULT_OVERDUE_AFTER_S = 120.0
"""How long an inject may sit due before it is flagged overdue."""


class InjectState(enum.StrEnum):
    PENDING = "pending"
    DUE = "due"
    OVERDUE = "overdue"
    WAITING = "waiting"
    HELD = "held"
    RELEASED = "released"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return {
            "pending": "Pending",
            "due": "Due",
            "overdue": "Overdue",
            "waiting": "Waiting",
            "held": "Held back",
            "released": "Released",
            "skipped": "Skipped",
        }[self.value]

    @property
    def actionable(self) -> bool:
        """True for the states that ask the facilitator to release something now."""
        return self in (InjectState.DUE, InjectState.OVERDUE)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One line of the facilitator's queue at one exercise time."""

    inject: Inject
    state: InjectState
    due_s: int
    """Effective due time: the planned offset, or the latest deferral or re-time."""
    seconds_until: float
    """``due_s - T``: positive while the inject is ahead, negative once its time has passed."""
    released_at_s: float | None = None
    """Exercise time of the first release, when there was one."""
    reason: str = ""
    """Why the inject is held, waiting or skipped, in words for the screen."""
    waiting_on_id: str | None = None
    """The inject this one depends on, while that one has not been released."""

    @property
    def inject_id(self) -> str:
        return self.inject.id

    @property
    def number(self) -> int:
        return self.inject.number

    @property
    def title(self) -> str:
        return self.inject.title

    @property
    def planned_s(self) -> int:
        return self.inject.planned_offset_s

    @property
    def retimed(self) -> bool:
        return self.due_s != self.inject.planned_offset_s


@dataclass(frozen=True, slots=True)
class NextUp:
    """The next inject still ahead of T, and the countdown to it."""

    inject: Inject
    due_s: int
    seconds_until: float


@dataclass(frozen=True, slots=True)
class PhaseStart:
    """When a phase starts in this run: its planned offset, or the moment the facilitator started it."""

    phase: Phase
    start_s: float
    started_by_hand: bool = False


@dataclass(frozen=True, slots=True)
class NextPhase:
    phase: Phase
    start_s: float
    seconds_until: float


def effective_due_s(inject: Inject, events: Sequence[InjectEvent]) -> int:
    """The planned offset, or the new offset of the latest deferral or re-time of this inject."""
    due = inject.planned_offset_s
    for event in events:
        if event.inject_id == inject.id:
            offset = _new_offset(event)
            if offset is not None:
                due = offset
    return due


def _new_offset(event: InjectEvent) -> int | None:
    if event.kind not in (InjectEventKind.DEFERRED, InjectEventKind.RETIMED):
        return None
    if event.new_offset_s is None:
        raise ValueError(f"inject event {event.id} ({event.kind.value}) has no new offset")
    return event.new_offset_s


@dataclass(slots=True)
class _Fold:
    """What the events say about one inject, before dependencies are looked at."""

    due_s: int
    released_at_s: float | None = None
    skipped: bool = False
    skip_note: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One inject with everything that does not depend on T, in queue order."""

    inject: Inject
    due_s: int
    final: InjectState | None
    """RELEASED, SKIPPED or HELD: a state no exercise time can change."""
    released_at_s: float | None
    reason: str
    waiting_on_id: str | None


class Timeline:
    """The queue of one run, folded from the scenario's injects and the run's events.

    Build a new one (or call `with_events`) when the events change; ask it about any exercise time as often as
    the screen needs.
    """

    def __init__(
        self,
        injects: Sequence[Inject],
        events: Sequence[InjectEvent] = (),
        *,
        due_window_s: float = 0.0,
        overdue_after_s: float = DEFAULT_OVERDUE_AFTER_S,
    ) -> None:
        if not (math.isfinite(due_window_s) and due_window_s >= 0):
            raise ValueError(f"due window must be zero or more seconds, not {due_window_s!r}")
        if not (math.isfinite(overdue_after_s) and overdue_after_s >= 0):
            raise ValueError(f"overdue threshold must be zero or more seconds, not {overdue_after_s!r}")
        self._injects = tuple(injects)
        self._events = tuple(events)
        self._due_window_s = float(due_window_s)
        self._overdue_after_s = float(overdue_after_s)
        self._entries = self._build()
        self._by_id = {entry.inject.id: entry for entry in self._entries}
        # Injects still in play, in queue order: those that may turn due, and of them those free to do so.
        self._open = [e for e in self._entries if e.final is None]
        self._free = [e for e in self._open if e.waiting_on_id is None]

    def _build(self) -> list[_Entry]:
        folds = {inject.id: _Fold(inject.planned_offset_s) for inject in self._injects}
        if len(folds) != len(self._injects):
            raise ValueError("two injects share an id")
        for event in self._events:
            fold = folds.get(event.inject_id)
            if fold is None:
                continue  # a phase event, or an ad-hoc inject that is not part of the scenario's queue
            if event.kind is InjectEventKind.RELEASED:
                if fold.released_at_s is None:
                    fold.released_at_s = event.exercise_s
            elif event.kind is InjectEventKind.SKIPPED:
                fold.skipped = True
                fold.skip_note = event.note
            else:
                offset = _new_offset(event)
                if offset is not None:
                    fold.due_s = offset
                    fold.skipped = False
        by_id = {inject.id: inject for inject in self._injects}
        entries = []
        for inject in self._injects:
            fold = folds[inject.id]
            final: InjectState | None = None
            reason = ""
            waiting_on: str | None = None
            if fold.released_at_s is not None:
                final = InjectState.RELEASED
            elif fold.skipped:
                final = InjectState.SKIPPED
                reason = fold.skip_note
            elif inject.event_type is EventType.CONTINGENCY:
                final = InjectState.HELD
                reason = "Contingency: held back until released by hand"
            else:
                dependency = by_id.get(inject.depends_on_id) if inject.depends_on_id else None
                if dependency is not None and folds[dependency.id].released_at_s is None:
                    waiting_on = dependency.id
                    done = "was skipped" if folds[dependency.id].skipped else "has not been released"
                    reason = f"Waits for #{dependency.number} {dependency.title}, which {done}"
            entries.append(_Entry(inject, fold.due_s, final, fold.released_at_s, reason, waiting_on))
        entries.sort(key=lambda e: (e.due_s, e.inject.number))
        return entries

    def with_events(self, events: Sequence[InjectEvent]) -> Timeline:
        """This timeline for another list of events; itself when the events are the same ones."""
        if tuple(events) == self._events:
            return self
        return Timeline(self._injects, events, due_window_s=self._due_window_s,
                        overdue_after_s=self._overdue_after_s)

    def changed_injects(self, other: Timeline) -> set[str]:
        """The injects whose line differs from ``other``'s in anything the events decide (due time, released,
        skipped, the reason shown, the dependency waited on): what a screen following new events redraws."""
        mine, theirs = self._by_id, other._by_id
        changed = {inject_id for inject_id, entry in mine.items() if theirs.get(inject_id) != entry}
        changed.update(inject_id for inject_id in theirs if inject_id not in mine)
        return changed

    @property
    def injects(self) -> tuple[Inject, ...]:
        return self._injects

    @property
    def events(self) -> tuple[InjectEvent, ...]:
        return self._events

    @property
    def due_window_s(self) -> float:
        return self._due_window_s

    @property
    def overdue_after_s(self) -> float:
        return self._overdue_after_s

    # The two comparisons with T, shared by the rows and the binary searches so that both always agree.
    # Along the queue order the first is false then true, the second true then false.

    def _pending(self, entry: _Entry, t: float) -> bool:
        return entry.due_s - self._due_window_s > t

    def _late(self, entry: _Entry, t: float) -> bool:
        return t - entry.due_s > self._overdue_after_s

    def _row(self, entry: _Entry, t: float) -> QueueRow:
        state = entry.final
        if state is None:
            if self._pending(entry, t):
                state = InjectState.PENDING
            elif entry.waiting_on_id is not None:
                state = InjectState.WAITING
            elif self._late(entry, t):
                state = InjectState.OVERDUE
            else:
                state = InjectState.DUE
        return QueueRow(entry.inject, state, entry.due_s, entry.due_s - t, entry.released_at_s, entry.reason,
                        entry.waiting_on_id)

    def states_at(self, t: float) -> list[QueueRow]:
        """Every inject at exercise time ``t``, sorted by effective due time, ties by number."""
        return [self._row(entry, t) for entry in self._entries]

    def row(self, inject_id: str, t: float) -> QueueRow:
        """One inject at exercise time ``t``; KeyError for an inject that is not in this scenario."""
        return self._row(self._by_id[inject_id], t)

    def due_now(self, t: float) -> list[QueueRow]:
        """What should go out now: every due inject, the overdue ones first (they are the earliest)."""
        end = _partition(self._free, lambda e: not self._pending(e, t))
        return [self._row(entry, t) for entry in self._free[:end]]

    def overdue(self, t: float) -> list[QueueRow]:
        """Injects due for more than ``overdue_after_s`` and still not released."""
        end = _partition(self._free, lambda e: self._late(e, t))
        return [self._row(entry, t) for entry in self._free[:end]]

    def next_up(self, t: float) -> NextUp | None:
        """The first inject still pending at ``t`` (the target of "jump to next inject") and its countdown."""
        index = _partition(self._open, lambda e: not self._pending(e, t))
        if index == len(self._open):
            return None
        entry = self._open[index]
        return NextUp(entry.inject, entry.due_s, entry.due_s - t)


def _partition(entries: Sequence[_Entry], holds: Callable[[_Entry], bool]) -> int:
    """The number of leading entries for which ``holds`` is true, when it is true for a prefix only."""
    low, high = 0, len(entries)
    while low < high:
        middle = (low + high) // 2
        if holds(entries[middle]):
            low = middle + 1
        else:
            high = middle
    return low


def phase_starts(events: Sequence[InjectEvent]) -> dict[str, float]:
    """Phase id → exercise time at which the facilitator started it by hand (the latest time, if twice).

    A phase-started event carries the phase's id in ``inject_id``.
    """
    return {e.inject_id: e.exercise_s for e in events if e.kind is InjectEventKind.PHASE_STARTED}


def phase_schedule(
    phases: Sequence[Phase], phase_jumps: Mapping[str, float] | None = None
) -> list[PhaseStart]:
    """The phases in story order, each with the exercise time it starts at in this run.

    Story order is the planned order (start offset, then position); starting a phase early by hand moves its
    start but not its place in the story, so the phases before it count as over once it has started.
    """
    started = phase_jumps or {}
    ordered = sorted(phases, key=lambda p: (p.start_offset_s, p.position, p.key))
    return [
        PhaseStart(p, started[p.id], True) if p.id in started else PhaseStart(p, float(p.start_offset_s))
        for p in ordered
    ]


def _current_index(schedule: Sequence[PhaseStart], t: float) -> int | None:
    current = None
    for index, item in enumerate(schedule):
        if item.start_s <= t:
            current = index
    return current


def current_phase(
    phases: Sequence[Phase], t: float, *, phase_jumps: Mapping[str, float] | None = None
) -> Phase | None:
    """The phase in play at ``t``: the latest in story order that has started; None before the first.

    ``phase_jumps`` maps phase ids to the exercise times they were started by hand (see `phase_starts`).
    """
    schedule = phase_schedule(phases, phase_jumps)
    index = _current_index(schedule, t)
    return None if index is None else schedule[index].phase


def next_phase(
    phases: Sequence[Phase], t: float, *, phase_jumps: Mapping[str, float] | None = None
) -> NextPhase | None:
    """The phase after the one in play at ``t`` (the target of "jump to next phase"); None in the last one."""
    schedule = phase_schedule(phases, phase_jumps)
    index = _current_index(schedule, t)
    following = 0 if index is None else index + 1
    if following == len(schedule):
        return None
    # Every phase after the current one starts after t, or it would be the current one.
    item = schedule[following]
    return NextPhase(item.phase, item.start_s, item.start_s - t)

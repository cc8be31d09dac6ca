"""The exercise clock, computed from persisted anchor points and a time source; it holds no timers.

A clock that adds up timer ticks drifts, loses the ticks it missed while the laptop lid was closed, and
forgets everything when the process dies. This one keeps only *anchors* (`ClockAnchor`): each time the
facilitator starts, pauses, resumes, halts, ends, changes the compression or adjusts the clock, one anchor
records the exercise time at that moment, whether the clock runs from there and how fast. The exercise time
now is the latest anchor's exercise time plus, if it runs, the time since then multiplied by the compression.

**While the application runs** "the time since then" is measured on the monotonic clock of the time source,
so setting the laptop's wall clock (or a daylight-saving or NTP step) does not move the exercise clock.
New anchors take their exercise time from that same monotonic computation; their wall time is only a label
and the way back after a restart.

**After a restart** the monotonic origin of the old process is gone. When an `ExerciseClock` is built from the
persisted anchors it pairs the latest anchor with the wall clock *once*: the wall time elapsed since that
anchor stands in for the monotonic time the old process would have measured, and from then on the monotonic
clock takes over again. A run that was running when the application was killed has therefore kept running
in the room, exactly as the facilitator's watch has; a paused or halted run comes back exactly as it was.
If the wall clock now reads earlier than the anchor (it was set back), no time is added rather than
time taken away: the exercise clock never runs backwards on its own. It follows that a change of the laptop's
clock made after the latest anchor of a running clock is carried into the exercise time by a restart, and
only by a restart; every new anchor settles the matter again.

Every action is a pure proposal: `pause()` and friends return the next anchor and change nothing. The caller
persists it and then calls `apply(anchor)`, so the screen never shows a clock state that is not on disk.
Actions that do not fit the clock's state raise `RunStateError`; values a person typed that cannot be used
(a compression of x0, an adjustment without a reason) raise `ValidationFailed`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from ctpn_desktop.core.entities import ClockAnchor, ClockEventKind, Phase, RunStatus
from ctpn_desktop.core.errors import RunStateError, ValidationFailed
from ctpn_desktop.core.time_source import SystemTimeSource as SystemTimeSource  # re-exported: the old home
from ctpn_desktop.core.time_source import TimeSource
from ctpn_desktop.core.timeline import PhaseStart, phase_schedule

COMPRESSION_PRESETS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)
"""The factors offered in the menu; any other factor up to `MAX_COMPRESSION` may be typed."""
MAX_COMPRESSION = 60.0
"""An hour of play per minute: beyond that nobody can release injects fast enough to keep up."""


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"wall time {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


class FakeTimeSource:
    """A time source that moves only when told to, for tests anywhere in the application.

    `advance` moves both clocks together, as real time does; `set_wall` changes the wall clock alone, as a
    person changing the laptop's clock does; `restarted` is the same moment seen by a new process, whose
    monotonic clock has a different origin.
    """

    def __init__(self, wall: datetime | None = None, monotonic: float = 1_000.0) -> None:
        self._wall = _aware_utc(wall) if wall is not None else datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
        self._monotonic = float(monotonic)

    def wall(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"time only moves forward, not by {seconds!r} s")
        self._monotonic += seconds
        self._wall += timedelta(seconds=seconds)

    def set_wall(self, wall: datetime) -> None:
        self._wall = _aware_utc(wall)

    def restarted(self, *, after_s: float = 0.0) -> FakeTimeSource:
        """The clocks of a new process started ``after_s`` seconds from now."""
        if not (math.isfinite(after_s) and after_s >= 0):
            raise ValueError(f"a restart happens later, not {after_s!r} s")
        return FakeTimeSource(self._wall + timedelta(seconds=after_s), monotonic=17.0)


_LIFECYCLE: dict[ClockEventKind, tuple[frozenset[RunStatus], RunStatus | None]] = {
    # kind: (the states it may follow, the state it leads to; None keeps the state)
    ClockEventKind.START: (frozenset({RunStatus.READY}), RunStatus.RUNNING),
    ClockEventKind.PAUSE: (frozenset({RunStatus.RUNNING}), RunStatus.PAUSED),
    ClockEventKind.RESUME: (frozenset({RunStatus.PAUSED, RunStatus.HALTED}), RunStatus.RUNNING),
    ClockEventKind.HALT: (frozenset({RunStatus.RUNNING, RunStatus.PAUSED}), RunStatus.HALTED),
    ClockEventKind.END: (frozenset({RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.HALTED}), RunStatus.ENDED),
    ClockEventKind.COMPRESSION: (frozenset(RunStatus) - {RunStatus.ENDED}, None),
    ClockEventKind.ADJUST: (frozenset(RunStatus) - {RunStatus.ENDED}, None),
}

_REFUSALS: dict[RunStatus, str] = {
    RunStatus.READY: "the exercise clock has not been started",
    RunStatus.RUNNING: "the exercise clock is already running",
    RunStatus.PAUSED: "the exercise clock is paused",
    RunStatus.HALTED: "play is halted; resume or end the run first",
    RunStatus.ENDED: "the run has ended",
}


def _after(status: RunStatus, kind: ClockEventKind) -> RunStatus:
    allowed, leads_to = _LIFECYCLE[kind]
    if status not in allowed:
        raise RunStateError(f"Cannot {kind.value}: {_REFUSALS[status]}.")
    return status if leads_to is None else leads_to


def _check_compression(factor: float) -> float:
    if not (math.isfinite(factor) and 0 < factor <= MAX_COMPRESSION):
        raise ValidationFailed(f"A time compression must be more than 0 and at most x{MAX_COMPRESSION:g}, "
                               f"not {factor!r}.")
    return float(factor)


def _required(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(f"{what} needs a reason.")
    return reason


class ExerciseClock:
    """The clock of one run, rebuilt from its anchors whenever the run is opened."""

    def __init__(self, anchors: Sequence[ClockAnchor], source: TimeSource) -> None:
        self._source = source
        self._anchors: list[ClockAnchor] = []
        self._status = RunStatus.READY
        self._reference = 0.0
        self._proposal: tuple[ClockAnchor, float] | None = None
        for anchor in sorted(anchors, key=lambda a: a.seq):
            self._append(anchor)
        if self._anchors:
            self._pair_with_wall_clock(self._anchors[-1])

    def _pair_with_wall_clock(self, anchor: ClockAnchor) -> None:
        """The one moment the wall clock counts (see the module docstring); never negative."""
        since = (self._source.wall() - anchor.wall_time).total_seconds()
        self._reference = self._source.monotonic() - max(0.0, since)

    def _append(self, anchor: ClockAnchor) -> None:
        """Check that ``anchor`` can follow the anchors so far, and take it as the latest."""
        if self._anchors and anchor.seq <= self._anchors[-1].seq:
            raise ValueError(f"clock anchor {anchor.seq} does not follow anchor {self._anchors[-1].seq}")
        _aware_utc(anchor.wall_time)
        if not math.isfinite(anchor.exercise_s):
            raise ValueError(f"clock anchor {anchor.seq} has exercise time {anchor.exercise_s!r}")
        try:
            _check_compression(anchor.compression)
        except ValidationFailed as error:
            raise ValueError(f"clock anchor {anchor.seq}: {error}") from None
        status = _after(self._status, anchor.kind)
        if anchor.running != (status is RunStatus.RUNNING):
            raise ValueError(f"clock anchor {anchor.seq} ({anchor.kind.value}) says running={anchor.running} "
                             f"for a clock that is {status.value}")
        self._anchors.append(anchor)
        self._status = status

    @property
    def anchors(self) -> tuple[ClockAnchor, ...]:
        return tuple(self._anchors)

    @property
    def last_anchor(self) -> ClockAnchor | None:
        return self._anchors[-1] if self._anchors else None

    @property
    def status(self) -> RunStatus:
        return self._status

    @property
    def running(self) -> bool:
        return self._status is RunStatus.RUNNING

    @property
    def compression(self) -> float:
        return self._anchors[-1].compression if self._anchors else 1.0

    def _elapsed_at(self, monotonic: float) -> float:
        if not self._anchors:
            return 0.0
        anchor = self._anchors[-1]
        if not anchor.running:
            return anchor.exercise_s
        return anchor.exercise_s + (monotonic - self._reference) * anchor.compression

    def elapsed(self) -> float:
        """Exercise seconds since STARTEX, compression applied."""
        return self._elapsed_at(self._source.monotonic())

    def _propose(
        self,
        kind: ClockEventKind,
        *,
        reason: str = "",
        exercise_s: float | None = None,
        compression: float | None = None,
    ) -> ClockAnchor:
        status = _after(self._status, kind)
        monotonic = self._source.monotonic()
        anchor = ClockAnchor(
            seq=self._anchors[-1].seq + 1 if self._anchors else 1,
            kind=kind,
            wall_time=_aware_utc(self._source.wall()),
            exercise_s=self._elapsed_at(monotonic) if exercise_s is None else exercise_s,
            running=status is RunStatus.RUNNING,
            compression=self.compression if compression is None else compression,
            reason=reason,
        )
        # Remember the monotonic reading behind this anchor, so that applying it after it has been saved
        # loses none of the time the saving took.
        self._proposal = (anchor, monotonic)
        return anchor

    def start(self) -> ClockAnchor:
        """STARTEX: the clock runs from its current exercise time (zero unless adjusted beforehand)."""
        return self._propose(ClockEventKind.START)

    def pause(self, reason: str = "") -> ClockAnchor:
        return self._propose(ClockEventKind.PAUSE, reason=reason.strip())

    def resume(self, reason: str = "") -> ClockAnchor:
        """Run again after a pause or a halt, from the exercise time at which the clock stopped."""
        return self._propose(ClockEventKind.RESUME, reason=reason.strip())

    def halt(self, reason: str) -> ClockAnchor:
        """A real-world emergency: play freezes at once, recorded apart from an ordinary pause."""
        _after(self._status, ClockEventKind.HALT)  # a wrong state is the first thing to tell, before a value
        return self._propose(ClockEventKind.HALT, reason=_required(reason, "A halt"))

    def end(self, reason: str = "") -> ClockAnchor:
        """ENDEX: the clock stops for good."""
        return self._propose(ClockEventKind.END, reason=reason.strip())

    def set_compression(self, factor: float, reason: str = "") -> ClockAnchor:
        """Run faster (or slower) from now on; the exercise time already elapsed is kept as it is."""
        _after(self._status, ClockEventKind.COMPRESSION)
        factor = _check_compression(factor)
        if factor == self.compression:
            raise RunStateError(f"The exercise clock already runs at x{factor:g}.")
        return self._propose(ClockEventKind.COMPRESSION, reason=reason.strip(), compression=factor)

    def adjust(
        self, *, to_exercise_s: float | None = None, by_s: float | None = None, reason: str
    ) -> ClockAnchor:
        """Set the clock by hand, to an exercise time or by an amount, forward or back, with a reason."""
        if (to_exercise_s is None) == (by_s is None):
            raise ValueError("give either to_exercise_s or by_s")
        _after(self._status, ClockEventKind.ADJUST)
        reason = _required(reason, "A clock adjustment")
        target = to_exercise_s if to_exercise_s is not None else self.elapsed() + (by_s or 0.0)
        if not math.isfinite(target):
            raise ValidationFailed(f"{target!r} is not an exercise time.")
        return self._propose(ClockEventKind.ADJUST, reason=reason, exercise_s=float(target))

    def jump_to(self, exercise_s: float, reason: str) -> ClockAnchor:
        """Move the clock forward to ``exercise_s``: the next inject's or the next phase's time.

        Recorded as an adjustment; only forward, because jumping back would make released injects due again.
        """
        _after(self._status, ClockEventKind.ADJUST)
        reason = _required(reason, "A jump")
        if not math.isfinite(exercise_s):
            raise ValidationFailed(f"{exercise_s!r} is not an exercise time.")
        if exercise_s <= self.elapsed():
            raise ValidationFailed(
                f"Cannot jump to {format_elapsed(exercise_s)}: the clock only jumps forward.")
        return self._propose(ClockEventKind.ADJUST, reason=reason, exercise_s=float(exercise_s))

    def status_after(self, anchor: ClockAnchor) -> RunStatus:
        """The state the clock will be in once ``anchor`` is applied (for the record written with it)."""
        return _after(self._status, anchor.kind)

    def catch_up(self, anchors: Sequence[ClockAnchor]) -> int:
        """Take the anchors another station (or another part of this one) persisted since this clock's latest,
        in order; returns how many were new. Each is paired with the wall clock as it arrives, which on a shared
        room's time base is within moments of when it was made."""
        last = self._anchors[-1].seq if self._anchors else 0
        taken = 0
        for anchor in sorted(anchors, key=lambda a: a.seq):
            if anchor.seq > last:
                self._append(anchor)
                self._pair_with_wall_clock(anchor)
                last = anchor.seq
                taken += 1
        return taken

    def apply(self, anchor: ClockAnchor) -> None:
        """Take ``anchor``, now persisted, as the clock's latest point."""
        proposal = self._proposal
        self._append(anchor)
        self._proposal = None
        if proposal is not None and proposal[0] == anchor:
            self._reference = proposal[1]
        else:
            self._pair_with_wall_clock(anchor)  # not the latest proposal: treat it as loaded


def scenario_time(
    elapsed_s: float,
    phases: Sequence[Phase],
    *,
    phase_jumps: Mapping[str, float] | None = None,
) -> datetime | None:
    """The story's time at exercise time ``elapsed_s``, or None when no phase sets a scenario time.

    Story time runs on from the scenario start of the latest started phase that has one (phases without one
    continue the story of the phase before). ``phase_jumps`` maps a phase id to the exercise time at which
    the facilitator started that phase by hand (see `timeline.phase_starts`), which then opens at its scenario
    start. Before the first such phase the story time is counted back from it. Compression is already in
    ``elapsed_s``.
    """
    return scenario_time_in(story_schedule(phases, phase_jumps=phase_jumps), elapsed_s)


def story_schedule(phases: Sequence[Phase], *, phase_jumps: Mapping[str, float] | None = None
                   ) -> tuple[PhaseStart, ...]:
    """The phases that set a scenario time, in story order, each with its start in this run: what
    `scenario_time` works from, worth keeping while the phases and their starts stay the same."""
    return tuple(s for s in phase_schedule(phases, phase_jumps) if s.phase.scenario_start is not None)


def scenario_time_in(schedule: Sequence[PhaseStart], elapsed_s: float) -> datetime | None:
    """`scenario_time` from a `story_schedule`."""
    if not schedule:
        return None
    anchor = schedule[0]
    for start in schedule:
        if start.start_s <= elapsed_s:
            anchor = start
    assert anchor.phase.scenario_start is not None
    return anchor.phase.scenario_start + timedelta(seconds=elapsed_s - anchor.start_s)


def _hms(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def format_elapsed(seconds: float) -> str:
    """``H:MM:SS`` of a running clock, ``-H:MM:SS`` before STARTEX.

    Rounded down, so that each label is on screen for exactly one second and 1:00:00 appears when the hour
    is complete.
    """
    if not math.isfinite(seconds):
        raise ValueError(f"{seconds!r} is not a time")
    whole = math.floor(seconds)
    return f"-{_hms(-whole)}" if whole < 0 else _hms(whole)


def format_countdown(seconds_until: float) -> str:
    """``H:MM:SS`` still to go, rounded up so that 0:00:00 shows at the due moment; ``+H:MM:SS`` late."""
    if not math.isfinite(seconds_until):
        raise ValueError(f"{seconds_until!r} is not a time")
    if seconds_until > 0:
        return _hms(math.ceil(seconds_until))
    late = math.floor(-seconds_until)
    return f"+{_hms(late)}" if late > 0 else _hms(0)

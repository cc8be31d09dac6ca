"""The exercise clock: computed from anchors, exact across restarts, deaf to wall-clock changes."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ctpn_desktop.core.clock import (
    COMPRESSION_PRESETS,
    MAX_COMPRESSION,
    ExerciseClock,
    FakeTimeSource,
    SystemTimeSource,
    format_countdown,
    format_elapsed,
    scenario_time,
)
from ctpn_desktop.core.entities import (
    ClockAnchor,
    ClockEventKind,
    InjectEvent,
    InjectEventKind,
    Phase,
    RunStatus,
)
from ctpn_desktop.core.errors import CtpnError, RunStateError, ValidationFailed
from ctpn_desktop.core.timeline import phase_starts

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def do(clock: ExerciseClock, anchor: ClockAnchor) -> ClockAnchor:
    """What the run service does: persist the proposed anchor, then apply it."""
    clock.apply(anchor)
    return anchor


def started(source: FakeTimeSource, compression: float = 1.0) -> ExerciseClock:
    clock = ExerciseClock([], source)
    if compression != 1.0:
        do(clock, clock.set_compression(compression))
    do(clock, clock.start())
    return clock


# --- time sources ---------------------------------------------------------------------------------


def test_system_time_source_gives_aware_utc_and_a_monotonic_reading():
    source = SystemTimeSource()
    first = source.monotonic()
    now = source.wall()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5
    assert source.monotonic() >= first


def test_fake_source_advances_both_clocks_together():
    source = FakeTimeSource(T0, monotonic=50.0)
    source.advance(90.5)
    assert source.monotonic() == 140.5
    assert source.wall() == T0 + timedelta(seconds=90.5)


def test_fake_source_set_wall_leaves_the_monotonic_clock_alone():
    source = FakeTimeSource(T0, monotonic=50.0)
    source.set_wall(T0 - timedelta(hours=3))
    assert source.monotonic() == 50.0
    assert source.wall() == T0 - timedelta(hours=3)


def test_fake_source_normalises_to_utc_and_refuses_naive_or_backward_time():
    source = FakeTimeSource(datetime(2025, 3, 1, 11, 0, tzinfo=timezone(timedelta(hours=2))))
    assert source.wall() == T0 and source.wall().tzinfo is UTC
    with pytest.raises(ValueError, match="time zone"):
        FakeTimeSource(datetime(2025, 3, 1, 9, 0))
    with pytest.raises(ValueError):
        source.advance(-1)
    with pytest.raises(ValueError):
        source.advance(math.nan)


def test_fake_source_restarted_is_the_same_wall_time_later_with_a_new_monotonic_origin():
    source = FakeTimeSource(T0, monotonic=5_000.0)
    later = source.restarted(after_s=600)
    assert later.wall() == T0 + timedelta(seconds=600)
    assert later.monotonic() != source.monotonic()
    assert source.wall() == T0  # the old process's clocks are untouched


# --- a new clock ----------------------------------------------------------------------------------


def test_a_new_clock_is_ready_at_zero_and_does_not_move():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    source.advance(500)
    assert clock.status is RunStatus.READY
    assert not clock.running
    assert clock.elapsed() == 0.0
    assert clock.compression == 1.0
    assert clock.anchors == ()
    assert clock.last_anchor is None


def test_start_proposes_the_first_anchor_and_changes_nothing_until_applied():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    anchor = clock.start()
    assert anchor == ClockAnchor(seq=1, kind=ClockEventKind.START, wall_time=T0, exercise_s=0.0, running=True,
                                 compression=1.0, reason="")
    source.advance(30)
    assert clock.status is RunStatus.READY and clock.elapsed() == 0.0 and clock.anchors == ()
    clock.apply(anchor)
    assert clock.status is RunStatus.RUNNING and clock.running
    assert clock.anchors == (anchor,)


def test_time_spent_saving_an_anchor_is_not_lost():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    anchor = clock.start()
    source.advance(0.25)  # the database commit
    clock.apply(anchor)
    assert clock.elapsed() == pytest.approx(0.25)


def test_a_wall_clock_step_while_an_anchor_is_saved_does_not_move_the_clock():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(100)
    anchor = clock.set_compression(2.0)
    source.set_wall(source.wall() + timedelta(hours=1))
    source.advance(1)
    clock.apply(anchor)
    assert clock.elapsed() == 102.0


def test_running_clock_counts_seconds():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(3600)
    assert clock.elapsed() == 3600.0


def test_an_hour_at_x2_is_two_exercise_hours():
    source = FakeTimeSource(T0)
    clock = started(source, compression=2.0)
    source.advance(3600)
    assert clock.elapsed() == 7200.0
    assert clock.compression == 2.0


def test_pause_and_resume():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(100)
    pause = do(clock, clock.pause("coffee"))
    assert pause.kind is ClockEventKind.PAUSE and pause.exercise_s == 100.0 and not pause.running
    assert pause.reason == "coffee"
    assert clock.status is RunStatus.PAUSED
    source.advance(500)
    assert clock.elapsed() == 100.0
    resume = do(clock, clock.resume())
    assert resume.kind is ClockEventKind.RESUME and resume.exercise_s == 100.0 and resume.running
    source.advance(50)
    assert clock.elapsed() == 150.0
    assert [a.seq for a in clock.anchors] == [1, 2, 3]


def test_anchors_carry_wall_time_from_the_source():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(42)
    assert clock.pause().wall_time == T0 + timedelta(seconds=42)


# --- restart --------------------------------------------------------------------------------------


def test_restart_while_running_counts_the_time_the_application_was_down():
    source = FakeTimeSource(T0)
    clock = started(source, compression=2.0)
    source.advance(1000)
    persisted = clock.anchors
    assert clock.elapsed() == 2000.0
    new_source = source.restarted(after_s=600)  # killed, restarted ten minutes later
    reopened = ExerciseClock(persisted, new_source)
    assert reopened.status is RunStatus.RUNNING
    assert reopened.elapsed() == pytest.approx(2000.0 + 1200.0)
    new_source.advance(30)
    assert reopened.elapsed() == pytest.approx(3200.0 + 60.0)


def test_restart_gives_the_same_elapsed_as_the_clock_that_never_stopped():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(123.5)
    do(clock, clock.set_compression(5.0))
    source.advance(77.25)
    reopened = ExerciseClock(clock.anchors, source.restarted())
    assert reopened.elapsed() == pytest.approx(clock.elapsed(), abs=1e-5)
    assert reopened.compression == 5.0


def test_restart_while_paused_comes_back_exactly():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(900)
    do(clock, clock.pause())
    reopened = ExerciseClock(clock.anchors, source.restarted(after_s=86_400))
    assert reopened.status is RunStatus.PAUSED
    assert reopened.elapsed() == 900.0
    do(reopened, reopened.resume())
    assert reopened.anchors[-1].seq == 3 and reopened.running


def test_restart_while_halted_stays_halted_with_its_reason():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(60)
    do(clock, clock.halt("NO DUPLICITY: fire alarm"))
    reopened = ExerciseClock(clock.anchors, source.restarted(after_s=300))
    assert reopened.status is RunStatus.HALTED
    assert reopened.elapsed() == 60.0
    assert reopened.last_anchor is not None and reopened.last_anchor.reason == "NO DUPLICITY: fire alarm"


def test_anchors_are_taken_in_seq_order_whatever_order_they_arrive_in():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(10)
    do(clock, clock.pause())
    reopened = ExerciseClock(list(reversed(clock.anchors)), source)
    assert reopened.status is RunStatus.PAUSED and reopened.elapsed() == 10.0


def test_wall_clock_set_back_before_a_restart_adds_nothing_and_takes_nothing():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(300)
    do(clock, clock.set_compression(2.0))
    new_source = source.restarted()
    new_source.set_wall(T0 - timedelta(hours=1))
    reopened = ExerciseClock(clock.anchors, new_source)
    assert reopened.elapsed() == 300.0
    new_source.advance(10)
    assert reopened.elapsed() == 320.0


# --- wall clock changes while running -------------------------------------------------------------


@pytest.mark.parametrize("shift", [timedelta(hours=-1), timedelta(hours=1), timedelta(days=-400)])
def test_changing_the_laptop_clock_does_not_move_the_exercise_clock(shift):
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(600)
    source.set_wall(source.wall() + shift)
    assert clock.elapsed() == 600.0
    source.advance(60)
    assert clock.elapsed() == 660.0
    anchor = do(clock, clock.pause())
    assert anchor.exercise_s == 660.0
    assert anchor.wall_time == T0 + timedelta(seconds=660) + shift


# --- halt and end ---------------------------------------------------------------------------------


def test_halt_freezes_play_and_is_recorded_apart_from_a_pause():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(200)
    halt = do(clock, clock.halt("  Real casualty in the venue  "))
    assert halt.kind is ClockEventKind.HALT
    assert halt.reason == "Real casualty in the venue"
    assert halt.exercise_s == 200.0 and not halt.running
    assert clock.status is RunStatus.HALTED
    source.advance(1000)
    assert clock.elapsed() == 200.0
    with pytest.raises(RunStateError):
        clock.pause()
    with pytest.raises(RunStateError):
        clock.halt("again")
    do(clock, clock.resume("all clear"))
    assert clock.status is RunStatus.RUNNING
    source.advance(5)
    assert clock.elapsed() == 205.0


def test_halt_from_a_pause():
    source = FakeTimeSource(T0)
    clock = started(source)
    do(clock, clock.pause())
    do(clock, clock.halt("evacuation"))
    assert clock.status is RunStatus.HALTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_halt_needs_a_reason(reason):
    clock = started(FakeTimeSource(T0))
    with pytest.raises(ValidationFailed, match="reason"):
        clock.halt(reason)


def test_end_stops_the_clock_for_good():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(3000)
    end = do(clock, clock.end())
    assert end.kind is ClockEventKind.END and end.exercise_s == 3000.0
    assert clock.status is RunStatus.ENDED
    source.advance(100)
    assert clock.elapsed() == 3000.0
    for action in (clock.start, clock.pause, clock.resume, clock.end, lambda: clock.halt("x"),
                   lambda: clock.set_compression(2.0), lambda: clock.adjust(by_s=10, reason="x"),
                   lambda: clock.jump_to(4000, "x")):
        with pytest.raises(RunStateError, match="ended"):
            action()


def test_end_after_a_halt():
    clock = started(FakeTimeSource(T0))
    do(clock, clock.halt("bomb threat, venue evacuated"))
    do(clock, clock.end())
    assert clock.status is RunStatus.ENDED


# --- actions that do not fit the state ------------------------------------------------------------


def test_actions_out_of_turn_are_refused():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    for action in (clock.pause, clock.resume, clock.end, lambda: clock.halt("x")):
        with pytest.raises(RunStateError, match="not been started"):
            action()
    do(clock, clock.start())
    with pytest.raises(RunStateError):
        clock.start()
    with pytest.raises(RunStateError, match="already running"):
        clock.resume()
    do(clock, clock.pause())
    with pytest.raises(RunStateError, match="paused"):
        clock.pause()
    with pytest.raises(RunStateError):
        clock.start()


def test_run_state_errors_are_ctpn_errors_for_the_one_place_that_reports_them():
    clock = ExerciseClock([], FakeTimeSource(T0))
    with pytest.raises(CtpnError):
        clock.pause()


def test_a_refused_action_leaves_the_clock_as_it_was():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(10)
    with pytest.raises(RunStateError):
        clock.resume()
    assert clock.status is RunStatus.RUNNING and len(clock.anchors) == 1 and clock.elapsed() == 10.0


# --- compression ----------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [*COMPRESSION_PRESETS, 0.5, 3.5, MAX_COMPRESSION])
def test_compression_presets_and_custom_factors(factor):
    source = FakeTimeSource(T0)
    clock = started(source)
    if factor != 1.0:
        do(clock, clock.set_compression(factor))
    source.advance(60)
    assert clock.elapsed() == pytest.approx(60 * factor)


@pytest.mark.parametrize("factor", [0, -1, MAX_COMPRESSION + 0.1, math.inf, math.nan])
def test_impossible_compressions_are_refused(factor):
    clock = started(FakeTimeSource(T0))
    with pytest.raises(ValidationFailed, match="compression"):
        clock.set_compression(factor)


def test_setting_the_same_compression_again_is_refused():
    clock = started(FakeTimeSource(T0), compression=2.0)
    with pytest.raises(RunStateError, match="x2"):
        clock.set_compression(2.0)


def test_compression_change_mid_run_keeps_continuity():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(600)
    before = clock.elapsed()
    anchor = do(clock, clock.set_compression(10.0))
    assert anchor.kind is ClockEventKind.COMPRESSION and anchor.exercise_s == before == 600.0
    assert clock.elapsed() == before
    source.advance(60)
    assert clock.elapsed() == 600.0 + 600.0
    do(clock, clock.set_compression(1.0))
    source.advance(60)
    assert clock.elapsed() == 1260.0


def test_compression_set_before_start_and_while_paused():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    anchor = do(clock, clock.set_compression(5.0))
    assert not anchor.running and clock.status is RunStatus.READY
    do(clock, clock.start())
    source.advance(10)
    assert clock.elapsed() == 50.0
    do(clock, clock.pause())
    do(clock, clock.set_compression(2.0))
    source.advance(100)
    assert clock.elapsed() == 50.0 and clock.status is RunStatus.PAUSED
    do(clock, clock.resume())
    source.advance(10)
    assert clock.elapsed() == 70.0


# --- adjust and jump ------------------------------------------------------------------------------


def test_adjust_to_an_exercise_time_with_a_reason():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(100)
    anchor = do(clock, clock.adjust(to_exercise_s=1800, reason="catch up with the room clock"))
    assert anchor.kind is ClockEventKind.ADJUST and anchor.exercise_s == 1800.0 and anchor.running
    assert anchor.reason == "catch up with the room clock"
    source.advance(5)
    assert clock.elapsed() == 1805.0


def test_adjust_by_an_amount_back_while_paused():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(1000)
    do(clock, clock.pause())
    do(clock, clock.adjust(by_s=-300, reason="restart the module discussion"))
    assert clock.elapsed() == 700.0 and clock.status is RunStatus.PAUSED


def test_adjust_before_start_sets_where_the_clock_starts():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    do(clock, clock.adjust(to_exercise_s=-600, reason="ten-minute briefing before STARTEX"))
    assert clock.status is RunStatus.READY and clock.elapsed() == -600.0
    do(clock, clock.start())
    source.advance(60)
    assert clock.elapsed() == -540.0


def test_adjust_needs_exactly_one_target_and_a_reason():
    clock = started(FakeTimeSource(T0))
    with pytest.raises(ValueError):
        clock.adjust(reason="x")
    with pytest.raises(ValueError):
        clock.adjust(to_exercise_s=1, by_s=1, reason="x")
    with pytest.raises(ValidationFailed, match="reason"):
        clock.adjust(by_s=60, reason=" ")
    with pytest.raises(ValidationFailed):
        clock.adjust(to_exercise_s=math.nan, reason="x")


def test_jump_forward_to_the_next_inject():
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(100)
    anchor = do(clock, clock.jump_to(900, "jump to next inject #4"))
    assert anchor.kind is ClockEventKind.ADJUST and anchor.exercise_s == 900.0 and anchor.running
    assert anchor.reason == "jump to next inject #4"
    source.advance(1)
    assert clock.elapsed() == 901.0


def test_jump_while_paused_stays_paused():
    source = FakeTimeSource(T0)
    clock = started(source)
    do(clock, clock.pause())
    do(clock, clock.jump_to(3600, "next phase"))
    source.advance(50)
    assert clock.elapsed() == 3600.0 and clock.status is RunStatus.PAUSED


@pytest.mark.parametrize("target", [50.0, 100.0, -5.0, math.inf, math.nan])
def test_jump_only_goes_forward(target):
    source = FakeTimeSource(T0)
    clock = started(source)
    source.advance(100)
    with pytest.raises(ValidationFailed):
        clock.jump_to(target, "x")


def test_jump_needs_a_reason():
    clock = started(FakeTimeSource(T0))
    with pytest.raises(ValidationFailed, match="reason"):
        clock.jump_to(100, "")


# --- apply and load checks ------------------------------------------------------------------------


def test_apply_refuses_an_anchor_that_does_not_follow():
    source = FakeTimeSource(T0)
    clock = started(source)
    stale = clock.pause()
    do(clock, stale)
    with pytest.raises(ValueError, match="does not follow"):
        clock.apply(stale)


def test_apply_of_a_foreign_anchor_pairs_it_with_the_wall_clock():
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    foreign = ClockAnchor(1, ClockEventKind.START, T0 - timedelta(seconds=30), 0.0, True, 1.0)
    clock.apply(foreign)
    assert clock.elapsed() == 30.0


@pytest.mark.parametrize(
    ("anchors", "error"),
    [
        ([ClockAnchor(1, ClockEventKind.PAUSE, T0, 0.0, False, 1.0)], RunStateError),
        ([ClockAnchor(1, ClockEventKind.START, T0, 0.0, True, 1.0),
          ClockAnchor(1, ClockEventKind.PAUSE, T0, 0.0, False, 1.0)], ValueError),
        ([ClockAnchor(1, ClockEventKind.START, T0, 0.0, False, 1.0)], ValueError),
        ([ClockAnchor(1, ClockEventKind.START, datetime(2025, 3, 1), 0.0, True, 1.0)], ValueError),
        ([ClockAnchor(1, ClockEventKind.START, T0, 0.0, True, 0.0)], ValueError),
        ([ClockAnchor(1, ClockEventKind.START, T0, math.nan, True, 1.0)], ValueError),
        ([ClockAnchor(1, ClockEventKind.START, T0, 0.0, True, 1.0),
          ClockAnchor(2, ClockEventKind.END, T0, 0.0, False, 1.0),
          ClockAnchor(3, ClockEventKind.RESUME, T0, 0.0, True, 1.0)], RunStateError),
    ],
    ids=["pause-first", "duplicate-seq", "start-not-running", "naive-wall", "zero-compression", "nan-time",
         "resume-after-end"],
)
def test_damaged_anchor_lists_are_refused(anchors, error):
    with pytest.raises(error):
        ExerciseClock(anchors, FakeTimeSource(T0))


# --- properties -----------------------------------------------------------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.floats(0, 4000, allow_nan=False)),
        st.tuples(st.just("start"), st.none()),
        st.tuples(st.just("pause"), st.none()),
        st.tuples(st.just("resume"), st.none()),
        st.tuples(st.just("halt"), st.none()),
        st.tuples(st.just("end"), st.none()),
        st.tuples(st.just("compression"), st.floats(0.1, MAX_COMPRESSION)),
        st.tuples(st.just("jump"), st.floats(0, 10_000)),
        st.tuples(st.just("set_wall"), st.floats(-86_400, 86_400)),
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(OPERATIONS)
def test_elapsed_never_decreases_without_an_adjustment(operations):
    source = FakeTimeSource(T0)
    clock = ExerciseClock([], source)
    last = clock.elapsed()
    for name, value in operations:
        try:
            if name == "advance":
                source.advance(value)
            elif name == "set_wall":
                source.set_wall(source.wall() + timedelta(seconds=value))
            elif name == "compression":
                do(clock, clock.set_compression(value))
            elif name == "jump":
                do(clock, clock.jump_to(clock.elapsed() + value + 1, "jump"))
            elif name == "halt":
                do(clock, clock.halt("emergency"))
            else:
                do(clock, getattr(clock, name)())
        except RunStateError:
            pass
        now = clock.elapsed()
        assert now >= last
        last = now


class ClockMachine(RuleBasedStateMachine):
    """Drive the clock with any sequence of actions and restarts; compare it with a plain model of the rules.

    The model counts, since the latest anchor, the seconds credited to the clock (``span``), the real seconds
    and the shifts of the laptop's clock; a restart credits the wall time since the anchor, shifts included.
    """

    def __init__(self) -> None:
        super().__init__()
        self.source = FakeTimeSource(T0)
        self.clock = ExerciseClock([], self.source)
        self.status = RunStatus.READY
        self.factor = 1.0
        self.base = 0.0
        self.span = self.real = self.shift = 0.0

    @property
    def expected(self) -> float:
        return self.base + self.span * self.factor if self.status is RunStatus.RUNNING else self.base

    def act(self, anchor: ClockAnchor, status: RunStatus, *, moved_by: float = 0.0) -> None:
        assert anchor.exercise_s == pytest.approx(self.expected + moved_by, rel=1e-9, abs=0.01)
        do(self.clock, anchor)
        self.base = anchor.exercise_s
        self.status = status
        self.span = self.real = self.shift = 0.0

    @rule(seconds=st.floats(0, 7200))
    def advance(self, seconds):
        self.source.advance(seconds)
        self.span += seconds
        self.real += seconds

    @precondition(lambda self: self.status is RunStatus.READY)
    @rule()
    def start(self):
        self.act(self.clock.start(), RunStatus.RUNNING)

    @precondition(lambda self: self.status is RunStatus.RUNNING)
    @rule()
    def pause(self):
        self.act(self.clock.pause(), RunStatus.PAUSED)

    @precondition(lambda self: self.status in (RunStatus.PAUSED, RunStatus.HALTED))
    @rule()
    def resume(self):
        self.act(self.clock.resume(), RunStatus.RUNNING)

    @precondition(lambda self: self.status in (RunStatus.RUNNING, RunStatus.PAUSED))
    @rule()
    def halt(self):
        self.act(self.clock.halt("stop phrase"), RunStatus.HALTED)

    @precondition(lambda self: self.status in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.HALTED))
    @rule()
    def end(self):
        self.act(self.clock.end(), RunStatus.ENDED)

    @precondition(lambda self: self.status is not RunStatus.ENDED)
    @rule(factor=st.sampled_from([*COMPRESSION_PRESETS, 0.5, 3.0, 60.0]))
    def compression(self, factor):
        if factor == self.factor:
            with pytest.raises(RunStateError):
                self.clock.set_compression(factor)
            return
        self.act(self.clock.set_compression(factor), self.status)
        self.factor = factor

    @precondition(lambda self: self.status is not RunStatus.ENDED)
    @rule(by=st.floats(-5000, 5000).filter(lambda v: v != 0))
    def adjust(self, by):
        self.act(self.clock.adjust(by_s=by, reason="hand"), self.status, moved_by=by)

    @rule(after=st.floats(0, 86_400))
    def restart(self, after):
        """Kill the application and open the run again ``after`` seconds later."""
        self.source = self.source.restarted(after_s=after)
        self.clock = ExerciseClock(self.clock.anchors, self.source)
        self.real += after
        self.span = max(0.0, self.real + self.shift)

    @rule(shift=st.floats(-86_400, 86_400))
    def change_wall_clock(self, shift):
        self.source.set_wall(self.source.wall() + timedelta(seconds=shift))
        self.shift += shift

    @invariant()
    def matches_the_model(self):
        assert self.clock.status is self.status
        assert self.clock.running is (self.status is RunStatus.RUNNING)
        assert self.clock.compression == self.factor
        # Wall times are kept to the microsecond, so restarts round by that much per step.
        assert self.clock.elapsed() == pytest.approx(self.expected, rel=1e-9, abs=0.01)

    @invariant()
    def anchors_are_numbered_one_by_one(self):
        assert [a.seq for a in self.clock.anchors] == list(range(1, len(self.clock.anchors) + 1))


ClockMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestClockMachine = ClockMachine.TestCase


@given(st.lists(st.floats(0.5, 60), min_size=1, max_size=8),
       st.lists(st.floats(0, 1000), min_size=1, max_size=8))
def test_compression_changes_keep_continuity(factors, gaps):
    source = FakeTimeSource(T0)
    clock = started(source)
    for factor, gap in zip(factors, gaps, strict=False):
        source.advance(gap)
        before = clock.elapsed()
        if factor != clock.compression:
            anchor = do(clock, clock.set_compression(factor))
            assert anchor.exercise_s == before
        assert clock.elapsed() == before


# --- scenario time --------------------------------------------------------------------------------

DAY1 = datetime(2025, 6, 14, 14, 0)


def phase(key: str, start: int, story: datetime | None = None, position: int = 0) -> Phase:
    return Phase(id=f"ph-{key}", key=key, name=key.title(), start_offset_s=start, scenario_start=story,
                 position=position)


PHASES = (
    phase("one", 0, DAY1, 0),
    phase("two", 3600, DAY1.replace(hour=18, minute=30), 1),
    phase("three", 7200, None, 2),
    phase("four", 9000, DAY1 + timedelta(days=1), 3),
)


def test_scenario_time_is_none_without_any_scenario_start():
    assert scenario_time(100, [phase("a", 0), phase("b", 60)]) is None
    assert scenario_time(100, []) is None


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (0, DAY1),
        (1800, DAY1 + timedelta(minutes=30)),
        (3599, DAY1 + timedelta(seconds=3599)),
        (3600, DAY1.replace(hour=18, minute=30)),
        (3660.5, DAY1.replace(hour=18, minute=31, second=0, microsecond=500_000)),
        (7500, DAY1.replace(hour=18, minute=30) + timedelta(seconds=3900)),  # phase three has no story time
        (9000, DAY1 + timedelta(days=1)),
        (-300, DAY1 - timedelta(minutes=5)),  # before STARTEX, counted back from the first phase
    ],
)
def test_scenario_time_runs_on_from_the_latest_started_phase(elapsed, expected):
    assert scenario_time(elapsed, PHASES) == expected


def test_scenario_time_counts_back_before_the_first_phase_with_a_story_time():
    phases = (phase("intro", 0, None), phase("main", 600, DAY1))
    assert scenario_time(0, phases) == DAY1 - timedelta(minutes=10)


def test_a_phase_started_early_by_hand_opens_at_its_scenario_start():
    events = [InjectEvent("e1", "run", "ph-two", InjectEventKind.PHASE_STARTED, T0, 2400.0, None)]
    jumps = phase_starts(events)
    assert scenario_time(2400, PHASES, phase_jumps=jumps) == DAY1.replace(hour=18, minute=30)
    assert scenario_time(2460, PHASES, phase_jumps=jumps) == DAY1.replace(hour=18, minute=31)
    assert scenario_time(2399, PHASES, phase_jumps=jumps) == DAY1 + timedelta(seconds=2399)


def test_scenario_time_keeps_the_time_zone_of_the_scenario():
    aware = replace(PHASES[0], scenario_start=DAY1.replace(tzinfo=UTC))
    assert scenario_time(60, [aware]) == DAY1.replace(minute=1, tzinfo=UTC)


def test_compression_is_already_in_the_elapsed_time():
    source = FakeTimeSource(T0)
    clock = started(source, compression=10.0)
    source.advance(360)
    assert scenario_time(clock.elapsed(), PHASES) == DAY1.replace(hour=18, minute=30)


# --- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (0.999, "0:00:00"), (59.9, "0:00:59"), (3600, "1:00:00"), (3599.99, "0:59:59"),
     (36_000 + 61, "10:01:01"), (90_000, "25:00:00"), (-1, "-0:00:01"), (-0.5, "-0:00:01"),
     (-3600, "-1:00:00"), (-3601, "-1:00:01")],
)
def test_format_elapsed(seconds, text):
    assert format_elapsed(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(200, "0:03:20"), (0.2, "0:00:01"), (1, "0:00:01"), (0, "0:00:00"), (-0.5, "0:00:00"), (-1, "+0:00:01"),
     (-125.7, "+0:02:05"), (7200, "2:00:00")],
)
def test_format_countdown(seconds, text):
    assert format_countdown(seconds) == text


@pytest.mark.parametrize("formatter", [format_elapsed, format_countdown])
def test_formatters_refuse_non_numbers(formatter):
    with pytest.raises(ValueError):
        formatter(math.nan)


@given(st.floats(-1e6, 1e6))
def test_format_elapsed_shows_each_second_once(seconds):
    text = format_elapsed(seconds)
    sign = -1 if text.startswith("-") else 1
    hours, minutes, secs = (int(p) for p in text.lstrip("-").split(":"))
    shown = sign * (hours * 3600 + minutes * 60 + secs)
    assert shown <= seconds < shown + 1

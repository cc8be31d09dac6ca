"""The record axis of a replay where clocks misbehave: an exercise clock set back or jumped forward, a laptop's
wall clock set back, several laptops' logs interleaved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ctpn_desktop.core.entities import (
    ClockAnchor,
    ClockEventKind,
    Exercise,
    ExerciseType,
    LogKind,
    LogRevision,
    RunStatus,
    Scenario,
)
from ctpn_desktop.core.replay import RunReplay

T0 = datetime(2027, 12, 12, 18, 0, tzinfo=UTC)
SCENARIO = Scenario(exercise=Exercise(id="x", title="Replay", exercise_type=ExerciseType.TABLE_TOP))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def anchor(seq: int, kind: ClockEventKind, wall_s: float, exercise_s: float, running: bool,
           compression: float = 1.0) -> ClockAnchor:
    return ClockAnchor(seq, kind, at(wall_s), exercise_s, running, compression)


def revision(entry: str, number: int, rev: int, device: str, chain_seq: int, committed_s: float,
             text: str) -> LogRevision:
    return LogRevision(id=f"{entry}-{rev}", entry_id=entry, run_id="r", revision=rev, entry_number=number,
                       device_id=device, chain_seq=chain_seq, logged_at=at(committed_s), committed_at=at(committed_s),
                       exercise_s=0.0, scenario_time=None, logged_by="", decision_maker="", organisation="",
                       kind=LogKind.DECISION, text=text)


def test_where_the_clock_was_set_back_the_scrubber_shows_the_later_pass() -> None:
    anchors = [anchor(1, ClockEventKind.START, 0, 0, True),
               anchor(2, ClockEventKind.ADJUST, 600, 300, True),  # the room lost five minutes: set back
               anchor(3, ClockEventKind.END, 1200, 900, False)]
    replay = RunReplay(SCENARIO, anchors, [], [], [])
    assert replay.moment_at_exercise(200) == pytest.approx(200)  # read once only, before the set-back
    assert replay.moment_at_exercise(450) == pytest.approx(750)      # the later pass
    assert replay.state_at(450).exercise_s == pytest.approx(450)     # the first pass, by the record axis
    assert replay.end_exercise_s == pytest.approx(900)


def test_where_the_clock_jumped_forward_the_state_is_the_moment_of_the_jump() -> None:
    anchors = [anchor(1, ClockEventKind.START, 0, 0, True),
               anchor(2, ClockEventKind.ADJUST, 100, 1800, True),  # jump to the next phase
               anchor(3, ClockEventKind.PAUSE, 200, 1900, False)]
    replay = RunReplay(SCENARIO, anchors, [], [], [], until=at(500))
    state = replay.state_at_exercise(1000)
    assert state.moment == pytest.approx(100)
    assert state.exercise_s == pytest.approx(1800)
    assert replay.state_at_exercise(1850).moment == pytest.approx(150)
    assert replay.state_at_exercise(5000).clock.status is RunStatus.PAUSED
    assert replay.end_moment == pytest.approx(500)


def test_a_laptop_clock_set_back_never_puts_a_record_before_the_one_written_before_it() -> None:
    anchors = [anchor(1, ClockEventKind.START, 0, 0, True), anchor(2, ClockEventKind.END, 1000, 1000, False)]
    log = [revision("a", 1, 1, "laptop-a", 1, 100, "first"),
           revision("a", 1, 2, "laptop-a", 2, 50, "first, corrected"),  # laptop-a's clock went back 60 s
           revision("b", 2, 1, "laptop-b", 1, 120, "other table")]
    replay = RunReplay(SCENARIO, anchors, [], [], log)
    texts = {s: [e.current.text for e in replay.state_at(s).log] for s in (60, 99, 100, 119, 120)}
    assert texts[60] == [] and texts[99] == []
    assert texts[100] == ["first, corrected"]  # the correction takes the moment of the record before it
    assert texts[119] == ["first, corrected"]
    assert texts[120] == ["first, corrected", "other table"]
    assert [e.label for e in replay.events if e.kind.value != "clock"] == [
        "Log 1 (decision): first", "Log 1 corrected: first, corrected", "Log 2 (decision): other table"]

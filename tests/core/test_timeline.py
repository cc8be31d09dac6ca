"""The facilitator's queue: due, overdue, held, waiting and done, at any exercise time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctpn_desktop.core.entities import EventType, Inject, InjectEvent, InjectEventKind, Phase
from ctpn_desktop.core.timeline import (
    DEFAULT_OVERDUE_AFTER_S,
    InjectState,
    NextPhase,
    NextUp,
    Timeline,
    current_phase,
    effective_due_s,
    next_phase,
    phase_schedule,
    phase_starts,
)

WALL = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def inject(number: int, offset: int, *, event_type: EventType = EventType.INJECT,
           depends_on: int | None = None) -> Inject:
    return Inject(id=f"i{number}", number=number, title=f"Inject {number}", planned_offset_s=offset,
                  event_type=event_type, depends_on_id=f"i{depends_on}" if depends_on is not None else None)


def event(number: int, kind: InjectEventKind, at: float = 0.0, *, new_offset: int | None = None,
          note: str = "") -> InjectEvent:
    return InjectEvent(id=f"e{next(_ids)}", run_id="run", inject_id=f"i{number}", kind=kind, wall_time=WALL,
                       exercise_s=at, scenario_time=None, note=note, new_offset_s=new_offset)


def released(number: int, at: float = 0.0) -> InjectEvent:
    return event(number, InjectEventKind.RELEASED, at)


def skipped(number: int, note: str = "") -> InjectEvent:
    return event(number, InjectEventKind.SKIPPED, note=note)


def deferred(number: int, to: int | None) -> InjectEvent:
    return event(number, InjectEventKind.DEFERRED, new_offset=to)


def retimed(number: int, to: int | None) -> InjectEvent:
    return event(number, InjectEventKind.RETIMED, new_offset=to)


def states(timeline: Timeline, t: float) -> dict[int, InjectState]:
    return {row.number: row.state for row in timeline.states_at(t)}


# --- effective due time ---------------------------------------------------------------------------


def test_effective_due_is_the_planned_offset_without_events():
    assert effective_due_s(inject(1, 600), []) == 600


def test_effective_due_follows_the_latest_deferral_or_retime_in_recorded_order():
    one = inject(1, 600)
    assert effective_due_s(one, [deferred(1, 900)]) == 900
    assert effective_due_s(one, [deferred(1, 900), retimed(1, 300)]) == 300
    assert effective_due_s(one, [retimed(1, 300), deferred(1, 900), released(1)]) == 900
    assert effective_due_s(one, [retimed(2, 5)]) == 600


def test_a_retime_without_a_new_offset_is_refused():
    with pytest.raises(ValueError, match="no new offset"):
        effective_due_s(inject(1, 600), [retimed(1, None)])
    with pytest.raises(ValueError, match="no new offset"):
        Timeline([inject(1, 600)], [deferred(1, None)])


# --- states against time --------------------------------------------------------------------------


def test_pending_due_overdue_boundaries():
    timeline = Timeline([inject(1, 600)])
    assert DEFAULT_OVERDUE_AFTER_S == 120
    assert states(timeline, 0) == {1: InjectState.PENDING}
    assert states(timeline, 599.9) == {1: InjectState.PENDING}
    assert states(timeline, 600) == {1: InjectState.DUE}
    assert states(timeline, 720) == {1: InjectState.DUE}
    assert states(timeline, 720.1) == {1: InjectState.OVERDUE}
    assert states(timeline, 10_000) == {1: InjectState.OVERDUE}


def test_overdue_threshold_is_configurable():
    timeline = Timeline([inject(1, 600)], overdue_after_s=30)
    assert states(timeline, 630) == {1: InjectState.DUE}
    assert states(timeline, 631) == {1: InjectState.OVERDUE}


def test_due_window_turns_injects_due_early():
    timeline = Timeline([inject(1, 600)], due_window_s=60)
    assert states(timeline, 539) == {1: InjectState.PENDING}
    row = timeline.row("i1", 540)
    assert row.state is InjectState.DUE and row.seconds_until == 60


@pytest.mark.parametrize("kwargs", [{"due_window_s": -1}, {"overdue_after_s": -1},
                                    {"overdue_after_s": float("nan")}])
def test_negative_thresholds_are_refused(kwargs):
    with pytest.raises(ValueError):
        Timeline([], **kwargs)


def test_row_reports_due_time_countdown_and_retime():
    timeline = Timeline([inject(1, 600), inject(2, 900)], [deferred(1, 1200)])
    row = timeline.row("i1", 1000)
    assert row.due_s == 1200 and row.planned_s == 600 and row.retimed
    assert row.seconds_until == 200 and row.state is InjectState.PENDING
    assert row.number == 1 and row.title == "Inject 1" and row.inject_id == "i1"
    assert not timeline.row("i2", 1000).retimed
    with pytest.raises(KeyError):
        timeline.row("nope", 0)


def test_released_is_final_and_records_the_first_release():
    timeline = Timeline([inject(1, 600)], [released(1, 610), skipped(1), deferred(1, 5000), released(1, 700)])
    row = timeline.row("i1", 10_000)
    assert row.state is InjectState.RELEASED and row.released_at_s == 610
    assert timeline.row("i1", 0).state is InjectState.RELEASED


def test_released_early_is_released():
    timeline = Timeline([inject(1, 600)], [released(1, 10)])
    assert states(timeline, 10) == {1: InjectState.RELEASED}


def test_skipped_holds_until_a_deferral_brings_it_back():
    timeline = Timeline([inject(1, 600)], [skipped(1, "players already there")])
    row = timeline.row("i1", 10_000)
    assert row.state is InjectState.SKIPPED and row.reason == "players already there"
    back = timeline.with_events([*timeline.events, deferred(1, 2000)])
    assert states(back, 1999) == {1: InjectState.PENDING}
    assert states(back, 2000) == {1: InjectState.DUE}
    again = back.with_events([*back.events, skipped(1)])
    assert states(again, 2000) == {1: InjectState.SKIPPED}


def test_deferral_moves_the_due_time():
    timeline = Timeline([inject(1, 600)], [deferred(1, 900)])
    assert states(timeline, 700) == {1: InjectState.PENDING}
    assert states(timeline, 900) == {1: InjectState.DUE}
    assert states(timeline, 1021) == {1: InjectState.OVERDUE}


# --- contingency and dependencies -----------------------------------------------------------------


def test_contingency_injects_are_held_until_released_by_hand():
    timeline = Timeline([inject(1, 600, event_type=EventType.CONTINGENCY), inject(2, 600)])
    for t in (0, 600, 100_000):
        row = timeline.row("i1", t)
        assert row.state is InjectState.HELD
        assert "held back" in row.reason.lower()
    assert [r.number for r in timeline.due_now(600)] == [2]
    assert timeline.overdue(100_000)[0].number == 2 and len(timeline.overdue(100_000)) == 1
    assert timeline.next_up(0) == NextUp(timeline.injects[1], 600, 600)
    done = timeline.with_events([released(1, 650)])
    assert done.row("i1", 700).state is InjectState.RELEASED


def test_retiming_a_contingency_does_not_make_it_due_by_itself():
    timeline = Timeline([inject(1, 600, event_type=EventType.CONTINGENCY)], [retimed(1, 300)])
    row = timeline.row("i1", 400)
    assert row.state is InjectState.HELD and row.due_s == 300


def test_a_dependent_inject_waits_for_its_dependency_with_a_reason():
    injects = [inject(1, 600), inject(2, 900, depends_on=1)]
    timeline = Timeline(injects)
    before = timeline.row("i2", 800)
    assert before.state is InjectState.PENDING
    assert before.waiting_on_id == "i1" and "#1" in before.reason and "not been released" in before.reason
    at = timeline.row("i2", 900)
    assert at.state is InjectState.WAITING
    assert timeline.row("i2", 100_000).state is InjectState.WAITING  # never overdue on its own account
    assert [r.number for r in timeline.due_now(900)] == [1]
    assert [r.number for r in timeline.overdue(100_000)] == [1]
    free = timeline.with_events([released(1, 950)])
    row = free.row("i2", 960)
    assert row.state is InjectState.DUE and row.waiting_on_id is None and row.reason == ""


def test_a_dependency_that_was_skipped_is_named_as_skipped():
    timeline = Timeline([inject(1, 600), inject(2, 900, depends_on=1)], [skipped(1)])
    row = timeline.row("i2", 900)
    assert row.state is InjectState.WAITING and "skipped" in row.reason


def test_a_dependent_inject_may_still_be_released_by_hand():
    timeline = Timeline([inject(1, 600), inject(2, 900, depends_on=1)], [released(2, 100)])
    assert timeline.row("i2", 900).state is InjectState.RELEASED


def test_a_dependency_outside_the_scenario_does_not_block():
    timeline = Timeline([inject(2, 900, depends_on=99)])
    assert timeline.row("i2", 900).state is InjectState.DUE


# --- queue order, due now, overdue, next up -------------------------------------------------------


def test_queue_is_sorted_by_effective_due_time_then_number():
    injects = [inject(5, 600), inject(3, 600), inject(1, 1200), inject(2, 300), inject(4, 900)]
    timeline = Timeline(injects)
    assert [r.number for r in timeline.states_at(0)] == [2, 3, 5, 4, 1]
    moved = timeline.with_events([retimed(1, 0), deferred(2, 2000)])
    assert [r.number for r in moved.states_at(0)] == [1, 3, 5, 4, 2]


def test_due_now_lists_the_due_and_the_overdue_earliest_first():
    injects = [inject(1, 0), inject(2, 500), inject(3, 600), inject(4, 601), inject(5, 100)]
    timeline = Timeline(injects, [released(5, 100)])
    due = timeline.due_now(600)
    assert [(r.number, r.state) for r in due] == [
        (1, InjectState.OVERDUE), (2, InjectState.DUE), (3, InjectState.DUE)]
    assert [r.number for r in timeline.overdue(600)] == [1]


def test_next_up_is_the_first_pending_inject_and_its_countdown():
    injects = [inject(1, 600), inject(2, 900), inject(3, 1200)]
    timeline = Timeline(injects, [released(2, 100)])
    assert timeline.next_up(0) == NextUp(injects[0], 600, 600)
    assert timeline.next_up(600) == NextUp(injects[2], 1200, 600)  # 1 is due now, 2 already released
    assert timeline.next_up(1200) is None


def test_next_up_counts_a_blocked_inject_which_shows_why():
    injects = [inject(1, 600), inject(2, 900, depends_on=1)]
    timeline = Timeline(injects)
    up = timeline.next_up(700)
    assert up is not None and up.inject.number == 2 and up.seconds_until == 200


def test_events_for_other_things_are_ignored():
    timeline = Timeline([inject(1, 600)], [
        InjectEvent("p", "run", "phase-2", InjectEventKind.PHASE_STARTED, WALL, 10.0, None),
        released(77, 5),  # an ad-hoc inject, not in the scenario's queue
    ])
    assert states(timeline, 600) == {1: InjectState.DUE}


def test_two_injects_with_one_id_are_refused():
    with pytest.raises(ValueError, match="share an id"):
        Timeline([inject(1, 0), inject(1, 5)])


def test_state_labels_and_actionable():
    assert InjectState.HELD.label == "Held back"
    assert {s for s in InjectState if s.actionable} == {InjectState.DUE, InjectState.OVERDUE}
    assert all(s.label for s in InjectState)


# --- caching and size -----------------------------------------------------------------------------


class CountingEvents(Sequence[InjectEvent]):
    """A list of events that counts how often anyone reads it."""

    def __init__(self, events: list[InjectEvent]) -> None:
        self._events = events
        self.reads = 0

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index: Any) -> Any:
        self.reads += 1
        return self._events[index]

    def __iter__(self) -> Iterator[InjectEvent]:
        self.reads += 1
        return iter(self._events)


def big_scenario(n: int = 2500) -> tuple[list[Inject], list[InjectEvent]]:
    injects = []
    for number in range(1, n + 1):
        event_type = EventType.CONTINGENCY if number % 50 == 0 else EventType.INJECT
        depends_on = number - 1 if number % 7 == 0 else None
        injects.append(inject(number, (number * 37) % 14_400, event_type=event_type, depends_on=depends_on))
    events = []
    for number in range(1, n + 1, 3):
        events.append(released(number, number))
    for number in range(2, n + 1, 11):
        events.append(deferred(number, (number * 53) % 14_400))
    for number in range(5, n + 1, 13):
        events.append(skipped(number))
    return injects, events


def test_events_are_folded_once_and_never_read_while_asking_about_time():
    injects, events = big_scenario()
    counting = CountingEvents(events)
    timeline = Timeline(injects, counting)
    reads = counting.reads
    for t in range(0, 14_400, 60):
        timeline.states_at(t)
        timeline.due_now(t)
        timeline.overdue(t)
        timeline.next_up(t)
    assert counting.reads == reads


def test_with_events_reuses_the_timeline_for_the_same_events():
    injects, events = big_scenario(200)
    timeline = Timeline(injects, events, due_window_s=30, overdue_after_s=60)
    assert timeline.with_events(list(events)) is timeline
    more = timeline.with_events([*events, released(2, 10)])
    assert more is not timeline
    assert (more.due_window_s, more.overdue_after_s) == (30, 60)
    assert more.row("i2", 0).state is InjectState.RELEASED


def test_thousands_of_injects_agree_with_the_reference_rules():
    injects, events = big_scenario()
    timeline = Timeline(injects, events)
    for t in (0, 1000, 7000, 14_400):
        assert [(r.number, r.state, r.due_s) for r in timeline.states_at(t)] == reference(injects, events, t)


# --- the rules once more, written plainly, as an oracle -------------------------------------------


def reference(injects: Sequence[Inject], events: Sequence[InjectEvent], t: float, window: float = 0.0,
              overdue_after: float = DEFAULT_OVERDUE_AFTER_S) -> list[tuple[int, InjectState, int]]:
    def history(i: Inject) -> list[InjectEvent]:
        return [e for e in events if e.inject_id == i.id]

    def is_released(i: Inject) -> bool:
        return any(e.kind is InjectEventKind.RELEASED for e in history(i))

    def is_skipped(i: Inject) -> bool:
        last = [e for e in history(i) if e.kind in (InjectEventKind.SKIPPED, InjectEventKind.DEFERRED,
                                                    InjectEventKind.RETIMED)]
        return bool(last) and last[-1].kind is InjectEventKind.SKIPPED

    by_id = {i.id: i for i in injects}
    rows = []
    for i in injects:
        due = effective_due_s(i, events)
        dependency = by_id.get(i.depends_on_id or "")
        if is_released(i):
            state = InjectState.RELEASED
        elif is_skipped(i):
            state = InjectState.SKIPPED
        elif i.event_type is EventType.CONTINGENCY:
            state = InjectState.HELD
        elif t < due - window:
            state = InjectState.PENDING
        elif dependency is not None and not is_released(dependency):
            state = InjectState.WAITING
        elif t - due > overdue_after:
            state = InjectState.OVERDUE
        else:
            state = InjectState.DUE
        rows.append((i.number, state, due))
    return sorted(rows, key=lambda r: (r[2], r[0]))


@st.composite
def runs(draw):
    n = draw(st.integers(0, 25))
    numbers = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True))
    offsets = st.integers(-600, 7200)
    injects = []
    for number in numbers:
        depends_on = draw(st.one_of(st.none(), st.sampled_from(numbers)))
        event_type = draw(st.sampled_from([EventType.INJECT, EventType.INJECT, EventType.CONTINGENCY,
                                           EventType.CONTROLLER_ACTION]))
        injects.append(inject(number, draw(offsets),
                              event_type=event_type, depends_on=depends_on if depends_on != number else None))
    events = []
    if numbers:
        for _ in range(draw(st.integers(0, 40))):
            number = draw(st.sampled_from(numbers))
            kind = draw(st.sampled_from([InjectEventKind.RELEASED, InjectEventKind.SKIPPED,
                                         InjectEventKind.DEFERRED, InjectEventKind.RETIMED]))
            moves = kind in (InjectEventKind.DEFERRED, InjectEventKind.RETIMED)
            new_offset = draw(offsets) if moves else None
            events.append(event(number, kind, draw(st.floats(0, 7200)), new_offset=new_offset))
    return injects, events


@settings(max_examples=300)
@given(runs(), st.floats(-1000, 9000), st.sampled_from([0.0, 30.0]), st.sampled_from([0.0, 120.0, 300.0]))
def test_timeline_agrees_with_the_plain_rules(run, t, window, overdue_after):
    injects, events = run
    timeline = Timeline(injects, events, due_window_s=window, overdue_after_s=overdue_after)
    rows = timeline.states_at(t)
    expected = reference(injects, events, t, window, overdue_after)
    assert [(r.number, r.state, r.due_s) for r in rows] == expected
    assert all(r.seconds_until == r.due_s - t for r in rows)
    assert timeline.due_now(t) == [r for r in rows if r.state.actionable]
    assert timeline.overdue(t) == [r for r in rows if r.state is InjectState.OVERDUE]
    pending = [r for r in rows if r.state is InjectState.PENDING]
    up = timeline.next_up(t)
    if pending:
        assert up == NextUp(pending[0].inject, pending[0].due_s, pending[0].seconds_until)
    else:
        assert up is None
    assert all(timeline.row(r.inject_id, t) == r for r in rows)


@given(runs(), st.floats(-1000, 9000), st.floats(0, 5000))
def test_only_events_make_an_inject_go_back(run, t, later):
    """Without new events, time only moves an inject forward: pending → due → overdue."""
    injects, events = run
    timeline = Timeline(injects, events)
    order = [InjectState.PENDING, InjectState.DUE, InjectState.OVERDUE]
    for before, after in zip(timeline.states_at(t), timeline.states_at(t + later), strict=True):
        assert before.inject_id == after.inject_id
        if before.state in order and after.state in order:
            assert order.index(after.state) >= order.index(before.state)
        elif before.state not in (InjectState.PENDING, InjectState.WAITING):
            assert after.state is before.state


# --- phases ---------------------------------------------------------------------------------------


def phase(key: str, start: int, position: int = 0) -> Phase:
    return Phase(id=f"ph-{key}", key=key, name=key.title(), start_offset_s=start, position=position)


PHASES = (phase("three", 7200, 2), phase("one", 0, 0), phase("two", 3600, 1))


def phase_started(key: str, at: float) -> InjectEvent:
    return InjectEvent(f"e{next(_ids)}", "run", f"ph-{key}", InjectEventKind.PHASE_STARTED, WALL, at, None)


def test_phase_schedule_is_in_story_order_with_planned_or_actual_starts():
    schedule = phase_schedule(PHASES, {"ph-three": 5000.0})
    assert [(s.phase.key, s.start_s, s.started_by_hand) for s in schedule] == [
        ("one", 0.0, False), ("two", 3600.0, False), ("three", 5000.0, True)]


def test_phase_starts_come_from_phase_started_events_the_latest_winning():
    events = [phase_started("two", 3000), released(1, 10), phase_started("two", 3100)]
    assert phase_starts(events) == {"ph-two": 3100}


@pytest.mark.parametrize(
    ("t", "current", "upcoming", "seconds"),
    [(-10, None, "one", 10), (0, "one", "two", 3600), (3599, "one", "two", 1), (3600, "two", "three", 3600),
     (7200, "three", None, None), (99_999, "three", None, None)],
)
def test_current_and_next_phase(t, current, upcoming, seconds):
    found = current_phase(PHASES, t)
    assert (found.key if found else None) == current
    nxt = next_phase(PHASES, t)
    assert (nxt.phase.key if nxt else None) == upcoming
    if nxt is not None:
        assert nxt.seconds_until == seconds and nxt.start_s == t + seconds


def test_a_phase_started_early_by_hand_is_current_and_the_ones_before_are_over():
    jumps = phase_starts([phase_started("three", 2000)])
    assert current_phase(PHASES, 2500, phase_jumps=jumps).key == "three"
    # Two's planned start has passed, but the story is already in three.
    assert current_phase(PHASES, 4000, phase_jumps=jumps).key == "three"
    assert next_phase(PHASES, 2500, phase_jumps=jumps) is None
    assert current_phase(PHASES, 1999, phase_jumps=jumps).key == "one"
    assert next_phase(PHASES, 1999, phase_jumps=jumps) == NextPhase(PHASES[2], 3600.0, 1601.0)


def test_no_phases():
    assert current_phase([], 100) is None
    assert next_phase([], 100) is None

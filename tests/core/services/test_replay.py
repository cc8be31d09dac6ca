"""Replay of a run played through the services, checked at many moments against a plain fold of the stored records
written here (independent of `core.replay`), on both back ends; and replay bookmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import (
    Evidence,
    EvidenceKind,
    LogKind,
    RunStatus,
)
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.replay import ReplayEventKind, Shown
from ctpn_desktop.core.report.debrief_data import assemble_debrief
from ctpn_desktop.core.report.html import debrief_html
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.replay import ReplayService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.timeline import InjectState

from tests.factories import library_document, reopen
from tests.replay_reference import reference_clock, reference_injects, reference_log

START = datetime(2027, 12, 12, 18, 0, tzinfo=UTC)


@dataclass
class Played:
    run_id: str
    injects: list[str]
    first_entry: str
    corrected_at: datetime
    paused_at: datetime
    resumed_at: datetime


def play(runs: RunService, log: LogService, source: FakeTimeSource) -> Played:
    """A run with a pause, a compression change, a halt, a skipped inject, an entry logged during the pause and a
    correction made well after the entry it corrects."""
    run = runs.create_run("Run for the replay")
    injects = [i.id for i in sorted(runs.frozen_scenario(run.id).injects, key=lambda i: i.planned_offset_s)]
    runs.start(run.id)
    source.advance(290)
    runs.release(run.id, injects[0])
    source.advance(70)
    first = log.append(run.id, LogDraft(LogKind.DECISION, "Cordon at 400 m", organisation="Police"),
                       exercise_s=runs.clock(run.id).elapsed())
    source.advance(240)
    paused_at = source.wall()
    runs.pause(run.id, "Coffee")
    source.advance(300)
    log.append(run.id, LogDraft(LogKind.INFORMATION, "Logged while the clock stood still"),
               exercise_s=runs.clock(run.id).elapsed())
    source.advance(600)
    resumed_at = source.wall()
    runs.resume(run.id)
    source.advance(100)
    runs.set_compression(run.id, 2.0)
    source.advance(150)  # 300 exercise seconds
    runs.release(run.id, injects[1])
    runs.skip(run.id, injects[2], "not needed")
    source.advance(50)
    runs.halt(run.id, "Real fire alarm")
    source.advance(120)
    runs.resume(run.id, "All clear")
    source.advance(200)
    corrected_at = source.wall()
    log.correct(first.entry_id, LogDraft(LogKind.DECISION, "Cordon at 200 m", organisation="Police"),
                "the commander said 200 m")
    source.advance(100)
    runs.release(run.id, injects[3])
    source.advance(60)
    runs.end(run.id)
    source.advance(3600)
    return Played(run.id, injects, first.entry_id, corrected_at, paused_at, resumed_at)


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=START)


def test_the_replay_agrees_with_a_plain_fold_of_the_records_at_every_moment(tmp_path: Path,
                                                                             source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source, actor="Lead facilitator")
        log = LogService(document, "laptop-a", source)
        played = play(runs, log, source)
        replay = ReplayService(document, source, runs).load(played.run_id)
        anchors = list(runs.clock(played.run_id).anchors)
        events = runs.events(played.run_id)
        revisions = [r for e in log.entries(played.run_id) for r in (*e.history, e.current)]

    moments = sorted({a.wall_time for a in anchors} | {e.wall_time for e in events}
                     | {r.committed_at for r in revisions})
    probes = [START + timedelta(seconds=s) for s in range(0, 2400, 37)]
    probes += moments + [m - timedelta(milliseconds=1) for m in moments]
    for wall in (p for p in probes if p >= START):
        state = replay.state_at_wall(wall)
        elapsed, status = reference_clock(anchors, wall)
        assert state.exercise_s == pytest.approx(elapsed), wall
        assert state.clock.status is status, wall
        released, skipped = reference_injects(events, wall)
        rows = state.queue()
        assert {r.inject_id for r in rows if r.state is InjectState.RELEASED} == released, wall
        assert {r.inject_id for r in rows if r.state is InjectState.SKIPPED} == skipped, wall
        assert {e.current.entry_number: e.current.text for e in state.log} == reference_log(revisions, wall), wall
        assert state.wall_time == min(wall, replay.wall_of(replay.end_moment))


def test_a_correction_made_later_is_not_visible_before_it_was_made(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        replay = ReplayService(document, source, runs).load(played.run_id)

    before = replay.state_at_wall(played.corrected_at - timedelta(seconds=1))
    entry = next(e for e in before.log if e.entry_id == played.first_entry)
    assert entry.current.text == "Cordon at 400 m" and entry.history == ()
    after = replay.state_at_wall(played.corrected_at)
    entry = next(e for e in after.log if e.entry_id == played.first_entry)
    assert entry.current.text == "Cordon at 200 m"
    assert [r.text for r in entry.history] == ["Cordon at 400 m"]
    correction = next(e for e in replay.events if e.kind is ReplayEventKind.CORRECTION)
    assert correction.ref_id == played.first_entry and "corrected" in correction.label


def test_exercise_time_maps_to_the_last_moment_the_clock_read_it(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        replay = ReplayService(document, source, runs).load(played.run_id)

    # Running at x1: exercise 100 s is 100 s after STARTEX.
    assert replay.state_at_exercise(100).wall_time == START + timedelta(seconds=100)
    # The clock stood at 600 s through the pause: the state at 600 s is the end of the pause, with the entry
    # logged while it stood still.
    paused = replay.state_at_exercise(600)
    assert paused.wall_time == played.resumed_at
    assert paused.exercise_s == pytest.approx(600)
    assert "Logged while the clock stood still" in {e.current.text for e in paused.log}
    # Just before, the pause had not begun and the entry was not written.
    earlier = replay.state_at_exercise(599)
    assert earlier.clock.status is RunStatus.RUNNING
    assert "Logged while the clock stood still" not in {e.current.text for e in earlier.log}
    # After the switch to x2, 100 exercise seconds take 50 wall seconds.
    switched = played.resumed_at + timedelta(seconds=100)
    assert replay.state_at_exercise(700 + 100).wall_time == switched + timedelta(seconds=50)
    assert replay.state_at_exercise(800).clock.compression == 2.0
    # The end of the scrubber is ENDEX, not the hour after it.
    end = replay.state_at_exercise(replay.end_exercise_s)
    assert end.clock.status is RunStatus.ENDED
    assert end.moment == pytest.approx(replay.endex_moment)


def test_stepping_goes_through_every_record_in_order_the_pause_included(tmp_path: Path,
                                                                         source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        replay = ReplayService(document, source, runs).load(played.run_id)

    seen = []
    moment = -1.0
    while (event := replay.next_event(moment)) is not None:
        seen.append(event)
        moment = event.moment
    # Records written at the same moment (a release and a skip in one second) are one step: both show at once.
    assert [e.moment for e in seen] == sorted({e.moment for e in replay.events})
    assert replay.state_at(seen[-1].moment).events_seen == len(replay.events)
    labels = [e.label for e in replay.events]
    assert labels[0] == "STARTEX" and labels[-1] == "ENDEX"
    pause = next(e for e in seen if e.label.startswith("Clock pause"))
    during = replay.next_event(pause.moment)
    assert during is not None and during.kind is ReplayEventKind.LOG and during.exercise_s == pytest.approx(600)
    assert replay.previous_event(during.moment) == pause
    assert replay.previous_event(0.0) is None


def test_the_presenter_shows_what_went_out_the_halt_screen_and_stand_by_after_it(tmp_path: Path,
                                                                                  source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        replay = ReplayService(document, source, runs).load(played.run_id)

    assert replay.state_at_exercise(10).presenter.shown is Shown.STAND_BY
    first = replay.state_at_exercise(400).presenter
    assert (first.shown, first.ref_id) == (Shown.INJECT, played.injects[0])
    halt = next(e for e in replay.events if e.label.startswith("Clock halt"))
    assert "Real fire alarm" in halt.label
    assert replay.state_at(halt.moment).presenter.shown is Shown.HALT
    resume = replay.next_event(halt.moment)
    assert resume is not None
    assert replay.state_at(resume.moment).presenter.shown is Shown.STAND_BY
    last = replay.state_at_exercise(replay.end_exercise_s).presenter
    assert (last.shown, last.ref_id) == (Shown.INJECT, played.injects[3])


def test_a_run_still_in_play_replays_up_to_now_and_a_new_run_is_empty(tmp_path: Path,
                                                                      source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        fresh = runs.create_run()
        live = runs.create_run()
        runs.start(live.id)
        source.advance(500)
        service = ReplayService(document, source, runs)
        replay = service.load(live.id)
        empty = service.load(fresh.id)
        with pytest.raises(ValidationFailed):
            service.load("00000000-0000-0000-0000-000000000000")

    assert replay.end_exercise_s == pytest.approx(500)
    assert replay.state_at_exercise(10_000).exercise_s == pytest.approx(500)
    assert empty.events == [] and empty.end_exercise_s == 0
    assert empty.state_at_exercise(0).clock.status is RunStatus.READY


def test_bookmarks_are_kept_cited_by_observations_and_named_in_the_debrief(tmp_path: Path,
                                                                           source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        service = ReplayService(document, source, runs, author="R. Okafor")
        replay = service.load(played.run_id)
        state = replay.state_at_exercise(4 * 60 + 50)
        mark = service.add_bookmark(played.run_id, at_wall=state.wall_time, exercise_s=state.exercise_s,
                                    label="  Inject 1 out,   no decision yet ")
        assert mark.label == "Inject 1 out, no decision yet"
        assert mark.citation == "Replay 0:04:50 (Run for the replay) — Inject 1 out, no decision yet"
        for label in ("", "   ", "x" * 201):
            with pytest.raises(ValidationFailed):
                service.add_bookmark(played.run_id, at_wall=state.wall_time, exercise_s=0, label=label)
        with pytest.raises(ValidationFailed):
            service.add_bookmark("00000000-0000-0000-0000-000000000000", at_wall=state.wall_time, exercise_s=0,
                                 label="nowhere")
        earlier = service.add_bookmark(played.run_id, at_wall=START + timedelta(seconds=5), exercise_s=5,
                                       label="STARTEX")
        assert [b.id for b in service.bookmarks(played.run_id)] == [earlier.id, mark.id]
        assert replay.state_at_wall(mark.at_wall).exercise_s == pytest.approx(mark.exercise_s)

        evaluation = EvaluationService(document, source, device_id="laptop-e")
        objective = runs.frozen_scenario(played.run_id).objectives[0]
        observation = evaluation.add_observation(
            played.run_id, objective_id=objective.id, evaluator="R. Okafor", rating="S",
            text="Slow to decide the cordon", evidence=[Evidence(EvidenceKind.BOOKMARK, mark.id)])
        assert observation.evidence == (Evidence(EvidenceKind.BOOKMARK, mark.id),)
        other = runs.create_run()
        with pytest.raises(ValidationFailed, match="bookmark"):
            evaluation.add_observation(other.id, objective_id=None, evaluator="R. Okafor", rating=None,
                                       text="cites another run's moment",
                                       evidence=[Evidence(EvidenceKind.BOOKMARK, mark.id)])

    reopened = reopen(document)
    try:
        again = ReplayService(reopened, source)
        assert [b.citation for b in again.bookmarks(played.run_id)][1] == mark.citation
        assert again.bookmarks(played.run_id)[1].author == "R. Okafor"
    finally:
        reopened.close()


@pytest.mark.file_only
def test_the_debrief_names_a_cited_bookmark(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        played = play(runs, LogService(document, "laptop-a", source), source)
        mark = ReplayService(document, source, runs).add_bookmark(
            played.run_id, at_wall=START + timedelta(seconds=290), exercise_s=290, label="Inject 1 out")
        observation = EvaluationService(document, source).add_observation(
            played.run_id, objective_id=None, evaluator="R. Okafor", rating="P", text="Quick cordon",
            evidence=[Evidence(EvidenceKind.BOOKMARK, mark.id)])
        debrief = assemble_debrief(document, played.run_id, source=source)
    assert debrief.evidence_of(observation) == ("replay 0:04:50 (Inject 1 out)",)
    assert "Evidence: replay 0:04:50 (Inject 1 out)" in debrief_html(debrief)  # the accessible HTML debrief too

"""The replay window driven with the keyboard and the scrubber: at every moment it stops at, the queue, clock,
decision log and presenter show what a plain fold of the stored records says (``tests.replay_reference``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Evidence, EvidenceKind, InjectEventKind, LogKind
from ctpn_desktop.core.services.log import LogDraft
from ctpn_desktop.core.services.replay import ReplayService
from ctpn_desktop.core.timeline import InjectState

from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.conduct.queue import QueueModel
from ctpn_desktop.ui.conduct.replay import ReplayWindow, parse_time
from ctpn_desktop.ui.models.log import TEXT

from tests.replay_reference import reference_clock, reference_injects, reference_log
from tests.ui.conduct.helpers import open_conduct, press

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def play_run(window, time_source) -> dict:
    """A short run through the services: releases, a pause with an entry logged in it, x2, a correction later."""
    context = window.context
    runs, log = context.runs, context.log
    run = runs.create_run("Replay day")
    injects = sorted(runs.frozen_scenario(run.id).injects, key=lambda i: (i.planned_offset_s, i.number))
    runs.start(run.id)
    time_source.advance(120)
    runs.release(run.id, injects[0].id)
    time_source.advance(60)
    entry = log.append(run.id, LogDraft(LogKind.DECISION, "Close the route at mile 20"),
                       exercise_s=runs.clock(run.id).elapsed())
    time_source.advance(120)
    runs.pause(run.id, "Lunch")
    time_source.advance(300)
    log.append(run.id, LogDraft(LogKind.INFORMATION, "Noted in the pause"), exercise_s=runs.clock(run.id).elapsed())
    time_source.advance(300)
    runs.resume(run.id)
    runs.set_compression(run.id, 2.0)
    time_source.advance(200)
    runs.release(run.id, injects[1].id)
    runs.skip(run.id, injects[2].id, "players ahead")
    time_source.advance(100)
    corrected_at = time_source.wall()
    log.correct(entry.entry_id, LogDraft(LogKind.DECISION, "Close the route at mile 18"), "wrong mile")
    time_source.advance(100)
    runs.end(run.id)
    time_source.advance(60)
    return {"run": runs.run(run.id), "injects": injects, "corrected_at": corrected_at, "entry": entry.entry_id}


def records(window, run_id):
    context = window.context
    anchors = list(context.runs.clock(run_id).anchors)
    events = context.runs.events(run_id)
    revisions = [r for e in context.log.entries(run_id) for r in (*e.history, e.current)]
    return anchors, events, revisions


def shown_queue(model: QueueModel) -> tuple[set[str], set[str]]:
    released = {model.item(r).inject_id for r in range(model.rowCount()) if model.state(r) is InjectState.RELEASED
                and model.item(r).timeline_index is not None}
    skipped = {model.item(r).inject_id for r in range(model.rowCount()) if model.state(r) is InjectState.SKIPPED}
    return released, skipped


def shown_log(replay: ReplayWindow) -> set[str]:
    model = replay.log_model
    return {str(model.data(model.index(row, TEXT))) for row in range(model.rowCount())}


def check_against_reference(replay: ReplayWindow, anchors, events, revisions) -> None:
    wall = replay.state.wall_time
    elapsed, status = reference_clock(anchors, wall)
    assert replay.exercise_label.text() == format_elapsed(elapsed)
    assert replay.status_label.text().split(" ")[0].lower() in status.value or status.value == "ended"
    assert shown_queue(replay.queue_model) == reference_injects(events, wall)
    assert shown_log(replay) == set(reference_log(revisions, wall).values())


@pytest.fixture
def opened(qtbot, window, document_path, time_source):
    page = open_conduct(qtbot, window, document_path)
    played = play_run(window, time_source)
    page.refresh()
    page.open_run(played["run"].id)
    press(qtbot, page, Qt.Key.Key_R, CTRL_SHIFT)
    assert len(page.replays) == 1
    replay = page.replays[0]
    qtbot.waitExposed(replay)
    replay.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is replay)
    yield page, replay, played
    replay.close()


def test_stepping_with_the_keyboard_shows_the_recorded_state_at_every_record(qtbot, window, opened) -> None:
    _page, replay, played = opened
    anchors, events, revisions = records(window, played["run"].id)
    qtbot.keyClick(replay, Qt.Key.Key_Home)
    assert replay.exercise_label.text() == "0:00:00"
    steps = 0
    while replay.next_button.isEnabled():
        qtbot.keyClick(replay, Qt.Key.Key_Right)
        check_against_reference(replay, anchors, events, revisions)
        steps += 1
    assert steps == len({e.moment for e in replay.replay.events}) - 1  # STARTEX is where Home put it
    assert "ENDEX" in replay.event_label.text()
    while replay.previous_button.isEnabled():
        qtbot.keyClick(replay, Qt.Key.Key_Left)
        check_against_reference(replay, anchors, events, revisions)
    assert replay.exercise_label.text() == "0:00:00"
    # Nothing was written by replaying: the records are exactly as they were.
    assert records(window, played["run"].id) == (anchors, events, revisions)


def test_the_scrubber_and_go_to_show_the_state_at_chosen_times(qtbot, window, opened) -> None:
    _page, replay, played = opened
    anchors, events, revisions = records(window, played["run"].id)
    for exercise_s in (0, 119, 120, 200, 300, 301, 500, 700, 1000):
        replay.scrubber.setValue(exercise_s)
        check_against_reference(replay, anchors, events, revisions)
    replay.scrubber.setValue(300)  # the clock stood at 300 through the pause: the end of the pause is shown
    assert replay.exercise_label.text() == "0:05:00"
    assert "Noted in the pause" in shown_log(replay)
    assert replay.status_label.text() == "Running ×2"  # the moment the pause ended (and x2 was chosen)
    replay.scrubber.setValue(299)
    assert "Noted in the pause" not in shown_log(replay)

    # The correction is not visible before it was made: the original wording shows.
    qtbot.keyClick(replay, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert replay.goto_edit.hasFocus()
    replay.goto_mode.setCurrentIndex(1)  # wall time
    before = played["corrected_at"] - timedelta(seconds=1)
    qtbot.keyClicks(replay.goto_edit, before.astimezone().strftime("%H:%M:%S"))
    qtbot.keyClick(replay.goto_edit, Qt.Key.Key_Return)
    assert replay.state.wall_time == before
    assert "Close the route at mile 20" in shown_log(replay) and "Close the route at mile 18" not in shown_log(replay)
    check_against_reference(replay, anchors, events, revisions)
    qtbot.keyClick(replay, Qt.Key.Key_End)
    assert "Close the route at mile 18" in shown_log(replay)
    assert replay.status_label.text().startswith("Ended")

    replay.goto_mode.setCurrentIndex(0)
    replay.goto_edit.setFocus()
    replay.goto_edit.clear()
    qtbot.keyClicks(replay.goto_edit, "0:02:00")
    qtbot.keyClick(replay.goto_edit, Qt.Key.Key_Return)
    assert replay.exercise_label.text() == "0:02:00"
    assert shown_queue(replay.queue_model)[0] == {played["injects"][0].id}
    replay.goto_edit.clear()
    qtbot.keyClicks(replay.goto_edit, "soon")
    qtbot.keyClick(replay.goto_edit, Qt.Key.Key_Return)
    assert "not a time" in replay.feedback.text()
    assert replay.exercise_label.text() == "0:02:00"


def test_play_moves_exercise_time_at_the_chosen_speed_and_stops_at_endex(qtbot, opened) -> None:
    _page, replay, _played = opened
    qtbot.keyClick(replay, Qt.Key.Key_Home)
    replay.speed_combo.setFocus()
    for _ in range(5):
        qtbot.keyClick(replay.speed_combo, Qt.Key.Key_Down)
    assert replay.speed == 60.0
    replay.setFocus()
    qtbot.keyClick(replay, Qt.Key.Key_Space)
    assert replay.playing and replay.play_button.toolTip() == "Pause (Space)"
    qtbot.waitUntil(lambda: replay.state.exercise_s >= 30, timeout=3000)  # real time, sixty-fold
    qtbot.keyClick(replay, Qt.Key.Key_Space)
    assert not replay.playing
    stopped = replay.state.exercise_s
    replay.set_speed(1.0)
    replay.advance(10)
    assert replay.state.exercise_s == pytest.approx(stopped + 10, abs=0.01)
    replay.set_speed(30.0)
    replay.play()
    replay.advance(3600)
    assert not replay.playing and replay.feedback.text() == "End of the run"
    assert replay.state.clock.status.value == "ended"


def test_the_presenter_replays_what_the_room_saw_under_a_replay_banner(qtbot, opened) -> None:
    _page, replay, played = opened
    qtbot.keyClick(replay, Qt.Key.Key_F, CTRL_SHIFT)
    presenter = replay.presenter
    assert presenter is not None and presenter.isVisible()
    assert "REPLAY" in presenter.visible_text()
    replay.scrubber.setValue(60)
    assert presenter.slide.title == "Stand by"
    replay.scrubber.setValue(130)
    first = played["injects"][0]
    assert presenter.slide.title == first.title and first.title in presenter.visible_text()
    assert "REPLAY OF A PAST RUN" in presenter.visible_text()
    qtbot.keyClick(replay, Qt.Key.Key_F, CTRL_SHIFT)
    assert not presenter.isVisible()


def test_bookmarks_are_added_listed_jumped_to_and_cited(qtbot, window, opened) -> None:
    _page, replay, played = opened
    assert replay.bookmark_empty.isVisible()
    replay.scrubber.setValue(125)
    qtbot.keyClick(replay, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = replay.bookmark_dialog
    assert dialog is not None and dialog.isVisible()
    line = dialog.findChild(type(replay.goto_edit))
    qtbot.keyClicks(line, "First inject out")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert replay.bookmark_list.count() == 1 and not replay.bookmark_empty.isVisible()
    assert "saved" in replay.feedback.text()
    marks = window.context.evaluation  # the bookmark is citable: an observation may cite it
    stored = ReplayService(window.context.document, window.context.time_source).bookmarks(played["run"].id)
    assert [m.citation for m in stored] == ["Replay 0:02:05 (Replay day) — First inject out"]
    observation = marks.add_observation(played["run"].id, objective_id=None, evaluator="E", rating=None,
                                        text="Fast", evidence=[Evidence(EvidenceKind.BOOKMARK, stored[0].id)])
    assert observation.evidence[0].target_id == stored[0].id

    qtbot.keyClick(replay, Qt.Key.Key_End)
    replay.bookmark_list.setFocus()
    replay.bookmark_list.setCurrentRow(0)
    qtbot.keyClick(replay.bookmark_list, Qt.Key.Key_Return)
    assert replay.exercise_label.text() == "0:02:05"
    assert "At bookmark" in replay.feedback.text()
    qtbot.mouseClick(replay.copy_citation_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == stored[0].citation

    qtbot.keyClick(replay, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    empty = replay.bookmark_dialog
    assert empty is not None
    qtbot.keyClick(empty.findChild(type(replay.goto_edit)), Qt.Key.Key_Return)
    assert replay.bookmark_list.count() == 1  # a bookmark without a label is refused with a message


def test_replay_is_offered_only_for_runs_that_were_started(qtbot, window, document_path) -> None:
    page = open_conduct(qtbot, window, document_path)
    window.context.runs.create_run("Not yet")
    page.refresh()
    assert not page.actions[RunAction.REPLAY].isEnabled()
    window.context.runs.start(page.run.id)
    page.refresh()
    assert page.actions[RunAction.REPLAY].isEnabled()


def test_times_people_type() -> None:
    assert parse_time("1:12:00") == (1, 12, 0)
    assert parse_time("19:12") == (19, 12, 0)
    assert parse_time(" 45 ") == (0, 45, 0)
    for bad in ("", "1:60", "1:00:61", "-1:00", "noon", "1:2:3:4"):
        assert parse_time(bad) is None


def test_events_list_reaches_every_record(qtbot, opened) -> None:
    _page, replay, _played = opened
    assert replay.events_list.count() == len(replay.replay.events)
    kinds = {e.kind.value for e in replay.replay.events}
    assert {"clock", "inject", "log", "correction"} <= kinds
    release = next(i for i, e in enumerate(replay.replay.events) if e.label.startswith("Released"))
    replay.events_list.setFocus()
    replay.events_list.setCurrentRow(release)
    qtbot.keyClick(replay.events_list, Qt.Key.Key_Return)
    assert replay.state.events_seen >= release + 1
    assert any(e.kind is InjectEventKind.RELEASED for e in replay.state.events)


def test_records_written_while_the_replay_is_open_appear_in_it(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    runs, log = window.context.runs, window.context.log
    run = runs.create_run("Still in play")
    injects = sorted(runs.frozen_scenario(run.id).injects, key=lambda i: (i.planned_offset_s, i.number))
    runs.start(run.id)
    time_source.advance(60)
    log.append(run.id, LogDraft(LogKind.DECISION, "Cordon set"), exercise_s=runs.clock(run.id).elapsed())
    page.refresh()
    page.open_run(run.id)
    press(qtbot, page, Qt.Key.Key_R, CTRL_SHIFT)
    replay = page.replays[0]
    qtbot.waitExposed(replay)
    records_before, end_before = replay.events_list.count(), replay.scrubber.maximum()

    time_source.advance(240)
    log.append(run.id, LogDraft(LogKind.DECISION, "Tram stop closed"), exercise_s=runs.clock(run.id).elapsed())
    runs.release(run.id, injects[0].id)
    qtbot.waitUntil(lambda: replay.events_list.count() == records_before + 2, timeout=5000)
    assert replay.scrubber.maximum() >= end_before + 200
    assert replay.tabs.tabText(replay.events_tab) == f"Records ({records_before + 2})"
    assert "Tram stop closed" not in shown_log(replay)  # it stays at the moment it showed
    replay.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is replay)
    qtbot.keyClick(replay, Qt.Key.Key_End)
    assert "Tram stop closed" in shown_log(replay)
    assert injects[0].id in shown_queue(replay.queue_model)[0]
    replay.close()

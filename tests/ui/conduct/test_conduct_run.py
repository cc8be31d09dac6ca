"""A run driven end to end through the conduct screen with the keyboard and mouse, on a fake clock."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ctpn_desktop.core.entities import ClockEventKind, InjectEventKind, RunStatus
from ctpn_desktop.core.timeline import InjectState

from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.conduct.presenter import SlideKind
from ctpn_desktop.ui.conduct.queue import DUE_COLOURS, OVERDUE_COLOURS, STATE
from ctpn_desktop.ui.workspaces.conduct import HALT_REASON

from tests.ui.conduct.helpers import dialog, new_run, open_conduct, press

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _by_due(page):
    return sorted(page.scenario.injects, key=lambda i: (i.planned_offset_s, i.number))


def test_a_run_end_to_end_records_every_action(qtbot, window, document_path, time_source, make_window) -> None:
    page = open_conduct(qtbot, window, document_path)
    assert page.runs_stack.currentWidget() is page.no_runs
    new_run(qtbot, page, "Day one")
    run_id = page.run.id
    runs = window.context.runs
    assert page.clock_panel.status_label.text() == "NOT STARTED"

    press(qtbot, page, Qt.Key.Key_F5)  # STARTEX
    assert runs.clock(run_id).status is RunStatus.RUNNING
    first, second, third = _by_due(page)[:3]
    time_source.advance(first.planned_offset_s + 5)
    page.tick()
    assert page.due_banner.isVisible() and f"#{first.number}" in page.due_banner.label.text()

    press(qtbot, page, Qt.Key.Key_R, CTRL)  # nothing selected: the first due inject goes
    assert page.presenter_slide.kind is SlideKind.INJECT and page.presenter_slide.title == first.title
    assert "saved" in page.feedback_label.text()

    page.select_inject(second.id)
    press(qtbot, page, Qt.Key.Key_K, CTRL)
    qtbot.keyClicks(dialog(page).reason_edit, "players already there")
    qtbot.keyClick(dialog(page).reason_edit, Qt.Key.Key_Return)

    page.select_inject(third.id)
    press(qtbot, page, Qt.Key.Key_E, CTRL)
    form = dialog(page)
    form.minutes_spin.selectAll()
    qtbot.keyClicks(form.minutes_spin, "10")
    qtbot.keyClick(form.minutes_spin, Qt.Key.Key_Return)
    elapsed_at_defer = runs.clock(run_id).elapsed()

    press(qtbot, page, Qt.Key.Key_A, CTRL_SHIFT)
    form = dialog(page)
    qtbot.keyClicks(form.title_edit, "Journalist at the cordon")
    qtbot.keyClicks(form.content_edit, "A reporter asks for the casualty figures.")
    qtbot.keyClick(form.title_edit, Qt.Key.Key_Return)
    assert page.presenter_slide.title == "Journalist at the cordon"

    press(qtbot, page, Qt.Key.Key_P, CTRL_SHIFT)  # next phase
    phases = sorted(page.scenario.phases, key=lambda p: p.start_offset_s)
    assert page.presenter_slide.kind is SlideKind.PHASE and page.presenter_slide.title == phases[1].name
    assert runs.clock(run_id).elapsed() == pytest.approx(phases[1].start_offset_s)

    press(qtbot, page, Qt.Key.Key_F6)  # pause
    time_source.advance(300)
    press(qtbot, page, Qt.Key.Key_F7)  # resume
    time_source.advance(60)
    page.actions[RunAction.END].trigger()
    qtbot.keyClicks(dialog(page).reason_edit, "objectives met")
    qtbot.keyClick(dialog(page).reason_edit, Qt.Key.Key_Return)
    assert page.clock_panel.status_label.text() == "ENDEX"
    assert not page.actions[RunAction.RELEASE].isEnabled()

    events = runs.events(run_id)
    adhoc = runs.adhoc_injects(run_id)[0]
    assert [(e.kind, e.inject_id) for e in events] == [
        (InjectEventKind.PHASE_STARTED, phases[0].id),
        (InjectEventKind.RELEASED, first.id),
        (InjectEventKind.SKIPPED, second.id),
        (InjectEventKind.DEFERRED, third.id),
        (InjectEventKind.RELEASED, adhoc.id),
        (InjectEventKind.PHASE_STARTED, phases[1].id),
    ]
    assert events[1].exercise_s == pytest.approx(first.planned_offset_s + 5)
    assert events[1].scenario_time is not None and events[1].wall_time is not None
    assert events[2].note == "players already there"
    assert events[3].new_offset_s == int(elapsed_at_defer + 600)
    assert adhoc.title == "Journalist at the cordon" and adhoc.number == 1
    kinds = [(a.kind, a.reason) for a in runs.clock(run_id).anchors]
    assert [k for k, _ in kinds] == [ClockEventKind.START, ClockEventKind.ADJUST, ClockEventKind.PAUSE,
                                     ClockEventKind.RESUME, ClockEventKind.END]
    assert kinds[-1][1] == "objectives met"
    history = [page.events_tree.topLevelItem(i).text(3) for i in range(page.events_tree.topLevelItemCount())]
    assert "Skipped" in history and "Clock: end" in history

    # Reopened in another window, as after a crash: the same run, the same clock, the same queue.
    ended_at = runs.clock(run_id).elapsed()
    window.close()
    again = make_window()
    page = open_conduct(qtbot, again, document_path)
    assert page.run.id == run_id
    assert page.context.runs.clock(run_id).elapsed() == pytest.approx(ended_at)
    assert page.queue_model.state(page.queue_model.row_of(first.id)) is InjectState.RELEASED


def test_the_clock_label_is_read_from_the_clock_not_counted_from_ticks(qtbot, window, document_path,
                                                                        time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Clock")
    page.timer.stop()  # no ticks at all while time passes
    press(qtbot, page, Qt.Key.Key_F5)
    time_source.advance(3725)
    page.tick()
    assert page.clock_panel.elapsed_label.text() == "1:02:05"

    page.clock_panel.compression_combo.setCurrentIndex(3)
    page.clock_panel.compression_combo.activated.emit(3)  # ×10
    assert page.context.runs.clock(page.run.id).compression == 10.0
    time_source.advance(60)
    page.tick()
    assert page.clock_panel.elapsed_label.text() == "1:12:05"
    assert page.clock_panel.status_label.text() == "RUNNING ×10"


def test_jump_to_next_inject_and_manual_adjustment_with_reason(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Jumps")
    press(qtbot, page, Qt.Key.Key_F5)
    first = _by_due(page)[0]
    press(qtbot, page, Qt.Key.Key_J, CTRL_SHIFT)
    clock = page.context.runs.clock(page.run.id)
    assert clock.elapsed() == pytest.approx(first.planned_offset_s)
    assert clock.last_anchor.reason == f"Jump to inject {first.number}"

    page.actions[RunAction.ADJUST].trigger()
    form = dialog(page)
    form.time_edit.selectAll()
    qtbot.keyClicks(form.time_edit, "0:30")
    qtbot.keyClick(form.time_edit, Qt.Key.Key_Return)
    assert form.error_label.isVisible() and "reason" in form.error_label.text()
    form.time_edit.selectAll()
    qtbot.keyClicks(form.time_edit, "half past")
    qtbot.keyClicks(form.reason_edit, "catch up with the room")
    qtbot.keyClick(form.time_edit, Qt.Key.Key_Return)
    assert "not an exercise time" in form.error_label.text()
    form.time_edit.selectAll()
    qtbot.keyClicks(form.time_edit, "0:30")
    qtbot.keyClick(form.time_edit, Qt.Key.Key_Return)
    assert clock.elapsed() == pytest.approx(1800)
    assert (clock.last_anchor.kind, clock.last_anchor.reason) == (ClockEventKind.ADJUST, "catch up with the room")


def test_due_injects_are_impossible_to_miss(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Cue")
    press(qtbot, page, Qt.Key.Key_F5)
    first = _by_due(page)[0]
    time_source.advance(first.planned_offset_s - 10)
    page.tick()
    assert not page.due_banner.isVisible()
    cues = page.cues
    time_source.advance(10)
    page.tick()
    assert page.cues == cues + 1
    assert page.due_banner.isVisible() and page.due_banner.label.text().startswith("DUE NOW")
    row = page.queue_proxy.mapFromSource(page.queue_model.index(page.queue_model.row_of(first.id), STATE))
    assert row.data() == "Due"
    assert row.data(Qt.ItemDataRole.BackgroundRole).color() in DUE_COLOURS
    time_source.advance(200)
    page.tick()
    assert page.due_banner.label.text().startswith("OVERDUE")
    assert row.data(Qt.ItemDataRole.BackgroundRole).color() in OVERDUE_COLOURS
    assert page.cues == cues + 1  # the same inject is not announced twice

    press(qtbot, page, Qt.Key.Key_R, CTRL)
    page.tick()
    assert not page.due_banner.isVisible()


def test_release_early_of_a_selected_pending_inject(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Early")
    press(qtbot, page, Qt.Key.Key_F5)
    later = _by_due(page)[5]
    page.select_inject(later.id)
    assert page.actions[RunAction.RELEASE].text() == "&Release Early"
    press(qtbot, page, Qt.Key.Key_R, CTRL)
    event = page.context.runs.events(page.run.id)[-1]
    assert (event.kind, event.inject_id, event.note) == (InjectEventKind.RELEASED, later.id, "released early")


def test_retime_an_inject(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Retime")
    press(qtbot, page, Qt.Key.Key_F5)
    target = _by_due(page)[2]
    page.select_inject(target.id)
    press(qtbot, page, Qt.Key.Key_T, CTRL_SHIFT)
    form = dialog(page)
    form.time_edit.selectAll()
    qtbot.keyClicks(form.time_edit, "1:05:00")
    qtbot.keyClick(form.time_edit, Qt.Key.Key_Return)
    event = page.context.runs.events(page.run.id)[-1]
    assert (event.kind, event.new_offset_s) == (InjectEventKind.RETIMED, 3900)
    assert page.timeline.row(target.id, 0).due_s == 3900


def test_emergency_halt_at_once_and_resumption_with_a_reason(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Halt")
    press(qtbot, page, Qt.Key.Key_F5)
    time_source.advance(120)
    page.actions[RunAction.PRESENTER].setChecked(True)
    qtbot.mouseClick(page.clock_panel.halt_button, Qt.MouseButton.LeftButton)
    runs = page.context.runs
    clock = runs.clock(page.run.id)
    assert clock.status is RunStatus.HALTED
    assert (clock.last_anchor.kind, clock.last_anchor.reason) == (ClockEventKind.HALT, HALT_REASON)
    assert page.presenter.slide.kind is SlideKind.HALT and "HALTED" in page.presenter.visible_text()
    assert page.halt_notice.isVisible()
    assert not page.actions[RunAction.RELEASE].isEnabled()
    time_source.advance(600)
    page.tick()
    assert page.clock_panel.elapsed_label.text() == "0:02:00"
    press(qtbot, page, Qt.Key.Key_B, CTRL)  # stand-by does not cover the halt screen
    assert page.presenter.slide.kind is SlideKind.HALT

    press(qtbot, page, Qt.Key.Key_F7)
    form = dialog(page)
    qtbot.keyClick(form.reason_edit, Qt.Key.Key_Return)
    assert form.isVisible() and form.error_label.text() == "A reason is needed."
    assert clock.status is RunStatus.HALTED
    qtbot.keyClicks(form.reason_edit, "Casualty handed to paramedics")
    qtbot.keyClick(form.reason_edit, Qt.Key.Key_Return)
    assert clock.status is RunStatus.RUNNING
    assert (clock.last_anchor.kind, clock.last_anchor.reason) == (ClockEventKind.RESUME,
                                                                   "Casualty handed to paramedics")
    assert page.presenter.slide.kind is SlideKind.STAND_BY
    assert not page.halt_notice.isVisible()


def test_the_halt_shortcut_works_from_another_workspace(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Anywhere")
    press(qtbot, page, Qt.Key.Key_F5)
    window.show_page(1)  # the scenario editor
    qtbot.keyClick(window.scenario_page, Qt.Key.Key_H, CTRL_SHIFT)
    assert page.context.runs.clock(page.run.id).status is RunStatus.HALTED


def test_rehearsals_can_be_discarded_after_confirmation_real_runs_cannot(qtbot, window, document_path) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Real one")
    assert not page.actions[RunAction.DISCARD].isEnabled()
    new_run(qtbot, page, "Practice", rehearsal=True)
    assert page.actions[RunAction.DISCARD].isEnabled()
    page.actions[RunAction.DISCARD].trigger()
    box = dialog(page)
    assert isinstance(box, QMessageBox)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert len(page.context.runs.list_runs()) == 2
    page.actions[RunAction.DISCARD].trigger()
    box = dialog(page)
    discard = next(b for b in box.buttons() if b.text() == "Discard Rehearsal")
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert [r.label for r in page.context.runs.list_runs()] == ["Real one"]
    assert page.runs_tree.topLevelItemCount() == 1
    page.ask_discard()  # even when asked directly, a real run is refused
    assert [r.label for r in page.context.runs.list_runs()] == ["Real one"]


def test_reopening_an_earlier_run_from_the_list(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "First")
    press(qtbot, page, Qt.Key.Key_F5)
    time_source.advance(90)
    new_run(qtbot, page, "Second")
    assert page.clock_panel.status_label.text() == "NOT STARTED"
    first_item = page.runs_tree.topLevelItem(0)
    rect = page.runs_tree.visualItemRect(first_item)
    qtbot.mouseClick(page.runs_tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.run.label == "First"
    page.tick()
    assert page.clock_panel.elapsed_label.text() == "0:01:30"

"""Pages that follow the document: what one page (or another station) commits shows on every other page at once,
as a new user would try it on the demo document."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.demo import make_demo_document
from ctpn_desktop.core.entities import LogKind, RunStatus
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from ctpn_desktop.ui.conduct.presenter import SlideKind
from ctpn_desktop.ui.main_window import CONDUCT, MainWindow
from ctpn_desktop.ui.models import log as log_columns

from tests.ui.conduct.helpers import new_run, press

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    return make_demo_document(tmp_path / "demo.ctpn")


def _settle(qtbot, window: MainWindow) -> None:
    """Let the change notification reach every page (it is delivered at the next turn of the event loop)."""
    assert window.context is not None
    qtbot.waitUntil(lambda: window.context is not None and window.context.live._pending is None)
    QApplication.processEvents()


def _stored(path: Path) -> list[tuple[str, str, float]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute("SELECT run_id, text, exercise_s FROM log_record ORDER BY rowid"))


def _type_entry(qtbot, window: MainWindow, text: str) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)  # Ctrl+L from any page puts the cursor in the entry bar
    entry = window.decision_log_page.quick_entry.form.text
    qtbot.waitUntil(entry.hasFocus)
    qtbot.keyClicks(entry, text)
    qtbot.keyClick(entry, Qt.Key.Key_Return)


def _ended_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == "endedRunBox"]


def test_a_new_run_started_on_the_conduct_page_is_where_the_next_entry_goes(qtbot, window: MainWindow,
                                                                            demo_path: Path,
                                                                            time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    log_page = window.decision_log_page
    rehearsal = log_page.run_id
    assert rehearsal is not None
    window.show_page(CONDUCT)
    conduct = window.conduct_page
    new_run(qtbot, conduct, "Day one")
    press(qtbot, conduct, Qt.Key.Key_F5)  # STARTEX
    live = conduct.run
    assert live is not None and live.id != rehearsal
    _settle(qtbot, window)
    assert log_page.run_id == live.id  # before the page was even shown
    assert not log_page.follow_notice.isVisible()

    time_source.advance(125)
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    _type_entry(qtbot, window, "Gold opens the strategic coordinating group")
    assert not _ended_boxes()
    run_id, text, exercise_s = _stored(demo_path)[-1]
    assert (run_id, text) == (live.id, "Gold opens the strategic coordinating group")
    assert exercise_s == pytest.approx(125, abs=1)
    assert log_page.model.rowCount() == 1


def test_a_run_chosen_on_purpose_stays_shown_and_the_page_says_so(qtbot, window: MainWindow, demo_path: Path) -> None:
    assert window.open_path(demo_path)
    page = window.decision_log_page
    rehearsal = page.run_id
    context = window.context
    assert context is not None and rehearsal is not None
    run = context.runs.create_run("Day one")
    _settle(qtbot, window)
    window.show_page(3)
    page.run_combo.setFocus()
    index = page.run_combo.findData(rehearsal)
    page.run_combo.setCurrentIndex(index)
    page.run_combo.activated.emit(index)  # the user picks the rehearsal from the list

    context.runs.start(run.id)
    _settle(qtbot, window)
    assert page.run_id == rehearsal
    assert page.follow_notice.isVisible()
    assert "Run 2" in page.follow_text.text() and "live run" in page.follow_text.text()

    qtbot.mouseClick(page.follow_button, Qt.MouseButton.LeftButton)
    assert page.run_id == run.id
    assert not page.follow_notice.isVisible()


def test_logging_into_an_ended_run_asks_first_and_loses_nothing(qtbot, window: MainWindow, demo_path: Path) -> None:
    assert window.open_path(demo_path)
    page = window.decision_log_page
    context = window.context
    assert context is not None and page.run_id is not None
    assert context.runs.run(page.run_id).status is RunStatus.ENDED
    before = len(_stored(demo_path))
    window.show_page(3)

    _type_entry(qtbot, window, "Late note from the hot wash")
    qtbot.waitUntil(lambda: bool(_ended_boxes()))
    box = _ended_boxes()[0]
    assert "has ended" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not _ended_boxes())
    assert len(_stored(demo_path)) == before
    assert page.quick_entry.form.text.toPlainText() == "Late note from the hot wash"
    assert "Not saved" in page.quick_entry.status.text()

    qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_ended_boxes()))
    box = _ended_boxes()[0]
    agree = next(b for b in box.buttons() if b.text().startswith("Log into"))
    qtbot.mouseClick(agree, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(_stored(demo_path)) == before + 1)
    assert _stored(demo_path)[-1][1] == "Late note from the hot wash"

    _type_entry(qtbot, window, "A second late note")  # asked once per run
    assert not _ended_boxes()
    assert len(_stored(demo_path)) == before + 2


def test_the_linked_inject_default_follows_the_latest_release(qtbot, window: MainWindow, demo_path: Path,
                                                             time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    context = window.context
    assert context is not None
    run = context.runs.create_run("Day one")
    context.runs.start(run.id)
    injects = sorted(context.runs.frozen_scenario(run.id).injects, key=lambda i: i.planned_offset_s)
    _settle(qtbot, window)
    form = window.decision_log_page.quick_entry.form
    assert form.inject.currentData() is None
    time_source.advance(60)
    context.runs.release(run.id, injects[0].id)
    _settle(qtbot, window)
    assert form.inject.currentData() == injects[0].id
    adhoc, _event = context.runs.add_adhoc(run.id, "Bus driver reports a second suspect")
    _settle(qtbot, window)
    assert form.inject.currentData() == adhoc.id
    assert form.inject.findData(adhoc.id) >= 0


def test_entries_written_elsewhere_appear_without_reading_the_whole_log(qtbot, window: MainWindow, demo_path: Path,
                                                                       time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    page = window.decision_log_page
    context = window.context
    assert context is not None and page.run_id is not None
    shown = page.model.rowCount()
    resets: list[int] = []
    page.model.modelReset.connect(lambda: resets.append(1))
    other = LogService(context.document, "evaluator-laptop", time_source)
    entry = other.append(page.run_id, LogDraft(LogKind.INFORMATION, "Written on another laptop"), exercise_s=30)
    _settle(qtbot, window)
    assert page.model.rowCount() == shown + 1
    assert page.model.row_of(entry.entry_id) is not None
    assert resets == []

    page.select_entry(entry.entry_id)
    other.correct(entry.entry_id, LogDraft(LogKind.INFORMATION, "Written on another laptop, corrected"), "typo")
    _settle(qtbot, window)
    assert page.model.rowCount() == shown + 1
    row = page.model.row_of(entry.entry_id)
    assert row is not None and page.model.entry_at(row).revision == 2
    assert page.detail.entry is not None and page.detail.entry.current.revision == 2  # the detail pane too
    assert resets == []


def test_the_logged_column_sorts_and_shows_the_full_date_and_time(qtbot, window: MainWindow, demo_path: Path,
                                                                 time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    page = window.decision_log_page
    context = window.context
    assert context is not None and page.run_id is not None
    demo_first = page.model.entry_at(0)
    # An entry logged today, a year before the demo's rehearsal date, at a later hour of the day.
    today = FakeTimeSource(wall=datetime(2026, 12, 3, 23, 50, tzinfo=UTC))
    late = LogService(context.document, "another-laptop", today).append(
        page.run_id, LogDraft(LogKind.DECISION, "Logged a year earlier, late at night"), exercise_s=10)
    _settle(qtbot, window)
    window.show_page(3)
    header = page.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_centre(header, log_columns.LOGGED))
    order = page.model.sort_order
    assert order[0] == log_columns.LOGGED
    rows = [page.model.entry_at(r) for r in range(page.model.rowCount())]
    times = [datetime.fromisoformat(r.logged_at) for r in rows]
    assert times == sorted(times, reverse=order[1] == Qt.SortOrder.DescendingOrder)
    first_or_last = rows[0] if order[1] == Qt.SortOrder.AscendingOrder else rows[-1]
    assert first_or_last.entry_id == late.entry_id  # by date first: 2026 before 2027, whatever the hour
    cell = page.model.index(page.model.row_of(late.entry_id) or 0, log_columns.LOGGED).data()
    local = datetime(2026, 12, 3, 23, 50, tzinfo=UTC).astimezone()
    assert local.strftime("%d %b") in cell and local.strftime("%H:%M:%S") in cell
    assert datetime.fromisoformat(demo_first.logged_at).astimezone().strftime("%d %b") in page.model.index(
        page.model.row_of(demo_first.entry_id) or 0, log_columns.LOGGED).data()


def _section_centre(header, section: int):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


def test_the_debrief_page_counts_follow_new_runs_and_entries(qtbot, window: MainWindow, demo_path: Path,
                                                            time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    debrief = window.debrief_page
    context = window.context
    assert context is not None
    assert debrief.figures["runs"].value.text() == "1"
    entries = int(debrief.figures["log_entries"].value.text())
    run = context.runs.create_run("Day one")
    context.runs.start(run.id)
    context.log.append(run.id, LogDraft(LogKind.DECISION, "Evacuate the market square"), exercise_s=5)
    _settle(qtbot, window)
    qtbot.waitUntil(lambda: debrief.figures["runs"].value.text() == "2")
    assert debrief.figures["log_entries"].value.text() == str(entries + 1)
    counts = {debrief.runs_tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole):
              debrief.runs_tree.topLevelItem(i).text(4) for i in range(debrief.runs_tree.topLevelItemCount())}
    assert counts[run.id] == "1"


def test_the_conduct_page_and_presenter_follow_a_clock_driven_elsewhere(qtbot, window: MainWindow, demo_path: Path,
                                                                       time_source: FakeTimeSource) -> None:
    assert window.open_path(demo_path)
    context = window.context
    assert context is not None
    elsewhere = RunService(context.document, time_source)  # another station's service on the same exercise
    run = elsewhere.create_run("Day one")
    _settle(qtbot, window)
    conduct = window.conduct_page
    assert conduct.runs_tree.topLevelItemCount() == 2  # listed at once; the run shown stays until it goes live
    elsewhere.start(run.id)
    _settle(qtbot, window)
    assert conduct.run is not None and conduct.run.id == run.id
    time_source.advance(90)
    elsewhere.halt(run.id, "Real fire alarm in the venue")
    _settle(qtbot, window)
    assert conduct.clock_panel.status_label.text().startswith("HALTED")
    assert conduct.presenter_slide.kind is SlideKind.HALT
    assert not conduct.halt_notice.isHidden()
    elsewhere.resume(run.id, "False alarm, venue cleared")
    _settle(qtbot, window)
    assert conduct.presenter_slide.kind is SlideKind.STAND_BY
    phase, _event = elsewhere.advance_phase(run.id)
    _settle(qtbot, window)
    assert conduct.presenter_slide.kind is SlideKind.PHASE and conduct.presenter_slide.title == phase.name
    injects = sorted(elsewhere.frozen_scenario(run.id).injects, key=lambda i: i.planned_offset_s)
    elsewhere.release(run.id, injects[0].id)
    _settle(qtbot, window)
    assert injects[0].id in {e.inject_id for e in conduct.events}
    assert any(mark.inject_id == injects[0].id and mark.released_s is not None
               for lane in conduct.timeline_view._lanes for mark in lane.marks)


def test_a_remote_scenario_change_is_shown_in_the_editor_and_the_title(qtbot, window: MainWindow,
                                                                       demo_path: Path) -> None:
    assert window.open_path(demo_path)
    context = window.context
    assert context is not None
    scenario = context.scenario.load()
    from dataclasses import replace

    context.scenario.put_exercise(replace(scenario.exercise, title="Exercise WINTER LANTERN II"))
    # As the shared-room listener reports a change committed by another station:
    context.document.changes.publish(Changes(frozenset({Topic.SCENARIO}), remote=True))
    _settle(qtbot, window)
    assert window.scenario_page.scenario is not None
    assert window.scenario_page.scenario.exercise.title == "Exercise WINTER LANTERN II"
    assert window.windowTitle().startswith("Exercise WINTER LANTERN II")
    assert "another station" in window.scenario_page.save_state.text()


def test_a_second_day_of_entries_makes_the_logged_column_wider(qtbot, window: MainWindow, demo_path: Path) -> None:
    assert window.open_path(demo_path)
    page = window.decision_log_page
    context = window.context
    assert context is not None and page.run_id is not None
    narrow = page.table.columnWidth(log_columns.LOGGED)
    source = FakeTimeSource(wall=datetime.fromisoformat(page.model.entry_at(0).logged_at) + timedelta(days=1))
    LogService(context.document, "day-two", source).append(page.run_id, LogDraft(LogKind.ACTION, "Day two"),
                                                          exercise_s=1)
    _settle(qtbot, window)
    assert page.model.dated
    assert page.table.columnWidth(log_columns.LOGGED) > narrow

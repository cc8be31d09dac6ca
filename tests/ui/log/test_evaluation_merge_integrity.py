"""Observations, hot wash and improvement plan by keyboard; merging two copies twice; the integrity check finds
a file edited behind the application's back; CSV export."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import CapabilityElement, HotwashKind, LogKind, Rating
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.main_window import DECISION_LOG
from ctpn_desktop.ui.workspaces.decision_log import HOTWASH_TAB, IMPROVEMENTS_TAB, OBSERVATIONS_TAB

from tests.factories import library_document
from tests.ui.conftest import LIBRARY
from tests.ui.log.conftest import LiveRun, ScriptedLogFiles, message_boxes

CTRL = Qt.KeyboardModifier.ControlModifier


def test_observations_are_recorded_with_the_keyboard(qtbot, live: LiveRun) -> None:
    page = live.page
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    assert live.window.navigation.currentRow() == DECISION_LOG and page.tabs.currentIndex() == OBSERVATIONS_TAB
    pane = page.observations
    pane.objective.setFocus()
    qtbot.keyClicks(pane.objective, "O2")  # combo keyboard search by the start of the item
    assert pane.objective.currentData() == live.objective("O2")
    qtbot.keyClick(pane.objective, Qt.Key.Key_Tab)
    qtbot.keyClicks(pane.rating, "S")
    qtbot.keyClick(pane.rating, Qt.Key.Key_Tab)
    qtbot.keyClicks(pane.evaluator, "R. Okafor")
    qtbot.keyClick(pane.evaluator, Qt.Key.Key_Tab)
    qtbot.keyClicks(pane.text, "Counter-drone team briefed late")
    qtbot.keyClick(pane.text, Qt.Key.Key_Tab)
    qtbot.keyClicks(pane.strengths, "Clear command structure")
    qtbot.keyClick(pane.strengths, Qt.Key.Key_Tab)
    qtbot.keyClicks(pane.improvements, "Brief the counter-drone team first")
    qtbot.keyClick(pane.improvements, Qt.Key.Key_Return)

    [observation] = live.window.context.evaluation.observations(live.run_id)
    assert observation.objective_id == live.objective("O2") and observation.rating is Rating.S
    assert (observation.evaluator, observation.text, observation.strengths, observation.improvements) == (
        "R. Okafor", "Counter-drone team briefed late", "Clear command structure",
        "Brief the counter-drone team first")
    shown = pane.view.toPlainText()
    assert "S – Performed with some challenges" in shown and "Counter-drone team briefed late" in shown
    assert "not yet rated: O1, O3, O4, O5, O6" in shown
    assert pane.text.toPlainText() == "" and "added" in pane.status.text()

    qtbot.keyClick(pane.text, Qt.Key.Key_Return)  # nothing typed: refused with the reason, nothing added
    assert "needs some text" in pane.status.text()
    assert len(live.window.context.evaluation.observations(live.run_id)) == 1


def test_hot_wash_and_improvement_plan(qtbot, live: LiveRun) -> None:
    page = live.page
    page.action(ActionId.LOG_HOTWASH).trigger()
    assert page.tabs.currentIndex() == HOTWASH_TAB
    hotwash = page.hotwash
    hotwash.kind.setFocus()
    qtbot.keyClicks(hotwash.kind, "L")  # Lesson identified
    hotwash.text.setFocus()
    qtbot.keyClicks(hotwash.text, "Agree who logs joint decisions")
    qtbot.keyClick(hotwash.text, Qt.Key.Key_Return)
    [note] = live.window.context.evaluation.hotwash_notes(live.run_id)
    assert note.kind is HotwashKind.LESSON and note.text == "Agree who logs joint decisions"
    assert "Agree who logs joint decisions" in hotwash.view.toPlainText()

    page.action(ActionId.LOG_IMPROVEMENTS).trigger()
    assert page.tabs.currentIndex() == IMPROVEMENTS_TAB
    plan = page.improvements
    plan.issue.setFocus()
    qtbot.keyClicks(plan.issue, "Counter-drone briefing came late")
    qtbot.keyClick(plan.issue, Qt.Key.Key_Tab)
    qtbot.keyClicks(plan.action, "Add the counter-drone adviser to the first joint briefing")
    qtbot.keyClick(plan.action, Qt.Key.Key_Tab)
    qtbot.keyClicks(plan.element, "T")  # Training
    qtbot.keyClick(plan.element, Qt.Key.Key_Tab)
    qtbot.keyClicks(plan.owner, "Police")
    qtbot.keyClick(plan.owner, Qt.Key.Key_Escape)  # close the suggestions
    plan.due.setDate(QDate(2025, 6, 30))
    plan.objective.setCurrentIndex(plan.objective.findData(live.objective("O1")))
    plan.contact.setFocus()
    qtbot.keyClicks(plan.contact, "Event planning lead")
    qtbot.keyClick(plan.contact, Qt.Key.Key_Return)
    [action] = live.window.context.evaluation.improvement_actions(live.run_id)
    assert (action.issue, action.action, action.capability_element, action.owner_organisation, action.contact,
            action.due_date, action.objective_id) == (
        "Counter-drone briefing came late", "Add the counter-drone adviser to the first joint briefing",
        CapabilityElement.TRAINING, "Police", "Event planning lead", date(2025, 6, 30), live.objective("O1"))
    shown = plan.view.toPlainText()
    assert "Add the counter-drone adviser" in shown and "30 Jun 2025" in shown and "Training" in shown


def _other_laptop(live: LiveRun, tmp_path: Path) -> Path:
    """A copy of the open document, taken to a second laptop which logs and observes on its own."""
    copy = live.window.context.document.save_copy(tmp_path / "laptop-b.ctpn")
    source = FakeTimeSource(live.source.wall())
    with open_document(copy) as other:
        log = LogService(other, "laptop-b", source)
        for index, text in enumerate(("Fire sector commander in place", "بيان صحفي مشترك 📣")):
            source.advance(20)
            log.append(live.run_id, LogDraft(kind=LogKind.INFORMATION, text=text, organisation="Fire"),
                       exercise_s=800 + index)
        EvaluationService(other, source, "laptop-b").add_observation(
            live.run_id, objective_id=live.objective("O1"), evaluator="B", rating=Rating.P, text="Quick start")
    return copy


def test_merging_two_copies_twice_adds_once(qtbot, live: LiveRun, log_files: ScriptedLogFiles, tmp_path: Path) -> None:
    page, context = live.page, live.window.context
    page.focus_quick_entry()
    qtbot.keyClicks(page.quick_entry.form.text, "Police logged on laptop A")
    qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    other = _other_laptop(live, tmp_path)

    log_files.merge_answers.append(other)
    page.action(ActionId.LOG_MERGE).trigger()
    [box] = message_boxes()
    assert box.windowTitle() == "Logs merged" and "2 new log entries" in box.text()
    box.close()
    assert page.model.rowCount() == 3
    assert "بيان صحفي مشترك 📣" in [page.model.entry_at(r).text for r in range(3)]
    assert len(context.evaluation.observations(live.run_id)) == 1
    assert "Quick start" in page.observations.view.toPlainText()

    log_files.merge_answers.append(other)
    page.action(ActionId.LOG_MERGE).trigger()
    [box] = message_boxes()
    assert box.windowTitle() == "Nothing new to merge" and "Nothing new" in box.text()
    box.close()
    assert page.model.rowCount() == 3 and len(context.log.entries(live.run_id)) == 3
    assert context.log.verify().ok and context.log.verify().chains == 2


def test_refused_merges_say_why_and_change_nothing(qtbot, live: LiveRun, log_files: ScriptedLogFiles,
                                                   tmp_path: Path) -> None:
    page, context = live.page, live.window.context
    other = _other_laptop(live, tmp_path)
    with sqlite3.connect(other) as connection:  # someone edits the other copy's log by hand
        connection.execute("UPDATE log_record SET text = 'Nobody in place' WHERE text LIKE 'Fire sector%'")
    connection.close()
    (tmp_path / "elsewhere").mkdir()
    foreign = library_document(tmp_path / "elsewhere", LIBRARY.joinpath("metro-chemical-release.json").name)
    foreign.close()
    truncated = tmp_path / "truncated.ctpn"
    truncated.write_bytes(other.read_bytes()[:4096])
    for path, reason in ((other, "fails the integrity check"), (foreign.path, "another exercise"),
                         (truncated, "truncated")):
        log_files.merge_answers.append(path)
        page.action(ActionId.LOG_MERGE).trigger()
        [box] = message_boxes()
        assert box.windowTitle() == "Merge refused"
        assert reason in box.informativeText() or reason in box.text()
        box.close()
        assert context.log.entries(live.run_id) == [] and context.evaluation.observations(live.run_id) == []
    log_files.merge_answers.append(None)  # cancelled: nothing asked, nothing done
    page.action(ActionId.LOG_MERGE).trigger()
    assert message_boxes() == []


def test_the_integrity_check_names_the_entry_edited_behind_the_applications_back(qtbot, live: LiveRun) -> None:
    page = live.page
    page.focus_quick_entry()
    for text in ("First decision", "Second decision", "Third decision"):
        qtbot.keyClicks(page.quick_entry.form.text, text)
        qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    page.action(ActionId.LOG_VERIFY).trigger()
    [box] = message_boxes()
    assert box.windowTitle() == "Log integrity" and "intact" in box.text()
    box.close()
    assert "Log intact: 3 records" in page.integrity_label.text()

    with sqlite3.connect(live.path) as connection:  # plain sqlite3, while the application has the file open
        connection.execute("UPDATE log_record SET text = 'No decision' WHERE text = 'Second decision'")
    connection.close()
    page.action(ActionId.LOG_VERIFY).trigger()
    [box] = message_boxes()
    assert box.windowTitle() == "Log integrity check failed"
    assert "The first entry that does not match is entry 2" in box.text()
    assert "changed after it was written" in box.informativeText()
    box.close()
    assert "FAILED at entry 2" in page.integrity_label.text()


def test_the_log_is_exported_as_csv(qtbot, live: LiveRun, log_files: ScriptedLogFiles, tmp_path: Path) -> None:
    page = live.page
    page.focus_quick_entry()
    qtbot.keyClicks(page.quick_entry.form.text, "=HYPERLINK(\"http://x\") cordon")
    qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    target = tmp_path / "log.csv"
    log_files.csv_answers.append(target)
    page.action(ActionId.LOG_EXPORT_CSV).trigger()
    [box] = message_boxes()
    assert "1 rows written" in box.text()
    box.close()
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Text"] == "'=HYPERLINK(\"http://x\") cordon"  # formula-safe
    assert rows[0]["Entry no."] == "1"

"""Editing, withdrawing and evidencing evaluation notes through the real widgets, by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ctpn_desktop.core.entities import EvidenceKind, HotwashKind, Rating

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.workspaces.decision_log import LOG_TAB

from tests.ui.log.conftest import LiveRun


def _log(qtbot, live: LiveRun, *texts: str) -> None:
    page = live.page
    page.focus_quick_entry()
    for text in texts:
        qtbot.keyClicks(page.quick_entry.form.text, text)
        qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)


def _choose(qtbot, pane, row: int) -> None:
    """Pick the row-th note in the Edit list with the arrow keys (row 0 is "new")."""
    pane.choose.setFocus()
    for _ in range(row - pane.choose.currentIndex()):
        qtbot.keyClick(pane.choose, Qt.Key.Key_Down)


def test_an_observation_cites_log_entries_edits_with_a_reason_and_keeps_its_history(qtbot, live: LiveRun) -> None:
    _log(qtbot, live, "Cordon set at Castle Street", "RVP moved to the multi-storey")
    page, evaluation = live.page, live.window.context.evaluation
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    pane = page.observations
    assert not pane.reason.isVisible() and not pane.withdraw_button.isVisible()
    pane.objective.setFocus()
    qtbot.keyClicks(pane.objective, "O1")
    qtbot.keyClicks(pane.rating, "S")
    pane.evaluator.setFocus()
    qtbot.keyClicks(pane.evaluator, "R. Okafor")
    pane.text.setFocus()
    qtbot.keyClicks(pane.text, "Cordon quick, RVP late")
    pane.evidence.search.setFocus()
    qtbot.keyClicks(pane.evidence.search, "cordon castle")
    qtbot.keyClick(pane.evidence.search, Qt.Key.Key_Return)
    qtbot.keyClicks(pane.evidence.search, "inject 2")
    qtbot.keyClick(pane.evidence.search, Qt.Key.Key_Return)
    assert pane.evidence.chosen.item(0).text().startswith("Entry 1 · ")
    assert pane.evidence.chosen.count() == 2 and pane.evidence.search.text() == ""
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    [observation] = evaluation.observations(live.run_id)
    entries = live.window.context.log.entries(live.run_id)
    assert [(e.kind, e.target_id) for e in observation.evidence] == [
        (EvidenceKind.LOG_ENTRY, entries[0].entry_id), (EvidenceKind.INJECT, live.inject(2))]
    assert "Evidence:" in pane.view.toPlainText() and "Cordon set at Castle Street" in pane.view.toPlainText()

    # the log entry says which observation cites it
    page.show_tab(LOG_TAB)
    page.select_entry(entries[0].entry_id)
    shown = page.detail.browser.toPlainText()
    assert "Cited as evidence by 1 observation" in shown and "Cordon quick, RVP late" in shown
    page.select_entry(entries[1].entry_id)
    assert "Cited as evidence" not in page.detail.browser.toPlainText()

    # edit: choose it, change the text, swap the evidence, give the reason, Enter saves a new version
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    _choose(qtbot, pane, 1)
    assert pane.editing == observation.id and pane.text.toPlainText() == "Cordon quick, RVP late"
    assert pane.reason.isVisible() and pane.withdraw_button.isVisible() and "Save" in pane.add_button.text()
    pane.text.selectAll()
    qtbot.keyClicks(pane.text, "Cordon in 4 minutes; RVP agreed after 25")
    pane.evidence.chosen.setFocus()
    pane.evidence.chosen.setCurrentRow(0)
    qtbot.keyClick(pane.evidence.chosen, Qt.Key.Key_Delete)
    qtbot.keyClicks(pane.evidence.search, "multi-storey")
    qtbot.keyClick(pane.evidence.search, Qt.Key.Key_Return)
    pane.reason.setFocus()
    qtbot.keyClick(pane.reason, Qt.Key.Key_Return)  # no reason: refused, nothing stored
    assert "reason" in pane.status.text() and len(evaluation.observation_history(observation.id)) == 1
    qtbot.keyClicks(pane.reason, "Times checked against the log")
    qtbot.keyClick(pane.reason, Qt.Key.Key_Return)
    history = evaluation.observation_history(observation.id)
    assert [v.text for v in history] == ["Cordon quick, RVP late", "Cordon in 4 minutes; RVP agreed after 25"]
    assert history[-1].revision_reason == "Times checked against the log"
    assert [e.target_id for e in history[-1].evidence] == [live.inject(2), entries[1].entry_id]
    shown_history = pane.history.toPlainText()
    assert "2 versions" in shown_history and "Cordon quick, RVP late" in shown_history
    assert "Reason: Times checked against the log" in shown_history
    assert "Cordon in 4 minutes" in pane.view.toPlainText() and "revised" in pane.view.toPlainText()
    assert evaluation.citations(live.run_id, EvidenceKind.LOG_ENTRY, entries[0].entry_id) == []

    # withdraw, with a reason; it leaves the analysis but not the file
    qtbot.mouseClick(pane.withdraw_button, Qt.MouseButton.LeftButton)
    assert "reason" in pane.status.text().lower() and not evaluation.observation(observation.id).withdrawn
    qtbot.keyClicks(pane.reason, "Duplicate of the lead evaluator's note")
    qtbot.mouseClick(pane.withdraw_button, Qt.MouseButton.LeftButton)
    assert evaluation.observations(live.run_id) == []
    assert evaluation.observation(observation.id).withdrawn
    assert pane.choose.count() == 1 and pane.editing is None and not pane.reason.isVisible()
    assert "Withdrawn after review" in pane.view.toPlainText()
    assert "Duplicate of the lead evaluator's note" in pane.view.toPlainText()


def test_hot_wash_notes_and_improvement_actions_are_edited_through_the_form(qtbot, live: LiveRun) -> None:
    page, evaluation = live.page, live.window.context.evaluation
    note = evaluation.add_hotwash_note(live.run_id, HotwashKind.STRENGTH, "Good JESIP", author="Players")
    action = evaluation.add_improvement_action(live.run_id, issue="Late RVP", action="Agree RVPs")
    evaluation.add_observation(live.run_id, objective_id=None, evaluator="E", rating=Rating.P, text="Fine")
    page.refresh()
    page.action(ActionId.LOG_HOTWASH).trigger()
    hotwash = page.hotwash
    _choose(qtbot, hotwash, 1)
    assert hotwash.text.toPlainText() == "Good JESIP"
    hotwash.kind.setFocus()
    qtbot.keyClicks(hotwash.kind, "L")
    hotwash.reason.setFocus()
    qtbot.keyClicks(hotwash.reason, "A lesson, not a strength")
    qtbot.keyClick(hotwash.reason, Qt.Key.Key_Return)
    assert [v.kind for v in evaluation.hotwash_history(note.id)] == [HotwashKind.STRENGTH, HotwashKind.LESSON]
    assert "A lesson, not a strength" in hotwash.history.toPlainText()

    page.action(ActionId.LOG_IMPROVEMENTS).trigger()
    plan = page.improvements
    _choose(qtbot, plan, 1)
    assert plan.issue.text() == "Late RVP"
    plan.owner.setFocus()
    qtbot.keyClicks(plan.owner, "Police")
    qtbot.keyClick(plan.owner, Qt.Key.Key_Escape)
    plan.reason.setFocus()
    qtbot.keyClicks(plan.reason, "Owner agreed at the hot wash")
    qtbot.mouseClick(plan.add_button, Qt.MouseButton.LeftButton)
    assert evaluation.improvement_action(action.id).owner_organisation == "Police"
    assert len(evaluation.improvement_history(action.id)) == 2
    assert "Owner agreed at the hot wash" in plan.view.toPlainText()


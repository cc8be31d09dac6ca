"""The scenario editor driven through its widgets, keyboard and mouse; the file on disk is then reopened with the
services and compared with what the editor showed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Scenario
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.scenario import InjectSlot, ScenarioService, msel_order

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.models import msel
from ctpn_desktop.ui.workspaces.scenario import (
    MSEL,
    OBJECTIVES,
    ORGANISATIONS,
    OVERVIEW,
    PHASES,
    SAVED_AS_YOU_GO,
    ScenarioWorkspace,
)

from tests.ui.conftest import LIBRARY_SCENARIO, error_boxes


def _normalised(scenario: Scenario) -> tuple[object, ...]:
    return (
        scenario.exercise,
        tuple(sorted(scenario.objectives, key=lambda o: o.id)),
        tuple(sorted(scenario.organisations, key=lambda o: o.id)),
        tuple(sorted(scenario.phases, key=lambda p: p.id)),
        tuple(sorted(scenario.injects, key=lambda i: i.id)),
    )


def _on_disk(window: MainWindow) -> Scenario:
    """Close the exercise as a user would and read the file back with the services."""
    path = window.document.path
    window.close_document()
    with open_document(path) as document:
        return ScenarioService(document).load()


def _type_line(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _type_text(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    for n, line in enumerate(text.split("\n")):
        if n:
            qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.keyClicks(field, line)
    field.flush()


def _press(qtbot, widget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, key, modifiers)
    if modifiers != Qt.KeyboardModifier.NoModifier:
        # The simulated release keeps the modifiers held in Qt's view; a bare modifier key lets go of them.
        qtbot.keyClick(widget, Qt.Key.Key_Control)


def test_designer_builds_an_exercise_and_the_file_matches(qtbot, window: MainWindow,
                                                           editor: ScenarioWorkspace) -> None:
    page = editor
    # Overview: a new title and a custom marking; window title and banner follow only after the commit.
    page.tabs.setCurrentIndex(OVERVIEW)
    _type_line(qtbot, page.overview.title, "Exercise HIGH KESTREL II")
    assert window.windowTitle() == "Exercise HIGH KESTREL II — CTPN Desktop"
    marking = page.overview.marking.lineEdit()
    _type_line(qtbot, marking, "official-sensitive")
    assert window.banner.marking == "OFFICIAL-SENSITIVE"
    _type_text(qtbot, page.overview.aim, "Test the joint response to a hostile drone.")

    # Objectives: add one, write its statement.
    page.tabs.setCurrentIndex(OBJECTIVES)
    before = len(page.scenario.objectives)
    qtbot.mouseClick(page.objectives.add_button, Qt.MouseButton.LeftButton)
    assert len(page.scenario.objectives) == before + 1
    _type_text(qtbot, page.objectives.statement, "Warn and inform the public within 30 minutes")
    new_objective = page.scenario.objectives[-1]
    assert new_objective.statement == "Warn and inform the public within 30 minutes"

    # Organisations: an agency with a role, and an exercise cell.
    page.tabs.setCurrentIndex(ORGANISATIONS)
    qtbot.mouseClick(page.organisations.add_button, Qt.MouseButton.LeftButton)
    _type_line(qtbot, page.organisations.org_name, "Coastguard")
    qtbot.mouseClick(page.organisations.add_role_button, Qt.MouseButton.LeftButton)
    _type_line(qtbot, page.organisations.role_name, "Duty officer")
    coastguard = next(o for o in page.scenario.organisations if o.name == "Coastguard")
    assert [r.name for r in coastguard.roles] == ["Duty officer"]
    page.organisations.cell_combo.setCurrentText("Evaluators")
    qtbot.mouseClick(page.organisations.add_cell_button, Qt.MouseButton.LeftButton)
    assert any(o.name == "Evaluators" and o.kind.value == "cell" for o in page.scenario.organisations)

    # Phases: a new phase with its start and questions.
    page.tabs.setCurrentIndex(PHASES)
    qtbot.mouseClick(page.phases.add_button, Qt.MouseButton.LeftButton)
    _type_line(qtbot, page.phases.name, "Phase 5: Recovery")
    _type_line(qtbot, page.phases.start, "4:00")
    _type_text(qtbot, page.phases.questions, "Who leads recovery?\nWhat do you tell the runners?")
    recovery = next(p for p in page.scenario.phases if p.name == "Phase 5: Recovery")
    assert recovery.start_offset_s == 4 * 3600
    assert recovery.discussion_questions == ("Who leads recovery?", "What do you tell the runners?")

    # MSEL: add an inject with the Insert key, give it a title, recipients and an objective.
    page.tabs.setCurrentIndex(MSEL)
    view = page.msel.view
    page.msel.jump_to_number(23)
    _press(qtbot, view, Qt.Key.Key_Insert)
    form = page.msel.form
    assert form.inject is not None and form.inject.title == "New inject"
    added_id = form.inject.id
    _type_line(qtbot, form.title, "Coastguard asks who is in charge")
    top = next(form.recipients.topLevelItem(n) for n in range(form.recipients.topLevelItemCount())
               if form.recipients.topLevelItem(n).text(0) == "Coastguard")
    top.child(0).setCheckState(0, Qt.CheckState.Checked)
    form.objectives.item(form.objectives.count() - 1).setCheckState(Qt.CheckState.Checked)
    added = page.session.inject(added_id)
    assert added.title == "Coastguard asks who is in charge"
    assert [r.role_id for r in added.recipients] == [coastguard.roles[0].id]
    assert added.objective_ids == (new_objective.id,)

    # Reorder by keyboard: the new inject moves one place up.
    order = [i.id for i in msel_order(page.scenario.injects)]
    position = order.index(added_id)
    _press(qtbot, view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [i.id for i in msel_order(page.scenario.injects)].index(added_id) == position - 1
    assert page.msel.selected_ids() == [added_id]

    # Re-time the first inject and everything after it by +15 minutes.
    before_times = {i.id: i.planned_offset_s for i in page.scenario.injects}
    view.selectRow(0)
    dialog = page.ask_retime()
    qtbot.keyClicks(dialog.shift, "+15")
    assert dialog.following.isChecked()
    apply_button = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert apply_button.text().replace("&", "") == "Re-time"
    qtbot.mouseClick(apply_button, Qt.MouseButton.LeftButton)
    assert all(i.planned_offset_s == before_times[i.id] + 900 for i in page.scenario.injects)
    assert page.msel.model.index(0, msel.PLANNED).data() == "0:19:00"

    # Undo the re-time with Ctrl+Z, redo it with Ctrl+Shift+Z.
    _press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert all(i.planned_offset_s == before_times[i.id] for i in page.scenario.injects)
    _press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert all(i.planned_offset_s == before_times[i.id] + 900 for i in page.scenario.injects)
    assert "all changes are in the file" in page.save_state.text()

    shown = page.scenario
    assert _normalised(_on_disk(window)) == _normalised(shown)


def test_every_edit_undoes_back_to_the_file_as_it_was(qtbot, window: MainWindow, editor: ScenarioWorkspace,
                                                      document_path: Path) -> None:
    page = editor
    original = _normalised(page.scenario)
    page.tabs.setCurrentIndex(MSEL)
    view = page.msel.view
    view.selectRow(2)
    page.actions[ActionId.DUPLICATE_INJECT].trigger()
    assert len(page.scenario.injects) == 24
    page.actions[ActionId.RENUMBER_INJECTS].trigger()
    doomed = msel_order(page.scenario.injects)[5]
    page.msel.select_ids([doomed.id], doomed.id)
    page.actions[ActionId.DELETE_INJECT].trigger()
    assert page.session.inject(doomed.id) is None
    assert len(page.scenario.injects) == 23
    page.tabs.setCurrentIndex(OBJECTIVES)
    page.objectives.select(page.scenario.objectives[0].id)
    qtbot.mouseClick(page.objectives.delete_button, Qt.MouseButton.LeftButton)
    page.tabs.setCurrentIndex(PHASES)
    page.phases.select(page.scenario.phases[0].id)
    qtbot.mouseClick(page.phases.delete_button, Qt.MouseButton.LeftButton)
    page.tabs.setCurrentIndex(ORGANISATIONS)
    page.organisations.select(page.scenario.organisations[0].id)
    qtbot.mouseClick(page.organisations.delete_button, Qt.MouseButton.LeftButton)
    assert not any(i.phase_id == "gone" for i in page.scenario.injects)
    while page.session.stack.canUndo():
        page.undo()
    assert _normalised(page.scenario) == original
    assert _normalised(_on_disk(window)) == original


def test_a_retime_changes_exactly_its_rows_and_undo_puts_them_back(qtbot, window: MainWindow,
                                                                  editor: ScenarioWorkspace) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    model = page.msel.model
    original = page.scenario
    ordered = msel_order(original.injects)
    block = {i.id for i in ordered[3:8]}
    page.msel.select_ids([ordered[4].id], ordered[4].id)
    told: list[Changes] = []
    window.document.changes.subscribe(told.append)

    def table() -> list[tuple[str, str]]:
        return [(model.inject_at(n).id, model.index(n, msel.PLANNED).data()) for n in range(model.rowCount())]

    assert page.session.retime(sorted(block), 45 * 60)
    retimed = page.scenario
    by_id = {i.id: i for i in original.injects}
    for inject in retimed.injects:
        if inject.id in block:
            assert inject.planned_offset_s == by_id[inject.id].planned_offset_s + 45 * 60
        else:
            assert inject is by_id[inject.id]
    assert table() == [(i.id, format_elapsed(i.planned_offset_s)) for i in msel_order(retimed.injects)]
    assert page.msel.selected_ids() == [ordered[4].id]
    assert page.msel.form.inject == retimed.injects[[i.id for i in retimed.injects].index(ordered[4].id)]
    assert any(c.touches(Topic.SCENARIO) and "inject" in c.tables for c in told)

    _press(qtbot, page.msel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.scenario == original
    assert table() == [(i.id, format_elapsed(i.planned_offset_s)) for i in ordered]
    assert page.msel.selected_ids() == [ordered[4].id]
    assert page.msel.form.planned.text() == format_elapsed(ordered[4].planned_offset_s)
    _press(qtbot, page.msel.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert page.scenario == retimed
    assert _normalised(_on_disk(window)) == _normalised(retimed)


def test_the_table_keeps_its_place_through_a_retime_and_follows_rows_that_come_go_or_change_elsewhere(
        qtbot, window: MainWindow, editor: ScenarioWorkspace) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    view, model = page.msel.view, page.msel.model
    bar = view.verticalScrollBar()

    def table() -> list[tuple[str, str]]:
        return [(model.inject_at(n).id, model.index(n, msel.PLANNED).data()) for n in range(model.rowCount())]

    def settled() -> None:
        qtbot.wait(20)
        QApplication.processEvents()

    ordered = msel_order(page.scenario.injects)
    while len(ordered) < 120:  # enough rows to scroll
        assert page.session.duplicate_injects([i.id for i in ordered[:40]])
        ordered = msel_order(page.scenario.injects)
    settled()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    top = view.rowAt(0)
    page.msel.select_ids([ordered[top + 2].id], ordered[top + 2].id, scroll=False)
    before = (bar.value(), bar.maximum(), bar.pageStep(), view.viewport().geometry())

    assert page.session.retime([i.id for i in ordered[top:top + 10]], 7)
    settled()
    assert table() == [(i.id, format_elapsed(i.planned_offset_s)) for i in msel_order(page.scenario.injects)]
    assert (bar.value(), bar.maximum(), bar.pageStep(), view.viewport().geometry()) == before
    assert page.msel.selected_ids() == [ordered[top + 2].id]
    assert page.msel.form.inject is not None and page.msel.form.inject.id == ordered[top + 2].id

    # Rows that come and go still change what the scroll bar spans.
    grown = bar.maximum()
    assert page.session.duplicate_injects([i.id for i in ordered[:30]])
    settled()
    assert bar.maximum() > grown
    page.undo()
    settled()
    assert bar.maximum() == grown
    page.undo()
    settled()
    assert table() == [(i.id, format_elapsed(i.planned_offset_s)) for i in ordered]
    assert page.msel.selected_ids() == [ordered[top + 2].id]

    # Another station re-times an inject in the file: the table shows it as it is now.
    moved = ordered[top + 2]
    with open_document(window.document.path) as other:
        assert ScenarioService(other).put_slots(
            [replace(InjectSlot.of(moved), planned_offset_s=moved.planned_offset_s + 3600)])
    page.document_changed(Changes.of_tables(["inject"], remote=True))
    settled()
    assert table() == [(i.id, format_elapsed(i.planned_offset_s)) for i in msel_order(page.scenario.injects)]
    assert page.session.inject(moved.id).planned_offset_s == moved.planned_offset_s + 3600
    view.resize(view.width(), view.height() // 2)
    settled()
    assert bar.pageStep() < before[2]  # a smaller table is laid out again


def test_deleting_an_objective_lists_what_links_to_it_and_cancel_keeps_it(editor: ScenarioWorkspace,
                                                                          confirmations, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(OBJECTIVES)
    objective = page.scenario.objectives[0]
    linked = [i for i in page.scenario.injects if objective.id in i.objective_ids]
    page.objectives.select(objective.id)
    confirmations.answer = False
    qtbot.mouseClick(page.objectives.delete_button, Qt.MouseButton.LeftButton)
    title, question, details = confirmations.asked[-1]
    assert title == "Delete objective"
    assert f"{len(linked)} injects link to it" in question
    assert details[0].startswith(f"inject {msel_order(linked)[0].number}: ")
    assert page.scenario.objective(objective.id) == objective


def test_a_time_that_cannot_be_read_is_refused_and_nothing_changes(editor: ScenarioWorkspace, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    form = page.msel.form
    inject = form.inject
    _type_line(qtbot, form.planned, "quarter past")
    boxes = error_boxes()
    assert boxes and "is not a planned time" in boxes[-1].text()
    assert page.session.inject(inject.id) == inject
    assert form.planned.text() == "0:04:00"
    assert not page.session.stack.canUndo()


def test_save_state_says_not_saved_while_typing(editor: ScenarioWorkspace, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    notes = page.msel.form.notes
    notes.setFocus()
    qtbot.keyClicks(notes, "Check the radio works")
    assert page.save_state.text().startswith("Not saved yet: Controller notes")
    stored = page.session.inject(page.msel.form.inject.id).controller_notes
    assert "Check the radio works" not in stored
    qtbot.waitUntil(lambda: "Check the radio works" in page.session.inject(page.msel.form.inject.id).controller_notes)
    assert page.save_state.text().startswith("Saved: Edit controller notes")


def test_clicking_a_problem_selects_the_inject_and_its_field(editor: ScenarioWorkspace, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    form = page.msel.form
    target = msel_order(page.scenario.injects)[6]
    page.msel.show_inject(target.id)
    for n in range(form.recipients.topLevelItemCount()):
        top = form.recipients.topLevelItem(n)
        top.setCheckState(0, Qt.CheckState.Unchecked)
        for c in range(top.childCount()):
            top.child(c).setCheckState(0, Qt.CheckState.Unchecked)
    assert page.session.inject(target.id).recipients == ()
    page.run_validation()
    panel = page.problems_panel
    row = next(n for n, p in enumerate(panel.problems) if p.inject_id == target.id)
    assert panel.list.item(row).text() == f"Inject {target.number} has no recipients"
    page.msel.view.selectRow(0)
    rect = panel.list.visualItemRect(panel.list.item(row))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.msel.selected_ids() == [target.id]
    assert QApplication.focusWidget() is form.recipients
    assert page.msel.model.index(page.msel.model.row_of(target.id), msel.VALIDATION).data() == "1 problem"


def test_jump_filters_and_drag_to_reorder(editor: ScenarioWorkspace, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    page.focus_jump()
    qtbot.keyClicks(page.msel.jump, "17")
    qtbot.keyClick(page.msel.jump, Qt.Key.Key_Return)
    assert page.msel.form.inject.number == 17
    method = page.msel.form.inject.delivery_method
    page.msel.method_filter.setCurrentIndex(page.msel.method_filter.findData(method))
    model = page.msel.model
    assert all(model.inject_at(r).delivery_method is method for r in range(model.rowCount()))
    page.msel.method_filter.setCurrentIndex(0)
    assert model.rowCount() == 23
    ordered = msel_order(page.scenario.injects)
    data = model.mimeData([model.index(model.row_of(ordered[10].id), 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, model.row_of(ordered[2].id), 0, model.index(-1, -1))
    assert [i.id for i in msel_order(page.scenario.injects)][2] == ordered[10].id
    page.undo()
    assert [i.id for i in msel_order(page.scenario.injects)] == [i.id for i in ordered]


def test_table_cells_edit_in_place(editor: ScenarioWorkspace, qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    view = page.msel.view
    index = page.msel.model.index(0, msel.TITLE)
    view.setCurrentIndex(index)
    view.edit(index)
    editor_widget = QApplication.focusWidget()
    editor_widget.selectAll()
    qtbot.keyClicks(editor_widget, "Drone over the grandstand")
    qtbot.keyClick(editor_widget, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.msel.view.state() != page.msel.view.State.EditingState)  # the delegate commits queued
    assert page.msel.model.index(0, msel.TITLE).data() == "Drone over the grandstand"
    assert msel_order(page.scenario.injects)[0].title == "Drone over the grandstand"


def test_clicking_the_planned_header_twice_keeps_dragging_off_until_msel_order(editor: ScenarioWorkspace,
                                                                               qtbot) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    header = page.msel.view.horizontalHeader()
    x = header.sectionViewportPosition(msel.TITLE) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    assert not page.msel.model.in_msel_order
    page.msel.view.selectRow(3)
    page.move_selected(-1)
    assert "planned-time order" in error_boxes()[-1].text()


def test_choices_from_lists_are_stored_as_their_values(qtbot, window: MainWindow, editor: ScenarioWorkspace) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    form = page.msel.form
    inject_id = form.inject.id
    start = form.method.currentIndex()
    _press(qtbot, form.method, Qt.Key.Key_Down)
    _press(qtbot, form.status, Qt.Key.Key_Up)
    page.tabs.setCurrentIndex(OVERVIEW)
    _press(qtbot, page.overview.exercise_type, Qt.Key.Key_Down)
    inject = page.session.inject(inject_id)
    assert inject.delivery_method.label == form.method.itemText(start + 1)
    assert inject.status.value == "draft"
    assert page.scenario.exercise.exercise_type.label == "Workshop"
    stored = _on_disk(window)
    assert next(i for i in stored.injects if i.id == inject_id).delivery_method == inject.delivery_method
    assert stored.exercise.exercise_type == page.overview.exercise_type.currentData()


def test_text_typed_just_before_the_window_closes_is_in_the_file(qtbot, window: MainWindow,
                                                                 editor: ScenarioWorkspace) -> None:
    page = editor
    page.tabs.setCurrentIndex(MSEL)
    form = page.msel.form
    inject_id = form.inject.id
    form.notes.setFocus()
    qtbot.keyClicks(form.notes, "Radio check at 09:00")
    path = window.document.path
    window.close()
    with open_document(path) as document:
        stored = next(i for i in ScenarioService(document).load().injects if i.id == inject_id)
    assert "Radio check at 09:00" in stored.controller_notes


def test_a_new_exercise_with_no_injects_is_not_reported_free_of_problems(qtbot, window: MainWindow,
                                                                         tmp_path: Path) -> None:
    scenario, blobs = read_scenario_file(LIBRARY_SCENARIO)
    blank = Scenario(exercise=scenario.exercise, organisations=scenario.organisations)
    path = tmp_path / "blank.ctpn"
    create_document(path, blank, blobs).close()
    assert window.open_path(path)
    page = window.scenario_page
    page.tabs.setCurrentIndex(MSEL)
    title = page.problems_panel.title.text()
    assert "Nothing to check yet" in title and "No problems" not in title
    assert not page.problems_panel.list.isVisible()


def test_the_save_state_stands_whole_beside_the_tabs_on_a_1366_screen(qtbot, window: MainWindow,
                                                                       editor: ScenarioWorkspace) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    label = editor.save_state
    assert label.text() == SAVED_AS_YOU_GO
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()

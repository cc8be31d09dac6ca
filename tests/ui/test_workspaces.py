"""The workspaces show real data from the document's services, and say clearly when there is none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.services.log import LogDraft

from ctpn_desktop.ui.main_window import CONDUCT, DEBRIEF, DECISION_LOG


def test_scenario_workspace_shows_overview_objectives_organisations_and_phases(window, document_path) -> None:
    window.open_path(document_path)
    page = window.scenario_page
    scenario = page.scenario
    assert page.overview.marking.currentText() == "OFFICIAL"
    assert page.overview.exercise_type.currentText() == "Table-top"
    assert page.overview.aim.toPlainText() == scenario.exercise.aim
    objectives = page.objectives.tree
    assert objectives.topLevelItemCount() == len(scenario.objectives)
    shown = {(objectives.topLevelItem(i).text(0), objectives.topLevelItem(i).text(1))
             for i in range(objectives.topLevelItemCount())}
    assert shown == {(o.code, o.statement) for o in scenario.objectives}
    tree = page.organisations.tree
    assert tree.topLevelItemCount() == len(scenario.organisations)
    roles = sum(tree.topLevelItem(i).childCount() for i in range(tree.topLevelItemCount()))
    assert roles == sum(len(o.roles) for o in scenario.organisations)
    assert page.phases.tree.topLevelItemCount() == len(scenario.phases)
    first = min(scenario.phases, key=lambda p: p.start_offset_s)
    assert page.phases.questions.toPlainText() == "\n".join(first.discussion_questions)


def test_msel_filter_and_detail(qtbot, window, document_path) -> None:
    window.open_path(document_path)
    page = window.scenario_page
    page.tabs.setCurrentIndex(page.msel_tab)
    assert page.msel.form.title.text() == "Drone hovering over the finish grandstand"
    assert page.msel_count.text() == "23 injects"

    qtbot.keyClicks(page.msel_filter, "grandstand")

    model = page.msel_model
    shown = model.rowCount()
    assert 0 < shown < 23
    assert page.msel_count.text() == f"{shown} of 23 injects shown"
    page.msel_view.selectRow(shown - 1)
    assert page.msel.form.title.text() == model.index(shown - 1, 4).data()


def test_conduct_without_runs_says_so(window, document_path) -> None:
    window.open_path(document_path)
    window.show_page(CONDUCT)
    page = window.conduct_page
    assert page.runs_stack.currentWidget() is page.no_runs
    assert page.no_runs.isVisible()
    assert page.no_runs.title_label.text() == "No runs yet"


def _run_with_history(window, time_source):
    context = window.context
    run = context.runs.create_run("Main run")
    context.runs.start(run.id)
    time_source.advance(240)
    scenario = context.runs.frozen_scenario(run.id)
    first = min(scenario.injects, key=lambda i: i.planned_offset_s)
    context.runs.release(run.id, first.id, note="read out on radio")
    context.log.append(run.id, LogDraft(kind=LogKind.DECISION, text="Stewards to observe and report",
                                        decision_maker="Event Safety Officer"), exercise_s=250.0)
    return run, first


def test_conduct_lists_runs_with_status_frozen_injects_and_events(window, document_path, time_source) -> None:
    window.open_path(document_path)
    _run, first = _run_with_history(window, time_source)
    window.conduct_page.refresh()
    window.show_page(CONDUCT)
    page = window.conduct_page

    assert page.runs_stack.currentWidget() is not page.no_runs
    assert page.runs_tree.topLevelItemCount() == 1
    item = page.runs_tree.topLevelItem(0)
    assert item.text(0) == "Run 1 – Main run"
    assert item.text(1) == "Running"
    assert page.frozen_view.model().rowCount() == 23
    assert page.events_tree.topLevelItemCount() == 2  # the start of the clock, then the release
    assert page.events_tree.topLevelItem(0).text(3) == "Clock: start"
    event = page.events_tree.topLevelItem(1)
    assert event.text(1) == "0:04:00"
    assert event.text(4) == f"#{first.number} {first.title}"
    assert event.text(3) == "Released"
    assert event.text(6) == "read out on radio"


def test_decision_log_shows_entries_of_the_selected_run(window, document_path, time_source) -> None:
    window.open_path(document_path)
    page = window.decision_log_page
    assert page.runs_stack.currentWidget() is page.no_runs
    _run_with_history(window, time_source)
    window.context.runs.create_run("Second run")

    page.refresh()
    window.show_page(DECISION_LOG)

    assert page.run_combo.count() == 2
    # The live run is shown, not the newest one that has not started: entries go where play is.
    assert page.run_combo.currentText() == "Run 1 – Main run — Running"
    assert page.run_combo.itemText(1) == "Run 2 – Second run — Not started"
    page.run_combo.setCurrentIndex(1)
    assert page.entries_stack.currentWidget() is page.entries_empty
    page.run_combo.setCurrentIndex(0)
    assert page.table.model().rowCount() == 1
    assert page.table.model().index(0, 6).data() == "Stewards to observe and report"
    assert page.count_label.text() == "1 entry"


def test_debrief_summarises_the_document_and_runs(window, document_path, time_source) -> None:
    window.open_path(document_path)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    assert page.figures["injects"].value.text() == "23"
    assert page.runs_stack.currentWidget() is page.no_runs
    _run_with_history(window, time_source)
    page.refresh()
    assert page.figures["runs"].value.text() == "1"
    assert page.figures["log_entries"].value.text() == "1"
    row = page.runs_tree.topLevelItem(0)
    assert (row.text(0), row.text(1), row.text(4)) == ("Run 1 – Main run", "Running", "1")


def test_workspaces_reload_when_another_document_is_opened(window, dialogs, document_path, tmp_path: Path,
                                                           qtbot) -> None:
    window.open_path(document_path)
    target = tmp_path / "second.ctpn"
    dialogs.save_answers.append(target)
    window.start_page.select_library_path(Path(window.start_page._items[0].path))
    qtbot.mouseClick(window.start_page.create_button, Qt.MouseButton.LeftButton)
    assert window.document.path == target
    assert window.scenario_page.scenario.exercise.title == window.start_page._items[0].title
    assert window.banner.isVisible()


def test_clicking_a_msel_header_sorts_and_keeps_the_selection(qtbot, window, document_path) -> None:
    window.open_path(document_path)
    page = window.scenario_page
    page.tabs.setCurrentIndex(page.msel_tab)
    view = page.msel_view
    header = view.horizontalHeader()
    view.selectRow(0)
    selected_title = page.msel_model.index(0, 4).data()
    x = header.sectionViewportPosition(0) + header.sectionSize(0) // 2
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    model = page.msel_model
    numbers = [int(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert numbers == sorted(numbers, reverse=True) or numbers == sorted(numbers)
    assert numbers[0] != numbers[-1]
    rows = view.selectionModel().selectedRows()
    assert len(rows) == 1 and model.index(rows[0].row(), 4).data() == selected_title

"""The table models: Qt's model contract (qtmodeltester), what each column shows, sorting and filtering."""

from __future__ import annotations

import dataclasses
import gc
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogKind, Scenario

from ctpn_desktop.ui.models import msel
from ctpn_desktop.ui.models.log import LogTableModel
from ctpn_desktop.ui.models.msel import SORT_ROLE, MselFilterProxy, MselTableModel

from tests.ui.conftest import LIBRARY_SCENARIO


def _scenario() -> Scenario:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file

    return read_scenario_file(LIBRARY_SCENARIO)[0]


def test_msel_model_passes_the_model_tester(qtmodeltester) -> None:
    model = MselTableModel(_scenario())
    qtmodeltester.check(model)
    proxy = MselFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(msel.PLANNED, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)


def test_msel_model_shows_the_columns_planners_expect(qtbot) -> None:
    scenario = _scenario()
    model = MselTableModel(scenario)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["No.", "Phase", "Planned", "Scenario time", "Title", "From", "To", "Method", "Objectives"]
    assert model.rowCount() == len(scenario.injects)
    first = min(scenario.injects, key=lambda i: (i.planned_offset_s, i.number))
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[msel.NUMBER] == str(first.number)
    assert row[msel.PHASE] == scenario.phase(first.phase_id).name
    assert row[msel.PLANNED] == "0:04:00"
    assert row[msel.SCENARIO_TIME] == "Sun 25 Apr 09:41"
    assert row[msel.TITLE] == first.title
    assert row[msel.METHOD] == "Radio"
    assert row[msel.OBJECTIVES] == "O1, O2"
    assert "Police – Operational Commander (Bronze)" in row[msel.RECIPIENTS]


def test_msel_sorts_numbers_and_times_as_values(qtbot) -> None:
    scenario = _scenario()
    late = dataclasses.replace(scenario.injects[0], id="late", number=100, planned_offset_s=36_000)
    early = dataclasses.replace(scenario.injects[0], id="early", number=9, planned_offset_s=5)
    model = MselTableModel(dataclasses.replace(scenario, injects=(late, early, *scenario.injects[1:3])))
    proxy = MselFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(msel.NUMBER, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, msel.NUMBER).data() == "100"  # not "9", as text sorting would give
    proxy.sort(msel.PLANNED, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, msel.PLANNED).data() == "0:00:05"
    assert proxy.index(proxy.rowCount() - 1, msel.PLANNED).data() == "10:00:00"
    assert proxy.index(0, msel.PLANNED).data(SORT_ROLE) == 5


def test_msel_filter_matches_any_column_ignoring_case(qtbot) -> None:
    model = MselTableModel(_scenario())
    proxy = MselFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("GRANDSTAND")
    assert 0 < proxy.rowCount() < model.rowCount()
    assert all("grandstand" in "\n".join(proxy.index(r, c).data() for c in range(9)).lower()
               for r in range(proxy.rowCount()))
    proxy.set_filter_text("no such words anywhere")
    assert proxy.rowCount() == 0
    proxy.set_filter_text("")
    assert proxy.rowCount() == model.rowCount()


def test_msel_model_holds_five_thousand_injects(qtbot) -> None:
    scenario = _scenario()
    template = scenario.injects[0]
    injects = tuple(
        dataclasses.replace(template, id=f"i{n}", number=n + 1, planned_offset_s=n * 7,
                            scenario_time=template.scenario_time + timedelta(seconds=n * 7))
        for n in range(5000))
    model = MselTableModel(dataclasses.replace(scenario, injects=injects))
    assert model.rowCount() == 5000
    assert model.index(4999, msel.NUMBER).data() == "5000"
    assert model.index(4999, msel.PLANNED).data() == "9:43:13"


def test_msel_rows_are_built_with_the_collector_paused(qtbot, monkeypatch) -> None:
    collector_on: list[bool] = []
    row_of = msel._Lookups.row

    def noted(self: object, inject: object) -> object:
        collector_on.append(gc.isenabled())
        return row_of(self, inject)  # type: ignore[arg-type]

    monkeypatch.setattr(msel._Lookups, "row", noted)
    model = MselTableModel(_scenario())
    assert model.rowCount() == len(collector_on) > 0
    assert not any(collector_on)
    assert gc.isenabled()


def test_log_model_passes_the_model_tester_and_marks_corrections(qtmodeltester, window, document_path) -> None:
    from ctpn_desktop.core.services.log import LogDraft

    window.open_path(document_path)
    context = window.context
    run = context.runs.create_run("Main run")
    log = context.log
    first = log.append(run.id, LogDraft(kind=LogKind.DECISION, text="Halt the race at 20 km", rationale="Risk",
                                        decision_maker="Silver", logged_by="NT1"), exercise_s=125.0)
    log.append(run.id, LogDraft(kind=LogKind.ACTION, text="Close Civic Square"), exercise_s=300.0)
    log.correct(first.entry_id, LogDraft(kind=LogKind.DECISION, text="Halt the race at 21 km"), "wrong km")

    model = LogTableModel(log.entries(run.id))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 6).data() == "Halt the race at 21 km"
    assert model.index(0, 9).data() == "2 (corrected)"
    assert model.index(0, 2).data() == "0:02:05"
    assert model.index(1, 3).data() == "Action"


def test_editable_msel_model_passes_the_model_tester_through_filters_and_updates(qtmodeltester) -> None:
    scenario = _scenario()
    edits: list[tuple[str, int, str]] = []
    model = msel.MselTableModel(scenario, validation=True, editor=lambda i, c, t: edits.append((i, c, t)) or True)
    qtmodeltester.check(model)
    assert model.headerData(msel.VALIDATION, Qt.Orientation.Horizontal) == "Check"
    first = model.inject_at(0)
    model.set_problems({first.id: ["Inject 1 has no recipients"]})
    assert model.index(0, msel.VALIDATION).data() == "1 problem"
    assert model.index(1, msel.VALIDATION).data() == "OK"
    police = scenario.organisations[0]
    model.set_filter(msel.MselFilter(organisation_id=police.id))
    assert 0 < model.rowCount() < model.total
    assert all(any(r.organisation_id == police.id for r in model.inject_at(n).recipients)
               for n in range(model.rowCount()))
    model.set_filter(msel.MselFilter(text="grandstand", method=first.delivery_method))
    assert all(model.inject_at(n).delivery_method is first.delivery_method for n in range(model.rowCount()))
    model.set_filter(msel.MselFilter())
    renamed = dataclasses.replace(first, title="Renamed in place")
    later = dataclasses.replace(scenario.injects[1], planned_offset_s=99_999)
    updated = dataclasses.replace(scenario, injects=(renamed, later, *scenario.injects[2:]))
    model.update_injects(updated, {renamed.id, later.id})
    assert model.index(0, msel.TITLE).data() == "Renamed in place"
    assert model.inject_at(model.rowCount() - 1).id == later.id
    model.update_injects(dataclasses.replace(updated, injects=updated.injects[1:]), set(), {renamed.id})
    assert model.row_of(renamed.id) is None and model.total == len(scenario.injects) - 1
    assert model.setData(model.index(0, msel.TITLE), "Typed")
    assert edits == [(model.inject_at(0).id, msel.TITLE, "Typed")]
    assert not model.setData(model.index(0, msel.RECIPIENTS), "Police")
    qtmodeltester.check(model)


def test_rows_that_move_keep_their_selection_and_rows_in_place_repaint_one_range(qtbot, qtmodeltester) -> None:
    scenario = _scenario()
    model = msel.MselTableModel(scenario, validation=True, editor=lambda i, c, t: True)
    qtmodeltester.check(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    told: list[object] = []
    model.modelReset.connect(lambda: told.append("reset"))
    model.layoutChanged.connect(lambda *_: told.append("layout"))
    model.dataChanged.connect(lambda first, last, *_: told.append((first.row(), last.row())))
    ordered = model.injects_shown()
    picked = ordered[1]
    view.selectRow(1)

    # The first three injects re-timed past every other: a layout change, the selection stays on its inject.
    latest = max(i.planned_offset_s for i in ordered)
    late = {i.id: dataclasses.replace(i, planned_offset_s=i.planned_offset_s + latest + 60) for i in ordered[:3]}
    retimed = dataclasses.replace(scenario, injects=tuple(late.get(i.id, i) for i in scenario.injects))
    assert model.update_injects(retimed, set(late)) is False
    assert told == ["layout"]
    assert [i.id for i in model.injects_shown()] == [i.id for i in (*ordered[3:], *ordered[:3])]
    row = model.row_of(picked.id)
    assert row == len(ordered) - 2
    assert view.currentIndex().row() == row
    assert [index.row() for index in view.selectionModel().selectedRows()] == [row]
    assert model.index(row, msel.PLANNED).data() == format_elapsed(late[picked.id].planned_offset_s)

    # Two injects renamed where they are: one repaint from the first to the last.
    told.clear()
    shown = model.injects_shown()
    renamed = {i.id: dataclasses.replace(i, title=f"Renamed {i.number}") for i in (shown[2], shown[5])}
    titled = dataclasses.replace(retimed, injects=tuple(renamed.get(i.id, i) for i in retimed.injects))
    assert model.update_injects(titled, set(renamed)) is False
    assert told == [(2, 5)]
    assert model.index(5, msel.TITLE).data() == f"Renamed {shown[5].number}"

    # Undone: every inject back where it was, the selection with it.
    told.clear()
    model.update_injects(scenario, set(late) | set(renamed))
    assert told == ["layout"]
    assert model.injects_shown() == ordered
    assert [index.row() for index in view.selectionModel().selectedRows()] == [1]

    # A filter that would now show other injects, or an inject gone: the model starts again.
    told.clear()
    model.set_filter(msel.MselFilter(text="renamed"))
    assert model.rowCount() == 0
    told.clear()
    assert model.update_injects(titled, set(renamed)) is True
    assert told == ["reset"]
    assert model.rowCount() == 2
    told.clear()
    model.set_filter(msel.MselFilter())
    told.clear()
    assert model.update_injects(dataclasses.replace(scenario, injects=scenario.injects[1:]), set(),
                                {scenario.injects[0].id}) is True
    assert told == ["reset"]
    assert model.total == len(scenario.injects) - 1


def test_dragging_rows_asks_to_move_them_before_the_drop_row(qtbot) -> None:
    scenario = _scenario()
    model = msel.MselTableModel(scenario, validation=True, editor=lambda i, c, t: True)
    asked: list[tuple[list[str], object]] = []
    model.move_requested.connect(lambda ids, before: asked.append((ids, before)))
    data = model.mimeData([model.index(5, 0), model.index(5, 3), model.index(7, 0)])
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 1, 0, model.index(-1, -1))
    assert not model.dropMimeData(data, Qt.DropAction.MoveAction, 1, 0, model.index(-1, -1))
    assert asked == [([model.inject_at(5).id, model.inject_at(7).id], model.inject_at(1).id)]
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index(-1, -1))
    assert asked[-1][1] is None
    model.sort(msel.TITLE, Qt.SortOrder.AscendingOrder)
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, 1, 0, model.index(-1, -1))
    read_only = MselTableModel(scenario)
    assert not read_only.flags(read_only.index(0, 0)) & Qt.ItemFlag.ItemIsEditable

"""The conduct page follows what another station does to the run, change by change.

A release elsewhere must show on this station at once, on exactly the right queue row, timeline mark and history
line, without the queue being reset under the facilitator's selection; events heard of out of turn, and changes
whose rows are not known, must still leave the page showing the run as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.changes import Changes
from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.demo import make_demo_document
from ctpn_desktop.core.entities import Inject
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.timeline import InjectState

from ctpn_desktop.ui.conduct.queue import STATE_ROLE
from ctpn_desktop.ui.main_window import CONDUCT, MainWindow
from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    return make_demo_document(tmp_path / "demo.ctpn")


def _settle(qtbot, window: MainWindow) -> None:
    """Let the change notification reach the page (it is delivered at the next turn of the event loop)."""
    qtbot.waitUntil(lambda: window.context is not None and window.context.live._pending is None)
    QApplication.processEvents()


class Watched:
    """What the queue model told its view: resets, and the rows repainted because their events changed."""

    def __init__(self, page: ConductWorkspace) -> None:
        self.resets = 0
        self.rows: set[int] = set()
        model = page.queue_model
        model.modelReset.connect(self._reset)
        model.dataChanged.connect(self._changed)

    def _reset(self) -> None:
        self.resets += 1

    def _changed(self, first: QModelIndex, last: QModelIndex, roles: list[int]) -> None:
        if STATE_ROLE in roles:  # a tick repaints every row for the countdown, without this role
            self.rows.update(range(first.row(), last.row() + 1))


def _open_live_run(qtbot, window: MainWindow, demo_path: Path,
                   time_source: FakeTimeSource) -> tuple[ConductWorkspace, RunService, str, list[Inject]]:
    assert window.open_path(demo_path)
    window.show_page(CONDUCT)
    context = window.context
    assert context is not None
    elsewhere = RunService(context.document, time_source, actor="Control desk")  # another service, same document
    run = elsewhere.create_run("Day one")
    elsewhere.start(run.id)
    _settle(qtbot, window)
    page = window.conduct_page
    assert page.run is not None and page.run.id == run.id
    injects = sorted((i for i in elsewhere.frozen_scenario(run.id).injects if i.depends_on_id is None),
                     key=lambda i: (i.planned_offset_s, i.number))
    return page, elsewhere, run.id, injects


def _state(page: ConductWorkspace, inject_id: str) -> InjectState:
    row = page.queue_model.row_of(inject_id)
    assert row is not None
    return page.queue_model.state(row)


def _marks(page: ConductWorkspace) -> dict[str, object]:
    return {mark.inject_id: mark for lane in page.timeline_view._lanes for mark in lane.marks}


def _history(page: ConductWorkspace) -> list[tuple[str, str]]:
    tree = page.events_tree
    return [(tree.topLevelItem(i).text(3), tree.topLevelItem(i).text(4)) for i in range(tree.topLevelItemCount())]


def test_a_release_elsewhere_changes_exactly_its_row_mark_and_history_line(qtbot, window: MainWindow,
                                                                           demo_path: Path,
                                                                           time_source: FakeTimeSource) -> None:
    page, elsewhere, run_id, injects = _open_live_run(qtbot, window, demo_path, time_source)
    watching, released = injects[3], injects[0]
    page.select_inject(watching.id)
    history_before = _history(page)
    marks_before = _marks(page)
    watched = Watched(page)

    time_source.advance(45)
    elsewhere.release(run_id, released.id)
    _settle(qtbot, window)

    assert watched.resets == 0
    assert watched.rows == {page.queue_model.row_of(released.id)}
    assert _state(page, released.id) is InjectState.RELEASED
    assert not page._shown_in_queue(released.id)  # released rows leave the queue while "show released" is off
    assert page.selected_inject_id() == watching.id  # the facilitator's selection stays where it was
    marks = _marks(page)
    assert marks[released.id].released_s == pytest.approx(45, abs=1)
    assert all(marks[i] is mark for i, mark in marks_before.items() if i != released.id)  # the others untouched
    assert _history(page) == [*history_before, ("Released", f"#{released.number} {released.title}")]
    assert page.run_tabs.tabText(page.events_tab) == f"History ({len(history_before) + 1})"

    page.show_done_check.setChecked(True)
    assert page._shown_in_queue(released.id)
    index = page.queue_proxy.mapFromSource(page.queue_model.index(page.queue_model.row_of(released.id), 3))
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Released"


def test_a_deferral_elsewhere_moves_the_row_and_keeps_the_selection(qtbot, window: MainWindow, demo_path: Path,
                                                                    time_source: FakeTimeSource) -> None:
    page, elsewhere, run_id, injects = _open_live_run(qtbot, window, demo_path, time_source)
    first, selected = injects[0], injects[1]
    page.select_inject(selected.id)
    watched = Watched(page)

    elsewhere.defer(run_id, first.id, 600)
    _settle(qtbot, window)

    assert watched.resets == 0
    order = [page.queue_model.item(r).inject_id for r in range(page.queue_model.rowCount())]
    assert order.index(first.id) > order.index(selected.id)
    moved = page.queue_model.queue_row(page.queue_model.row_of(first.id))
    assert moved is not None and moved.due_s == 600 * 60
    assert page.selected_inject_id() == selected.id
    assert _marks(page)[first.id].due_s == 600 * 60
    assert _history(page)[-1] == ("Deferred to 10:00:00", f"#{first.number} {first.title}")


def test_events_heard_of_out_of_turn_or_without_their_keys_leave_nothing_stale(qtbot, window: MainWindow,
                                                                               demo_path: Path,
                                                                               time_source: FakeTimeSource) -> None:
    page, _elsewhere, run_id, injects = _open_live_run(qtbot, window, demo_path, time_source)
    context = window.context
    assert context is not None
    station = open_document(demo_path)  # another station: its writes reach this window only as announcements
    try:
        there = RunService(station, time_source, actor="Fire cell")
        time_source.advance(30)
        early = there.release(run_id, injects[0].id)
        time_source.advance(30)
        late = there.skip(run_id, injects[1].id, "not needed")
        watched = Watched(page)

        def heard(*event_ids: str) -> None:
            context.document.changes.publish(Changes.of_tables(["inject_event"], [run_id], remote=True,
                                                               keys={"inject_event": list(event_ids)}))
            _settle(qtbot, window)

        heard(late.id)  # the later event is announced first: the earlier one is read with it
        assert _state(page, injects[0].id) is InjectState.RELEASED
        assert _state(page, injects[1].id) is InjectState.SKIPPED
        assert watched.resets == 0
        assert watched.rows == {page.queue_model.row_of(injects[0].id), page.queue_model.row_of(injects[1].id)}
        heard(early.id)
        lines = [line for line in _history(page) if line[0] in ("Released", "Skipped")]
        assert lines == [("Released", f"#{injects[0].number} {injects[0].title}"),
                         ("Skipped", f"#{injects[1].number} {injects[1].title}")]  # each once, in time order

        there.release(run_id, injects[2].id)
        context.document.changes.publish(Changes.of_tables(["inject_event"], [run_id], remote=True))  # rows unknown
        _settle(qtbot, window)
        assert _state(page, injects[2].id) is InjectState.RELEASED
        assert _marks(page)[injects[2].id].released_s is not None

        adhoc, _event = there.add_adhoc(run_id, "Media call from a national paper")
        context.document.changes.publish(Changes.everything(remote=True))  # as after a reconnection
        _settle(qtbot, window)
        row = page.queue_model.row_of(adhoc.id)
        assert row is not None and page.queue_model.item(row).number == "A1"
        assert _history(page)[-1] == ("Released", f"A1 {adhoc.title}")
        assert [e.id for e in page.events] == [e.id for e in there.events(run_id)]
    finally:
        station.close()


def test_the_queue_model_inserts_a_new_ad_hoc_row_without_a_reset(qtbot, window: MainWindow, demo_path: Path,
                                                                  time_source: FakeTimeSource) -> None:
    page, elsewhere, run_id, injects = _open_live_run(qtbot, window, demo_path, time_source)
    page.select_inject(injects[2].id)
    watched = Watched(page)
    inserted: list[int] = []
    page.queue_model.rowsInserted.connect(lambda _parent, first, _last: inserted.append(first))
    time_source.advance(120)
    adhoc, _none = elsewhere.add_adhoc(run_id, "Second device found", release=False)

    assert page.queue_model.follow(page.timeline, elsewhere.adhoc_injects(run_id), 120.0) is False

    assert watched.resets == 0
    row = page.queue_model.row_of(adhoc.id)
    assert inserted == [row]
    assert page.queue_model.item(row).number == "A1"
    dues = [page.queue_model.queue_row(r).due_s for r in range(row) if page.queue_model.queue_row(r) is not None]
    assert all(due <= 120 for due in dues)  # in its place by time
    assert page.selected_inject_id() == injects[2].id

"""The conduct workspace: the runs of this exercise and, for one run, the injects as frozen and what happened.

Read-only until the live timeline lands; it shows what `RunService` has recorded.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import InjectEventKind, RunInfo

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.formatting import RUN_STATUS_LABELS, format_wall_time, run_label
from ctpn_desktop.ui.models.msel import EMPTY_SCENARIO, MselFilterProxy, MselTableModel
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, heading, set_column_widths, setup_table, setup_tree
from ctpn_desktop.ui.workspaces.base import Workspace
from ctpn_desktop.ui.workspaces.scenario import MSEL_WIDTHS

RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1

EVENT_LABELS: dict[InjectEventKind, str] = {
    InjectEventKind.RELEASED: "Released",
    InjectEventKind.SKIPPED: "Skipped",
    InjectEventKind.DEFERRED: "Deferred",
    InjectEventKind.RETIMED: "Re-timed",
    InjectEventKind.PHASE_STARTED: "Phase started",
}


class ConductWorkspace(Workspace):
    title = "Conduct"
    icon_name = icons.CONDUCT
    subtitle = "Each run of the exercise, with the injects as they were frozen at its start and what happened."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunInfo] = []
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)

        splitter = QSplitter(Qt.Orientation.Horizontal, self.body)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(heading("Runs", 2, left))
        self.runs_tree = QTreeWidget(left)
        self.runs_tree.setObjectName("runsList")
        setup_tree(self.runs_tree, "Runs", ["Run", "Status", "Started", "Ended"])
        self.runs_tree.header().setStretchLastSection(False)
        self.runs_tree.header().setSectionResizeMode(0, self.runs_tree.header().ResizeMode.Stretch)
        self.runs_tree.currentItemChanged.connect(self._show_run)
        left_layout.addWidget(self.runs_tree, 1)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        self.run_title = heading("", 2, right)
        right_layout.addWidget(self.run_title)
        self.run_tabs = QTabWidget(right)
        self.run_tabs.setDocumentMode(True)
        self.run_tabs.setAccessibleName("Selected run")
        self.frozen_view = QTableView(self.run_tabs)
        setup_table(self.frozen_view, "Injects as frozen for this run")
        self.frozen_model = MselTableModel(EMPTY_SCENARIO)
        self.frozen_proxy = MselFilterProxy(self)
        self.frozen_proxy.setSourceModel(self.frozen_model)
        self.frozen_view.setModel(self.frozen_proxy)
        self.frozen_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.frozen_view, MSEL_WIDTHS)
        self.events_tree = QTreeWidget(self.run_tabs)
        self.events_tree.setObjectName("eventsList")
        setup_tree(self.events_tree, "Inject events",
                   ["Wall time", "Exercise time", "Inject", "Event", "By", "Note"])
        self.events_empty = EmptyState(
            "No inject events", "Nothing has been released, skipped or deferred in this run yet.", icons.CLOCK)
        self.events_stack = SwitchStack(self.events_tree, self.events_empty, self.run_tabs)
        self.frozen_tab = self.run_tabs.addTab(self.frozen_view, icons.icon(icons.INJECTS), "Injects")
        self.events_tab = self.run_tabs.addTab(self.events_stack, icons.icon(icons.CLOCK), "Events")
        right_layout.addWidget(self.run_tabs, 1)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([440, 900])
        splitter.setChildrenCollapsible(False)

        self.no_runs = EmptyState(
            "No runs yet",
            "A run is recorded each time this exercise is conducted. It keeps its own clock, a frozen copy of "
            "the scenario as it was played, and everything that happened.",
            icons.CONDUCT)
        self.runs_stack = SwitchStack(splitter, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)

    def refresh(self) -> None:
        self.runs_tree.clear()
        self.runs = list(self.context.runs.list_runs()) if self.context is not None else []
        for run in self.runs:
            item = QTreeWidgetItem([run_label(run), RUN_STATUS_LABELS.get(run.status, run.status.value),
                                    format_wall_time(run.started_at, short=True),
                                    format_wall_time(run.ended_at, short=True)])
            item.setData(0, RUN_ID_ROLE, run.id)
            item.setToolTip(0, run_label(run))
            item.setToolTip(2, format_wall_time(run.started_at))
            item.setToolTip(3, format_wall_time(run.ended_at))
            self.runs_tree.addTopLevelItem(item)
        for column in range(1, 4):
            self.runs_tree.resizeColumnToContents(column)
        self.runs_stack.show_content(bool(self.runs))
        if self.runs:
            self.runs_tree.setCurrentItem(self.runs_tree.topLevelItem(len(self.runs) - 1))
        else:
            self._show_run(None)

    def _show_run(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        run = next((r for r in self.runs if current is not None and r.id == current.data(0, RUN_ID_ROLE)), None)
        if run is None or self.context is None:
            self.run_title.setText("")
            self.frozen_model = MselTableModel(EMPTY_SCENARIO)
            self.frozen_proxy.setSourceModel(self.frozen_model)
            self.events_tree.clear()
            return
        self.run_title.setText(f"{run_label(run)} · {RUN_STATUS_LABELS.get(run.status, run.status.value)}")
        frozen = self.context.runs.frozen_scenario(run.id)
        self.frozen_model = MselTableModel(frozen)
        self.frozen_proxy.setSourceModel(self.frozen_model)
        self.run_tabs.setTabText(self.frozen_tab, f"Injects ({len(frozen.injects)})")
        numbers = {i.id: f"{i.number}. {i.title}" for i in frozen.injects}
        events = self.context.runs.events(run.id)
        self.events_tree.clear()
        for event in events:
            item = QTreeWidgetItem([
                format_wall_time(event.wall_time, with_date=False), format_elapsed(event.exercise_s),
                numbers.get(event.inject_id, "Ad-hoc inject"), EVENT_LABELS.get(event.kind, event.kind.value),
                event.actor, event.note,
            ])
            item.setToolTip(2, numbers.get(event.inject_id, ""))
            item.setToolTip(5, event.note)
            self.events_tree.addTopLevelItem(item)
        for column in (0, 1, 3):
            self.events_tree.resizeColumnToContents(column)
        self.events_tree.setColumnWidth(2, self.fontMetrics().averageCharWidth() * 40)
        self.events_stack.show_content(bool(events))
        self.run_tabs.setTabText(self.events_tab, f"Events ({len(events)})")

"""The decision log workspace: choose a run, read its entries (current revisions, corrections marked).

Read-only until quick entry lands; the entries come from `LogService.entries`.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from ctpn_desktop.core.entities import RunInfo

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.formatting import run_label
from ctpn_desktop.ui.models import log
from ctpn_desktop.ui.models.log import LogTableModel
from ctpn_desktop.ui.models.msel import SORT_ROLE
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, muted, set_column_widths, setup_table
from ctpn_desktop.ui.workspaces.base import Workspace

LOG_WIDTHS = {
    log.NUMBER: 5, log.LOGGED: 10, log.EXERCISE_TIME: 14, log.KIND: 11, log.DECISION_MAKER: 22,
    log.ORGANISATION: 16, log.TEXT: 48, log.RATIONALE: 32, log.LOGGED_BY: 16, log.REVISION: 14,
}


class DecisionLogWorkspace(Workspace):
    title = "Decision log"
    icon_name = icons.DECISION_LOG
    subtitle = "Decisions, actions and observations recorded during a run. Corrections never erase an entry."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunInfo] = []
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)

        content = QWidget(self.body)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        run_caption = QLabel("&Run:", content)
        self.run_combo = QComboBox(content)
        self.run_combo.setObjectName("logRunSelector")
        self.run_combo.setAccessibleName("Run")
        self.run_combo.setMinimumContentsLength(28)
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        run_caption.setBuddy(self.run_combo)
        self.run_combo.currentIndexChanged.connect(self._show_run)
        self.search = QLineEdit(content)
        self.search.setObjectName("logSearch")
        self.search.setPlaceholderText("Search entries…")
        self.search.setAccessibleName("Search log entries")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon(icons.FILTER), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMaximumWidth(360)
        self.count_label = muted("", content)
        self.count_label.setWordWrap(False)
        bar.addWidget(run_caption)
        bar.addWidget(self.run_combo)
        bar.addSpacing(16)
        bar.addWidget(self.search, 1)
        bar.addStretch(0)
        bar.addWidget(self.count_label)
        content_layout.addLayout(bar)

        self.model = LogTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search.textChanged.connect(self._search)
        self.table = QTableView(content)
        setup_table(self.table, "Log entries")
        self.table.setModel(self.proxy)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, LOG_WIDTHS)
        self.entries_empty = EmptyState(
            "No log entries in this run",
            "Entries appear here as note-takers record decisions, actions and observations.", icons.DECISION_LOG)
        self.entries_stack = SwitchStack(self.table, self.entries_empty, content)
        content_layout.addWidget(self.entries_stack, 1)

        self.no_runs = EmptyState(
            "No runs yet",
            "The decision log belongs to a run of the exercise. Once a run has started, its entries appear here.",
            icons.DECISION_LOG)
        self.runs_stack = SwitchStack(content, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)
        self.setTabOrder(self.run_combo, self.search)
        self.setTabOrder(self.search, self.table)

    def refresh(self) -> None:
        self.runs = list(self.context.runs.list_runs()) if self.context is not None else []
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for run in self.runs:
            self.run_combo.addItem(run_label(run), run.id)
        self.run_combo.blockSignals(False)
        self.runs_stack.show_content(bool(self.runs))
        if self.runs:
            self.run_combo.setCurrentIndex(len(self.runs) - 1)
        self._show_run()

    def _show_run(self, *_args: object) -> None:
        run_id = self.run_combo.currentData()
        entries = self.context.log.entries(run_id) if self.context is not None and run_id else []
        self.model.set_entries(entries)
        self.entries_stack.show_content(bool(entries))
        self._update_count()

    def _search(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = "entry" if total == 1 else "entries"
        self.count_label.setText(f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} shown")

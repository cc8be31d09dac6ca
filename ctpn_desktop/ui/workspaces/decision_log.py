"""The decision log workspace: quick entry, the log of a run with filters, search and detail, corrections and
withdrawals, evaluation (observations, hot wash, improvement plan), syndicates and their answers, integrity check,
merge and CSV export.

Every change goes through the services, which commit before they return; the screen shows a row only after its
entry is on disk. The Log menu sits in the menu bar, so Ctrl+L reaches the entry bar from any page.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.entities import Evidence, EvidenceKind, LogEntry, RunInfo
from ctpn_desktop.core.errors import CtpnError, MergeRefused, RoomOffline
from ctpn_desktop.core.io.log_csv import write_log_csv
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.log import LogSummary
from ctpn_desktop.core.services.merge import merge_from

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.actions import ACTION_PERMISSIONS, LOG_SPECS, ActionId, gate, workspace_action
from ctpn_desktop.ui.dialogs.passphrase import PassphrasePrompts, QtPassphrasePrompts
from ctpn_desktop.ui.dialogs.prompts import show_error
from ctpn_desktop.ui.encryption import with_passphrase
from ctpn_desktop.ui.formatting import RUN_STATUS_LABELS, format_wall_time, run_label
from ctpn_desktop.ui.log.choices import RunChoices
from ctpn_desktop.ui.log.detail import EntryDetail
from ctpn_desktop.ui.log.evaluation import HotwashPane, ImprovementPlanPane, ObservationsPane
from ctpn_desktop.ui.log.files import LogFiles, QtLogFiles
from ctpn_desktop.ui.log.filters import LogFilter, LogFilterBar
from ctpn_desktop.ui.log.quick_entry import QuickEntryBar
from ctpn_desktop.ui.log.revise import CorrectionDialog, WithdrawDialog
from ctpn_desktop.ui.log.style import ok_colour, problem_colour
from ctpn_desktop.ui.log.syndicates import SyndicatesPane
from ctpn_desktop.ui.models import log
from ctpn_desktop.ui.models.log import LogTableModel
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, muted, set_column_widths, setup_table
from ctpn_desktop.ui.workspaces.base import Workspace

LOG_WIDTHS = {
    log.NUMBER: 5, log.LOGGED: 9, log.EXERCISE_TIME: 12, log.KIND: 10, log.DECISION_MAKER: 24,
    log.ORGANISATION: 14, log.TEXT: 60, log.RATIONALE: 36, log.LOGGED_BY: 20, log.REVISION: 13, log.SYNDICATE: 16,
}
LOG_TAB, OBSERVATIONS_TAB, HOTWASH_TAB, IMPROVEMENTS_TAB = range(4)
SYNDICATES_TAB = 4


def show_information(parent: QWidget, title: str, text: str, details: str = "") -> QMessageBox:
    """A result people should read (an integrity check passed, a merge report), without blocking."""
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("informationBox")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if details:
        box.setInformativeText(details)
    box.setAccessibleName(title)
    box.open()
    return box


_NOTICE_STYLE = """
QFrame#followNotice { background: #fff3c4; border: 1px solid #b58900; border-radius: 3px; }
QFrame#followNotice QLabel { color: #1a1a1a; background: transparent; }
QFrame#followNotice QPushButton { color: #1a1a1a; background: #ffffff; border: 1px solid #7a5c00;
                                  border-radius: 3px; padding: 3px 12px; }
QFrame#followNotice QPushButton:focus { border: 2px solid #000000; }
"""
"""Dark on amber in every theme, like the read-only banner: a choice that changes where entries go."""


def _run_choice_label(run: RunInfo) -> str:
    return f"{run_label(run)} — {RUN_STATUS_LABELS[run.status]}"


class DecisionLogWorkspace(Workspace):
    title = "Decision log"
    icon_name = icons.DECISION_LOG
    subtitle = "Decisions, actions and observations recorded during a run. Corrections never erase an entry."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunInfo] = []
        self.choices = RunChoices()
        self.files: LogFiles = QtLogFiles()
        self.passphrases: PassphrasePrompts = QtPassphrasePrompts()
        """Asks for the passphrase of an encrypted copy being merged."""
        self.revision_dialog: CorrectionDialog | WithdrawDialog | None = None
        self.last_box: QMessageBox | None = None
        self._menu: QMenu | None = None
        self._actions: dict[ActionId, QAction] = {}
        self._current_entry_id: str | None = None
        self._newest_first = False
        self._pending_entries: dict[str, LogEntry] = {}
        """Entries kept on this laptop while the room's server is away, until they reach the room."""
        self._pinned_run: str | None = None
        """A run the user chose on purpose: kept even when another run goes live (the page then says so)."""
        self._live_run: RunInfo | None = None

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)
        content = QWidget(self.body)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(8)

        bar = QHBoxLayout()
        run_caption = QLabel("R&un", content)
        self.run_combo = QComboBox(content)
        self.run_combo.setObjectName("logRunSelector")
        self.run_combo.setAccessibleName("Run")
        self.run_combo.setMinimumContentsLength(28)
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        run_caption.setBuddy(self.run_combo)
        self.run_combo.currentIndexChanged.connect(self._show_run)
        self.run_combo.activated.connect(self._run_chosen)
        self.integrity_label = muted("", content)
        self.integrity_label.setObjectName("integrityStatus")
        self.integrity_label.setWordWrap(False)
        bar.addWidget(run_caption)
        bar.addWidget(self.run_combo)
        bar.addSpacing(16)
        bar.addWidget(self.integrity_label, 1)
        self.count_label = muted("", content)
        self.count_label.setObjectName("logCount")
        self.count_label.setWordWrap(False)
        bar.addWidget(self.count_label)
        content_layout.addLayout(bar)

        self.follow_notice = QFrame(content)
        self.follow_notice.setObjectName("followNotice")
        self.follow_notice.setFrameShape(QFrame.Shape.StyledPanel)
        self.follow_notice.setStyleSheet(_NOTICE_STYLE)
        notice_layout = QHBoxLayout(self.follow_notice)
        notice_layout.setContentsMargins(10, 4, 6, 4)
        self.follow_text = QLabel("", self.follow_notice)
        self.follow_text.setObjectName("followText")
        self.follow_text.setWordWrap(True)
        self.follow_button = QPushButton("Follow the &Live Run", self.follow_notice)
        self.follow_button.setObjectName("followLiveRun")
        self.follow_button.clicked.connect(self.follow_live_run)
        notice_layout.addWidget(self.follow_text, 1)
        notice_layout.addWidget(self.follow_button)
        self.follow_notice.hide()
        content_layout.addWidget(self.follow_notice)

        self.tabs = QTabWidget(content)
        self.tabs.setObjectName("logTabs")
        self.tabs.setDocumentMode(True)
        content_layout.addWidget(self.tabs, 1)

        log_page = QWidget(self.tabs)
        log_layout = QVBoxLayout(log_page)
        log_layout.setContentsMargins(0, 8, 0, 0)
        log_layout.setSpacing(8)
        self.quick_entry = QuickEntryBar(log_page)
        log_layout.addWidget(self.quick_entry)
        self.filters = LogFilterBar(log_page)
        self.search = self.filters.search
        log_layout.addWidget(self.filters)
        self.filter_problem = QLabel("", log_page)
        self.filter_problem.setObjectName("filterProblem")
        self.filter_problem.hide()
        log_layout.addWidget(self.filter_problem)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, log_page)
        self.model = LogTableModel(parent=self)
        self.table = QTableView(self.splitter)
        setup_table(self.table, "Log entries")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(log.LOGGED, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.table, LOG_WIDTHS)
        header = self.table.horizontalHeader()
        header.moveSection(header.visualIndex(log.TEXT), header.visualIndex(log.DECISION_MAKER))
        self.entries_empty = EmptyState(
            "No log entries in this run",
            "Type in the bar above and press Enter: each entry is saved to the exercise file at once.",
            icons.DECISION_LOG)
        self.entries_stack = SwitchStack(self.table, self.entries_empty, self.splitter)
        self.detail = EntryDetail(self.splitter)
        self.splitter.addWidget(self.entries_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([820, 440])
        log_layout.addWidget(self.splitter, 1)
        self.tabs.addTab(log_page, icons.icon(icons.DECISION_LOG), "Log")

        self.observations = ObservationsPane(self.tabs)
        self.hotwash = HotwashPane(self.tabs)
        self.improvements = ImprovementPlanPane(self.tabs)
        self.tabs.addTab(self.observations, icons.icon(icons.OBJECTIVES), "Observations")
        self.tabs.addTab(self.hotwash, "Hot wash")
        self.tabs.addTab(self.improvements, "Improvement plan")
        self.syndicates = SyndicatesPane(lambda parent, folder: self.files.merge_source(parent, folder), self.tabs)
        self.tabs.addTab(self.syndicates, icons.icon(icons.ORGANISATIONS), "Syndicates")
        self.syndicates.changed.connect(self._syndicates_written)
        self.syndicates.merged.connect(lambda _report: self.refresh())

        self.no_runs = EmptyState(
            "No runs yet",
            "The decision log belongs to a run of the exercise. Once a run has started, its entries appear here.",
            icons.DECISION_LOG)
        self.runs_stack = SwitchStack(content, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)

        self.quick_entry.committed.connect(self._entry_committed)
        self.observations.added.connect(self._selection_changed)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.filters.changed.connect(self.reload_entries)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.detail.correct_requested.connect(self.correct_selected)
        self.detail.withdraw_requested.connect(self.withdraw_selected)
        correct_key = QShortcut(QKeySequence(Qt.Key.Key_F2), self.table)
        correct_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        correct_key.activated.connect(self.correct_selected)
        self.setTabOrder(self.run_combo, self.tabs)

    def _tab_changed(self, index: int) -> None:
        if index == OBSERVATIONS_TAB:
            self.observations.refresh_evidence()  # entries logged since are there to cite

    # Menu ------------------------------------------------------------------------------------------------
    def menu(self) -> QMenu | None:
        if self._menu is None:
            menu = QMenu("&Log", self)
            menu.setObjectName("logMenu")
            handlers = {
                ActionId.LOG_ENTRY: self.focus_quick_entry,
                ActionId.LOG_CORRECT: self.correct_selected,
                ActionId.LOG_WITHDRAW: self.withdraw_selected,
                ActionId.LOG_FIND: self.focus_search,
                ActionId.LOG_OBSERVATIONS: lambda: self.show_tab(OBSERVATIONS_TAB),
                ActionId.LOG_HOTWASH: lambda: self.show_tab(HOTWASH_TAB),
                ActionId.LOG_IMPROVEMENTS: lambda: self.show_tab(IMPROVEMENTS_TAB),
                ActionId.LOG_SYNDICATES: lambda: self.show_tab(SYNDICATES_TAB),
                ActionId.LOG_VERIFY: self.verify,
                ActionId.LOG_MERGE: self.merge,
                ActionId.LOG_EXPORT_CSV: self.export_csv,
            }
            separators_after = {ActionId.LOG_FIND, ActionId.LOG_SYNDICATES}
            for action_id, spec in LOG_SPECS.items():
                action = workspace_action(menu, action_id, spec)
                action.triggered.connect(lambda _checked=False, run=handlers[action_id]: run())
                menu.addAction(action)
                self._actions[action_id] = action
                if action_id in separators_after:
                    menu.addSeparator()
            self._menu = menu
            self._update_actions()
        return self._menu

    def global_actions(self) -> list[QAction]:
        return [self.action(ActionId.LOG_ENTRY)]

    def show_syndicates(self) -> None:
        """The Syndicates tab, with the answer box ready (the plenary read-back step of Conduct comes here)."""
        self.show_tab(SYNDICATES_TAB)
        self.syndicates.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def action(self, action_id: ActionId) -> QAction:
        self.menu()
        return self._actions[action_id]

    def _update_actions(self) -> None:
        has_run = self.context is not None and self.run_id is not None
        needs_run = (ActionId.LOG_CORRECT, ActionId.LOG_WITHDRAW, ActionId.LOG_FIND, ActionId.LOG_EXPORT_CSV)
        for action_id, action in self._actions.items():
            action.setEnabled(self.context is not None and (has_run or action_id not in needs_run))
        gate(self._actions.items(), ACTION_PERMISSIONS, self.station)
        self.quick_entry.setEnabled(self.allows(Permission.LOG))
        for pane in (self.observations, self.hotwash, self.improvements):
            if not self.allows(Permission.EVALUATE):
                pane.setEnabled(False)

    def refresh_icons(self) -> None:
        super().refresh_icons()
        self.entries_empty.refresh_icon()
        self.no_runs.refresh_icon()
        self.tabs.setTabIcon(LOG_TAB, icons.icon(icons.DECISION_LOG))
        self.tabs.setTabIcon(OBSERVATIONS_TAB, icons.icon(icons.OBJECTIVES))
        self.tabs.setTabIcon(SYNDICATES_TAB, icons.icon(icons.ORGANISATIONS))
        for action_id, action in self._actions.items():
            name = LOG_SPECS[action_id].icon
            if name:
                action.setIcon(icons.icon(name))
        # The documents carry colours of the palette they were drawn with: draw them again in the new one.
        self.detail.show_entry(self.detail.entry, self.choices, self.detail.citations)
        for pane in (self.observations, self.hotwash, self.improvements, self.syndicates):
            pane.reload()

    # Navigation ------------------------------------------------------------------------------------------
    def _bring_forward(self) -> None:
        """Show this page through the main window's own navigation action, so its list follows."""
        go = self.window().findChild(QAction, "action_go_decision_log")
        if go is not None:
            go.trigger()

    def show_tab(self, index: int) -> None:
        self._bring_forward()
        self.tabs.setCurrentIndex(index)

    def focus_quick_entry(self) -> None:
        if self.context is None:
            return
        self.show_tab(LOG_TAB)
        if self.run_id is None:
            self.window().statusBar().showMessage(  # type: ignore[attr-defined]
                "Start a run in Conduct first: log entries belong to a run.", 8000)
            return
        self.quick_entry.focus_entry()

    def cite_in_new_observation(self, run_id: str, evidence: Evidence) -> None:
        """The Observations tab of ``run_id`` with a new observation that cites ``evidence`` (a replay bookmark)."""
        if self.context is None:
            return
        if run_id != self.run_id:
            index = self.run_combo.findData(run_id)
            if index < 0:
                return
            self.run_combo.setCurrentIndex(index)
            self._run_chosen()  # chosen on purpose: it stays shown when another run goes live
        self.show_tab(OBSERVATIONS_TAB)
        if not self.allows(Permission.EVALUATE):
            return
        self.observations.cite_in_new_observation(evidence)

    def focus_search(self) -> None:
        self.show_tab(LOG_TAB)
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    # Runs ------------------------------------------------------------------------------------------------
    @property
    def run_id(self) -> str | None:
        value = self.run_combo.currentData()
        return value if isinstance(value, str) else None

    def refresh(self) -> None:
        self._fill_runs()
        self.integrity_label.clear()
        self._show_run()

    def _fill_runs(self) -> bool:
        """List the runs again and show the one to log into: the run chosen on purpose, else the live run, else
        the one shown, else the newest. True when that is another run than before."""
        chosen = self.run_id
        context = self.context
        self.runs = list(context.runs.list_runs()) if context is not None else []
        self._live_run = context.runs.live_run() if context is not None else None
        ids = [run.id for run in self.runs]
        if self._pinned_run not in ids:
            self._pinned_run = None
        if self._pinned_run is not None:
            target: str | None = self._pinned_run
        elif self._live_run is not None:
            target = self._live_run.id
        elif chosen in ids:
            target = chosen
        else:
            target = ids[-1] if ids else None
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for run in self.runs:
            self.run_combo.addItem(_run_choice_label(run), run.id)
        self.run_combo.setCurrentIndex(self.run_combo.findData(target) if target else -1)
        self.run_combo.blockSignals(False)
        self.runs_stack.show_content(bool(self.runs))
        self._update_follow_notice()
        return target != chosen

    def _run_chosen(self, *_args: object) -> None:
        """The user picked a run: it stays shown until they pick again, even when another run goes live."""
        live = self._live_run.id if self._live_run is not None else None
        self._pinned_run = self.run_id if self.run_id != live else None
        self._update_follow_notice()

    def follow_live_run(self) -> None:
        self._pinned_run = None
        if self._fill_runs():
            self._show_run()

    def _update_follow_notice(self) -> None:
        live, shown = self._live_run, self.run_id
        if live is None or shown is None or live.id == shown:
            self.follow_notice.hide()
            return
        run = next((r for r in self.runs if r.id == shown), None)
        state = RUN_STATUS_LABELS[run.status].lower() if run is not None else "not live"
        text = (f"You chose {run_label(run) if run else 'another run'} ({state}), so new entries go into it. "
                f"The live run is {run_label(live)}.")
        self.follow_text.setText(text)
        self.follow_notice.setAccessibleName(text)
        self.follow_notice.show()

    def document_changed(self, changes: Changes) -> None:
        """Follow the live run, the run's releases (the linked-inject default), its log and its evaluation."""
        if changes.touches(Topic.RUNS, Topic.CLOCK) and self._fill_runs():
            self._show_run()
            return
        run_id = self.run_id
        if run_id is None or not changes.concerns_run(run_id):
            return
        if changes.touches(Topic.INJECT_EVENTS):
            self._refresh_choices()
        if changes.touches(Topic.LOG):
            self._follow_log(changes)
        if changes.touches(Topic.SYNDICATES):
            self._show_run()
        if changes.touches(Topic.EVALUATION):
            for pane in (self.observations, self.hotwash, self.improvements):
                pane.reload()
            if self.detail.entry is not None:  # which observations cite the entry shown may have changed
                self._selection_changed()

    def _syndicates_written(self) -> None:
        """The syndicates tab wrote: hear it now, as every page does, rather than at the next turn of the loop."""
        if self.context is not None:
            self.context.live.flush()

    def _show_run(self, *_args: object) -> None:
        context, run_id = self.context, self.run_id
        self.choices = self._build_choices()
        self._show_syndicates()
        self.syndicates.set_run(context if run_id else None, run_id, self.choices)
        self.quick_entry.set_run(context if run_id else None, run_id, self.choices)
        self.filters.set_choices(self.choices)
        for pane in (self.observations, self.hotwash, self.improvements):
            pane.set_run(context if run_id else None, run_id, self.choices)
        self.reload_entries()
        self._update_actions()
        self._update_follow_notice()

    def _build_choices(self) -> RunChoices:
        context, run_id = self.context, self.run_id
        if context is None or run_id is None:
            return RunChoices()
        return RunChoices.build(context.runs.frozen_scenario(run_id), context.runs.adhoc_injects(run_id),
                                context.runs.events(run_id), context.log.organisations(run_id),
                                context.syndicates.syndicates(run_id), context.device_id)

    def _show_syndicates(self) -> None:
        """The table names each entry's syndicate (the one it names, else its laptop's) when the run has any."""
        choices = self.choices
        self.model.syndicate_of = lambda row: choices.syndicate_name(choices.syndicate_of(row.syndicate_id,
                                                                                          row.device_id))
        self.table.setColumnHidden(log.SYNDICATE, not choices.syndicates)

    def _refresh_choices(self) -> None:
        """New releases, ad-hoc injects or organisations: offer them, keeping what is typed and chosen."""
        self.choices = self._build_choices()
        self._show_syndicates()
        self.quick_entry.set_run(self.context, self.run_id, self.choices)
        self.filters.set_choices(self.choices)

    def _follow_log(self, changes: Changes) -> None:
        """Show entries written elsewhere (or here) without reading the whole log again when they are few."""
        records = changes.row_ids("log_record")
        context, run_id = self.context, self.run_id
        if records is None or context is None or run_id is None:
            self.reload_entries()
            return
        wanted = self.current_filter()
        touched, fresh = context.log.changed_summaries(
            run_id, records, wanted.query, kinds=[wanted.kind] if wanted.kind else None,
            organisation=wanted.organisation, objective_id=wanted.objective_id, inject_id=wanted.inject_id,
            since_s=wanted.since_s, until_s=wanted.until_s, syndicate=wanted.syndicate)
        if not touched:
            return
        keep = self._current_entry_id
        for entry_id in touched:
            self._pending_entries.pop(entry_id, None)
        self.model.replace_entries(touched, fresh)
        if any(row.organisation and row.organisation not in self.choices.organisations for row in fresh):
            self._refresh_choices()
        self.entries_stack.show_content(self.model.rowCount() > 0)
        self._fit_logged_column()
        self._update_count()
        if keep is not None:
            self.select_entry(keep)
            if keep in touched:
                self._selection_changed()

    # Entries ---------------------------------------------------------------------------------------------
    def current_filter(self) -> LogFilter:
        return self.filters.values()

    def reload_entries(self, *_args: object, select: str | None = None) -> None:
        """Ask the log service for what the filters select and show it, keeping the selected entry if it is there."""
        keep = select or self._current_entry_id
        problem = self.filters.problem()
        self.filter_problem.setVisible(problem is not None)
        if problem:
            self.filter_problem.setText(problem)
            self.filter_problem.setStyleSheet(f"color: {problem_colour(self)};")
        wanted = self.current_filter()
        rows: list[LogSummary] = []
        if self.context is not None and self.run_id is not None:
            try:
                rows = self.context.log.summaries(
                    self.run_id, wanted.query, kinds=[wanted.kind] if wanted.kind else None,
                    organisation=wanted.organisation, objective_id=wanted.objective_id, inject_id=wanted.inject_id,
                    since_s=wanted.since_s, until_s=wanted.until_s, syndicate=wanted.syndicate)
            except RoomOffline:
                self.window().statusBar().showMessage(  # type: ignore[attr-defined]
                    "The room's server cannot be reached: the log shows what it had; it is read again when the "
                    "server is back", 8000)
                return
            arrived = {row.entry_id for row in rows}
            for entry_id in arrived & set(self._pending_entries):
                del self._pending_entries[entry_id]
            rows.extend(LogSummary.of(entry) for entry in self._pending_entries.values()
                        if entry.current.run_id == self.run_id)
        self._apply_order()
        self.model.set_entries(rows)
        self._fit_logged_column()
        if wanted.active and not rows:
            self.entries_empty.set_text("No entries match", "Change or clear the filters to see more of the log.")
        else:
            self.entries_empty.set_text(
                "No log entries in this run",
                "Type in the bar above and press Enter: each entry is saved to the exercise file at once.")
        self.entries_stack.show_content(bool(rows))
        self._update_count()
        if keep:
            self.select_entry(keep)

    def _fit_logged_column(self) -> None:
        """Wide enough for a date too, when the entries were logged on more than one day."""
        set_column_widths(self.table, {log.LOGGED: LOG_WIDTHS[log.LOGGED] + (7 if self.model.dated else 0)})

    def _apply_order(self) -> None:
        """Oldest or newest first, when that choice changes; a click on a column header sorts by that column."""
        newest = self.filters.newest_first
        if newest != self._newest_first:
            self._newest_first = newest
            order = Qt.SortOrder.DescendingOrder if newest else Qt.SortOrder.AscendingOrder
            self.table.horizontalHeader().setSortIndicator(log.LOGGED, order)
            self.model.sort(log.LOGGED, order)

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        noun = "entry" if shown == 1 else "entries"
        if self.current_filter().active:
            self.count_label.setText(f"{shown} {noun} match")
        else:
            self.count_label.setText(f"{shown} {noun}")

    def select_entry(self, entry_id: str) -> None:
        row = self.model.row_of(entry_id)
        if row is None:
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, log.TEXT))

    def _selection_changed(self, *_args: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry: LogEntry | None = None
        if rows and self.context is not None:
            summary = self.model.entry_at(rows[0].row())
            if summary.pending:
                entry = self._pending_entries.get(summary.entry_id)
            else:
                try:
                    entry = self.context.log.entry(summary.entry_id)
                except RoomOffline:
                    self.window().statusBar().showMessage(  # type: ignore[attr-defined]
                        "The room's server cannot be reached: the entry's details are shown when it is back", 8000)
        self._current_entry_id = entry.entry_id if entry else None
        citations = []
        if entry is not None and not entry.current.pending and self.context is not None and self.run_id is not None:
            with contextlib.suppress(RoomOffline):
                citations = self.context.evaluation.citations(self.run_id, EvidenceKind.LOG_ENTRY, entry.entry_id)
        self.detail.show_entry(entry, self.choices, citations)

    def _entry_committed(self, entry: LogEntry) -> None:
        """The entry is on disk: show its row (in place when no filter hides it) and select it."""
        if entry.current.pending:  # kept on this laptop: the room cannot be asked for it now
            self._pending_entries[entry.entry_id] = entry
            self.model.add(LogSummary.of(entry))
            self.entries_stack.show_content(True)
            self._update_count()
        elif entry.current.organisation and entry.current.organisation not in self.choices.organisations:
            self._show_run()
        elif self.current_filter().active:
            self.reload_entries()
        else:
            self.model.add(LogSummary.of(entry))
            self.entries_stack.show_content(True)
            self._update_count()
        self._current_entry_id = entry.entry_id
        self.select_entry(entry.entry_id)
        self.quick_entry.focus_entry()

    # Corrections -----------------------------------------------------------------------------------------
    def _selected_entry(self) -> LogEntry | None:
        if self.context is None or self._current_entry_id is None:
            return None
        return self.context.log.entry(self._current_entry_id)

    def correct_selected(self) -> None:
        entry = self._selected_entry()
        if entry is None or self.context is None:
            self._say_no_selection()
            return
        if entry.current.withdrawn:
            show_error(self, "Entry withdrawn", f"Entry {entry.current.entry_number} was withdrawn and cannot be "
                                                "corrected.", "It stays in the log, struck through.")
            return
        dialog = CorrectionDialog(self.context.log, entry, self.choices, self)
        self._open_revision(dialog)

    def withdraw_selected(self) -> None:
        entry = self._selected_entry()
        if entry is None or self.context is None:
            self._say_no_selection()
            return
        if entry.current.withdrawn:
            show_error(self, "Already withdrawn", f"Entry {entry.current.entry_number} is already withdrawn.")
            return
        self._open_revision(WithdrawDialog(self.context.log, entry, self))

    def _open_revision(self, dialog: CorrectionDialog | WithdrawDialog) -> None:
        self.revision_dialog = dialog
        dialog.revised.connect(self._revised)
        dialog.finished.connect(self._revision_closed)
        dialog.open()
        dialog.reason.setFocus() if isinstance(dialog, WithdrawDialog) else dialog.form.text.setFocus()

    def _revision_closed(self, *_args: object) -> None:
        self.revision_dialog = None
        self.table.setFocus()

    def _revised(self, entry: LogEntry) -> None:
        self.reload_entries(select=entry.entry_id)
        self.select_entry(entry.entry_id)

    def _say_no_selection(self) -> None:
        self.last_box = show_error(self, "No entry selected", "Select an entry in the log first.",
                                   "Corrections and withdrawals apply to the entry selected in the table.")

    # Integrity, merge, export ----------------------------------------------------------------------------
    def verify(self) -> None:
        if self.context is None:
            return
        report = self.context.log.verify()
        checked = format_wall_time(self.context.time_source.wall(), with_date=False)
        if report.ok:
            self.integrity_label.setText(f"Log intact: {report.records_checked} records in {report.chains} "
                                         f"chain(s), checked {checked}")
            self.integrity_label.setStyleSheet(f"color: {ok_colour(self)};")
            self.last_box = show_information(
                self, "Log integrity", "The decision log is intact.",
                f"{report.records_checked} records in {report.chains} chain(s) match their hashes; nothing was "
                "changed, removed or inserted behind the application's back.")
            return
        first = f"entry {report.first_bad_entry_number}"
        self.integrity_label.setText(f"Log integrity FAILED at {first} (checked {checked})")
        self.integrity_label.setStyleSheet(f"color: {problem_colour(self)}; font-weight: 600;")
        self.last_box = show_error(
            self, "Log integrity check failed",
            f"The decision log does not match its hashes. The first entry that does not match is {first}.",
            "\n".join(report.problems) + "\n\nThe file was changed outside CTPN Desktop, or damaged. Keep it as it "
            "is and compare it with a copy from another laptop or a backup.")
        if report.first_bad_entry_number is not None:
            for row in range(self.model.rowCount()):
                if self.model.entry_at(row).record_id == report.first_bad_record_id:
                    self.table.selectRow(row)

    def merge(self) -> None:
        if self.context is None:
            return
        document = self.context.document
        other = self.files.merge_source(self, document.path.parent)
        if other is None:
            return
        try:
            report = with_passphrase(self.passphrases, self, Path(other), lambda passphrase: merge_from(
                document, Path(other), passphrase=passphrase))
            if report is None:  # the other copy's passphrase was not given
                return
        except MergeRefused as error:
            self.last_box = show_error(self, "Merge refused", f"Nothing was merged from “{Path(other).name}”.",
                                       error.reason[:1].upper() + error.reason[1:] + ".")
            return
        except CtpnError as error:
            problem = getattr(error, "problem", str(error))
            self.last_box = show_error(self, "Merge refused", f"“{Path(other).name}” could not be merged.",
                                       f"{problem}. Nothing in this exercise was changed.")
            return
        self.refresh()
        self.last_box = show_information(self, "Logs merged" if report.changed else "Nothing new to merge",
                                         report.describe())

    def export_csv(self) -> None:
        if self.context is None or self.run_id is None:
            return
        document = self.context.document
        run = self.context.runs.run(self.run_id)
        suggested = document.path.with_name(f"{document.path.stem} – run {run.number} log.csv")
        target = self.files.csv_target(self, suggested)
        if target is None:
            return
        try:
            written = write_log_csv(target, self.context.log.entries(self.run_id),
                                    self.context.runs.frozen_scenario(self.run_id))
        except CtpnError as error:
            self.last_box = show_error(self, "Export failed", f"The log could not be written to “{target.name}”.",
                                       str(getattr(error, "problem", error)))
            return
        self.window().statusBar().showMessage(  # type: ignore[attr-defined]
            f"Exported {written} revision rows to {target}", 8000)
        self.last_box = show_information(self, "Log exported", f"{written} rows written to “{target.name}”.",
                                         "One row per revision: corrections and withdrawals are rows of their own.")

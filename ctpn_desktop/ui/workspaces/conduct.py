"""The conduct workspace: the facilitator's screen on the day.

Runs on the left (start one, reopen one, discard a rehearsal); for the open run the clock panel, a banner for
whatever is due, the inject queue, and tabs with the timeline, the selected inject, the history and the
frozen MSEL. A presenter display can be put full screen on another screen for the players.

Every command goes through `RunService`, which commits before it returns; the screen changes only after that,
so what it shows as done is on disk. The clock label is refreshed by a timer but its value is always read
from the clock (persisted anchors and a monotonic source), never counted from the timer's ticks.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from datetime import datetime

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import format_countdown, format_elapsed
from ctpn_desktop.core.entities import AdhocInject, Inject, InjectEvent, InjectEventKind, RunInfo, RunStatus, Scenario
from ctpn_desktop.core.errors import CtpnError, RoomOffline
from ctpn_desktop.core.timeline import InjectState, QueueRow, Timeline, current_phase, next_phase, phase_schedule

from ctpn_desktop.ui import icons, preferences
from ctpn_desktop.ui.actions import gate
from ctpn_desktop.ui.conduct.actions import RUN_PERMISSIONS, RunAction, RunActions
from ctpn_desktop.ui.conduct.clock_panel import ClockPanel, action_button
from ctpn_desktop.ui.conduct.dialogs import (
    AdhocDialog,
    CompressionDialog,
    DeferDialog,
    NewRunDialog,
    ReasonDialog,
    TimeDialog,
)
from ctpn_desktop.ui.conduct.presenter import (
    STAND_BY,
    PresenterSlide,
    PresenterWindow,
    SlideKind,
    adhoc_slide,
    halt_slide,
    inject_slide,
    phase_slide,
    plenary_slide,
    screen_names,
)
from ctpn_desktop.ui.conduct.queue import INJECT_ID_ROLE, TITLE, WIDTHS, QueueFilter, QueueModel
from ctpn_desktop.ui.conduct.replay import ReplayWindow, open_replay
from ctpn_desktop.ui.conduct.sound import DueChime
from ctpn_desktop.ui.conduct.timeline_view import TimelineMark, TimelineView
from ctpn_desktop.ui.dialogs.prompts import show_error
from ctpn_desktop.ui.formatting import RUN_STATUS_LABELS, format_wall_time, run_label
from ctpn_desktop.ui.models.msel import EMPTY_SCENARIO, MselFilterProxy, MselTableModel
from ctpn_desktop.ui.reflow import ButtonStrip, ColumnsLayout, FlowLayout, side_by_side
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, heading, set_column_widths, setup_table, setup_tree
from ctpn_desktop.ui.workspaces.base import Workspace
from ctpn_desktop.ui.workspaces.scenario import MSEL_WIDTHS

RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HALT_REASON = "Stop phrase called: real-world emergency"
TAB_ICONS = (icons.TIMELINE, icons.INJECTS, icons.CLOCK, icons.SCENARIO)
"""The run tabs in order: Timeline, Selected inject, History, Injects as frozen."""
LEFT_BEHIND = frozenset({InjectState.PENDING, InjectState.DUE, InjectState.OVERDUE, InjectState.WAITING})
"""States of an inject a phase change leaves behind; held-back contingencies were never meant to go out."""
SKIPPED_AT_PHASE_CHANGE = "skipped at phase change"
TICK_MS = 50
"""How often the clock label is re-read: well inside the 100 ms it may lag the true time."""
SLOW_TICK_S = 0.25
"""How often the queue, banner and timeline follow the clock (and every time the exercise second changes)."""

EVENT_LABELS: dict[InjectEventKind, str] = {
    InjectEventKind.RELEASED: "Released",
    InjectEventKind.SKIPPED: "Skipped",
    InjectEventKind.DEFERRED: "Deferred",
    InjectEventKind.RETIMED: "Re-timed",
    InjectEventKind.PHASE_STARTED: "Phase started",
}
LANES_BY_PHASE, LANES_BY_ORGANISATION = "phase", "organisation"
_PLAYING = frozenset({RunStatus.RUNNING, RunStatus.PAUSED})
_IN_PLAY = _PLAYING | {RunStatus.HALTED}


def format_story_time(value: object) -> str:
    return value.strftime("%a %d %b %H:%M:%S") if hasattr(value, "strftime") else "—"


class DueBanner(QFrame):
    """A strip that cannot be missed while anything is due: amber, red when overdue, flashing."""

    def __init__(self, release: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueBanner")
        self.setAccessibleName("Due injects")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        self.label = QLabel("", self)
        self.label.setObjectName("dueText")
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        font = self.label.font()
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.25)
        self.label.setFont(font)
        layout.addWidget(self.label, 1)
        self.release_button = QToolButton(self)
        self.release_button.setDefaultAction(release)
        self.release_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout.addWidget(self.release_button)
        self.overdue = False
        self.flash = False
        self.hide()

    def show_due(self, text: str, overdue: bool, flash: bool) -> None:
        if text != self.label.text():
            self.label.setText(text)
            self.setAccessibleDescription(text)
        if (overdue, flash) != (self.overdue, self.flash) or not self.styleSheet():
            self.overdue, self.flash = overdue, flash
            if overdue:
                background, border, colour = ("#c62828", "#ffffff", "#ffffff") if flash else \
                    ("#8e0000", "#ffbf00", "#ffffff")
            else:
                background, border, colour = ("#ffb300", "#1a1a1a", "#1a1a1a") if flash else \
                    ("#ffe08a", "#ff8f00", "#1a1a1a")
            self.setStyleSheet(f"QFrame#dueBanner {{ background: {background}; border: 3px solid {border}; "
                               f"border-radius: 6px; }} QFrame#dueBanner QLabel {{ color: {colour}; }}")
        self.show()


class ConductWorkspace(Workspace):
    title = "Conduct"
    icon_name = icons.CONDUCT
    subtitle = "Run the exercise: the clock, injects as they fall due, the timeline and the presenter display."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunInfo] = []
        self.run: RunInfo | None = None
        self.scenario: Scenario = EMPTY_SCENARIO
        self.timeline = Timeline(())
        self.events: list[InjectEvent] = []
        self.adhocs: list[AdhocInject] = []
        self.presenter: PresenterWindow | None = None
        self.presenter_slide: PresenterSlide = STAND_BY
        self.replays: list[ReplayWindow] = []
        self._pending_events: list[InjectEvent] = []
        """Events kept on this laptop while the room's server is away, until they reach the room."""
        self._known_phase_events: set[str] | None = None
        """Phase-started events already seen in the run shown; None until its events are first read."""
        self._history_keys: list[datetime] = []
        """When each line of the history happened, in the order shown (to put a new event in its place)."""
        self._history_events: set[str] = set()
        """The events the history shows."""
        self._history_widths = [0, 0, 0, 0]
        """The widest text of the history's first columns, which are sized to their contents."""
        self.chime = DueChime(self)
        self.active_dialog: QDialog | None = None
        self.cues = 0
        """How many times an inject newly fell due and the cue (banner flash, chime if on) was given."""
        self._actionable: set[str] = set()
        self._last_second: int | None = None
        self._last_slow = -math.inf
        self._sound_on = False
        self.actions = RunActions(self)
        for _action_id, action in self.actions:
            self.addAction(action)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self._build()
        self._connect()
        self._update_actions()

    # Construction ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        a = self.actions
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal, self.body)
        self.splitter = splitter

        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(heading("Runs", 2, left))
        self.runs_tree = QTreeWidget(left)
        self.runs_tree.setObjectName("runsList")
        setup_tree(self.runs_tree, "Runs", ["Run", "Status"])
        self.runs_tree.header().setStretchLastSection(False)
        self.runs_tree.header().setSectionResizeMode(0, self.runs_tree.header().ResizeMode.Stretch)
        left_layout.addWidget(self.runs_tree, 1)
        run_buttons = QWidget(left)
        run_buttons_layout = ColumnsLayout(run_buttons, min_columns=1, max_columns=2)
        for action_id in (RunAction.NEW_RUN, RunAction.DISCARD, RunAction.REPLAY):
            button = QToolButton(run_buttons)
            button.setDefaultAction(a[action_id])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            run_buttons_layout.addWidget(button)
        left_layout.addWidget(run_buttons)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.setSpacing(8)
        # The presenter's state and buttons move under the run's name when the window is narrow.
        title_row = FlowLayout(spacing=16)
        self.run_title = heading("", 2, right)
        title_row.addWidget(self.run_title)
        self.feedback_label = QLabel("", right)
        self.feedback_label.setObjectName("feedback")
        self.feedback_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        title_row.addWidget(self.feedback_label)
        self.presenter_state = QLabel("", right)
        self.presenter_state.setProperty("muted", True)
        self.presenter_state.setObjectName("presenterState")
        presenter_buttons = ButtonStrip(right)
        presenter_button = QToolButton(right)
        presenter_button.setDefaultAction(a[RunAction.PRESENTER])
        presenter_buttons.add(presenter_button)
        presenter_buttons.add(action_button(a[RunAction.STAND_BY], "Stand by", right))
        title_row.addWidget(side_by_side(right, self.presenter_state, presenter_buttons, spacing=8))
        right_layout.addLayout(title_row)

        self.clock_panel = ClockPanel({
            "start": a[RunAction.START], "pause": a[RunAction.PAUSE], "resume": a[RunAction.RESUME],
            "end": a[RunAction.END], "next_inject": a[RunAction.NEXT_INJECT], "next_phase": a[RunAction.NEXT_PHASE],
            "adjust": a[RunAction.ADJUST], "halt": a[RunAction.HALT]}, right)
        right_layout.addWidget(self.clock_panel)
        self.halt_notice = QLabel("", right)
        self.halt_notice.setObjectName("haltNotice")
        self.halt_notice.setWordWrap(True)
        self.halt_notice.setStyleSheet("QLabel#haltNotice { background: #b00000; color: #ffffff; padding: 10px; "
                                       "border-radius: 6px; font-weight: bold; }")
        self.halt_notice.hide()
        right_layout.addWidget(self.halt_notice)
        self.due_banner = DueBanner(a[RunAction.RELEASE], right)
        right_layout.addWidget(self.due_banner)

        vertical = QSplitter(Qt.Orientation.Vertical, right)
        queue_box = QWidget(vertical)
        queue_layout = QVBoxLayout(queue_box)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_bar = QHBoxLayout()
        queue_bar.addWidget(heading("Inject queue", 3, queue_box))
        self.show_done_check = QCheckBox("Show released and skipped", queue_box)
        queue_bar.addWidget(self.show_done_check)
        queue_bar.addStretch(1)
        self.queue_buttons = ButtonStrip(queue_box)
        for action_id, text in ((RunAction.RELEASE, "Release"), (RunAction.SKIP, "Skip…"),
                                (RunAction.DEFER, "Defer…"), (RunAction.RETIME, "Re-time…"),
                                (RunAction.ADHOC, "Ad-hoc…")):
            self.queue_buttons.add(action_button(a[action_id], text, queue_box))
        queue_bar.addWidget(self.queue_buttons)
        queue_layout.addLayout(queue_bar)
        self.queue_view = QTableView(queue_box)
        setup_table(self.queue_view, "Inject queue")
        self.queue_view.setSortingEnabled(False)
        self.queue_view.horizontalHeader().setSectionsMovable(False)
        self.queue_model = QueueModel(self)
        self.queue_proxy = QueueFilter(self)
        self.queue_proxy.setSourceModel(self.queue_model)
        self.queue_view.setModel(self.queue_proxy)
        set_column_widths(self.queue_view, WIDTHS, stretch=TITLE)
        queue_layout.addWidget(self.queue_view, 1)

        self.run_tabs = QTabWidget(vertical)
        self.run_tabs.setDocumentMode(True)
        self.run_tabs.setAccessibleName("Selected run")
        timeline_box = QWidget(self.run_tabs)
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.setContentsMargins(0, 4, 0, 0)
        timeline_bar = QHBoxLayout()
        timeline_bar.addWidget(QLabel("Lanes by:", timeline_box))
        self.lanes_combo = QComboBox(timeline_box)
        self.lanes_combo.setAccessibleName("Timeline lanes")
        self.lanes_combo.addItem("Phase", LANES_BY_PHASE)
        self.lanes_combo.addItem("Organisation", LANES_BY_ORGANISATION)
        timeline_bar.addWidget(self.lanes_combo)
        timeline_bar.addStretch(1)
        self.timeline_view = TimelineView(timeline_box)
        for text, tip, slot in (("−", "Zoom out (-)", lambda: self.timeline_view.zoom_by(0.8)),
                                ("+", "Zoom in (+)", lambda: self.timeline_view.zoom_by(1.25)),
                                ("Fit", "Show the whole exercise (0)", self.timeline_view.fit_all),
                                ("Now", "Follow the now-line (N)", self._timeline_now)):
            button = QPushButton(text, timeline_box)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.setFixedWidth(max(40, button.fontMetrics().horizontalAdvance(text) + 24))
            button.clicked.connect(slot)
            timeline_bar.addWidget(button)
        legend = QLabel("◇ planned   ● released   ┆ re-timed   │ now", timeline_box)
        legend.setProperty("muted", True)
        timeline_bar.addWidget(legend)
        timeline_layout.addLayout(timeline_bar)
        timeline_layout.addWidget(self.timeline_view, 1)

        self.details = QTextBrowser(self.run_tabs)
        self.details.setObjectName("injectDetails")
        self.details.setAccessibleName("Selected inject, controller's view")
        self.details.setOpenLinks(False)
        self.events_tree = QTreeWidget(self.run_tabs)
        self.events_tree.setObjectName("eventsList")
        setup_tree(self.events_tree, "Run history",
                   ["Wall time", "Exercise time", "Scenario time", "What", "Inject or reason", "By", "Note"])
        self.events_empty = EmptyState(
            "Nothing recorded yet", "Clock actions and what happens to each inject are listed here as they "
            "happen.", icons.CLOCK)
        self.events_stack = SwitchStack(self.events_tree, self.events_empty, self.run_tabs)
        self.frozen_view = QTableView(self.run_tabs)
        setup_table(self.frozen_view, "Injects as frozen for this run")
        self.frozen_model = MselTableModel(EMPTY_SCENARIO)
        self.frozen_proxy = MselFilterProxy(self)
        self.frozen_proxy.setSourceModel(self.frozen_model)
        self.frozen_view.setModel(self.frozen_proxy)
        self.frozen_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.frozen_view, MSEL_WIDTHS)
        self.timeline_tab = self.run_tabs.addTab(timeline_box, icons.icon(TAB_ICONS[0]), "Timeline")
        self.details_tab = self.run_tabs.addTab(self.details, icons.icon(TAB_ICONS[1]), "Selected inject")
        self.events_tab = self.run_tabs.addTab(self.events_stack, icons.icon(TAB_ICONS[2]), "History")
        self.frozen_tab = self.run_tabs.addTab(self.frozen_view, icons.icon(TAB_ICONS[3]), "Injects as frozen")
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 2)
        vertical.setSizes([600, 400])  # the queue comes first on a short screen too
        vertical.setChildrenCollapsible(False)
        right_layout.addWidget(vertical, 1)

        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([250, 1150])
        splitter.setChildrenCollapsible(False)
        self.no_runs = EmptyState(
            "No runs yet",
            "A run is recorded each time this exercise is conducted. It keeps its own clock, a frozen copy of "
            "the scenario as it was played, and everything that happened. Start one with New Run.",
            icons.CONDUCT)
        self.new_run_button = QPushButton(a[RunAction.NEW_RUN].icon(), "New Run…", self.no_runs)
        self.new_run_button.clicked.connect(a[RunAction.NEW_RUN].trigger)
        empty_layout = self.no_runs.layout()
        assert isinstance(empty_layout, QVBoxLayout)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.new_run_button)
        row.addStretch(1)
        empty_layout.insertLayout(empty_layout.count() - 1, row)
        self.runs_stack = SwitchStack(splitter, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)

    def _connect(self) -> None:
        a = self.actions
        handlers: dict[RunAction, Callable[[], None]] = {
            RunAction.NEW_RUN: self.ask_new_run, RunAction.START: self.start, RunAction.PAUSE: self.pause,
            RunAction.RESUME: self.resume, RunAction.END: self.ask_end, RunAction.RELEASE: self.release,
            RunAction.SKIP: self.ask_skip, RunAction.DEFER: self.ask_defer, RunAction.RETIME: self.ask_retime,
            RunAction.ADHOC: self.ask_adhoc, RunAction.NEXT_INJECT: self.jump_to_next_inject,
            RunAction.NEXT_PHASE: self.next_phase, RunAction.ADJUST: self.ask_adjust, RunAction.HALT: self.halt,
            RunAction.SKIP_EARLIER_PHASES: self.ask_skip_earlier_phases,
            RunAction.SHOW_ON_PRESENTER: self.show_selected_on_presenter, RunAction.STAND_BY: self.stand_by,
            RunAction.PLENARY: self.show_plenary,
            RunAction.DISCARD: self.ask_discard, RunAction.REPLAY: self.open_replay,
        }
        for action_id, handler in handlers.items():
            a[action_id].triggered.connect(lambda _checked=False, h=handler: h())
        a[RunAction.PRESENTER].toggled.connect(self.set_presenter_shown)
        a[RunAction.SOUND].toggled.connect(self.set_sound)
        self.runs_tree.currentItemChanged.connect(self._run_selected)
        self.clock_panel.compression_chosen.connect(self.set_compression)
        self.clock_panel.custom_compression_requested.connect(self.ask_compression)
        self.show_done_check.toggled.connect(self._show_done)
        self.queue_view.selectionModel().currentRowChanged.connect(self._queue_selection_changed)
        self.timeline_view.inject_clicked.connect(self.select_inject)
        self.lanes_combo.currentIndexChanged.connect(lambda _index: self._rebuild_timeline())

    def menu(self) -> QMenu | None:
        a = self.actions
        menu = QMenu("&Run", self)
        menu.setObjectName("runMenu")
        groups = (
            (RunAction.NEW_RUN, RunAction.DISCARD, RunAction.REPLAY),
            (RunAction.START, RunAction.PAUSE, RunAction.RESUME, RunAction.END),
            (RunAction.RELEASE, RunAction.SKIP, RunAction.DEFER, RunAction.RETIME, RunAction.ADHOC),
            (RunAction.NEXT_INJECT, RunAction.NEXT_PHASE, RunAction.SKIP_EARLIER_PHASES, RunAction.ADJUST),
            (RunAction.PRESENTER,),
        )
        for group in groups:
            for action_id in group:
                menu.addAction(a[action_id])
            menu.addSeparator()
        self.screen_menu = QMenu("Presenter &Screen", menu)
        self.screen_menu.setObjectName("presenterScreenMenu")
        self.screen_menu.aboutToShow.connect(self._fill_screen_menu)
        menu.addMenu(self.screen_menu)
        menu.addAction(a[RunAction.SHOW_ON_PRESENTER])
        menu.addAction(a[RunAction.PLENARY])
        menu.addAction(a[RunAction.STAND_BY])
        menu.addAction(a[RunAction.SOUND])
        menu.addSeparator()
        menu.addAction(a[RunAction.HALT])
        return menu

    def global_actions(self) -> list[QAction]:
        return [self.actions[RunAction.HALT]]

    def open_replay(self) -> None:
        """The selected run, read-only at any moment, in its own window (one per run)."""
        if self.run is None or self.context is None:
            return
        for window in self.replays:
            if window.run.id == self.run.id:
                window.raise_()
                window.activateWindow()
                return
        window = open_replay(self.context, self.run, self)
        if window is not None:
            self.replays.append(window)
            window.closed.connect(lambda w=window: self.replays.remove(w) if w in self.replays else None)

    # Settings --------------------------------------------------------------------------------------------
    def _settings(self) -> QSettings | None:
        settings = getattr(self.window(), "settings", None)
        return settings if isinstance(settings, QSettings) else None

    def _load_preferences(self) -> None:
        settings = self._settings()
        sound = preferences.read_bool(settings, preferences.SOUND_ON) if settings is not None else self._sound_on
        blocker = self.actions[RunAction.SOUND].blockSignals(True)
        self.actions[RunAction.SOUND].setChecked(sound)
        self.actions[RunAction.SOUND].blockSignals(blocker)
        self._sound_on = sound

    def set_sound(self, on: bool) -> None:
        self._sound_on = on
        settings = self._settings()
        if settings is not None:
            settings.setValue(preferences.SOUND_ON, on)

    # Runs ------------------------------------------------------------------------------------------------
    def set_context(self, context: object) -> None:
        if context is None:
            self.timer.stop()
            self._close_presenter()
            for window in list(self.replays):
                window.close()
        super().set_context(context)  # type: ignore[arg-type]

    def refresh(self) -> None:
        self._load_preferences()
        keep = self.run.id if self.run is not None else None
        selected = self._fill_runs_tree(keep)
        if selected is None and self.runs:
            selected = self.runs_tree.topLevelItem(len(self.runs) - 1)
        if selected is not None:
            self.runs_tree.setCurrentItem(selected)
            self.open_run(str(selected.data(0, RUN_ID_ROLE)))
        else:
            self.open_run(None)

    def _fill_runs_tree(self, keep: str | None) -> QTreeWidgetItem | None:
        """List the runs again (without opening one); returns the item of ``keep`` if it is still there."""
        blocker = self.runs_tree.blockSignals(True)
        self.runs_tree.clear()
        self.runs = list(self.context.runs.list_runs()) if self.context is not None else []
        selected: QTreeWidgetItem | None = None
        for run in self.runs:
            item = QTreeWidgetItem([run_label(run), _short_status(run.status)])
            item.setData(0, RUN_ID_ROLE, run.id)
            started = f"\nStarted {format_wall_time(run.started_at)}" if run.started_at else "\nNot started"
            item.setToolTip(0, run_label(run) + ("" if run.rehearsal else " — a real run, kept for the record")
                            + started)
            self.runs_tree.addTopLevelItem(item)
            if run.id == keep:
                selected = item
        self.runs_tree.resizeColumnToContents(1)
        if selected is not None:
            self.runs_tree.setCurrentItem(selected)
        self.runs_tree.blockSignals(blocker)
        self.runs_stack.show_content(bool(self.runs))
        return selected

    def document_changed(self, changes: Changes) -> None:
        """Follow what another station (or page) did: runs, the clock, releases; the presenter follows a halt
        and a move to another phase."""
        if changes.touches(Topic.RUNS):
            keep = self.run.id if self.run is not None else None
            live = self.context.runs.live_run() if self.context is not None else None
            shown = next((run for run in self.runs if run.id == keep), None)
            if live is not None and live.id != keep and (shown is None or shown.status not in _IN_PLAY):
                keep = live.id  # a run went live while this page showed one that is not in play: follow it
            item = self._fill_runs_tree(keep)
            if item is None:
                self.refresh()  # the run shown was discarded, or there was none: show the newest
                return
            if keep != (self.run.id if self.run is not None else None):
                self.open_run(keep)
                return
        run_id = self._run_id()
        if run_id is None or not changes.concerns_run(run_id):
            return
        if changes.touches(Topic.INJECT_EVENTS):
            self._follow_events(changes)
        if changes.touches(Topic.CLOCK, Topic.RUNS):
            self._show_clock_change()
        self._follow_halt_on_presenter()

    def _follow_halt_on_presenter(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        halted = self._runs().clock(run_id).status is RunStatus.HALTED
        if halted and self.presenter_slide.kind is not SlideKind.HALT:
            self.present(halt_slide())
        elif not halted and self.presenter_slide.kind is SlideKind.HALT:
            self.present(STAND_BY)

    def _run_selected(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        self.open_run(str(current.data(0, RUN_ID_ROLE)) if current is not None else None)

    def open_run(self, run_id: str | None) -> None:
        """Show ``run_id`` (reopening it: its clock is rebuilt from its anchors), or nothing."""
        if run_id is None or self.context is None:
            self.run = None
            self.timer.stop()
            self.scenario = EMPTY_SCENARIO
            self.timeline = Timeline(())
            self.events, self.adhocs = [], []
            self.run_title.setText("")
            self.frozen_model = MselTableModel(EMPTY_SCENARIO)
            self.frozen_proxy.setSourceModel(self.frozen_model)
            self.queue_model.set_run(EMPTY_SCENARIO, self.timeline, [], 0.0)
            self.events_tree.clear()
            self._update_actions()
            return
        runs = self.context.runs
        self.run = runs.run(run_id)
        self.scenario = runs.frozen_scenario(run_id)
        self.timeline = Timeline(self.scenario.injects)
        self.frozen_model = MselTableModel(self.scenario)
        self.frozen_proxy.setSourceModel(self.frozen_model)
        self.run_tabs.setTabText(self.frozen_tab, f"Injects as frozen ({len(self.scenario.injects)})")
        presenter = self._presenter_if_any()
        if presenter is not None:
            presenter.set_marking(self.scenario.exercise.marking)
            presenter.set_exercise_title(self.scenario.exercise.title)
        self._actionable = set()
        self._known_phase_events = None
        self._reload(select=None)
        status = runs.clock(run_id).status
        self.present(halt_slide() if status is RunStatus.HALTED else STAND_BY)
        self.timer.start()

    def _update_run_row(self) -> None:
        if self.run is None or self.context is None:
            return
        try:
            self.run = self.context.runs.run(self.run.id)
        except RoomOffline:
            return
        for index in range(self.runs_tree.topLevelItemCount()):
            item = self.runs_tree.topLevelItem(index)
            if item.data(0, RUN_ID_ROLE) == self.run.id:
                item.setText(1, _short_status(self.run.status))
                self.runs_tree.resizeColumnToContents(1)
        self.runs = [self.run if r.id == self.run.id else r for r in self.runs]

    def ask_new_run(self) -> None:
        if self.context is None:
            return
        dialog = NewRunDialog(len(self.runs) + 1, self)
        dialog.accepted.connect(lambda: self._create_run(dialog.label, dialog.rehearsal))
        self._open(dialog)

    def _create_run(self, label: str, rehearsal: bool) -> None:
        if self.context is None:
            return
        run = self._do("Cannot create the run", lambda: self.context.runs.create_run(label, rehearsal=rehearsal))
        if run is None:
            return
        self.run = run
        self.refresh()
        self._feedback(f"{run_label(run)} created: press Start (F5) at STARTEX")

    def ask_discard(self) -> None:
        run = self.run
        if run is None or self.context is None:
            return
        if not run.rehearsal:
            self._report("Real runs are kept", f"{run_label(run)} is a real run.",
                         "Only rehearsal runs can be discarded; a real run stays in the record.")
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Discard rehearsal",
                          f"Discard {run_label(run)}?", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("discardBox")
        box.setInformativeText("It disappears from the list of runs. Real runs are never affected.")
        discard = box.addButton("Discard Rehearsal", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._discard(run) if box.clickedButton() is discard else None)
        self.active_dialog = box
        box.open()

    def _discard(self, run: RunInfo) -> None:
        if self.context is None:
            return
        if self._do("Cannot discard the run", lambda: self.context.runs.discard_run(run.id), ok=True):
            self.run = None
            self.refresh()
            self._feedback(f"{run_label(run)} discarded")

    # The clock -------------------------------------------------------------------------------------------
    def start(self) -> None:
        run_id = self._run_id()
        if run_id is None or self.context is None:
            return
        runs = self.context.runs
        if self._do("Cannot start the clock", lambda: runs.start(run_id)) is None:
            return
        phase = current_phase(self.scenario.phases, runs.clock(run_id).elapsed(),
                              phase_jumps=runs.phase_jumps(run_id))
        if phase is not None:
            self._do("Cannot record the phase", lambda: runs.start_phase(run_id, phase.id, "STARTEX"))
            self.present(phase_slide(phase, self._syndicate_names()))
        self._after_clock("STARTEX: the clock is running")
        self._reload()

    def pause(self) -> None:
        self._clock_action("Cannot pause the clock", lambda run_id: self._runs().pause(run_id), "Clock paused")

    def resume(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        if self._runs().clock(run_id).status is RunStatus.HALTED:
            dialog = ReasonDialog("Resume after the halt", "Play was halted for a real-world emergency. Say why "
                                  "it can go on; this is recorded with the halt.", "Resume Play", parent=self)
            dialog.accepted.connect(lambda: self._resume(dialog.reason))
            self._open(dialog)
            return
        self._resume("")

    def _resume(self, reason: str) -> None:
        resumed = self._clock_action("Cannot resume", lambda run_id: self._runs().resume(run_id, reason),
                                     "Clock running")
        if resumed and self.presenter_slide.kind is SlideKind.HALT:
            self.present(STAND_BY)

    def ask_end(self) -> None:
        if self._run_id() is None:
            return
        dialog = ReasonDialog("End the run (ENDEX)", "The clock stops for good; injects can no longer be "
                              "released in this run.", "End Run", "&Note:", required=False, parent=self)
        dialog.accepted.connect(lambda: self._clock_action(
            "Cannot end the run", lambda run_id: self._runs().end(run_id, dialog.reason), "ENDEX: the run has ended"))
        self._open(dialog)

    def halt(self) -> None:
        """The stop phrase: at once, no question asked; the reason for resuming is asked when play resumes."""
        if self._clock_action("Cannot halt", lambda run_id: self._runs().halt(run_id, HALT_REASON),
                              "PLAY HALTED: real-world emergency"):
            self.present(halt_slide())

    def set_compression(self, factor: float) -> None:
        run_id = self._run_id()
        if run_id is None or self._runs().clock(run_id).compression == factor:
            return
        self._clock_action("Cannot change the compression",
                           lambda rid: self._runs().set_compression(rid, factor), f"Time compression ×{factor:g}")

    def ask_compression(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        dialog = CompressionDialog(self._runs().clock(run_id).compression, self)
        dialog.accepted.connect(lambda: self.set_compression(dialog.factor))
        dialog.rejected.connect(self._refresh_clock_state)
        self._open(dialog)

    def ask_adjust(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        dialog = TimeDialog("Adjust the clock", "Set the exercise time by hand. The adjustment and its reason "
                            "are recorded.", "Adjust", self._runs().clock(run_id).elapsed(),
                            reason_required=True, parent=self)
        dialog.accepted.connect(lambda: self._clock_action(
            "Cannot adjust the clock",
            lambda rid: self._runs().adjust(rid, to_exercise_s=dialog.seconds, reason=dialog.reason),
            f"Clock set to {format_elapsed(dialog.seconds)}"))
        self._open(dialog)

    def jump_to_next_inject(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        upcoming = self.timeline.next_up(self._runs().clock(run_id).elapsed())
        if upcoming is None:
            self._feedback("No inject is still ahead")
            return
        reason = f"Jump to inject {upcoming.inject.number}"
        self._clock_action("Cannot jump", lambda rid: self._runs().jump_to(rid, upcoming.due_s, reason),
                           f"Clock moved to inject {upcoming.inject.number}")

    def next_phase(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        result = self._do("Cannot move to the next phase", lambda: self._runs().advance_phase(run_id))
        if result is None:
            return
        phase, _event = result
        self.present(phase_slide(phase, self._syndicate_names()))
        self._after_clock(f"Moved to {phase.name}")
        self._reload()

    def left_in_earlier_phases(self) -> list[Inject]:
        """Injects of the phases before the one in play that were never released nor skipped."""
        run_id = self._run_id()
        phase = self._current_phase()
        if run_id is None or phase is None:
            return []
        schedule = phase_schedule(self.scenario.phases, self._runs().phase_jumps(run_id))
        index = next(i for i, start in enumerate(schedule) if start.phase.id == phase.id)
        earlier = {start.phase.id for start in schedule[:index]}
        return [row.inject for row in self.timeline.states_at(self._elapsed())
                if row.inject.phase_id in earlier and row.state in LEFT_BEHIND]

    def ask_skip_earlier_phases(self) -> None:
        """After moving on a phase, the injects left behind would all show as overdue: skip them in one step."""
        if self._run_id() is None:
            return
        left = self.left_in_earlier_phases()
        if not left:
            self._feedback("No injects of earlier phases are waiting: nothing to skip")
            return
        noun = "inject" if len(left) == 1 else "injects"
        numbers = ", ".join(f"#{inject.number}" for inject in sorted(left, key=lambda i: i.number))
        box = QMessageBox(QMessageBox.Icon.Question, "Skip injects of earlier phases",
                          f"Skip {len(left)} {noun} of earlier phases that were never released?",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("skipEarlierPhasesBox")
        box.setInformativeText(f"{numbers}.\nEach is recorded as skipped at phase change. Held-back contingencies "
                               "are left as they are.")
        skip = box.addButton(f"Skip {len(left)} {noun.capitalize()}", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._skip_all(left) if box.clickedButton() is skip else None)
        self.active_dialog = box
        box.open()

    def _skip_all(self, injects: list[Inject]) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        skipped = 0
        for inject in injects:
            done = self._do(f"Cannot skip inject {inject.number}",
                            lambda i=inject: self._runs().skip(run_id, i.id, SKIPPED_AT_PHASE_CHANGE))
            if done is None:
                break
            skipped += 1
        self._reload()
        if skipped:
            self._feedback(f"Skipped {skipped} {'inject' if skipped == 1 else 'injects'} of earlier phases — saved")

    def _clock_action(self, title: str, action: Callable[[str], object], done: str) -> bool:
        run_id = self._run_id()
        if run_id is None:
            return False
        if self._do(title, lambda: action(run_id)) is None:
            self._refresh_clock_state()
            return False
        self._after_clock(done)
        return True

    def _after_clock(self, done: str) -> None:
        self._feedback(done)
        self._show_clock_change()

    def _show_clock_change(self) -> None:
        self._update_run_row()
        self._refresh_clock_state()
        self._fill_history()
        self._rebuild_timeline()
        self.tick(force=True)

    # Injects ---------------------------------------------------------------------------------------------
    def selected_inject_id(self) -> str | None:
        index = self.queue_view.selectionModel().currentIndex()
        if not index.isValid() or not self.queue_view.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        value = index.siblingAtColumn(0).data(INJECT_ID_ROLE)
        return str(value) if value else None

    def _target(self, *, for_release: bool = False) -> Inject | None:
        """The selected scenario inject; for a release, the first one due when nothing (open) is selected."""
        selected = self.selected_inject_id()
        by_id = {i.id: i for i in self.scenario.injects}
        if selected in by_id:
            state = self.timeline.row(selected, self._elapsed()).state
            if not for_release or state not in (InjectState.RELEASED, InjectState.SKIPPED):
                return by_id[selected]
        if for_release:
            due = self.timeline.due_now(self._elapsed())
            return due[0].inject if due else None
        return None

    def release(self) -> None:
        run_id = self._run_id()
        inject = self._target(for_release=True)
        if run_id is None:
            return
        if inject is None:
            self._feedback("Nothing is due: select an inject in the queue to release it early")
            return
        early = self.timeline.row(inject.id, self._elapsed()).state is InjectState.PENDING
        event = self._do("Cannot release the inject",
                         lambda: self._runs().release(run_id, inject.id, "released early" if early else ""))
        if not isinstance(event, InjectEvent):
            return
        self.present(inject_slide(inject, lambda aid: self._runs().attachment_data(run_id, aid)))
        self._keep_if_pending(event)
        self._follow_events(select=inject.id)
        self._feedback(f"✓ Released #{inject.number} at {format_elapsed(event.exercise_s)} — {_saved(event)}")

    def ask_skip(self) -> None:
        inject = self._require_target()
        if inject is None:
            return
        dialog = ReasonDialog("Skip inject", f"#{inject.number} {inject.title}", "Skip", "&Note:", required=False,
                              parent=self)
        dialog.accepted.connect(lambda: self._inject_event(
            "Cannot skip the inject", inject, lambda rid: self._runs().skip(rid, inject.id, dialog.reason),
            f"Skipped #{inject.number}"))
        self._open(dialog)

    def ask_defer(self) -> None:
        inject = self._require_target()
        if inject is None:
            return
        dialog = DeferDialog(f"#{inject.number} {inject.title}", parent=self)
        dialog.accepted.connect(lambda: self._inject_event(
            "Cannot defer the inject", inject,
            lambda rid: self._runs().defer(rid, inject.id, dialog.minutes, dialog.note),
            f"Deferred #{inject.number} by {dialog.minutes} min"))
        self._open(dialog)

    def ask_retime(self) -> None:
        inject = self._require_target()
        if inject is None:
            return
        due = self.timeline.row(inject.id, self._elapsed()).due_s
        dialog = TimeDialog("Re-time inject", f"#{inject.number} {inject.title}", "Re-time", due,
                            reason_required=False, parent=self)
        dialog.accepted.connect(lambda: self._inject_event(
            "Cannot re-time the inject", inject,
            lambda rid: self._runs().retime(rid, inject.id, dialog.seconds, dialog.reason),
            f"Re-timed #{inject.number} to {format_elapsed(dialog.seconds)}"))
        self._open(dialog)

    def _require_target(self) -> Inject | None:
        if self._run_id() is None:
            return None
        inject = self._target()
        if inject is None:
            self._feedback("Select an inject of the scenario in the queue first")
        return inject

    def _inject_event(self, title: str, inject: Inject, action: Callable[[str], InjectEvent], done: str) -> None:
        run_id = self._run_id()
        if run_id is None:
            return
        event = self._do(title, lambda: action(run_id))
        if isinstance(event, InjectEvent):
            self._keep_if_pending(event)
            self._follow_events(select=inject.id)
            self._feedback(f"✓ {done} — {_saved(event)}")

    def _keep_if_pending(self, event: InjectEvent) -> None:
        if event.pending:
            self._pending_events.append(event)

    def ask_adhoc(self) -> None:
        if self._run_id() is None:
            return
        dialog = AdhocDialog(self)
        dialog.accepted.connect(lambda: self._adhoc(dialog.title, dialog.content, dialog.method, dialog.recipients,
                                                    dialog.present_check.isChecked()))
        self._open(dialog)

    def _adhoc(self, title: str, content: str, method: object, recipients: str, present: bool) -> None:
        run_id = self._run_id()
        if run_id is None or self.context is None:
            return
        phase = self._current_phase()
        result = self._do("Cannot write the ad-hoc inject", lambda: self._runs().add_adhoc(
            run_id, title, content, delivery_method=method, recipients_text=recipients,  # type: ignore[arg-type]
            phase_id=phase.id if phase is not None else None))
        if result is None:
            return
        adhoc, _event = result
        if present:
            self.present(adhoc_slide(adhoc))
        self._reload(select=adhoc.id)
        self._feedback(f"✓ Ad-hoc inject A{adhoc.number} released — saved")

    def select_inject(self, inject_id: str) -> None:
        """Select ``inject_id`` in the queue (showing done injects if it is one of them)."""
        row = self.queue_model.row_of(inject_id)
        if row is None:
            return
        index = self.queue_proxy.mapFromSource(self.queue_model.index(row, 0))
        if not index.isValid():
            self.show_done_check.setChecked(True)
            index = self.queue_proxy.mapFromSource(self.queue_model.index(row, 0))
        self.queue_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.queue_view.scrollTo(index)

    def _queue_selection_changed(self, *_args: object) -> None:
        inject_id = self.selected_inject_id()
        self.timeline_view.set_selected(inject_id)
        self._show_details(inject_id)
        self._update_actions()

    def _show_done(self, show: bool) -> None:
        keep = self.selected_inject_id()
        self.queue_proxy.set_show_done(show)
        if keep is not None:
            self.select_inject(keep)

    # Reloading -------------------------------------------------------------------------------------------
    def _reload(self, select: str | None = None) -> None:
        """Read the run's events again (after every recorded action) and rebuild what depends on them."""
        run_id = self._run_id()
        if run_id is None:
            return
        runs = self._runs()
        keep = select or self.selected_inject_id()
        try:
            stored, self.adhocs = runs.events(run_id), runs.adhoc_injects(run_id)
        except RoomOffline:  # the room's server is away: what was known, and what this laptop keeps
            stored = [e for e in self.events if not e.pending and e.run_id == run_id]
        arrived = {e.id for e in stored}
        self._pending_events = [e for e in self._pending_events if e.id not in arrived and e.run_id == run_id]
        self.events = [*stored, *self._pending_events]
        self._follow_phase_on_presenter()
        self.timeline = self.timeline.with_events(self.events)
        self.queue_model.set_run(self.scenario, self.timeline, self.adhocs, self._elapsed())
        self._update_run_row()
        self.run_title.setText(f"{run_label(self.run)}" if self.run is not None else "")
        self._fill_history()
        self._rebuild_timeline()
        if keep is not None:
            self.select_inject(keep)
        self._refresh_clock_state()
        self.tick(force=True)

    def _follow_events(self, changes: Changes | None = None, select: str | None = None) -> None:
        """Take in the run's new events, read once: only the queue rows, timeline marks and history lines they
        change are redrawn. A change whose rows are not known (a reconnection, a merge, a large write) or that
        wrote ad-hoc injects reads everything again instead."""
        run_id = self._run_id()
        if run_id is None:
            return
        if changes is not None and (not changes.tables or "adhoc_inject" in changes.tables
                                    or ("inject_event" in changes.tables and changes.row_ids("inject_event") is None)):
            self._reload(select)
            return
        if "inject_event" not in (changes.tables if changes is not None else {"inject_event"}):
            return
        try:
            stored = self._runs().events(run_id)
        except RoomOffline:
            return  # the page keeps what it had; it reads again when the server is back
        arrived = {e.id for e in stored}
        pending = [e for e in self._pending_events if e.id not in arrived and e.run_id == run_id]
        events = [*stored, *pending]
        keep = select or self.selected_inject_id()
        if events == self.events:
            if select is not None:
                self.select_inject(select)
            return
        self._pending_events = pending
        shown = {e.id for e in self.events}
        new = [e for e in events if e.id not in shown]
        gone = shown - {e.id for e in events}
        self.events = events
        self._follow_phase_on_presenter()
        before, self.timeline = self.timeline, self.timeline.with_events(events)
        changed = self.timeline.changed_injects(before)
        t = self._elapsed()
        if self.queue_model.follow(self.timeline, self.adhocs, t, changed):
            self.queue_proxy.refilter()
        self._update_timeline_marks(changed, t)
        if gone:
            self._fill_history()
        else:
            self._add_to_history(new)
        if keep is not None and (select is not None or not self._shown_in_queue(keep)):
            self.select_inject(keep)
        if keep is not None and keep in changed:
            self._show_details(keep)
        self._refresh_clock_state()
        self.tick(force=True)

    def _shown_in_queue(self, inject_id: str) -> bool:
        row = self.queue_model.row_of(inject_id)
        return row is not None and self.queue_proxy.mapFromSource(self.queue_model.index(row, 0)).isValid()

    def _follow_phase_on_presenter(self) -> None:
        """A phase opened since the events were last read (here or on another station) goes on the presenter."""
        started = [e for e in self.events if e.kind is InjectEventKind.PHASE_STARTED]
        known, self._known_phase_events = self._known_phase_events, {e.id for e in started}
        if known is None:
            return
        new = [e for e in started if e.id not in known]
        phase = self.scenario.phase(new[-1].inject_id) if new else None
        if phase is not None and self.presenter_slide.kind is not SlideKind.HALT:
            self.present(phase_slide(phase, self._syndicate_names()))

    def _rebuild_timeline(self) -> None:
        t = self._elapsed()
        names, lanes_of = self._timeline_lanes()
        adhoc_lane = len(names) - 1
        marks = self._inject_marks(self.timeline.states_at(t), lanes_of)
        for adhoc in self.adhocs:
            marks.append(TimelineMark(adhoc.id, adhoc_lane, f"A{adhoc.number}", adhoc.exercise_s, adhoc.exercise_s,
                                      adhoc.exercise_s, InjectState.RELEASED, False,
                                      f"Ad-hoc A{adhoc.number} {adhoc.title}\n"
                                      f"Released {format_elapsed(adhoc.exercise_s)}"))
        span = max((mark.end_s for mark in marks), default=0.0)
        self.timeline_view.overdue_after_s = self.timeline.overdue_after_s
        self.timeline_view.set_marks(names, marks, self._timeline_span(span, t))
        self.timeline_view.set_now(t)

    def _update_timeline_marks(self, inject_ids: set[str], t: float) -> None:
        """Redraw the marks of the injects whose events changed, the other marks left as they are."""
        if not inject_ids:
            return
        _names, lanes_of = self._timeline_lanes()
        marks = self._inject_marks((self.timeline.row(inject_id, t) for inject_id in inject_ids), lanes_of)
        self.timeline_view.overdue_after_s = self.timeline.overdue_after_s
        self.timeline_view.replace_marks(inject_ids, marks)
        self.timeline_view.set_span(self._timeline_span(self.timeline_view.latest_s(), t))
        self.timeline_view.set_now(t)

    def _timeline_span(self, latest_s: float, t: float) -> float:
        return max(latest_s, self.scenario.exercise.planned_duration_minutes * 60, t) + 600

    def _timeline_lanes(self) -> tuple[list[str], Callable[[Inject], list[int]]]:
        """The lanes' names (the last one for ad-hoc injects) and the lanes an inject is drawn in."""
        if self.lanes_combo.currentData() != LANES_BY_ORGANISATION:
            phases = sorted(self.scenario.phases, key=lambda p: (p.start_offset_s, p.position))
            names = [p.name for p in phases]
            lane_of_phase = {p.id: i for i, p in enumerate(phases)}
            no_phase = len(names)
            names.extend(("No phase", "Ad-hoc"))
            return names, lambda inject: [lane_of_phase.get(inject.phase_id or "", no_phase)]
        organisations = sorted(self.scenario.organisations, key=lambda o: o.position)
        names = [o.display_name for o in organisations]
        lane_of_org = {o.id: i for i, o in enumerate(organisations)}
        no_recipient = len(names)
        names.extend(("No recipient", "Ad-hoc"))
        return names, lambda inject: sorted({lane_of_org.get(r.organisation_id, no_recipient)
                                             for r in inject.recipients}) or [no_recipient]

    def _inject_marks(self, rows: Iterable[QueueRow], lanes_of: Callable[[Inject], list[int]]) -> list[TimelineMark]:
        phase_names = {p.id: p.name for p in self.scenario.phases}
        marks: list[TimelineMark] = []
        for row in rows:
            inject = row.inject
            fixed = row.state if row.state in (InjectState.RELEASED, InjectState.SKIPPED, InjectState.HELD) else None
            tip = (f"#{inject.number} {inject.title}\nPlanned {format_elapsed(inject.planned_offset_s)}"
                   + (f", due {format_elapsed(row.due_s)}" if row.retimed else "")
                   + (f", released {format_elapsed(row.released_at_s)}" if row.released_at_s is not None else "")
                   + f"\n{phase_names.get(inject.phase_id or '', 'No phase')} · {inject.delivery_method.label}"
                   + (f"\n{row.reason}" if row.reason else ""))
            for lane in lanes_of(inject):
                marks.append(TimelineMark(inject.id, lane, f"#{inject.number}", inject.planned_offset_s, row.due_s,
                                          row.released_at_s, fixed, row.waiting_on_id is not None, tip))
        return marks

    def _fill_history(self) -> None:
        """Clock actions and inject events in the order they happened, newest last."""
        self.events_tree.clear()
        self._history_keys, self._history_events = [], set()
        run_id = self._run_id()
        if run_id is None:
            self.events_stack.show_content(False)
            return
        rows: list[tuple[datetime, list[str]]] = []
        runs = self._runs()
        for anchor in runs.clock(run_id).anchors:
            story = runs.scenario_time_at(run_id, anchor.exercise_s)
            rows.append((anchor.wall_time, [format_wall_time(anchor.wall_time, with_date=False),
                                            format_elapsed(anchor.exercise_s), format_story_time(story),
                                            f"Clock: {anchor.kind.value}"
                                            + (f" ×{anchor.compression:g}" if anchor.kind.value == "compression"
                                               else ""), anchor.reason, "", ""]))
        titles = self._history_titles()
        rows.extend((event.wall_time, self._event_texts(event, titles)) for event in self.events)
        self._history_events = {event.id for event in self.events}
        rows.sort(key=lambda r: r[0])
        self.events_tree.addTopLevelItems([self._history_item(texts) for _when, texts in rows])
        self._history_keys = [when for when, _texts in rows]
        self._history_widths = [0, 0, 0, 0]
        self._widen_history([texts for _when, texts in rows], resize=False)
        for column in (0, 1, 2, 3):
            self.events_tree.resizeColumnToContents(column)
        self.events_tree.setColumnWidth(4, self.fontMetrics().averageCharWidth() * 44)
        self._show_history_count()

    def _add_to_history(self, events: list[InjectEvent]) -> None:
        """New events into the history, each in its place by time, without rebuilding the others."""
        if not events:
            return
        titles = self._history_titles()
        at_end = self.events_tree.verticalScrollBar().value() >= self.events_tree.verticalScrollBar().maximum()
        added: list[list[str]] = []
        for event in events:
            if event.id in self._history_events:
                continue
            texts = self._event_texts(event, titles)
            place = bisect.bisect_right(self._history_keys, event.wall_time)
            self._history_keys.insert(place, event.wall_time)
            self._history_events.add(event.id)
            self.events_tree.insertTopLevelItem(place, self._history_item(texts))
            added.append(texts)
        self._widen_history(added, resize=True)
        self._show_history_count(scroll=at_end)

    def _history_titles(self) -> dict[str, str]:
        titles = {i.id: f"#{i.number} {i.title}" for i in self.scenario.injects}
        titles.update({p.id: p.name for p in self.scenario.phases})
        titles.update({a.id: f"A{a.number} {a.title}" for a in self.adhocs})
        return titles

    @staticmethod
    def _event_texts(event: InjectEvent, titles: dict[str, str]) -> list[str]:
        return [format_wall_time(event.wall_time, with_date=False), format_elapsed(event.exercise_s),
                format_story_time(event.scenario_time),
                EVENT_LABELS.get(event.kind, event.kind.value)
                + (f" to {format_elapsed(event.new_offset_s)}" if event.new_offset_s is not None else ""),
                titles.get(event.inject_id, "?"), event.actor, event.note]

    @staticmethod
    def _history_item(texts: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(texts)
        item.setToolTip(4, texts[4])
        item.setToolTip(6, texts[6])
        if texts[3] == "Clock: halt":
            for column in range(len(texts)):
                item.setForeground(column, Qt.GlobalColor.white)
                item.setBackground(column, Qt.GlobalColor.darkRed)
        return item

    def _widen_history(self, lines: list[list[str]], *, resize: bool) -> None:
        """Keep the first columns as wide as their widest text: sized again only when a wider one comes."""
        metrics = self.events_tree.fontMetrics()
        for column in (0, 1, 2, 3):
            widest = max((metrics.horizontalAdvance(texts[column]) for texts in lines), default=0)
            if widest > self._history_widths[column]:
                self._history_widths[column] = widest
                if resize:
                    self.events_tree.resizeColumnToContents(column)

    def _show_history_count(self, *, scroll: bool = True) -> None:
        count = self.events_tree.topLevelItemCount()
        self.events_stack.show_content(bool(count))
        self.run_tabs.setTabText(self.events_tab, f"History ({count})")
        if count and scroll:
            self.events_tree.scrollToBottom()

    def _show_details(self, inject_id: str | None) -> None:
        """The controller's view of the selected inject: everything, notes included (never on the presenter)."""
        inject = next((i for i in self.scenario.injects if i.id == inject_id), None)
        adhoc = next((a for a in self.adhocs if a.id == inject_id), None)
        if inject is None and adhoc is None:
            self.details.setHtml("<p style='color: gray'>Select an inject in the queue or on the timeline.</p>")
            return
        if adhoc is not None:
            self.details.setHtml(
                f"<h2>A{adhoc.number} · {_html(adhoc.title)}</h2><p><b>Ad-hoc inject</b>, released at "
                f"{format_elapsed(adhoc.exercise_s)} · {_html(adhoc.delivery_method.label)}"
                f"{' · to ' + _html(adhoc.recipients_text) if adhoc.recipients_text else ''}</p>"
                f"<p>{_html(adhoc.content)}</p>")
            return
        assert inject is not None
        row = self.timeline.row(inject.id, self._elapsed())
        phase = self.scenario.phase(inject.phase_id)
        recipients = "; ".join(self.scenario.recipient_label(r) for r in inject.recipients) or "—"
        parts = [
            f"<h2>#{inject.number} · {_html(inject.title)}</h2>",
            f"<p><b>{row.state.label}</b> · due {format_elapsed(row.due_s)}"
            f"{' (planned ' + format_elapsed(inject.planned_offset_s) + ')' if row.retimed else ''}"
            f"{' · ' + _html(row.reason) if row.reason else ''}</p>",
            f"<p>{_html(phase.name) if phase else 'No phase'} · {_html(inject.delivery_method.label)}"
            f"{' · from ' + _html(inject.sender) if inject.sender else ''} · to {_html(recipients)}</p>",
            f"<h3>Players receive</h3><p>{_html(inject.content) or '—'}</p>",
            f"<h3>Expected actions (controller only)</h3><p>{_html(inject.expected_actions) or '—'}</p>",
            f"<h3>Controller notes (controller only)</h3><p>{_html(inject.controller_notes) or '—'}</p>",
        ]
        if inject.attachments:
            parts.append("<p>Attachments: " + ", ".join(_html(a.filename) for a in inject.attachments) + "</p>")
        self.details.setHtml("".join(parts))

    # The tick --------------------------------------------------------------------------------------------
    def tick(self, force: bool = False) -> None:
        """Read the clock and show it; follow it with the queue, banner, timeline and presenter at most 4×/s."""
        run_id = self._run_id()
        if run_id is None or self.context is None:
            return
        runs = self._runs()
        clock = runs.clock(run_id)
        t = clock.elapsed()
        story = runs.scenario_time_at(run_id, t)
        self.clock_panel.show_times(format_elapsed(t), format_story_time(story))
        now = self.context.time_source.monotonic()
        second = math.floor(t)
        if not force and second == self._last_second and now - self._last_slow < SLOW_TICK_S:
            return
        self._last_second, self._last_slow = second, now
        flash = int(now * 2) % 2 == 0
        self.queue_model.tick(self.timeline, t, flash)
        self.timeline_view.set_now(t)
        due = self.timeline.due_now(t)
        actionable = {row.inject_id for row in due}
        playing = clock.status in _PLAYING
        if actionable - self._actionable and playing:
            self.cues += 1
            if self._sound_on and not self.chime.play() and self.chime.unavailable_reason:
                self._feedback(f"No chime: {self.chime.unavailable_reason}")
        self._actionable = actionable
        if due and playing:
            overdue = [row for row in due if row.state is InjectState.OVERDUE]
            first = due[0]
            lead = "OVERDUE" if overdue else "DUE NOW"
            late = format_countdown(first.seconds_until)
            text = f"{lead}: #{first.number} {first.title} (due {format_elapsed(first.due_s)}, {late})"
            if len(due) > 1:
                text += f" — and {len(due) - 1} more due"
            self.due_banner.show_due(text, bool(overdue), flash)
        else:
            self.due_banner.hide()
        jumps = runs.phase_jumps(run_id)
        upcoming = self.timeline.next_up(t)
        inject_text = "No inject still ahead"
        if upcoming is not None:
            inject_text = (f"in {format_countdown(upcoming.seconds_until)} — "
                           f"#{upcoming.inject.number} {upcoming.inject.title}")
        following = next_phase(self.scenario.phases, t, phase_jumps=jumps)
        phase_text = (f"in {format_countdown(following.seconds_until)} — {following.phase.name}"
                      if following is not None else "Last phase")
        self.clock_panel.show_next(inject_text, phase_text)
        self.clock_panel.next_inject_label.setToolTip(inject_text)
        self.clock_panel.next_phase_label.setToolTip(phase_text)
        phase = current_phase(self.scenario.phases, t, phase_jumps=jumps)
        if self.presenter is not None:
            self.presenter.set_status(format_story_time(story)[:-3] if story is not None else "",
                                      phase.name if phase is not None else "")

    def _refresh_clock_state(self) -> None:
        run_id = self._run_id()
        if run_id is None:
            self._update_actions()
            return
        clock = self._runs().clock(run_id)
        phase = self._current_phase()
        self.clock_panel.show_state(clock.status, clock.compression, phase.name if phase is not None else "")
        halted = clock.status is RunStatus.HALTED
        if halted:
            last = clock.last_anchor
            self.halt_notice.setText(
                f"PLAY HALTED at {format_elapsed(last.exercise_s if last else 0)} — "
                f"{last.reason if last else HALT_REASON}. The presenter display shows the halt screen. "
                "Resume (F7) when the emergency is over; you will be asked why play can go on.")
        self.halt_notice.setVisible(halted)
        self._update_actions()

    def _update_actions(self) -> None:
        a = self.actions
        has_document = self.context is not None
        status = self._runs().clock(self.run.id).status if self.run is not None and has_document else None
        inject_ok = status in _PLAYING
        a[RunAction.NEW_RUN].setEnabled(has_document)
        a[RunAction.DISCARD].setEnabled(self.run is not None and self.run.rehearsal)
        a[RunAction.REPLAY].setEnabled(status is not None and status is not RunStatus.READY)
        a[RunAction.START].setEnabled(status is RunStatus.READY)
        a[RunAction.PAUSE].setEnabled(status is RunStatus.RUNNING)
        a[RunAction.RESUME].setEnabled(status in (RunStatus.PAUSED, RunStatus.HALTED))
        a[RunAction.END].setEnabled(status in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.HALTED))
        a[RunAction.HALT].setEnabled(status in _PLAYING)
        for action_id in (RunAction.RELEASE, RunAction.ADHOC, RunAction.NEXT_INJECT, RunAction.NEXT_PHASE,
                          RunAction.SKIP_EARLIER_PHASES):
            a[action_id].setEnabled(inject_ok)
        selected = self.selected_inject_id() in {i.id for i in self.scenario.injects}
        for action_id in (RunAction.SKIP, RunAction.DEFER, RunAction.RETIME):
            a[action_id].setEnabled(inject_ok and selected)
        a[RunAction.ADJUST].setEnabled(status in (RunStatus.READY, *_PLAYING))
        a[RunAction.SHOW_ON_PRESENTER].setEnabled(self.run is not None)
        a[RunAction.STAND_BY].setEnabled(self.run is not None)
        a[RunAction.PRESENTER].setEnabled(self.run is not None)
        if self.run is not None and not self.run.rehearsal:
            a[RunAction.DISCARD].setToolTip("A real run cannot be discarded; it stays in the record")
        else:
            a[RunAction.DISCARD].setToolTip(a[RunAction.DISCARD].statusTip())
        gate(a, RUN_PERMISSIONS, self.station)
        if inject_ok and self._target(for_release=True) is not None:
            target = self._target(for_release=True)
            assert target is not None
            early = self.timeline.row(target.id, self._elapsed()).state is InjectState.PENDING
            a[RunAction.RELEASE].setText("&Release Early" if early else "&Release Inject")
        else:
            a[RunAction.RELEASE].setText("&Release Inject")

    # The presenter display -------------------------------------------------------------------------------
    def _presenter_if_any(self) -> PresenterWindow | None:
        return self.presenter

    def ensure_presenter(self) -> PresenterWindow:
        if self.presenter is None:
            self.presenter = PresenterWindow(self)
            self.window().installEventFilter(self)
            self.presenter.closed.connect(self._presenter_closed)
            self.presenter.set_marking(self.scenario.exercise.marking)
            self.presenter.set_exercise_title(self.scenario.exercise.title)
            self.presenter.set_dark(self._dark())
            self.presenter.show_slide(self.presenter_slide)
            self.tick(force=True)
        return self.presenter

    def set_presenter_shown(self, shown: bool) -> None:
        if shown:
            self.ensure_presenter().show_on(self._presenter_screen())
            self._feedback("Presenter display shown")
        elif self.presenter is not None:
            self.presenter.hide()
        self._show_presenter_state()

    def _presenter_closed(self) -> None:
        action = self.actions[RunAction.PRESENTER]
        blocker = action.blockSignals(True)
        action.setChecked(False)
        action.blockSignals(blocker)
        self._show_presenter_state()

    def _close_presenter(self) -> None:
        if self.presenter is not None:
            self.presenter.closed.disconnect(self._presenter_closed)
            self.presenter.close()
            self.presenter.deleteLater()
            self.presenter = None
        self._presenter_closed()

    def present(self, slide: PresenterSlide) -> None:
        """Put ``slide`` on the presenter display (remembered for when the display is opened)."""
        self.presenter_slide = slide
        if self.presenter is not None:
            self.presenter.show_slide(slide)
        self._show_presenter_state()

    def _syndicate_names(self) -> list[str]:
        run_id = self._run_id()
        if run_id is None or self.context is None:
            return []
        return [s.name for s in self.context.syndicates.syndicates(run_id)]

    def show_plenary(self) -> None:
        """The plenary step: the read-back screen for the phase in play; the read-backs are recorded in the
        decision log's Syndicates tab."""
        phase = self._current_phase()
        if phase is None:
            self._feedback("Start the run first: the plenary reads back the phase in play")
            return
        names = self._syndicate_names()
        if not names:
            self._feedback("This run has no syndicates: add them in Decision log ▸ Syndicates")
            return
        self.present(plenary_slide(phase, names))
        self._feedback(f"Plenary read-back of {phase.name} on the presenter; record each syndicate's read-back in "
                       "Decision log ▸ Syndicates")

    def stand_by(self) -> None:
        if self.presenter_slide.kind is SlideKind.HALT:
            self._feedback("The halt screen stays until play resumes")
            return
        self.present(STAND_BY)

    def show_selected_on_presenter(self) -> None:
        run_id = self._run_id()
        inject_id = self.selected_inject_id()
        if run_id is None or inject_id is None:
            self._feedback("Select a released inject to show it again")
            return
        adhoc = next((a for a in self.adhocs if a.id == inject_id), None)
        if adhoc is not None:
            self.present(adhoc_slide(adhoc))
            return
        inject = next((i for i in self.scenario.injects if i.id == inject_id), None)
        if inject is None or self.timeline.row(inject_id, self._elapsed()).state is not InjectState.RELEASED:
            self._feedback("Only released injects are shown to the players")
            return
        self.present(inject_slide(inject, lambda aid: self._runs().attachment_data(run_id, aid)))

    def _show_presenter_state(self) -> None:
        slide = self.presenter_slide
        what = {SlideKind.STAND_BY: "stand by", SlideKind.HALT: "HALT screen", SlideKind.PHASE: f"phase: {slide.title}",
                SlideKind.PLENARY: "plenary read-back", SlideKind.INJECT: slide.kicker.split(" · ")[0]}[slide.kind]
        shown = self.presenter is not None and self.presenter.isVisible()
        self.presenter_state.setText(f"Presenter: {what}" + ("" if shown else " (display closed)"))

    def _presenter_screen(self) -> object:
        screens = QGuiApplication.screens()
        settings = self._settings()
        wanted = str(settings.value(preferences.PRESENTER_SCREEN, "")) if settings is not None else ""
        for screen, name in zip(screens, screen_names(screens), strict=True):
            if name == wanted:
                return screen
        own = self.screen()
        others = [s for s in screens if s is not own]
        return others[0] if others else own

    def _fill_screen_menu(self) -> None:
        self.screen_menu.clear()
        screens = QGuiApplication.screens()
        chosen = self._presenter_screen()
        for screen, name in zip(screens, screen_names(screens), strict=True):
            action = self.screen_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(screen is chosen)
            action.triggered.connect(lambda _checked=False, n=name: self.choose_presenter_screen(n))

    def choose_presenter_screen(self, name: str) -> None:
        settings = self._settings()
        if settings is not None:
            settings.setValue(preferences.PRESENTER_SCREEN, name)
        if self.presenter is not None and self.presenter.isVisible():
            self.presenter.show_on(self._presenter_screen())  # type: ignore[arg-type]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The presenter display closes with the main window."""
        if watched is self.window() and event.type() == QEvent.Type.Close and self.presenter is not None:
            self.presenter.hide()
        return False

    def _dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def changeEvent(self, event: object) -> None:
        super().changeEvent(event)  # type: ignore[arg-type]
        if self.presenter is not None:
            self.presenter.set_dark(self._dark())

    def refresh_icons(self) -> None:
        super().refresh_icons()
        self.actions.refresh_icons()
        # Tab icons keep the colour they were drawn in: draw them again for the new palette.
        for index, icon_name in enumerate(TAB_ICONS):
            self.run_tabs.setTabIcon(index, icons.icon(icon_name))
        self.events_empty.refresh_icon()
        self.no_runs.refresh_icon()

    # Helpers ---------------------------------------------------------------------------------------------
    def _runs(self):  # -> RunService
        assert self.context is not None
        return self.context.runs

    def _run_id(self) -> str | None:
        return self.run.id if self.run is not None and self.context is not None else None

    def _elapsed(self) -> float:
        run_id = self._run_id()
        return self._runs().clock(run_id).elapsed() if run_id is not None else 0.0

    def _current_phase(self):  # -> Phase | None
        run_id = self._run_id()
        if run_id is None:
            return None
        return current_phase(self.scenario.phases, self._elapsed(), phase_jumps=self._runs().phase_jumps(run_id))

    def _timeline_now(self) -> None:
        self.timeline_view.follow_now = True
        self.timeline_view.scroll_to(self.timeline_view.now_s)

    def _open(self, dialog: QDialog) -> None:
        self.active_dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None

    def _do(self, title: str, work: Callable[[], object], *, ok: bool = False) -> object:
        """Run a service call; on a refusal explain it and return None (``ok`` returns True on success)."""
        try:
            result = work()
        except CtpnError as error:
            self._report(title, str(error).rstrip(".") + ".", "Nothing was recorded.")
            self._refresh_clock_state()
            return None
        return True if ok else result

    def _report(self, title: str, text: str, details: str = "") -> None:
        self.active_dialog = show_error(self, title, text[:1].upper() + text[1:], details)  # type: ignore[assignment]

    def _feedback(self, text: str) -> None:
        self.feedback_label.setText(text)
        window = self.window()
        status_bar = getattr(window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, 8000)


def _saved(event: InjectEvent) -> str:
    return ("saved on this laptop: the room's server cannot be reached, so it is sent when it is back "
            "(a release another station made first wins)" if event.pending else "saved")


def _short_status(status: RunStatus) -> str:
    """The status for the narrow runs list: "Halted", not the whole explanation."""
    return RUN_STATUS_LABELS.get(status, status.value).split(" (")[0]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")




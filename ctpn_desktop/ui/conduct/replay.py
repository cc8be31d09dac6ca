"""The replay window: a run opened read-only at any moment, for the debrief.

A scrubber over exercise time (ticks where something happened), play at ×1 to ×60, steps from record to record,
and bookmarks. The inject queue, the timeline, the clock, the decision log and the presenter display (with a
REPLAY banner) all show the room as it was at the chosen moment; `core.replay` works that out from the stored
records. Nothing can be released, logged or changed here: the only thing written is a bookmark.

Keys: Space plays or pauses, Left/Right step to the previous or next record, Shift+Left/Right move a minute,
Home/End go to STARTEX/ENDEX, Ctrl+B adds a bookmark, Ctrl+G goes to a time, Escape closes.

*Cite in a new observation…* takes the selected bookmark to the decision log's Observations tab, in the main
window, where a new observation starts with the bookmark already cited.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta

from PySide6.QtCore import QElapsedTimer, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QGuiApplication, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Evidence, EvidenceKind, RunInfo, RunStatus
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.replay import SPEEDS, ReplayEvent, ReplayEventKind, ReplayState, RunReplay, Shown
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.replay import Bookmark, ReplayService
from ctpn_desktop.core.timeline import InjectState

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.conduct.presenter import (
    STAND_BY,
    PresenterSlide,
    PresenterWindow,
    adhoc_slide,
    halt_slide,
    inject_slide,
    phase_slide,
)
from ctpn_desktop.ui.conduct.queue import TITLE, WIDTHS, QueueFilter, QueueModel
from ctpn_desktop.ui.conduct.timeline_view import TimelineMark, TimelineView
from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.dialogs.prompts import show_error
from ctpn_desktop.ui.formatting import format_wall_time, run_label
from ctpn_desktop.ui.models import log as log_columns
from ctpn_desktop.ui.models.log import LogTableModel
from ctpn_desktop.ui.widgets import heading, set_column_widths, setup_table

BANNER = "REPLAY — read-only"
PRESENTER_BANNER = "REPLAY OF A PAST RUN — NOT LIVE"
LOG_WIDTHS = {log_columns.NUMBER: 5, log_columns.LOGGED: 9, log_columns.EXERCISE_TIME: 12, log_columns.KIND: 10,
              log_columns.DECISION_MAKER: 18, log_columns.ORGANISATION: 12, log_columns.RATIONALE: 24,
              log_columns.LOGGED_BY: 14, log_columns.REVISION: 12}
PLAY_TICK_MS = 100
REREAD_DELAY_MS = 300
"""How long the run's records must stay unchanged before the replay reads them again (a busy log is read once)."""
STEP_S = 60
STATUS_WORDS = {RunStatus.READY: "Not started", RunStatus.RUNNING: "Running", RunStatus.PAUSED: "Paused",
                RunStatus.HALTED: "HALTED", RunStatus.ENDED: "Ended (ENDEX)"}
EVENT_COLOURS = {ReplayEventKind.CLOCK: QColor("#607d8b"), ReplayEventKind.INJECT: QColor("#1e88e5"),
                 ReplayEventKind.ADHOC: QColor("#1e88e5"), ReplayEventKind.LOG: QColor("#43a047"),
                 ReplayEventKind.CORRECTION: QColor("#fb8c00")}
_TIME = re.compile(r"^\s*(-)?(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?\s*$")


def parse_time(text: str) -> tuple[int, int, int] | None:
    """``H:MM[:SS]`` (or minutes alone) as hours, minutes, seconds; None when it is not a time."""
    match = _TIME.match(text)
    if match is None or match.group(1):
        return None
    first, minutes, seconds = match.group(2), match.group(3), match.group(4)
    if minutes is None:
        return 0, int(first), 0
    if int(minutes) > 59 or (seconds is not None and int(seconds) > 59):
        return None
    return int(first), int(minutes), int(seconds or 0)


class Scrubber(QSlider):
    """A slider over whole exercise seconds with a tick under it for each record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("replayScrubber")
        self.setAccessibleName("Exercise time of the replay")
        self.setMinimumHeight(38)
        self.setSingleStep(1)
        self.setPageStep(STEP_S)
        self._ticks: list[tuple[float, QColor]] = []

    def set_ticks(self, events: list[ReplayEvent]) -> None:
        self._ticks = [(e.exercise_s, EVENT_COLOURS[e.kind]) for e in events]
        self.update()

    def keyPressEvent(self, event: object) -> None:
        event.ignore()  # type: ignore[attr-defined]  # the window's keys step through records instead

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._ticks or self.maximum() <= self.minimum():
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        left = groove.left() + handle.width() / 2
        span = max(1.0, groove.width() - handle.width())
        painter = QPainter(self)
        top = self.height() - 9
        for exercise_s, colour in self._ticks:
            share = (exercise_s - self.minimum()) / (self.maximum() - self.minimum())
            x = round(left + min(max(share, 0.0), 1.0) * span)
            painter.fillRect(QRect(x, top, 2, 8), colour)
        painter.end()


class ReplayWindow(QWidget):
    """One run, replayed. Build it with `open_replay`; it never writes but bookmarks, and reads the run again when
    its records change."""

    closed = Signal()

    def __init__(self, context: DocumentContext, run: RunInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("replayWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.context = context
        self.run = run
        self.service: ReplayService = context.replay
        self.replay: RunReplay = self.service.load(run.id)
        self.scenario = self.replay.scenario
        self.state: ReplayState = self.replay.state_at(0.0)
        self.presenter: PresenterWindow | None = None
        self.presenter_slide: PresenterSlide = STAND_BY
        self.bookmark_dialog: QInputDialog | None = None
        self.playing = False
        self.speed = 1.0
        self._position_s = 0.0
        """The exercise time the scrubber stands at while playing (the state may show a jump beyond it)."""
        self._elapsed = QElapsedTimer()
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_TICK_MS)
        self.timer.timeout.connect(self._play_tick)
        self.reread_timer = QTimer(self)
        self.reread_timer.setSingleShot(True)
        self.reread_timer.setInterval(REREAD_DELAY_MS)
        self.reread_timer.timeout.connect(self.reread)
        self.setWindowTitle(f"Replay — {run_label(run)} — {self.scenario.exercise.title}")
        self.setAccessibleName(f"Replay of {run_label(run)}, read-only")
        self._build()
        self._keys()
        context.live.changed.connect(self._document_changed)
        self.reload_bookmarks()
        self.seek_moment(0.0)
        self.resize(1320, 860)

    # Construction --------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.banner = QLabel(BANNER, self)
        self.banner.setObjectName("replayBadge")
        self.banner.setStyleSheet("QLabel#replayBadge { background: #b00020; color: #ffffff; font-weight: bold; "
                                  "padding: 4px 12px; border-radius: 4px; letter-spacing: 1px; }")
        top.addWidget(self.banner)
        title = heading(f"{run_label(self.run)} · {self.scenario.exercise.title}", 2, self)
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(title, 1)
        self.presenter_button = QPushButton(icons.icon("mdi6.projector-screen-outline"), "Presenter display", self)
        self.presenter_button.setCheckable(True)
        self.presenter_button.setToolTip("Show the presenter display as it was, with a REPLAY banner (Ctrl+Shift+F)")
        self.presenter_button.toggled.connect(self.set_presenter_shown)
        top.addWidget(self.presenter_button)
        layout.addLayout(top)

        clock = QFrame(self)
        clock.setObjectName("replayClock")
        clock.setFrameShape(QFrame.Shape.StyledPanel)
        clock_layout = QHBoxLayout(clock)
        clock_layout.setContentsMargins(14, 8, 14, 8)
        clock_layout.setSpacing(28)
        self.exercise_label = QLabel("0:00:00", clock)
        self.exercise_label.setObjectName("replayExerciseTime")
        self.exercise_label.setAccessibleName("Exercise time at this moment")
        font = self.exercise_label.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 2.4)
        font.setBold(True)
        font.setStyleHint(font.StyleHint.Monospace)
        self.exercise_label.setFont(font)
        self.status_label = QLabel("", clock)
        self.status_label.setObjectName("replayStatus")
        self.wall_label = QLabel("", clock)
        self.wall_label.setObjectName("replayWallTime")
        self.scenario_label = QLabel("", clock)
        self.scenario_label.setObjectName("replayScenarioTime")
        self.phase_label = QLabel("", clock)
        self.phase_label.setObjectName("replayPhase")
        self.phase_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        for caption, label in (("Exercise time", self.exercise_label), ("Clock", self.status_label),
                               ("Wall time", self.wall_label), ("Scenario time", self.scenario_label),
                               ("Phase", self.phase_label)):
            column = QVBoxLayout()
            column.setSpacing(0)
            small = QLabel(caption, clock)
            small.setProperty("muted", True)
            column.addWidget(small)
            column.addWidget(label)
            column.addStretch(1)
            clock_layout.addLayout(column, 1 if label is self.phase_label else 0)
        layout.addWidget(clock)

        self.scrubber = Scrubber(self)
        self.scrubber.valueChanged.connect(self._scrubbed)
        scale = QHBoxLayout()
        self.start_label = QLabel(self)
        self.end_label = QLabel(self)
        for label in (self.start_label, self.end_label):
            label.setProperty("muted", True)
        scale.addWidget(self.start_label)
        scale.addWidget(self.scrubber, 1)
        scale.addWidget(self.end_label)
        layout.addLayout(scale)

        transport = QHBoxLayout()
        transport.setSpacing(6)
        self.previous_button = self._tool("mdi6.skip-previous", "Previous record (Left)", self.step_previous)
        self.play_button = self._tool("mdi6.play", "Play (Space)", self.toggle_play)
        self.next_button = self._tool("mdi6.skip-next", "Next record (Right)", self.step_next)
        for button in (self.previous_button, self.play_button, self.next_button):
            transport.addWidget(button)
        transport.addSpacing(8)
        speed_caption = QLabel("&Speed", self)
        transport.addWidget(speed_caption)
        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("replaySpeed")
        self.speed_combo.setAccessibleName("Play speed")
        for factor in SPEEDS:
            self.speed_combo.addItem(f"×{factor:g}", factor)
        self.speed_combo.currentIndexChanged.connect(lambda _i: self.set_speed(float(self.speed_combo.currentData())))
        speed_caption.setBuddy(self.speed_combo)
        transport.addWidget(self.speed_combo)
        transport.addSpacing(12)
        self.goto_mode = QComboBox(self)
        self.goto_mode.setAccessibleName("Go to exercise time or wall time")
        self.goto_mode.addItem("Exercise time", "exercise")
        self.goto_mode.addItem("Wall time", "wall")
        transport.addWidget(self.goto_mode)
        self.goto_edit = QLineEdit(self)
        self.goto_edit.setObjectName("replayGoTo")
        self.goto_edit.setAccessibleName("Time to go to")
        self.goto_edit.setPlaceholderText("e.g. 1:12:00 or 19:12")
        self.goto_edit.setMinimumWidth(self.goto_edit.fontMetrics().horizontalAdvance('e.g. 1:12:00 or 19:12') + 24)
        self.goto_edit.returnPressed.connect(self.go_to_typed)
        transport.addWidget(self.goto_edit)
        self.event_label = QLabel("", self)
        self.event_label.setObjectName("replayEvent")
        self.event_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        transport.addSpacing(12)
        transport.addWidget(self.event_label, 1)
        layout.addLayout(transport)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QSplitter(Qt.Orientation.Vertical, splitter)
        queue_box = QWidget(left)
        queue_layout = QVBoxLayout(queue_box)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_bar = QHBoxLayout()
        queue_bar.addWidget(heading("Inject queue", 3, queue_box))
        self.show_done_check = QCheckBox("Show released and skipped", queue_box)
        self.show_done_check.setChecked(True)
        queue_bar.addWidget(self.show_done_check)
        queue_bar.addStretch(1)
        self.queue_summary = QLabel("", queue_box)
        self.queue_summary.setProperty("muted", True)
        queue_bar.addWidget(self.queue_summary)
        queue_layout.addLayout(queue_bar)
        self.queue_view = QTableView(queue_box)
        setup_table(self.queue_view, "Inject queue at this moment")
        self.queue_view.setSortingEnabled(False)
        self.queue_model = QueueModel(self)
        self.queue_proxy = QueueFilter(self)
        self.queue_proxy.setSourceModel(self.queue_model)
        self.queue_proxy.set_show_done(True)
        self.queue_view.setModel(self.queue_proxy)
        set_column_widths(self.queue_view, WIDTHS, stretch=TITLE)
        self.show_done_check.toggled.connect(self.queue_proxy.set_show_done)
        queue_layout.addWidget(self.queue_view, 1)

        self.tabs = QTabWidget(left)
        self.tabs.setDocumentMode(True)
        self.timeline_view = TimelineView(self.tabs)
        self.log_view = QTableView(self.tabs)
        setup_table(self.log_view, "Decision log as it stood at this moment")
        self.log_model = LogTableModel(parent=self)
        self.log_view.setModel(self.log_model)
        self.log_view.setSortingEnabled(False)
        set_column_widths(self.log_view, LOG_WIDTHS, stretch=log_columns.TEXT)
        self.log_view.setColumnHidden(log_columns.SYNDICATE, True)
        self.events_list = QListWidget(self.tabs)
        self.events_list.setObjectName("replayEvents")
        self.events_list.setAccessibleName("Every record of the run; Enter goes to it")
        self.events_list.itemActivated.connect(self._event_activated)
        self.log_tab = self.tabs.addTab(self.log_view, icons.icon(icons.TIMELINE), "Decision log")
        self.timeline_tab = self.tabs.addTab(self.timeline_view, icons.icon(icons.TIMELINE), "Timeline")
        self.events_tab = self.tabs.addTab(self.events_list, icons.icon(icons.CLOCK), "Records")
        self._show_records()
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setChildrenCollapsible(False)

        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(heading("Bookmarks", 3, right))
        self.bookmark_list = QListWidget(right)
        self.bookmark_list.setObjectName("replayBookmarks")
        self.bookmark_list.setAccessibleName("Bookmarks of this run; Enter goes to the moment")
        self.bookmark_list.setWordWrap(True)
        self.bookmark_list.itemActivated.connect(self._bookmark_activated)
        right_layout.addWidget(self.bookmark_list, 1)
        self.bookmark_empty = QLabel("No bookmarks yet. Ctrl+B marks the moment shown, to come back to it and to "
                                     "cite it in an observation.", right)
        self.bookmark_empty.setWordWrap(True)
        self.bookmark_empty.setProperty("muted", True)
        right_layout.addWidget(self.bookmark_empty)
        buttons = QHBoxLayout()
        self.add_bookmark_button = QPushButton(icons.icon("mdi6.bookmark-plus-outline"), "Bookmark…", right)
        self.add_bookmark_button.setToolTip("Bookmark the moment shown (Ctrl+B)")
        self.add_bookmark_button.clicked.connect(self.ask_bookmark)
        self.copy_citation_button = QPushButton(icons.icon("mdi6.content-copy"), "Copy citation", right)
        self.copy_citation_button.setToolTip("Copy the selected bookmark as a citation for an observation")
        self.copy_citation_button.clicked.connect(self.copy_citation)
        buttons.addWidget(self.add_bookmark_button)
        buttons.addWidget(self.copy_citation_button)
        right_layout.addLayout(buttons)
        self.cite_button = QPushButton(icons.icon("mdi6.comment-quote-outline"), "C&ite in a new observation…", right)
        self.cite_button.setObjectName("citeBookmark")
        self.cite_button.setToolTip("Start an observation in the decision log that cites the selected bookmark")
        self.cite_button.clicked.connect(self.cite_in_new_observation)
        right_layout.addWidget(self.cite_button)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 300])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.feedback = QLabel("", self)
        self.feedback.setObjectName("replayFeedback")
        self.feedback.setProperty("muted", True)
        layout.addWidget(self.feedback)

    def _show_records(self) -> None:
        """The scrubber's span and ticks and the list of records, from the replay as last read."""
        blocker = self.scrubber.blockSignals(True)
        self.scrubber.setRange(math.floor(self.replay.start_exercise_s), math.ceil(self.replay.end_exercise_s))
        self.scrubber.blockSignals(blocker)
        self.scrubber.set_ticks(self.replay.events)
        self.start_label.setText(format_elapsed(self.scrubber.minimum()))
        ended = bool(self.replay.events) and self.replay.events[-1].label == "ENDEX"
        self.end_label.setText(f"{format_elapsed(self.scrubber.maximum())}{' ENDEX' if ended else ''}")
        self.events_list.clear()
        for event in self.replay.events:
            item = QListWidgetItem(f"{format_elapsed(event.exercise_s)}  ·  "
                                   f"{format_wall_time(event.wall_time, with_date=False)}  ·  {event.label}")
            item.setData(Qt.ItemDataRole.UserRole, event.moment)
            item.setForeground(EVENT_COLOURS[event.kind])
            self.events_list.addItem(item)
        self.tabs.setTabText(self.events_tab, f"Records ({len(self.replay.events)})")

    def _tool(self, icon_name: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icons.icon(icon_name))
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setAutoRaise(False)
        button.setMinimumSize(36, 32)
        button.clicked.connect(slot)  # type: ignore[arg-type]
        return button

    def _keys(self) -> None:
        bindings = (
            ("Space", self.toggle_play), ("Right", self.step_next), ("Left", self.step_previous),
            ("Shift+Right", lambda: self.seek_exercise(self._position_s + STEP_S)),
            ("Shift+Left", lambda: self.seek_exercise(self._position_s - STEP_S)),
            ("Home", lambda: self.seek_moment(0.0)), ("End", lambda: self.seek_moment(self.replay.endex_moment)),
            ("Ctrl+B", self.ask_bookmark), ("Ctrl+G", self._focus_goto), ("Escape", self.close),
            ("Ctrl+Shift+F", self.presenter_button.toggle),
        )
        for keys, slot in bindings:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def _focus_goto(self) -> None:
        self.goto_edit.setFocus()
        self.goto_edit.selectAll()

    # Moving ---------------------------------------------------------------------------------------------
    def seek_exercise(self, exercise_s: float) -> None:
        exercise_s = min(max(exercise_s, self.scrubber.minimum()), self.scrubber.maximum())
        self._position_s = exercise_s
        self._show(self.replay.state_at_exercise(exercise_s))

    def seek_moment(self, moment: float) -> None:
        state = self.replay.state_at(moment)
        self._position_s = state.exercise_s
        self._show(state)

    def step_next(self) -> None:
        event = self.replay.next_event(self.state.moment)
        if event is None:
            self._say("No later record: this is the last thing that happened in the run")
            return
        self.seek_moment(event.moment)

    def step_previous(self) -> None:
        event = self.replay.previous_event(self.state.moment)
        if event is None:
            self.seek_moment(0.0)
            self._say("STARTEX: nothing was recorded before this")
            return
        self.seek_moment(event.moment)

    def _scrubbed(self, value: int) -> None:
        if self.scrubber.isSliderDown() or self.scrubber.hasFocus() or not self.playing:
            self.seek_exercise(float(value))

    def go_to_typed(self) -> None:
        typed = self.goto_edit.text()
        parsed = parse_time(typed)
        if parsed is None:
            self._say(f"'{typed.strip()}' is not a time: type H:MM:SS (or H:MM)")
            return
        hours, minutes, seconds = parsed
        if self.goto_mode.currentData() == "exercise":
            self.seek_exercise(hours * 3600 + minutes * 60 + seconds)
            return
        if hours > 23:
            self._say(f"'{typed.strip()}' is not a time of day")
            return
        wanted = time(hours, minutes, seconds)
        local_start = self.replay.origin.astimezone()
        day = datetime.combine(local_start.date(), wanted, local_start.tzinfo)
        if day < local_start - timedelta(hours=12):
            day += timedelta(days=1)  # a run that went on past midnight
        moment = self.replay.moment_of(day)
        if not 0 <= moment <= self.replay.end_moment:
            self._say(f"The run's record does not reach {wanted.strftime('%H:%M:%S')} wall time "
                      f"({format_wall_time(self.replay.origin, with_date=False)} to "
                      f"{format_wall_time(self.replay.wall_of(self.replay.end_moment), with_date=False)})")
            return
        self.seek_moment(moment)

    # Playing --------------------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self._position_s >= self.scrubber.maximum():
            self.seek_moment(0.0)
        self.playing = True
        self._elapsed.start()
        self.timer.start()
        self._show_play_state()

    def pause(self) -> None:
        self.playing = False
        self.timer.stop()
        self._show_play_state()

    def set_speed(self, factor: float) -> None:
        self.speed = factor
        index = self.speed_combo.findData(factor)
        if index >= 0 and index != self.speed_combo.currentIndex():
            self.speed_combo.setCurrentIndex(index)

    def _play_tick(self) -> None:
        self.advance(self._elapsed.restart() / 1000.0)

    def advance(self, seconds: float) -> None:
        """Play on by ``seconds`` of real time: exercise time moves by that times the speed."""
        target = self._position_s + seconds * self.speed
        if target >= self.scrubber.maximum():
            self.seek_exercise(self.scrubber.maximum())
            self.pause()
            self._say("End of the run")
            return
        self.seek_exercise(target)

    def _show_play_state(self) -> None:
        self.play_button.setIcon(icons.icon("mdi6.pause" if self.playing else "mdi6.play"))
        tip = "Pause (Space)" if self.playing else "Play (Space)"
        self.play_button.setToolTip(tip)
        self.play_button.setAccessibleName(tip)

    # Showing --------------------------------------------------------------------------------------------
    def _show(self, state: ReplayState) -> None:
        self.state = state
        clock = state.clock
        self.exercise_label.setText(format_elapsed(clock.exercise_s))
        status = STATUS_WORDS[clock.status]
        if clock.status is not RunStatus.READY and clock.compression != 1.0:
            status += f" ×{clock.compression:g}"
        if clock.status in (RunStatus.HALTED, RunStatus.PAUSED) and clock.last_anchor and clock.last_anchor.reason:
            status += f" — {clock.last_anchor.reason}"
        self.status_label.setText(status)
        self.status_label.setStyleSheet("color: #b00020; font-weight: bold;"
                                        if clock.status is RunStatus.HALTED else "")
        self.wall_label.setText(format_wall_time(state.wall_time))
        self.scenario_label.setText(state.scenario_time.strftime("%a %d %b %H:%M:%S")
                                    if state.scenario_time is not None else "—")
        self.phase_label.setText(state.phase.name if state.phase is not None else "—")
        self.phase_label.setToolTip(self.phase_label.text())
        blocker = self.scrubber.blockSignals(True)
        self.scrubber.setValue(math.floor(self._position_s))
        self.scrubber.blockSignals(blocker)

        self.queue_model.set_run(self.scenario, state.timeline, list(state.adhocs), state.exercise_s)
        rows = state.queue()
        released = sum(1 for r in rows if r.state is InjectState.RELEASED) + len(state.adhocs)
        due = sum(1 for r in rows if r.state.actionable)
        self.queue_summary.setText(f"{released} out · {due} due or overdue · "
                                   f"{sum(1 for r in rows if r.state is InjectState.PENDING)} still ahead")
        self.log_model.set_entries(state.log)
        self.log_view.scrollToBottom()  # the latest entry is what the room had just heard
        ahead = next((row for row in range(self.queue_model.rowCount())
                      if self.queue_model.state(row) not in (InjectState.RELEASED, InjectState.SKIPPED)), None)
        if ahead is not None:
            self.queue_view.scrollTo(self.queue_proxy.mapFromSource(self.queue_model.index(ahead, 0)),
                                     QTableView.ScrollHint.PositionAtCenter)
        self.tabs.setTabText(self.log_tab, f"Decision log ({len(state.log)})")
        self._show_timeline(state)
        self._show_event(state)
        self._show_presenter(state)

    def _show_timeline(self, state: ReplayState) -> None:
        phases = sorted(self.scenario.phases, key=lambda p: (p.start_offset_s, p.position))
        lanes = {p.id: i for i, p in enumerate(phases)}
        names = [p.name for p in phases] + ["No phase", "Ad-hoc"]
        marks = []
        span = self.replay.end_exercise_s
        for row in state.queue():
            fixed = row.state if row.state in (InjectState.RELEASED, InjectState.SKIPPED, InjectState.HELD) else None
            marks.append(TimelineMark(row.inject_id, lanes.get(row.inject.phase_id or "", len(phases)),
                                      f"#{row.number}", row.planned_s, row.due_s, row.released_at_s, fixed,
                                      row.waiting_on_id is not None, f"#{row.number} {row.title}\n{row.state.label}"))
            span = max(span, row.due_s)
        for adhoc in state.adhocs:
            marks.append(TimelineMark(adhoc.id, len(phases) + 1, f"A{adhoc.number}", adhoc.exercise_s,
                                      adhoc.exercise_s, adhoc.exercise_s, InjectState.RELEASED, False,
                                      f"Ad-hoc A{adhoc.number} {adhoc.title}"))
        self.timeline_view.overdue_after_s = state.timeline.overdue_after_s
        self.timeline_view.set_marks(names, marks, span + 600)
        self.timeline_view.set_now(state.exercise_s)

    def _show_event(self, state: ReplayState) -> None:
        index = state.events_seen - 1
        if index < 0:
            self.event_label.setText("Before anything was recorded")
            self.events_list.setCurrentRow(-1)
        else:
            event = self.replay.events[index]
            self.event_label.setText(f"Last record: {event.label}")
            self.event_label.setToolTip(event.label)
            blocker = self.events_list.blockSignals(True)
            self.events_list.setCurrentRow(index)
            self.events_list.blockSignals(blocker)
        self.previous_button.setEnabled(state.moment > 0)
        self.next_button.setEnabled(self.replay.next_event(state.moment) is not None)

    def _slide(self, state: ReplayState) -> PresenterSlide:
        shown = state.presenter
        if shown.shown is Shown.HALT:
            return halt_slide()
        if shown.shown is Shown.INJECT:
            inject = next((i for i in self.scenario.injects if i.id == shown.ref_id), None)
            if inject is not None:
                return inject_slide(inject, lambda aid: self.context.runs.attachment_data(self.run.id, aid))
        if shown.shown is Shown.ADHOC:
            adhoc = next((a for a in state.adhocs if a.id == shown.ref_id), None)
            if adhoc is not None:
                return adhoc_slide(adhoc)
        if shown.shown is Shown.PHASE:
            phase = self.scenario.phase(shown.ref_id)
            if phase is not None:
                return phase_slide(phase)
        return STAND_BY

    def _show_presenter(self, state: ReplayState) -> None:
        slide = self._slide(state)
        if self.presenter is None:
            self.presenter_slide = slide
            return
        if slide != self.presenter_slide:
            self.presenter.show_slide(slide)
        self.presenter_slide = slide
        self.presenter.set_status(state.scenario_time.strftime("%a %d %b %H:%M") if state.scenario_time else "",
                                  state.phase.name if state.phase is not None else "")

    # The presenter --------------------------------------------------------------------------------------
    def set_presenter_shown(self, shown: bool) -> None:
        if shown:
            if self.presenter is None:
                self.presenter = PresenterWindow(self)
                self.presenter.set_marking(self.scenario.exercise.marking)
                self.presenter.set_exercise_title(self.scenario.exercise.title)
                self.presenter.set_replay_banner(f"{PRESENTER_BANNER} · {run_label(self.run)}")
                self.presenter.closed.connect(lambda: self.presenter_button.setChecked(False))
                self.presenter.show_slide(self.presenter_slide)
            self._show_presenter(self.state)
            self.presenter.show()
        elif self.presenter is not None:
            self.presenter.hide()

    # Bookmarks ------------------------------------------------------------------------------------------
    def reload_bookmarks(self) -> None:
        self.bookmarks: list[Bookmark] = self.service.bookmarks(self.run.id)
        self.bookmark_list.clear()
        for mark in self.bookmarks:
            item = QListWidgetItem(f"{format_elapsed(mark.exercise_s)}  {mark.label}\n"
                                   f"{format_wall_time(mark.at_wall, with_date=False)} wall time"
                                   + (f" · {mark.author}" if mark.author else ""))
            item.setData(Qt.ItemDataRole.UserRole, mark.id)
            item.setToolTip(mark.citation)
            self.bookmark_list.addItem(item)
        self.bookmark_list.setVisible(bool(self.bookmarks))
        self.bookmark_empty.setVisible(not self.bookmarks)
        self.copy_citation_button.setEnabled(bool(self.bookmarks))
        self.cite_button.setEnabled(bool(self.bookmarks) and self.context.document.station.can(Permission.EVALUATE))

    def ask_bookmark(self) -> None:
        """Ask for the label of a bookmark at the moment shown (the dialog does not block the window)."""
        self.pause()
        dialog = QInputDialog(self)
        dialog.setObjectName("bookmarkDialog")
        dialog.setWindowTitle("Bookmark this moment")
        dialog.setLabelText(f"What happened at {format_elapsed(self.state.exercise_s)} "
                            f"({format_wall_time(self.state.wall_time, with_date=False)} wall time)?")
        dialog.setOkButtonText("Bookmark")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(self.add_bookmark)
        self.bookmark_dialog = dialog
        dialog.open()

    def add_bookmark(self, label: str) -> Bookmark | None:
        try:
            mark = self.service.add_bookmark(self.run.id, at_wall=self.state.wall_time,
                                             exercise_s=self.state.exercise_s, label=label)
        except CtpnError as error:
            show_error(self, "Cannot add the bookmark", str(error))
            return None
        self.reload_bookmarks()
        self._say(f"✓ Bookmarked: {mark.citation} — saved")
        return mark

    def _bookmark_activated(self, item: QListWidgetItem) -> None:
        mark = next((b for b in self.bookmarks if b.id == item.data(Qt.ItemDataRole.UserRole)), None)
        if mark is not None:
            self.go_to_bookmark(mark)

    def go_to_bookmark(self, mark: Bookmark) -> None:
        self.pause()
        state = self.replay.state_at_wall(mark.at_wall)
        self._position_s = mark.exercise_s
        self._show(state)
        self._say(f"At bookmark: {mark.citation}")

    def selected_bookmark(self) -> Bookmark | None:
        """The bookmark chosen in the list (the first when none is)."""
        row = max(self.bookmark_list.currentRow(), 0)
        return self.bookmarks[row] if row < len(self.bookmarks) else None

    def copy_citation(self) -> None:
        mark = self.selected_bookmark()
        if mark is not None:
            QGuiApplication.clipboard().setText(mark.citation)
            self._say(f"Copied: {mark.citation}")

    def cite_in_new_observation(self) -> None:
        """Bring the main window's Observations tab forward with a new observation citing the selected bookmark."""
        from ctpn_desktop.ui.main_window import DECISION_LOG, MainWindow

        mark = self.selected_bookmark()
        parent = self.parentWidget()
        main = parent.window() if parent is not None else None
        if mark is None or not isinstance(main, MainWindow):
            return
        main.show_page(DECISION_LOG)
        main.decision_log_page.cite_in_new_observation(self.run.id, Evidence(EvidenceKind.BOOKMARK, mark.id))
        main.raise_()
        main.activateWindow()
        self._say(f"Citing {mark.citation} in a new observation in the decision log")

    def _event_activated(self, item: QListWidgetItem) -> None:
        self.pause()
        self.seek_moment(float(item.data(Qt.ItemDataRole.UserRole)))

    # Upkeep ---------------------------------------------------------------------------------------------
    def _document_changed(self, changes: Changes) -> None:
        """Bookmarks made on another station (or page) appear at once; new records of the run (it may still be
        in play, or a laptop's log merged) are read again once they stop coming for a moment."""
        if not changes.concerns_run(self.run.id):
            return
        if changes.touches(Topic.EVALUATION):
            self.reload_bookmarks()
        if changes.touches(Topic.RUNS, Topic.CLOCK, Topic.INJECT_EVENTS, Topic.LOG):
            self.reread_timer.start()

    def reread(self) -> None:
        """Read the run's records again and stay at the moment shown (a run in play goes on past it)."""
        try:
            replay = self.service.load(self.run.id)
        except CtpnError as error:
            self._say(f"The new records could not be read ({error}); the replay shows them as first read")
            return
        moment = self.state.moment
        self.replay = replay
        self._show_records()
        self.seek_moment(min(moment, replay.end_moment))

    def _say(self, text: str) -> None:
        self.feedback.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.pause()
        self.context.live.changed.disconnect(self._document_changed)
        if self.presenter is not None:
            self.presenter.close()
        super().closeEvent(event)
        self.closed.emit()


def open_replay(context: DocumentContext, run: RunInfo, parent: QWidget) -> ReplayWindow | None:
    """The replay of ``run`` in its own window, or None (with the reason shown) when it cannot be read."""
    try:
        window = ReplayWindow(context, run, parent)
    except (CtpnError, ValueError) as error:
        show_error(parent, "Cannot replay the run", str(error))
        return None
    window.show()
    return window

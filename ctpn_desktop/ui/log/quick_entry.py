"""The quick-entry bar: a loggist types, presses Enter, and the entry is on disk before its row appears.

The entry's time (wall and exercise time) is taken at the first keystroke, not at Enter, because the moment a
decision is announced is what the log must show. The linked inject defaults to the last inject released in
the run. If saving fails, nothing typed is cleared and the reason is shown. An entry for a run that has ended
is saved only once the loggist has said it belongs there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import InjectEventKind, LogEntry, RunInfo, RunStatus
from ctpn_desktop.core.errors import CtpnError

from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.formatting import format_wall_time, run_label
from ctpn_desktop.ui.log.choices import RunChoices
from ctpn_desktop.ui.log.form import EntryForm
from ctpn_desktop.ui.log.style import problem_colour
from ctpn_desktop.ui.widgets import heading, muted

IDLE_HINT = "The time is taken at your first keystroke. Enter saves; Shift+Enter starts a new line."


@dataclass(frozen=True)
class StartedAt:
    wall: datetime
    exercise_s: float


class QuickEntryBar(QFrame):
    committed = Signal(object)
    """A `LogEntry`, emitted after it is committed to disk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickEntry")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.context: DocumentContext | None = None
        self.run_id: str | None = None
        self.started: StartedAt | None = None
        self._inject_chosen = False
        self._ended_run_agreed: str | None = None
        """The ended run the loggist agreed to log into; asked again for any other run."""
        self.ended_box: QMessageBox | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        header = QHBoxLayout()
        header.setSpacing(10)
        self.title = heading("New entry", 3, self)
        self.time_label = muted(IDLE_HINT, self)
        self.time_label.setObjectName("entryTime")
        self.time_label.setWordWrap(True)
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("x" * 24))
        logged_by_caption = QLabel("Logged b&y", self)
        self.logged_by = QLineEdit(self)
        self.logged_by.setObjectName("entryLoggedBy")
        self.logged_by.setAccessibleName("Logged by")
        self.logged_by.setPlaceholderText("Your name")
        self.logged_by.setMaximumWidth(220)
        logged_by_caption.setBuddy(self.logged_by)
        self.save_button = QPushButton("Save entry", self)
        self.save_button.setObjectName("entrySave")
        self.save_button.setToolTip("Save the entry (Enter in any field)")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("entryClear")
        self.clear_button.setToolTip("Empty the fields without saving")
        header.addWidget(self.title)
        header.addWidget(self.time_label, 1)
        header.addWidget(logged_by_caption)
        header.addWidget(self.logged_by)
        header.addWidget(self.clear_button)
        header.addWidget(self.save_button)
        layout.addLayout(header)

        self.form = EntryForm(self)
        layout.addWidget(self.form)
        self.status = QLabel("", self)
        self.status.setObjectName("entryStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        layout.addWidget(self.status)

        self.form.edited.connect(self._first_keystroke)
        self.form.submitted.connect(self.commit)
        self.form.inject.activated.connect(self._inject_picked)
        self.logged_by.returnPressed.connect(self.commit)
        self.save_button.clicked.connect(self.commit)
        self.clear_button.clicked.connect(self.discard)
        self.setTabOrder(self.form.actions, self.logged_by)
        self.setTabOrder(self.logged_by, self.save_button)
        self.setTabOrder(self.save_button, self.clear_button)
        self.setAccessibleName("New log entry")
        self._set_enabled(False)

    # Run -------------------------------------------------------------------------------------------------
    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        """Log into ``run_id`` from now on; what is typed but not saved stays in the fields, its time now read
        on that run's clock."""
        moved = run_id != self.run_id
        self.context, self.run_id = context, run_id
        if moved:
            self._ended_run_agreed = None
            if self._dirty() and context is not None and run_id is not None:
                self._restart_on_clock_of(context, run_id)
        self.form.set_choices(choices)
        if not self._dirty():
            self.form.clear(inject_id=choices.last_released)
            self._inject_chosen = False
        self._set_enabled(context is not None and run_id is not None)

    def _set_enabled(self, enabled: bool) -> None:
        self.form.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.clear_button.setEnabled(enabled)
        if not enabled:
            self.time_label.setText("Choose a run to log into.")
        elif self.started is None:
            self.time_label.setText(IDLE_HINT)

    def focus_entry(self) -> None:
        self.form.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # Typing ----------------------------------------------------------------------------------------------
    def _inject_picked(self, *_args: object) -> None:
        self._inject_chosen = True

    def _first_keystroke(self) -> None:
        if self.started is not None or self.context is None or self.run_id is None:
            return
        context = self.context
        self.started = StartedAt(context.time_source.wall(), context.runs.clock(self.run_id).elapsed())
        if not self._inject_chosen:
            last = _last_released(context, self.run_id)
            if last is not None:
                index = self.form.inject.findData(last)
                if index >= 0:
                    self.form.inject.setCurrentIndex(index)
        self._show_started()
        self.status.hide()

    def _restart_on_clock_of(self, context: DocumentContext, run_id: str) -> None:
        """The first keystroke's moment on another run's clock: that clock now, less the time since then."""
        assert self.started is not None
        clock = context.runs.clock(run_id)
        since = max(0.0, (context.time_source.wall() - self.started.wall).total_seconds())
        back = since * clock.compression if clock.running else 0.0
        self.started = StartedAt(self.started.wall, max(0.0, clock.elapsed() - back))
        self._show_started()

    def _show_started(self) -> None:
        assert self.started is not None
        self.time_label.setText(f"Started {format_wall_time(self.started.wall, with_date=False)} · exercise time "
                                f"{format_elapsed(self.started.exercise_s)}")

    def _dirty(self) -> bool:
        return self.started is not None

    # Saving ----------------------------------------------------------------------------------------------
    def commit(self) -> LogEntry | None:
        """Save what is typed; on success the fields empty for the next entry, on failure nothing is lost."""
        if self.context is None or self.run_id is None:
            return None
        problem = self.form.problem()
        if problem:
            self._show_status(problem, error=True)
            self.focus_entry() if not self.form.text.toPlainText().strip() else self.form.objectives.setFocus()
            return None
        if self.started is None:
            self._first_keystroke()
        assert self.started is not None
        try:
            run = self.context.runs.run(self.run_id)
        except CtpnError as error:
            self._show_status(f"Not saved: {error}. Nothing you typed was lost; try again.", error=True)
            return None
        if run.status is RunStatus.ENDED and self._ended_run_agreed != run.id:
            self._ask_about_ended_run(run)
            return None
        draft = replace(self.form.draft(self.logged_by.text().strip()), logged_at=self.started.wall)
        try:
            entry = self.context.log.append(self.run_id, draft, exercise_s=self.started.exercise_s)
        except CtpnError as error:
            self._show_status(f"Not saved: {error}. Nothing you typed was lost; try again.", error=True)
            return None
        self.started = None
        last = _last_released(self.context, self.run_id)
        self.form.clear(inject_id=last)
        self._inject_chosen = False
        self.time_label.setText(IDLE_HINT)
        current = entry.current
        self._show_status(f"Entry {current.entry_number} saved at {format_wall_time(current.committed_at, False)}.",
                          error=False)
        self.focus_entry()
        self.committed.emit(entry)
        return entry

    def _ask_about_ended_run(self, run: RunInfo) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Run has ended", f"{run_label(run)} has ended.",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("endedRunBox")
        ended = f" at {format_wall_time(run.ended_at)}" if run.ended_at else ""
        box.setInformativeText(
            f"ENDEX was called{ended}. Log this entry into {run_label(run)} anyway? It is kept like any other entry, "
            "with the time you started typing it. To log into another run, choose it above the table: what you "
            "typed stays in the fields.")
        log_anyway = box.addButton(f"Log into {run_label(run)}", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.ended_box = None
            if box.clickedButton() is log_anyway and self.run_id == run.id:
                self._ended_run_agreed = run.id
                self.commit()
            else:
                self._show_status(f"Not saved: {run_label(run)} has ended. Nothing you typed was lost.",
                                  error=True)
                self.focus_entry()

        box.finished.connect(answered)
        self.ended_box = box
        box.open()

    def discard(self) -> None:
        self.started = None
        self.form.clear(inject_id=_last_released(self.context, self.run_id) if self.context and self.run_id
                        else None)
        self._inject_chosen = False
        self.time_label.setText(IDLE_HINT)
        self.status.hide()
        self.focus_entry()

    def _show_status(self, text: str, *, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {problem_colour(self)};" if error else "")
        self.status.setAccessibleName("Problem" if error else "Saved")
        self.status.show()


def _last_released(context: DocumentContext | None, run_id: str | None) -> str | None:
    if context is None or run_id is None:
        return None
    released = [e for e in context.runs.events(run_id) if e.kind is InjectEventKind.RELEASED]
    return released[-1].inject_id if released else None


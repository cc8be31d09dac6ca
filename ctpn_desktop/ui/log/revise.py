"""Correcting and withdrawing an entry: always a new revision with a reason, never an erasure.

The dialogs are window-modal and opened without a nested event loop; they call the log service themselves and
stay open, with the reason shown, if the service refuses, so nothing typed is lost.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ctpn_desktop.core.entities import LogEntry
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.services.log import LogService

from ctpn_desktop.ui.log.choices import RunChoices
from ctpn_desktop.ui.log.form import EntryForm, EntryTextEdit
from ctpn_desktop.ui.log.style import problem_colour
from ctpn_desktop.ui.widgets import muted


class _RevisionDialog(QDialog):
    revised = Signal(object)
    """The revised `LogEntry`, after it is on disk."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.layout_ = QVBoxLayout(self)
        self.reason = EntryTextEdit(2, self)
        self.reason.setObjectName("revisionReason")
        self.reason.setAccessibleName("Reason")
        self.problem = QLabel("", self)
        self.problem.setObjectName("revisionProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.reject)
        self.reason.submitted.connect(self.submit)

    def _finish_layout(self, ok_text: str) -> None:
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("revisionOk")
        self.ok_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self.submit)
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setStyleSheet(f"color: {problem_colour(self)};")
        self.problem.show()

    def submit(self) -> None:
        raise NotImplementedError


class CorrectionDialog(_RevisionDialog):
    """Every field of the entry, filled from its current revision, and the reason for the correction."""

    def __init__(self, log: LogService, entry: LogEntry, choices: RunChoices, parent: QWidget | None = None) -> None:
        super().__init__(f"Correct entry {entry.current.entry_number}", parent)
        self.setObjectName("correctionDialog")
        self._log, self.entry = log, entry
        self.layout_.addWidget(muted("The correction becomes a new revision. The original stays in the log and in "
                                     "the debrief, struck through, with your reason.", self))
        self.form = EntryForm(self)
        self.form.set_choices(choices)
        self.form.load(entry.current)
        self.layout_.addWidget(self.form)
        caption = QLabel("Reason for the &correction (required)", self)
        caption.setBuddy(self.reason)
        self.layout_.addWidget(caption)
        self.layout_.addWidget(self.reason)
        self._finish_layout("Save correction")
        self.form.submitted.connect(self.submit)
        self.resize(900, self.sizeHint().height())

    def submit(self) -> None:
        problem = self.form.problem()
        if problem:
            self._refuse(problem)
            return
        if not self.reason.toPlainText().strip():
            self._refuse("Give the reason for the correction; it is kept with the entry.")
            self.reason.setFocus()
            return
        current = self.entry.current
        try:
            revised = self._log.correct(self.entry.entry_id, self.form.draft(current.logged_by),
                                        self.reason.toPlainText())
        except CtpnError as error:
            self._refuse(f"Not saved: {error}.")
            return
        self.revised.emit(revised)
        self.accept()


class WithdrawDialog(_RevisionDialog):
    """The entry's text and the reason for withdrawing it; the entry stays in the log, struck through."""

    def __init__(self, log: LogService, entry: LogEntry, parent: QWidget | None = None) -> None:
        super().__init__(f"Withdraw entry {entry.current.entry_number}", parent)
        self.setObjectName("withdrawDialog")
        self._log, self.entry = log, entry
        self.layout_.addWidget(muted("Withdrawing does not delete: the entry stays in the log and in the debrief, "
                                     "struck through, with your reason.", self))
        quoted = QLabel(entry.current.text, self)
        quoted.setObjectName("withdrawnText")
        quoted.setWordWrap(True)
        quoted.setTextFormat(Qt.TextFormat.PlainText)
        quoted.setMaximumWidth(640)
        self.layout_.addWidget(quoted)
        caption = QLabel("Reason for &withdrawing (required)", self)
        caption.setBuddy(self.reason)
        self.layout_.addWidget(caption)
        self.layout_.addWidget(self.reason)
        self._finish_layout("Withdraw entry")
        self.resize(640, self.sizeHint().height())

    def submit(self) -> None:
        if not self.reason.toPlainText().strip():
            self._refuse("Give the reason for withdrawing the entry; it is kept with the entry.")
            self.reason.setFocus()
            return
        try:
            revised = self._log.withdraw(self.entry.entry_id, self.reason.toPlainText())
        except CtpnError as error:
            self._refuse(f"Not withdrawn: {error}.")
            return
        self.revised.emit(revised)
        self.accept()

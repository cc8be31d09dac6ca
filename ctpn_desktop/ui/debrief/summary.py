"""The executive summary of a run, reviewed before the debrief is exported.

Major strengths and primary areas for improvement, one per line. When nothing was saved yet the dialog shows the
items proposed from the observations; saving keeps the text as a new version in the exercise file (earlier
versions stay), and the debrief prints the latest.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ctpn_desktop.core.entities import ExecutiveSummary
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.services.evaluation import EvaluationService

from ctpn_desktop.ui.formatting import format_wall_time
from ctpn_desktop.ui.log.style import problem_colour
from ctpn_desktop.ui.widgets import muted


def _state(summary: ExecutiveSummary) -> str:
    if summary.proposed:
        return "Proposed from the observations; not saved yet. Edit, then save to use it in the debrief."
    return f"Version {summary.revision}, saved {format_wall_time(summary.saved_at)}."


class ExecutiveSummaryDialog(QDialog):
    saved = Signal(object)
    """The `ExecutiveSummary` as stored."""

    def __init__(self, evaluation: EvaluationService, run_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("executiveSummaryDialog")
        self.setWindowTitle(f"Executive Summary — {title}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._evaluation, self._run_id = evaluation, run_id
        layout = QVBoxLayout(self)
        layout.addWidget(muted("The debrief opens its analysis with these: the major strengths and the primary areas "
                               "for improvement, one per line.", self))
        self.state = muted("", self)
        self.state.setObjectName("summaryState")
        layout.addWidget(self.state)
        self.strengths = QPlainTextEdit(self)
        self.strengths.setObjectName("summaryStrengths")
        self.strengths.setAccessibleName("Major strengths, one per line")
        self.improvements = QPlainTextEdit(self)
        self.improvements.setObjectName("summaryImprovements")
        self.improvements.setAccessibleName("Primary areas for improvement, one per line")
        for caption, edit in (("Major &strengths (one per line)", self.strengths),
                              ("Primary areas for &improvement (one per line)", self.improvements)):
            label = QLabel(caption, self)
            label.setBuddy(edit)
            edit.setTabChangesFocus(True)
            layout.addWidget(label)
            layout.addWidget(edit, 1)
        self.problem = QLabel("", self)
        self.problem.setObjectName("summaryProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.propose_button = QPushButton("&Propose from Observations", self)
        self.propose_button.setObjectName("proposeSummary")
        self.propose_button.setAutoDefault(False)
        self.buttons.addButton(self.propose_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.save_button = self.buttons.addButton("Sa&ve", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveSummary")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.propose_button.clicked.connect(self.propose)
        layout.addWidget(self.buttons)
        self._show(evaluation.executive_summary(run_id))
        self.resize(720, 520)

    def _show(self, summary: ExecutiveSummary) -> None:
        self.strengths.setPlainText("\n".join(summary.strengths))
        self.improvements.setPlainText("\n".join(summary.improvements))
        self.state.setText(_state(summary))

    def propose(self) -> None:
        """Replace what is in the boxes with a fresh proposal (nothing is stored until Save)."""
        self._show(self._evaluation.propose_executive_summary(self._run_id))

    def save(self) -> None:
        try:
            summary = self._evaluation.save_executive_summary(
                self._run_id, strengths=self.strengths.toPlainText().splitlines(),
                improvements=self.improvements.toPlainText().splitlines())
        except CtpnError as error:
            self.problem.setText(f"Not saved: {error}.")
            self.problem.setStyleSheet(f"color: {problem_colour(self)};")
            self.problem.show()
            return
        self.saved.emit(summary)
        self.accept()


__all__ = ["ExecutiveSummaryDialog"]

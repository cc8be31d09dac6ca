"""Where and how to write the exercise programme for participants: PDF or accessible HTML, the marking, the issuing
organisation and whether to print the general idea. Problems are explained in the dialog; nothing is written until
they are put right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.report.programme import ProgrammeOptions

from ctpn_desktop.ui.debrief.export import ReportFormat, _PathField
from ctpn_desktop.ui.widgets import muted


@dataclass(frozen=True)
class ProgrammeRequest:
    options: ProgrammeOptions
    format: ReportFormat
    path: Path


class ProgrammeDialog(QDialog):
    def __init__(self, *, marking: str, organisation: str, suggested: Path, summary: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("programmeDialog")
        self.setWindowTitle("Exercise Programme")
        self.setAccessibleName("Exercise programme")
        self.request: ProgrammeRequest | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(muted("The programme handed to participants before the day: agenda with times, sessions, "
                               "speakers, syndicates and the venue, under the protective marking. It holds nothing "
                               "that only controllers may see. Edit it in Scenario ▸ Programme.", self))
        self.summary = muted(summary, self)
        self.summary.setObjectName("programmeSummary")
        layout.addWidget(self.summary)
        form = QFormLayout()
        self.marking_edit = QLineEdit(marking, self)
        self.marking_edit.setAccessibleName("Protective marking")
        form.addRow("&Marking:", self.marking_edit)
        self.organisation_edit = QLineEdit(organisation, self)
        self.organisation_edit.setAccessibleName("Organisation name")
        form.addRow("&Organisation:", self.organisation_edit)
        formats = QHBoxLayout()
        self.pdf_button = QRadioButton("&PDF", self)
        self.html_button = QRadioButton("Accessible &HTML", self)
        self.pdf_button.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.pdf_button, self.html_button):
            group.addButton(button)
            formats.addWidget(button)
            button.toggled.connect(self._format_changed)
        formats.addStretch(1)
        form.addRow("Format:", formats)
        self.output_field = _PathField("Output file", "Save the programme as", "PDF (*.pdf);;HTML (*.html)",
                                       save=True, parent=self)
        self.output_field.edit.setText(str(suggested))
        form.addRow("&Save as:", self.output_field)
        layout.addLayout(form)
        self.idea_box = QCheckBox("Include the exercise's &general idea (it is usually read out on the day)", self)
        layout.addWidget(self.idea_box)
        self.problem = QLabel(self)
        self.problem.setObjectName("programmeProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020; font-weight: bold;")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Write", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(620, self.sizeHint().height())

    @property
    def format(self) -> ReportFormat:
        return ReportFormat.HTML if self.html_button.isChecked() else ReportFormat.PDF

    def _format_changed(self, _checked: bool) -> None:
        path = self.output_field.path()
        if path is not None and path.suffix.lower() in (".pdf", ".html", ".htm"):
            self.output_field.edit.setText(str(path.with_suffix(self.format.suffix)))

    def accept(self) -> None:
        path = self.output_field.path()
        if path is None:
            self._refuse("Say where to save the programme.")
            return
        if path.suffix.lower() not in (".pdf", ".html", ".htm"):
            path = path.with_name(path.name + self.format.suffix)
        if not path.parent.is_dir():
            self._refuse(f"The folder {path.parent} does not exist.")
            return
        chosen = ReportFormat.HTML if path.suffix.lower() in (".html", ".htm") else ReportFormat.PDF
        self.request = ProgrammeRequest(
            ProgrammeOptions(marking_override=self.marking_edit.text().strip() or None,
                             organisation_name=self.organisation_edit.text().strip(),
                             include_general_idea=self.idea_box.isChecked()), chosen, path)
        super().accept()

    def _refuse(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

"""The export dialogs of the Debrief workspace: what goes into the debrief (or the MSEL handout) and where."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import RunInfo
from ctpn_desktop.core.report.debrief_data import DebriefOptions, Section
from ctpn_desktop.core.report.handout import HandoutOptions

from ctpn_desktop.ui.formatting import run_label
from ctpn_desktop.ui.widgets import muted

SECTION_HELP = {
    Section.OVERVIEW: "aim, scenario, dates and venue",
    Section.OBJECTIVES: "the exercise objectives",
    Section.SUMMARY: "major strengths, areas for improvement, ratings at a glance",
    Section.RESPONSES: "response times per inject and organisation, JDM stages",
    Section.PARTICIPANTS: "organisations and roles",
    Section.TIMELINE: "clock, phases and the charts",
    Section.INJECTS: "planned against released",
    Section.DECISIONS: "every entry and revision",
    Section.OBSERVATIONS: "ratings by objective",
    Section.HOTWASH: "strengths, improvements, lessons",
    Section.IMPROVEMENT: "actions, owners, due dates",
    Section.INTEGRITY: "hash-chain check and file SHA-256",
}


class ReportFormat(enum.StrEnum):
    PDF = "pdf"
    TAGGED_PDF = "pdf-ua"
    HTML = "html"

    @property
    def suffix(self) -> str:
        return ".html" if self is ReportFormat.HTML else ".pdf"


@dataclass(frozen=True)
class DebriefRequest:
    run: RunInfo
    options: DebriefOptions
    format: ReportFormat
    path: Path


@dataclass(frozen=True)
class HandoutRequest:
    options: HandoutOptions
    path: Path


def safe_file_name(text: str) -> str:
    kept = "".join(ch if ch.isalnum() or ch in " -_()" else " " for ch in text)
    return " ".join(kept.split()) or "exercise"


class _PathField(QWidget):
    """A file name to type or choose, with a Choose… button."""

    def __init__(self, name: str, choose_title: str, file_filter: str, *, save: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = choose_title
        self._filter = file_filter
        self._save = save
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(name)
        self.edit.setClearButtonEnabled(True)
        self.button = QPushButton("Choose…", self)
        self.button.setAccessibleName(f"Choose the {name.lower()}")
        self.button.clicked.connect(self.choose)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None

    def choose(self) -> None:
        start = self.edit.text().strip() or str(Path.home())
        if self._save:
            name, _ = QFileDialog.getSaveFileName(self, self._title, start, self._filter)
        else:
            name, _ = QFileDialog.getOpenFileName(self, self._title, start, self._filter)
        if name:
            self.edit.setText(name)


class DebriefExportDialog(QDialog):
    """Which run, which sections, controller notes, the marking, the issuing organisation and its logo, the format
    and the file. Problems are explained in the dialog; nothing is written until they are put right."""

    def __init__(self, runs: list[RunInfo], *, selected_run_id: str | None, marking: str, organisation: str,
                 logo: str, folder: Path, document_stem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("debriefExportDialog")
        self.setWindowTitle("Export Debrief")
        self.setAccessibleName("Export debrief")
        self.request: DebriefRequest | None = None
        self._runs = runs
        self._folder = folder
        self._stem = document_stem
        layout = QVBoxLayout(self)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.run_box = QComboBox(self)
        self.run_box.setAccessibleName("Run")
        for run in runs:
            self.run_box.addItem(run_label(run), run.id)
        if selected_run_id is not None:
            index = self.run_box.findData(selected_run_id)
            if index >= 0:
                self.run_box.setCurrentIndex(index)
        else:
            self.run_box.setCurrentIndex(len(runs) - 1)
        form.addRow("&Run:", self.run_box)
        self.marking_edit = QLineEdit(marking, self)
        self.marking_edit.setAccessibleName("Protective marking")
        self.marking_edit.setPlaceholderText("OFFICIAL")
        form.addRow("&Marking:", self.marking_edit)
        self.organisation_edit = QLineEdit(organisation, self)
        self.organisation_edit.setAccessibleName("Organisation name")
        self.organisation_edit.setPlaceholderText("The organisation issuing the report (optional)")
        form.addRow("&Organisation:", self.organisation_edit)
        self.logo_field = _PathField("Logo image", "Choose a logo", "Images (*.png *.jpg *.jpeg *.gif *.bmp)",
                                     save=False, parent=self)
        self.logo_field.edit.setText(logo)
        self.logo_field.edit.setPlaceholderText("A PNG or JPEG for the cover (optional)")
        form.addRow("&Logo:", self.logo_field)
        layout.addLayout(form)

        sections = QGroupBox("Sections", self)
        grid = QGridLayout(sections)
        self.section_boxes: dict[Section, QCheckBox] = {}
        for index, section in enumerate(Section):
            box = QCheckBox(section.heading, sections)
            box.setChecked(True)
            box.setToolTip(SECTION_HELP[section])
            box.setAccessibleDescription(SECTION_HELP[section])
            box.setObjectName(f"section_{section.value}")
            self.section_boxes[section] = box
            grid.addWidget(box, index // 2, index % 2)
        layout.addWidget(sections)
        self.notes_box = QCheckBox("Include the &controller notes of each inject", self)
        self.notes_box.setChecked(True)
        self.draft_box = QCheckBox("Mark every page &DRAFT", self)
        layout.addWidget(self.notes_box)
        layout.addWidget(self.draft_box)

        formats = QGroupBox("Format", self)
        row = QHBoxLayout(formats)
        self.pdf_button = QRadioButton("&PDF (for printing and sharing)", formats)
        self.tagged_button = QRadioButton("&Accessible PDF (tagged, PDF/UA-1)", formats)
        self.tagged_button.setObjectName("formatTaggedPdf")
        self.tagged_button.setToolTip("A PDF with headings, table headers, reading order and chart descriptions "
                                      "that screen readers follow")
        self.html_button = QRadioButton("&HTML (accessible: screen readers, magnifiers)", formats)
        self.pdf_button.setChecked(True)
        self._format_group = QButtonGroup(self)
        for button in (self.pdf_button, self.tagged_button, self.html_button):
            self._format_group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        layout.addWidget(formats)

        out_form = QFormLayout()
        self.output_field = _PathField("Output file", "Save the debrief as", "PDF (*.pdf);;HTML (*.html)", save=True,
                                       parent=self)
        out_form.addRow("&Save as:", self.output_field)
        layout.addLayout(out_form)
        self.problem = QLabel(self)
        self.problem.setObjectName("exportProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020; font-weight: bold;")
        self.problem.hide()
        layout.addWidget(self.problem)
        layout.addWidget(muted("The export runs in the background; the file opens when it is ready.", self))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        labels = [form.labelForField(w) for w in (self.run_box, self.marking_edit, self.organisation_edit,
                                                  self.logo_field)] + [out_form.labelForField(self.output_field)]
        widest = max(label.sizeHint().width() for label in labels if label is not None)
        for label in labels:
            if label is not None:
                label.setMinimumWidth(widest)  # the two forms' fields start at the same x

        self._suggested = ""
        self.run_box.currentIndexChanged.connect(self._suggest_path)
        self.pdf_button.toggled.connect(self._format_changed)
        self.html_button.toggled.connect(self._format_changed)
        self._suggest_path()
        self.resize(640, self.sizeHint().height())

    @property
    def chosen_format(self) -> ReportFormat:
        if self.html_button.isChecked():
            return ReportFormat.HTML
        return ReportFormat.TAGGED_PDF if self.tagged_button.isChecked() else ReportFormat.PDF

    def _suggest_path(self) -> None:
        """A file name from the document and run, unless the user has typed their own."""
        current = self.output_field.edit.text().strip()
        if current and current != self._suggested:
            return
        run = self._runs[self.run_box.currentIndex()] if self._runs else None
        label = f" - {safe_file_name(run_label(run))}" if run is not None else ""
        name = f"{safe_file_name(self._stem)}{label} debrief{self.chosen_format.suffix}"
        self._suggested = str(self._folder / name)
        self.output_field.edit.setText(self._suggested)

    def _format_changed(self) -> None:
        path = self.output_field.path()
        if path is not None and path.suffix.lower() in {".pdf", ".html", ".htm"}:
            replaced = str(path.with_suffix(self.chosen_format.suffix))
            if self.output_field.edit.text().strip() == self._suggested:
                self._suggested = replaced
            self.output_field.edit.setText(replaced)

    def _fail(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.problem.setAccessibleName(message)

    def accept(self) -> None:
        if not self._runs:
            self._fail("This exercise has no runs yet: conduct it first, then export its debrief.")
            return
        sections = frozenset(s for s, box in self.section_boxes.items() if box.isChecked())
        if not sections:
            self._fail("Choose at least one section.")
            return
        path = self.output_field.path()
        if path is None:
            self._fail("Say where to save the debrief.")
            return
        if path.suffix.lower() not in {".pdf", ".html", ".htm"}:
            path = path.with_name(path.name + self.chosen_format.suffix)
        if not path.parent.is_dir():
            self._fail(f"The folder {path.parent} does not exist.")
            return
        if path.is_dir():
            self._fail(f"{path} is a folder; give a file name.")
            return
        if path.suffix.lower() in {".html", ".htm"}:
            report_format = ReportFormat.HTML
        else:
            report_format = ReportFormat.TAGGED_PDF if self.tagged_button.isChecked() else ReportFormat.PDF
        logo = self.logo_field.path()
        if logo is not None and not logo.is_file():
            self._fail(f"The logo {logo} does not exist.")
            return
        options = DebriefOptions(sections=sections, include_controller_notes=self.notes_box.isChecked(),
                                 marking_override=self.marking_edit.text().strip() or None,
                                 organisation_name=self.organisation_edit.text().strip(), logo_path=logo,
                                 draft=self.draft_box.isChecked())
        self.request = DebriefRequest(self._runs[self.run_box.currentIndex()], options, report_format, path)
        super().accept()


class HandoutDialog(QDialog):
    """Where to save the MSEL handout, with or without the controller notes, under which marking."""

    def __init__(self, *, marking: str, organisation: str, suggested: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoutDialog")
        self.setWindowTitle("MSEL Handout")
        self.setAccessibleName("MSEL handout")
        self.request: HandoutRequest | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(muted("A landscape PDF of every inject in planned order, for the controllers to read and "
                               "annotate before the day.", self))
        form = QFormLayout()
        self.marking_edit = QLineEdit(marking, self)
        self.marking_edit.setAccessibleName("Protective marking")
        form.addRow("&Marking:", self.marking_edit)
        self.organisation_edit = QLineEdit(organisation, self)
        self.organisation_edit.setAccessibleName("Organisation name")
        form.addRow("&Organisation:", self.organisation_edit)
        self.output_field = _PathField("Output file", "Save the handout as", "PDF (*.pdf)", save=True, parent=self)
        self.output_field.edit.setText(str(suggested))
        form.addRow("&Save as:", self.output_field)
        layout.addLayout(form)
        self.notes_box = QCheckBox("Include the &controller notes", self)
        self.notes_box.setChecked(True)
        layout.addWidget(self.notes_box)
        self.problem = QLabel(self)
        self.problem.setObjectName("handoutProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020; font-weight: bold;")
        self.problem.hide()
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(600, self.sizeHint().height())

    def accept(self) -> None:
        path = self.output_field.path()
        if path is None:
            self.problem.setText("Say where to save the handout.")
            self.problem.show()
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if not path.parent.is_dir():
            self.problem.setText(f"The folder {path.parent} does not exist.")
            self.problem.show()
            return
        self.request = HandoutRequest(HandoutOptions(include_controller_notes=self.notes_box.isChecked(),
                                                     marking_override=self.marking_edit.text().strip() or None,
                                                     organisation_name=self.organisation_edit.text().strip()), path)
        super().accept()


__all__ = ["DebriefExportDialog", "DebriefRequest", "HandoutDialog", "HandoutRequest", "ReportFormat",
           "safe_file_name"]

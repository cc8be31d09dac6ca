"""Importing an MSEL spreadsheet in three steps: which sheet, which column is which field, and a preview with
every row that could not be read. Nothing touches the exercise until the designer presses Import; the dialog
only reads the file and works out, on a copy of the scenario, what the import would add.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Scenario
from ctpn_desktop.core.io.msel_import import ImportOutcome, merge_preview
from ctpn_desktop.core.io.msel_mapping import ColumnMapping, MselField, SheetCandidate, detect_header, propose_sheet
from ctpn_desktop.core.io.msel_parse import ImportPreview, ImportProblem, Severity, parse_rows
from ctpn_desktop.core.io.msel_read import SourceWorkbook, cell_text, column_letter

from ctpn_desktop.ui.widgets import heading, muted

SAMPLE_ROWS = 3
PREVIEW_ROWS = 200
"""Injects listed in the preview table; the counts and every problem are always complete."""


class MselImportDialog(QDialog):
    """Sheet → columns → preview. `outcome` is what Import would store; None until a preview exists."""

    def __init__(self, workbook: SourceWorkbook, scenario: Scenario, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mselImportDialog")
        self.setWindowTitle(f"Import MSEL — {Path(workbook.path).name}")
        self.resize(1000, 680)
        self.workbook = workbook
        self.scenario = scenario
        self.candidates: list[SheetCandidate] = propose_sheet(workbook)
        self.mapping: ColumnMapping | None = None
        self.preview: ImportPreview | None = None
        self.outcome: ImportOutcome | None = None
        layout = QVBoxLayout(self)
        self.step_title = heading("", 2, self)
        self.step_hint = muted("", self)
        layout.addWidget(self.step_title)
        layout.addWidget(self.step_hint)
        self.steps = QStackedWidget(self)
        layout.addWidget(self.steps, 1)
        self._build_sheet_step()
        self._build_mapping_step()
        self._build_preview_step()
        buttons = QHBoxLayout()
        self.back_button = QPushButton("< &Back", self)
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("&Next >", self)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.import_button = QPushButton("&Import", self)
        self.import_button.clicked.connect(self._confirm)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._show_step(0)

    # Step 1: sheet ---------------------------------------------------------------------------------------
    def _build_sheet_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        self.sheet = QComboBox(page)
        self.sheet.setAccessibleName("Sheet")
        for candidate in self.candidates:
            rows = f"{candidate.data_rows} data rows"
            self.sheet.addItem(f"{candidate.sheet} — {rows}", candidate.sheet)
        self.sheet.currentIndexChanged.connect(self._sheet_changed)
        row = QHBoxLayout()
        label = QLabel("&Sheet", page)
        label.setBuddy(self.sheet)
        row.addWidget(label)
        row.addWidget(self.sheet, 1)
        layout.addLayout(row)
        self.sheet_reason = muted("", page)
        layout.addWidget(self.sheet_reason)
        notes = "\n".join(self.workbook.notes)
        self.file_notes = muted(notes, page)
        self.file_notes.setVisible(bool(notes))
        layout.addWidget(self.file_notes)
        layout.addStretch(1)
        self.steps.addWidget(page)
        self._sheet_changed(0)

    def _candidate(self) -> SheetCandidate | None:
        index = self.sheet.currentIndex()
        return self.candidates[index] if 0 <= index < len(self.candidates) else None

    def _sheet_changed(self, _index: int) -> None:
        candidate = self._candidate()
        if candidate is None:
            self.sheet_reason.setText("The file has no sheet with data.")
            return
        proposed = " (proposed: it looks most like an MSEL)" if candidate is self.candidates[0] else ""
        self.sheet_reason.setText(f"{candidate.reason}{proposed}")
        self.mapping = None

    # Step 2: columns -------------------------------------------------------------------------------------
    def _build_mapping_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        self.mapping_explanation = muted("", page)
        layout.addWidget(self.mapping_explanation)
        self.columns = QTableWidget(page)
        self.columns.setObjectName("columnMapping")
        self.columns.setAccessibleName("Column mapping")
        self.columns.setColumnCount(4)
        self.columns.setHorizontalHeaderLabels(["Column", "Header in the sheet", "Imported as", "First values"])
        self.columns.verticalHeader().setVisible(False)
        self.columns.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.columns, 1)
        self.mapping_missing = QLabel(page)
        self.mapping_missing.setWordWrap(True)
        layout.addWidget(self.mapping_missing)
        self.steps.addWidget(page)

    def _fill_mapping(self) -> None:
        candidate = self._candidate()
        if candidate is None:
            return
        if self.mapping is None or self.mapping.sheet != candidate.sheet:
            fresh = detect_header(self.workbook.sheet(candidate.sheet))
            self.mapping = fresh
        mapping = self.mapping
        sheet = self.workbook.sheet(candidate.sheet)
        self.mapping_explanation.setText(
            (f"Header found in row {mapping.header_row}; " if mapping.header_row else "No header row found; ")
            + (mapping.explanation or "") + " Change any column below; unmapped columns are not imported.")
        self.columns.setRowCount(sheet.column_count)
        for column in range(1, sheet.column_count + 1):
            row = column - 1
            self.columns.setItem(row, 0, _item(column_letter(column)))
            self.columns.setItem(row, 1, _item(mapping.headers.get(column, "").replace("\n", " ")))
            combo = QComboBox(self.columns)
            combo.setAccessibleName(f"Column {column_letter(column)} imported as")
            combo.addItem("(not imported)", None)
            for wanted in MselField:
                combo.addItem(wanted.label, wanted)
            combo.setCurrentIndex(max(0, combo.findData(mapping.fields.get(column))))
            combo.currentIndexChanged.connect(lambda _i, c=column, box=combo: self._assign(c, box.currentData()))
            self.columns.setCellWidget(row, 2, combo)
            first = mapping.first_data_row
            samples = [cell_text(sheet.cell(r, column)) for r in range(first, min(first + SAMPLE_ROWS,
                                                                                  sheet.row_count + 1))]
            self.columns.setItem(row, 3, _item(" | ".join(s.replace("\n", " ")[:40] for s in samples if s)))
        self.columns.resizeColumnsToContents()
        self.columns.setColumnWidth(1, min(self.columns.columnWidth(1), 280))
        self._show_missing()

    def _assign(self, column: int, value: str | None) -> None:
        if self.mapping is None:
            return
        # Qt hands the field back as plain text: turn it into the field again.
        self.mapping.assign(column, MselField(value) if value else None)
        self.preview = None
        # A field moves when it is given to another column: show where it went.
        for row in range(self.columns.rowCount()):
            combo = self.columns.cellWidget(row, 2)
            if isinstance(combo, QComboBox):
                combo.blockSignals(True)
                combo.setCurrentIndex(max(0, combo.findData(self.mapping.fields.get(row + 1))))
                combo.blockSignals(False)
        self._show_missing()

    def _show_missing(self) -> None:
        missing = self.mapping.missing() if self.mapping else []
        self.mapping_missing.setText("\n".join(f"⚠ {m[:1].upper()}{m[1:]}." for m in missing))

    # Step 3: preview -------------------------------------------------------------------------------------
    def _build_preview_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        self.summary = QLabel(page)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.injects_table = QTableWidget(page)
        self.injects_table.setObjectName("importInjects")
        self.injects_table.setAccessibleName("Injects to import")
        self.injects_table.setColumnCount(6)
        self.injects_table.setHorizontalHeaderLabels(["Row", "No.", "Planned", "Title", "Method", "To"])
        self.injects_table.verticalHeader().setVisible(False)
        self.injects_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.injects_table, 3)
        problems_label = QLabel("<b>Rows and cells that need attention</b>", page)
        layout.addWidget(problems_label)
        self.problems = QTableWidget(page)
        self.problems.setObjectName("importProblems")
        self.problems.setAccessibleName("Import problems")
        self.problems.setColumnCount(5)
        self.problems.setHorizontalHeaderLabels(["", "Sheet", "Row", "Column", "Problem"])
        self.problems.verticalHeader().setVisible(False)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setWordWrap(True)
        layout.addWidget(self.problems, 2)
        self.steps.addWidget(page)

    def _fill_preview(self) -> None:
        candidate = self._candidate()
        if candidate is None or self.mapping is None:
            return
        sheet = self.workbook.sheet(candidate.sheet)
        self.preview = parse_rows(sheet, self.mapping, source=self.workbook.path)
        self.outcome = merge_preview(self.scenario, self.preview) if self.preview.injects else None
        preview = self.preview
        problems: list[ImportProblem] = list(preview.problems) + list(self.outcome.notes if self.outcome else ())
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        lines = [f"<b>{len(preview.injects)} inject(s)</b> will be added from sheet '{preview.sheet}' "
                 f"({preview.rows_read} rows read)."]
        if errors:
            lines.append(f"{len({p.row for p in preview.errors})} row(s) cannot be read and will be left out.")
        if self.outcome is not None:
            for label, names in (("organisations", self.outcome.created_organisations),
                                 ("roles", self.outcome.created_roles), ("phases", self.outcome.created_phases),
                                 ("objectives", self.outcome.created_objectives)):
                if names:
                    lines.append(f"New {label}: {', '.join(names[:8])}{' …' if len(names) > 8 else ''}.")
        lines.append("The exercise is not changed until you press Import; Undo (Ctrl+Z) takes an import back.")
        self.summary.setText("<br>".join(lines))
        added = self.outcome.added if self.outcome else ()
        scenario = self.outcome.scenario if self.outcome else self.scenario
        shown = list(zip(preview.injects, added, strict=False))[:PREVIEW_ROWS]
        self.injects_table.setRowCount(len(shown))
        for row, (parsed, inject) in enumerate(shown):
            values = [str(parsed.row), str(inject.number), format_elapsed(inject.planned_offset_s), inject.title,
                      inject.delivery_method.label, "; ".join(scenario.recipient_label(r) for r in inject.recipients)]
            for column, value in enumerate(values):
                self.injects_table.setItem(row, column, _item(value))
        self.injects_table.resizeColumnsToContents()
        self.injects_table.setColumnWidth(3, min(self.injects_table.columnWidth(3), 360))
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        problems.sort(key=lambda p: (order[p.severity], p.sheet, p.row or 0, p.column))
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            values = [problem.severity.value.capitalize(), problem.sheet, str(problem.row or ""), problem.column,
                      problem.message]
            for column, value in enumerate(values):
                self.problems.setItem(row, column, _item(value))
        self.problems.resizeColumnsToContents()
        self.problems.setColumnWidth(4, max(self.problems.columnWidth(4), 400))
        self.import_button.setEnabled(self.outcome is not None and bool(added))

    # Navigation ------------------------------------------------------------------------------------------
    def _show_step(self, step: int) -> None:
        titles = (
            ("1. Choose the sheet", "The likeliest sheet is proposed; pick another if the MSEL is elsewhere."),
            ("2. Check the columns", "Each column of the sheet and the inject field it fills, as recognised from "
                                     "its header."),
            ("3. Check and import", "Every row that cannot be read is listed with its sheet, row and column."),
        )
        if step == 1:
            self._fill_mapping()
        if step == 2:
            self._fill_preview()
        self.steps.setCurrentIndex(step)
        self.step_title.setText(titles[step][0])
        self.step_hint.setText(titles[step][1])
        self.back_button.setEnabled(step > 0)
        self.next_button.setVisible(step < 2)
        self.next_button.setEnabled(self._candidate() is not None)
        self.import_button.setVisible(step == 2)

    @property
    def step(self) -> int:
        return self.steps.currentIndex()

    def next(self) -> None:
        if self.step < 2:
            self._show_step(self.step + 1)

    def back(self) -> None:
        if self.step > 0:
            self._show_step(self.step - 1)

    def _confirm(self) -> None:
        if self.outcome is not None and self.outcome.added:
            self.accept()


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setToolTip(text if len(text) > 40 else "")
    return item


__all__ = ["MselImportDialog", "QDialogButtonBox"]

"""Importing an MSEL spreadsheet in three steps: which sheets, which column is which field, and the report with
every row that could not be read. Nothing touches the exercise until the designer presses Import; the dialog
only reads the file and works out, on a copy of the scenario, what the import would add.

Everything is reachable by keyboard: Space ticks a sheet, Tab moves between the controls of a step,
Alt+N / Alt+B move between steps, and the column choices are combo boxes in a table.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Scenario
from ctpn_desktop.core.io.msel_import import ImportOutcome, merge_preview
from ctpn_desktop.core.io.msel_mapping import (
    ColumnMapping,
    MselField,
    SheetCandidate,
    detect_header,
    propose_sheet,
)
from ctpn_desktop.core.io.msel_memory import MappingMemory
from ctpn_desktop.core.io.msel_parse import (
    ImportPreview,
    ImportProblem,
    ParseOptions,
    RowFate,
    SectionKind,
    Severity,
    SheetLabel,
    parse_rows,
    parse_sheets,
)
from ctpn_desktop.core.io.msel_read import SourceSheet, SourceWorkbook, cell_text, column_letter
from ctpn_desktop.core.io.msel_report import ImportReport, SheetReport, build_report, rows_text, sheets_not_read
from ctpn_desktop.core.io.msel_times import TimeBasis, parse_startex

from ctpn_desktop.ui.reflow import FlowLayout
from ctpn_desktop.ui.widgets import heading, muted

SAMPLE_ROWS = 3
PREVIEW_ROWS = 200
"""Injects listed in the preview table; the counts, the report and every problem are always complete."""
FIRST_ROWS = 8
"""Rows of the sheet shown under the column choices, as they will be read."""
SHOWN_COLUMNS = 80
"""Columns of the first-rows preview; a sheet is read with up to 256."""
STEP_TITLES = (
    ("1. Choose the sheets", "The sheets of injects are ticked; examples, deleted injects, print layouts, notes "
                             "and lookup lists are not. Space ticks or unticks the selected sheet."),
    ("2. Check the columns", "Each column of the sheet and the inject field it fills, as recognised from its "
                             "header; change any of them. Columns kept in the notes are never dropped."),
    ("3. Check the report and import", "What will be imported, skipped and kept, sheet by sheet, and every row "
                                       "or cell that needs attention."),
)


class MselImportDialog(QDialog):
    """Sheets → columns → report. `outcome` is what Import would store; None until a preview exists.

    ``memory`` keeps the column choices made here for the next workbook with the same header layout; the
    choices of every sheet whose columns were changed are saved when Import is pressed.
    """

    def __init__(self, workbook: SourceWorkbook, scenario: Scenario, parent: QWidget | None = None, *,
                 memory: MappingMemory | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mselImportDialog")
        self.setWindowTitle(f"Import MSEL — {Path(workbook.path).name}")
        self.setAccessibleName("Import MSEL")
        self.resize(1120, 660)
        self.workbook = workbook
        self.scenario = scenario
        self.memory = memory
        self.candidates: list[SheetCandidate] = propose_sheet(workbook, memory)
        self._by_name = {c.sheet: c for c in self.candidates}
        self.mappings: dict[str, ColumnMapping] = {c.sheet: c.mapping.copy() for c in self.candidates}
        self.edited: set[str] = set()
        self.preview: ImportPreview | None = None
        self.outcome: ImportOutcome | None = None
        self.report: ImportReport | None = None
        self.startex_choice: datetime | time | None = None
        self.remember_problem = ""
        """Why the column choices could not be saved, if they could not (the import itself went ahead)."""
        self._filling = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        self.steps_strip = QLabel(self)
        self.steps_strip.setObjectName("importSteps")
        self.steps_strip.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.steps_strip)
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
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self._confirm)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._sheets_changed()
        self._show_step(0)

    # Step 1: sheets --------------------------------------------------------------------------------------
    def _build_sheet_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.sheet_list = QTreeWidget(page)
        self.sheet_list.setObjectName("importSheets")
        self.sheet_list.setAccessibleName("Sheets to import")
        self.sheet_list.setHeaderLabels(["Sheet", "Looks like", "Data rows", "Header", "Why"])
        self.sheet_list.setRootIsDecorated(False)
        self.sheet_list.setAlternatingRowColors(True)
        self.sheet_list.setUniformRowHeights(True)
        for candidate in sorted(self.candidates, key=lambda c: c.index):
            mapping = candidate.mapping
            kind = candidate.kind.label + (" (hidden sheet)" if candidate.hidden else "")
            if candidate.proposed:
                kind += " — proposed"
            header = rows_text(mapping.header_rows) if mapping.header_rows else "none found"
            item = QTreeWidgetItem([candidate.sheet, kind, str(candidate.data_rows), header, candidate.reason])
            item.setData(0, Qt.ItemDataRole.UserRole, candidate.sheet)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if candidate.proposed else Qt.CheckState.Unchecked)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(4, candidate.reason)
            item.setToolTip(3, mapping.explanation)
            self.sheet_list.addTopLevelItem(item)
        header_view = self.sheet_list.header()
        header_view.setStretchLastSection(True)
        for column in range(4):
            self.sheet_list.resizeColumnToContents(column)
        self.sheet_list.setColumnWidth(0, min(max(self.sheet_list.columnWidth(0) + 24, 140), 280))
        if self.sheet_list.topLevelItemCount():
            self.sheet_list.setCurrentItem(self.sheet_list.topLevelItem(0))
        self.sheet_list.itemChanged.connect(lambda *_: self._sheets_changed())
        layout.addWidget(self.sheet_list, 1)

        bar = QWidget(page)
        row = FlowLayout(bar, spacing=8, row_spacing=6)
        row.setContentsMargins(0, 0, 0, 0)
        self.tick_proposed = QPushButton("Tick the &proposed sheets", bar)
        self.tick_proposed.clicked.connect(lambda: self._tick(lambda c: c.proposed))
        self.tick_all = QPushButton("Tick &all sheets with data", bar)
        self.tick_all.clicked.connect(lambda: self._tick(lambda c: c.data_rows > 0))
        self.untick_all = QPushButton("&Untick all", bar)
        self.untick_all.clicked.connect(lambda: self._tick(lambda _c: False))
        for button in (self.tick_proposed, self.tick_all, self.untick_all):
            button.setAutoDefault(False)
            row.addWidget(button)
        self.sheet_label = QComboBox(bar)
        self.sheet_label.setAccessibleName("Sheet name kept as")
        self.sheet_label.addItem("the storyline (of injects that have none)", SheetLabel.STORYLINE.value)
        self.sheet_label.addItem("a line in the controller notes", SheetLabel.NOTES.value)
        self.sheet_label.currentIndexChanged.connect(lambda _i: self._invalidate())
        row.addWidget(_labelled("Sheet name &kept as", self.sheet_label, bar))
        layout.addWidget(bar)
        self.sheet_reason = muted("", page)
        layout.addWidget(self.sheet_reason)
        notes = "\n".join(self.workbook.notes)
        self.file_notes = muted(notes, page)
        self.file_notes.setVisible(bool(notes))
        layout.addWidget(self.file_notes)
        self.steps.addWidget(page)

    def _tick(self, wanted: Callable[[SheetCandidate], bool]) -> None:
        self.sheet_list.blockSignals(True)
        for index in range(self.sheet_list.topLevelItemCount()):
            item = self.sheet_list.topLevelItem(index)
            candidate = self._by_name[item.data(0, Qt.ItemDataRole.UserRole)]
            ticked = wanted(candidate)
            item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.sheet_list.blockSignals(False)
        self._sheets_changed()

    def chosen_sheets(self) -> list[str]:
        """The ticked sheets in workbook order, the order their injects are imported in."""
        names = []
        for index in range(self.sheet_list.topLevelItemCount()):
            item = self.sheet_list.topLevelItem(index)
            if item.checkState(0) == Qt.CheckState.Checked:
                names.append(item.data(0, Qt.ItemDataRole.UserRole))
        return names

    def set_chosen_sheets(self, names: list[str]) -> None:
        self._tick(lambda c: c.sheet in names)

    def _sheets_changed(self) -> None:
        names = self.chosen_sheets()
        self._invalidate()
        self.sheet_label.setEnabled(len(names) > 1)
        if not names:
            self.sheet_reason.setText("Tick at least one sheet to import.")
        else:
            rows = sum(self._by_name[n].data_rows for n in names)
            listed = ", ".join(f"'{n}'" for n in names[:6]) + (" …" if len(names) > 6 else "")
            self.sheet_reason.setText(f"{len(names)} sheet(s) to import ({listed}), {rows} data rows in all; their "
                                      "injects are added in the order of the sheets and share one STARTEX.")
        current = self.sheet.currentData() if hasattr(self, "sheet") else None
        if hasattr(self, "sheet"):
            self.sheet.blockSignals(True)
            self.sheet.clear()
            for name in names:
                self.sheet.addItem(name, name)
            self.sheet.setCurrentIndex(max(0, self.sheet.findData(current)))
            self.sheet.blockSignals(False)
            self.sheet_row.setVisible(len(names) > 1)
        if hasattr(self, "next_button"):
            self.next_button.setEnabled(bool(names))

    # Step 2: columns -------------------------------------------------------------------------------------
    def _build_mapping_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        bar_widget = QWidget(page)
        bar = FlowLayout(bar_widget, spacing=8, row_spacing=6)
        bar.setContentsMargins(0, 0, 0, 0)
        self.sheet = QComboBox(bar_widget)
        self.sheet.setAccessibleName("Sheet whose columns are shown")
        self.sheet.setMinimumContentsLength(14)
        self.sheet.currentIndexChanged.connect(lambda _i: self._fill_mapping())
        self.sheet_row = _labelled("S&heet", self.sheet, bar_widget)
        bar.addWidget(self.sheet_row)
        self.header_row = QSpinBox(bar_widget)
        self.header_row.setAccessibleName("Header row")
        self.header_row.setSpecialValueText("none")
        self.header_row.setToolTip("The row that holds the column titles (the lower row of a two-row header)")
        self.header_row.valueChanged.connect(self._header_row_chosen)
        bar.addWidget(_labelled("Header &row", self.header_row, bar_widget))
        self.detect_button = QPushButton("&Detect again", bar_widget)
        self.detect_button.setAutoDefault(False)
        self.detect_button.setToolTip("Find the header and the columns again, as when the file was opened")
        self.detect_button.clicked.connect(self._detect_again)
        bar.addWidget(self.detect_button)
        self.forget_button = QPushButton("&Forget saved choices", bar_widget)
        self.forget_button.setAutoDefault(False)
        self.forget_button.setToolTip("Stop applying the column choices saved for this layout")
        self.forget_button.clicked.connect(self._forget)
        bar.addWidget(self.forget_button)
        self.time_basis = QComboBox(bar_widget)
        self.time_basis.setAccessibleName("Bare times are")
        for basis in TimeBasis:
            self.time_basis.addItem(basis.label, basis.value)
        self.time_basis.currentIndexChanged.connect(self._basis_chosen)
        bar.addWidget(_labelled("Bare times such as 1:15 &are", self.time_basis, bar_widget))
        layout.addWidget(bar_widget)
        self.mapping_explanation = muted("", page)
        self.mapping_explanation.setObjectName("mappingExplanation")
        layout.addWidget(self.mapping_explanation)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.setObjectName("mappingSplitter")
        self.columns = QTableWidget(splitter)
        self.columns.setObjectName("columnMapping")
        self.columns.setAccessibleName("Column mapping")
        self.columns.setColumnCount(4)
        self.columns.setHorizontalHeaderLabels(["Column", "Header in the sheet", "Imported as", "First values"])
        self.columns.verticalHeader().setVisible(False)
        self.columns.horizontalHeader().setStretchLastSection(True)
        self.columns.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columns.setTabKeyNavigation(False)
        self.columns.verticalHeader().setDefaultSectionSize(QComboBox().sizeHint().height() + 2)
        lower = QWidget(splitter)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        first = QLabel("<b>First rows as they will be read</b>", lower)
        lower_layout.addWidget(first)
        self.rows_preview = QTableWidget(lower)
        self.rows_preview.setObjectName("rowsPreview")
        self.rows_preview.setAccessibleName("First rows of the sheet with the field each column fills")
        self.rows_preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows_preview.setTabKeyNavigation(False)
        self.rows_preview.setWordWrap(False)
        self.rows_preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        lower_layout.addWidget(self.rows_preview, 1)
        first.setBuddy(self.rows_preview)
        splitter.addWidget(self.columns)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self.mapping_missing = QLabel(page)
        self.mapping_missing.setWordWrap(True)
        layout.addWidget(self.mapping_missing)
        self.steps.addWidget(page)

    @property
    def mapping(self) -> ColumnMapping | None:
        """The mapping of the sheet whose columns step 2 shows."""
        name = self.sheet.currentData()
        return self.mappings.get(name) if name else None

    def _fill_mapping(self) -> None:
        name = self.sheet.currentData()
        mapping = self.mapping
        if not name or mapping is None:
            return
        sheet = self.workbook.sheet(name)
        self._filling = True
        self.header_row.setRange(0, max(sheet.row_count, 1))
        self.header_row.setValue(mapping.header_row or 0)
        self.time_basis.setCurrentIndex(max(0, self.time_basis.findData(mapping.time_basis.value)))
        self._filling = False
        self.forget_button.setVisible(bool(mapping.remembered) and self.memory is not None)
        self.mapping_explanation.setText((mapping.explanation or "") + " Change any column below; a column set to "
                                         "“(not imported)” is left out and listed as such in the report.")
        count = min(sheet.column_count, 256)
        self.columns.setRowCount(count)
        for column in range(1, count + 1):
            row = column - 1
            hidden = " (hidden)" if column in sheet.hidden_columns else ""
            self.columns.setItem(row, 0, _item(column_letter(column) + hidden))
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
        self.columns.setColumnWidth(2, max(self.columns.columnWidth(2), 240))
        self._fill_first_rows()
        self._show_missing()

    def _fill_first_rows(self) -> None:
        mapping = self.mapping
        name = self.sheet.currentData()
        if mapping is None or not name:
            return
        sheet = self.workbook.sheet(name)
        rows = [r for r in range(max(mapping.first_data_row, 1), sheet.row_count + 1)
                if any(v is not None for v in sheet.row(r))][:FIRST_ROWS]
        fates = _first_fates(sheet, mapping, rows[-1] if rows else 0)
        count = min(sheet.column_count, SHOWN_COLUMNS)
        self.rows_preview.clear()
        self.rows_preview.setRowCount(len(rows))
        self.rows_preview.setColumnCount(count + 1)
        self.rows_preview.setHorizontalHeaderLabels(["Read as", *[
            f"{column_letter(c)} · {mapping.fields[c].label if c in mapping.fields else 'not imported'}"
            for c in range(1, count + 1)]])
        self.rows_preview.setVerticalHeaderLabels([str(r) for r in rows])
        faint = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for index, row in enumerate(rows):
            fate = fates.get(row)
            read_as = _item(fate.label if fate is not RowFate.INJECT and fate is not None else "inject")
            if fate is not RowFate.INJECT:
                read_as.setForeground(faint)
            self.rows_preview.setItem(index, 0, read_as)
            for column in range(1, count + 1):
                text = cell_text(sheet.cell(row, column)).replace("\n", " ")
                item = _item(text[:80] + ("…" if len(text) > 80 else ""))
                if column not in mapping.fields or fate is not RowFate.INJECT:
                    item.setForeground(faint)
                self.rows_preview.setItem(index, column, item)
        header = self.rows_preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.rows_preview.resizeColumnsToContents()
        for column in range(count + 1):
            self.rows_preview.setColumnWidth(column, min(max(self.rows_preview.columnWidth(column), 90), 240))

    def _assign(self, column: int, value: str | None) -> None:
        mapping = self.mapping
        if mapping is None:
            return
        # Qt hands the field back as plain text: turn it into the field again.
        mapping.assign(column, MselField(value) if value else None)
        self.edited.add(mapping.sheet)
        self._invalidate()
        # A field moves when it is given to another column: show where it went.
        for row in range(self.columns.rowCount()):
            combo = self.columns.cellWidget(row, 2)
            if isinstance(combo, QComboBox):
                combo.blockSignals(True)
                combo.setCurrentIndex(max(0, combo.findData(mapping.fields.get(row + 1))))
                combo.blockSignals(False)
        self._fill_first_rows()
        self._show_missing()

    def _replace_mapping(self, mapping: ColumnMapping, *, edited: bool) -> None:
        self.mappings[mapping.sheet] = mapping
        if edited:
            self.edited.add(mapping.sheet)
        else:
            self.edited.discard(mapping.sheet)
        self._invalidate()
        self._fill_mapping()

    def _header_row_chosen(self, value: int) -> None:
        name = self.sheet.currentData()
        if self._filling or not name:
            return
        sheet = self.workbook.sheet(name)
        if value == 0:
            self._replace_mapping(ColumnMapping(sheet=name, first_data_row=1, chosen=True,
                                                explanation="No header row: choose what each column holds."),
                                  edited=True)
            return
        self._replace_mapping(detect_header(sheet, header_row=value, memory=self.memory), edited=True)

    def _detect_again(self) -> None:
        name = self.sheet.currentData()
        if name:
            self._replace_mapping(detect_header(self.workbook.sheet(name), memory=self.memory), edited=False)

    def _forget(self) -> None:
        mapping = self.mapping
        if mapping is None or self.memory is None:
            return
        self.memory.forget(mapping.fingerprint)
        self._replace_mapping(detect_header(self.workbook.sheet(mapping.sheet), memory=self.memory), edited=False)

    def _basis_chosen(self, _index: int) -> None:
        mapping = self.mapping
        if self._filling or mapping is None:
            return
        mapping.time_basis = TimeBasis(self.time_basis.currentData())
        self.edited.add(mapping.sheet)
        self._invalidate()

    def _show_missing(self) -> None:
        missing = self.mapping.missing() if self.mapping else []
        self.mapping_missing.setText("\n".join(f"⚠ {m[:1].upper()}{m[1:]}." for m in missing))
        self.mapping_missing.setVisible(bool(missing))

    # Step 3: report and preview --------------------------------------------------------------------------
    def _build_preview_step(self) -> None:
        page = QWidget(self.steps)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        bar = QHBoxLayout()
        label = QLabel("Exercise &start (STARTEX)", page)
        self.startex = QLineEdit(page)
        self.startex.setObjectName("importStartex")
        self.startex.setAccessibleName("Exercise start (STARTEX)")
        self.startex.setPlaceholderText("09:00 or 2026-12-12 09:00")
        self.startex.setMinimumWidth(self.startex.fontMetrics().horizontalAdvance("2026-12-12 09:00") + 28)
        self.startex.editingFinished.connect(self._startex_edited)
        label.setBuddy(self.startex)
        bar.addWidget(label)
        bar.addWidget(self.startex)
        self.startex_note = muted("", page)
        bar.addWidget(self.startex_note, 1)
        layout.addLayout(bar)
        self.summary = QLabel(page)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.result_tabs = QTabWidget(page)
        self.result_tabs.setObjectName("importResultTabs")
        self.report_view = QTextBrowser(page)
        self.report_view.setObjectName("importReport")
        self.report_view.setAccessibleName("Import report")
        self.report_view.setOpenLinks(False)
        self.result_tabs.addTab(self.report_view, "&Report")
        self.injects_table = QTableWidget(page)
        self.injects_table.setObjectName("importInjects")
        self.injects_table.setAccessibleName("Injects to import")
        self.injects_table.setColumnCount(7)
        self.injects_table.setHorizontalHeaderLabels(["Sheet", "Row", "No.", "Planned", "Title", "Method", "To"])
        self.injects_table.verticalHeader().setVisible(False)
        self.injects_table.horizontalHeader().setStretchLastSection(True)
        self.injects_table.setTabKeyNavigation(False)
        self.injects_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.result_tabs.addTab(self.injects_table, "In&jects")
        self.problems = QTableWidget(page)
        self.problems.setObjectName("importProblems")
        self.problems.setAccessibleName("Import problems")
        self.problems.setColumnCount(5)
        self.problems.setHorizontalHeaderLabels(["", "Sheet", "Row", "Column", "Problem"])
        self.problems.verticalHeader().setVisible(False)
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setWordWrap(True)
        self.problems.setTabKeyNavigation(False)
        self.result_tabs.addTab(self.problems, "&Problems")
        layout.addWidget(self.result_tabs, 1)
        self.steps.addWidget(page)

    def _invalidate(self) -> None:
        self.preview = None
        self.outcome = None
        self.report = None

    def _startex_edited(self) -> None:
        text = self.startex.text().strip()
        shown = _startex_text(self.preview.startex) if self.preview is not None else ""
        if text == shown:
            return
        if not text:
            self.startex_choice = None
        else:
            try:
                self.startex_choice = parse_startex(text)
            except ValueError as error:
                self.startex_note.setText(f"⚠ {error}")
                return
        self._invalidate()
        self._fill_preview()

    def _options(self) -> ParseOptions:
        return ParseOptions(startex=self.startex_choice, sheet_label=SheetLabel(self.sheet_label.currentData()))

    def _fill_preview(self) -> None:
        names = self.chosen_sheets()
        if not names:
            return
        selection = [(self.workbook.sheet(n), self.mappings[n]) for n in names]
        self.preview = parse_sheets(selection, self._options(), source=self.workbook.path)
        self.outcome = merge_preview(self.scenario, self.preview) if self.preview.injects else None
        notes = [*self.workbook.notes, sheets_not_read(self.candidates, names)]
        self.report = build_report(self.preview, self.outcome, [n for n in notes if n])
        preview, report = self.preview, self.report
        self.startex.setText(_startex_text(preview.startex))
        self.startex_note.setText(self._startex_source())
        lines = [f"<b>{html.escape(report.headline())}</b>"]
        skipped = sum(s.skipped_count for s in report.sheets)
        not_imported = sum(len(s.not_imported) for s in report.sheets)
        time_problems = sum(len(s.time_problems) for s in report.sheets)
        lines.append(f"{sum(s.rows_read for s in report.sheets)} rows read; {skipped} skipped (blank, repeated "
                     f"headers, titles, section rows); {not_imported} not imported; {time_problems} time "
                     "problem(s). The exercise is not changed until you press Import; Undo (Ctrl+Z) takes an "
                     "import back.")
        self.summary.setText("<br>".join(lines))
        self.report_view.setHtml(_report_html(report))
        added = self.outcome.added if self.outcome else ()
        scenario = self.outcome.scenario if self.outcome else self.scenario
        shown = list(zip(preview.injects, added, strict=False))[:PREVIEW_ROWS]
        self.injects_table.setRowCount(len(shown))
        for row, (parsed, inject) in enumerate(shown):
            values = [parsed.sheet, str(parsed.row), str(inject.number), format_elapsed(inject.planned_offset_s),
                      inject.title, inject.delivery_method.label,
                      "; ".join(scenario.recipient_label(r) for r in inject.recipients)]
            for column, value in enumerate(values):
                self.injects_table.setItem(row, column, _item(value))
        self.injects_table.resizeColumnsToContents()
        self.injects_table.setColumnWidth(4, min(self.injects_table.columnWidth(4), 360))
        problems: list[ImportProblem] = list(preview.problems) + list(self.outcome.notes if self.outcome else ())
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        problems.sort(key=lambda p: (order[p.severity], names.index(p.sheet) if p.sheet in names else -1,
                                     p.row or 0, p.column))
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            values = [problem.severity.value.capitalize(), problem.sheet, str(problem.row or ""), problem.column,
                      problem.message]
            for column, value in enumerate(values):
                self.problems.setItem(row, column, _item(value))
        self.problems.resizeColumnsToContents()
        self.problems.setColumnWidth(4, max(self.problems.columnWidth(4), 400))
        if len(problems) <= 500:  # rows with long messages grow to show them; thousands would take too long
            self.problems.resizeRowsToContents()
        self.result_tabs.setTabText(1, f"In&jects ({len(preview.injects)})")
        self.result_tabs.setTabText(2, f"&Problems ({len(problems)})")
        self.import_button.setEnabled(self.outcome is not None and bool(added))

    def _startex_source(self) -> str:
        if self.startex_choice is not None:
            return "as you set it; every planned time counts from it"
        preview = self.preview
        if preview is None or preview.startex is None:
            return "no time in the sheets: every inject is placed at STARTEX"
        marker = next((s for s in preview.sections if s.kind is SectionKind.STARTEX and s.offset_s == 0), None)
        if marker is not None:
            return f"from the STARTEX row {marker.row} of '{marker.sheet}'; type another to change every offset"
        return "the earliest time in the sheets; type the real start to change every offset"

    # Navigation ------------------------------------------------------------------------------------------
    def _show_step(self, step: int) -> None:
        if step == 1:
            self._fill_mapping()
        if step == 2 and self.preview is None:
            self._fill_preview()
        self.steps.setCurrentIndex(step)
        self.step_title.setText(STEP_TITLES[step][0])
        self.step_hint.setText(STEP_TITLES[step][1])
        names = ("Sheets", "Columns", "Report and import")
        self.steps_strip.setText("  ›  ".join(
            f"<b>{n + 1} {name}</b>" if n == step else f"{n + 1} {name}" for n, name in enumerate(names)))
        self.back_button.setEnabled(step > 0)
        self.next_button.setVisible(step < 2)
        self.next_button.setEnabled(bool(self.chosen_sheets()))
        self.import_button.setVisible(step == 2)
        focus = (self.sheet_list, self.columns, self.result_tabs)[step]
        focus.setFocus()

    @property
    def step(self) -> int:
        return self.steps.currentIndex()

    def next(self) -> None:
        if self.step < 2 and self.chosen_sheets():
            self._show_step(self.step + 1)

    def back(self) -> None:
        if self.step > 0:
            self._show_step(self.step - 1)

    def _confirm(self) -> None:
        self._startex_edited()
        if self.outcome is None or not self.outcome.added:
            return
        self._remember()
        self.accept()

    def _remember(self) -> None:
        """Save the column choices of every sheet the designer changed, for the next workbook like it."""
        if self.memory is None:
            return
        source = Path(self.workbook.path).name
        for name in self.chosen_sheets():
            mapping = self.mappings[name]
            if name in self.edited and mapping.fingerprint:
                try:
                    self.memory.remember(mapping, source)
                except OSError as error:
                    self.remember_problem = f"the column choices could not be saved ({error.strerror or error})"


def _first_fates(sheet: SourceSheet, mapping: ColumnMapping, last_row: int) -> dict[int, RowFate]:
    """What the import makes of each of the first rows, from a parse of just those rows."""
    if last_row < 1:
        return {}
    head = replace(sheet, rows=sheet.rows[:last_row])
    summary = parse_rows(head, mapping).sheets[0]
    return {row: fate for fate, rows in summary.fates for row in rows}


def _startex_text(value: datetime | time | None) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return ""


def _report_html(report: ImportReport) -> str:
    """The report as simple HTML (headings, lists, one table per sheet) in the palette's own colours."""
    parts = [f"<p>{html.escape(n)}</p>" for n in report.notes]
    for sheet in report.sheets:
        parts.append(_sheet_html(sheet))
    for label, names in report.created:
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        parts.append(f"<p>New {html.escape(label)} to be created: {len(names)} ({html.escape(shown)})</p>")
    if report.renumbered:
        parts.append(f"<p>Renumbered: {report.renumbered} inject(s) whose number was already used (the original "
                     "number is kept in the controller notes).</p>")
    parts.append(f"<p>{report.errors} error(s) (rows not imported), {report.warnings} warning(s) (values "
                 "replaced, the originals kept in the controller notes): see the Problems tab.</p>")
    return "".join(parts)


def _sheet_html(sheet: SheetReport) -> str:
    title = html.escape(sheet.sheet)
    header = rows_text(sheet.header_rows) if sheet.header_rows else "no header row"
    rows: list[tuple[str, list[str]]] = [("Header", [header])]
    if sheet.rows_above:
        rows.append(("Above the header", [f"{len(sheet.rows_above)} title row(s): {rows_text(sheet.rows_above)}"]))
    if sheet.day is not None:
        rows.append(("Exercise day", [f"{sheet.day}, from the sheet's name"]))
    if sheet.remembered:
        rows.append(("Columns", [f"as in {sheet.remembered}"]))
    if not sheet.mapped and not sheet.kept_in_notes:
        rows.append(("Not read", [sheet.explanation]))
    else:
        span = f" ({rows_text(range(sheet.first_row, sheet.last_row + 1))})" if sheet.rows_read else ""
        rows.append(("Rows read", [f"{sheet.rows_read}{span}"]))
        rows.append(("Injects imported", [str(sheet.injects)]))
        for fate, fated in sheet.skipped:
            rows.append((f"Skipped: {fate.label}", [f"{len(fated)} ({rows_text(fated)})"]))
        if sheet.not_imported:
            rows.append(("Not imported", [f"{len(sheet.not_imported)} ({rows_text(sheet.not_imported)}); the "
                                          "Problems tab says why"]))
        rows.append(("Columns mapped", [c.describe() for c in sheet.mapped] or ["none"]))
        rows.append(("Kept in the notes", [c.describe() for c in sheet.kept_in_notes] or ["none"]))
        if sheet.left_out:
            rows.append(("Left out", [c.describe() for c in sheet.left_out]))
        listed = [f"row {p.row}{', column ' + p.column if p.column else ''}: {p.message}"
                  for p in sheet.time_problems[:8]]
        if len(sheet.time_problems) > 8:
            listed.append(f"… and {len(sheet.time_problems) - 8} more on the Problems tab")
        rows.append(("Time problems", [str(len(sheet.time_problems)), *listed]))
    body = "".join(f"<tr><td valign='top' style='padding-right:14px'><b>{html.escape(k)}</b></td>"
                   f"<td>{'<br>'.join(html.escape(v) for v in values)}</td></tr>" for k, values in rows)
    return f"<h3>Sheet '{title}'</h3><table cellspacing='0' cellpadding='2'>{body}</table>"


def _labelled(text: str, control: QWidget, parent: QWidget) -> QWidget:
    """A label and its control kept together when a bar of them wraps onto a second row."""
    box = QWidget(parent)
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text, box)
    label.setBuddy(control)
    control.setParent(box)
    row.addWidget(label)
    row.addWidget(control)
    return box


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setToolTip(text if len(text) > 40 else "")
    return item


__all__ = ["MselImportDialog"]

"""MSEL export to CSV and XLSX in the column layout exercise planners use, readable by our own importer.

The layout (`MSEL_COLUMNS`) names every column the way the importer recognises it, and values are written
as the importer reads them (labels for delivery methods, event types and statuses; offsets as
``H:MM:SS``), so an exported file re-imports to the same injects.

Files are written to a temporary name beside the target and moved into place, so an interrupted export
never leaves half a file where a good one was.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) get a leading apostrophe, the usual defence against formula injection; the CSV reader
removes it again. Plain numbers and offsets such as ``-0:30:00`` are left as they are: they contain only
digits, signs, colons and a decimal point, so a spreadsheet can only read them as values, and escaping
them would make every negative offset unreadable. In XLSX, text is always stored as text, never as a
formula.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter

from ctpn_desktop.core.entities import Inject, Scenario
from ctpn_desktop.core.errors import SpreadsheetError
from ctpn_desktop.core.io.msel_read import EXCEL_ERRORS
from ctpn_desktop.core.io.msel_values import EVENT_TYPE_LABELS, STATUS_LABELS
from ctpn_desktop.core.io.scenario_json import format_offset

MSEL_COLUMNS: tuple[str, ...] = (
    "No.", "Phase", "Planned time (offset H:MM:SS)", "Scenario time", "Event type", "Title",
    "Description / content", "Delivery method", "From", "To", "Expected action", "Objectives", "Storyline",
    "Status", "Controller notes", "Depends on",
)
"""The export layout; "Depends on" (an inject number) follows the usual columns so dependencies survive."""

_WIDTHS = (7, 22, 14, 18, 14, 36, 60, 16, 22, 30, 45, 14, 18, 10, 40, 10)
_WRAPPED = {"Title", "Description / content", "To", "Expected action", "Controller notes", "From", "Phase"}
_FORMULA_START_RE = re.compile(r"'*[=+\-@\t\r]")
_PLAIN_VALUE_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|\d+:[0-5]\d(?::[0-5]\d)?)")
XLSX_CELL_LIMIT = 32_767

Cell = str | int | datetime | None


def csv_safe(text: str) -> str:
    """Text a spreadsheet will show rather than run: formula-like cells get a leading apostrophe.

    Text that already starts with apostrophes before a formula character gets one more, so that reading
    the file back (which removes one) returns exactly what was written. Text that reads like an error
    code (``#N/A``, ``#REF!``) is escaped the same way, so it is not taken for an error on import.
    """
    if _FORMULA_START_RE.match(text) and not _PLAIN_VALUE_RE.fullmatch(text):
        return "'" + text
    if text.lstrip("'").strip().upper() in EXCEL_ERRORS:
        return "'" + text
    return text


def _ordered(scenario: Scenario) -> list[Inject]:
    return sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.position, i.number))


def msel_rows(scenario: Scenario) -> list[list[Cell]]:
    """The MSEL as rows of typed values in `MSEL_COLUMNS` order, sorted by planned time."""
    objective_code = {o.id: o.code for o in scenario.objectives}
    number_of = {i.id: i.number for i in scenario.injects}
    rows: list[list[Cell]] = []
    for inject in _ordered(scenario):
        phase = scenario.phase(inject.phase_id)
        rows.append([
            inject.number,
            phase.name if phase else "",
            format_offset(inject.planned_offset_s),
            inject.scenario_time.replace(microsecond=0) if inject.scenario_time else None,
            EVENT_TYPE_LABELS[inject.event_type],
            inject.title,
            inject.content,
            inject.delivery_method.label,
            inject.sender,
            "; ".join(scenario.recipient_label(r) for r in inject.recipients),
            inject.expected_actions,
            ", ".join(objective_code[o] for o in inject.objective_ids if o in objective_code),
            inject.storyline,
            STATUS_LABELS[inject.status],
            inject.controller_notes,
            number_of.get(inject.depends_on_id) if inject.depends_on_id else None,
        ])
    return rows


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, flushed to disk, then moved over ``path``."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise SpreadsheetError(str(path), f"cannot be written: {error.strerror or error}") from error
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    return str(value)


def write_msel_csv(scenario: Scenario, path: Path | str) -> tuple[str, ...]:
    """Write the MSEL as UTF-8 CSV, with a BOM so Excel reads accents right; returns warnings (none yet)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MSEL_COLUMNS)
    for row in msel_rows(scenario):
        writer.writerow([csv_safe(_text(value)) for value in row])
    data = buffer.getvalue().encode("utf-8-sig")

    def save(target: Path) -> None:
        target.write_bytes(data)

    _atomic_write(Path(path), save)
    return ()


def _xlsx_text(text: str, where: str, warnings: list[str]) -> str:
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)
    if cleaned != text:
        warnings.append(f"{where}: control characters a workbook cannot hold were left out")
    if len(cleaned) > XLSX_CELL_LIMIT:
        warnings.append(f"{where}: text longer than {XLSX_CELL_LIMIT:,} characters was cut "
                        "(Excel's cell limit)")
        cleaned = cleaned[: XLSX_CELL_LIMIT - 1] + "…"
    return cleaned


def write_msel_xlsx(scenario: Scenario, path: Path | str) -> tuple[str, ...]:
    """Write the MSEL as a workbook: bold frozen header, filters, widths, wrapped text, marking in the
    printed header and footer. Returns warnings about text a workbook cannot hold exactly."""
    warnings: list[str] = []
    marking = scenario.exercise.marking
    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    sheet.append(list(MSEL_COLUMNS))
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="D9D9D9")
    for column in range(1, len(MSEL_COLUMNS) + 1):
        cell = sheet.cell(row=1, column=column)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS[column - 1]
    wrapped = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for row_number, row in enumerate(msel_rows(scenario), start=2):
        for column, value in enumerate(row, start=1):
            name = MSEL_COLUMNS[column - 1]
            if isinstance(value, str):
                value = _xlsx_text(value, f"inject {row[0]}, {name}", warnings)
            cell = sheet.cell(row=row_number, column=column, value=value if value != "" else None)
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss" if value.second else "yyyy-mm-dd hh:mm"
            cell.alignment = wrapped if name in _WRAPPED else top
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(MSEL_COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    safe_marking = ILLEGAL_CHARACTERS_RE.sub("", marking).replace("&", "&&")
    sheet.oddHeader.center.text = safe_marking
    sheet.oddFooter.center.text = safe_marking
    sheet.oddFooter.right.text = "Page &P of &N"
    about = book.create_sheet("Exercise")
    for label, value in (("Exercise", scenario.exercise.title), ("Protective marking", marking),
                         ("Injects", len(scenario.injects))):
        about.append([label, _xlsx_text(value, label, warnings) if isinstance(value, str) else value])
        about.cell(row=about.max_row, column=2).data_type = "s" if isinstance(value, str) else "n"
        about.cell(row=about.max_row, column=1).font = header_font
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 60

    def save(target: Path) -> None:
        book.save(target)

    _atomic_write(Path(path), save)
    return tuple(warnings)

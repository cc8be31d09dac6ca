"""MSEL export: the standard layout, formula-safe CSV, a presentable workbook, files replaced atomically."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ctpn_desktop.core.entities import Inject, Scenario
from ctpn_desktop.core.errors import SpreadsheetError
from ctpn_desktop.core.io import msel_write
from ctpn_desktop.core.io.msel_write import MSEL_COLUMNS, csv_safe, msel_rows, write_msel_csv, write_msel_xlsx

from tests.core.io.msel_helpers import sample_scenario


@pytest.mark.parametrize(("text", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+44 20 7946 0000", "'+44 20 7946 0000"),
    ("-Anonymous", "'-Anonymous"),
    ("@reporter", "'@reporter"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("'=already quoted", "''=already quoted"),
    ("#REF!", "'#REF!"),
    ("-0:30:00", "-0:30:00"),
    ("-15", "-15"),
    ("+1.5", "+1.5"),
    ("-3,25", "-3,25"),
    ("-1+1", "'-1+1"),
    ("Plain text = fine", "Plain text = fine"),
    ("'tis", "'tis"),
])
def test_csv_cells_that_would_run_as_formulas_are_escaped(text: str, written: str) -> None:
    assert csv_safe(text) == written


def test_rows_follow_the_standard_layout_in_time_order() -> None:
    rows = msel_rows(sample_scenario())
    assert MSEL_COLUMNS == ("No.", "Phase", "Planned time (offset H:MM:SS)", "Scenario time", "Event type",
                            "Title", "Description / content", "Delivery method", "From", "To",
                            "Expected action", "Objectives", "Storyline", "Status", "Controller notes",
                            "Depends on")
    assert [row[0] for row in rows] == [2, 13, 1, 7, 12]
    first = dict(zip(MSEL_COLUMNS, rows[2], strict=True))
    assert first["Phase"] == "Phase 1 – Initial response"
    assert first["Planned time (offset H:MM:SS)"] == "0:05:00"
    assert (first["Event type"], first["Delivery method"], first["Status"]) == ("Inject", "Phone", "Ready")
    assert first["To"] == "Police – Strategic Commander (Gold); Fire"
    assert first["Objectives"] == "O1, O2"
    assert dict(zip(MSEL_COLUMNS, rows[3], strict=True))["Depends on"] == 1
    assert rows[0][2] == "-0:15:00" and rows[4][2] == "26:30:00"


def test_csv_is_utf8_with_bom_and_formula_safe(tmp_path: Path) -> None:
    path = tmp_path / "msel.csv"
    assert write_msel_csv(sample_scenario(), path) == ()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(MSEL_COLUMNS)
    contingency = rows[1]
    assert contingency[2] == "-0:15:00"
    assert contingency[5] == "'=HYPERLINK(\"http://example.invalid\",\"click\")"
    assert contingency[6].startswith("'+44") and contingency[8] == "'-Anonymous"
    assert "Ärzte, «urgence», Zürich" in rows[4][5]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_xlsx_is_presentable_and_never_holds_formulas(tmp_path: Path) -> None:
    path = tmp_path / "msel.xlsx"
    assert write_msel_xlsx(sample_scenario(), path) == ()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["MSEL", "Exercise"]
    sheet = book["MSEL"]
    assert [c.value for c in sheet[1]] == list(MSEL_COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:P6"
    assert sheet.column_dimensions["G"].width == 60 and sheet["G2"].alignment.wrap_text
    assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    assert sheet["F2"].value == "=HYPERLINK(\"http://example.invalid\",\"click\")"
    assert sheet["F2"].data_type == "s"
    assert sheet["D4"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["D3"].number_format == "yyyy-mm-dd hh:mm:ss"
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    about = book["Exercise"]
    assert [[c.value for c in row] for row in about.iter_rows()] == [
        ["Exercise", "Exercise NIGHT MARKET"], ["Protective marking", "OFFICIAL-SENSITIVE"], ["Injects", 5]]


def test_xlsx_reports_text_a_workbook_cannot_hold(tmp_path: Path) -> None:
    scenario = sample_scenario()
    odd = Inject(id="i-odd", number=99, title="Bell\x07 in title", planned_offset_s=0,
                 content="x" * (msel_write.XLSX_CELL_LIMIT + 10))
    scenario = Scenario(scenario.exercise, scenario.objectives, scenario.organisations, scenario.phases,
                        (*scenario.injects, odd))
    warnings = write_msel_xlsx(scenario, tmp_path / "m.xlsx")
    assert warnings == ("inject 99, Title: control characters a workbook cannot hold were left out",
                        "inject 99, Description / content: text longer than 32,767 characters was cut "
                        "(Excel's cell limit)")
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["MSEL"]
    assert "Bell in title" in [c.value for c in sheet["F"]]


@pytest.mark.parametrize("writer", [write_msel_csv, write_msel_xlsx])
def test_files_are_replaced_whole_and_temporary_files_never_remain(tmp_path: Path,
                                                                   writer) -> None:  # type: ignore
    path = tmp_path / "msel.out"
    path.write_bytes(b"previous export")
    writer(sample_scenario(), path)
    assert path.read_bytes() != b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["msel.out"]


def test_a_failed_export_leaves_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "msel.xlsx"
    path.write_bytes(b"previous export")

    def broken_save(self: object, filename: object) -> None:
        Path(str(filename)).write_bytes(b"half a wor")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(SpreadsheetError, match="cannot be written: No space left on device"):
        write_msel_xlsx(sample_scenario(), path)
    assert path.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["msel.xlsx"]


def test_export_to_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpreadsheetError, match="cannot be written"):
        write_msel_csv(sample_scenario(), tmp_path / "gone" / "msel.csv")

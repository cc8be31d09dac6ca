"""Reading spreadsheets into grids: every broken or hostile file ends in a clear SpreadsheetError."""

from __future__ import annotations

import codecs
import zipfile
from datetime import datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from ctpn_desktop.core.errors import SpreadsheetError
from ctpn_desktop.core.io import msel_read
from ctpn_desktop.core.io.msel_read import (
    ErrorCell,
    FormulaCell,
    MergedRange,
    cell_text,
    column_letter,
    column_number,
    is_placeholder,
    read_table,
)

from tests.core.io.msel_helpers import save_rows, set_cached_value

CSV_ROWS = "No.;Time;Title;Delivery method\n1;09:05;Réunion à l'hôtel de ville – “urgent”;Téléphone\n"


def test_xlsx_sheets_keep_typed_values_and_spreadsheet_numbering(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["No.", "Time", "Title"], [1, time(9, 5), "First call"], [],
                                           [2, datetime(2026, 12, 12, 18, 30), "  "]],
                     extra_sheets=[("Lists", [["Phone"]], True)])
    workbook = read_table(path)
    assert workbook.kind == "xlsx" and workbook.sheet_names == ("MSEL", "Lists")
    sheet = workbook.sheet("MSEL")
    assert sheet.cell(2, 2) == time(9, 5)
    assert sheet.row(3) == ()
    assert sheet.row(4) == (2, datetime(2026, 12, 12, 18, 30))
    assert sheet.row_count == 4 and sheet.column_count == 3
    assert not sheet.hidden and workbook.sheet("Lists").hidden


def test_vertically_merged_cells_are_copied_into_each_row_they_cover(tmp_path: Path) -> None:
    rows = [["Phase", "Time", "Title"], ["Phase 1", "09:00", "A"], [None, "09:10", "B"], [None, "09:20", "C"],
            ["Phase 1 – Initial response"]]
    path = save_rows(tmp_path / "m.xlsx", rows, merges=["A2:A4", "A5:C5"])
    sheet = read_table(path).sheet("MSEL")
    assert [sheet.cell(r, 1) for r in (2, 3, 4)] == ["Phase 1"] * 3
    assert sheet.row(5) == ("Phase 1 – Initial response",)
    assert MergedRange(2, 1, 4, 1) in sheet.merged and MergedRange(5, 1, 5, 3).ref == "A5:C5"


def test_formulas_without_saved_results_are_marked_and_saved_results_used(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["No.", "Time"], [1, "=A2+1"], ["=A2+1", "=B2&\"<x>\""]])
    set_cached_value(path, "A3", "2")
    sheet = read_table(path).sheet("MSEL")
    assert sheet.cell(3, 1) == 2
    assert sheet.cell(2, 2) == FormulaCell("=A2+1")
    assert sheet.cell(3, 2) == FormulaCell('=B2&"<x>"')
    assert cell_text(sheet.cell(2, 2)) == ""


def test_error_cells_differ_from_text_that_reads_like_an_error(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title", "Notes"], ["#REF!", "x"]])
    book_sheet = read_table(path).sheet("MSEL")
    assert book_sheet.cell(2, 1) == ErrorCell("#REF!")
    book = Workbook()
    book.active.append(["Title"])
    book.active.append(["#N/A"])
    book.active["A2"].data_type = "s"
    book.save(tmp_path / "text.xlsx")
    assert read_table(tmp_path / "text.xlsx").sheets[0].cell(2, 1) == "#N/A"


def test_a_stated_sheet_size_is_not_trusted(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x"]])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<dimension ref="A1:A2"', b'<dimension ref="A1:XFD1048576"')
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    sheet = read_table(path).sheet("MSEL")
    assert sheet.row_count == 2 and sheet.column_count == 1


def test_rows_and_columns_beyond_the_limits_are_cut_with_a_note(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msel_read, "MAX_ROWS", 5)
    monkeypatch.setattr(msel_read, "MAX_COLUMNS", 3)
    path = save_rows(tmp_path / "m.xlsx", [[f"r{r}c{c}" for c in range(5)] for r in range(9)])
    workbook = read_table(path)
    sheet = workbook.sheet("MSEL")
    assert sheet.row_count == 5 and sheet.column_count == 3
    assert sheet.truncated_rows and sheet.truncated_columns
    assert any("first 5 rows" in note for note in workbook.notes)
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("\n".join(",".join(f"r{r}c{c}" for c in range(5)) for r in range(9)),
                        encoding="utf-8")
    csv_sheet = read_table(csv_path).sheets[0]
    assert csv_sheet.row_count == 5 and csv_sheet.truncated_rows and csv_sheet.truncated_columns


def test_trailing_empty_rows_do_not_count_as_truncation(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msel_read, "MAX_ROWS", 3)
    book = Workbook()
    book.active.append(["Title"])
    book.active.append(["x"])
    book.active.cell(row=500, column=1).number_format = "0.00"
    book.save(tmp_path / "m.xlsx")
    sheet = read_table(tmp_path / "m.xlsx").sheets[0]
    assert sheet.row_count == 2 and not sheet.truncated_rows


@pytest.mark.parametrize(("encoding", "prefix", "name"), [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, "UTF-8 with BOM"),
    ("cp1252", b"", "Windows-1252"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
])
def test_csv_encodings_are_recognised(tmp_path: Path, encoding: str, prefix: bytes, name: str) -> None:
    path = tmp_path / "msel.csv"
    path.write_bytes(prefix + CSV_ROWS.encode(encoding))
    workbook = read_table(path)
    assert workbook.encoding == name
    assert workbook.sheets[0].row(1) == ("No.", "Time", "Title", "Delivery method")
    assert workbook.sheets[0].cell(2, 3) == "Réunion à l'hôtel de ville – “urgent”"
    assert workbook.sheets[0].name == "msel"


@pytest.mark.parametrize(("text", "delimiter"), [
    ("No.,Time,Title\n1,09:00,\"A; B\"\n2,09:10,C\n", ","),
    ("No.;Time;Title\n1;09:00;A, B\n2;09:10;C\n", ";"),
    ("No.\tTime\tTitle\n1\t09:00\tA, B; C\n", "\t"),
    ("No.|Time|Title\n1|09:00|A\n", "|"),
    ("sep=;\nNo.;Time;Title\n1;09:00;A,B\n", ";"),
    ("MSEL for EXERCISE X;;\n\nNo.;Time;Title\n1;09:00;A\n2;1,5;B\n", ";"),
])
def test_csv_delimiters_are_sniffed(tmp_path: Path, text: str, delimiter: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    workbook = read_table(path)
    assert workbook.delimiter == delimiter
    assert ("No.", "Time", "Title") in workbook.sheets[0].rows


def test_csv_keeps_line_breaks_inside_quoted_cells_and_undoes_formula_escaping(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"Title,Content\r\n'=SUM(1),\"line 1\r\nline 2\"\r\n''+x,'tis\r\n#DIV/0!,'#DIV/0!\r\n")
    sheet = read_table(path).sheets[0]
    assert sheet.row(2) == ("=SUM(1)", "line 1\r\nline 2")
    assert sheet.row(3) == ("'+x", "'tis")
    assert sheet.row(4) == (ErrorCell("#DIV/0!"), "#DIV/0!")
    assert cell_text(sheet.cell(2, 2)) == "line 1\nline 2"


def test_a_workbook_saved_with_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x"]])
    renamed = path.rename(tmp_path / "m.csv")
    assert read_table(renamed).kind == "xlsx"


def _expect(path: Path, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message) as caught:
        read_table(path)
    assert caught.value.path == str(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("m.pdf", b"%PDF-1.4", "choose an .xlsx or .csv file"),
    ("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-format Excel .xls"),
    ("m.ods", b"PK\x03\x04", "save it as .xlsx or .csv"),
    ("m.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
    ("m.xlsx", b"No.,Time,Title\n1,09:00,x\n", "not a zip archive"),
    ("m.xlsx", b"PK\x03\x04" + b"\0" * 100, "not a valid XLSX workbook"),
    ("m.csv", b"", "is empty"),
    ("m.csv", b"Title\x00\x01\x02\n", "binary data"),
    ("m.csv", b'Title\n"' + b"x" * 200_000, "not a readable CSV file near line"),
])
def test_files_that_are_not_readable_spreadsheets(tmp_path: Path, name: str, content: bytes,
                                                  message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _expect(path, message)


def test_a_missing_file(tmp_path: Path) -> None:
    _expect(tmp_path / "gone.xlsx", "cannot be read")


def test_files_over_50_mb_are_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(msel_read.MAX_FILE_BYTES + 1)
    _expect(path, "larger than 50 MB")


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _expect(path, "not an Excel workbook")


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x"]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (12 * 1024 * 1024))
    _expect(path, "zip bomb")


def test_a_workbook_expanding_beyond_the_limit_is_refused(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msel_read, "MAX_UNCOMPRESSED_BYTES", 1000)
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x" * 2000]])
    _expect(path, "expands to")


def test_an_encrypted_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("xl/workbook.xml")
        info.flag_bits |= 0x1
        archive.writestr(info, b"secret")
    _expect(path, "encrypted")


def test_a_damaged_workbook_part_is_reported_not_raised(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x"]])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1'"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    _expect(path, "cannot be read as an XLSX workbook")


def test_a_truncated_workbook(tmp_path: Path) -> None:
    path = save_rows(tmp_path / "m.xlsx", [["Title"], ["x"]])
    path.write_bytes(path.read_bytes()[:-200])
    _expect(path, "XLSX workbook")


@pytest.mark.parametrize("text", ["---", "-", "—", "N/A", "n/a", "NA", "TBD", "tbc", "?", "???", "...",
                                  "#N/A"])
def test_placeholders(text: str) -> None:
    assert is_placeholder(text) and cell_text(text) == ""


@pytest.mark.parametrize(("value", "text"), [
    ("  Police \r\n Fire ", "Police \n Fire"), ("None", "None"), ("-0:30:00", "-0:30:00"), ("#REF!", "#REF!"),
    (ErrorCell("#REF!"), ""), (FormulaCell("=A1"), ""),
    (3.0, "3"), (2.5, "2.5"), (True, "TRUE"), (time(9, 5), "09:05"),
    (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02 03:04:05"),
])
def test_cells_as_text(value: object, text: str) -> None:
    assert cell_text(value) == text  # type: ignore[arg-type]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 256)] == ["A", "Z", "AA", "IV"]
    assert column_number("ab") == 28

"""Importers fed with anything: they end in the project's own clear errors (SpreadsheetError, ScenarioFormatError …),
never in a crash, and a file they accept goes through the whole import without one.

Hypothesis runs derandomized so CI is repeatable; the strategies cover raw bytes, damaged workbooks, grids of
awkward cells in real workbooks and CSV files, and scenario documents broken in every field.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctpn_desktop.core.entities import Scenario
from ctpn_desktop.core.errors import CtpnError, ScenarioFormatError, SpreadsheetError
from ctpn_desktop.core.io.msel_import import merge_preview
from ctpn_desktop.core.io.msel_mapping import MselField, detect_header, propose_sheet, proposed_sheets
from ctpn_desktop.core.io.msel_memory import MappingMemory
from ctpn_desktop.core.io.msel_parse import ParseOptions, SheetLabel, parse_rows, parse_sheets
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.io.msel_report import build_report
from ctpn_desktop.core.io.scenario_json import parse_scenario_text, read_scenario_file, to_scenario

from tests.factories import LIBRARY

EXAMPLES = int(os.environ.get("CTPN_FUZZ_EXAMPLES", "0"))
"""Set for a longer, random fuzzing session; CI runs a fixed, repeatable set."""
FUZZ = settings(max_examples=EXAMPLES or 120, deadline=None, derandomize=not EXAMPLES, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SCENARIO_FILE = LIBRARY / "marathon-hostile-drone.json"
TARGET: Scenario = read_scenario_file(SCENARIO_FILE)[0]


def import_spreadsheet(path: Path) -> None:
    """The whole MSEL import as the window runs it, short of writing to a document: each likely sheet, then
    every proposed sheet together, every sheet with data (as --all-sheets), a header row pointed at, a column
    re-mapped, the report of each."""
    workbook = read_table(path)
    candidates = propose_sheet(workbook)
    for candidate in candidates[:2]:
        preview = parse_rows(workbook.sheet(candidate.sheet), candidate.mapping, source=str(path))
        build_report(preview, merge_preview(TARGET, preview))
    by_name = {c.sheet: c for c in candidates}
    for names in (proposed_sheets(candidates), [c.sheet for c in candidates if c.data_rows]):
        selection = [(workbook.sheet(n), by_name[n].mapping) for n in names]
        for options in (ParseOptions(), ParseOptions(startex=datetime(2026, 12, 12, 9), sheet_label=SheetLabel.NOTES,
                                                     day_first=False)):
            preview = parse_sheets(selection, options, source=str(path))
            build_report(preview, merge_preview(TARGET, preview), ["note"]).text()
    for sheet in workbook.sheets[:2]:
        for row in (1, 2, max(sheet.row_count, 1), sheet.row_count + 5):
            mapping = detect_header(sheet, header_row=row)
            mapping.assign(1, MselField.TITLE)
            mapping.assign(2, MselField.TIME)
            build_report(parse_rows(sheet, mapping))


def only_clear_errors(action: Any, *allowed: type[CtpnError]) -> None:
    """Run ``action``; any exception but the allowed clear errors fails the test."""
    with contextlib.suppress(*allowed):
        action()


cell_text = st.one_of(
    st.sampled_from(["Time", "Inject", "Title", "Description", "From", "To", "Method", "Phase", "No.", "#",
                     "Expected action", "Objective", "09:00", "0930", "+0:15", "T+01:30", "D1 14:00", "121530ZDEC27",
                     "=SUM(A1:A3)", "=HYPERLINK(\"http://x\")", "#REF!", "---", "???", "J-60", "phone", "email",
                     "", " ", "\t", "\n", "\"", "'", ";", ",", "‮RTL", "Łódź", "日本語", "\x00", "\ufeff"]),
    st.text(max_size=40),
)
cell_value = st.one_of(
    cell_text,
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
    st.none(),
)
grid = st.lists(st.lists(cell_value, max_size=9), max_size=14)


@FUZZ
@given(raw=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx"]))
def test_any_bytes_under_a_spreadsheet_name(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"msel{suffix}"
    path.write_bytes(raw)
    only_clear_errors(lambda: import_spreadsheet(path), SpreadsheetError)


@FUZZ
@given(rows=grid, delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
def test_csv_grids_of_awkward_cells(tmp_path: Path, rows: list[list[Any]], delimiter: str, encoding: str) -> None:
    text = "\r\n".join(delimiter.join(_csv_field(value, delimiter) for value in row) for row in rows)
    path = tmp_path / "msel.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    only_clear_errors(lambda: import_spreadsheet(path), SpreadsheetError)


def _csv_field(value: Any, delimiter: str) -> str:
    text = "" if value is None else str(value)
    if any(c in text for c in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


@FUZZ
@given(sheets=st.lists(grid, min_size=1, max_size=3), hidden=st.booleans(), merge=st.booleans())
def test_real_workbooks_of_awkward_cells(tmp_path: Path, sheets: list[list[list[Any]]], hidden: bool,
                                         merge: bool) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet {index}")
        for row in rows:
            sheet.append([_storable(value) for value in row])
        if merge and sheet.max_row > 2:
            sheet.merge_cells(start_row=2, start_column=1, end_row=sheet.max_row, end_column=1)
    if hidden and len(book.worksheets) > 1:
        book.worksheets[0].sheet_state = "hidden"
    path = tmp_path / "msel.xlsx"
    book.save(path)
    only_clear_errors(lambda: import_spreadsheet(path), SpreadsheetError)


def _storable(value: Any) -> Any:
    """What openpyxl can write: no control characters in text, finite numbers."""
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value


def _valid_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    sheet.append(["No.", "Time", "Title", "Description", "From", "To", "Method"])
    for number in range(1, 8):
        sheet.append([number, time(9, number * 5), f"Inject {number}", "Text", "Control", "Police", "phone"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


VALID_XLSX = _valid_workbook()


@FUZZ
@given(data=st.data())
def test_damaged_workbooks(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(VALID_XLSX)
    for _ in range(data.draw(st.integers(1, 12))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "msel.xlsx"
    path.write_bytes(bytes(raw))
    only_clear_errors(lambda: import_spreadsheet(path), SpreadsheetError)


@FUZZ
@given(data=st.data())
def test_workbooks_with_rewritten_parts(tmp_path: Path, data: st.DataObject) -> None:
    """Each XML part of a valid workbook replaced by fuzz: the zip is sound, its contents are not."""
    source = zipfile.ZipFile(io.BytesIO(VALID_XLSX))
    names = source.namelist()
    victim = data.draw(st.sampled_from(names))
    replacement = data.draw(st.one_of(
        st.binary(max_size=400),
        st.sampled_from([b"", b"<x/>", b"<?xml version='1.0'?><worksheet/>", b"<worksheet><sheetData><row r='0'>",
                         b"<sheetData><row r='999999999999'><c r='ZZZZ1' t='s'><v>99999</v></c></row></sheetData>"]),
        st.just(source.read(victim).replace(b'r="', b'r="9', data.draw(st.integers(1, 5)))),
    ))
    path = tmp_path / "msel.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            target.writestr(name, replacement if name == victim else source.read(name))
    only_clear_errors(lambda: import_spreadsheet(path), SpreadsheetError)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children,
                                                                               max_size=4)),
    max_leaves=20,
)
VALID_SCENARIO: dict[str, Any] = json.loads(SCENARIO_FILE.read_text(encoding="utf-8"))


def read_scenario(text: str | bytes) -> None:
    to_scenario(parse_scenario_text(text, "fuzzed.json"))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_any_text_as_a_scenario(raw: str | bytes) -> None:
    only_clear_errors(lambda: read_scenario(raw), ScenarioFormatError)


@FUZZ
@given(data=st.data())
def test_scenarios_broken_in_any_field(data: st.DataObject) -> None:
    document = copy.deepcopy(VALID_SCENARIO)
    for _ in range(data.draw(st.integers(1, 4))):
        container, key = _pick_field(document, data)
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "delete" and isinstance(container, dict):
            container.pop(key, None)
        elif action == "duplicate" and isinstance(container, list) and container:
            container.append(copy.deepcopy(container[0]))
        else:
            container[key] = data.draw(json_values)
    only_clear_errors(lambda: read_scenario(json.dumps(document)), ScenarioFormatError)


def _pick_field(document: Any, data: st.DataObject) -> tuple[Any, Any]:
    container, key = document, data.draw(st.sampled_from(sorted(document)))
    while isinstance(container[key], dict | list) and container[key] and data.draw(st.booleans()):
        container = container[key]
        key = data.draw(st.sampled_from(sorted(container) if isinstance(container, dict) else
                                        range(len(container))))
    return container, key


layout_documents = st.one_of(
    st.binary(max_size=600),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({
        "format": st.sampled_from(["ctpn-msel-columns", "other"]), "version": st.sampled_from([1, 2, "1"]),
        "fingerprint": st.sampled_from(["0" * 20, "1" * 20]),
        "fields": st.dictionaries(st.text(max_size=4), st.one_of(st.none(), st.sampled_from(
            [f.value for f in MselField] + ["bogus"]), st.integers()), max_size=6),
        "time_basis": st.one_of(st.sampled_from(["auto", "clock", "offset", "never"]), st.integers()),
        "saved_at": st.one_of(st.text(max_size=30), st.just("2026-01-01T09:00:00"), st.none()),
        "source": st.one_of(st.text(max_size=30), st.integers()),
    }).map(lambda value: json.dumps(value).encode()),
)


@FUZZ
@given(content=layout_documents)
def test_saved_column_choices_of_any_content_are_ignored_or_applied_never_a_crash(tmp_path: Path,
                                                                                 content: bytes) -> None:
    from ctpn_desktop.core.io.msel_read import SourceSheet

    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    sheet = SourceSheet("S", (("Inject No.", "Time", "What happens"), (1, "09:00", "Smoke")))
    fingerprint = detect_header(sheet).fingerprint
    for name in (fingerprint, "0" * 20):
        (folder / f"{name}.json").write_bytes(content)
    memory = MappingMemory(folder)
    layout = memory.recall("0" * 20)
    assert layout is None or all(f is None or isinstance(f, MselField) for f in layout.fields.values())
    mapping = detect_header(sheet, memory=memory)
    parse_rows(sheet, mapping)


@pytest.mark.parametrize("name", ["../../outside.png", "/etc/passwd", "folder\\evil.png", "..", "a\x00b.png"])
def test_attachment_names_that_point_elsewhere_are_refused(name: str) -> None:
    document = copy.deepcopy(VALID_SCENARIO)
    document.setdefault("attachments", []).append(
        {"filename": name, "media_type": "image/png", "data_base64": "iVBORw0KGgo="})
    with pytest.raises(ScenarioFormatError):
        read_scenario(json.dumps(document))

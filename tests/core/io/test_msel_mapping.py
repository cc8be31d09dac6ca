"""Finding the header and the MSEL sheet in workbooks laid out the way exercise teams lay them out."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.io.msel_mapping import (
    ColumnMapping,
    MselField,
    detect_header,
    header_candidates,
    propose_sheet,
    time_basis_from_header,
)
from ctpn_desktop.core.io.msel_read import SourceSheet, SourceWorkbook, read_table
from ctpn_desktop.core.io.msel_times import TimeBasis
from ctpn_desktop.core.io.msel_write import MSEL_COLUMNS

from tests.core.io.msel_helpers import save_rows

F = MselField


def sheet_of(rows: list[list[object]], name: str = "MSEL") -> SourceSheet:
    return SourceSheet(name, tuple(tuple(row) for row in rows))


@pytest.mark.parametrize(("header", "field"), [
    ("Event / Inject No.", F.NUMBER), ("Inject #", F.NUMBER), ("MSEL Ref", F.NUMBER), ("Serial", F.NUMBER),
    ("SourceReference", F.NUMBER), ("Scheduled\nTime", F.TIME), ("Time (HH:MM)", F.TIME), ("DTG", F.TIME),
    ("Planned time (offset H:MM:SS)", F.TIME), ("T+", F.TIME), ("Designated Scenario Time", F.SCENARIO_TIME),
    ("Scenario DTG", F.SCENARIO_TIME), ("Date", F.DATE), ("Exercise Day", F.DATE),
    ("Event Synopsis", F.CONTENT), ("Description / content", F.CONTENT), ("Inject / Message", F.CONTENT),
    ("Subject", F.TITLE), ("Title", F.TITLE), ("From", F.SENDER), ("Send From (simulated)", F.SENDER),
    ("Responsible Controller", F.CONTROLLER), ("Injected by", F.CONTROLLER), ("To", F.RECIPIENTS),
    ("Intended Player(s)", F.RECIPIENTS), ("Send To", F.RECIPIENTS), ("Inject Mode", F.DELIVERY_METHOD),
    ("Delivery method", F.DELIVERY_METHOD), ("Method of delivery", F.DELIVERY_METHOD),
    ("Expected Action", F.EXPECTED_ACTIONS), ("Expected Player Action / Outcome", F.EXPECTED_ACTIONS),
    ("Objective / Core Capability", F.OBJECTIVES), ("Obj.", F.OBJECTIVES), ("Notes", F.NOTES),
    ("Controller notes", F.NOTES), ("Storyline / Thread", F.STORYLINE), ("Track", F.STORYLINE),
    ("Status", F.STATUS), ("Phase", F.PHASE), ("Module", F.PHASE), ("Event type", F.EVENT_TYPE),
    ("Depends on", F.DEPENDS_ON), ("MSEL Time (24hr clock)", F.TIME),
])
def test_usual_header_names(header: str, field: MselField) -> None:
    assert header_candidates(header)[0][0] is field


@pytest.mark.parametrize("header", ["Actual time", "Location", "Priority", "Trigger type", "Initials",
                                    "EXERCISE NIGHT MARKET – MASTER SCENARIO EVENTS LIST", ""])
def test_other_headers_name_no_field(header: str) -> None:
    assert header_candidates(header) == []


@pytest.mark.parametrize(("header", "basis"), [
    ("Planned time (offset H:MM:SS)", TimeBasis.OFFSET), ("Elapsed time", TimeBasis.OFFSET),
    ("T+ (hh:mm)", TimeBasis.OFFSET), ("Time (24hr clock)", TimeBasis.CLOCK), ("Time", TimeBasis.AUTO),
])
def test_time_basis_from_the_header(header: str, basis: TimeBasis) -> None:
    assert time_basis_from_header(header) is basis


def test_header_below_title_rows_with_multi_line_cells() -> None:
    sheet = sheet_of([
        ["EXERCISE NIGHT MARKET"],
        ["OFFICIAL-SENSITIVE"],
        ["Master Scenario Events List – v3", None, "12/12/2026"],
        [],
        ["Inject\nNo.", "Scheduled\nTime", "Subject", "Inject\nDescription", "From", "To", "Inject\nMode",
         "Expected\nPlayer Action", "Location"],
        [1, "09:05", "First calls", "Calls report …", "Police control", "Police", "Phone", "Declare",
         "Market"],
    ])
    mapping = detect_header(sheet)
    assert mapping.header_row == 5 and mapping.first_data_row == 6
    assert mapping.fields == {1: F.NUMBER, 2: F.TIME, 3: F.TITLE, 4: F.CONTENT, 5: F.SENDER, 6: F.RECIPIENTS,
                              7: F.DELIVERY_METHOD, 8: F.EXPECTED_ACTIONS, 9: F.EXTRA}
    assert mapping.headers[2] == "Scheduled Time"
    assert mapping.confidence >= 0.9
    assert "row 5" in mapping.explanation and "titles" in mapping.explanation


def test_two_header_rows_under_a_merged_group_title(tmp_path: Path) -> None:
    rows = [["Serial", "Time", "Message", None, None, "Expected action"],
            [None, None, "Send from", "Send to", "Text", None],
            [1, "09:00", "Control", "Police", "Calls report …", "Declare"]]
    path = save_rows(tmp_path / "m.xlsx", rows, merges=["A1:A2", "B1:B2", "C1:E1", "F1:F2"])
    mapping = detect_header(read_table(path).sheet("MSEL"))
    assert mapping.header_row == 2 and mapping.first_data_row == 3
    assert mapping.fields == {1: F.NUMBER, 2: F.TIME, 3: F.SENDER, 4: F.RECIPIENTS, 5: F.CONTENT,
                              6: F.EXPECTED_ACTIONS}


def test_a_type_column_holding_delivery_methods_is_read_as_the_delivery_method() -> None:
    sheet = sheet_of([["No.", "Time", "Type", "Title"], [1, "09:00", "Email", "A"],
                      [2, "09:10", "Phone", "B"], [3, "09:20", "Radio", "C"]])
    mapping = detect_header(sheet)
    assert mapping.fields[3] is F.DELIVERY_METHOD
    assert "delivery methods" in mapping.explanation


def test_a_sheet_without_a_header_is_explained() -> None:
    sheet = sheet_of([[None, "Send an SMS", "J-60", "team1", None, "message1", "description", "expectation",
                       100],
                      [None, "Send a mail", "J-30", "team2", "subject", "message2", None, "expectation",
                       100]])
    mapping = detect_header(sheet)
    assert mapping.header_row is None and mapping.fields == {} and mapping.confidence == 0
    assert mapping.first_data_row == 1
    assert "No header row was found" in mapping.explanation
    assert "no column is mapped to Title or Description" in mapping.missing()[0]


def test_the_mapping_is_editable_by_letter_or_number() -> None:
    mapping = ColumnMapping(sheet="S", fields={1: F.TITLE, 2: F.EXTRA, 3: F.EXTRA})
    mapping.assign("B", F.TITLE)
    assert mapping.fields == {2: F.TITLE, 3: F.EXTRA}
    mapping.assign(1, F.EXTRA)
    mapping.assign("c", None)
    assert mapping.fields == {1: F.EXTRA, 2: F.TITLE}
    assert mapping.column_of(F.TITLE) == 2 and mapping.column_of(F.TIME) is None
    assert mapping.describe() == ['A "" → Other (kept in notes)', 'B "" → Title / subject']
    assert mapping.missing() == [
        "no column is mapped to Planned time: every inject would be placed at STARTEX"]


def test_our_own_export_header_is_recognised_completely() -> None:
    mapping = detect_header(sheet_of([list(MSEL_COLUMNS)]))
    assert MselField.EXTRA not in mapping.fields.values()
    assert len(set(mapping.fields.values())) == len(MSEL_COLUMNS)
    assert mapping.time_basis is TimeBasis.OFFSET and mapping.confidence == 1.0


def test_sheets_are_ranked_msel_first(tmp_path: Path) -> None:
    header = ["No.", "Time", "Title", "Description", "To", "Method"]
    data = [[n, f"09:{n:02d}", f"Inject {n}", "…", "Police", "Phone"] for n in range(1, 21)]
    path = save_rows(tmp_path / "m.xlsx", [["How to use this workbook"], ["Fill in the MSEL sheet."]],
                     title="Instructions",
                     extra_sheets=[("Lookups", [["Method"], ["Phone"], ["Email"]], False),
                                   ("Old MSEL", [header, *data], True),
                                   ("MSEL v3", [["EXERCISE X"], header, *data], False),
                                   ("Empty", [], False)])
    candidates = propose_sheet(read_table(path))
    best = candidates[0]
    assert best.sheet == "MSEL v3"
    assert best.data_rows == 20 and best.mapping.header_row == 2
    assert candidates[1].sheet == "Old MSEL" and "hidden" in candidates[1].reason
    assert candidates[-1].sheet == "Empty"


def test_csv_rows_of_numbers_in_text_are_data_not_headers() -> None:
    sheet = sheet_of([["MSEL"], ["1", "2", "Subject", "Description"], [None, None, "Time", "Title"],
                      [None, None, "09:00", "A"]])
    assert detect_header(sheet).header_row == 3


def test_propose_sheet_on_a_single_csv(tmp_path: Path) -> None:
    path = tmp_path / "msel.csv"
    path.write_text("No.;Time;Title\n1;09:00;A\n", encoding="utf-8")
    workbook: SourceWorkbook = read_table(path)
    [candidate] = propose_sheet(workbook)
    assert candidate.sheet == "msel" and candidate.mapping.fields == {1: F.NUMBER, 2: F.TIME, 3: F.TITLE}

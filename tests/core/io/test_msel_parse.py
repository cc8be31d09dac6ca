"""Real-looking MSEL rows read into a preview: section rows, placeholders, bad cells, problems located."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from ctpn_desktop.core.entities import DeliveryMethod, EventType, InjectStatus
from ctpn_desktop.core.io.msel_mapping import ColumnMapping, MselField, detect_header, propose_sheet
from ctpn_desktop.core.io.msel_parse import (
    ImportPreview,
    ParseOptions,
    SectionKind,
    Severity,
    derive_title,
    objective_tokens,
    parse_rows,
    split_list,
)
from ctpn_desktop.core.io.msel_read import SourceSheet, read_table
from ctpn_desktop.core.io.msel_times import TimeBasis

from tests.core.io.msel_helpers import preview_file, save_rows

MINUTE, HOUR = 60, 3600

HEADER = ["Inject\nNo.", "Scheduled\nTime", "Scenario DTG", "Subject", "Inject / Message", "From", "To",
          "Inject\nMode", "Expected\nPlayer Action", "Objective(s)", "Controller\nNotes", "Location",
              "Status"]


def messy_workbook(path: Path) -> Path:
    """An MSEL as exercise teams send them: a cover sheet, titles above a two-line header, merged section
    rows, placeholders, typed and text times, formulas, an error cell, a duplicate number, midnight."""
    rows: list[list[object]] = [
        ["EXERCISE NIGHT MARKET"],
        ["OFFICIAL-SENSITIVE"],
        ["Master Scenario Events List – version 3 – 12/12/2026"],
        [],
        HEADER,
        [None, "09:00", None, "STARTEX"],
        ["PHASE 1 – INITIAL RESPONSE"],
        [1, "09:05", "121805ZDEC26", "First 999 calls", "Multiple calls report a vehicle in the crowd.",
         "Police control room", "Police – Gold; Fire", "Telephone", "Declare a major incident", "O1, O2",
             "---",
         "Market square", "Ready to inject"],
        [2, time(9, 15), "121815ZDEC26", "Media enquiry", "BBC asks for a statement.", "SimCell (media)",
         "Local Authority", "E-mail", "N/A", "O3", "TBD", None, "Draft"],
        [3, 0.40625, None, "Drone sighting", "A drone hovers over the crowd.", "Member of public", "Police",
         "Carrier pigeon", "Consider a no-fly zone", "Objective 2", None, None, "Injected"],
        [],
        [4, "as required", None, "Rumour on social media", "A post claims a second attack.", "@citizen",
         "Police; Local Authority", "Twitter/X", None, "O1 & O2", None, None, None],
        [None, "10:30", None, "LUNCH"],
        ["Phase 2 – Escalation"],
        [5, "=B12+TIME(0,30,0)", None, "Second device", "Report of a suspicious bag.", None, "Police",
         "Radio"],
        [6, "1430", None, "Press conference", "—", None, "Local Authority", "TV"],
        [7, "---", None, "Casualty figures", "Hospitals report 14 casualties.", None, "Health", "#REF!"],
        [7, "14:45", None, "Duplicate number", "Same number as the row above.", None, "Health", "Handout"],
        ["INJ-008", "23:50", None, "Late call", "A call after dark.", None, "Police", "Phone"],
        ["8a", "00:20", None, "After midnight", "The next day has begun.", None, "Police", "Phone"],
        [9, "14:30"],
        [None, "16:00", None, "ENDEX"],
    ]
    return save_rows(path, rows, merges=["A1:M1", "A2:M2", "A7:M7", "A14:M14"],
                     extra_sheets=[("Lists", [["Telephone"], ["E-mail"], ["Radio"]], True)])


@pytest.fixture
def messy(tmp_path: Path) -> ImportPreview:
    workbook = read_table(messy_workbook(tmp_path / "Exercise NIGHT MARKET MSEL v3.xlsx"))
    best = propose_sheet(workbook)[0]
    assert best.sheet == "MSEL"
    return parse_rows(workbook.sheet(best.sheet), best.mapping, source="messy.xlsx")


def problem(preview: ImportPreview, row: int, column: str = "") -> list[str]:
    return [f"{p.severity.value}: {p.message}" for p in preview.problems
            if p.row == row and (not column or p.column == column)]


def test_messy_workbook_header_and_sections(messy: ImportPreview) -> None:
    assert messy.mapping.header_row == 5
    assert [(s.row, s.kind, s.text) for s in messy.sections] == [
        (6, SectionKind.STARTEX, "STARTEX"), (7, SectionKind.PHASE, "PHASE 1 – INITIAL RESPONSE"),
        (13, SectionKind.BREAK, "LUNCH"), (14, SectionKind.PHASE, "Phase 2 – Escalation"),
        (22, SectionKind.ENDEX, "ENDEX"),
    ]
    assert messy.startex == time(9, 0)
    assert [p.name for p in messy.phases] == ["PHASE 1 – INITIAL RESPONSE", "Phase 2 – Escalation"]


def test_messy_workbook_injects(messy: ImportPreview) -> None:
    by_row = {i.row: i for i in messy.injects}
    assert sorted(by_row) == [8, 9, 10, 12, 15, 16, 17, 18, 19, 20]
    offsets = {row: i.planned_offset_s for row, i in by_row.items()}
    assert offsets == {8: 5 * MINUTE, 9: 15 * MINUTE, 10: 45 * MINUTE, 12: 45 * MINUTE, 15: 45 * MINUTE,
                       16: 5 * HOUR + 30 * MINUTE, 17: 5 * HOUR + 30 * MINUTE, 18: 5 * HOUR + 45 * MINUTE,
                       19: 14 * HOUR + 50 * MINUTE, 20: 15 * HOUR + 20 * MINUTE}
    first = by_row[8]
    assert (first.number, first.title, first.phase, first.delivery_method, first.status) == (
        1, "First 999 calls", "PHASE 1 – INITIAL RESPONSE", DeliveryMethod.PHONE, InjectStatus.READY)
    assert first.scenario_time == datetime(2026, 12, 12, 18, 5)
    assert first.recipients == ("Police – Gold", "Fire") and first.objectives == ("O1", "O2")
    assert first.controller_notes == "Location: Market square"
    assert first.sender == "Police control room" and first.expected_actions == "Declare a major incident"
    assert by_row[9].expected_actions == "" and by_row[9].delivery_method is DeliveryMethod.EMAIL
    assert by_row[10].delivery_method is DeliveryMethod.OTHER
    assert "Delivery method in the spreadsheet: Carrier pigeon" in by_row[10].controller_notes
    assert "Status in the spreadsheet: Injected" in by_row[10].controller_notes
    assert by_row[10].status is InjectStatus.READY
    assert by_row[12].delivery_method is DeliveryMethod.SOCIAL_MEDIA and by_row[12].objectives == ("O1", "O2")
    assert "Time in the spreadsheet: as required" in by_row[12].controller_notes
    assert by_row[15].phase == "Phase 2 – Escalation" and by_row[16].content == ""
    assert by_row[16].delivery_method is DeliveryMethod.NEWS
    assert by_row[17].delivery_method is DeliveryMethod.VERBAL
    assert by_row[18].number is None
    assert (by_row[19].number, by_row[19].source_ref) == (8, "INJ-008")
    assert by_row[19].controller_notes.startswith("Source ref: INJ-008")
    assert by_row[20].number is None and "Source ref: 8a" in by_row[20].controller_notes


def test_messy_workbook_problems_name_row_and_column(messy: ImportPreview) -> None:
    assert problem(messy, 10,
                   "H") == ["warning: delivery method 'Carrier pigeon' is not known; read as Other and "
                                       "the original kept in the controller notes"]
    assert problem(messy, 12, "B")[0].startswith("warning: 'as required' is not a time")
    assert problem(messy, 15, "B")[0].startswith("warning: the formula =B12+TIME(0,30,0) has no saved result")
    assert problem(messy, 17, "H") == ["warning: the cell shows the error #REF!; read as empty"]
    assert problem(messy, 17, "B") == ["info: no time; placed at +5:30:00 with the row before it"]
    assert problem(messy, 18,
                   "A") == ["warning: number 7 is used by an earlier row; this inject is renumbered "
                                       "on import"]
    assert any("read as the next day" in text for text in problem(messy, 20))
    assert problem(messy, 21, "D") == ["error: the row has a number or time but no title or description; "
                                       "not imported"]
    assert [p.row for p in messy.errors] == [21]
    assert all(p.sheet == "MSEL" for p in messy.problems)
    assert str(messy.errors[0]).startswith("sheet 'MSEL', row 21, column D: ")
    assert messy.summary() == "10 inject(s) from sheet 'MSEL'; 1 row(s) not imported, 5 warning(s)"


def test_startex_can_be_chosen(tmp_path: Path) -> None:
    preview = preview_file(messy_workbook(tmp_path / "m.xlsx"), ParseOptions(startex=time(8, 30)))
    assert preview.injects[0].planned_offset_s == 35 * MINUTE
    preview = preview_file(messy_workbook(tmp_path / "m.xlsx"), ParseOptions(startex=datetime(2000, 1, 1, 9,
                                                                                              5)))
    assert preview.injects[0].planned_offset_s == 0


def test_without_a_startex_row_the_earliest_time_is_startex() -> None:
    sheet = SourceSheet("S", (("Time", "Title"), ("10:15", "B"), ("10:00", "A"), ("12:00", "C")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [15 * MINUTE, 0, 2 * HOUR]
    assert preview.startex == time(10, 0)


def test_a_numbered_startex_row_is_a_marker_and_a_startex_inject_anchors_the_clock() -> None:
    sheet = SourceSheet("S", (("No.", "Time", "Title", "Description"), (1, "08:45", "STARTEX"),
                              (2, "09:00", "Opening brief", "Facilitator reads the scenario")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [s.kind for s in preview.sections] == [SectionKind.STARTEX]
    assert [(i.number, i.planned_offset_s) for i in preview.injects] == [(2, 15 * MINUTE)]
    sheet = SourceSheet("S", (("No.", "Time", "Title", "Description"), (0, "08:00", "Warm-up", "Coffee"),
                              (1, "08:45", "STARTEX – opening brief", "Facilitator reads the scenario")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [-45 * MINUTE, 0]


def test_date_and_time_columns_dtgs_and_exercise_days() -> None:
    sheet = SourceSheet("S", (
        ("Date", "Time", "Title"),
        (date(2026, 12, 12), time(22, 0), "A"),
        ("13/12/2026", "01:30", "B"),
        (None, "121800ZDEC26", "C"),
    ))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [4 * HOUR, 7 * HOUR + 30 * MINUTE, 0]
    assert preview.startex == datetime(2026, 12, 12, 18, 0)
    sheet = SourceSheet("S", (("Day", "Time", "Title"), ("Day 1", "09:00", "A"), ("Day 2", "08:00", "B"),
                              (None, "D+1 09:00", "C")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [0, 23 * HOUR, 0]


def test_times_past_midnight_roll_over_but_unsorted_rows_do_not() -> None:
    sheet = SourceSheet("S", (("Time", "Title"), ("22:00", "A"), ("23:40", "B"), ("00:15", "C"),
                              ("23:55", "D"), ("09:00", "E")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [0, 100 * MINUTE, 135 * MINUTE, 115 * MINUTE,
                                                             11 * HOUR]


def test_offsets_in_a_column_that_passes_24_hours() -> None:
    sheet = SourceSheet("S", (("Time", "Title"), ("0:05", "A"), ("25:10", "B"), ("+0:30", "C")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [5 * MINUTE, 25 * HOUR + 10 * MINUTE, 30 * MINUTE]
    assert any("go past 23:59" in p.message for p in preview.problems)


def test_the_designer_can_say_bare_times_are_offsets() -> None:
    sheet = SourceSheet("S", (("Time", "Title"), ("0:05", "A"), ("1:15", "B")))
    mapping = detect_header(sheet)
    assert [i.planned_offset_s for i in parse_rows(sheet, mapping).injects] == [0, 70 * MINUTE]
    mapping.time_basis = TimeBasis.OFFSET
    assert [i.planned_offset_s for i in parse_rows(sheet, mapping).injects] == [5 * MINUTE, 75 * MINUTE]


def test_scenario_times_need_a_date() -> None:
    sheet = SourceSheet("S", (("Time", "Scenario time", "Title"), ("09:00", "18:30", "A"),
                              ("09:10", "D+1 08:00", "B"), ("09:20", "121900ZDEC26", "C"),
                              ("09:30", "19:30", "D")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.scenario_time for i in preview.injects] == [None, None, datetime(2026, 12, 12, 19),
                                                          datetime(2026, 12, 12, 19, 30)]
    assert "Scenario time in the spreadsheet: 18:30" in preview.injects[0].controller_notes
    assert problem(preview, 2, "B")[0].startswith("warning: scenario time '18:30' has no date")
    preview = parse_rows(sheet, detect_header(sheet), ParseOptions(scenario_date=date(2026, 12, 12)))
    assert [i.scenario_time for i in preview.injects] == [datetime(2026, 12, 12, 18, 30),
                                                          datetime(2026, 12, 13, 8, 0),
                                                          datetime(2026, 12, 12, 19),
                                                          datetime(2026, 12, 12, 19, 30)]


def test_merged_phase_cells_and_values_by_column(tmp_path: Path) -> None:
    rows = [["Phase", "Time", "Title", "Event type", "Status", "Depends on", "Controller"],
            ["Module 1", "09:00", "A", "Contingency", "Final", None, "Jo (Lead)"],
            [None, "09:10", "B", "Player action", "draft", "1", None],
            [None, "09:20", "C", "Discussion", "maybe", "first", None],
            ["Module 2", "10:00", "D", "Controller", "On hold", None, None]]
    path = save_rows(tmp_path / "m.xlsx", rows, merges=["A2:A4"])
    preview = preview_file(path)
    assert [i.phase for i in preview.injects] == ["Module 1"] * 3 + ["Module 2"]
    assert [i.event_type for i in preview.injects] == [EventType.CONTINGENCY, EventType.PLAYER_ACTION,
                                                       EventType.INJECT, EventType.CONTROLLER_ACTION]
    assert [i.status for i in preview.injects] == [InjectStatus.READY, InjectStatus.DRAFT, InjectStatus.DRAFT,
                                                   InjectStatus.DRAFT]
    assert preview.injects[1].depends_on == 1 and preview.injects[2].depends_on is None
    assert preview.injects[0].controller_notes == "Responsible controller: Jo (Lead)"
    assert {p.column for p in preview.warnings} == {"D", "E", "F"}


def test_description_only_sheets_get_titles_from_the_text() -> None:
    long_text = ("Multiple 999 calls report a vehicle driven into crowds at the night market near the "
                 "cathedral and the bus station.\nSecond line.")
    sheet = SourceSheet("S", (("Time", "Event Synopsis"), ("09:00", long_text)))
    [inject] = parse_rows(sheet, detect_header(sheet)).injects
    assert inject.title == "Multiple 999 calls report a vehicle driven into crowds at the night market near…"
    assert inject.content == long_text


def test_no_title_or_description_column_means_no_injects() -> None:
    sheet = SourceSheet("S", (("Time", "To"), ("09:00", "Police")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert preview.injects == () and preview.errors[0].row is None
    assert "No column is mapped to Title or Description" in preview.summary()


def test_no_time_column_places_everything_at_startex() -> None:
    sheet = SourceSheet("S", (("Title", "Description"), ("A", "x"), ("B", "y")))
    preview = parse_rows(sheet, detect_header(sheet))
    assert [i.planned_offset_s for i in preview.injects] == [0, 0]
    assert "every inject is placed at STARTEX" in preview.warnings[0].message


@pytest.mark.parametrize(("encoding", "bom", "delimiter"), [
    ("cp1252", b"", ";"), ("utf-8", b"\xef\xbb\xbf", ","), ("utf-8", b"", "\t"),
])
def test_csv_files_from_other_tools(tmp_path: Path, encoding: str, bom: bytes, delimiter: str) -> None:
    lines = [["MSEL – Übung Nachtmarkt"], [], ["Nr.", "Zeit / Time", "Subject", "Description", "Method"],
             ["1", "09:00", "Réunion", "Café – “crème”", "Téléphone"], ["2", "9h15", "Suite", "€ 5", "fax"],
             ["3", "quand", "Fin", "…", "SMS"]]
    text = "\r\n".join(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in line)
                       for line in lines)
    path = tmp_path / "msel.csv"
    path.write_bytes(bom + text.encode(encoding))
    preview = preview_file(path)
    assert [(i.number, i.title, i.content, i.planned_offset_s,
             i.delivery_method) for i in preview.injects] == [
        (1, "Réunion", "Café – “crème”", 0, DeliveryMethod.PHONE),
        (2, "Suite", "€ 5", 15 * MINUTE, DeliveryMethod.HANDOUT),
        (3, "Fin", "…", 15 * MINUTE, DeliveryMethod.PHONE),
    ]
    [warning] = preview.warnings
    assert (warning.sheet, warning.row, warning.column) == ("msel", 6, "B")


def test_list_cells() -> None:
    assert split_list("Police – Gold; Fire\nAmbulance") == ["Police – Gold", "Fire", "Ambulance"]
    assert split_list("Police, Fire and Rescue") == ["Police", "Fire and Rescue"]
    assert split_list("• Police\n• Fire\n-\n") == ["Police", "Fire"]
    assert objective_tokens("O1 & O2; Obj 3/Obj 4, Share awareness") == ["O1", "O2", "Obj 3", "Obj 4",
                                                                          "Share awareness"]
    assert objective_tokens("O1, O2\nShare awareness, then act") == ["O1", "O2", "Share awareness, then act"]
    assert objective_tokens("1 and 2") == ["1", "2"]
    assert derive_title("\n  Short first line \nmore") == "Short first line"


def test_fifty_thousand_rows(tmp_path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("MSEL")
    sheet.append(["EXERCISE LONG – MSEL"])
    sheet.append(["No.", "Time", "Title", "Description", "From", "To", "Method", "Notes"])
    for number in range(1, 50_001):
        when = f"{number // 3600:02d}:{number // 60 % 60:02d}:{number % 60:02d}"
        if number == 31_337:
            when = "bad time"
        sheet.append([number, when, f"Inject {number}", "Situation update " * 4, "Control", "Police; Fire",
                      "Email", "---"])
    path = tmp_path / "long.xlsx"
    book.save(path)
    started = clock.perf_counter()
    preview = preview_file(path)
    elapsed = clock.perf_counter() - started
    assert len(preview.injects) == 50_000 and preview.rows_read == 50_000
    assert [(p.row, p.column) for p in preview.warnings] == [(31_339, "B")]
    assert preview.injects[-1].number == 50_000
    assert elapsed < 120  # a generous bound: catches accidental quadratic work, not a benchmark


def test_parsing_does_not_change_the_mapping_it_was_given() -> None:
    sheet = SourceSheet("S", (("Time", "Title"), ("09:00", "A")))
    mapping = detect_header(sheet)
    preview = parse_rows(sheet, mapping)
    mapping.assign("B", None)
    assert preview.mapping.fields == {1: MselField.TIME, 2: MselField.TITLE}
    assert isinstance(preview.mapping, ColumnMapping)
    assert preview.problems_at(2) == () and preview.errors == ()
    assert all(p.severity is not Severity.ERROR for p in preview.problems)

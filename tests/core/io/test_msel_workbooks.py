"""MSEL workbooks as agencies really send them, built here with openpyxl, imported as they are.

Each test builds one shape: a day per sheet beside examples, deleted injects, a print layout, notes and
lookups; banners above the header; headers over two rows drawn with merged cells; date-time groups, text
times and Excel serials; header rows repeated for printing; blank separator rows; hidden columns. Each
asserts, field by field, what lands in each inject, and that every row below a header is accounted for.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from ctpn_desktop.core.entities import DeliveryMethod, EventType
from ctpn_desktop.core.io.msel_import import merge_preview
from ctpn_desktop.core.io.msel_mapping import (
    MselField,
    SheetKind,
    detect_header,
    header_fingerprint,
    propose_sheet,
    proposed_sheets,
    sheet_kind_from_name,
)
from ctpn_desktop.core.io.msel_parse import (
    ImportPreview,
    ParseOptions,
    RowFate,
    SheetLabel,
    parse_rows,
    parse_sheets,
    sheet_day,
)
from ctpn_desktop.core.io.msel_read import SourceSheet, SourceWorkbook, read_table
from ctpn_desktop.core.io.msel_report import build_report, rows_text, sheets_not_read

from tests.core.io.msel_helpers import empty_scenario, sample_scenario, save_rows

H, M = 3600, 60
HEADER_TOP = ["MSEL #", "INJECT DTG", "Inject", None, "Send From", "Injected By", "Inject Mode",
              "Expected Player Action", "Storyline", "Remarks", "Sort key"]
HEADER_BOTTOM = [None, None, "Title", "Description", None, None, None, None, None, None, None]


def day_sheet(book: Workbook, name: str, day_of_month: int, offset: int = 0) -> None:
    """One day of a stadium exercise: banner, marking, a two-row header with merged cells, a print break
    with the marking and the header repeated, a blank separator, DTG and text times, a hidden sort column."""
    sheet = book.create_sheet(name)
    sheet.append(["EXERCISE FINAL WHISTLE – MASTER SCENARIO EVENTS LIST"])
    sheet.append(["OFFICIAL-SENSITIVE"])
    sheet.append([])
    sheet.append(HEADER_TOP)
    sheet.append(HEADER_BOTTOM)
    for column in "ABEFGHIJK":
        sheet.merge_cells(f"{column}4:{column}5")
    sheet.merge_cells("C4:D4")
    sheet.merge_cells("A1:K1")
    d = day_of_month
    sheet.append([offset + 1, f"{d:02d}0900ZMAY26", "Suspicious package", "Steward reports a bag at gate C.",
                  "Stadium control", "Controller Jo", "Radio", "Cordon and evacuate gate C", "Gate C",
                  "Use the radio script", 10])
    sheet.append([offset + 2, f"{d}/0930", "Crowd surge", "Fans push towards exit 4.", "CCTV operator",
                  "Controller Sam", "Video", "Open exit 5", "Crowd", None, 20])
    sheet.append([])
    sheet.append(["OFFICIAL-SENSITIVE"])
    sheet.append(HEADER_TOP)
    sheet.append(HEADER_BOTTOM)
    sheet.append([offset + 3, "around half time", "Media call", "A reporter asks about casualties.",
                  "BBC Sport", "Controller Jo", "Phone", "Hold line", None, None, 30])
    sheet.append([offset + 4, "1400", "Second device", "A caller claims a second device.", "Anonymous",
                  "Controller Sam", "Telephone", None, "Gate C", "Contingency if cordon slow", 40])
    sheet.append(["Page 1 of 1"])
    sheet.column_dimensions["K"].hidden = True


def stadium_workbook(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["How to use this MSEL"])
    notes.append(["One row per inject; keep the header."])
    day_sheet(book, "Day 1", 13)
    day_sheet(book, "Day 2", 14, offset=10)
    examples = book.create_sheet("Examples")
    examples.append(["MSEL #", "Time", "Title", "Description"])
    examples.append([1, "09:00", "Example inject", "An example."])
    deleted = book.create_sheet("Deleted injects")
    deleted.append(["MSEL #", "Time", "Title", "Description"])
    deleted.append([99, "09:00", "Cut from the plan", "Removed in review."])
    printed = book.create_sheet("Print layout")
    printed.append(["MSEL #", "Time", "Title", "Description"])
    printed.append([1, "09:00", "Suspicious package", "Printed copy."])
    lookups = book.create_sheet("Lookups")
    lookups.append(["Inject Mode"])
    for method in ("Radio", "Video", "Phone"):
        lookups.append([method])
    lookups.sheet_state = "hidden"
    book.save(path)
    return path


@pytest.fixture
def stadium(tmp_path: Path) -> SourceWorkbook:
    return read_table(stadium_workbook(tmp_path / "Final Whistle MSEL v7.xlsx"))


def import_proposed(workbook: SourceWorkbook, options: ParseOptions | None = None) -> ImportPreview:
    candidates = propose_sheet(workbook)
    by_name = {c.sheet: c for c in candidates}
    selection = [(workbook.sheet(n), by_name[n].mapping) for n in proposed_sheets(candidates)]
    return parse_sheets(selection, options, source=workbook.path)


def test_every_sheet_is_considered_and_only_the_day_sheets_are_proposed(stadium: SourceWorkbook) -> None:
    candidates = propose_sheet(stadium)
    kinds = {c.sheet: (c.kind, c.proposed) for c in candidates}
    assert kinds == {
        "Read me": (SheetKind.NOTES, False), "Day 1": (SheetKind.INJECTS, True),
        "Day 2": (SheetKind.INJECTS, True), "Examples": (SheetKind.EXAMPLES, False),
        "Deleted injects": (SheetKind.DELETED, False), "Print layout": (SheetKind.PRINT, False),
        "Lookups": (SheetKind.LOOKUPS, False),
    }
    assert [c.sheet for c in candidates[:2]] == ["Day 1", "Day 2"]
    assert proposed_sheets(candidates) == ["Day 1", "Day 2"]
    assert next(c for c in candidates if c.sheet == "Lookups").hidden
    assert sheets_not_read(candidates, ["Day 1", "Day 2"]) == (
        "Sheets not read: 'Read me' (notes or information), 'Examples' (examples or a template), 'Deleted "
        "injects' (deleted or old injects), 'Print layout' (print layout), 'Lookups' (lookup lists, hidden).")


def test_the_two_row_merged_header_below_the_banner_is_found(stadium: SourceWorkbook) -> None:
    mapping = detect_header(stadium.sheet("Day 1"))
    assert (mapping.header_top, mapping.header_row, mapping.first_data_row) == (4, 5, 6)
    assert mapping.header_rows == (4, 5)
    assert {mapping.headers[c]: f for c, f in mapping.fields.items()} == {
        "MSEL #": MselField.NUMBER, "INJECT DTG": MselField.TIME, "Inject Title": MselField.TITLE,
        "Inject Description": MselField.CONTENT, "Send From": MselField.SENDER,
        "Injected By": MselField.CONTROLLER, "Inject Mode": MselField.DELIVERY_METHOD,
        "Expected Player Action": MselField.EXPECTED_ACTIONS, "Storyline": MselField.STORYLINE,
        "Remarks": MselField.NOTES,
    }
    assert stadium.sheet("Day 1").hidden_columns == frozenset({11})
    assert 11 not in mapping.fields  # the hidden "Sort key" only helps the spreadsheet
    assert ("Column K is hidden in the workbook and matches no MSEL field, so it is left out (choose a "
            "field for it to import it).") in mapping.explanation
    assert "rows 4–5" in mapping.explanation


def test_day_sheets_import_field_by_field_on_their_own_days(stadium: SourceWorkbook) -> None:
    preview = import_proposed(stadium)
    assert preview.startex == datetime(2026, 5, 13, 9, 0)
    got = [(i.sheet, i.row, i.number, i.planned_offset_s) for i in preview.injects]
    assert got == [("Day 1", 6, 1, 0), ("Day 1", 7, 2, 30 * M), ("Day 1", 12, 3, 30 * M),
                   ("Day 1", 13, 4, 5 * H), ("Day 2", 6, 11, 24 * H), ("Day 2", 7, 12, 24 * H + 30 * M),
                   ("Day 2", 12, 13, 24 * H + 30 * M), ("Day 2", 13, 14, 29 * H)]
    first = preview.injects[0]
    assert (first.title, first.content, first.sender, first.delivery_method, first.expected_actions,
            first.storyline) == ("Suspicious package", "Steward reports a bag at gate C.", "Stadium control",
                                 DeliveryMethod.RADIO, "Cordon and evacuate gate C", "Gate C")
    assert first.controller_notes == "Use the radio script\nResponsible controller: Controller Jo\nSheet: Day 1"
    surge = preview.injects[1]
    assert surge.delivery_method is DeliveryMethod.VIDEO and surge.storyline == "Crowd"
    media = preview.injects[2]
    assert media.storyline == "Day 1"
    assert media.controller_notes == (
        "Responsible controller: Controller Jo\n"
        "Time in the spreadsheet: around half time (not read; placed at +0:30:00)")
    device = preview.injects[3]
    assert (device.delivery_method, device.expected_actions, device.storyline) == (
        DeliveryMethod.PHONE, "", "Gate C")
    assert device.controller_notes.startswith("Contingency if cordon slow\nResponsible controller: Controller Sam")
    assert "Sheet: Day 1" in device.controller_notes
    assert preview.injects[6].storyline == "Day 2"


def test_every_row_below_the_header_is_accounted_for(stadium: SourceWorkbook) -> None:
    preview = import_proposed(stadium)
    for summary in preview.sheets:
        assert summary.rows_above == (1, 2)
        assert (summary.first_row, summary.last_row, summary.rows_read) == (6, 14, 9)
        assert dict(summary.fates) == {RowFate.INJECT: (6, 7, 12, 13), RowFate.BLANK: (8,),
                                       RowFate.TITLE: (9, 14), RowFate.REPEATED_HEADER: (10, 11)}
        assert sum(len(rows) for _fate, rows in summary.fates) == summary.rows_read
        assert summary.hidden_columns == (11,) and summary.left_out == ((11, 5),)
    assert [s.day for s in preview.sheets] == [1, 2]
    assert preview.errors == ()
    assert [(p.sheet, p.row, p.column) for p in preview.warnings] == [("Day 1", 12, "B"), ("Day 2", 12, "B")]
    assert all(p.about_time for p in preview.warnings)


def test_the_report_says_what_was_read_skipped_kept_and_what_went_wrong(stadium: SourceWorkbook) -> None:
    preview = import_proposed(stadium)
    outcome = merge_preview(sample_scenario(), preview)
    report = build_report(preview, outcome, ["Sheets not read: 'Read me'."])
    assert report.headline() == "8 inject(s) from 2 sheets ('Day 1', 'Day 2'); STARTEX 2026-05-13 09:00"
    day1 = report.sheets[0]
    assert (day1.rows_read, day1.injects, day1.skipped_count, day1.not_imported) == (9, 4, 5, ())
    assert [c.letter for c in day1.mapped] == list("ABCDEFGHIJ")
    assert day1.kept_in_notes == ()
    assert [(c.letter, c.header, c.values, c.hidden) for c in day1.left_out] == [("K", "Sort key", 5, True)]
    assert [(p.row, p.column) for p in day1.time_problems] == [(12, "B")]
    text = report.lines()
    assert text[0] == ("Import report for Final Whistle MSEL v7.xlsx: 8 inject(s) from 2 sheets ('Day 1', "
                       "'Day 2'); STARTEX 2026-05-13 09:00")
    assert text[1] == "Sheets not read: 'Read me'."
    assert text[2] == ("Sheet 'Day 1': header in rows 4–5; 2 title row(s) above it (rows 1–2); its times of day "
                       "are on exercise day 1 (from the sheet's name)")
    assert "  Rows read: 9 (rows 6–14) → 4 inject(s) imported" in text
    assert ("  Rows skipped: blank 1 (row 8); header repeated 2 (rows 10–11); title or marking repeated 2 "
            "(rows 9, 14)") in text
    assert '  Columns left out (not imported): K "Sort key" (hidden): 5 value(s)' in text
    assert "  Time problems: 1" in text
    assert report.renumbered == 4  # 1, 2, 12 and 13 are the sample scenario's numbers
    assert "Renumbered: 4 inject(s) whose number was already used" in text
    assert text[-1] == ("Problems: 0 error(s) (rows not imported), 6 warning(s) (values replaced, originals kept "
                        "in the controller notes)")
    renumbered = [i for i in outcome.added if "Source ref: " in i.controller_notes]
    assert [i.controller_notes.splitlines()[-1] for i in renumbered] == [
        "Source ref: 1", "Source ref: 2", "Source ref: 12", "Source ref: 13"]
    assert [i.number for i in outcome.added] == [15, 16, 3, 4, 11, 17, 18, 14]


def test_the_exercise_start_asked_once_sets_every_offset(stadium: SourceWorkbook) -> None:
    preview = import_proposed(stadium, ParseOptions(startex=datetime(2026, 5, 13, 8, 30)))
    assert [i.planned_offset_s for i in preview.injects] == [
        30 * M, H, H, 5 * H + 30 * M, 24 * H + 30 * M, 25 * H, 25 * H, 29 * H + 30 * M]
    preview = import_proposed(stadium, ParseOptions(sheet_label=SheetLabel.NOTES))
    assert [i.storyline for i in preview.injects[:3]] == ["Gate C", "Crowd", ""]
    assert preview.injects[2].controller_notes.endswith("Sheet: Day 1")


def test_day_sheets_of_times_of_day_land_on_their_days(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for name in ("Day 1 – Response", "Day 2 – Recovery"):
        sheet = book.create_sheet(name)
        sheet.append(["Event #", "Time", "Event", "Send To"])
        sheet.append([1, "0900", f"{name} opens", "Police"])
        sheet.append([2, "9:45 AM", "Update", "Fire"])
        sheet.append([3, time(17, 30), "Evening", "Police"])
        sheet.append([4, time(23, 50), "Late", "Police"])
        sheet.append([5, "00:20", "After midnight", "Police"])
    path = tmp_path / "days.xlsx"
    book.save(path)
    preview = import_proposed(read_table(path))
    day = [0, 45 * M, 8 * H + 30 * M, 14 * H + 50 * M, 15 * H + 20 * M]
    assert [(i.sheet[:5], i.planned_offset_s) for i in preview.injects] == [
        *[("Day 1", t) for t in day], *[("Day 2", 24 * H + t) for t in day]]
    assert preview.startex == time(9, 0)
    assert [i.recipients for i in preview.injects[:2]] == [("Police",), ("Fire",)]
    chosen = import_proposed(read_table(path), ParseOptions(startex=datetime(2026, 12, 12, 8, 0)))
    assert [i.planned_offset_s for i in chosen.injects][::5] == [H, 25 * H]


def test_times_written_every_way_in_one_sheet() -> None:
    sheet = SourceSheet("MSEL", (
        ("Serial", "Date", "Time", "Title"),
        (1, date(2026, 5, 9), time(13, 0), "Date and time in two columns"),
        (2, None, "091330ZMAY26", "Full DTG"),
        (3, None, "09/1400", "Short DTG"),
        (4, None, "091430Z", "DTG without month"),
        (5, None, 46151.625, "Excel serial"),
        (6, None, "46151.6875", "Serial written as text"),
        (7, "10/05/2026", "0900", "Text time on a date"),
        (8, None, "9:30 AM", "Twelve-hour time"),
        (9, None, "D+1 1000", "Exercise day"),
        (10, None, "100000ZMAY", "DTG without year"),
    ))
    preview = parse_rows(sheet, detect_header(sheet))
    assert preview.warnings == () and preview.errors == ()
    assert preview.startex == datetime(2026, 5, 9, 13, 0)
    assert [(i.number, i.planned_offset_s) for i in preview.injects] == [
        (1, 0), (2, 30 * M), (3, H), (4, 90 * M), (5, 2 * H), (6, 3 * H + 30 * M), (7, 20 * H), (8, 20 * H + 30 * M),
        (9, 21 * H), (10, 11 * H)]


def test_a_short_dtg_crossing_the_end_of_a_month_moves_to_the_next_one() -> None:
    sheet = SourceSheet("S", (("DTG", "Title"), ("302200Z", "A"), ("31/2330", "B"), ("01/0100", "C")))
    preview = parse_rows(sheet, detect_header(sheet), ParseOptions(startex=datetime(2026, 5, 30, 22, 0)))
    assert [i.planned_offset_s for i in preview.injects] == [0, 25 * H + 30 * M, 27 * H]


def test_a_header_cell_merged_across_two_columns_names_both(tmp_path: Path) -> None:
    rows = [["Time", "Description", None, "To", "Location"],
            ["09:00", "Smoke at gate C.", "Stewards report it.", "Police", None],
            ["09:10", "Evacuation", None, "Fire", "North stand", "stray note"]]
    path = save_rows(tmp_path / "m.xlsx", rows, merges=["B1:C1"])
    sheet = read_table(path).sheet("MSEL")
    mapping = detect_header(sheet)
    assert mapping.fields == {1: MselField.TIME, 2: MselField.CONTENT, 3: MselField.EXTRA,
                              4: MselField.RECIPIENTS, 5: MselField.EXTRA, 6: MselField.EXTRA}
    assert mapping.headers[3] == "Description"
    assert "Column F holds values but has no header" in mapping.explanation
    first, second = parse_rows(sheet, mapping).injects
    assert (first.title, first.content, first.controller_notes) == (
        "Smoke at gate C.", "Smoke at gate C.", "Description: Stewards report it.")
    assert second.controller_notes == "Location: North stand\nColumn F: stray note"


def test_a_two_row_header_without_merges_reads_its_words_together() -> None:
    sheet = SourceSheet("MSEL", (
        ("Exercise NORTHERN GALE",), (),
        ("Inject", "Scheduled", "Message", None, None, "Expected Player"),
        ("No.", "Time", "From", "To", "Text", "Action"),
        (1, "09:00", "Met Office", "Council", "Red warning issued.", "Open the SCG"),
    ))
    mapping = detect_header(sheet)
    assert (mapping.header_top, mapping.header_row) == (3, 4)
    assert [mapping.fields[c] for c in range(1, 7)] == [
        MselField.NUMBER, MselField.TIME, MselField.SENDER, MselField.RECIPIENTS, MselField.CONTENT,
        MselField.EXPECTED_ACTIONS]
    [inject] = parse_rows(sheet, mapping).injects
    assert (inject.number, inject.sender, inject.recipients, inject.content, inject.expected_actions) == (
        1, "Met Office", ("Council",), "Red warning issued.", "Open the SCG")


def test_a_visible_column_wins_a_field_over_a_hidden_one(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    sheet.append(["Time", "Title", "Time", "Description"])
    sheet.append(["old", "Warning", "09:00", "Text"])
    sheet.column_dimensions["A"].hidden = True
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    mapping = detect_header(read_table(path).sheet("MSEL"))
    assert mapping.fields == {2: MselField.TITLE, 3: MselField.TIME, 4: MselField.CONTENT}


def test_hidden_helper_columns_start_left_out_but_a_hidden_msel_field_is_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    sheet.append(["Time", "Title", "Lookup", "Row check", "Location"])
    sheet.append(["09:00", "Warning", "x1", "ok", "Gate C"])
    sheet.append(["09:10", "Cordon", "x2", "ok", "Bridge"])
    for letter in "BCD":
        sheet.column_dimensions[letter].hidden = True
    path = tmp_path / "helpers.xlsx"
    book.save(path)
    source = read_table(path).sheet("MSEL")
    mapping = detect_header(source)
    assert mapping.fields == {1: MselField.TIME, 2: MselField.TITLE, 5: MselField.EXTRA}
    assert ("Column B is hidden in the workbook; it is read like the others (leave it out if it only helps "
            "the spreadsheet).") in mapping.explanation
    assert ("Columns C, D are hidden in the workbook and match no MSEL field, so they are left out (choose a "
            "field for them to import them).") in mapping.explanation
    assert "2 columns recognised as MSEL fields; 1 other column will be kept" in mapping.explanation
    preview = parse_rows(source, mapping)
    assert [(i.title, i.controller_notes) for i in preview.injects] == [("Warning", "Location: Gate C"),
                                                                        ("Cordon", "Location: Bridge")]
    [summary] = preview.sheets
    assert summary.left_out == ((3, 2), (4, 2)) and summary.hidden_columns == (2, 3, 4)

    mapping.assign("C", MselField.EXTRA)  # the designer wants the lookup after all
    assert [i.controller_notes for i in parse_rows(source, mapping).injects] == [
        "Lookup: x1\nLocation: Gate C", "Lookup: x2\nLocation: Bridge"]


def test_unmapped_columns_are_kept_and_columns_left_out_are_reported() -> None:
    sheet = SourceSheet("MSEL", (("Time", "Title", "Location", "Initials"), ("09:00", "A", "Gate C", "JB"),
                                 ("09:10", "B", None, "SK")))
    mapping = detect_header(sheet)
    assert mapping.fields[3] is MselField.EXTRA and mapping.fields[4] is MselField.EXTRA
    mapping.assign("D", None)
    preview = parse_rows(sheet, mapping)
    assert [i.controller_notes for i in preview.injects] == ["Location: Gate C", ""]
    [summary] = preview.sheets
    assert summary.left_out == ((4, 2),)
    report = build_report(preview)
    assert report.sheets[0].left_out[0].describe() == 'D "Initials": 2 value(s)'
    assert '  Columns left out (not imported): D "Initials": 2 value(s)' in report.lines()


def test_rows_with_values_only_in_left_out_columns_are_not_imported_and_say_so() -> None:
    sheet = SourceSheet("MSEL", (("Time", "Title", "Initials"), ("09:00", "A", "JB"), (None, None, "SK")))
    mapping = detect_header(sheet)
    mapping.assign("C", None)
    preview = parse_rows(sheet, mapping)
    assert [i.title for i in preview.injects] == ["A"]
    assert [(p.row, p.message) for p in preview.errors] == [
        (3, "the row has values only in columns that are not imported; not imported")]
    assert preview.sheets[0].rows(RowFate.NOT_IMPORTED) == (3,)


def test_a_sheet_without_a_header_names_the_rows_it_searched_and_the_nearest_one() -> None:
    sheet = SourceSheet("Timeline", (("Serial", "Colour", "Size"), ("1", "Phone the council", "y"),
                                     ("2", "Radio check", "z")))
    mapping = detect_header(sheet)
    assert mapping.header_row is None
    assert mapping.explanation.startswith("No header row was found in rows 1–3 of sheet 'Timeline' (the whole "
                                          "sheet): ")
    assert "The closest is row 1 ('Serial', 'Colour', 'Size'), which names only 1: Inject number." in \
        mapping.explanation
    assert "--header-row" in mapping.explanation


def test_the_designer_can_point_at_the_header_row() -> None:
    sheet = SourceSheet("S", (("Lots of words here",), ("Ref", "What happens", "Who"),
                              ("A-1", "Phone the council", "Police"), ("A-2", "Radio check", "Fire")))
    chosen = detect_header(sheet, header_row=2)
    assert (chosen.header_row, chosen.first_data_row, chosen.chosen) == (2, 3, True)
    assert chosen.fields == {1: MselField.NUMBER, 2: MselField.EXTRA, 3: MselField.RECIPIENTS}
    assert chosen.explanation.startswith("Header taken from row 2 of sheet 'S' as chosen.")
    chosen.assign("B", MselField.TITLE)
    preview = parse_rows(sheet, chosen)
    assert [(i.title, i.recipients, i.controller_notes) for i in preview.injects] == [
        ("Phone the council", ("Police",), "Source ref: A-1"), ("Radio check", ("Fire",), "Source ref: A-2")]
    empty = detect_header(sheet, header_row=9)
    assert empty.header_row is None and "Row 9 of sheet 'S' has no text (the sheet has 4 rows)" in \
        empty.explanation


def test_sheet_names_say_what_sheets_hold() -> None:
    names = {"MSEL": None, "Day 2": None, "Examples": SheetKind.EXAMPLES, "Sample injects": SheetKind.EXAMPLES,
             "DELETED": SheetKind.DELETED, "Old MSEL": SheetKind.DELETED, "Cut injects": SheetKind.DELETED,
             "Print View": SheetKind.PRINT, "Inject cards": SheetKind.PRINT, "Notes": SheetKind.NOTES,
             "Info": SheetKind.NOTES, "Cover": SheetKind.NOTES, "Lookups": SheetKind.LOOKUPS,
             "Drop-down lists": SheetKind.LOOKUPS, "MSEL notes": None, "Key events": None, "Police": None,
             "Turkey exercise": None}
    assert {n: sheet_kind_from_name(n) for n in names} == names
    assert [sheet_day(n) for n in ("Day 1", "DAY 3 – Recovery", "D+1", "D-1", "Day Two", "MSEL v3", "Index 4")] \
        == [1, 3, 1, -1, 2, None, None]


def test_every_synonym_in_the_documentation_maps_to_its_field() -> None:
    from ctpn_desktop.core.io.msel_mapping import header_candidates

    from tests.conftest import REPO

    text = (REPO / "docs" / "msel-import-export.md").read_text(encoding="utf-8")
    table = text.split("### Column names the importer knows", 1)[1].split("\n#", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    labels = {f.label: f for f in MselField}
    seen = 0
    for row in rows:
        label, names = row.strip("|").split("|")[0].strip(" `"), row.strip("|").split("|")[1]
        field = labels[label]
        for name in names.split("`")[1::2]:
            assert header_candidates(name)[0][0] is field, (name, field)
            seen += 1
    assert seen >= 150
    for named in ("MSEL #", "Event #", "Inject No.", "INJECT DTG", "Send From", "Injected By", "Inject Mode",
                  "Expected Player Action", "Storyline", "Remarks"):
        assert f"`{named}`" in table


def test_header_fingerprints_follow_the_words_not_the_spelling() -> None:
    assert header_fingerprint({1: "Inject No.", 2: "Time"}) == header_fingerprint({1: "inject  #", 2: "TIME"})
    assert header_fingerprint({1: "Inject No.", 2: "Time"}) != header_fingerprint({2: "Inject No.", 3: "Time"})
    assert header_fingerprint({}) == ""


def test_rows_text_reads_as_people_write_it() -> None:
    assert rows_text([4, 5, 6, 9, 12, 13]) == "rows 4–6, 9, 12–13"
    assert rows_text([7]) == "row 7"
    assert rows_text(range(1, 40, 2), limit=3) == "rows 1, 3, 5 …"


def test_a_multi_sheet_import_lands_in_one_scenario(stadium: SourceWorkbook) -> None:
    preview = import_proposed(stadium)
    outcome = merge_preview(empty_scenario(), preview)
    assert [i.number for i in outcome.added] == [1, 2, 3, 4, 11, 12, 13, 14]
    assert all(i.event_type is EventType.INJECT for i in outcome.added)
    assert outcome.renumbered == 0
    assert [i.position for i in outcome.added] == list(range(8))

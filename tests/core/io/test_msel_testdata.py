"""Importing MSELs published by other projects (see ../shared/testdata/README.md for origins and licences).

- ``msel/*_Cadence_Import.xlsx``: from GitHub dynamisinc/cadence, ``docs/sample data/msel/``; MIT licence.
- ``foreign/openbas_checklist_*.xlsx``: from GitHub OpenBAS-Platform/openbas,
  ``openbas-api/src/test/resources/xls-test-files/``; Apache-2.0 licence.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from ctpn_desktop.core.entities import DeliveryMethod
from ctpn_desktop.core.io.msel_import import merge_preview
from ctpn_desktop.core.io.msel_mapping import MselField, propose_sheet
from ctpn_desktop.core.io.msel_parse import parse_rows
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.io.msel_times import TimeBasis

from tests.conftest import SHARED_TESTDATA
from tests.core.io.msel_helpers import empty_scenario, preview_file

pytestmark = pytest.mark.skipif(not SHARED_TESTDATA.is_dir(), reason="../shared/testdata is not present")

CADENCE = SHARED_TESTDATA / "msel"
OPENBAS = sorted((SHARED_TESTDATA / "foreign").glob("openbas_checklist_*.xlsx"))


def test_nfl_draft_msel_from_cadence_imports_completely() -> None:
    path = CADENCE / "NFL_Draft_MSEL_Cadence_Import.xlsx"
    candidates = propose_sheet(read_table(path))
    assert [c.sheet for c in candidates] == ["MSEL", "Lookups", "Metadata"]
    mapping = candidates[0].mapping
    assert mapping.header_row == 1 and mapping.confidence == 1.0
    assert {mapping.headers[c]: f for c, f in mapping.fields.items()} == {
        "SourceReference": MselField.NUMBER, "Phase": MselField.PHASE, "ScheduledTime": MselField.TIME,
        "Title": MselField.TITLE, "Description": MselField.CONTENT, "Source": MselField.SENDER,
        "Target": MselField.RECIPIENTS, "DeliveryMethod": MselField.DELIVERY_METHOD,
        "ExpectedAction": MselField.EXPECTED_ACTIONS, "Priority": MselField.EXTRA,
        "TriggerType": MselField.EXTRA, "ResponsibleController": MselField.CONTROLLER,
        "LocationName": MselField.EXTRA, "LocationType": MselField.EXTRA, "Track": MselField.STORYLINE,
        "Notes": MselField.NOTES, "ExpectedOutcomes": MselField.EXTRA,
    }
    preview = preview_file(path)
    assert len(preview.injects) == 30 and preview.errors == () and preview.warnings == ()
    assert preview.startex == time(8, 0)
    first, last = preview.injects[0], preview.injects[-1]
    assert (first.number, first.title, first.planned_offset_s, first.phase) == (
        1, "Media Credential Surge", 0, "Morning Operations")
    assert first.delivery_method is DeliveryMethod.VERBAL and first.recipients == ("PIO",)
    assert first.controller_notes.startswith("Core Capability: Public Information and Warning")
    assert "Source ref: INJ-001" in first.controller_notes and "LocationName: David L. Lawrence" in \
        first.controller_notes
    assert (last.number, last.planned_offset_s, last.storyline) == (30, 9 * 3600 + 30 * 60, "EOC")
    outcome = merge_preview(empty_scenario(), preview)
    assert [p.name for p in outcome.scenario.phases] == ["Morning Operations", "Afternoon Operations",
                                                         "Evening Operations"]
    assert len(outcome.created_organisations) == 12


def test_imt_trailer_msel_from_cadence_imports_with_its_section_numbers_kept() -> None:
    preview = preview_file(CADENCE / "IMT_Trailer_MSEL_Cadence_Import.xlsx")
    assert len(preview.injects) == 49 and preview.errors == () and preview.warnings == ()
    assert [i.number for i in preview.injects[:15]] == list(range(1, 16))
    assert preview.injects[15].number is None and "Source ref: 2-1" in preview.injects[15].controller_notes
    assert preview.injects[-1].planned_offset_s == 7 * 3600 + 30 * 60
    assert {i.delivery_method for i in preview.injects} == {DeliveryMethod.VERBAL, DeliveryMethod.RADIO}
    outcome = merge_preview(empty_scenario(), preview)
    assert sorted(i.number for i in outcome.added) == list(range(1, 50))
    assert len(outcome.created_phases) == 3


@pytest.mark.parametrize("path", OPENBAS, ids=[p.stem for p in OPENBAS])
def test_openbas_checklists_are_explained_not_imported(path: Path) -> None:
    workbook = read_table(path)
    [candidate] = propose_sheet(workbook)
    mapping = candidate.mapping
    assert mapping.header_row is None and mapping.confidence == 0.0
    assert "No header row was found" in mapping.explanation
    preview = parse_rows(workbook.sheet(candidate.sheet), mapping)
    assert preview.injects == ()
    assert "No column is mapped to Title or Description" in preview.summary()


def test_openbas_checklist_maps_with_the_designers_help() -> None:
    path = SHARED_TESTDATA / "foreign" / "openbas_checklist_5.xlsx"
    workbook = read_table(path)
    mapping = propose_sheet(workbook)[0].mapping
    for column, field in {"B": MselField.TITLE, "C": MselField.TIME, "D": MselField.RECIPIENTS,
                          "F": MselField.CONTENT, "H": MselField.EXPECTED_ACTIONS}.items():
        mapping.assign(column, field)
    mapping.time_basis = TimeBasis.OFFSET
    preview = parse_rows(workbook.sheet("CHECKLIST"), mapping)
    assert [(i.row, i.title, i.planned_offset_s) for i in preview.injects] == [
        (1, "Send a mail", -86400), (2, "Send an SMS", 0), (3, "Send a mail", 86400 + 2 * 3600 - 5 * 60),
        (5, "Send another mail", 3 * 86400)]
    assert preview.injects[0].recipients == ("team2",) and preview.injects[0].content == "message2"
    assert [(s.row, s.text) for s in preview.sections] == []
    assert [(p.row, p.column) for p in preview.errors] == [(4, "B")]


@pytest.mark.parametrize("name", ["NFL_Draft_MSEL_Cadence_Import.xlsx", "IMT_Trailer_MSEL_Cadence_Import.xlsx"])
def test_cadence_samples_propose_only_their_msel_sheet_and_account_for_every_row(name: str) -> None:
    from ctpn_desktop.core.io.msel_mapping import SheetKind, proposed_sheets
    from ctpn_desktop.core.io.msel_parse import RowFate
    from ctpn_desktop.core.io.msel_report import build_report

    workbook = read_table(CADENCE / name)
    candidates = propose_sheet(workbook)
    assert proposed_sheets(candidates) == ["MSEL"]
    others = {c.sheet: c.kind for c in candidates if c.sheet != "MSEL"}
    assert others.items() <= {"Lookups": SheetKind.LOOKUPS, "Metadata": SheetKind.LOOKUPS}.items() and others
    preview = preview_file(CADENCE / name)
    [summary] = preview.sheets
    assert summary.rows_read == summary.injects == len(preview.injects)
    assert dict(summary.fates) == {RowFate.INJECT: tuple(range(2, 2 + len(preview.injects)))}
    assert summary.left_out == ()
    report = build_report(preview, merge_preview(empty_scenario(), preview))
    [sheet] = report.sheets
    assert sheet.skipped == () and sheet.not_imported == () and sheet.time_problems == ()
    assert {c.field for c in sheet.mapped} >= {MselField.TITLE, MselField.TIME, MselField.NUMBER}


@pytest.mark.parametrize("path", OPENBAS, ids=[p.stem for p in OPENBAS])
def test_openbas_checklists_name_the_rows_searched_and_report_the_sheet_not_read(path: Path) -> None:
    from ctpn_desktop.core.io.msel_report import build_report

    workbook = read_table(path)
    [candidate] = propose_sheet(workbook)
    sheet = workbook.sheet(candidate.sheet)
    last = min(40, sheet.row_count)
    assert f"No header row was found in rows 1–{last} of sheet '{candidate.sheet}'" in \
        candidate.mapping.explanation
    assert "point at it" in candidate.mapping.explanation
    report = build_report(parse_rows(sheet, candidate.mapping, source=str(path)))
    assert report.injects == 0 and report.errors == 1
    assert any(line.startswith("  Not read: No header row was found") for line in report.lines())

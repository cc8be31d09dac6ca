"""`ctpn-desktop msel import` on real-shaped workbooks: which sheets, the header row, the columns, STARTEX, the
report (also for --dry-run), saved column choices, and a failure that leaves the document unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.errors import DocumentError
from ctpn_desktop.core.io.msel_mapping import MselField, detect_header
from ctpn_desktop.core.io.msel_memory import MappingMemory
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.services import scenario as scenario_service
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop import paths
from ctpn_desktop.cli import main
from tests.conftest import SHARED_TESTDATA
from tests.core.io.msel_helpers import save_rows
from tests.core.io.test_msel_workbooks import stadium_workbook
from tests.factories import library_document


@pytest.fixture
def document(tmp_path: Path) -> Path:
    library_document(tmp_path).close()
    return tmp_path / "exercise.ctpn"


@pytest.fixture
def stadium(tmp_path: Path) -> Path:
    return stadium_workbook(tmp_path / "final-whistle.xlsx")


def injects(path: Path) -> list:
    with open_document(path) as opened:
        return list(ScenarioService(opened).load().injects)


def test_the_proposed_day_sheets_are_imported_with_a_report(document: Path, stadium: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = len(injects(document))
    assert main(["msel", "import", str(stadium), str(document)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("Import report for final-whistle.xlsx: 8 inject(s) from 2 sheets ('Day 1', "
                               "'Day 2')")
    assert lines[1] == ("Sheets not read: 'Read me' (notes or information), 'Examples' (examples or a template), "
                        "'Deleted injects' (deleted or old injects), 'Print layout' (print layout), 'Lookups' "
                        "(lookup lists, hidden).")
    assert "  Rows read: 9 (rows 6–14) → 4 inject(s) imported" in lines
    assert lines[-1] == f"Imported 8 injects into {document}"
    assert "warning: sheet 'Day 2', row 12, column B: 'around half time' is not a time" in err
    after = injects(document)
    assert len(after) == before + 8
    titles = [i.title for i in after[before:]]
    assert titles == ["Suspicious package", "Crowd surge", "Media call", "Second device"] * 2


def test_dry_run_prints_the_report_and_changes_nothing(document: Path, stadium: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    before = injects(document)
    assert main(["msel", "import", "--dry-run", str(stadium), str(document)]) == 0
    out = capsys.readouterr().out
    assert "Sheet 'Day 1': header in rows 4–5" in out and "  Time problems: 1" in out
    assert out.rstrip().endswith("Dry run: the document was not changed.")
    assert injects(document) == before


def test_sheets_can_be_named_repeated_or_all_taken(document: Path, stadium: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["msel", "import", "--dry-run", "--sheet", "Day 2", "--sheet", "Examples", str(stadium),
                 str(document)]) == 0
    out = capsys.readouterr().out
    assert "5 inject(s) from 2 sheets ('Day 2', 'Examples')" in out
    assert main(["msel", "import", "--dry-run", "--all-sheets", str(stadium), str(document)]) == 0
    out = capsys.readouterr().out
    assert "11 inject(s) from 7 sheets" in out
    assert "Sheet 'Read me': no header row" in out and "  Not read: No header row was found" in out
    assert main(["msel", "import", "--sheet", "Day 9", str(stadium), str(document)]) == 1
    assert "no sheet named 'Day 9'; sheets: Read me, Day 1, Day 2" in capsys.readouterr().err


def test_startex_and_sheet_name_options(document: Path, stadium: Path) -> None:
    before = len(injects(document))
    assert main(["msel", "import", "--startex", "2026-05-13 08:30", "--sheet-name-as", "notes", str(stadium),
                 str(document)]) == 0
    added = injects(document)[before:]
    assert [i.planned_offset_s for i in added][:2] == [1800, 3600]
    assert added[2].storyline == "" and "\nSheet: Day 1\n" in added[2].controller_notes
    assert main(["msel", "import", "--startex", "lunchtime", str(stadium), str(document)]) == 2


def test_a_foreign_file_is_explained_and_can_be_mapped_by_hand(document: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    if not SHARED_TESTDATA.is_dir():
        pytest.skip("../shared/testdata is not present")
    path = SHARED_TESTDATA / "foreign" / "openbas_checklist_5.xlsx"
    assert main(["msel", "import", str(path), str(document)]) == 1
    err = capsys.readouterr().err
    assert "no MSEL header found — No header row was found in rows 1–5 of sheet 'CHECKLIST' (the whole sheet)" \
        in err
    assert "--header-row" in err
    assert main(["msel", "import", "--dry-run", "--column", "B=title", "--column", "C=time", "--column",
                 "F=content", "--column", "D=recipients", str(path), str(document)]) == 0
    out = capsys.readouterr().out
    assert "4 inject(s) from sheet 'CHECKLIST'" in out
    assert main(["msel", "import", "--column", "B=wrong", str(path), str(document)]) == 2


def test_the_header_row_can_be_given(document: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = save_rows(tmp_path / "odd.xlsx", [["Lots of words in a banner"], ["Ref", "What happens", "Who"],
                                              ["A-1", "Phone the council", "Police"]])
    assert main(["msel", "import", "--dry-run", str(path), str(document)]) == 1
    capsys.readouterr()
    assert main(["msel", "import", "--dry-run", "--header-row", "MSEL=2", "--column", "B=title", str(path),
                 str(document)]) == 0
    out = capsys.readouterr().out
    assert "1 inject(s) from sheet 'MSEL'" in out and "Sheet 'MSEL': header in row 2" in out
    assert main(["msel", "import", "--header-row", "x", str(path), str(document)]) == 2
    assert main(["msel", "import", "--header-row", "Nope=2", str(path), str(document)]) == 1


def test_column_choices_saved_in_the_dialog_apply_unless_ignored(document: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = save_rows(tmp_path / "agency.xlsx", [["Ref", "Clock", "What happens", "To"],
                                                 ["1", "0900", "Phone the council", "Police"]])
    mapping = detect_header(read_table(path).sheet("MSEL"))
    mapping.assign("C", MselField.TITLE)
    MappingMemory(paths.msel_layouts_dir()).remember(mapping, "last-week.xlsx")
    assert main(["msel", "import", "--dry-run", str(path), str(document)]) == 0
    out = capsys.readouterr().out
    assert "Columns as in the column choices saved on" in out and "'last-week.xlsx'" in out
    assert main(["msel", "import", "--dry-run", "--ignore-saved-columns", str(path), str(document)]) == 1


def test_a_failure_while_storing_leaves_the_document_unchanged(document: Path, stadium: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = injects(document)
    original = scenario_service._insert_injects

    def failing(session, new, blobs):
        original(session, new, blobs)
        raise DocumentError(str(document), "the disk is full; everything saved before is safe")

    monkeypatch.setattr(scenario_service, "_insert_injects", failing)
    assert main(["msel", "import", str(stadium), str(document)]) == 1
    assert "the disk is full" in capsys.readouterr().err
    monkeypatch.undo()
    assert injects(document) == before

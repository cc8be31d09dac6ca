"""MSEL import through the dialog (sheet, columns, preview, confirm), export and templates from the editor."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from ctpn_desktop.core.io.msel_mapping import MselField
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.io.scenario_json import read_scenario_file

from ctpn_desktop.ui.workspaces.scenario import ScenarioWorkspace

from tests.ui.conftest import error_boxes


def _messy_workbook(path: Path) -> Path:
    """A title block, a lookups sheet first, a section row, an unreadable time and an unknown method."""
    book = Workbook()
    lookups = book.active
    lookups.title = "Lookups"
    lookups.append(["Methods"])
    lookups.append(["Phone"])
    sheet = book.create_sheet("MSEL v3")
    sheet.append(["EXERCISE NORTHERN GALE – MSEL"])
    sheet.append(["OFFICIAL-SENSITIVE"])
    sheet.append([])
    sheet.append(["Inject #", "Scheduled\nTime", "Event Synopsis", "Delivery Method", "Intended Player", "Notes"])
    sheet.append(["", "09:00", "STARTEX", "", "", ""])
    sheet.append([1, "09:05", "Reports of smoke at the stadium", "Phone", "Police", ""])
    sheet.append([2, "half nine", "Crowd surge at gate C", "Radio", "Police", "time to confirm"])
    sheet.append([3, "09:40", "Carrier pigeon brings a note", "Carrier pigeon", "Fire and Rescue", ""])
    book.save(path)
    return path


def test_import_goes_sheet_columns_preview_and_changes_nothing_until_confirmed(
        qtbot, editor: ScenarioWorkspace, files, tmp_path: Path) -> None:
    page = editor
    before = page.scenario
    files.open_answers.append(_messy_workbook(tmp_path / "northern-gale.xlsx"))
    dialog = page.ask_import()
    assert dialog is not None
    assert dialog.sheet.currentData() == "MSEL v3"

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.mapping.header_row == 4
    fields = {dialog.columns.item(r, 0).text(): dialog.columns.cellWidget(r, 2).currentData()
              for r in range(dialog.columns.rowCount())}
    assert fields["B"] == MselField.TIME and fields["C"] in {MselField.CONTENT, MselField.TITLE}
    notes_combo = dialog.columns.cellWidget(5, 2)
    assert isinstance(notes_combo, QComboBox)
    notes_combo.setCurrentIndex(notes_combo.findData(MselField.NOTES))

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.import_button.isVisible() and dialog.import_button.isEnabled()
    problems = [[dialog.problems.item(r, c).text() for c in range(5)] for r in range(dialog.problems.rowCount())]
    assert any(p[1] == "MSEL v3" and p[2] == "7" and p[3] == "B" and "half nine" in p[4] for p in problems)
    assert any(p[2] == "8" and p[3] == "D" and "Carrier pigeon" in p[4] for p in problems)
    assert dialog.injects_table.rowCount() == 3
    # Still nothing in the exercise:
    assert page.scenario == before
    assert page.session.service.load().injects == before.injects

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert len(page.scenario.injects) == len(before.injects) + 3
    titles = {i.title for i in page.scenario.injects}
    assert "Reports of smoke at the stadium" in titles
    assert page.session.stack.undoText() == "Import 3 injects from northern-gale.xlsx"

    page.undo()
    assert len(page.scenario.injects) == len(before.injects)
    assert {o.id for o in page.scenario.organisations} == {o.id for o in before.organisations}


def test_cancelled_import_leaves_the_exercise_alone(qtbot, editor: ScenarioWorkspace, files,
                                                    tmp_path: Path) -> None:
    page = editor
    before = page.scenario
    files.open_answers.append(_messy_workbook(tmp_path / "msel.xlsx"))
    dialog = page.ask_import()
    dialog.next()
    dialog.next()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert page.scenario == before
    assert page.session.service.load().injects == before.injects
    assert not page.session.stack.canUndo()


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(editor: ScenarioWorkspace, files,
                                                             tmp_path: Path) -> None:
    bogus = tmp_path / "msel.xlsx"
    bogus.write_bytes(b"this is not a workbook")
    files.open_answers.append(bogus)
    assert editor.ask_import() is None
    assert "could not be read" in error_boxes()[-1].text()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_a_spreadsheet_that_imports_to_the_same_injects(editor: ScenarioWorkspace, files,
                                                                      tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"msel{suffix}"
    files.save_answers.append(target)
    assert editor.ask_export() == target
    assert editor.save_state.text().startswith(f"Exported 23 injects to msel{suffix}")
    from ctpn_desktop.core.io.msel_mapping import propose_sheet
    from ctpn_desktop.core.io.msel_parse import parse_rows

    workbook = read_table(target)
    best = propose_sheet(workbook)[0]
    preview = parse_rows(workbook.sheet(best.sheet), best.mapping)
    assert not preview.errors
    assert sorted((p.number, p.title, p.planned_offset_s) for p in preview.injects) == sorted(
        (i.number, i.title, i.planned_offset_s) for i in editor.scenario.injects)


def test_save_as_template_writes_scenario_json_the_library_can_read(editor: ScenarioWorkspace, files,
                                                                    tmp_path: Path) -> None:
    target = tmp_path / "kestrel-template.json"
    files.save_answers.append(target)
    assert editor.ask_save_template() == target
    scenario, _ = read_scenario_file(target)
    assert scenario.exercise.title == editor.scenario.exercise.title
    assert len(scenario.injects) == len(editor.scenario.injects)
    assert {i.title for i in scenario.injects} == {i.title for i in editor.scenario.injects}


def test_attachments_are_added_previewed_opened_and_removed(qtbot, editor: ScenarioWorkspace,
                                                           tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage

    image_path = tmp_path / "map.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    image.save(str(image_path))
    notes_path = tmp_path / "briefing.txt"
    notes_path.write_text("Stand-by briefing", encoding="utf-8")
    page = editor
    form = page.msel.form
    opened: list[str] = []

    class Chooser:
        def choose(self, parent):
            return [image_path, notes_path]

    form.attachment_files = Chooser()
    form.attachment_data = page.session.service.attachment_data
    form.open_url = lambda url: opened.append(url.toLocalFile()) or True
    inject_id = form.inject.id
    qtbot.mouseClick(form.add_attachment_button, Qt.MouseButton.LeftButton)
    stored = page.session.inject(inject_id).attachments
    assert [a.filename for a in stored] == ["map.png", "briefing.txt"]
    assert [a.media_type for a in stored] == ["image/png", "text/plain"]
    form.attachments.setCurrentRow(0)
    assert form.preview.pixmap() is not None and not form.preview.pixmap().isNull()
    form.attachments.setCurrentRow(1)
    qtbot.mouseClick(form.open_attachment_button, Qt.MouseButton.LeftButton)
    assert Path(opened[-1]).read_text(encoding="utf-8") == "Stand-by briefing"
    qtbot.mouseClick(form.remove_attachment_button, Qt.MouseButton.LeftButton)
    assert [a.filename for a in page.session.inject(inject_id).attachments] == ["map.png"]
    page.undo()
    assert [a.filename for a in page.session.inject(inject_id).attachments] == ["map.png", "briefing.txt"]
    assert page.session.service.attachment_data(stored[1].id) == b"Stand-by briefing"

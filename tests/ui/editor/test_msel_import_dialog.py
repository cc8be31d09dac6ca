"""The MSEL import dialog driven by keyboard on an agency workbook: several sheets, the header row pointed at,
columns changed and remembered, STARTEX set once, the report read, one undo step, and a failure that changes
nothing. The dialog fits a 1280 × 720 screen, also with larger text."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox

from ctpn_desktop.core.errors import DocumentError
from ctpn_desktop.core.io.msel_mapping import MselField
from ctpn_desktop.core.io.msel_memory import MappingMemory
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.services.validation import ProblemKind

from ctpn_desktop.ui.dialogs.msel_import import MselImportDialog
from ctpn_desktop.ui.workspaces.scenario import ScenarioWorkspace

from ctpn_desktop import paths
from tests.core.io.test_msel_workbooks import stadium_workbook
from tests.ui.conftest import error_boxes


def alt(qtbot, dialog: MselImportDialog, key: Qt.Key, button) -> None:
    """Alt+key as the designer presses it, to whatever has the focus in the (active) dialog; a button's
    mnemonic clicks it after a short animation."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignal(button.clicked, timeout=2000):
        qtbot.keyClick(QApplication.focusWidget() or dialog, key, Qt.KeyboardModifier.AltModifier)


def sheet_rows(dialog: MselImportDialog) -> dict[str, tuple[bool, str]]:
    tree = dialog.sheet_list
    return {tree.topLevelItem(i).text(0): (tree.topLevelItem(i).checkState(0) == Qt.CheckState.Checked,
                                           tree.topLevelItem(i).text(1)) for i in range(tree.topLevelItemCount())}


def combo_of(dialog: MselImportDialog, letter: str) -> QComboBox:
    for row in range(dialog.columns.rowCount()):
        if dialog.columns.item(row, 0).text().split()[0] == letter:
            combo = dialog.columns.cellWidget(row, 2)
            assert isinstance(combo, QComboBox)
            return combo
    raise AssertionError(letter)


def test_a_workbook_with_a_sheet_per_day_is_imported_by_keyboard_in_one_undoable_step(
        qtbot, editor: ScenarioWorkspace, files, tmp_path: Path) -> None:
    page = editor
    before = page.scenario
    files.open_answers.append(stadium_workbook(tmp_path / "final-whistle.xlsx"))
    dialog = page.ask_import()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert sheet_rows(dialog) == {
        "Read me": (False, "Notes or information"), "Day 1": (True, "MSEL injects — proposed"),
        "Day 2": (True, "MSEL injects — proposed"), "Examples": (False, "Examples or a template"),
        "Deleted injects": (False, "Deleted or old injects"), "Print layout": (False, "Print layout"),
        "Lookups": (False, "Lookup lists (hidden sheet)"),
    }
    tree = dialog.sheet_list
    tree.setFocus()
    tree.setCurrentItem(tree.topLevelItem(0))
    for _ in range(3):
        qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentItem().text(0) == "Examples"
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert dialog.chosen_sheets() == ["Day 1", "Day 2", "Examples"]
    qtbot.keyClick(tree, Qt.Key.Key_Space)
    assert dialog.chosen_sheets() == ["Day 1", "Day 2"]
    assert "2 sheet(s) to import ('Day 1', 'Day 2'), 16 data rows" in dialog.sheet_reason.text()

    alt(qtbot, dialog, Qt.Key.Key_N, dialog.next_button)
    assert dialog.step == 1
    assert [dialog.sheet.itemData(i) for i in range(dialog.sheet.count())] == ["Day 1", "Day 2"]
    assert dialog.mapping.header_rows == (4, 5) and dialog.header_row.value() == 5
    assert dialog.columns.item(10, 0).text() == "K (hidden)"
    assert combo_of(dialog, "K").currentData() is None  # a hidden column with no MSEL field starts left out
    assert "K is hidden in the workbook and matches no MSEL field" in dialog.mapping_explanation.text()
    read_as = [dialog.rows_preview.item(r, 0).text() for r in range(dialog.rows_preview.rowCount())]
    assert read_as == ["inject", "inject", "title or marking repeated", "header repeated", "header repeated",
                       "inject", "inject", "title or marking repeated"]
    sort_key = combo_of(dialog, "K")
    sort_key.setFocus()
    qtbot.keyClick(sort_key, Qt.Key.Key_End)
    assert sort_key.currentData() == MselField.EXTRA
    assert dialog.mappings["Day 1"].fields.get(11) is MselField.EXTRA and "Day 1" in dialog.edited

    alt(qtbot, dialog, Qt.Key.Key_N, dialog.next_button)
    assert dialog.step == 2
    assert dialog.startex.text() == "2026-05-13 09:00"
    assert dialog.result_tabs.tabText(1) == "In&jects (8)"
    report = dialog.report_view.toPlainText()
    assert "Sheet 'Day 1'" in report and "Sheet 'Day 2'" in report
    assert "Skipped: header repeated" in report and "2 (rows 10–11)" in report
    assert 'K "Sort key" (hidden)' in report  # kept in the notes in Day 1, left out in Day 2
    dialog.startex.setFocus()
    dialog.startex.selectAll()
    qtbot.keyClicks(dialog.startex, "2026-05-13 08:30")
    qtbot.keyClick(dialog.startex, Qt.Key.Key_Tab)
    assert dialog.preview is not None and dialog.preview.injects[0].planned_offset_s == 1800
    assert "as you set it" in dialog.startex_note.text()
    assert page.scenario == before
    assert page.session.service.load().injects == before.injects

    alt(qtbot, dialog, Qt.Key.Key_I, dialog.import_button)
    assert not dialog.isVisible()
    added = page.scenario.injects[len(before.injects):]
    assert [i.title for i in added] == ["Suspicious package", "Crowd surge", "Media call", "Second device"] * 2
    assert [i.planned_offset_s for i in added][:2] == [1800, 3600]
    assert "Sort key: 10" in added[0].controller_notes and "Sort key" not in added[4].controller_notes
    assert page.session.stack.count() == 1
    assert page.session.stack.undoText() == "Import 8 injects from final-whistle.xlsx"
    qtbot.waitUntil(lambda: any(p.kind is ProblemKind.UNREAD_TIME for p in page.problems))
    unread = [p for p in page.problems if p.kind is ProblemKind.UNREAD_TIME]
    assert {p.inject_id for p in unread} == {added[2].id, added[6].id}
    assert len(MappingMemory(paths.msel_layouts_dir()).fingerprints()) == 1

    page.undo()
    assert page.scenario == before
    assert page.session.service.load() == before


def test_the_designer_points_at_the_header_row_and_the_choices_are_reused(
        qtbot, editor: ScenarioWorkspace, files, tmp_path: Path) -> None:
    def agency(path: Path, week: int) -> Path:
        book = Workbook()
        sheet = book.active
        sheet.title = "Timeline"
        sheet.append([f"HARBOUR LIGHTS week {week}"])
        sheet.append(["Ref", "What happens", "Colour"])
        sheet.append([f"W{week}-1", "Ferry stops", "red"])
        sheet.append([f"W{week}-2", "Port closes", "amber"])
        book.save(path)
        return path

    files.open_answers.append(agency(tmp_path / "week1.xlsx", 1))
    dialog = editor.ask_import()
    qtbot.waitExposed(dialog)
    assert sheet_rows(dialog)["Timeline"] == (True, "No MSEL header found — proposed")
    dialog.next()
    assert dialog.mapping.header_row is None
    assert "No header row was found in rows 1–4 of sheet 'Timeline'" in dialog.mapping_explanation.text()
    dialog.header_row.setFocus()
    dialog.header_row.selectAll()
    qtbot.keyClicks(dialog.header_row, "2")
    assert dialog.mapping.header_row == 2 and dialog.mapping.chosen
    assert "Header taken from row 2" in dialog.mapping_explanation.text()
    title = combo_of(dialog, "B")
    title.setCurrentIndex(title.findData(MselField.TITLE))
    dialog.next()
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert [i.title for i in editor.scenario.injects[-2:]] == ["Ferry stops", "Port closes"]

    files.open_answers.append(agency(tmp_path / "week2.xlsx", 2))
    again = editor.ask_import()
    qtbot.waitExposed(again)
    assert sheet_rows(again)["Timeline"] == (True, "MSEL injects — proposed")
    again.next()
    assert again.mapping.header_row == 2 and again.mapping.fields[2] is MselField.TITLE
    assert "week1.xlsx" in again.mapping_explanation.text()
    assert again.forget_button.isVisible()
    again.forget_button.click()
    assert again.mapping.header_row is None
    assert MappingMemory(paths.msel_layouts_dir()).fingerprints() == frozenset()
    again.reject()


def test_a_failure_while_storing_the_import_changes_nothing(qtbot, editor: ScenarioWorkspace, files,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = editor
    before = page.scenario
    files.open_answers.append(stadium_workbook(tmp_path / "m.xlsx"))
    dialog = page.ask_import()
    qtbot.waitExposed(dialog)
    dialog.next()
    dialog.next()

    def full(_scenario, _blobs=None):
        raise DocumentError("m.ctpn", "the disk is full; everything saved before is safe")

    monkeypatch.setattr(page.session.service, "merge_in", full)
    dialog.import_button.click()
    assert any("the disk is full" in box.text() for box in error_boxes())
    for box in error_boxes():
        box.close()
    assert page.scenario == before
    assert page.session.service.load() == before
    assert not page.session.stack.canUndo()


@pytest.mark.parametrize("larger", [False, True], ids=["default text", "larger text"])
def test_the_dialog_fits_a_small_screen_at_every_step(qtbot, editor: ScenarioWorkspace, tmp_path: Path,
                                                      larger: bool) -> None:
    app = QApplication.instance()
    font = app.font()
    if larger:
        bigger = app.font()
        bigger.setPointSizeF(font.pointSizeF() + 4)
        app.setFont(bigger)
    try:
        dialog = MselImportDialog(read_table(stadium_workbook(tmp_path / "m.xlsx")), editor.scenario)
        qtbot.addWidget(dialog)
        dialog.resize(1280, 720)
        dialog.show()
        for step in range(3):
            QApplication.processEvents()
            hint = dialog.minimumSizeHint()
            assert hint.width() <= 1240 and hint.height() <= 700, (step, hint)
            for button in (dialog.back_button, dialog.next_button, dialog.import_button, dialog.cancel_button):
                if button.isVisible():
                    assert dialog.rect().contains(button.geometry()), (step, button.text())
            dialog.next()
    finally:
        app.setFont(font)

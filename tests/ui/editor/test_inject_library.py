"""The inject library from the MSEL page: save the selected injects, find them again by threat, organisation and
method with the keyboard, insert them (one undoable edit), remove and export them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.entities import DeliveryMethod, InjectStatus
from ctpn_desktop.core.inject_library import InjectLibrary
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.workspaces.scenario import ScenarioWorkspace

from ctpn_desktop import paths
from tests.ui.conftest import LIBRARY

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _on_disk(window: MainWindow):
    with open_document(window.document.path, read_only=True) as document:
        return ScenarioService(document).load()


def _stock_the_library() -> InjectLibrary:
    """Injects another designer saved from the chemical and cyber exercises."""
    library = InjectLibrary(paths.inject_library_dir())
    for name, numbers in (("metro-chemical-release.json", (6, 14)), ("city-services-cyber-attack.json", (7,))):
        scenario, blobs = read_scenario_file(LIBRARY / name)
        library.save(scenario, [i for i in scenario.injects if i.number in numbers], blobs)
    return library


def test_selected_injects_are_saved_to_the_users_library(qtbot, window: MainWindow, editor: ScenarioWorkspace) -> None:
    editor.tabs.setCurrentIndex(editor.msel_tab)
    first, second = sorted(editor.scenario.injects, key=lambda i: i.number)[:2]
    editor.msel.select_ids([first.id, second.id], first.id)
    qtbot.keyClick(editor.msel.view, Qt.Key.Key_B, CTRL_SHIFT)
    items, problems = InjectLibrary(paths.inject_library_dir()).load()
    assert sorted(i.title for i in items) == sorted([first.title, second.title]) and problems == []
    assert all(i.saved_from == "Exercise HIGH KESTREL" for i in items)
    assert editor.save_state.text().startswith("Saved 2 injects to the inject library")
    assert not editor.session.stack.canUndo()  # the exercise itself did not change


def test_injects_are_found_and_inserted_by_keyboard_as_one_undoable_edit(qtbot, window: MainWindow,
                                                                         editor: ScenarioWorkspace,
                                                                         tmp_path: Path) -> None:
    _stock_the_library()
    editor.tabs.setCurrentIndex(editor.msel_tab)
    anchor = sorted(editor.scenario.injects, key=lambda i: i.number)[4]
    editor.msel.select_ids([anchor.id], anchor.id)
    before = _on_disk(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(editor.msel.view, Qt.Key.Key_L, CTRL_SHIFT)
    picker = editor.library_picker
    assert picker is not None
    qtbot.waitExposed(picker)
    qtbot.waitUntil(picker.search.hasFocus)
    assert picker.count.text() == "3 injects in the library"
    grabs = Path(os.environ.get("CTPN_GRAB_DIR", tmp_path))
    assert picker.grab().save(str(grabs / "library-picker.png"))
    assert picker.width() <= 1240 and picker.height() <= 700

    qtbot.keyClicks(picker.search, "chlorine")
    assert [i.title for i in picker.shown] == ["Social media: people leaving the scene, rumours of chlorine"]
    picker.search.clear()
    picker.threat.setEditText("cyber")
    assert [i.saved_from for i in picker.shown] == ["Exercise DARK RELAY"]
    picker.threat.setEditText("")
    picker.method.setCurrentIndex(picker.method.findData(DeliveryMethod.NEWS.value))
    assert [i.method for i in picker.shown] == [DeliveryMethod.NEWS]
    picker.method.setCurrentIndex(0)
    picker.organisation.setEditText("metro")
    assert len(picker.shown) == 2 and {i.saved_from for i in picker.shown} == {"Exercise STILL AIR"}
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.tree.hasFocus()
    qtbot.keyClick(picker.tree, Qt.Key.Key_Down)
    chosen = picker.chosen()[0]
    assert chosen.title in picker.preview.toPlainText()
    qtbot.keyClick(picker.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not picker.isVisible())

    after = _on_disk(window)
    (new,) = [i for i in after.injects if i.id not in {j.id for j in before.injects}]
    assert new.title == chosen.title and new.number == max(i.number for i in before.injects) + 1
    assert (new.planned_offset_s, new.phase_id, new.status) == (anchor.planned_offset_s, anchor.phase_id,
                                                                InjectStatus.DRAFT)
    added = [o for o in after.organisations if o.id not in {p.id for p in before.organisations}]
    assert [o.name for o in added] == ["Northbridge Metro (transport operator)"]
    assert editor.msel.selected_ids() == [new.id]
    assert editor.save_state.text().startswith("Inserted 1 inject from the library as drafts.")

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    undone = _on_disk(window)
    assert len(undone.injects) == len(before.injects) and len(undone.organisations) == len(before.organisations)
    editor.redo()
    assert len(_on_disk(window).injects) == len(before.injects) + 1
    QApplication.processEvents()


def test_remove_and_export_from_the_picker(qtbot, window: MainWindow, editor: ScenarioWorkspace, files,
                                           confirmations, tmp_path: Path) -> None:
    library = _stock_the_library()
    picker = editor.ask_insert_from_library()
    qtbot.waitExposed(picker)
    target = tmp_path / "shared-injects.json"
    files.save_answers.append(target)
    assert picker.export() == target
    exported, _ = read_scenario_file(target)
    assert len(exported.injects) == 3 and exported.exercise.marking == "OFFICIAL-SENSITIVE"
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "ctpn-scenario"
    confirmations.answer = False
    picker.tree.setFocus()
    qtbot.keyClick(picker.tree, Qt.Key.Key_Delete)
    assert confirmations.asked and len(library.load()[0]) == 3
    confirmations.answer = True
    qtbot.keyClick(picker.tree, Qt.Key.Key_Delete)
    assert len(library.load()[0]) == 2 and picker.count.text() == "2 injects in the library"
    (paths.inject_library_dir() / "broken.json").write_text("{", encoding="utf-8")
    picker.reload()
    assert picker.problems.isVisibleTo(picker) and "broken.json" in picker.problems.text()
    picker.reject()
    assert editor.actions[ActionId.INSERT_FROM_LIBRARY].isEnabled()

"""The Programme tab of the scenario editor: the agenda, speakers and syndicates built with the keyboard, each edit
in the file at once and undone with Ctrl+Z; the scenario JSON then carries the programme."""

from __future__ import annotations

import json
import os
from datetime import date, time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.entities import AgendaKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop.ui.editor.programme_page import ITEM, SESSION, SPEAKER, SYNDICATE
from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.workspaces.scenario import PROGRAMME, ScenarioWorkspace

from tests.ui.conftest import error_boxes

CTRL = Qt.KeyboardModifier.ControlModifier


def _type_line(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _stored(window: MainWindow):
    with open_document(window.document.path, read_only=True) as document:
        return ScenarioService(document).load().programme


def test_an_agenda_with_speakers_and_syndicates_is_built_and_undone(qtbot, window: MainWindow,
                                                                    editor: ScenarioWorkspace) -> None:
    editor.tabs.setCurrentIndex(PROGRAMME)
    page = editor.programme
    assert editor.tabs.tabText(PROGRAMME) == "Programme"
    assert _stored(window).is_empty

    page.tree.setFocus()
    qtbot.mouseClick(page.add_speaker_button, Qt.MouseButton.LeftButton)
    assert page.current_node() == (SPEAKER, 0, 0) and page.speaker_name.hasFocus()
    qtbot.keyClicks(page.speaker_name, "Dr Aoife Brennan")
    qtbot.keyClick(page.speaker_name, Qt.Key.Key_Return)
    _type_line(qtbot, page.speaker_role, "Lead Facilitator")

    qtbot.mouseClick(page.add_session_button, Qt.MouseButton.LeftButton)
    assert page.current_node() == (SESSION, 0, 0)
    _type_line(qtbot, page.session_title, "Morning")
    _type_line(qtbot, page.session_day, "2027-10-06")
    qtbot.mouseClick(page.add_item_button, Qt.MouseButton.LeftButton)
    assert page.current_node() == (ITEM, 0, 0)
    _type_line(qtbot, page.item_title, "Exercise briefing")
    _type_line(qtbot, page.item_start, "9:15")
    _type_line(qtbot, page.item_end, "09:30")
    page.item_kind.setCurrentIndex(page.item_kind.findData(AgendaKind.BRIEFING.value))
    page.item_kind.activated.emit(page.item_kind.currentIndex())
    tick = page.item_speakers.item(0)
    assert tick.text() == "Dr Aoife Brennan — Lead Facilitator"
    tick.setCheckState(Qt.CheckState.Checked)

    _type_line(qtbot, page.item_end, "09:00")  # before it starts: refused, nothing stored
    assert error_boxes() and "before it starts" in error_boxes()[0].text() + error_boxes()[0].informativeText()
    for box in error_boxes():
        box.close()
    page.tree.setCurrentItem(page.tree.topLevelItem(0))  # leave the item, then come back
    page.select((ITEM, 0, 0))
    assert page.item_end.text() == "09:30"

    qtbot.mouseClick(page.add_syndicate_button, Qt.MouseButton.LeftButton)
    assert page.current_node() == (SYNDICATE, 0, 0) and page.syndicate_name.text() == "Syndicate A"
    _type_line(qtbot, page.syndicate_room, "Room R1")
    page.syndicate_members.setPlainText("Ana Lopes, Porto\nPiet de Vries, Rotterdam")
    page.syndicate_members.flush()

    stored = _stored(window)
    (session,) = stored.sessions
    (item,) = session.items
    assert (session.title, session.day) == ("Morning", date(2027, 10, 6))
    assert (item.title, item.start, item.end, item.kind, item.speakers) == (
        "Exercise briefing", time(9, 15), time(9, 30), AgendaKind.BRIEFING, ("speaker",))
    assert stored.speakers[0].role == "Lead Facilitator"
    assert stored.syndicates[0].members == ("Ana Lopes, Porto", "Piet de Vries, Rotterdam")
    assert editor.save_state.text().startswith("Saved: Edit syndicate Syndicate A — all changes are in the file")

    page.select((SPEAKER, 0, 0))
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Delete)  # the speaker goes, and off the agenda item too
    assert _stored(window).speakers == () and _stored(window).sessions[0].items[0].speakers == ()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    assert _stored(window).sessions[0].items[0].speakers == ("speaker",)
    while editor.session.stack.canUndo():
        editor.undo()
    assert _stored(window).is_empty
    QApplication.processEvents()


def test_the_programme_travels_in_the_scenario_json_and_the_tab_fits(qtbot, window: MainWindow,
                                                                    editor: ScenarioWorkspace, files,
                                                                    tmp_path: Path) -> None:
    editor.tabs.setCurrentIndex(PROGRAMME)
    page = editor.programme
    page.add_session()
    _type_line(qtbot, page.session_title, "Day 1")
    page.add_item()
    _type_line(qtbot, page.item_title, "Welcome & <introductions>")
    page.select((ITEM, 0, 0))
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Insert)  # Insert on an item adds another to its session
    assert page.current_node() == (ITEM, 0, 1)
    page.select((ITEM, 0, 1))
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [i.title for i in _stored(window).sessions[0].items] == ["New agenda item", "Welcome & <introductions>"]
    target = tmp_path / "template.json"
    files.save_answers.append(target)
    assert editor.ask_save_template() == target
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["programme"]["sessions"][0]["items"][1]["title"] == "Welcome & <introductions>"
    window.resize(1280, 720)
    QApplication.processEvents()
    assert window.minimumSizeHint().width() <= 1240 and window.minimumSizeHint().height() <= 700
    grabs = Path(os.environ.get("CTPN_GRAB_DIR", tmp_path))
    page.select((ITEM, 0, 1))
    QApplication.processEvents()
    assert window.grab().save(str(grabs / "programme-editor.png"))

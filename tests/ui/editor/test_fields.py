"""Inject content: plain text stays plain, byte for byte; formatting is stored as readable Markdown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from ctpn_desktop.ui.editor.fields import RichText, Typing, looks_formatted, unwrap_markdown

from tests.ui.conftest import LIBRARY_SCENARIO


def test_library_contents_survive_the_editor_unchanged(qtbot) -> None:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file

    field = RichText("Content", Typing())
    qtbot.addWidget(field)
    for inject in read_scenario_file(LIBRARY_SCENARIO)[0].injects:
        field.set_value(inject.content)
        assert field.value() == inject.content


def test_bold_text_is_stored_as_markdown_and_shown_bold_again(qtbot) -> None:
    field = RichText("Content", Typing())
    qtbot.addWidget(field)
    committed: list[str] = []
    field.commit.connect(committed.append)
    field.set_value("EXERCISE EXERCISE EXERCISE\n\nEvacuate the north grandstand now.")
    cursor = field.edit.textCursor()
    cursor.setPosition(len("EXERCISE EXERCISE EXERCISE\n\n"))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
    field.edit.setTextCursor(cursor)
    field.edit.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    field.flush()
    assert committed == ["EXERCISE EXERCISE EXERCISE\n\n**Evacuate** the north grandstand now."]
    assert looks_formatted(committed[0])
    field.set_value(committed[0])
    assert "**" not in field.edit.toPlainText()
    cursor = field.edit.textCursor()
    cursor.setPosition(field.edit.toPlainText().index("Evacuate") + 2)
    assert cursor.charFormat().fontWeight() >= 700
    assert field.value() == committed[0]


def test_markdown_wrapped_by_qt_is_joined_back() -> None:
    wrapped = "A long line that Qt\nwrapped at eighty columns\n\n- an item that\n  continues\n- second"
    joined = "A long line that Qt wrapped at eighty columns\n\n- an item that continues\n- second"
    assert unwrap_markdown(wrapped) == joined
    assert not looks_formatted("Casualties: 5 * 3 = 15, see map_2 and file_a")

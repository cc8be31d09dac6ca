"""The start page: a new exercise from the library (file dialog injected), open, and recent files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from ctpn_desktop.core.library import library_items
from ctpn_desktop.core.services.document import open_document

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.preferences import MAX_RECENT
from ctpn_desktop.ui.start_page import StartPage

from tests.ui.conftest import LIBRARY_SCENARIO, error_boxes


def test_library_lists_every_scenario_with_title_marking_and_injects(window) -> None:
    page = window.start_page
    items = library_items()
    assert page.library_tree.topLevelItemCount() == len(items) == 7
    for i, item in enumerate(items):
        row = page.library_tree.topLevelItem(i)
        assert (row.text(0), row.text(1), row.text(2)) == (item.title, item.marking.upper(), str(item.injects))
    page.select_library_path(LIBRARY_SCENARIO)
    assert page.detail_title.text() == "Exercise HIGH KESTREL"
    assert "23 injects" in page.detail_meta.text()
    assert page.detail_summary.text().startswith("To test and develop")


def test_create_exercise_from_the_library_by_clicking(qtbot, window, dialogs, tmp_path: Path) -> None:
    target = tmp_path / "exercises" / "kestrel.ctpn"
    target.parent.mkdir()
    dialogs.save_answers.append(target)
    page = window.start_page
    page.select_library_path(LIBRARY_SCENARIO)

    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)

    assert dialogs.asked[0][0] == "save"
    assert dialogs.asked[0][2].name == "marathon-hostile-drone.ctpn"
    assert target.is_file()
    assert window.document is not None and window.document.path == target
    assert window.windowTitle() == "Exercise HIGH KESTREL — CTPN Desktop"
    assert window.current_page is window.scenario_page
    assert window.recent.paths() == [target.resolve()]
    assert page.recent_list.count() == 1
    window.close_document()
    with open_document(target) as copy:
        assert copy.summary().injects == 23


def test_create_from_the_keyboard(qtbot, window, dialogs, tmp_path: Path) -> None:
    target = tmp_path / "by-keyboard.ctpn"
    dialogs.save_answers.append(target)
    window.activateWindow()
    window.actions[ActionId.NEW_FROM_LIBRARY].trigger()
    assert window.current_page is window.start_page
    qtbot.waitUntil(window.start_page.library_tree.hasFocus)

    qtbot.keyClick(window.start_page.library_tree, Qt.Key.Key_Return)

    assert window.document is not None and window.document.path == target


def test_cancelling_the_save_dialog_creates_nothing(qtbot, window, dialogs, tmp_path: Path) -> None:
    dialogs.save_answers.append(None)
    qtbot.mouseClick(window.start_page.create_button, Qt.MouseButton.LeftButton)
    assert window.document is None
    assert list(tmp_path.glob("*.ctpn")) == []


def test_creating_over_an_existing_file_is_refused(qtbot, window, dialogs, tmp_path: Path) -> None:
    existing = tmp_path / "existing.ctpn"
    existing.write_bytes(b"precious")
    dialogs.save_answers.append(existing)

    qtbot.mouseClick(window.start_page.create_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert "existing.ctpn" in error_boxes()[0].text()
    assert existing.read_bytes() == b"precious"
    assert window.document is None


def test_open_button_asks_for_a_file(qtbot, window, dialogs, document_path: Path) -> None:
    dialogs.open_answers.append(document_path)
    qtbot.mouseClick(window.start_page.open_button, Qt.MouseButton.LeftButton)
    assert window.document is not None and window.document.path == document_path


def test_recent_files_are_persisted_and_reopened(qtbot, make_window, document_path: Path) -> None:
    first = make_window()
    first.open_path(document_path)
    first.close()

    second = make_window()
    recent = second.start_page.recent_list
    assert recent.count() == 1
    assert recent.item(0).toolTip() == str(document_path.resolve())
    assert [a.text() for a in second.recent_menu.actions()] == [f"&1 {document_path.name}"]

    second.activateWindow()
    recent.setFocus()
    qtbot.waitUntil(recent.hasFocus)
    qtbot.keyClick(recent, Qt.Key.Key_Return)
    assert second.document is not None and second.document.path.resolve() == document_path.resolve()


def test_missing_recent_files_are_dropped_and_the_list_is_capped(make_window, settings_path: Path,
                                                                  tmp_path: Path) -> None:
    window = make_window()
    files = []
    for i in range(MAX_RECENT + 2):
        path = tmp_path / f"f{i}.ctpn"
        path.write_bytes(b"x")
        files.append(path)
        window.recent.add(path)
    assert len(window.recent.paths()) == MAX_RECENT
    assert window.recent.paths()[0] == files[-1].resolve()
    files[-1].unlink()
    window.close()

    again = make_window()
    shown = [again.start_page.recent_list.item(i).toolTip() for i in range(again.start_page.recent_list.count())]
    assert str(files[-1].resolve()) not in shown
    assert shown[0] == str(files[-2].resolve())


def test_empty_library_and_no_recent_files_say_so(qtbot) -> None:
    page = StartPage(lambda: [])
    qtbot.addWidget(page)
    page.set_recent([])
    page.show()
    assert page.library_stack.currentWidget() is page.library_empty
    assert page.library_empty.title_label.text() == "No scenarios in the library"
    assert page.recent_stack.currentWidget() is page.recent_empty
    assert not page.create_button.isEnabled()


def test_a_broken_library_does_not_stop_the_page(qtbot) -> None:
    def broken() -> list:
        raise OSError("disk unreadable")

    page = StartPage(broken)
    qtbot.addWidget(page)
    page.show()
    assert page.library_stack.currentWidget() is page.library_empty
    assert "disk unreadable" in page.library_empty.text_label.text()


def test_the_library_is_read_when_the_page_is_first_shown_and_not_before(qtbot) -> None:
    """A window started with an exercise never shows the start page first: it must not parse the library."""
    calls = []

    def items() -> list:
        calls.append(1)
        return []

    page = StartPage(items)
    qtbot.addWidget(page)
    assert calls == []
    page.show()
    page.hide()
    page.show()
    assert calls == [1]

"""The main window on a real exercise file: banner, title, navigation by keyboard and mouse, File menu."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtWidgets import QApplication, QTextBrowser

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import open_document

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.banner import EXERCISE_TEXT
from ctpn_desktop.ui.dialogs.about import AboutDialog
from ctpn_desktop.ui.main_window import CONDUCT, DEBRIEF, DECISION_LOG, SCENARIO, START

from tests.ui.conftest import LIBRARY_SCENARIO, error_boxes


def _scenario():
    return read_scenario_file(LIBRARY_SCENARIO)[0]


def test_opening_a_document_shows_marking_title_and_the_whole_msel(window, document_path: Path) -> None:
    scenario = _scenario()
    assert not window.banner.isVisible()
    assert window.windowTitle() == "CTPN Desktop"

    assert window.open_path(document_path)

    assert window.banner.isVisible()
    assert window.banner.marking == scenario.exercise.marking.upper() == "OFFICIAL"
    assert window.banner.left.text() == EXERCISE_TEXT and window.banner.left.isVisible()
    assert window.bottom_banner.isVisible()
    assert window.windowTitle() == f"{scenario.exercise.title} — CTPN Desktop"
    assert window.current_page is window.scenario_page
    assert window.scenario_page.msel_view.model().rowCount() == len(scenario.injects) == 23
    assert window.scenario_page.overview.title.text() == scenario.exercise.title
    assert window.scenario_page.tabs.tabText(window.scenario_page.msel_tab) == "MSEL (23)"


@pytest.mark.parametrize(("key", "page"), [
    (Qt.Key.Key_1, SCENARIO), (Qt.Key.Key_2, CONDUCT), (Qt.Key.Key_3, DECISION_LOG), (Qt.Key.Key_4, DEBRIEF),
    (Qt.Key.Key_0, START),
])
def test_each_workspace_is_reached_by_its_shortcut(qtbot, window, document_path: Path, key, page) -> None:
    window.open_path(document_path)
    window.show_page(START if page != START else DEBRIEF)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.navigation.setFocus()

    qtbot.keyClick(window.navigation, key, Qt.KeyboardModifier.ControlModifier)

    assert window.stack.currentIndex() == page
    assert window.navigation.currentRow() == page


def test_each_workspace_is_reached_by_clicking_the_navigation(qtbot, window, document_path: Path) -> None:
    window.open_path(document_path)
    expected = [window.start_page, window.scenario_page, window.conduct_page, window.decision_log_page,
                window.debrief_page]
    for row in (DEBRIEF, START, CONDUCT, DECISION_LOG, SCENARIO):
        rect = window.navigation.visualItemRect(window.navigation.item(row))
        qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.current_page is expected[row]


def test_arrow_keys_in_the_navigation_move_between_pages(qtbot, window) -> None:
    window.activateWindow()
    window.navigation.setFocus()
    qtbot.waitUntil(window.navigation.hasFocus)
    assert window.current_page is window.start_page

    qtbot.keyClick(window.navigation, Qt.Key.Key_Down)
    assert window.current_page is window.scenario_page
    qtbot.keyClick(window.navigation, Qt.Key.Key_End)
    assert window.current_page is window.debrief_page
    # Without a document each workspace says so instead of showing stale or blank content.
    assert window.debrief_page.stack.currentWidget() is window.debrief_page.no_document


def test_navigation_and_controls_have_accessible_names(window) -> None:
    assert window.navigation.accessibleName() == "Workspaces"
    assert [window.navigation.item(i).text() for i in range(5)] == [
        "Start", "Scenario", "Conduct", "Decision log", "Debrief"]
    assert window.navigation.focusPolicy() & Qt.FocusPolicy.TabFocus
    for widget in (window.start_page.library_tree, window.start_page.create_button, window.start_page.open_button,
                   window.start_page.recent_list, window.scenario_page.msel_view, window.scenario_page.msel_filter):
        assert widget.accessibleName(), widget


def test_opening_random_bytes_reports_an_error_and_leaves_the_file_alone(qtbot, window, tmp_path: Path) -> None:
    bad = tmp_path / "not-an-exercise.ctpn"
    content = bytes(range(256)) * 64
    bad.write_bytes(content)

    assert window.open_path(bad) is False

    qtbot.waitUntil(lambda: bool(error_boxes()))
    box = error_boxes()[0]
    assert "not-an-exercise.ctpn" in box.text()
    assert box.informativeText()
    assert bad.read_bytes() == content
    assert window.document is None
    assert window.windowTitle() == "CTPN Desktop"
    assert not window.banner.isVisible()
    assert window.recent.paths() == []
    box.close()


def test_a_bad_file_keeps_the_open_exercise_open(qtbot, window, dialogs, document_path: Path,
                                                 tmp_path: Path) -> None:
    window.open_path(document_path)
    bad = tmp_path / "truncated.ctpn"
    bad.write_bytes(document_path.read_bytes()[:1000])
    dialogs.open_answers.append(bad)

    window.actions[ActionId.OPEN].trigger()

    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert window.document is not None and window.document.path == document_path
    assert window.banner.marking == "OFFICIAL"


def test_open_action_uses_the_file_dialog(window, dialogs, document_path: Path) -> None:
    dialogs.open_answers.append(document_path)
    window.actions[ActionId.OPEN].trigger()
    assert window.document is not None and window.document.path == document_path
    dialogs.open_answers.append(None)  # cancelling changes nothing
    window.actions[ActionId.OPEN].trigger()
    assert window.document.path == document_path


def test_close_returns_to_the_start_page_and_releases_the_file(window, document_path: Path) -> None:
    window.open_path(document_path)
    document = window.document
    assert window.actions[ActionId.CLOSE].isEnabled()

    window.actions[ActionId.CLOSE].trigger()

    assert document.closed
    assert window.document is None
    assert window.current_page is window.start_page
    assert not window.banner.isVisible()
    assert window.windowTitle() == "CTPN Desktop"
    assert not window.actions[ActionId.CLOSE].isEnabled()
    assert not window.actions[ActionId.SAVE_COPY].isEnabled()
    assert window.scenario_page.stack.currentWidget() is window.scenario_page.no_document
    assert not Path(str(document_path) + "-wal").exists() or Path(str(document_path) + "-wal").stat().st_size == 0


def test_save_a_copy_writes_a_document_that_opens(window, dialogs, document_path: Path, tmp_path: Path) -> None:
    window.open_path(document_path)
    target = tmp_path / "usb" / "copy.ctpn"
    target.parent.mkdir()
    dialogs.save_answers.append(target)

    window.actions[ActionId.SAVE_COPY].trigger()

    assert dialogs.asked[-1][2].name == "high-kestrel copy.ctpn"
    with open_document(target) as copy:
        assert copy.summary().injects == 23
    assert window.document.path == document_path


def test_save_a_copy_never_overwrites(qtbot, window, dialogs, document_path: Path, tmp_path: Path) -> None:
    window.open_path(document_path)
    existing = tmp_path / "existing.ctpn"
    existing.write_bytes(b"keep me")
    dialogs.save_answers.append(existing)

    window.actions[ActionId.SAVE_COPY].trigger()

    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert existing.read_bytes() == b"keep me"


def test_about_box_states_version_and_offline_use(qtbot, window) -> None:
    window.actions[ActionId.ABOUT].trigger()
    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog)
    qtbot.waitUntil(dialog.isVisible)
    from ctpn_desktop import __version__

    assert __version__ in dialog.version_label.text()
    assert "offline" in dialog.offline_label.text()
    assert "LGPL" in dialog.findChild(QTextBrowser, "licences").toPlainText()
    dialog.close()


def test_window_geometry_is_remembered(qtbot, make_window) -> None:
    first = make_window()
    size = first.minimumSizeHint().expandedTo(QSize(780, 620))  # the offscreen screen is 800 x 800
    first.resize(size)
    first.move(QPoint(10, 20))
    first.close()

    second = make_window()
    assert second.size() == size


def test_menus_hold_the_file_commands_with_standard_shortcuts(window) -> None:
    texts = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert texts == ["&New from Library…", "&Open…", "&Join Shared Exercise…", "Open &Recent", "Save a &Copy…",
                     "&Encrypt…", "Change &Passphrase…", "Remove Encr&yption…", "&Publish to Shared Room…",
                     "&Restore from Backup…", "&Close", "Se&ttings…", "&Quit"]
    assert window.actions[ActionId.OPEN].shortcut().toString() == "Ctrl+O"
    assert window.actions[ActionId.GO_SCENARIO].shortcut().toString() == "Ctrl+1"
    assert window.actions[ActionId.QUIT].shortcut().toString() == "Ctrl+Q"


def test_dark_room_colours_are_remembered(make_window, settings_path: Path) -> None:
    first = make_window()
    first.actions[ActionId.DARK_ROOM].setChecked(True)
    assert QApplication.palette().window().color().lightness() < 60
    first.close()
    second = make_window()
    assert second.actions[ActionId.DARK_ROOM].isChecked()
    second.actions[ActionId.DARK_ROOM].setChecked(False)
    assert QApplication.palette().window().color().lightness() > 150


def test_text_size_can_grow_for_people_at_the_back_of_the_room(make_window) -> None:
    window = make_window()
    before = QApplication.font().pointSizeF()
    window.actions[ActionId.ZOOM_IN].trigger()
    window.actions[ActionId.ZOOM_IN].trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(before + 2)
    assert window.scenario_page.title_label.font().pointSizeF() > QApplication.font().pointSizeF()
    window.actions[ActionId.ZOOM_RESET].trigger()
    assert QApplication.font().pointSizeF() == pytest.approx(before)


def test_banner_shows_any_marking_in_capitals(qtbot) -> None:
    from ctpn_desktop.ui.banner import MarkingBanner

    banner = MarkingBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.set_marking("official-sensitive: partners only")
    assert banner.marking == "OFFICIAL-SENSITIVE: PARTNERS ONLY"
    assert banner.isVisible()
    assert "OFFICIAL-SENSITIVE" in banner.accessibleName()
    banner.set_marking(None)
    assert not banner.isVisible()

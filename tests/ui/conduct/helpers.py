"""Shared steps of the conduct tests: open the conduct page on a library exercise and answer its dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from ctpn_desktop.ui.main_window import CONDUCT, MainWindow
from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace


def open_conduct(qtbot, window: MainWindow, document_path) -> ConductWorkspace:
    assert window.open_path(document_path)
    window.show_page(CONDUCT)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window.conduct_page


def dialog(page: ConductWorkspace) -> QDialog:
    current = page.active_dialog
    assert current is not None and current.isVisible(), "no dialog is open"
    return current


def press(qtbot, page: ConductWorkspace, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed while the queue has the focus, as the facilitator would."""
    page.queue_view.setFocus()
    qtbot.keyClick(page.queue_view, key, modifier)


def new_run(qtbot, page: ConductWorkspace, label: str, *, rehearsal: bool = False) -> None:
    press(qtbot, page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    form = dialog(page)
    qtbot.keyClicks(form.label_edit, label)
    if rehearsal:
        qtbot.mouseClick(form.rehearsal_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(form.label_edit, Qt.Key.Key_Return)
    assert page.run is not None and page.run.label == label

"""Keys act only where the facilitator can see what they act on, and no two commands share a key."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ctpn_desktop.core.entities import InjectEventKind, RunStatus

from ctpn_desktop.ui.main_window import CONDUCT, DECISION_LOG, MainWindow

from tests.ui.conduct.helpers import new_run, open_conduct, press

CTRL = Qt.KeyboardModifier.ControlModifier


def _menu_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            found.extend(_menu_actions(sub))
        elif not action.isSeparator():
            found.append(action)
    return found


def _active_keys(window: MainWindow) -> Counter[str]:
    """Every key sequence that can fire on the current page: menu bar, window-wide, and the page's own."""
    actions: set[QAction] = set(QWidget.actions(window))
    for top in window.menuBar().actions():
        if isinstance(top.menu(), QMenu):
            actions.update(_menu_actions(top.menu()))
    page = window.current_page
    for widget in [page, *page.findChildren(QWidget)]:
        if widget.isVisible():
            actions.update(a for a in QWidget.actions(widget)
                           if a.shortcutContext() != Qt.ShortcutContext.WidgetWithChildrenShortcut)
    keys: Counter[str] = Counter()
    for action in actions:
        for sequence in {s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts()}:
            if sequence:
                keys[sequence] += 1
    return keys


def test_no_two_commands_share_a_key_on_any_page(window: MainWindow, document_path) -> None:
    assert window.open_path(document_path)
    for index in range(window.stack.count()):
        window.show_page(index)
        clashes = {key: count for key, count in _active_keys(window).items() if count > 1}
        assert clashes == {}, f"page {index}: {clashes}"


def test_run_keys_do_nothing_while_another_page_is_shown(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Keys stay on their page")
    press(qtbot, page, Qt.Key.Key_F5)
    time_source.advance(3600)
    window.show_page(DECISION_LOG)
    qtbot.keyClick(window.decision_log_page, Qt.Key.Key_R, CTRL)
    assert not [e for e in page.context.runs.events(page.run.id) if e.kind is InjectEventKind.RELEASED]
    assert window.menuBar().findChild(QMenu, "runMenu") is None or all(
        a.menu() is None or a.menu().objectName() != "runMenu" for a in window.menuBar().actions())
    window.show_page(CONDUCT)
    press(qtbot, page, Qt.Key.Key_R, CTRL)
    assert [e for e in page.context.runs.events(page.run.id) if e.kind is InjectEventKind.RELEASED]
    assert page.context.runs.clock(page.run.id).status is RunStatus.RUNNING

"""A tree whose own keys win over the window's shortcuts while it has the focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTreeWidget, QWidget


class KeyedTree(QTreeWidget):
    """``keys`` maps (key, Alt held) to a command. The window may give the same key to another command (Insert adds
    an inject, Delete deletes injects): while this tree has the focus it claims the key for its own command."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys: dict[tuple[Qt.Key, bool], Callable[[], None]] = {}

    def _handler(self, event: QKeyEvent) -> Callable[[], None] | None:
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        return self.keys.get((Qt.Key(event.key()), alt))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._handler(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        handler = self._handler(event)
        if handler is None:
            super().keyPressEvent(event)
            return
        event.accept()
        handler()

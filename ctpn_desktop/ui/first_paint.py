"""Work that waits until a window is on the screen: the first paint comes before anything it does not need."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback = callback
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):
            self._done = True
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def when_first_painted(window: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` on the event loop's next turn after any part of ``window`` has painted for the first time."""
    app = QApplication.instance()
    if app is not None:
        app.installEventFilter(_FirstPaint(window, callback))

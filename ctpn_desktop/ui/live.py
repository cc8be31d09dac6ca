"""The document's change notification on the Qt side: one `changed` signal per open document.

The core's `ChangeFeed` calls its listeners on the thread that committed (the window's, or the shared-room
listener's). `LiveDocument` gathers what it hears and emits it once on its own (the GUI) thread at the next turn
of the event loop, so a page never redraws in the middle of another page's action, a burst of writes costs one
reload, and nothing on screen is touched from another thread.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal

from ctpn_desktop.core.changes import ChangeFeed, Changes


class LiveDocument(QObject):
    changed = Signal(object)
    """Emitted with the `Changes` gathered since the last emission."""
    _arrived = Signal()

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: Changes | None = None
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = feed.subscribe(self._heard)

    def _heard(self, changes: Changes) -> None:
        with self._lock:
            first = self._pending is None
            self._pending = changes if self._pending is None else self._pending | changes
        if first:
            self._arrived.emit()

    def _deliver(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, None
        if changes:
            self.changed.emit(changes)

    def flush(self) -> None:
        """Deliver what is waiting now rather than at the next turn of the event loop."""
        self._deliver()

    def close(self) -> None:
        """Stop listening: the document is being closed or replaced."""
        self._unsubscribe()
        with self._lock:
            self._pending = None

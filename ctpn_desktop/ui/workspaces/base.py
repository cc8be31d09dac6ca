"""What every workspace shares: a page title, and a clear empty state while no exercise is open."""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from ctpn_desktop.core.changes import Changes
from ctpn_desktop.core.errors import RoomOffline
from ctpn_desktop.core.roles import Permission, Station

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, heading, muted


class Workspace(QWidget):
    """A page of the main window; `set_context` gives it an open document, or None when closed."""

    title = ""
    icon_name = icons.EMPTY
    subtitle = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: DocumentContext | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        self.title_label = heading(self.title, 1, self)
        self.subtitle_label = muted(self.subtitle, self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        self.body = QWidget(self)
        self.no_document = EmptyState(
            "No exercise open",
            "Create an exercise from the library or open an exercise file on the Start page (Ctrl+0).",
            self.icon_name, self)
        self.stack = SwitchStack(self.body, self.no_document, self)
        layout.addWidget(self.stack, 1)
        self.stack.show_content(False)
        self.setAccessibleName(f"{self.title} workspace")

    def set_context(self, context: DocumentContext | None) -> None:
        previous = self.context
        if previous is not None and previous is not context:
            previous.live.changed.disconnect(self._document_changed)
        self.context = context
        if context is not None and context is not previous:
            context.live.changed.connect(self._document_changed)
        self.stack.show_content(context is not None)
        self.refresh()

    def _document_changed(self, changes: Changes) -> None:
        if self.context is None:
            return
        with contextlib.suppress(RoomOffline):  # the server went away while the page read: it keeps what it had
            self.document_changed(changes)

    def refresh_following(self) -> None:
        """`refresh` for a page that follows the document on a timer of its own: a server that went away in
        the meantime leaves the page as it was (the window says the station is offline) instead of failing."""
        if self.context is None:
            return
        with contextlib.suppress(RoomOffline):
            self.refresh()

    @property
    def station(self) -> Station | None:
        return self.context.document.station if self.context is not None else None

    def allows(self, permission: Permission) -> bool:
        """Whether this station's role lets it do ``permission`` (no document: nothing to do)."""
        station = self.station
        return station is not None and station.can(permission)

    def document_changed(self, changes: Changes) -> None:
        """Follow a committed change of the document, by this window or another station: show nothing stale."""

    def menu(self) -> QMenu | None:
        """A menu of this workspace's commands for the menu bar (between View and Help), or None.

        Its actions carry their own shortcuts, so keyboard users reach every command from anywhere."""
        return None

    def global_actions(self) -> list[QAction]:
        """Commands whose keys work from every page (the emergency halt, quick log entry); the others work only
        while this workspace is shown."""
        return []

    def refresh(self) -> None:
        """Reload what the page shows from the services."""

    def refresh_icons(self) -> None:
        self.no_document.refresh_icon()

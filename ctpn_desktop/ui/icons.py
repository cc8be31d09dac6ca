"""Every icon name the application uses, in one place, so the look can change without hunting for strings.

Icons come from qtawesome's bundled fonts: nothing is fetched at run time. Loading those fonts takes a moment,
so an icon is drawn through an engine that asks qtawesome only when the icon is first painted, and the window can
hold all icons back until its first paint is on the screen (`hold`, `release`): the window appears at once and
its icons a moment later.
"""

from __future__ import annotations

from types import ModuleType

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

# Navigation
START = "mdi6.home-outline"
SCENARIO = "mdi6.script-text-outline"
CONDUCT = "mdi6.play-circle-outline"
DECISION_LOG = "mdi6.notebook-edit-outline"
DEBRIEF = "mdi6.clipboard-text-search-outline"

# File and help
NEW = "mdi6.file-plus-outline"
OPEN = "mdi6.folder-open-outline"
SAVE_COPY = "mdi6.content-save-move-outline"
CLOSE = "mdi6.close-box-outline"
QUIT = "mdi6.exit-to-app"
ABOUT = "mdi6.information-outline"
RECENT = "mdi6.history"
DOCUMENT = "mdi6.file-document-outline"
SETTINGS = "mdi6.cog-outline"
RESTORE_BACKUP = "mdi6.backup-restore"
READ_ONLY = "mdi6.file-lock-outline"
ENCRYPTED = "mdi6.lock-outline"
DECRYPT = "mdi6.lock-open-variant-outline"
SHARE_ROOM = "mdi6.lan-connect"
JOIN_ROOM = "mdi6.account-multiple-plus-outline"
OFFLINE = "mdi6.lan-disconnect"

# View
DARK_ROOM = "mdi6.theme-light-dark"
ZOOM_IN = "mdi6.magnify-plus-outline"
ZOOM_OUT = "mdi6.magnify-minus-outline"

# Content and empty states
LIBRARY = "mdi6.book-open-page-variant-outline"
MARKING = "mdi6.shield-alert-outline"
FILTER = "mdi6.magnify"
ERROR = "mdi6.alert-circle-outline"
EMPTY = "mdi6.inbox-outline"
CLOCK = "mdi6.clock-outline"
INJECTS = "mdi6.format-list-numbered"
ORGANISATIONS = "mdi6.account-group-outline"
OBJECTIVES = "mdi6.bullseye-arrow"
TIMELINE = "mdi6.chart-timeline-variant"
REPORT = "mdi6.file-chart-outline"

# Scenario editor
ADD = "mdi6.plus"
DELETE = "mdi6.delete-outline"
MOVE_UP = "mdi6.arrow-up"
MOVE_DOWN = "mdi6.arrow-down"
DUPLICATE = "mdi6.content-duplicate"
UNDO = "mdi6.undo"
REDO = "mdi6.redo"
IMPORT = "mdi6.file-import-outline"
EXPORT = "mdi6.file-export-outline"
TEMPLATE = "mdi6.file-star-outline"
RENUMBER = "mdi6.sort-numeric-ascending"
RETIME = "mdi6.clock-edit-outline"
JUMP = "mdi6.arrow-right-circle-outline"
ATTACH = "mdi6.paperclip"
OPEN_EXTERNAL = "mdi6.open-in-new"
WARNING = "mdi6.alert-outline"
VALID = "mdi6.check-circle-outline"
ADD_ORGANISATION = "mdi6.account-plus-outline"
CELL = "mdi6.shield-account-outline"
IMAGE = "mdi6.image-outline"
FILE = "mdi6.file-outline"
BOLD = "mdi6.format-bold"
ITALIC = "mdi6.format-italic"
BULLETS = "mdi6.format-list-bulleted"
PROGRAMME = "mdi6.calendar-text-outline"
LIBRARY_SAVE = "mdi6.bookmark-plus-outline"
LIBRARY_INSERT = "mdi6.bookshelf"


_held = False


def _qtawesome() -> ModuleType:
    import qtawesome

    return qtawesome


class _FontIconEngine(QIconEngine):
    """One qtawesome icon, made on its first paint; while icons are held back it paints nothing."""

    def __init__(self, name: str, color: str) -> None:
        super().__init__()
        self._name = name
        self._color = color
        self._icon: QIcon | None = None

    def _made(self) -> QIcon | None:
        if self._icon is None and not _held:
            self._icon = _qtawesome().icon(self._name, color=self._color)
        return self._icon

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        made = self._made()
        if made is not None:
            made.paint(painter, rect, Qt.AlignmentFlag.AlignCenter, mode, state)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        made = self._made()
        if made is not None:
            return made.pixmap(size, mode, state)
        blank = QPixmap(size)
        blank.fill(Qt.GlobalColor.transparent)
        return blank

    def clone(self) -> QIconEngine:
        return _FontIconEngine(self._name, self._color)

    def key(self) -> str:
        return "ctpn-font-icon"


def icon(name: str, color: str | None = None) -> QIcon:
    """A themed icon; without a colour it follows the palette's text colour so it stays visible in dark mode."""
    if color is None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else None
        color = palette.windowText().color().name() if palette is not None else "#202020"
    return QIcon(_FontIconEngine(name, color))


def hold() -> None:
    """Paint icons blank until `release`: the window's first paint need not wait for the icon fonts."""
    global _held
    _held = True


def release(window: QWidget | None = None) -> None:
    """Let icons load again and repaint ``window`` so the ones painted blank appear."""
    global _held
    _held = False
    if window is not None:
        window.update()
        for child in window.findChildren(QWidget):
            child.update()

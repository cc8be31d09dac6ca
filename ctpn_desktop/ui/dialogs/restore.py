"""Restore from a backup: the backups of the open exercise, newest first, and the two ways to restore one.

"Restore as a new file" never touches the open exercise. "Replace the exercise" asks first, then the window
closes the exercise, keeps its current state as one more backup and puts the chosen one in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.services.backups import Backup

from ctpn_desktop.ui.widgets import muted

COLUMNS = ("Taken", "Why", "Size")


def when(backup: Backup) -> str:
    """The time a backup was taken, in the laptop's own time zone."""
    local = backup.taken_at.astimezone()
    today = datetime.now().astimezone().date()
    day = "Today" if local.date() == today else local.strftime("%a %d %b %Y")
    return f"{day}, {local:%H:%M:%S}"


def why(backup: Backup) -> str:
    if backup.reason == "open":
        return "When the exercise was opened"
    if backup.reason == "timer":
        return "Regular backup"
    if backup.reason == "before-restore":
        return "Before a restore replaced it"
    if backup.before_migration:
        return f"Before the update from schema {backup.reason.removeprefix('before-')}"
    return "Taken by hand"


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def describe(backup: Backup) -> str:
    return f"{when(backup)} ({size_text(backup.size)})"


class RestoreDialog(QDialog):
    """Lists backups; emits which one to restore and how. The window does the restoring."""

    restore_as_new = Signal(object)
    replace_current = Signal(object)

    def __init__(self, document_name: str, backups: list[Backup], parent: QWidget | None = None, *,
                 can_replace: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from Backup")
        self.setAccessibleName("Restore from backup")
        self.setMinimumSize(620, 380)
        self.backups = backups
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.setSpacing(10)
        intro = QLabel(f"Backups of “{document_name}”, newest first. Restoring as a new file leaves the "
                       "exercise as it is.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.list = QTreeWidget(self)
        self.list.setObjectName("backupList")
        self.list.setAccessibleName("Backups")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setHeaderLabels(list(COLUMNS))
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.list.headerItem().setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for backup in backups:
            item = QTreeWidgetItem([when(backup), why(backup), size_text(backup.size)])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(0, str(backup.path))
            self.list.addTopLevelItem(item)
        layout.addWidget(self.list, 1)
        self.empty_label = muted("No backups of this exercise yet. One is taken each time it is opened and "
                                 "every few minutes while it is open (see Settings).", self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.empty_label, 1)
        self.list.setVisible(bool(backups))
        self.empty_label.setVisible(not backups)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.new_button = QPushButton("Restore as &New File…", self)
        self.new_button.setObjectName("restoreAsNew")
        self.replace_button = QPushButton("&Replace Exercise…", self)
        self.replace_button.setObjectName("replaceCurrent")
        if not can_replace:
            self.replace_button.setToolTip("The exercise is open read-only, so it cannot be replaced")
        self._can_replace = can_replace
        self.buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.replace_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.new_button.clicked.connect(lambda: self._chosen(self.restore_as_new))
        self.replace_button.clicked.connect(lambda: self._chosen(self.replace_current))
        self.list.itemDoubleClicked.connect(lambda *_: self._chosen(self.restore_as_new))
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.buttons)
        if backups:
            self.list.setCurrentItem(self.list.topLevelItem(0))
            self.list.setFocus()
        self._update_buttons()

    def selected(self) -> Backup | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self.backups[self.list.indexOfTopLevelItem(item)]

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.new_button.setEnabled(chosen)
        self.replace_button.setEnabled(chosen and self._can_replace)

    def _chosen(self, signal: Signal) -> None:
        backup = self.selected()
        if backup is None:
            return
        self.accept()
        signal.emit(backup)  # type: ignore[attr-defined]


def confirm(parent: QWidget, title: str, text: str, details: str, accept_text: str,
            on_accept: Callable[[], None]) -> QMessageBox:
    """Ask before doing something that cannot be undone, without a nested event loop; Cancel is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirmBox")
    box.setInformativeText(details)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    accept = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
    accept.setObjectName("confirmAccept")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    box.buttonClicked.connect(lambda button: on_accept() if button is accept else None)
    box.open()
    return box

"""Questions the UI asks the user (where to save, which file to open) behind a small protocol.

The real implementation uses QFileDialog; tests hand in answers, as git-cola's `Interaction` does.
Errors are shown with a window-modal QMessageBox opened without a nested event loop, so nothing blocks and
a test can find the box and read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

DOCUMENT_FILTER = "CTPN exercise (*.ctpn);;All files (*)"


class FileDialogs(Protocol):
    def save_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None: ...

    def open_path(self, parent: QWidget, title: str, directory: Path) -> Path | None: ...


class QtFileDialogs:
    """Native file dialogs; an existing file is never offered for overwriting (we refuse it after)."""

    def save_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, title, str(suggested), DOCUMENT_FILTER, options=QFileDialog.Option.DontConfirmOverwrite)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".ctpn")

    def open_path(self, parent: QWidget, title: str, directory: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, str(directory), DOCUMENT_FILTER)
        return Path(name) if name else None


def show_error(parent: QWidget, title: str, text: str, details: str = "") -> QMessageBox:
    """Tell the user what went wrong without blocking the caller; the box deletes itself when closed."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if details:
        box.setInformativeText(details)
    box.setAccessibleName(title)
    box.open()
    return box

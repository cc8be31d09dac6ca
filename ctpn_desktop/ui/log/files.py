"""Where the log asks which file to merge from or write to, behind a small protocol so tests can answer."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

from ctpn_desktop.ui.dialogs.prompts import DOCUMENT_FILTER

CSV_FILTER = "CSV file (*.csv);;All files (*)"


class LogFiles(Protocol):
    def merge_source(self, parent: QWidget, directory: Path) -> Path | None: ...

    def csv_target(self, parent: QWidget, suggested: Path) -> Path | None: ...


class QtLogFiles:
    def merge_source(self, parent: QWidget, directory: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Merge logs from another copy", str(directory),
                                              DOCUMENT_FILTER)
        return Path(name) if name else None

    def csv_target(self, parent: QWidget, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Export the decision log as CSV", str(suggested), CSV_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".csv")

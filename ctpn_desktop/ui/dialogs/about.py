"""The About box: version, the offline promise, and the licences of what ships inside the application."""

from __future__ import annotations

import html
import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.widgets import IconLabel, heading, muted

from ctpn_desktop import APP_NAME, __version__

OFFLINE_STATEMENT = (
    "CTPN Desktop works entirely offline. It never connects to a network, sends no telemetry, and every font, "
    "icon and scenario it uses ships inside the application. Exercise files stay where you save them."
)

BUNDLED: tuple[tuple[str, str], ...] = (
    ("Python", "Python Software Foundation License"),
    ("Qt 6 and PySide6 (Qt for Python)", "GNU LGPL v3"),
    ("QtAwesome", "MIT License"),
    ("Material Design Icons (via QtAwesome)", "Apache License 2.0 / Pictogrammers Free License"),
    ("Font Awesome Free fonts (via QtAwesome)", "SIL Open Font License 1.1; icons CC BY 4.0"),
    ("SQLAlchemy and Alembic", "MIT License"),
    ("SQLite", "Public domain"),
    ("pydantic", "MIT License"),
    ("ReportLab", "BSD License"),
    ("openpyxl", "MIT License"),
    ("platformdirs", "MIT License"),
)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.setAccessibleName(f"About {APP_NAME}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.setSpacing(12)

        top = QHBoxLayout()
        logo = IconLabel(icons.icon(icons.MARKING), 48, self)
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.addWidget(heading(APP_NAME, 1, self))
        self.version_label = QLabel(f"Version {__version__}", self)
        self.version_label.setObjectName("versionLabel")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        titles.addWidget(self.version_label)
        titles.addWidget(muted(
            f"Python {platform.python_version()} · Qt {qVersion()} · PySide6 {PySide6.__version__}", self))
        top.addLayout(titles, 1)
        layout.addLayout(top)

        self.offline_label = QLabel(OFFLINE_STATEMENT, self)
        self.offline_label.setObjectName("offlineStatement")
        self.offline_label.setWordWrap(True)
        layout.addWidget(self.offline_label)

        layout.addWidget(heading("Bundled software and licences", 2, self))
        licences = QTextBrowser(self)
        licences.setObjectName("licences")
        licences.setAccessibleName("Bundled software and licences")
        licences.setOpenLinks(False)
        rows = "".join(
            f"<tr><td style='padding:2px 12px 2px 0'>{html.escape(name)}</td>"
            f"<td style='padding:2px 0'>{html.escape(licence)}</td></tr>"
            for name, licence in BUNDLED
        )
        licences.setHtml(f"<table>{rows}</table>")
        licences.setMinimumHeight(200)
        layout.addWidget(licences, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

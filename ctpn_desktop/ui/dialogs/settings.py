"""The preferences dialog: backups, the exercise defaults, the report's organisation, sound and readability.

Everything is read from and written to QSettings through the keys declared in `ui/preferences.py`; nothing
is stored until OK, and a folder or logo that cannot be used is explained next to its field instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.services.backups import DEFAULT_INTERVAL_MIN

from ctpn_desktop.ui import preferences

from ctpn_desktop import paths

MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
TEXT_SIZES = tuple(range(-2, 13))
MAX_INTERVAL_MIN = 120
LOGO_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif);;All files (*)"

ChooseFolderFn = Callable[[QWidget, str, Path], Path | None]
ChooseFileFn = Callable[[QWidget, str, Path], Path | None]


def _qt_choose_folder(parent: QWidget, title: str, start: Path) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title, str(start))
    return Path(name) if name else None


def _qt_choose_logo(parent: QWidget, title: str, start: Path) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, str(start), LOGO_FILTER)
    return Path(name) if name else None


def backup_folder(settings: QSettings) -> Path:
    """The folder chosen for backups, or the default one under the user's data folder."""
    value = settings.value(preferences.BACKUP_FOLDER)
    return Path(str(value)) if value else paths.default_backups_dir()


def backup_interval_min(settings: QSettings) -> int:
    """Minutes between backups while an exercise is open; 0 turns the timed backups off."""
    value = preferences.read_int(settings, preferences.BACKUP_INTERVAL_MIN, DEFAULT_INTERVAL_MIN)
    return max(0, min(MAX_INTERVAL_MIN, value))


def text_size_label(delta: int) -> str:
    if delta == 0:
        return "Normal"
    return f"Larger (+{delta})" if delta > 0 else f"Smaller (−{-delta})"


def folder_problem(folder: Path) -> str:
    """Why backups could not be written to ``folder``; empty when they can."""
    if not str(folder).strip():
        return "Choose a folder for the backups."
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"The folder cannot be created ({error.strerror or error})."
    if not folder.is_dir():
        return "This is a file, not a folder."
    if not os.access(folder, os.W_OK | os.X_OK):
        return "This folder cannot be written to."
    return ""


def logo_problem(path: Path) -> str:
    """Why ``path`` cannot be the report's logo; empty when it can."""
    if not path.is_file():
        return "The logo file does not exist."
    reader = QImageReader(str(path))
    if not reader.canRead():
        return "This file is not an image the report can use (PNG, JPEG, BMP or GIF)."
    return ""


class SettingsDialog(QDialog):
    """Edits the preferences; ``applied`` is emitted after OK stored them, so the window can follow."""

    applied = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None, *,
                 choose_folder: ChooseFolderFn = _qt_choose_folder,
                 choose_logo: ChooseFileFn = _qt_choose_logo) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(560)
        self.settings = settings
        self._choose_folder = choose_folder
        self._choose_logo = choose_logo

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.setSpacing(14)
        layout.addWidget(self._backups_group())
        layout.addWidget(self._exercise_group())
        layout.addWidget(self._display_group())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout.addWidget(self.buttons)
        self._align_labels()
        self.load()

    # Construction -------------------------------------------------------------------------------------------
    def _backups_group(self) -> QGroupBox:
        group = QGroupBox("Backups", self)
        form = QFormLayout(group)
        row = QHBoxLayout()
        self.backup_folder_edit = QLineEdit(group)
        self.backup_folder_edit.setObjectName("backupFolder")
        self.backup_folder_edit.setAccessibleName("Backup folder")
        self.backup_folder_button = QPushButton("Choose…", group)
        self.backup_folder_button.setAccessibleName("Choose the backup folder")
        self.backup_folder_button.clicked.connect(self._pick_folder)
        row.addWidget(self.backup_folder_edit, 1)
        row.addWidget(self.backup_folder_button)
        folder_label = QLabel("Backup &folder:", group)
        folder_label.setBuddy(self.backup_folder_edit)
        form.addRow(folder_label, row)
        self.backup_folder_error = self._error_label(group)
        form.addRow("", self.backup_folder_error)

        self.interval_spin = QSpinBox(group)
        self.interval_spin.setObjectName("backupInterval")
        self.interval_spin.setAccessibleName("Minutes between backups")
        self.interval_spin.setRange(0, MAX_INTERVAL_MIN)
        self.interval_spin.setSuffix(" min")
        self.interval_spin.setSpecialValueText("Only when an exercise is opened")
        interval_label = QLabel("Back up &every:", group)
        interval_label.setBuddy(self.interval_spin)
        form.addRow(interval_label, self.interval_spin)
        return group

    def _exercise_group(self) -> QGroupBox:
        group = QGroupBox("Exercises and reports", self)
        form = QFormLayout(group)
        self.marking_combo = QComboBox(group)
        self.marking_combo.setObjectName("defaultMarking")
        self.marking_combo.setEditable(True)
        self.marking_combo.addItems(MARKINGS)
        self.marking_combo.setAccessibleName("Default protective marking")
        self.marking_combo.setToolTip("The marking new exercises start with; a custom caveat can be typed")
        marking_label = QLabel("Default &marking:", group)
        marking_label.setBuddy(self.marking_combo)
        form.addRow(marking_label, self.marking_combo)

        self.organisation_edit = QLineEdit(group)
        self.organisation_edit.setObjectName("organisationName")
        self.organisation_edit.setAccessibleName("Organisation name")
        self.organisation_edit.setPlaceholderText("Printed on the debrief cover, e.g. City Resilience Forum")
        organisation_label = QLabel("&Organisation:", group)
        organisation_label.setBuddy(self.organisation_edit)
        form.addRow(organisation_label, self.organisation_edit)

        row = QHBoxLayout()
        self.logo_preview = QLabel(group)
        self.logo_preview.setObjectName("logoPreview")
        self.logo_preview.setFixedSize(48, 48)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_edit = QLineEdit(group)
        self.logo_edit.setObjectName("organisationLogo")
        self.logo_edit.setAccessibleName("Organisation logo file")
        self.logo_edit.setPlaceholderText("No logo")
        self.logo_edit.textChanged.connect(self._show_logo)
        self.logo_button = QPushButton("Choose…", group)
        self.logo_button.setAccessibleName("Choose the organisation logo")
        self.logo_button.clicked.connect(self._pick_logo)
        row.addWidget(self.logo_preview)
        row.addWidget(self.logo_edit, 1)
        row.addWidget(self.logo_button)
        logo_label = QLabel("&Logo:", group)
        logo_label.setBuddy(self.logo_edit)
        form.addRow(logo_label, row)
        self.logo_error = self._error_label(group)
        form.addRow("", self.logo_error)
        return group

    def _display_group(self) -> QGroupBox:
        group = QGroupBox("Sound and display", self)
        form = QFormLayout(group)
        self.sound_check = QCheckBox("&Sound when an inject becomes due", group)
        self.sound_check.setObjectName("soundOn")
        form.addRow(self.sound_check)
        self.text_size_combo = QComboBox(group)
        self.text_size_combo.setObjectName("textSize")
        self.text_size_combo.setAccessibleName("Text size")
        for delta in TEXT_SIZES:
            self.text_size_combo.addItem(text_size_label(delta), delta)
        size_label = QLabel("&Text size:", group)
        size_label.setBuddy(self.text_size_combo)
        form.addRow(size_label, self.text_size_combo)
        self.high_contrast_check = QCheckBox("&High contrast (white on black, yellow focus)", group)
        self.high_contrast_check.setObjectName("highContrast")
        form.addRow(self.high_contrast_check)
        return group

    def _align_labels(self) -> None:
        """One label column across the three groups, so the fields line up."""
        labels = [label for label in self.findChildren(QLabel) if label.buddy() is not None]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    @staticmethod
    def _error_label(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.hide()
        return label

    def _show_error(self, label: QLabel, text: str) -> None:
        window = self.palette().window().color()
        colour = "#ffff00" if window == Qt.GlobalColor.black else "#ff8a80" if window.lightness() < 128 else "#b3261e"
        label.setStyleSheet(f"color: {colour}; font-weight: 600;")
        label.setText(text)
        label.setAccessibleName(text)
        label.setVisible(bool(text))

    # Values -------------------------------------------------------------------------------------------------
    def load(self) -> None:
        s = self.settings
        self.backup_folder_edit.setText(str(backup_folder(s)))
        self.interval_spin.setValue(backup_interval_min(s))
        marking = str(s.value(preferences.DEFAULT_MARKING) or MARKINGS[0])
        self.marking_combo.setCurrentText(marking)
        self.organisation_edit.setText(str(s.value(preferences.ORGANISATION_NAME) or ""))
        self.logo_edit.setText(str(s.value(preferences.ORGANISATION_LOGO) or ""))
        self.sound_check.setChecked(preferences.read_bool(s, preferences.SOUND_ON))
        delta = preferences.read_int(s, preferences.TEXT_SIZE)
        index = self.text_size_combo.findData(max(TEXT_SIZES[0], min(TEXT_SIZES[-1], delta)))
        self.text_size_combo.setCurrentIndex(index)
        self.high_contrast_check.setChecked(preferences.read_bool(s, preferences.HIGH_CONTRAST))
        self._show_logo(self.logo_edit.text())
        for label in (self.backup_folder_error, self.logo_error):
            self._show_error(label, "")

    def restore_defaults(self) -> None:
        self.backup_folder_edit.setText(str(paths.default_backups_dir()))
        self.interval_spin.setValue(DEFAULT_INTERVAL_MIN)
        self.marking_combo.setCurrentText(MARKINGS[0])
        self.sound_check.setChecked(False)
        self.text_size_combo.setCurrentIndex(self.text_size_combo.findData(0))
        self.high_contrast_check.setChecked(False)

    def _pick_folder(self) -> None:
        chosen = self._choose_folder(self, "Folder for backups", Path(self.backup_folder_edit.text() or Path.home()))
        if chosen is not None:
            self.backup_folder_edit.setText(str(chosen))

    def _pick_logo(self) -> None:
        current = Path(self.logo_edit.text()) if self.logo_edit.text() else paths.documents_dir()
        chosen = self._choose_logo(self, "Organisation logo", current.parent if current.is_file() else current)
        if chosen is not None:
            self.logo_edit.setText(str(chosen))

    def _show_logo(self, text: str) -> None:
        pixmap = QPixmap(text) if text.strip() else QPixmap()
        self.logo_preview.setVisible(not pixmap.isNull())
        if pixmap.isNull():
            self.logo_preview.clear()
        else:
            self.logo_preview.setPixmap(pixmap.scaled(
                48, 48, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))

    def problems(self) -> dict[str, str]:
        """What stops OK, by field."""
        found = {}
        folder_text = self.backup_folder_edit.text().strip()
        problem = folder_problem(Path(folder_text)) if folder_text else "Choose a folder for the backups."
        if problem:
            found["backup_folder"] = problem
        logo = self.logo_edit.text().strip()
        if logo and (problem := logo_problem(Path(logo))):
            found["logo"] = problem
        return found

    def accept(self) -> None:
        problems = self.problems()
        for key, label, focus in (("backup_folder", self.backup_folder_error, self.backup_folder_edit),
                                  ("logo", self.logo_error, self.logo_edit)):
            self._show_error(label, problems.get(key, ""))
            if key in problems and next(iter(problems)) == key:
                focus.setFocus()
        if problems:
            return
        s = self.settings
        s.setValue(preferences.BACKUP_FOLDER, self.backup_folder_edit.text().strip())
        s.setValue(preferences.BACKUP_INTERVAL_MIN, self.interval_spin.value())
        s.setValue(preferences.DEFAULT_MARKING, " ".join(self.marking_combo.currentText().split()).upper()
                   or MARKINGS[0])
        s.setValue(preferences.ORGANISATION_NAME, self.organisation_edit.text().strip())
        s.setValue(preferences.ORGANISATION_LOGO, self.logo_edit.text().strip())
        s.setValue(preferences.SOUND_ON, self.sound_check.isChecked())
        s.setValue(preferences.TEXT_SIZE, int(self.text_size_combo.currentData()))
        s.setValue(preferences.HIGH_CONTRAST, self.high_contrast_check.isChecked())
        s.sync()
        super().accept()
        self.applied.emit()

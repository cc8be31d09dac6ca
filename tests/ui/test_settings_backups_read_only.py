"""Settings, restoring from backups, damaged files and read-only documents, driven through the real window."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QPushButton

from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop.ui import preferences
from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.dialogs.restore import RestoreDialog
from ctpn_desktop.ui.dialogs.settings import SettingsDialog

from tests.ui.conftest import error_boxes


def confirm_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "confirmBox" and w.isVisible()]


def click_accept(qtbot, box: QMessageBox) -> None:
    button = box.findChild(QPushButton, "confirmAccept")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def title_of(path: Path) -> str:
    with open_document(path, read_only=True) as document:
        return ScenarioService(document).load().exercise.title


def retitle(window, title: str) -> None:
    service = window.context.scenario
    service.put_exercise(dataclasses.replace(service.load().exercise, title=title))


def settings_with_backups(settings_path: Path, folder: Path) -> None:
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    settings.setValue(preferences.BACKUP_FOLDER, str(folder))
    settings.sync()


# Settings -----------------------------------------------------------------------------------------------------
@pytest.fixture
def restore_theme():
    yield
    from ctpn_desktop.ui import theme

    app = QApplication.instance()
    theme.apply_theme(app, False, False)
    app.setFont(theme.readable_font(app))


def test_settings_open_with_ctrl_comma_and_store_every_choice(qtbot, window, tmp_path: Path,
                                                              restore_theme) -> None:
    logo = tmp_path / "logo.png"
    image = QImage(64, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("#204080"))
    image.save(str(logo))
    before = QApplication.font().pointSizeF()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.isVisible)

    folder = tmp_path / "usb backups"
    dialog.backup_folder_edit.clear()
    qtbot.keyClicks(dialog.backup_folder_edit, str(folder))
    dialog.interval_spin.selectAll()
    qtbot.keyClicks(dialog.interval_spin, "2")
    dialog.marking_combo.lineEdit().selectAll()
    qtbot.keyClicks(dialog.marking_combo.lineEdit(), "official-sensitive  personal")
    qtbot.keyClicks(dialog.organisation_edit, "Northgate Resilience Forum")
    qtbot.keyClicks(dialog.logo_edit, str(logo))
    qtbot.mouseClick(dialog.sound_check, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.sound_check.height() // 2))
    dialog.text_size_combo.setFocus()
    qtbot.keyClick(dialog.text_size_combo, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.text_size_combo, Qt.Key.Key_Down)
    dialog.high_contrast_check.setFocus()
    qtbot.keyClick(dialog.high_contrast_check, Qt.Key.Key_Space)
    assert dialog.logo_preview.pixmap() is not None and not dialog.logo_preview.pixmap().isNull()

    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    stored = QSettings(str(window.settings.fileName()), QSettings.Format.IniFormat)
    assert stored.value(preferences.BACKUP_FOLDER) == str(folder) and folder.is_dir()
    assert preferences.read_int(stored, preferences.BACKUP_INTERVAL_MIN) == 2
    assert stored.value(preferences.DEFAULT_MARKING) == "OFFICIAL-SENSITIVE PERSONAL"
    assert stored.value(preferences.ORGANISATION_NAME) == "Northgate Resilience Forum"
    assert stored.value(preferences.ORGANISATION_LOGO) == str(logo)
    assert preferences.read_bool(stored, preferences.SOUND_ON)
    assert preferences.read_int(stored, preferences.TEXT_SIZE) == 2
    assert preferences.read_bool(stored, preferences.HIGH_CONTRAST)
    # The window follows at once: high contrast, larger text, the new backup folder.
    palette = QApplication.palette()
    assert palette.window().color() == QColor("#000000") and palette.windowText().color() == QColor("#ffffff")
    assert palette.highlight().color() == QColor("#ffff00")
    assert QApplication.font().pointSizeF() == pytest.approx(before + 2)
    assert window.backups.folder == folder


def test_settings_refuse_a_folder_that_is_a_file_and_a_logo_that_is_not_an_image(qtbot, settings,
                                                                                 tmp_path: Path) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("notes", encoding="utf-8")
    dialog.backup_folder_edit.setText(str(not_a_folder))
    dialog.logo_edit.setText(str(not_a_folder))

    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.backup_folder_error.isVisible() and "cannot be created" in dialog.backup_folder_error.text()
    assert dialog.logo_error.isVisible() and "not an image" in dialog.logo_error.text()
    assert settings.value(preferences.BACKUP_FOLDER) is None
    dialog.backup_folder_edit.setText(str(tmp_path / "fine"))
    dialog.logo_edit.clear()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert settings.value(preferences.BACKUP_FOLDER) == str(tmp_path / "fine")


def test_settings_cancel_stores_nothing_and_defaults_can_be_restored(qtbot, settings) -> None:
    settings.setValue(preferences.BACKUP_INTERVAL_MIN, 30)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.interval_spin.value() == 30
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults),
                     Qt.MouseButton.LeftButton)
    assert dialog.interval_spin.value() == 5 and not dialog.sound_check.isChecked()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert preferences.read_int(settings, preferences.BACKUP_INTERVAL_MIN) == 30


# Backups and restoring ---------------------------------------------------------------------------------------
def test_opening_backs_up_and_the_timer_backs_up_only_changes(qtbot, make_window, settings_path: Path,
                                                               document_path: Path, tmp_path: Path) -> None:
    settings_with_backups(settings_path, tmp_path / "backups")
    window = make_window()
    window.open_path(document_path)
    qtbot.waitUntil(lambda: len(window.backups.backups(document_path)) == 1)
    assert window.backup_timer.isActive() and window.backup_timer.interval() == 5 * 60_000

    window.backup_timer.timeout.emit()  # nothing changed since the backup taken on opening
    assert len(window.backups.backups(document_path)) == 1
    retitle(window, "Changed during play")
    window.backup_timer.timeout.emit()
    newest = window.backups.backups(document_path)[0]
    assert newest.reason == "timer" and title_of(newest.path) == "Changed during play"

    window.actions[ActionId.CLOSE].trigger()
    assert not window.backup_timer.isActive()


def test_restore_as_a_new_file_from_the_file_menu(qtbot, make_window, settings_path: Path, dialogs,
                                                  document_path: Path, tmp_path: Path) -> None:
    settings_with_backups(settings_path, tmp_path / "backups")
    window = make_window()
    window.open_path(document_path)
    qtbot.waitUntil(lambda: len(window.backups.backups(document_path)) == 1)
    original_title = title_of(window.backups.backups(document_path)[0].path)
    retitle(window, "A mistake")
    window.backup_now()

    window.actions[ActionId.RESTORE_BACKUP].trigger()
    dialog = window.restore_dialog
    assert isinstance(dialog, RestoreDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.list.topLevelItemCount() == 2
    assert dialog.list.topLevelItem(0).text(1) == "Regular backup"
    assert dialog.list.topLevelItem(1).text(1) == "When the exercise was opened"
    assert dialog.list.topLevelItem(0).text(2).endswith("KB")
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    target = tmp_path / "restored.ctpn"
    dialogs.save_answers.append(target)

    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)

    assert "restored" in dialogs.asked[-1][2].name
    assert window.document is not None and window.document.path == target
    assert window.context.scenario.load().exercise.title == original_title
    assert title_of(document_path) == "A mistake"


def test_replacing_the_exercise_asks_first_and_keeps_the_replaced_state(qtbot, make_window, settings_path: Path,
                                                                         document_path: Path, tmp_path: Path) -> None:
    settings_with_backups(settings_path, tmp_path / "backups")
    window = make_window()
    window.open_path(document_path)
    qtbot.waitUntil(lambda: len(window.backups.backups(document_path)) == 1)
    original_title = window.context.scenario.load().exercise.title
    retitle(window, "A mistake")

    window.actions[ActionId.RESTORE_BACKUP].trigger()
    qtbot.waitUntil(lambda: window.restore_dialog is not None and window.restore_dialog.isVisible())
    qtbot.mouseClick(window.restore_dialog.replace_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(confirm_boxes()))
    assert title_of(document_path) == "A mistake"  # nothing happens before the answer

    click_accept(qtbot, confirm_boxes()[0])

    assert window.document is not None and window.document.path == document_path
    assert window.context.scenario.load().exercise.title == original_title
    kept = [b for b in window.backups.backups(document_path) if b.reason == "before-restore"]
    assert len(kept) == 1 and title_of(kept[0].path) == "A mistake"


def test_a_damaged_file_is_offered_its_newest_good_backup(qtbot, make_window, settings_path: Path, dialogs,
                                                          document_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    settings_with_backups(settings_path, folder)
    service = BackupService(folder)
    good = service.take(document_path, "open")
    broken = service.take(document_path, "timer")
    broken.path.write_bytes(broken.path.read_bytes()[:3000])  # the newest backup is damaged too
    damaged = document_path.read_bytes()[: len(document_path.read_bytes()) // 2]
    document_path.write_bytes(damaged)
    window = make_window()

    assert not window.open_path(document_path)

    qtbot.waitUntil(lambda: bool(confirm_boxes()))
    box = confirm_boxes()[0]
    assert "damaged" in box.text() and "truncated" in box.informativeText()
    target = tmp_path / "recovered.ctpn"
    dialogs.save_answers.append(target)
    click_accept(qtbot, box)

    assert window.document is not None and window.document.path == target
    assert window.context.scenario.load().exercise.title == title_of(good.path)
    assert document_path.read_bytes() == damaged  # the damaged file is left as it was


def test_a_damaged_file_without_backups_gets_the_plain_explanation(qtbot, window, document_path: Path) -> None:
    document_path.write_bytes(document_path.read_bytes()[:5000])
    assert not window.open_path(document_path)
    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert "truncated" in error_boxes()[0].informativeText()
    assert not confirm_boxes()


def test_a_backup_folder_that_cannot_be_written_is_reported_once(qtbot, make_window, settings_path: Path,
                                                                  document_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    settings_with_backups(settings_path, blocker / "backups")
    window = make_window()
    window.open_path(document_path)
    qtbot.waitUntil(lambda: bool(error_boxes()))
    assert error_boxes()[0].text().startswith("“high-kestrel.ctpn” could not be backed up")
    error_boxes()[0].close()
    retitle(window, "Still saved in the exercise")
    window.backup_timer.timeout.emit()
    assert not error_boxes()
    assert "Backup failed" in window.statusBar().currentMessage()
    assert title_of(document_path) == "Still saved in the exercise"


# Read-only documents -------------------------------------------------------------------------------------------
def test_a_read_only_document_opens_with_a_banner_and_a_way_to_a_writable_copy(
        qtbot, window, dialogs, document_path: Path, tmp_path: Path) -> None:
    document_path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = document_path.read_bytes()

    assert window.open_path(document_path)

    assert window.document.read_only
    assert window.read_only_banner.isVisible()
    assert "Read-only: “high-kestrel.ctpn”" in window.read_only_banner.text_label.text()
    assert window.banner.isVisible()  # the marking stays above it
    assert not window.backup_timer.isActive()
    copy = tmp_path / "writable.ctpn"
    dialogs.save_answers.append(copy)
    qtbot.mouseClick(window.read_only_banner.copy_button, Qt.MouseButton.LeftButton)
    with open_document(copy) as writable:
        assert not writable.read_only
    assert document_path.read_bytes() == before

    window.open_path(copy)
    assert not window.read_only_banner.isVisible()
    window.actions[ActionId.CLOSE].trigger()
    assert not window.read_only_banner.isVisible()

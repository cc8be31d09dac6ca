"""Encrypted exercises in the window: the passphrase dialogs, opening, File ▸ Encrypt… and Remove Encryption…,
the lock in the status bar, and backups."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ctpn_desktop.core.services.encryption import encrypt_file
from ctpn_desktop.storage import db

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.dialogs.passphrase import LOST_WARNING, NewPassphraseDialog, PassphraseDialog
from ctpn_desktop.ui.main_window import SCENARIO, START, MainWindow

from tests.ui.conftest import ScriptedPassphrases, error_boxes

PASSPHRASE = "kestrel over the quay at dawn"


def state(path: Path) -> tuple[str, int, list[str]]:
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir()))


@pytest.fixture
def encrypted_path(document_path: Path) -> Path:
    encrypt_file(document_path, PASSPHRASE)
    return document_path


def test_opening_asks_for_the_passphrase_says_when_it_is_wrong_and_writes_nothing(
        window: MainWindow, encrypted_path: Path) -> None:
    before = state(encrypted_path)
    states: list[tuple[str, int, list[str]]] = []
    prompts = ScriptedPassphrases(["kestrel over the quay", PASSPHRASE],
                                  on_ask=lambda: states.append(state(encrypted_path)))
    window.encryption.prompts = prompts
    assert window.open_path(encrypted_path)
    assert prompts.asked[0][1] == ""
    assert "passphrase does not open this exercise" in prompts.asked[1][1]
    assert states == [before, before]  # nothing written by the attempt with the wrong passphrase
    document = window.document
    assert document is not None and document.encrypted
    assert window.stack.currentIndex() == SCENARIO
    assert window.encryption.indicator.isVisible()
    assert window.actions[ActionId.DECRYPT].isEnabled() and not window.actions[ActionId.ENCRYPT].isEnabled()
    assert not error_boxes()
    window.statusBar().grab().save("/tmp/ctpn-encrypted-status-bar.png")


def test_cancelling_the_passphrase_opens_nothing_and_changes_nothing(window: MainWindow,
                                                                     encrypted_path: Path) -> None:
    before = state(encrypted_path)
    window.encryption.prompts = ScriptedPassphrases(["wrong", None])
    assert not window.open_path(encrypted_path)
    assert window.document is None and window.stack.currentIndex() == START
    assert state(encrypted_path) == before and not error_boxes()


def test_encrypt_then_remove_the_encryption_from_the_file_menu(window: MainWindow, document_path: Path,
                                                               settings_path: Path) -> None:
    prompts = ScriptedPassphrases(["not the one", PASSPHRASE], new=[PASSPHRASE])
    window.encryption.prompts = prompts
    assert window.open_path(document_path)
    assert not window.encryption.indicator.isVisible() and window.actions[ActionId.ENCRYPT].isEnabled()
    window.actions[ActionId.ENCRYPT].trigger()
    assert db.is_encrypted(document_path) and b"HIGH KESTREL" not in document_path.read_bytes().upper()
    document = window.document
    assert document is not None and document.encrypted and window.encryption.indicator.isVisible()
    assert "is encrypted" in window.statusBar().currentMessage()
    window.actions[ActionId.DECRYPT].trigger()
    assert [purpose for _, _, purpose in prompts.asked] == ["new", "decrypt", "decrypt"]
    assert "does not open" in prompts.asked[2][1]
    document = window.document
    assert document is not None and not document.encrypted and not db.is_encrypted(document_path)
    assert not window.encryption.indicator.isVisible()
    window.settings.sync()
    assert PASSPHRASE not in settings_path.read_text(encoding="utf-8")
    assert str(document_path) in settings_path.read_text(encoding="utf-8")  # the recent file is listed


def test_cancelling_encryption_leaves_the_exercise_open_and_plain(window: MainWindow, document_path: Path) -> None:
    window.encryption.prompts = ScriptedPassphrases([], new=[None])
    assert window.open_path(document_path)
    before = window.document
    window.actions[ActionId.ENCRYPT].trigger()
    assert window.document is before and not db.is_encrypted(document_path)


def test_backups_of_an_encrypted_exercise_are_encrypted(window: MainWindow, encrypted_path: Path) -> None:
    window.encryption.prompts = ScriptedPassphrases([PASSPHRASE])
    assert window.open_path(encrypted_path)
    backup = window.backup_now("manual")
    assert backup is not None and db.is_encrypted(backup.path)
    assert PASSPHRASE.encode() not in backup.path.read_bytes()


def test_the_new_passphrase_dialog_needs_two_equal_entries_and_the_warning_read(qtbot) -> None:
    dialog = NewPassphraseDialog("high-kestrel.ctpn")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.first, "short")
    assert "Very weak" in dialog.strength.text()
    dialog.first.clear()
    qtbot.keyClicks(dialog.first, PASSPHRASE)
    assert dialog.strength.text() == "Strength: Strong."
    qtbot.keyClicks(dialog.second, PASSPHRASE[:-1])
    assert dialog.match.text() == "The two passphrases differ." and not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.second, PASSPHRASE[-1])
    assert dialog.match.text() == "The two passphrases match." and not dialog.ok.isEnabled()
    dialog.understood.click()
    assert dialog.ok.isEnabled()
    assert any(label.text() == LOST_WARNING for label in dialog.findChildren(type(dialog.strength)))
    dialog.grab().save("/tmp/ctpn-new-passphrase-dialog.png")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == NewPassphraseDialog.DialogCode.Accepted and dialog.passphrase() == PASSPHRASE


def test_the_passphrase_dialog_says_why_it_asks_again(qtbot) -> None:
    dialog = PassphraseDialog("high-kestrel.ctpn", "the passphrase does not open this exercise; check it and try "
                                                   "again. Nothing was written to the file")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.problem.isVisible() and "does not open" in dialog.problem.text()
    assert dialog.ok.text() == "Try Again" and not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.field, PASSPHRASE)
    assert dialog.field.echoMode() == dialog.field.EchoMode.Password and dialog.ok.isEnabled()
    dialog.grab().save("/tmp/ctpn-passphrase-dialog.png")
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted and dialog.passphrase() == PASSPHRASE



def test_a_damaged_encrypted_file_is_offered_its_newest_encrypted_backup(qtbot, make_window, settings_path: Path,
                                                                       dialogs, encrypted_path: Path,
                                                                       tmp_path: Path) -> None:
    from ctpn_desktop.core.services.backups import BackupService
    from ctpn_desktop.core.services.encryption import unlock

    from tests.ui.test_settings_backups_read_only import click_accept, confirm_boxes, settings_with_backups

    folder = tmp_path / "backups"
    settings_with_backups(settings_path, folder)
    good = BackupService(folder).take(encrypted_path, "open", unlock(encrypted_path, PASSPHRASE))
    data = bytearray(encrypted_path.read_bytes())
    data[5 * 4096 + 200] ^= 0xFF  # one byte of a later page: the passphrase opens the file, the page fails
    encrypted_path.write_bytes(bytes(data))
    window = make_window()
    window.encryption.prompts = ScriptedPassphrases([PASSPHRASE, PASSPHRASE])
    assert not window.open_path(encrypted_path)
    qtbot.waitUntil(lambda: bool(confirm_boxes()))
    box = confirm_boxes()[0]
    assert "damaged" in box.text()
    target = tmp_path / "recovered.ctpn"
    dialogs.save_answers.append(target)
    click_accept(qtbot, box)
    document = window.document
    assert document is not None and document.path == target and document.encrypted
    assert db.is_encrypted(target) and db.table_counts(target, document.key) == db.table_counts(
        good.path, document.key)
    assert encrypted_path.read_bytes() == bytes(data)  # the damaged file is left as it was


def test_the_passphrase_is_changed_from_the_file_menu_and_the_old_one_no_longer_opens(
        window: MainWindow, encrypted_path: Path) -> None:
    new = "nine gulls above the granary"
    prompts = ScriptedPassphrases([PASSPHRASE, "kestrel over the quay", PASSPHRASE], new=[new])
    window.encryption.prompts = prompts
    assert window.open_path(encrypted_path)
    action = window.actions[ActionId.CHANGE_PASSPHRASE]
    assert action.isEnabled() and action in window.menuBar().actions()[0].menu().actions()
    assert action.trigger() is None
    assert [purpose for _, _, purpose in prompts.asked] == ["open", "change", "change", "changed"]
    assert "does not open" in prompts.asked[2][1]
    document = window.document
    assert document is not None and document.encrypted and window.encryption.indicator.isVisible()
    assert "new passphrase" in window.statusBar().currentMessage()
    assert not error_boxes()
    window.close_document()
    assert not action.isEnabled()
    window.encryption.prompts = ScriptedPassphrases([PASSPHRASE, None])
    assert not window.open_path(encrypted_path)
    window.encryption.prompts = ScriptedPassphrases([new])
    assert window.open_path(encrypted_path)


def test_cancelling_a_passphrase_change_leaves_the_file_as_it_was(window: MainWindow, encrypted_path: Path) -> None:
    window.encryption.prompts = ScriptedPassphrases([PASSPHRASE, PASSPHRASE], new=[None])
    assert window.open_path(encrypted_path)
    before = state(encrypted_path)
    window.actions[ActionId.CHANGE_PASSPHRASE].trigger()
    assert window.document is not None and window.document.path == encrypted_path
    assert state(encrypted_path)[0] == before[0]


def test_the_change_passphrase_dialog_says_what_it_does(qtbot) -> None:
    asking = PassphraseDialog("exercise.ctpn", purpose="change")
    qtbot.addWidget(asking)
    assert asking.windowTitle() == "Change Passphrase" and asking.ok.text() == "Next"
    assert any("current passphrase to give it a new one" in label.text() for label in asking.findChildren(QLabel))
    new = NewPassphraseDialog("exercise.ctpn", changing=True)
    qtbot.addWidget(new)
    assert new.windowTitle() == "Change Passphrase" and new.ok.text() == "Change Passphrase"
    assert any("backups made before keep the old one" in label.text() for label in new.findChildren(QLabel))
    new.resize(new.sizeHint())
    new.grab().save("/tmp/ctpn-change-passphrase.png")
    asking.grab().save("/tmp/ctpn-change-passphrase-current.png")

"""The window's side of encrypted exercises: opening one with its passphrase, File ▸ Encrypt…, File ▸ Change
Passphrase… and File ▸ Remove Encryption…, the passphrase of a shared room written to a file, and the lock in the
status bar that says the open exercise is encrypted.

Everything here goes through `core.services.encryption` and `open_document`; the passphrase is handed from the
dialog to the call that needs it and kept nowhere (the open document holds only the key derived from it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ctpn_desktop.core.errors import (
    CtpnError,
    DamagedDocumentError,
    EncryptedDocumentError,
    EncryptionUnavailable,
    WrongPassphrase,
)
from ctpn_desktop.storage import cipher
from ctpn_desktop.storage.cipher import DocumentKey

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.dialogs.passphrase import PassphrasePrompts, QtPassphrasePrompts
from ctpn_desktop.ui.dialogs.prompts import show_error

if TYPE_CHECKING:
    from ctpn_desktop.core.services.document import Document
    from ctpn_desktop.core.services.encryption import Conversion

    from ctpn_desktop.ui.main_window import MainWindow

OpenFn = Callable[..., "Document"]
T = TypeVar("T")


def with_passphrase(prompts: PassphrasePrompts, parent: QWidget, path: Path, attempt: Callable[[str | None], T],
                    passphrase: str | None = None) -> T | None:
    """``attempt(passphrase)``, asking for the passphrase of ``path`` (again after a wrong one) when the file
    turns out to be encrypted; None when the user cancels. A failed attempt writes nothing to the file."""
    try:
        return attempt(passphrase)
    except EncryptedDocumentError as error:
        if not cipher.available():
            raise EncryptionUnavailable(cipher.UNAVAILABLE_PROBLEM) from error
        problem = error.problem if isinstance(error, WrongPassphrase) else ""
    while True:
        given = prompts.ask_passphrase(parent, path.name, problem)
        if given is None:
            return None
        try:
            return attempt(given)
        except WrongPassphrase as error:
            problem = error.problem


class EncryptedIndicator(QWidget):
    """A lock and the word "Encrypted" in the status bar while an encrypted exercise is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("encryptedIndicator")
        self.setAccessibleName("The open exercise is encrypted")
        self.setToolTip("The exercise file, its copies and its backups are encrypted with its passphrase")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(4)
        self.icon = QLabel(self)
        self.text = QLabel("Encrypted", self)
        layout.addWidget(self.icon)
        layout.addWidget(self.text)
        self.refresh_icon()
        self.hide()

    def refresh_icon(self) -> None:
        size = max(14, self.text.fontMetrics().height())
        self.icon.setPixmap(icons.icon(icons.ENCRYPTED).pixmap(size, size))


class EncryptionCommands:
    """Asks for passphrases when a file needs one, and runs the File menu's encryption commands."""

    def __init__(self, window: MainWindow, prompts: PassphrasePrompts | None = None) -> None:
        self.window = window
        self.prompts: PassphrasePrompts = prompts or QtPassphrasePrompts()
        self.indicator = EncryptedIndicator(window)
        self._damaged: tuple[Path, DocumentKey] | None = None
        window.statusBar().addPermanentWidget(self.indicator)
        window.actions[ActionId.ENCRYPT].triggered.connect(self.encrypt)
        window.actions[ActionId.DECRYPT].triggered.connect(self.decrypt)
        window.actions[ActionId.CHANGE_PASSPHRASE].triggered.connect(self.change_passphrase)
        self.document_changed(None)

    # Opening ---------------------------------------------------------------------------------------------------
    def open(self, path: Path, open_fn: OpenFn, passphrase: str | None = None) -> Document | None:
        """``open_fn(path)``, asking for the passphrase (again after a wrong one) when the file is encrypted;
        None when the user cancels. A failed attempt writes nothing to the file."""
        self._damaged = None

        def attempt(given: str | None) -> Document:
            try:
                return open_fn(path) if given is None else open_fn(path, passphrase=given)
            except DamagedDocumentError:
                if given is not None and _is_encrypted(path):  # its backups have the same key
                    self._damaged = (path, cipher.key_for_file(path, given))
                raise

        return with_passphrase(self.prompts, self.window, path, attempt, passphrase)

    def key_of_damaged(self, path: Path) -> DocumentKey | None:
        """The key of an encrypted file that the passphrase opened but that is damaged: its backups open with it.
        Held only until the next file is opened."""
        return self._damaged[1] if self._damaged is not None and self._damaged[0] == path else None

    # State -----------------------------------------------------------------------------------------------------
    def document_changed(self, document: Document | None) -> None:
        """Show the lock and enable the command that fits the open exercise (a file that can be written)."""
        encrypted = document is not None and document.encrypted
        self.indicator.setVisible(encrypted)
        convertible = document is not None and document.room is None and not document.read_only
        self.window.actions[ActionId.ENCRYPT].setEnabled(convertible and not encrypted)
        self.window.actions[ActionId.DECRYPT].setEnabled(convertible and encrypted)
        self.window.actions[ActionId.CHANGE_PASSPHRASE].setEnabled(convertible and encrypted)

    # Commands --------------------------------------------------------------------------------------------------
    def encrypt(self) -> bool:
        document = self.window.document
        if document is None or document.encrypted or document.read_only or document.room is not None:
            return False
        if not cipher.available():
            show_error(self.window, "Cannot encrypt exercise", "Encryption is not available here.",
                               cipher.UNAVAILABLE_PROBLEM)
            return False
        passphrase = self.prompts.ask_new_passphrase(self.window, document.path.name)
        if passphrase is None:
            return False
        path = document.path
        return self._convert(path, lambda: _encryption().encrypt_file(path, passphrase, backups=self.window.backups),
                             "Cannot encrypt exercise", "not encrypted", before=None, after=passphrase)

    def _convert(self, path: Path, convert: Callable[[], Conversion], title: str, left: str, *, before: str | None,
                 after: str | None) -> bool:
        """Close the exercise, ``convert`` it and open it again with the passphrase it has ``after``; if that
        fails, say why and open it as it was (with its passphrase ``before``)."""
        self.window.close_document()
        try:
            conversion = convert()
        except (CtpnError, OSError) as error:
            show_error(self.window, title, f"“{path.name}” was left as it was, {left}.",
                       str(getattr(error, "problem", error)))
            self.window.open_path(path, passphrase=before)
            return False
        opened = self.window.open_path(path, passphrase=after)
        if opened:
            self.window.statusBar().showMessage(conversion.describe(), 12000)
        return opened

    def _current_passphrase(self, path: Path, purpose: str, title: str) -> str | None:
        """The passphrase that opens ``path``, asked (again after a wrong one) for ``purpose``; None if cancelled
        or the file cannot be read."""
        problem = ""
        while True:
            passphrase = self.prompts.ask_passphrase(self.window, path.name, problem, purpose=purpose)
            if passphrase is None:
                return None
            try:
                _encryption().unlock(path, passphrase)
                return passphrase
            except WrongPassphrase as error:
                problem = error.problem
            except (CtpnError, OSError) as error:
                show_error(self.window, title, f"“{path.name}” was left as it was.",
                           str(getattr(error, "problem", error)))
                return None

    def change_passphrase(self) -> bool:
        """The current passphrase, then the new one twice; the file is encrypted again under it and reopened."""
        document = self.window.document
        if document is None or not document.encrypted or document.read_only or document.room is not None:
            return False
        path = document.path
        passphrase = self._current_passphrase(path, "change", "Cannot change the passphrase")
        if passphrase is None:
            return False
        new_passphrase = self.prompts.ask_new_passphrase(self.window, path.name, changing=True)
        if new_passphrase is None:
            return False
        return self._convert(path, lambda: _encryption().change_passphrase(path, passphrase, new_passphrase),
                             "Cannot change the passphrase", "under its old passphrase", before=passphrase,
                             after=new_passphrase)

    def decrypt(self) -> bool:
        document = self.window.document
        if document is None or not document.encrypted or document.read_only or document.room is not None:
            return False
        path = document.path
        passphrase = self._current_passphrase(path, "decrypt", "Cannot remove encryption")
        if passphrase is None:
            return False
        return self._convert(path, lambda: _encryption().decrypt_file(path, passphrase), "Cannot remove encryption",
                             "still encrypted", before=passphrase, after=None)


    def key_for_room_file(self, document: Document, target: Path) -> WrittenBackKey | None:
        """Ask whether the shared room's file ``target`` is to be encrypted, and with which new passphrase;
        None when the person cancels."""
        from ctpn_desktop.core.services.room import published_encrypted

        encrypt = self.prompts.ask_encrypt_copy(self.window, target.name, recommended=published_encrypted(document),
                                                available=cipher.available())
        if encrypt is None:
            return None
        if not encrypt:
            return WrittenBackKey(None)
        passphrase = self.prompts.ask_new_passphrase(self.window, target.name)
        if passphrase is None:
            return None
        return WrittenBackKey(cipher.new_key(passphrase))


@dataclass(frozen=True)
class WrittenBackKey:
    """The key a shared room's file is written with (None: unencrypted), as the person chose it."""

    key: DocumentKey | None


def _encryption() -> ModuleType:
    """The encryption service (and SQLAlchemy under it) is imported when a file is converted, not at start."""
    from ctpn_desktop.core.services import encryption

    return encryption


def _is_encrypted(path: Path) -> bool:
    from ctpn_desktop.storage import db

    return db.is_encrypted(path)

"""Asking for the passphrase of an encrypted exercise, and for a new one when encrypting.

The window asks through the small `PassphrasePrompts` protocol (tests hand in answers, as with file dialogs);
the Qt implementation shows the two dialogs below. A passphrase lives only in the dialog's field and in the call
that opens or encrypts the file: it is never put in settings, the recent-files list or a log.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.widgets import muted

LOST_WARNING = ("The passphrase is not stored anywhere. If it is lost, nobody — not you, not an administrator — "
                "can open the exercise again.")


class PassphrasePrompts(Protocol):
    def ask_passphrase(self, parent: QWidget, file_name: str, problem: str = "", *,
                       purpose: str = "open") -> str | None: ...

    def ask_new_passphrase(self, parent: QWidget, file_name: str, *, changing: bool = False) -> str | None: ...

    def ask_encrypt_copy(self, parent: QWidget, file_name: str, *, recommended: bool,
                         available: bool) -> bool | None:
        """Whether a shared room's file ``file_name`` is to be encrypted (None: cancel writing it)."""
        ...


def _secret_field(name: str, accessible: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(accessible)
    field.setMinimumWidth(320)
    return field


def _show_typing(fields: list[QLineEdit]) -> QCheckBox:
    toggle = QCheckBox("&Show what I type")
    toggle.setObjectName("showPassphrase")
    toggle.toggled.connect(lambda shown: [f.setEchoMode(QLineEdit.EchoMode.Normal if shown else
                                                        QLineEdit.EchoMode.Password) for f in fields])
    return toggle


def _sentence(text: str) -> str:
    """A problem from the core ("the passphrase does not …") as a sentence on its own."""
    text = text.strip()
    if not text:
        return ""
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class PassphraseDialog(QDialog):
    """The passphrase of an encrypted exercise; after a wrong one, says so above the field and lets the user try
    again or cancel."""

    def __init__(self, file_name: str, problem: str = "", parent: QWidget | None = None, *,
                 purpose: str = "open") -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        removing = purpose == "decrypt"
        changing = purpose == "change"
        self.setWindowTitle("Remove Encryption" if removing else "Change Passphrase" if changing
                            else "Encrypted Exercise")
        self.setAccessibleName(self.windowTitle())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.setSpacing(10)
        top = QLabel()
        top.setPixmap(icons.icon(icons.ENCRYPTED).pixmap(32, 32))
        doing = ("remove the encryption" if removing else "give it a new one" if changing else "open it")
        head = _heading(f"“{file_name}” is encrypted. Type its {'current ' if changing else ''}passphrase to "
                        f"{doing}.")
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(top, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(head, 1)
        layout.addLayout(row)
        self.problem = QLabel(_sentence(problem))
        self.problem.setObjectName("passphraseProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlighted-text); background: #b3261e; padding: 6px;"
                                   "border-radius: 3px;")
        self.problem.setVisible(bool(problem))
        self.problem.setAccessibleName("Problem")
        layout.addWidget(self.problem)
        form = QFormLayout()
        self.field = _secret_field("passphraseField", "Passphrase")
        form.addRow("&Passphrase:", self.field)
        layout.addLayout(form)
        layout.addWidget(_show_typing([self.field]))
        if removing:
            layout.addWidget(muted("The file is then written without encryption, as before it was encrypted; its "
                                   "copies and backups from then on are not encrypted either."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Remove Encryption" if removing else "Try Again" if problem else "Next" if changing
                        else "Open")
        self.ok.setEnabled(False)
        self.field.textChanged.connect(lambda text: self.ok.setEnabled(bool(text)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def passphrase(self) -> str:
        return self.field.text()


class NewPassphraseDialog(QDialog):
    """A new passphrase, typed twice, with a word on its strength and the warning that it cannot be recovered."""

    def __init__(self, file_name: str, parent: QWidget | None = None, *, changing: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("newPassphraseDialog")
        self.setWindowTitle("Change Passphrase" if changing else "Encrypt Exercise")
        self.setAccessibleName(self.windowTitle().capitalize())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(_heading(f"A new passphrase for “{file_name}”" if changing
                                  else f"Encrypt “{file_name}” with a passphrase"))
        later = ("From now on the file, its copies and its backups open only with this passphrase; backups made "
                 "before keep the old one." if changing else
                 "The file, its copies and its backups can then only be opened with this passphrase.")
        layout.addWidget(muted(f"{later} (AES-256; the key is derived with 256 000 rounds of PBKDF2-HMAC-SHA512.) "
                               "Several unrelated words make a strong passphrase that is easy to type."))
        form = QFormLayout()
        self.first = _secret_field("newPassphraseField", "New passphrase")
        self.second = _secret_field("repeatPassphraseField", "The same passphrase again")
        self.strength = QLabel(_strength_hint(""))
        self.strength.setObjectName("passphraseStrength")
        self.strength.setAccessibleName("Passphrase strength")
        self.match = QLabel("")
        self.match.setObjectName("passphraseMatch")
        form.addRow("&Passphrase:", self.first)
        form.addRow("", self.strength)
        form.addRow("&Again:", self.second)
        form.addRow("", self.match)
        layout.addLayout(form)
        layout.addWidget(_show_typing([self.first, self.second]))
        warning = QLabel(LOST_WARNING)
        warning.setObjectName("lostPassphraseWarning")
        warning.setWordWrap(True)
        warning.setStyleSheet("border: 1px solid #b3261e; padding: 6px; border-radius: 3px;")
        layout.addWidget(warning)
        self.understood = QCheckBox("I have written the passphrase down or can remember it")
        self.understood.setObjectName("passphraseUnderstood")
        layout.addWidget(self.understood)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Change Passphrase" if changing else "Encrypt")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for signal in (self.first.textChanged, self.second.textChanged):
            signal.connect(self._update)
        self.understood.toggled.connect(self._update)
        self._update()
        self.first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update(self) -> None:
        first, second = self.first.text(), self.second.text()
        self.strength.setText(f"Strength: {_strength_hint(first)}" if first else _strength_hint(first))
        if second and first != second:
            self.match.setText("The two passphrases differ.")
        elif second:
            self.match.setText("The two passphrases match.")
        else:
            self.match.setText("")
        self.ok.setEnabled(bool(first) and first == second and self.understood.isChecked())

    def passphrase(self) -> str:
        return self.first.text()


class NoPassphrases:
    """Asks nobody: every passphrase question is cancelled (an unattended run, such as the startup benchmark)."""

    def ask_passphrase(self, parent: QWidget, file_name: str, problem: str = "", *,
                       purpose: str = "open") -> str | None:
        return None

    def ask_new_passphrase(self, parent: QWidget, file_name: str, *, changing: bool = False) -> str | None:
        return None

    def ask_encrypt_copy(self, parent: QWidget, file_name: str, *, recommended: bool,
                         available: bool) -> bool | None:
        return None


class QtPassphrasePrompts:
    """The dialogs, shown modally: opening a file waits for its passphrase."""

    def ask_passphrase(self, parent: QWidget, file_name: str, problem: str = "", *,
                       purpose: str = "open") -> str | None:
        dialog = PassphraseDialog(file_name, problem, parent, purpose=purpose)
        try:
            return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.field.clear()
            dialog.deleteLater()

    def ask_new_passphrase(self, parent: QWidget, file_name: str, *, changing: bool = False) -> str | None:
        dialog = NewPassphraseDialog(file_name, parent, changing=changing)
        try:
            return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.first.clear()
            dialog.second.clear()
            dialog.deleteLater()


    def ask_encrypt_copy(self, parent: QWidget, file_name: str, *, recommended: bool,
                         available: bool) -> bool | None:
        box = EncryptCopyQuestion(file_name, recommended=recommended, available=available, parent=parent)
        try:
            box.exec()
            return box.answer()
        finally:
            box.deleteLater()


class EncryptCopyQuestion(QMessageBox):
    """Writing a shared room to a file: encrypt it, write it unencrypted, or not write it yet. Encrypting is the
    default when the room was published from an encrypted file."""

    def __init__(self, file_name: str, *, recommended: bool, available: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Question, "Write Room to File", f"Encrypt “{file_name}”?",
                         QMessageBox.StandardButton.NoButton, parent)
        self.setObjectName("encryptCopyQuestion")
        self.setAccessibleName("Encrypt the file?")
        why = ("The exercise was encrypted when it was published to this room: encrypt the file it is written "
               "back to, so that it stays protected on this laptop's disk." if recommended else
               "The file will hold the whole exercise, with its log and evaluations. Encrypting it with a "
               "passphrase protects it on this laptop's disk.")
        if not available:
            why += (" Encryption is not available on this laptop (SQLCipher is missing), so the file can only be "
                    "written unencrypted.")
        self.setInformativeText(why)
        self.plain_button = self.addButton("Write &Unencrypted", QMessageBox.ButtonRole.DestructiveRole)
        self.encrypt_button = (self.addButton("&Encrypt…", QMessageBox.ButtonRole.AcceptRole) if available
                               else None)
        self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.encrypt_button if self.encrypt_button is not None and recommended
                              else self.plain_button)

    def answer(self) -> bool | None:
        """True to encrypt, False to write unencrypted, None when cancelled."""
        clicked = self.clickedButton()
        if clicked is not None and clicked is self.encrypt_button:
            return True
        if clicked is self.plain_button:
            return False
        return None


def _strength_hint(passphrase: str) -> str:
    """Imported when a passphrase is first typed: the encryption service brings the storage layer with it."""
    from ctpn_desktop.core.services.encryption import strength_hint

    return strength_hint(passphrase)

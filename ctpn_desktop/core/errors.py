"""Errors that carry a message a person can act on: what is wrong and where."""

from __future__ import annotations


class CtpnError(Exception):
    """Base of every error the application reports to people rather than crashing on."""


class DocumentError(CtpnError):
    """An exercise file cannot be opened or written; the file is left as it was."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class NotAnExerciseFile(DocumentError):
    pass


class NewerSchemaError(DocumentError):
    pass


class DamagedDocumentError(DocumentError):
    pass


class ReadOnlyDocumentError(DocumentError):
    pass


class EncryptedDocumentError(DocumentError):
    """The file is (probably) an encrypted exercise and its passphrase is needed to open it."""


class WrongPassphrase(EncryptedDocumentError):
    """The passphrase given does not open the encrypted file; nothing was written to it."""


class PassphraseRefused(CtpnError):
    """A passphrase that cannot be used to encrypt (empty, or the two entries differ)."""


class EncryptionUnavailable(CtpnError):
    """This installation has no SQLCipher library, so it can neither open nor make encrypted exercises."""


class ScenarioFormatError(CtpnError):
    """A scenario JSON file broke the format; ``problems`` lists (field path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {path}: {message}" for path, message in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class ValidationFailed(CtpnError):
    """A service refused an edit that would break the scenario (a duplicate number, a missing phase …)."""


class RunStateError(CtpnError):
    """A run action that does not fit the run's current state (pausing an ended run …)."""


class SpreadsheetError(CtpnError):
    """A spreadsheet (MSEL CSV or XLSX) cannot be read or written; nothing in the document has changed."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class MergeRefused(CtpnError):
    """Another copy's log cannot be merged into this document; nothing in either file has changed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PermissionRefused(CtpnError):
    """This station's role in a shared room does not allow the command; nothing was changed."""

    def __init__(self, role: str, action: str, allowed: list[str]) -> None:
        who = " or ".join(allowed) if allowed else "nobody"
        super().__init__(f"this station takes part as {_article(role)} {role.lower()} and cannot {action}; "
                         f"a {who} station can")
        self.role = role
        self.action = action


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class RoomError(CtpnError):
    """A shared room on a server cannot be published, joined or read; the message says what to do."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class RoomOffline(RoomError):
    """The server of a shared room cannot be reached just now; what was written is kept on this station."""

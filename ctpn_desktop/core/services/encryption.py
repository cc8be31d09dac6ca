"""Encrypting an exercise file with a passphrase, and removing the encryption again.

The file is never changed in place. The converted copy is written beside it under a temporary name, opened
with its key and compared with the original (the number of rows in every table, and every decision-log hash
chain verified), synced to the disk, and only then moved over the original in one rename. A crash, a kill or a
full disk at any moment leaves either the original or the finished copy under the file's name, never a mixture,
and a wrong passphrase changes nothing at all.

The earlier unencrypted backups of a file that is being encrypted would keep in the clear what the encryption is
meant to protect, so they are deleted once the encrypted file is in place (the backups taken from then on are
encrypted with the document's key).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctpn_desktop.core.errors import DocumentError, EncryptedDocumentError, PassphraseRefused
from ctpn_desktop.core.services.log import verify_records
from ctpn_desktop.storage import cipher, db
from ctpn_desktop.storage.cipher import DocumentKey

if TYPE_CHECKING:
    from ctpn_desktop.core.services.backups import BackupService

STRONG_ENOUGH = 12
"""Characters of a passphrase below which the dialog and the command line say it is weak."""


@dataclass(frozen=True)
class Conversion:
    """What encrypting, decrypting or changing the passphrase of a file did."""

    path: Path
    encrypted: bool
    rows: int
    log_records: int
    plain_backups_removed: int = 0
    passphrase_changed: bool = False

    def describe(self) -> str:
        if self.passphrase_changed:
            return (f"{self.path.name} is encrypted under its new passphrase: {self.rows} rows checked, "
                    f"{self.log_records} decision-log records verified. Backups made before keep the old one.")
        state = "encrypted" if self.encrypted else "no longer encrypted"
        removed = (f"; {self.plain_backups_removed} earlier unencrypted backup(s) of it were deleted"
                   if self.plain_backups_removed else "")
        return (f"{self.path.name} is {state}: {self.rows} rows checked, {self.log_records} decision-log records "
                f"verified{removed}.")


def strength_hint(passphrase: str) -> str:
    """A short, honest word on a passphrase: its length matters most (several unrelated words are best)."""
    if not passphrase:
        return "Type a passphrase."
    if len(passphrase) < 8:
        return "Very weak: far too short."
    kinds = sum(any(test(c) for c in passphrase) for test in (str.islower, str.isupper, str.isdigit,
                                                              lambda c: not c.isalnum()))
    if len(passphrase) < STRONG_ENOUGH:
        return "Weak: use at least 12 characters, e.g. four unrelated words."
    if len(passphrase) >= 20 or (" " in passphrase.strip() and len(passphrase.split()) >= 4) or kinds >= 3:
        return "Strong."
    return "Fair: a longer passphrase (four or more unrelated words) is stronger."


def unlock(path: Path, passphrase: str | None) -> DocumentKey | None:
    """The key that opens ``path`` with ``passphrase``, None for a file that is not encrypted.

    Raises `EncryptedDocumentError` for an encrypted file without a passphrase and `WrongPassphrase` when the
    passphrase does not open it; the file is only read."""
    path = Path(path)
    if not db.is_encrypted(path):
        return None
    if passphrase is None:
        raise EncryptedDocumentError(str(path), db.ENCRYPTED_PROBLEM)
    cipher.require()
    key = cipher.key_for_file(path, passphrase)
    db.check_file(path, key)
    return key


def _fold_write_ahead_log(path: Path, key: DocumentKey | None) -> None:
    """Fold the log into the file and make sure no other program has the exercise open."""
    engine = db.make_engine(path, key=key)
    try:
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except DocumentError:
        raise
    except Exception as error:
        raise DocumentError(str(path), f"the file could not be prepared ({error}); it was left as it was") \
            from error
    finally:
        engine.dispose()
    wal = path.with_name(path.name + "-wal")
    if (busy is not None and busy[0]) or (wal.exists() and wal.stat().st_size):
        raise DocumentError(str(path), "the exercise is open in another window or program; close it there and "
                                       "try again. It was left as it was")


def _log_records(path: Path, key: DocumentKey | None) -> list[Any]:
    engine = db.make_read_only_engine(path, key)
    try:
        with engine.connect() as connection:
            return list(connection.exec_driver_sql("SELECT * FROM log_record"))  # an older schema too
    finally:
        engine.dispose()


def _compare(original: Path, original_key: DocumentKey | None, converted: Path,
             converted_key: DocumentKey | None) -> tuple[int, int]:
    """Check that the converted copy opens and holds exactly what the original holds; (rows, log records)."""
    name = str(original)
    db.check_file(converted, converted_key)
    before = db.table_counts(original, original_key)
    after = db.table_counts(converted, converted_key)
    if before != after:
        differing = sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
        raise DocumentError(name, f"the converted copy does not hold the same rows ({', '.join(differing)}); the "
                                  "file was left as it was")
    records = _log_records(converted, converted_key)
    report = verify_records(records)
    if not report.ok:
        raise DocumentError(name, f"the decision log of the converted copy fails its integrity check "
                                  f"({report.problems[0]}); the file was left as it was")
    if len(records) != len(_log_records(original, original_key)):
        raise DocumentError(name, "the converted copy does not hold the same decision log; the file was left as "
                                  "it was")
    return sum(after.values()), len(records)


def _convert(path: Path, source_key: DocumentKey | None, target_key: DocumentKey | None) -> tuple[int, int]:
    db.check_file(path, source_key)
    if db.is_read_only_location(path):
        raise DocumentError(str(path), "the file or its folder cannot be written to; it was left as it was")
    _fold_write_ahead_log(path, source_key)
    partial = db.export_to(path, path, source_key=source_key, target_key=target_key)
    try:
        counts = _compare(path, source_key, partial, target_key)
        shutil.copymode(path, partial)  # a file only its owner may read stays so
        db.sync_file(partial)
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        os.replace(partial, path)
        db.sync_folder(path.parent)
    finally:
        with contextlib.suppress(OSError):
            db.remove_leftovers(partial)
    return counts


def encrypt_file(path: Path, passphrase: str, *, backups: BackupService | None = None) -> Conversion:
    """Encrypt the closed exercise file at ``path`` with ``passphrase`` (SQLCipher 4: AES-256, PBKDF2-HMAC-SHA512
    with 256 000 rounds)."""
    path = Path(path)
    cipher.require()
    cipher.check_passphrase(passphrase)
    if db.is_encrypted(path):
        raise DocumentError(str(path), "the exercise is encrypted already; change its passphrase instead")
    rows, records = _convert(path, None, cipher.new_key(passphrase))
    removed = backups.remove_plain(path) if backups is not None else 0
    return Conversion(path, True, rows, records, removed)


def decrypt_file(path: Path, passphrase: str | None) -> Conversion:
    """Remove the encryption of the closed exercise file at ``path``, which ``passphrase`` opens (without one:
    `EncryptedDocumentError`)."""
    path = Path(path)
    if not db.is_encrypted(path):
        raise DocumentError(str(path), "the exercise is not encrypted")
    key = unlock(path, passphrase)
    rows, records = _convert(path, key, None)
    return Conversion(path, False, rows, records)


def change_passphrase(path: Path, passphrase: str | None, new_passphrase: str) -> Conversion:
    """Encrypt the closed exercise file at ``path``, which ``passphrase`` opens, under ``new_passphrase`` and a new
    salt, without the exercise ever being written unencrypted: the rows go from the old key to the new one
    directly, are compared, and only then replace the file."""
    path = Path(path)
    if not db.is_encrypted(path):
        raise DocumentError(str(path), "the exercise is not encrypted: encrypt it to give it a passphrase")
    cipher.check_passphrase(new_passphrase)
    key = unlock(path, passphrase)
    rows, records = _convert(path, key, cipher.new_key(new_passphrase))
    return Conversion(path, True, rows, records, passphrase_changed=True)


def confirm_passphrase(passphrase: str, repeated: str) -> None:
    """Refuse a new passphrase that is empty or was typed differently the second time."""
    if passphrase != repeated:
        raise PassphraseRefused("the two passphrases differ")
    cipher.check_passphrase(passphrase)

"""Rolling backups of exercise documents, taken with SQLite's online backup API, never by copying a live file.

A backup is taken when a document is opened, every few minutes while it is open (the window's timer calls
`BackupService.take_if_changed`) and before a migration. Each document has its own folder inside the backup
folder, named after the file and a short hash of its full path: two exercises with the same name never share
backups, and the backups of a file that no longer opens are still found from its path. Old backups are pruned
to a fixed count per document; the backups taken before a migration are kept apart from the rolling ones so a
busy day of timer backups cannot push them out.

The backups of an encrypted document are encrypted with the document's key (the same passphrase opens them);
checking or restoring one takes that key. No passphrase or key is ever written beside them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ctpn_desktop.core.errors import DocumentError, EncryptedDocumentError
from ctpn_desktop.storage import cipher
from ctpn_desktop.storage.cipher import DocumentKey

if TYPE_CHECKING:
    from types import ModuleType

DEFAULT_KEEP = 20
"""Rolling backups kept per document: at the default interval of five minutes, well over an hour of play."""
MIGRATION_KEEP = 5
"""Backups taken before a migration, kept per document besides the rolling ones."""
DEFAULT_INTERVAL_MIN = 5
BACKUP_SUFFIX = ".ctpn"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<stamp>\d{8}T\d{12}Z)(?:-(?P<serial>\d+))?\.(?P<reason>[a-z0-9-]+)\.ctpn$")


@dataclass(frozen=True, slots=True)
class Backup:
    """One backup file: when it was taken (UTC), why, and how big it is."""

    path: Path
    taken_at: datetime
    reason: str
    size: int

    @property
    def before_migration(self) -> bool:
        return self.reason.startswith("before-") and self.reason != "before-restore"


def _fingerprint(document: Path) -> tuple[int, ...]:
    """Size and modification time of the file and of its write-ahead log when that holds anything: unchanged
    means nothing was written (readers may create an empty log, which changes nothing)."""
    values: list[int] = []
    for path in (document, document.with_name(document.name + "-wal")):
        try:
            info = path.stat()
        except OSError:
            values += [0, 0]
            continue
        values += [info.st_size, info.st_mtime_ns if info.st_size else 0]
    return tuple(values)


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-")
    return cleaned or "manual"


class BackupService:
    """Takes, lists, prunes and restores the backups of documents, in one backup folder."""

    def __init__(self, folder: Path, *, keep: int = DEFAULT_KEEP,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.folder = Path(folder)
        self.keep = max(1, keep)
        self._now = now
        self._last_taken: dict[Path, tuple[int, ...]] = {}

    # Where --------------------------------------------------------------------------------------------------
    def folder_for(self, document: Path) -> Path:
        """The folder of one document's backups (not created here)."""
        resolved = Path(os.path.abspath(document))
        digest = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:10]
        stem = re.sub(r"[^\w.-]+", "_", resolved.stem)[:60] or "exercise"
        return self.folder / f"{stem}-{digest}"

    # Taking -------------------------------------------------------------------------------------------------
    def take(self, document: Path, reason: str = "manual", key: DocumentKey | None = None) -> Backup:
        """A consistent copy of ``document`` (open or closed) in its backup folder, then pruning; the backup of
        an encrypted document (``key``) is encrypted with that key.

        A backup that cannot be written (a full disk, a folder that cannot be created) is reported with a
        `DocumentError` naming the folder; the document itself is only ever read.
        """
        document = Path(document)
        folder = self.folder_for(document)
        target = self._new_name(folder, document, _clean_reason(reason))
        fingerprint = _fingerprint(document)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if key is None and _db().is_encrypted(document):
                raise EncryptedDocumentError(str(document), _db().ENCRYPTED_PROBLEM)
            _db().backup_to(document, target, key)
        except OSError as error:
            self._discard_partial(target)
            raise DocumentError(str(folder), f"the backup could not be written ({error.strerror or error})") \
                from error
        except Exception as error:
            self._discard_partial(target)
            if isinstance(error, DocumentError):
                raise
            raise DocumentError(str(folder), f"the backup could not be written ({error})") from error
        self._last_taken[Path(os.path.abspath(document))] = fingerprint
        backup = self._describe(target)
        assert backup is not None
        self.prune(document)
        return backup

    def take_if_changed(self, document: Path, reason: str = "timer",
                        key: DocumentKey | None = None) -> Backup | None:
        """A backup unless nothing was written since the last one this service took (None then)."""
        where = Path(os.path.abspath(document))
        if where in self._last_taken and self._last_taken[where] == _fingerprint(Path(document)):
            return None
        return self.take(document, reason, key)

    def _new_name(self, folder: Path, document: Path, reason: str) -> Path:
        stamp = self._now().astimezone(UTC).strftime(_STAMP)
        stem = re.sub(r"[^\w-]+", "_", document.stem)[:60] or "exercise"
        target = folder / f"{stem}.{stamp}.{reason}{BACKUP_SUFFIX}"
        serial = 1
        while target.exists():
            target = folder / f"{stem}.{stamp}-{serial}.{reason}{BACKUP_SUFFIX}"
            serial += 1
        return target

    @staticmethod
    def _discard_partial(target: Path) -> None:
        for leftover in (target.with_name(f".{target.name}.partial"), target):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)

    # Listing ------------------------------------------------------------------------------------------------
    def backups(self, document: Path) -> list[Backup]:
        """The backups of ``document``, newest first."""
        folder = self.folder_for(document)
        try:
            candidates = list(folder.iterdir())
        except OSError:
            return []
        found = [backup for path in candidates if (backup := self._describe(path)) is not None]
        return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)

    @staticmethod
    def _describe(path: Path) -> Backup | None:
        match = _NAME.match(path.name)
        if match is None:
            return None
        try:
            size = path.stat().st_size
        except OSError:
            return None
        taken_at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        return Backup(path=path, taken_at=taken_at, reason=match["reason"], size=size)

    @staticmethod
    def encrypted(backup: Backup) -> bool:
        return _db().is_encrypted(backup.path)

    def verify(self, backup: Backup, key: DocumentKey | None = None) -> None:
        """Raise the `DocumentError` that says why a backup cannot be used (damaged, foreign, newer, or
        encrypted with another key than ``key``)."""
        _db().check_file(backup.path, key)

    def newest_good(self, document: Path, key: DocumentKey | None = None) -> Backup | None:
        """The newest backup that passes the same checks as any file before it is opened (an encrypted one:
        with ``key``)."""
        for backup in self.backups(document):
            try:
                self.verify(backup, key)
            except DocumentError:
                continue
            return backup
        return None

    def remove_plain(self, document: Path) -> int:
        """Delete the unencrypted backups of a document that is now encrypted; returns how many."""
        removed = 0
        for backup in self.backups(document):
            if _db().is_encrypted(backup.path):
                continue
            try:
                backup.path.unlink()
            except OSError:
                continue
            removed += 1
        return removed

    def prune(self, document: Path) -> list[Path]:
        """Delete the oldest backups beyond the kept counts; returns what was deleted."""
        rolling = [b for b in self.backups(document) if not b.before_migration]
        migrations = [b for b in self.backups(document) if b.before_migration]
        removed = []
        for backup in rolling[self.keep:] + migrations[MIGRATION_KEEP:]:
            try:
                backup.path.unlink()
                removed.append(backup.path)
            except OSError:
                continue
        return removed

    # Restoring ----------------------------------------------------------------------------------------------
    def restore_to(self, backup: Backup, target: Path, key: DocumentKey | None = None) -> Path:
        """Write ``backup`` as a new document at ``target``; an existing file is never replaced. An encrypted
        backup needs its ``key`` and is restored encrypted."""
        target = Path(target)
        self.verify(backup, key)
        if target.exists():
            raise DocumentError(str(target), "a file of that name already exists; it was left as it was")
        try:
            return _db().backup_to(backup.path, target, key if self.encrypted(backup) else None)
        except OSError as error:
            self._discard_partial(target)
            raise DocumentError(str(target), f"the restored copy could not be written ({error.strerror or error})") \
                from error

    def replace_with(self, backup: Backup, document: Path, key: DocumentKey | None = None) -> Backup | None:
        """Put ``backup`` in place of the *closed* ``document``, keeping what is replaced.

        The current file is first backed up (reason ``before-restore``); a file too damaged to back up is
        kept byte for byte instead, beside its backups, with its write-ahead log. Returns the backup of the
        replaced file, or None when it had to be kept byte for byte. ``key`` opens an encrypted backup (and
        the current file, when that has the same key).
        """
        document = Path(document)
        self.verify(backup, key)
        backup_key = key if self.encrypted(backup) else None
        restored = document.with_name(f".{document.name}.restoring")
        try:
            # Copied out first: backing up the current file below may prune the backup being restored.
            _db().backup_to(backup.path, restored, backup_key)
        except OSError as error:
            self._discard_partial(restored)
            raise DocumentError(str(document), f"the backup could not be copied ({error.strerror or error}); "
                                               "the document was left as it was") from error
        kept: Backup | None = None
        try:
            if document.exists():
                try:
                    current_key = key if key is not None and cipher.key_fits(document, key) else None
                    _db().check_file(document, current_key)
                    kept = self.take(document, "before-restore", current_key)
                except DocumentError:
                    self._keep_damaged(document)
            for side in ("-wal", "-shm"):
                document.with_name(document.name + side).unlink(missing_ok=True)
            restored.replace(document)
        except OSError as error:
            raise DocumentError(str(document), f"the backup could not be put in place ({error.strerror or error})") \
                from error
        finally:
            self._discard_partial(restored)
        return kept

    def _keep_damaged(self, document: Path) -> None:
        folder = self.folder_for(document)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self._now().astimezone(UTC).strftime(_STAMP)
        for side in ("", "-wal"):
            source = document.with_name(document.name + side)
            if source.exists():
                shutil.copy2(source, folder / f"{document.stem}.{stamp}.damaged.ctpn-kept{side}")


def _db() -> ModuleType:
    """The storage layer brings SQLAlchemy, so it is imported at the first backup, not when the window is built."""
    from ctpn_desktop.storage import db

    return db

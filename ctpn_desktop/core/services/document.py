"""Creating, opening, copying and closing exercise documents.

A `Document` is the open file: its engine and its session factory. Services are built on a document and
take nothing global, so tests and the CLI can open as many as they like side by side.

A document on a read-only medium, or whose file or folder cannot be written to, opens read-only: nothing is
written to it or beside it, and every write a service attempts is refused with a `ReadOnlyDocumentError`.

An encrypted document (see `services.encryption`) opens with its passphrase; the document then holds the key
derived from it, in memory only, for as long as it is open, so that its copies and backups are encrypted too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ctpn_desktop.core.changes import ChangeFeed, Changes
from ctpn_desktop.core.entities import DocumentSummary, Scenario
from ctpn_desktop.core.errors import DocumentError, ReadOnlyDocumentError
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.storage import cipher, db, fts
from ctpn_desktop.storage.checkpoints import IdleCheckpointer
from ctpn_desktop.storage.cipher import DocumentKey
from ctpn_desktop.storage.orm import (
    AttachmentRow,
    DocumentInfo,
    ExerciseRow,
    ImprovementActionRow,
    InjectRow,
    LogRecordRow,
    ObjectiveRow,
    ObservationRow,
    OrganisationRow,
    PhaseRow,
    RoleRow,
    RunRow,
)
from ctpn_desktop.storage.tracking import DirectWrite, Writes, track_writes

from ctpn_desktop import __version__

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ctpn_desktop.core.services.backups import BackupService
    from ctpn_desktop.core.services.room import RoomLink

DOCUMENT_SUFFIX = ".ctpn"


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Document:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    migrated_from: str | None = None
    backup_path: Path | None = None
    read_only: bool = False
    station: Station = field(default_factory=Station.solo)
    """Who works on the document and in which role (one laptop with its file: the facilitator)."""
    room: RoomLink | None = None
    """Set when the document is a shared room on a server rather than a file (``path`` then only suggests
    where to write it back)."""
    changes: ChangeFeed = field(default_factory=ChangeFeed, repr=False)
    """Told after every commit what changed (see `core.changes`)."""
    key: DocumentKey | None = field(default=None, repr=False)
    """The key of an encrypted file, derived from its passphrase (never the passphrase itself); None when the
    file is not encrypted."""
    _closed: bool = field(default=False, repr=False)
    _checkpointer: IdleCheckpointer | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        track_writes(self.sessions, self._committed,
                     before_commit=self.room.before_commit if self.room is not None else None,
                     check_write=self._write_check)
        if self.room is None and not self.read_only:
            self._checkpointer = IdleCheckpointer(self.engine, self.path, idle_work=self._index_waiting)
            if self._waiting_for_index():  # left by a crash: index them once the file is quiet
                self._checkpointer.note_commit()

    @property
    def _write_check(self) -> Callable[[str], None] | None:
        return None if self.station.role is StationRole.FACILITATOR else self.station.check_write

    @contextmanager
    def writing(self) -> Iterator[DirectWrite]:
        """One transaction on a Core connection, for the writes people wait on most (a log entry, a release).

        The same checks and notifications as a session's: the station's role is checked before each write, a
        shared room is notified inside the transaction, and everyone is told after the commit. A failure rolls
        everything back and tells nobody."""
        with self.engine.connect() as connection:
            write = DirectWrite(connection, self._write_check)
            with connection.begin():
                yield write
                if self.room is not None and write.writes.tables:
                    self.room.before_commit(connection, write.writes)
        if write.writes.tables:
            self._committed(write.writes)

    def _committed(self, writes: Writes) -> None:
        if self._checkpointer is not None:
            self._checkpointer.note_commit()
        self.changes.publish(Changes.of_writes(writes))

    def _index_waiting(self, stop: Callable[[], bool]) -> None:
        fts.index_waiting(self.engine, stop=stop)

    def _waiting_for_index(self) -> bool:
        with self.engine.connect() as connection:
            return fts.is_waiting(connection)

    @property
    def location(self) -> str:
        """Where the exercise is, as people say it: the file, or the room and its server."""
        return self.room.title if self.room is not None else str(self.path)

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def display_name(self) -> str:
        return f"room “{self.room.name}”" if self.room is not None else self.path.name

    def close(self) -> None:
        """Fold the write-ahead log back into the file so it can be carried away as a single file (a shared
        room: stop listening to it)."""
        if self._closed:
            return
        try:
            if self._checkpointer is not None:
                self._checkpointer.stop()
            if self.room is not None:
                self.room.stop()
            elif not self.read_only:
                self._index_before_closing()
                db.checkpoint(self.engine)
        finally:
            self.engine.dispose()
            self._closed = True
            self.key = None

    def _index_before_closing(self) -> None:
        """Leave the file with its search index whole; if that fails the records still wait, are still found
        by a search, and are indexed the next time the file is open."""
        try:
            fts.index_waiting(self.engine)
        except Exception as error:
            log.warning("the search index of %s could not catch up before closing: %s", self.path.name, error)

    @property
    def closed(self) -> bool:
        return self._closed

    def save_copy(self, target: Path, key: DocumentKey | None = None) -> Path:
        """A consistent copy of the open document, even while it is being written to (of a shared room: the
        room written back to one file, encrypted with ``key`` when one is given). The copy of an encrypted
        document is encrypted with the same key."""
        if self.room is not None:
            from ctpn_desktop.core.services.room import write_back

            return write_back(self, target, key)
        if key is not None:
            raise ValueError("a file's copy keeps the file's own key")
        if target.resolve() == self.path.resolve():
            raise DocumentError(str(target), "a copy cannot replace the document it is copied from")
        try:
            return db.backup_to(self.path, target, self.key)
        except OSError as error:
            raise DocumentError(str(target), f"the copy could not be written ({error.strerror or error}); "
                                             "nothing was left behind") from error

    def info(self, key: str) -> str | None:
        with self.sessions() as session:
            row = session.get(DocumentInfo, key)
            return row.value if row else None

    def summary(self) -> DocumentSummary:
        with self.sessions() as session:

            def count(model: type) -> int:
                return int(session.scalar(select(func.count()).select_from(model)) or 0)

            exercise = session.scalars(select(ExerciseRow)).first()
            entries = session.scalar(select(func.count(func.distinct(LogRecordRow.entry_id)))) or 0
            return DocumentSummary(
                path=self.location,
                title=exercise.title if exercise else "",
                marking=exercise.marking if exercise else "",
                schema_revision=db.current_revision(self.engine) or "",
                objectives=count(ObjectiveRow),
                organisations=count(OrganisationRow),
                roles=count(RoleRow),
                phases=count(PhaseRow),
                injects=count(InjectRow),
                attachments=count(AttachmentRow),
                runs=count(RunRow),
                log_entries=int(entries),
                observations=count(ObservationRow),
                improvement_actions=count(ImprovementActionRow),
            )

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _remove_with_side_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def create_document(path: Path, scenario: Scenario, blobs: Mapping[str, bytes] | None = None, *,
                    passphrase: str | None = None) -> Document:
    """A new document holding ``scenario``, encrypted when a ``passphrase`` is given.

    It is built under a hidden name and given its own only when complete, so a crash or a full disk during
    creation never leaves a half-made exercise under the chosen name; an existing file is never replaced.
    """
    from ctpn_desktop.core.services.scenario import write_scenario

    path = Path(path)
    if path.exists():
        raise DocumentError(str(path), "a file of that name already exists; it was left as it was")
    building = path.with_name(f".{path.name}.creating")
    key = cipher.new_key(passphrase) if passphrase is not None else None
    if key is not None:
        cipher.require()
    try:
        _remove_with_side_files(building)
        engine = db.create_schema(building, key)
    except OSError as error:
        _remove_with_side_files(building)
        raise DocumentError(str(path), f"the file could not be created ({error.strerror or error})") from error
    except DocumentError as error:
        _remove_with_side_files(building)
        raise DocumentError(str(path), error.problem) from error
    except BaseException:
        _remove_with_side_files(building)
        raise
    try:
        sessions = db.make_sessionmaker(engine)
        with sessions() as session, session.begin():
            stamp = now_utc().isoformat()
            session.add_all(
                [
                    DocumentInfo(key="document_id", value=str(uuid.uuid4())),
                    DocumentInfo(key="created_at", value=stamp),
                    DocumentInfo(key="created_with", value=f"CTPN Desktop {__version__}"),
                ]
            )
            write_scenario(session, scenario, blobs or {})
        db.checkpoint(engine)
        engine.dispose()
        db.publish_new_file(building, path)
    except OSError as error:
        engine.dispose()
        _remove_with_side_files(building)
        raise DocumentError(str(path), f"the file could not be written ({error.strerror or error})") from error
    except DocumentError as error:
        engine.dispose()
        _remove_with_side_files(building)
        if error.path == str(building):  # name the file people chose, not the hidden one being built
            raise DocumentError(str(path), error.problem) from error
        raise
    except BaseException:
        engine.dispose()
        _remove_with_side_files(building)
        raise
    engine = db.make_engine(path, key=key)
    return Document(path=path, engine=engine, sessions=db.make_sessionmaker(engine), key=key)


def open_document(path: Path, *, read_only: bool = False, backups: BackupService | None = None,
                  passphrase: str | None = None, key: DocumentKey | None = None) -> Document:
    """Open an existing document, refusing (unchanged) anything that is not a sound file of ours.

    ``read_only`` asks for a read-only document; a file that cannot be written to opens read-only anyway.
    An older schema is migrated after a backup: into ``backups`` when given, else beside the file.
    An encrypted file needs its ``passphrase`` (or the ``key`` of a copy with the same key): without it an
    `EncryptedDocumentError` is raised, with a wrong one a `WrongPassphrase`, and the file is not touched.
    """
    path = Path(path)
    if key is None and passphrase is not None and db.is_encrypted(path):
        cipher.require()
        key = cipher.key_for_file(path, passphrase)
    check = db.check_file(path, key)
    key = key if check.encrypted else None
    read_only = read_only or db.is_read_only_location(path)
    if read_only:
        if check.needs_migration:
            raise ReadOnlyDocumentError(
                str(path), "the file was made by an older version and must be updated before it can be opened, "
                           "but it cannot be written to; copy it to a writable folder and open the copy")
        engine = db.make_read_only_engine(path, key)
        return Document(path=path, engine=engine, sessions=db.make_sessionmaker(engine), read_only=True, key=key)
    backup_path = None
    if check.needs_migration:
        revision = check.revision or "none"
        if backups is not None:
            backup_path = backups.take(path, reason=f"before-{revision}", key=key).path
        else:
            backup_path = db.backup_to(path, db.migration_backup_path(path, revision), key)
        db.migrate(path, key)
    engine = db.make_engine(path, key=key)
    return Document(
        path=path,
        engine=engine,
        sessions=db.make_sessionmaker(engine),
        migrated_from=check.revision if check.needs_migration else None,
        backup_path=backup_path,
        key=key,
    )

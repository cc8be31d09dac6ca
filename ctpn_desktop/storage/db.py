"""Opening, creating, migrating and copying exercise documents.

A document is one SQLite file, or one SQLCipher file when it is encrypted (`storage.cipher`). Before anything is
written to an existing file we check, reading only, that it is ours (the SQLite header and our ``application_id``),
that it is intact (``quick_check``) and that its schema is one we know. Only then is it opened for writing; an older
schema is migrated after a backup copy is taken. Every function that opens a file takes the ``key`` of an encrypted
one; copies and backups of an encrypted file are encrypted with the same key.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from ctpn_desktop.core.errors import (
    DamagedDocumentError,
    DocumentError,
    EncryptedDocumentError,
    NewerSchemaError,
    NotAnExerciseFile,
    ReadOnlyDocumentError,
    WrongPassphrase,
)
from ctpn_desktop.storage import cipher
from ctpn_desktop.storage.cipher import DocumentKey
from ctpn_desktop.storage.orm import Base

if TYPE_CHECKING:
    from alembic.config import Config

APPLICATION_ID = 0x4354504E  # "CTPN"
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class FileCheck:
    """What a read-only look at a file found; ``revision`` is None for a file without a schema yet."""

    revision: str | None
    needs_migration: bool
    encrypted: bool = False


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:None|[\"']([^\"']+)[\"'])", re.MULTILINE)


@functools.cache
def _revision_graph() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the migration files as text.

    Opening a document needs only to know whether its revision is ours and the newest; importing Alembic for
    that would delay every start, so Alembic is imported only when a file is created or migrated. A test checks
    that this reading agrees with Alembic's own."""
    graph: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("[!_]*.py")):
        text = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            raise RuntimeError(f"the migration {script.name} names no revision")
        graph[revision.group(1)] = down.group(1)
    return graph


def head_revision() -> str:
    graph = _revision_graph()
    followed = {down for down in graph.values() if down is not None}
    heads = [revision for revision in graph if revision not in followed]
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads[0]


def known_revisions() -> set[str]:
    return set(_revision_graph())


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # never inside a commit someone waits for: see `checkpoints`
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


DISK_FULL_PROBLEM = ("the disk is full, so the last change could not be saved; everything saved before it is "
                     "safe. Free some space (or save a copy elsewhere) and try again")
WRITE_FAILED_PROBLEM = ("the file could not be written (was the USB stick removed?), so the last change was not "
                        "saved; everything saved before it is safe")
CANNOT_OPEN_PROBLEM = "the file cannot be created or opened there; check that the folder exists and can be written to"
NO_LONGER_WRITABLE_PROBLEM = ("the file can no longer be written to, so the last change was not saved; save a "
                              "copy to a writable folder")


def database_errors() -> tuple[type[BaseException], ...]:
    """SQLite's error class and SQLCipher's, which is a class of its own."""
    module = cipher.sqlcipher_module()
    return (sqlite3.DatabaseError,) if module is None else (sqlite3.DatabaseError, module.DatabaseError)


def storage_problem(error: BaseException) -> str | None:
    """What a person should know about a SQLite failure caused by the disk rather than by the program."""
    if not isinstance(error, database_errors()):
        return None
    message = str(error).lower()
    if "database or disk is full" in message or "disk is full" in message:
        return DISK_FULL_PROBLEM
    if "disk i/o error" in message:
        return WRITE_FAILED_PROBLEM
    if "readonly database" in message or "read-only" in message:
        return NO_LONGER_WRITABLE_PROBLEM
    if "unable to open database file" in message:
        return CANNOT_OPEN_PROBLEM
    return None


def _explain_storage_errors(path: Path) -> Any:
    def handle_error(context: Any) -> BaseException | None:
        problem = storage_problem(context.original_exception)
        return DocumentError(str(path), problem) if problem else None

    return handle_error


def make_engine(path: Path, *, foreign_keys: bool = True, key: DocumentKey | None = None) -> Engine:
    """An engine whose every connection has the durability pragmas; migrations ask for no foreign keys; ``key``
    opens an encrypted file.

    A full disk, a failing medium or a file that became read-only is reported as a `DocumentError` that says
    so, instead of a database error. The pool hands out the connection used last, whose cached pages are the
    freshest: a connection that finds the file written by another since its last transaction drops every page
    it holds."""
    pool: dict[str, Any] = {"poolclass": NullPool} if not foreign_keys else {"pool_use_lifo": True}
    if key is None:
        engine = create_engine(f"sqlite:///{path}", **pool)
    else:
        module = cipher.require()

        def connect_encrypted() -> Any:
            return cipher.connect(module, str(path), key, check_same_thread=False)

        engine = create_engine(f"sqlite:///{path}", creator=connect_encrypted, module=module, **pool)
    event.listen(engine, "handle_error", _explain_storage_errors(path))
    event.listen(engine, "connect", _set_pragmas)
    if not foreign_keys:
        event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=OFF"))
    return engine


READ_ONLY_PROBLEM = ("the exercise is open read-only (the file or its folder cannot be written to); "
                     "save a copy to a writable folder to make changes")
_WRITING_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM", "REINDEX")


def is_read_only_location(path: Path) -> bool:
    """True when the document must not be written: a read-only medium, a read-only file (even for an
    administrator, who could write to it anyway), or a folder where SQLite cannot create its side files."""
    try:
        mode = path.stat().st_mode
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
            return True
        folder = path.resolve().parent
        if not os.access(folder, os.W_OK | os.X_OK):
            return True
        if hasattr(os, "statvfs") and os.statvfs(path).f_flag & getattr(os, "ST_RDONLY", 1):
            return True
    except OSError:
        return True
    return False


def _has_wal_content(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def _read_only_uri(path: Path) -> str:
    """``mode=ro`` never writes; where SQLite cannot even create the shared-memory file a WAL database needs
    (a read-only folder or medium), ``immutable=1`` reads the file as it is without one. A write-ahead log
    left by a crash is part of the document, so then the log and its shared memory are read as they are."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return uri + "&immutable=1" if is_read_only_location(path) and not _has_wal_content(path) else uri


def _refuse_writes(path: Path) -> Any:
    def before_cursor_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(_WRITING_STATEMENTS):
            raise ReadOnlyDocumentError(str(path), READ_ONLY_PROBLEM)

    return before_cursor_execute


def make_read_only_engine(path: Path, key: DocumentKey | None = None) -> Engine:
    """An engine that reads the document without ever writing to it or beside it.

    Every writing statement is refused with a `ReadOnlyDocumentError` before it reaches SQLite (which would
    refuse it too: the connection is opened read-only and ``query_only``)."""
    uri = _read_only_uri(path)
    module = cipher.require() if key is not None else sqlite3

    def connect() -> Any:
        if key is None:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            connection = cipher.connect(module, uri, key, uri=True, check_same_thread=False)
        connection.execute("PRAGMA query_only=ON")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool, module=module)
    event.listen(engine, "before_cursor_execute", _refuse_writes(path))
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_application_id(path: Path) -> int | None:
    """The application id from the file header, read without SQLite so that nothing can be written."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return None
    return int(struct.unpack(">I", header[68:72])[0])


@contextlib.contextmanager
def _read_only(path: Path, key: DocumentKey | None = None) -> Iterator[Any]:
    if key is None:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
    else:
        connection = cipher.connect(cipher.require(), _read_only_uri(path), key, uri=True)
    try:
        yield connection
    finally:
        connection.close()


def _application_id_through_wal(path: Path, key: DocumentKey | None = None) -> int:
    """The id as SQLite sees it, write-ahead log included: a file killed before its first checkpoint."""
    try:
        with _read_only(path, key) as connection:
            row = connection.execute("PRAGMA application_id").fetchone()
    except database_errors():
        return 0
    return int(row[0]) if row else 0


ENCRYPTED_PROBLEM = "this exercise is encrypted: it opens with its passphrase"
WRONG_PASSPHRASE_PROBLEM = ("the passphrase does not open this exercise; check it (capitals, keyboard layout) and "
                            "try again. Nothing was written to the file")


def header_start(path: Path, size: int = 1024) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` is (probably) an encrypted exercise, read without SQLite."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    header = header_start(path)
    return not header.startswith(SQLITE_MAGIC) and cipher.looks_encrypted(header, size)


def check_file(path: Path, key: DocumentKey | None = None) -> FileCheck:
    """Refuse, with a message that says why, any file we must not write to.

    An encrypted file is checked with ``key``; without one (or with a key that does not open it) it is refused
    with an `EncryptedDocumentError` (a `WrongPassphrase`), so that the passphrase can be asked for."""
    name = str(path)
    if not path.exists():
        raise DocumentError(name, "the file does not exist")
    if path.is_dir():
        raise DocumentError(name, "this is a folder, not an exercise file")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise DocumentError(name, f"the file cannot be read ({error.strerror})") from error
    if size == 0:
        raise NotAnExerciseFile(name, "the file is empty: it is not an exercise file")
    if not header.startswith(SQLITE_MAGIC):
        if is_encrypted(path):
            return _check_encrypted(path, key)
        if cipher.looks_random(header_start(path)):
            raise DamagedDocumentError(name, "the file is truncated: it looks like an encrypted exercise, but does "
                                             "not end on a whole page")
        raise NotAnExerciseFile(name, "this is not an exercise file (it is not a SQLite database, nor an "
                                      "encrypted exercise)")
    if len(header) < 100:
        raise DamagedDocumentError(name, "the file is truncated: its header is incomplete")
    application_id = struct.unpack(">I", header[68:72])[0]
    wal = path.with_name(path.name + "-wal")
    if (_has_wal_content(path) and not path.with_name(path.name + "-shm").exists()
            and is_read_only_location(path)):
        raise ReadOnlyDocumentError(
            name, f"the file was not closed properly and is in a place that cannot be written to; copy it together "
                  f"with {wal.name} to a writable folder and open it there")
    if application_id == 0 and wal.exists() and wal.stat().st_size:
        application_id = _application_id_through_wal(path)
    if application_id != APPLICATION_ID:
        raise NotAnExerciseFile(name, "this SQLite database belongs to another application, not CTPN Desktop")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    page_count = struct.unpack(">I", header[28:32])[0]
    if page_count and size < page_size * page_count and not (wal.exists() and wal.stat().st_size):
        raise DamagedDocumentError(
            name, f"the file is truncated: {size} bytes of the {page_size * page_count} it should have"
        )
    return _check_contents(path, None)


def _check_encrypted(path: Path, key: DocumentKey | None) -> FileCheck:
    name = str(path)
    if (_has_wal_content(path) and not path.with_name(path.name + "-shm").exists()
            and is_read_only_location(path)):
        raise ReadOnlyDocumentError(
            name, f"the file was not closed properly and is in a place that cannot be written to; copy it together "
                  f"with {path.name}-wal to a writable folder and open it there")
    if key is None:
        raise EncryptedDocumentError(name, ENCRYPTED_PROBLEM)
    cipher.require()
    if not cipher.key_fits(path, key):
        raise WrongPassphrase(name, WRONG_PASSPHRASE_PROBLEM)
    try:
        with _read_only(path, key) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except database_errors() as error:
        if "not a database" in str(error).lower():
            raise WrongPassphrase(name, WRONG_PASSPHRASE_PROBLEM) from error
        raise DamagedDocumentError(name, f"the file is damaged ({error})") from error
    if path.stat().st_size % cipher.PAGE_SIZE and not _has_wal_content(path):
        raise DamagedDocumentError(name, "the file is truncated: it does not end on a whole page")
    if _application_id_through_wal(path, key) != APPLICATION_ID:
        raise NotAnExerciseFile(name, "this encrypted database belongs to another application, not CTPN Desktop")
    return _check_contents(path, key)


def _check_contents(path: Path, key: DocumentKey | None) -> FileCheck:
    name = str(path)
    try:
        with _read_only(path, key) as connection:
            result = connection.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                raise DamagedDocumentError(
                    name, f"the file is damaged ({result[0] if result else 'no answer'})"
                )
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables:
                raise DamagedDocumentError(name, "the file has no schema version: it was never finished")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except database_errors() as error:
        raise DamagedDocumentError(name, f"the file is damaged ({error})") from error
    revision = row[0] if row else None
    if revision is None:
        raise DamagedDocumentError(name, "the file has no schema version")
    if revision not in known_revisions():
        raise NewerSchemaError(
            name, "the file was written by a newer version of CTPN Desktop; update the application to open it"
        )
    return FileCheck(revision=revision, needs_migration=revision != head_revision(), encrypted=key is not None)


def sync_file(path: Path) -> None:
    """Push a finished file to the disk before its name is published, so a power cut cannot leave it empty."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX; Windows makes renames durable by itself and cannot open folders)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_leftovers(temporary: Path) -> None:
    """Remove a temporary file left by a killed copy, with its journal: a journal left beside a new file of the
    same name would be played back into it."""
    for side in ("", "-journal", "-wal", "-shm"):
        temporary.with_name(temporary.name + side).unlink(missing_ok=True)


@contextlib.contextmanager
def _partial_file(target: Path) -> Iterator[Path]:
    """The temporary name a copy of ``target`` is written under, cleared of a killed copy's leftovers first;
    when the copy fails, nothing of it is left behind and a storage failure is said as a `DocumentError`."""
    temporary = target.with_name(f".{target.name}.partial")
    remove_leftovers(temporary)
    try:
        yield temporary
    except database_errors() as error:
        temporary.unlink(missing_ok=True)
        problem = storage_problem(error)
        raise DocumentError(str(target), problem or f"the copy could not be made ({error})") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def backup_to(source: Engine | Path, target: Path, key: DocumentKey | None = None) -> Path:
    """A consistent copy with SQLite's online backup API, written beside the target and moved into place; the
    copy of an encrypted file (``key``) is encrypted with the same key, so the same passphrase opens it.

    A copy that cannot be finished (a full disk, a removed stick) leaves nothing behind but raises `OSError`
    or a `DocumentError` that says why."""
    source_path = Path(source.url.database or "") if isinstance(source, Engine) else source
    with _partial_file(target) as temporary:
        with _read_only(source_path, key) as src:
            dst = sqlite3.connect(temporary) if key is None else cipher.connect(cipher.require(), str(temporary), key)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        sync_file(temporary)
        temporary.replace(target)
        sync_folder(target.parent)
    return target


def export_to(source: Path, target: Path, *, source_key: DocumentKey | None,
              target_key: DocumentKey | None) -> Path:
    """A copy of ``source`` under another key (or none): encrypting, removing the encryption.

    SQLite's backup API copies pages and cannot change the encryption, so the rows are exported into a new file
    with ``sqlcipher_export``. It is written beside ``target`` under a temporary name and synced; the caller
    checks it and then moves it into place (``source`` is only read)."""
    module = cipher.require()
    uri = _read_only_uri(source)
    with _partial_file(target) as temporary:
        src = cipher.connect(module, uri, source_key, uri=True) if source_key else module.connect(uri, uri=True)
        try:
            statement, parameters = cipher.attach_statement("exported", temporary, target_key)
            src.execute(statement, parameters)
            src.execute("SELECT sqlcipher_export('exported')")
            src.execute(f"PRAGMA exported.application_id={APPLICATION_ID}")
            src.execute("PRAGMA exported.journal_mode=WAL")  # as a document is kept: opening it changes nothing
            src.execute("DETACH DATABASE exported")
        finally:
            src.close()
        sync_file(temporary)
    return temporary


def table_counts(path: Path, key: DocumentKey | None = None) -> dict[str, int]:
    """The number of rows in every table of a file, to compare a converted copy with its original."""
    with _read_only(path, key) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}


def publish_new_file(finished: Path, target: Path) -> None:
    """Give a finished file its final name without ever replacing a file of that name, durably."""
    sync_file(finished)
    try:
        os.link(finished, target)  # refuses an existing target, atomically
    except FileExistsError as error:
        raise DocumentError(str(target), "a file of that name already exists; it was left as it was") from error
    except OSError:  # no hard links here (FAT and exFAT USB sticks): check, then rename
        if target.exists():
            raise DocumentError(str(target), "a file of that name already exists; it was left as it was") from None
        os.replace(finished, target)
    else:
        finished.unlink()
    sync_folder(target.parent)


def migration_backup_path(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.before-{revision}-{stamp}{path.suffix}.bak")


def _transactional_ddl(engine: Engine) -> None:
    """Python's sqlite3 module commits before every CREATE, ALTER or DROP on its own; a migration killed
    half-way would then leave half a schema under the old version. Taking over BEGIN makes it all or nothing."""

    def no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", no_implicit_transactions)
    event.listen(engine, "begin", begin)


def migrate(path: Path, key: DocumentKey | None = None) -> None:
    """Bring an older document to the current schema in one transaction, on a connection without the
    foreign-key pragma."""
    from alembic import command

    engine = make_engine(path, foreign_keys=False, key=key)
    _transactional_ddl(engine)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def create_schema(path: Path, key: DocumentKey | None = None) -> Engine:
    """A new, empty document: the current tables, stamped with the head revision and our application id;
    encrypted with ``key`` when given."""
    if path.exists():
        raise DocumentError(str(path), "a file of that name already exists; it was left as it was")
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    engine = make_engine(path, key=key)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
        Base.metadata.create_all(connection)
        context = MigrationContext.configure(connection)
        context.stamp(ScriptDirectory.from_config(alembic_config()), "head")
    checkpoint(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def checkpoint(engine: Engine) -> None:
    """Fold the write-ahead log into the main file so the document can be copied as one file."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def serialize_run(session: Session | Connection, run_id: str) -> None:
    """Make this transaction the only one writing numbered or first-come rows of ``run_id`` until it ends.

    On a shared room two stations may write at the same instant; a transaction-scoped advisory lock makes the
    second wait for the first, so the next entry number and "already released" are read after the other's
    commit. SQLite allows one writer at a time already."""
    dialect = session.get_bind().dialect if isinstance(session, Session) else session.dialect
    if dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(run_id, 0))))

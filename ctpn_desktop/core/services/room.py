"""Shared rooms: one exercise on a PostgreSQL server of the room's own network, live on every station.

The facilitator publishes the open `.ctpn` file to the server (`publish`): a new room schema is made by the
same migrations as a file, and every row of the file is copied into it in one transaction. Other stations
`join` it, each in a role (see `core.roles`). Every station then works on the same rows through the same
services; what one commits reaches the others through the room's notifications (`RoomLink`), feeding the same
`ChangeFeed` as a station's own writes. At the end `write_back` makes one `.ctpn` file of the room, which
verifies, debriefs and merges like any other (same exercise, same runs, the log's hash chains as written).

Every station stamps what it does on the server's clock (`AlignedTimeSource`), so the clocks of laptops that
disagree by minutes still give one timeline.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ctpn_desktop.core.changes import ChangeFeed, Changes
from ctpn_desktop.core.clock import TimeSource
from ctpn_desktop.core.errors import DocumentError, RoomError, RoomOffline
from ctpn_desktop.core.roles import Permission, Station, StationRole
from ctpn_desktop.core.services.journal import FlushReport, JournalItem, StationJournal, flush
from ctpn_desktop.storage import db, rooms
from ctpn_desktop.storage.cipher import DocumentKey
from ctpn_desktop.storage.orm import DocumentInfo, ExerciseRow, RoomStationRow, RunRow
from ctpn_desktop.storage.tracking import Writes

ROOM_NAME_KEY = "room_name"
PUBLISHED_AT_KEY = "room_published_at"
PUBLISHED_FROM_KEY = "room_published_from"
WRITTEN_BACK_FROM_KEY = "written_back_from_room"
PUBLISHED_ENCRYPTED_KEY = "room_published_encrypted"
""""yes" when the room was published from an encrypted file: the file it is written back to should be too."""


@dataclass(frozen=True)
class RoomAddress:
    """Where the rooms are: a PostgreSQL database; the password is kept in memory only, never stored."""

    url: URL

    @classmethod
    def parse(cls, address: str, password: str | None = None) -> RoomAddress:
        return cls(rooms.server_url(address, password))

    def __str__(self) -> str:
        return rooms.describe(self.url)

    @property
    def text(self) -> str:
        """The address without the password, to remember for next time."""
        return str(self)


@dataclass(frozen=True)
class RoomSummary:
    name: str
    schema: str
    title: str
    marking: str
    published_at: datetime | None
    runs: int
    stations: tuple[tuple[str, StationRole], ...]
    revision: str | None
    usable: bool
    problem: str = ""


class AlignedTimeSource:
    """A station's clocks on the room's time base: the wall clock moved by the measured offset to the server's,
    the monotonic clock untouched (exercise time keeps running smoothly)."""

    def __init__(self, base: TimeSource, offset_s: float) -> None:
        self._base = base
        self.offset_s = offset_s

    def wall(self) -> datetime:
        return self._base.wall() + timedelta(seconds=self.offset_s)

    def monotonic(self) -> float:
        return self._base.monotonic()


@dataclass(frozen=True)
class RoomStatus:
    online: bool
    problem: str
    waiting: int
    """Items kept on this station, not yet in the room."""
    refused: tuple[JournalItem, ...]
    """Items the room could not take when they were sent (an inject another station released first)."""


@dataclass
class RoomLink:
    """An open room on this station: where it is, how this station hears the others, whether it is online."""

    address: RoomAddress
    name: str
    schema: str
    time_offset_s: float = 0.0
    origin: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Tells this station's own notifications from the others' (another window on this laptop is another)."""
    online: bool = True
    problem: str = ""
    journal: StationJournal | None = None
    """Where this station keeps what it writes while the server is away (None: such writes are refused)."""
    last_flush: FlushReport | None = None
    _document: object = field(default=None, repr=False)
    _listener: rooms.RoomListener | None = field(default=None, repr=False)
    _feed: ChangeFeed | None = field(default=None, repr=False)
    _status_listeners: list[Callable[[RoomStatus], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _flushing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def channel(self) -> str:
        return self.schema

    @property
    def title(self) -> str:
        return f"shared room “{self.name}” on {self.address}"

    def before_commit(self, session: Session | Connection, writes: Writes) -> None:
        rooms.send_notification(session, self.channel, rooms.notification(writes, self.origin))

    def start(self, document: object, feed: ChangeFeed) -> None:
        self._document, self._feed = document, feed
        self._listener = rooms.RoomListener(self.address.url, self.channel, self._heard, self._connection_changed)
        self._listener.start()
        self.flush()  # what an earlier session kept while away

    @property
    def status(self) -> RoomStatus:
        journal = self.journal
        items = journal.items() if journal is not None else []
        return RoomStatus(self.online, self.problem, sum(1 for i in items if i.waiting),
                          tuple(i for i in items if i.refused))

    def keep(self, kind: str, run_id: str, payload: dict[str, object], *, item_id: str | None = None) -> None:
        """Keep a write on this station's disk until the server is back (see `journal`)."""
        if self.journal is None:
            raise RoomOffline(self.title, f"the server cannot be reached ({self.problem or 'no answer'}) and this "
                                          "station keeps no journal; nothing was saved")
        self.journal.add(kind, run_id, payload, item_id=item_id)
        if self.online:  # the write failed before the listener noticed: say so now
            if self._listener is not None:
                self._listener.suspect()
            self._connection_changed(False, self.problem or "the last write could not reach the server")
        else:
            self._tell_status()

    def flush(self) -> FlushReport | None:
        """Send what the journal holds (on reconnection, and when joining); one flush at a time."""
        if self.journal is None or self._document is None or not self._flushing.acquire(blocking=False):
            return None
        try:
            report = flush(self._document, self.journal)
        finally:
            self._flushing.release()
        self.last_flush = report
        if report.waiting:  # the server went away again while sending: try again at its next answer
            self.online = False
            if self._listener is not None:
                self._listener.suspect()
        self._tell_status()
        return report

    def _tell_status(self) -> None:
        status = self.status
        with self._lock:
            listeners = list(self._status_listeners)
        for listener in listeners:
            listener(status)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def on_status(self, listener: Callable[[RoomStatus], None]) -> Callable[[], None]:
        """Be told (on any thread) when the server is lost or back, or the journal changes."""
        with self._lock:
            self._status_listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._status_listeners:
                    self._status_listeners.remove(listener)

        return stop

    def _heard(self, heard: rooms.Heard) -> None:
        if heard.origin == self.origin or self._feed is None:
            return
        self._feed.publish(Changes.of_tables(heard.tables, heard.run_ids or (), remote=True,
                                             keys=heard.keys if heard.run_ids is not None else None))

    def _connection_changed(self, online: bool, problem: str) -> None:
        was = self.online
        self.online, self.problem = online, problem
        if online and not was:
            self.flush()
            if self._feed is not None:
                self._feed.publish(Changes.everything(remote=True))  # what happened while away was not heard
        self._tell_status()


# Publishing, joining, listing ------------------------------------------------------------------------------

def publish(document: object, address: RoomAddress, name: str, station: Station, *,
            source: TimeSource, local_path: Path | None = None, journal_folder: Path | None = None) -> object:
    """Copy the open exercise file into a new room called ``name`` and join it as ``station``.

    All or nothing: a room of that name is never replaced, and a failure leaves no half-made room."""
    from ctpn_desktop.core.services.document import Document

    assert isinstance(document, Document)
    if document.room is not None:
        raise RoomError(document.room.title, "this exercise is already a shared room")
    station.require(Permission.PUBLISH)
    schema = rooms.room_schema(name)
    engine = rooms.make_room_engine(address.url)
    rooms.check_reachable(engine, address.url)
    where = f"room “{name.strip()}” on {address}"
    try:
        with engine.begin() as target:
            if rooms.schema_exists(target, schema):
                raise RoomError(where, "a room of that name is already on the server; choose another name, or "
                                       "join that room")
            rooms.create_room_schema(target, schema)
            with document.engine.connect() as origin:
                rooms.copy_rows(origin, target)
            # A file written back from an earlier room remembers that room's stations; this room starts empty.
            target.execute(delete(RoomStationRow))
            stamp = source.wall().astimezone(UTC).isoformat(timespec="seconds")
            for key, value in ((ROOM_NAME_KEY, name.strip()), (PUBLISHED_AT_KEY, stamp),
                               (PUBLISHED_FROM_KEY, document.path.name),
                               (PUBLISHED_ENCRYPTED_KEY, "yes" if document.encrypted else "no")):
                _put_info(target, key, value)
    except (RoomError, DocumentError):
        engine.dispose()
        raise
    except DataError as error:
        engine.dispose()
        raise RoomError(where, f"a value in the exercise does not fit the server's tables "
                               f"({rooms._first_line(error)}); nothing was published") from error
    except SQLAlchemyError as error:
        engine.dispose()
        raise RoomError(where, f"the room could not be made ({rooms._first_line(error)}); nothing was "
                               "published") from error
    engine.dispose()
    return join(address, name, station, source=source, local_path=local_path or document.path,
                journal_folder=journal_folder)


def list_rooms(address: RoomAddress) -> list[RoomSummary]:
    """The rooms on the server, with what they hold; a room this version cannot open says why."""
    engine = rooms.make_room_engine(address.url)
    rooms.check_reachable(engine, address.url)
    known = db.known_revisions()
    summaries: list[RoomSummary] = []
    try:
        with engine.connect() as connection:
            for schema in rooms.room_schemas(connection):
                connection.exec_driver_sql(f'SET search_path TO "{schema}"')
                summaries.append(_summary(connection, schema, known))
                connection.rollback()
    finally:
        engine.dispose()
    return summaries


def _summary(connection: object, schema: str, known: set[str]) -> RoomSummary:
    from sqlalchemy import Connection

    assert isinstance(connection, Connection)
    fallback = schema.removeprefix(rooms.ROOM_PREFIX)
    try:
        revision = rooms.room_revision(connection)
        info = {row.key: row.value for row in connection.execute(select(DocumentInfo.key, DocumentInfo.value))}
        exercise = connection.execute(select(ExerciseRow.title, ExerciseRow.marking)).first()
        runs = int(connection.execute(select(func.count()).select_from(RunRow)).scalar() or 0)
        stations = tuple((row.name, StationRole(row.role)) for row in connection.execute(
            select(RoomStationRow.name, RoomStationRow.role).order_by(RoomStationRow.joined_at)))
    except (SQLAlchemyError, ValueError) as error:
        return RoomSummary(fallback, schema, "", "", None, 0, (), None, False,
                           f"not a room of this application ({rooms._first_line(error)})")
    problem = ""
    if revision not in known:
        problem = "published by a newer version of CTPN Desktop; update this laptop to join it"
    elif revision != db.head_revision():
        problem = "published by an older version of CTPN Desktop; publish the exercise again from its file"
    published = info.get(PUBLISHED_AT_KEY)
    return RoomSummary(info.get(ROOM_NAME_KEY, fallback), schema, exercise.title if exercise else "",
                       exercise.marking if exercise else "", datetime.fromisoformat(published) if published else None,
                       runs, stations, revision, not problem, problem)


def join(address: RoomAddress, name: str, station: Station, *, source: TimeSource,
         local_path: Path | None = None, journal_folder: Path | None = None) -> object:
    """Open the room called ``name`` as ``station`` (its device id, name and role); the station is recorded in
    the room so that everybody can see who takes part."""
    from ctpn_desktop.core.services.document import Document

    schema = name if name.startswith(rooms.ROOM_PREFIX) else rooms.room_schema(name)
    where = f"room “{name}” on {address}"
    engine = rooms.make_room_engine(address.url, schema)
    try:
        rooms.check_reachable(engine, address.url)
        with engine.connect() as connection:
            if not rooms.schema_exists(connection, schema):
                raise RoomError(where, "there is no room of that name on the server")
            summary = _summary(connection, schema, db.known_revisions())
        if not summary.usable:
            raise RoomError(where, summary.problem)
        offset = rooms.server_time_offset(engine, lambda: source.wall().timestamp())
        journal = (StationJournal(journal_folder / journal_file_name(address, schema, station))
                   if journal_folder is not None else None)
        link = RoomLink(address, summary.name, schema, time_offset_s=offset, journal=journal)
        sessions = db.make_sessionmaker(engine)
        aligned = AlignedTimeSource(source, offset)
        now = aligned.wall().astimezone(UTC).isoformat(timespec="seconds")
        with sessions() as session, session.begin():
            row = session.get(RoomStationRow, station.id)
            if row is None:
                session.add(RoomStationRow(id=station.id, name=station.name, role=station.role.value,
                                           joined_at=now, last_seen=now))
            else:
                row.name, row.role, row.last_seen = station.name, station.role.value, now
    except (RoomError, DocumentError):
        engine.dispose()
        raise
    except IntegrityError as error:
        engine.dispose()
        raise RoomError(where, f"the room could not record this station ({rooms._first_line(error)})") from error
    except SQLAlchemyError as error:
        engine.dispose()
        raise RoomError(where, f"the room could not be opened ({rooms._first_line(error)})") from error
    path = local_path if local_path is not None else Path.cwd() / f"{schema.removeprefix(rooms.ROOM_PREFIX)}.ctpn"
    document = Document(path=path, engine=engine, sessions=sessions, station=station, room=link)
    link.start(document, document.changes)
    return document


def journal_file_name(address: RoomAddress, schema: str, station: Station) -> str:
    """One journal per server, room and station, so that nothing of one room is ever sent to another."""
    import hashlib

    server = hashlib.sha256(f"{address.url.host}:{address.url.port}/{address.url.database}".encode()).hexdigest()[:10]
    return f"{schema}-{server}-{station.id}.journal"


def _put_info(connection: Connection, key: str, value: str) -> None:
    connection.execute(delete(DocumentInfo).where(DocumentInfo.key == key))
    connection.execute(insert(DocumentInfo).values(key=key, value=value))


def published_encrypted(document: object) -> bool:
    """Whether the shared room ``document`` was published from an encrypted file."""
    from ctpn_desktop.core.services.document import Document

    assert isinstance(document, Document) and document.room is not None
    return document.info(PUBLISHED_ENCRYPTED_KEY) == "yes"


def write_back(document: object, target: Path, key: DocumentKey | None = None) -> Path:
    """One `.ctpn` file with everything the room holds now, encrypted with ``key`` when one is given (it is then
    never on disk unencrypted, not even while it is being written); never over an existing file."""
    from ctpn_desktop.core.services.document import Document

    assert isinstance(document, Document) and document.room is not None
    document.station.require(Permission.PUBLISH)
    target = Path(target)
    if target.exists():
        raise DocumentError(str(target), "a file of that name already exists; it was left as it was")
    building = target.with_name(f".{target.name}.creating")
    for leftover in (building, building.with_name(building.name + "-wal"), building.with_name(building.name + "-shm")):
        leftover.unlink(missing_ok=True)
    engine = db.create_schema(building, key)
    try:
        with document.engine.connect() as origin, engine.begin() as copy:
            rooms.copy_rows(origin, copy)
            _put_info(copy, WRITTEN_BACK_FROM_KEY, f"{document.room.name} ({document.room.address})")
        db.checkpoint(engine)
        engine.dispose()
        db.publish_new_file(building, target)
    except RoomOffline:
        engine.dispose()
        building.unlink(missing_ok=True)
        raise
    except BaseException:
        engine.dispose()
        for leftover in (building, building.with_name(building.name + "-wal"),
                         building.with_name(building.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return target


def drop_room(address: RoomAddress, name: str) -> None:
    """Remove a room from the server (after it was written back to a file); gone for every station."""
    schema = name if name.startswith(rooms.ROOM_PREFIX) else rooms.room_schema(name)
    engine = rooms.make_room_engine(address.url)
    rooms.check_reachable(engine, address.url)
    try:
        with engine.begin() as connection:
            if not rooms.schema_exists(connection, schema):
                raise RoomError(f"room “{name}” on {address}", "there is no room of that name on the server")
            rooms.drop_room_schema(connection, schema)
    finally:
        engine.dispose()

"""Shared rooms on PostgreSQL: one schema per room, made by the same Alembic migrations as an exercise file.

A room server is a PostgreSQL database on the room's own network; each published exercise is a schema in it
named ``ctpn_room_<name>``, holding exactly the tables of a `.ctpn` file. Every connection of a station sets its
``search_path`` to the room's schema, so the services run the same statements on a room as on a file.

Stations hear each other through LISTEN/NOTIFY: a commit that wrote something sends, inside its transaction,
one notification on the room's channel naming the tables, runs and rows written (see `tracking`). PostgreSQL
delivers it only if the transaction commits, to every station listening, within milliseconds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, insert, inspect, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ctpn_desktop.core.errors import RoomError, RoomOffline
from ctpn_desktop.storage import db, fts
from ctpn_desktop.storage.orm import Base
from ctpn_desktop.storage.tracking import Writes

log = logging.getLogger(__name__)

ROOM_PREFIX = "ctpn_room_"
MAX_NAME = 40
CONNECT_TIMEOUT_S = 5
MAX_PAYLOAD = 7_000
"""PostgreSQL refuses notifications over 8,000 bytes; beyond this the rows (then the runs) are left out."""
COPY_CHUNK = 500


def room_schema(name: str) -> str:
    """The schema of the room called ``name``: lower-case letters, digits and underscores only."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")[:MAX_NAME].strip("_")
    if not slug:
        raise RoomError(name or "the room", "a room needs a name with at least one letter or digit")
    return ROOM_PREFIX + slug


def server_url(address: str, password: str | None = None) -> URL:
    """A SQLAlchemy URL for the psycopg driver from what a person typed (``host[:port]/database`` with an
    optional ``user@``, or a ``postgresql://`` URL)."""
    text = address.strip()
    if not text:
        raise RoomError("the server", "give the server as host:port/database, e.g. 192.168.10.2:5432/ctpn")
    if "://" not in text:
        text = "postgresql://" + text
    try:
        url = make_url(text)
    except Exception:
        raise RoomError(address, "this is not a server address; write it as host:port/database") from None
    if url.get_backend_name() != "postgresql":
        raise RoomError(address, "a shared room needs a PostgreSQL server (postgresql://…)")
    if not url.database:
        raise RoomError(address, "say which database on the server holds the rooms (host:port/database)")
    url = url.set(drivername="postgresql+psycopg")
    if password:
        url = url.set(password=password)
    return url


def describe(url: URL) -> str:
    """The server as people say it, never with the password."""
    who = f"{url.username}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    return f"{who}{url.host or 'localhost'}{port}/{url.database}"


def _explain(url: URL) -> Any:
    where = describe(url)

    def handle_error(context: Any) -> BaseException | None:
        if getattr(context, "is_pre_ping", False):
            return None  # the pool replaces a connection the network dropped: not an error for anybody
        original = context.original_exception
        if context.is_disconnect or _is_connection_failure(original):
            return RoomOffline(where, f"the server cannot be reached ({_first_line(original)})")
        return None

    return handle_error


def _is_connection_failure(error: BaseException) -> bool:
    import psycopg

    return isinstance(error, psycopg.OperationalError)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", error) or error.__class__.__name__).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


def make_room_engine(url: URL, schema: str | None = None) -> Engine:
    """An engine whose connections work in ``schema`` (none: the server's default, for listing rooms)."""
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "CTPN Desktop"}
    if schema is not None:
        connect_args["options"] = f"-c search_path={schema}"
    engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4, connect_args=connect_args)
    event.listen(engine, "handle_error", _explain(url))
    return engine


def check_reachable(engine: Engine, url: URL) -> None:
    """Connect once, so that a wrong address or password is told now, in words."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except RoomOffline as error:
        raise RoomError(describe(url), _connection_advice(error.problem)) from None
    except SQLAlchemyError as error:
        raise RoomError(describe(url), _connection_advice(_first_line(error))) from None


def _connection_advice(problem: str) -> str:
    lowered = problem.lower()
    if "password" in lowered or "authentication" in lowered:
        return "the server refused the user name or password"
    if "does not exist" in lowered and "database" in lowered:
        return "the server has no database of that name"
    return (f"the server cannot be reached ({problem.removeprefix('the server cannot be reached (').rstrip(')')}); "
            "check the address and that this laptop is on the room's network")


def schema_exists(connection: Connection, schema: str) -> bool:
    return connection.exec_driver_sql("SELECT 1 FROM information_schema.schemata WHERE schema_name = %(schema)s",
                                      {"schema": schema}).first() is not None


def room_schemas(connection: Connection) -> list[str]:
    rows = connection.exec_driver_sql(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %(prefix)s ORDER BY 1",
        {"prefix": ROOM_PREFIX + "%"})
    return [row[0] for row in rows]


def create_room_schema(connection: Connection, schema: str) -> None:
    """A new, empty room: the schema, then every migration from the first, in the caller's transaction."""
    connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
    from alembic import command

    config = db.alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def drop_room_schema(connection: Connection, schema: str) -> None:
    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def room_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def server_time_offset(engine: Engine, local_wall: Callable[[], float]) -> float:
    """Seconds to add to this station's wall clock to read the server's, measured over one round trip, so
    that every station of a room stamps what it does on one time base whatever its own clock says."""
    with engine.connect() as connection:
        before = local_wall()
        server = connection.exec_driver_sql("SELECT extract(epoch FROM clock_timestamp())").scalar()
        after = local_wall()
    return float(server or 0.0) - (before + after) / 2


# Copying a whole document between back ends ---------------------------------------------------------------

def copy_rows(source: Connection, target: Connection) -> dict[str, int]:
    """Every row of every table of the document, in an order the foreign keys accept; returns rows per table.

    A row that points at another row of its own table (an inject that depends on another) is written without
    that pointer first and given it once all rows are in. The log records are indexed for search in the same
    transaction, on either back end."""
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        self_references = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        rows = [dict(row._mapping) for row in source.execute(select(table))]
        counts[table.name] = len(rows)
        if not rows:
            continue
        first = [{**row, **{name: None for name in self_references}} for row in rows]
        for start in range(0, len(first), COPY_CHUNK):
            target.execute(insert(table), first[start:start + COPY_CHUNK])
        for name in self_references:
            key = next(iter(table.primary_key.columns))
            pointing = [{"_key": row[key.name], "_value": row[name]} for row in rows if row[name] is not None]
            if pointing:
                target.execute(update(table).where(key == bindparam("_key")).values({name: bindparam("_value")}),
                               pointing)
        if table.name == "log_record":
            fts.index_records(target, rows)
    if target.dialect.name == "postgresql":
        _advance_sequences(target)
    return counts


def _advance_sequences(connection: Connection) -> None:
    """Rows copied with their integer keys leave PostgreSQL's key sequences behind them: move each on."""
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement is True:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                f"coalesce(max({key[0].name}), 1), max({key[0].name}) IS NOT NULL) FROM {table.name}")


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


# Notifications -------------------------------------------------------------------------------------------

def notification(writes: Writes, origin: str) -> str:
    """The payload telling other stations what a transaction wrote; short enough for PostgreSQL."""
    payload: dict[str, Any] = {"o": origin, "t": sorted(writes.tables),
                               "r": None if writes.runs_unknown else sorted(writes.run_ids),
                               "k": {t: sorted(k) for t, k in writes.keys.items() if t not in writes.unkeyed}}
    text = json.dumps(payload, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD:
        payload["k"] = {}
        text = json.dumps(payload, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD:
        payload["r"] = None
        text = json.dumps(payload, separators=(",", ":"))
    return text


def send_notification(session: Session | Connection, channel: str, payload: str) -> None:
    session.execute(select(func.pg_notify(channel, payload)))


@dataclass(frozen=True)
class Heard:
    """A notification from the room: who sent it and what it wrote."""

    origin: str
    tables: tuple[str, ...]
    run_ids: tuple[str, ...] | None
    keys: Mapping[str, Iterable[str]]

    @classmethod
    def parse(cls, payload: str) -> Heard | None:
        try:
            data = json.loads(payload)
            return cls(str(data["o"]), tuple(str(t) for t in data["t"]),
                       None if data.get("r") is None else tuple(str(r) for r in data["r"]),
                       {str(t): [str(k) for k in keys] for t, keys in (data.get("k") or {}).items()})
        except (ValueError, KeyError, TypeError):
            return None


class RoomListener:
    """Listens on the room's channel in a thread of its own and reports what it hears, and whether the server
    can be reached; reconnects by itself, waiting a little longer after each failure (up to 5 s)."""

    def __init__(self, url: URL, channel: str, heard: Callable[[Heard], None],
                 connection_changed: Callable[[bool, str], None]) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._channel = channel
        self._heard = heard
        self._connection_changed = connection_changed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"room-listener-{channel}", daemon=True)
        self._connected = threading.Event()
        self.online: bool | None = None

    def start(self, wait_s: float = 5.0) -> None:
        self._thread.start()
        self._connected.wait(wait_s)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def suspect(self) -> None:
        """A write just failed: count the server as away until the next answer says otherwise."""
        self.online = False

    def _set_online(self, online: bool, problem: str = "") -> None:
        if online != self.online:
            self.online = online
            try:
                self._connection_changed(online, problem)
            except Exception:
                log.exception("reporting the room connection")

    def _run(self) -> None:
        import psycopg

        pause = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                    conn.execute(f'LISTEN "{self._channel}"')
                    self._set_online(True)
                    self._connected.set()
                    pause = 0.5
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.25):
                            heard = Heard.parse(notify.payload)
                            if heard is not None:
                                self._heard(heard)
                        conn.execute("SELECT 1")  # finds a dead server between notifications
                        self._set_online(True)
            except (psycopg.Error, OSError) as error:
                self._set_online(False, _first_line(error))
                self._connected.set()
                self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
            except Exception:
                log.exception("listening to the room")
                self._stop.wait(pause)


def is_server_failure(error: BaseException) -> bool:
    """A failure of the connection, not of the statement (the write may be sent again later)."""
    if isinstance(error, RoomOffline):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)

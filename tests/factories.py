"""Small builders shared by the tests: a document made from a library scenario, on the back end the test runs
on (see `tests.backends`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.roles import Station
from ctpn_desktop.core.services.document import Document, create_document, open_document
from ctpn_desktop.storage.cipher import DocumentKey

from tests import backends

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios"
FACILITATOR = Station("test-facilitator", "Lead facilitator")


def library_document(folder: Path, name: str = "christmas-market-mta.json") -> Document:
    """A new exercise from the library: a file, or (on the PostgreSQL back end) a room published from one."""
    scenario, blobs = read_scenario_file(LIBRARY / name)
    document = create_document(folder / "exercise.ctpn", scenario, blobs, passphrase=backends.passphrase())
    if document.key is not None:
        _keys[document.key.salt] = document.key
    if backends.backend.get() != "postgresql":
        return document
    from ctpn_desktop.core.services.room import RoomAddress, publish

    address = RoomAddress.parse(backends.pg_address())
    with document:
        room = publish(document, address, backends.new_room_name(), FACILITATOR, source=SystemTimeSource())
    assert isinstance(room, Document)
    return room


def reopen(document: Document, station: Station | None = None) -> Document:
    """The same exercise opened again, as after a restart: the file, or the room joined again."""
    if document.room is None:
        return open_file(document.path)
    from ctpn_desktop.core.services.room import join

    joined = join(document.room.address, document.room.name, station or document.station,
                  source=SystemTimeSource(), local_path=document.path)
    assert isinstance(joined, Document)
    return joined


def open_file(path: Path, **options: Any) -> Document:
    """Open an exercise file (or a copy of one) as the back end the test runs on made it: encrypted or not."""
    return open_document(path, key=file_key(path), **options)


@contextmanager
def raw_sql(path: Path) -> Iterator[Any]:
    """A bare DB-API connection to an exercise file beside the application (SQLCipher with the test passphrase
    on the encrypted back end), committed when the block ends, as someone editing the file by hand."""
    from ctpn_desktop.storage import cipher, db

    if db.is_encrypted(path):
        module = cipher.require()
        key = file_key(path)
        assert key is not None
        connection = cipher.connect(module, str(path), key)
    else:
        connection = sqlite3.connect(path)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


_keys: dict[bytes, DocumentKey] = {}


def file_key(path: Path) -> DocumentKey | None:
    """The key of a file made on the back end the test runs on (None for a plain file), derived once per salt:
    the key derivation is slow on purpose, and the tests open the same files many times."""
    from ctpn_desktop.storage import cipher, db

    if not db.is_encrypted(path):
        return None
    salt = cipher.file_salt(path)
    if salt not in _keys:
        _keys[salt] = cipher.key_for_file(path, backends.PASSPHRASE)
    return _keys[salt]


def make_older(path: Path, revision: str = "0001") -> None:
    """Take a closed document back to an older schema revision with the migrations' own downgrades, as a file
    written by an older version would be."""
    from alembic import command

    from ctpn_desktop.storage import db

    key = file_key(path)
    engine = db.make_engine(path, foreign_keys=False, key=key)
    db._transactional_ddl(engine)
    try:
        with engine.begin() as connection:
            config = db.alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
    plain = db.make_engine(path, key=key)
    db.checkpoint(plain)  # one file again, so that copying its bytes copies all of it
    plain.dispose()


def behind_the_back(document: Document, statement: str) -> None:
    """Change stored rows without the application, as someone tampering with the file or the room's server."""
    if document.room is None:
        with raw_sql(document.path) as connection:
            connection.execute(statement)
        return
    import psycopg

    conninfo = document.room.address.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{document.room.schema}"')
        connection.execute(statement)  # type: ignore[call-overload]

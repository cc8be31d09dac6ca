"""Small builders shared by the tests: a document made from a library scenario, on the back end the test runs
on (see `tests.backends`)."""

from __future__ import annotations

from pathlib import Path

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.roles import Station
from ctpn_desktop.core.services.document import Document, create_document, open_document

from tests import backends

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios"
FACILITATOR = Station("test-facilitator", "Lead facilitator")


def library_document(folder: Path, name: str = "christmas-market-mta.json") -> Document:
    """A new exercise from the library: a file, or (on the PostgreSQL back end) a room published from one."""
    scenario, blobs = read_scenario_file(LIBRARY / name)
    document = create_document(folder / "exercise.ctpn", scenario, blobs)
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
        return open_document(document.path)
    from ctpn_desktop.core.services.room import join

    joined = join(document.room.address, document.room.name, station or document.station,
                  source=SystemTimeSource(), local_path=document.path)
    assert isinstance(joined, Document)
    return joined


def make_older(path: Path, revision: str = "0001") -> None:
    """Take a closed document back to an older schema revision with the migrations' own downgrades, as a file
    written by an older version would be."""
    from alembic import command

    from ctpn_desktop.storage import db

    engine = db.make_engine(path, foreign_keys=False)
    db._transactional_ddl(engine)
    try:
        with engine.begin() as connection:
            config = db.alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
    plain = db.make_engine(path)
    db.checkpoint(plain)  # one file again, so that copying its bytes copies all of it
    plain.dispose()


def behind_the_back(document: Document, statement: str) -> None:
    """Change stored rows without the application, as someone tampering with the file or the room's server."""
    if document.room is None:
        import sqlite3

        with sqlite3.connect(document.path) as connection:
            connection.execute(statement)
        return
    import psycopg

    conninfo = document.room.address.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{document.room.schema}"')
        connection.execute(statement)  # type: ignore[call-overload]

"""The storage back ends the service tests run on: an exercise file (SQLite), an encrypted exercise file
(SQLCipher, opened with `PASSPHRASE`) and a shared room (PostgreSQL).

The PostgreSQL server is the throw-away cluster that `.ci/run` starts (`.ci/postgres start`), given to the tests
in ``CTPN_TEST_PG_URL``. Without it the PostgreSQL half is skipped, with the reason, unless ``CTPN_REQUIRE_PG``
is set (as CI sets it): then a missing server fails the run instead of hiding half of it.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_URL_ENV = "CTPN_TEST_PG_URL"
REQUIRE_PG_ENV = "CTPN_REQUIRE_PG"
BACKENDS = ("sqlite", "sqlcipher", "postgresql")
PASSPHRASE = "correct horse battery staple"
"""The passphrase of every document the tests make on the encrypted back end."""

backend: contextvars.ContextVar[str] = contextvars.ContextVar("backend", default="sqlite")
_rooms: list[str] = []


def pg_address() -> str:
    """The test server's address, or the test is skipped (or fails, when a server is required)."""
    url = os.environ.get(PG_URL_ENV, "")
    if not url:
        message = f"no PostgreSQL test server: set {PG_URL_ENV} (.ci/postgres start prints one)"
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail(message)
        pytest.skip(message)
    return url


def new_room_name(prefix: str = "test") -> str:
    name = f"{prefix} {uuid.uuid4().hex[:12]}"
    _rooms.append(name)
    return name


def drop_test_rooms() -> None:
    """Remove the rooms the test made, so that the server stays small over thousands of tests."""
    if not _rooms:
        return
    from ctpn_desktop.core.services.room import RoomAddress, drop_room

    address = RoomAddress.parse(os.environ[PG_URL_ENV])
    while _rooms:
        name = _rooms.pop()
        with contextlib.suppress(Exception):  # already dropped by the test itself
            drop_room(address, name)


def passphrase() -> str | None:
    """The passphrase new documents get on the back end the test runs on (None: not encrypted)."""
    return PASSPHRASE if backend.get() == "sqlcipher" else None


@contextmanager
def using(name: str) -> Iterator[None]:
    token = backend.set(name)
    try:
        yield
    finally:
        backend.reset(token)

"""Every service test runs three times: on an exercise file (SQLite), on an encrypted exercise file (SQLCipher)
and on a shared room (PostgreSQL).

A test about what only a file has (its bytes, its backups, plain sqlite3 beside the application) is marked
``file_only`` and runs on SQLite alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import backends


@pytest.fixture(autouse=True, params=backends.BACKENDS)
def storage_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name: str = request.param
    if name == "sqlcipher":  # the commands the tests run find the passphrase where scripts give it
        monkeypatch.setenv("CTPN_PASSPHRASE", backends.PASSPHRASE)
    if name == "postgresql":
        if request.node.get_closest_marker("file_only"):
            pytest.skip("about exercise files only")
        backends.pg_address()
    with backends.using(name):
        yield name
    backends.drop_test_rooms()

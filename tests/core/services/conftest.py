"""Every service test runs twice: on an exercise file (SQLite) and on a shared room (PostgreSQL).

A test about what only a file has (its bytes, its backups, plain sqlite3 beside the application) is marked
``file_only`` and runs on SQLite alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import backends


@pytest.fixture(autouse=True, params=backends.BACKENDS)
def storage_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    name: str = request.param
    if name == "postgresql":
        if request.node.get_closest_marker("file_only"):
            pytest.skip("about exercise files only")
        backends.pg_address()
    with backends.using(name):
        yield name
    backends.drop_test_rooms()

"""A run's frozen scenario lives apart from the run's row, which changes with every press of the clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, make_older, open_file, raw_sql


def _wal_size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


@pytest.mark.file_only
def test_a_press_of_the_clock_writes_a_few_pages_not_the_frozen_scenario(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, SystemTimeSource())
        run = runs.create_run()
        with raw_sql(document.path) as connection:
            (frozen_bytes,) = connection.execute("SELECT length(frozen_scenario) FROM run_scenario").fetchone()
        assert frozen_bytes > 40_000
        runs.start(run.id)
        for press in (runs.pause, runs.resume, runs.pause, runs.resume):
            before = _wal_size(document.path)
            press(run.id)
            assert _wal_size(document.path) - before < frozen_bytes / 2
        assert runs.run(run.id).status.value == "running"


@pytest.mark.file_only
def test_a_file_with_the_scenario_in_the_run_row_is_migrated_with_it_unchanged(tmp_path: Path) -> None:
    document = library_document(tmp_path)
    runs = RunService(document, SystemTimeSource())
    first, second = runs.create_run("Morning"), runs.create_run("Afternoon")
    runs.start(second.id)
    document.close()
    with raw_sql(document.path) as connection:
        frozen = dict(connection.execute("SELECT run_id, frozen_scenario FROM run_scenario").fetchall())
    assert set(frozen) == {first.id, second.id}
    make_older(document.path, "0008")
    with raw_sql(document.path) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(run)")}
        assert "frozen_scenario" in columns
        assert not connection.execute("SELECT name FROM sqlite_master WHERE name = 'run_scenario'").fetchall()
    with open_file(document.path) as migrated:
        assert migrated.migrated_from == "0008"
        again = RunService(migrated, SystemTimeSource())
        assert again.run(second.id).status.value == "running" and again.run(first.id).label == "Morning"
        assert again.frozen_scenario(first.id).exercise.title == runs.frozen_scenario(first.id).exercise.title
    with raw_sql(document.path) as connection:
        assert "frozen_scenario" not in {row[1] for row in connection.execute("PRAGMA table_info(run)")}
        assert dict(connection.execute("SELECT run_id, frozen_scenario FROM run_scenario").fetchall()) == frozen

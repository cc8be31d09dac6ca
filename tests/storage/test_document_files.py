"""Opening files: ours open; anything else is refused with a message and never modified."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from ctpn_desktop.core.errors import DamagedDocumentError, DocumentError, NewerSchemaError, NotAnExerciseFile
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.storage import db
from ctpn_desktop.storage.orm import Base

from tests.factories import library_document


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def closed_document(tmp_path: Path) -> Path:
    document = library_document(tmp_path)
    document.close()
    return document.path


def test_a_new_document_has_our_pragmas_and_application_id(tmp_path: Path) -> None:
    with library_document(tmp_path) as document, document.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert db.read_application_id(tmp_path / "exercise.ctpn") == db.APPLICATION_ID


def test_closing_folds_the_wal_into_one_file(closed_document: Path) -> None:
    wal = closed_document.with_name(closed_document.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(closed_document) as connection:
        assert connection.execute("SELECT count(*) FROM inject").fetchone()[0] > 0


def test_reopening_gives_the_same_summary(closed_document: Path) -> None:
    with open_document(closed_document) as document:
        summary = document.summary()
    assert summary.title == "Exercise WINTER LANTERN"
    assert summary.injects >= 15 and summary.objectives >= 3 and summary.phases >= 3
    assert summary.schema_revision == db.head_revision()


def test_migrations_from_an_empty_file_match_the_models(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.sqlite"
    sqlite3.connect(migrated).close()
    db.migrate(migrated)
    created = tmp_path / "created.sqlite"
    engine = create_engine(f"sqlite:///{created}")
    Base.metadata.create_all(engine)

    def shape(path: Path) -> dict[str, list[tuple[str, str, bool]]]:
        inspector = inspect(create_engine(f"sqlite:///{path}"))
        return {
            table: sorted((c["name"], str(c["type"]), bool(c["nullable"])) for c in inspector.get_columns(table))
            for table in inspector.get_table_names() if table != "alembic_version"
        }

    assert shape(migrated) == shape(created)

    def schema_sql(path: Path) -> set[tuple[str, str, str]]:
        """Triggers, views and virtual tables are not columns; compare their definitions too."""
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') "
                                      "OR sql LIKE 'CREATE VIRTUAL TABLE%'").fetchall()
        return {(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows}

    assert schema_sql(migrated) == schema_sql(created)
    assert {name for _, name, _ in schema_sql(created)} >= {"log_record_fts", "log_record_fts_insert"}
    with sqlite3.connect(migrated) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == db.head_revision()


def test_an_older_document_is_migrated_after_a_backup(closed_document: Path) -> None:
    with sqlite3.connect(closed_document) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0000'")
    known = db.known_revisions
    try:
        db.known_revisions = lambda: known() | {"0000"}  # type: ignore[assignment]
        original = closed_document.read_bytes()
        # The fake revision is not in the script chain, so the upgrade itself must fail loudly …
        with pytest.raises(Exception):  # noqa: B017
            open_document(closed_document)
        # … but a backup of the untouched file was taken first.
        backups = list(closed_document.parent.glob("*.before-0000-*.bak"))
        assert backups
        with sqlite3.connect(backups[0]) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0000"
        assert len(original) > 0
    finally:
        db.known_revisions = known  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        (b"", NotAnExerciseFile, "empty"),
        (b"hello, this is a text file\n" * 20, NotAnExerciseFile, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 20, DamagedDocumentError, "truncated"),
    ],
)
def test_files_that_are_not_documents_are_refused(tmp_path: Path, content: bytes, error: type,
                                                  words: str) -> None:
    path = tmp_path / "thing.ctpn"
    path.write_bytes(content)
    with pytest.raises(error, match=words):
        open_document(path)
    assert path.read_bytes() == content


def test_another_applications_sqlite_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('mine')")
    before = digest(path)
    with pytest.raises(NotAnExerciseFile, match="another application"):
        open_document(path)
    assert digest(path) == before


def test_a_truncated_document_is_refused_unchanged(closed_document: Path) -> None:
    data = closed_document.read_bytes()
    closed_document.write_bytes(data[: len(data) // 2])
    before = digest(closed_document)
    with pytest.raises(DamagedDocumentError, match="truncated"):
        open_document(closed_document)
    assert digest(closed_document) == before


def test_a_corrupted_document_is_refused_unchanged(closed_document: Path) -> None:
    data = bytearray(closed_document.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for offset in range(page_size, len(data), 7):  # scribble over every page after the first
        data[offset] = 0xA5
    closed_document.write_bytes(bytes(data))
    before = digest(closed_document)
    with pytest.raises(DamagedDocumentError, match="damaged"):
        open_document(closed_document)
    assert digest(closed_document) == before


def test_a_document_from_a_newer_version_is_refused_unchanged(closed_document: Path) -> None:
    with sqlite3.connect(closed_document) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = digest(closed_document)
    with pytest.raises(NewerSchemaError, match="newer version"):
        open_document(closed_document)
    assert digest(closed_document) == before


def test_missing_files_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        open_document(tmp_path / "nowhere.ctpn")
    with pytest.raises(DocumentError, match="folder"):
        open_document(tmp_path)


def test_save_a_copy_is_a_consistent_document(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        copy = document.save_copy(tmp_path / "copy.ctpn")
        with pytest.raises(DocumentError):
            document.save_copy(document.path)
    with open_document(copy) as reopened:
        assert reopened.summary().injects == 23


def test_creating_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "exercise.ctpn"
    existing.write_bytes(b"precious")
    with pytest.raises(DocumentError, match="already exists"):
        library_document(tmp_path)
    assert existing.read_bytes() == b"precious"


def test_a_document_whose_process_was_killed_before_closing_reopens(tmp_path: Path) -> None:
    """The id and every saved edit must survive a pulled plug, not only a clean close."""
    path = tmp_path / "killed.ctpn"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from ctpn_desktop.core.services.document import create_document\n"
        "from ctpn_desktop.core.services.scenario import ScenarioService\n"
        "from dataclasses import replace\n"
        "from tests.factories import LIBRARY\n"
        "from ctpn_desktop.core.io.scenario_json import read_scenario_file\n"
        "scenario, blobs = read_scenario_file(LIBRARY / 'metro-chemical-release.json')\n"
        f"document = create_document(Path({str(path)!r}), scenario, blobs)\n"
        "service = ScenarioService(document)\n"
        "service.put_exercise(replace(service.load().exercise, title='Edited before the plug was pulled'))\n"
        "sys.stdout.write('saved'); sys.stdout.flush()\n"
        "os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2], capture_output=True,
                            text=True, timeout=120)
    assert result.stdout == "saved", result.stderr
    assert path.with_name(path.name + "-wal").exists()
    with open_document(path) as document:
        assert document.summary().title == "Edited before the plug was pulled"

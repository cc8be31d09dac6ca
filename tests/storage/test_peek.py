"""The glance at an exercise file before the storage layer loads: right for a good file, silent for any other,
and never a write."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.encryption import encrypt_file
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage.peek import ExerciseGlance, glance


def _exercise(folder: Path) -> Path:
    scenario, blobs = read_scenario_file(library_folder() / "christmas-market-mta.json")
    path = folder / "exercise.ctpn"
    create_document(path, scenario, blobs).close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_glance_gives_what_the_document_itself_says(tmp_path: Path) -> None:
    path = _exercise(tmp_path)
    seen = glance(path)
    with open_document(path) as document:
        exercise = ScenarioService(document).exercise()
    assert seen == ExerciseGlance(title=exercise.title, marking=exercise.marking)


def test_a_glance_never_writes(tmp_path: Path) -> None:
    path = _exercise(tmp_path)
    before = _digest(path)
    for _ in range(3):
        assert glance(path) is not None
    assert _digest(path) == before


def test_a_glance_says_nothing_of_files_it_cannot_read(tmp_path: Path) -> None:
    assert glance(tmp_path / "missing.ctpn") is None
    assert glance(tmp_path) is None  # a folder
    empty = tmp_path / "empty.ctpn"
    empty.write_bytes(b"")
    assert glance(empty) is None
    junk = tmp_path / "junk.ctpn"
    junk.write_bytes(b"\x00\xff" * 5000)
    assert glance(junk) is None
    truncated = tmp_path / "truncated.ctpn"
    truncated.write_bytes(_exercise(tmp_path).read_bytes()[:4096 + 100])
    assert glance(truncated) is None
    foreign = tmp_path / "foreign.ctpn"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE exercise (name TEXT)")
        connection.execute("INSERT INTO exercise VALUES ('x')")
    connection.close()
    assert glance(foreign) is None
    odd = tmp_path / "odd.ctpn"
    with sqlite3.connect(odd) as connection:
        connection.execute("CREATE TABLE exercise (title BLOB, marking INTEGER)")
        connection.execute("INSERT INTO exercise VALUES (x'00', 7)")
    connection.close()
    assert glance(odd) is None


def test_an_encrypted_file_shows_nothing_before_its_passphrase(tmp_path: Path) -> None:
    path = _exercise(tmp_path)
    encrypt_file(path, "lantern harbour seven gulls")
    assert glance(path) is None

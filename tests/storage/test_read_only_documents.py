"""Documents that cannot be written to open read-only: they are read, never written, and writes are refused clearly."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.errors import ReadOnlyDocumentError
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import db

from tests.factories import library_document, make_older


def snapshot(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def closed_document(folder: Path) -> Path:
    document = library_document(folder)
    document.close()
    return document.path


def make_read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def test_a_read_only_file_opens_read_only_and_is_never_written(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    make_read_only(path)
    before = snapshot(tmp_path)
    with open_document(path) as document:
        assert document.read_only
        scenario = ScenarioService(document).load()
        assert scenario.exercise.title == "Exercise WINTER LANTERN" and len(scenario.injects) == 23
        with pytest.raises(ReadOnlyDocumentError, match="open read-only"):
            ScenarioService(document).put_exercise(dataclasses.replace(scenario.exercise, title="Changed"))
        with pytest.raises(ReadOnlyDocumentError):
            RunService(document, FakeTimeSource()).create_run("Live conduct")
        assert document.summary().runs == 0
    assert snapshot(tmp_path) == before  # no -wal, no -shm, not a byte changed


def test_read_only_can_be_asked_for_on_a_writable_file(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    before = snapshot(tmp_path)
    with open_document(path, read_only=True) as document:
        assert document.read_only
        with pytest.raises(ReadOnlyDocumentError):
            ScenarioService(document).delete_injects([ScenarioService(document).load().injects[0].id])
    # SQLite may leave its shared-memory index beside a writable file; the document itself is untouched.
    assert snapshot(tmp_path)["exercise.ctpn"] == before["exercise.ctpn"]
    assert not (tmp_path / "exercise.ctpn-wal").exists() or not (tmp_path / "exercise.ctpn-wal").stat().st_size
    with open_document(path) as document:
        assert not document.read_only


def test_a_copy_of_a_read_only_document_is_writable(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    make_read_only(path)
    with open_document(path) as document:
        copy = document.save_copy(tmp_path / "copy.ctpn")
    with open_document(copy) as writable:
        assert not writable.read_only
        ScenarioService(writable).put_exercise(
            dataclasses.replace(ScenarioService(writable).load().exercise, title="Edited copy"))


def test_an_old_read_only_file_is_refused_rather_than_migrated(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    make_older(path)  # as a file written before the full-text index
    make_read_only(path)
    before = snapshot(tmp_path)
    with pytest.raises(ReadOnlyDocumentError, match="older version"):
        open_document(path)
    assert snapshot(tmp_path) == before


CRASH = """
import os, sys, dataclasses
from pathlib import Path
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService
document = open_document(Path(sys.argv[1]))
service = ScenarioService(document)
service.put_exercise(dataclasses.replace(service.load().exercise, title="Written before the crash"))
os._exit(0)  # no close, no checkpoint: the change lives only in the write-ahead log
"""


def test_a_crashed_document_on_a_read_only_place_is_read_with_its_log_or_refused(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    subprocess.run([sys.executable, "-c", CRASH, str(path)], check=True, cwd=Path(__file__).resolve().parents[2])
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    assert wal.stat().st_size > 0 and shm.exists()
    make_read_only(path)
    with open_document(path) as document:
        assert document.read_only
        assert ScenarioService(document).load().exercise.title == "Written before the crash"
    shm.unlink()
    with pytest.raises(ReadOnlyDocumentError, match="not closed properly"):
        open_document(path)
    assert os.path.exists(wal)


def test_writable_places_are_not_taken_for_read_only(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    assert not db.is_read_only_location(path)
    make_read_only(path)
    assert db.is_read_only_location(path)

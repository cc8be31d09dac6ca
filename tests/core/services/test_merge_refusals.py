"""A refused merge changes nothing in either file: another exercise, a tampered copy, a truncated file."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.errors import CtpnError, MergeRefused
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from tests import backends
from tests.factories import library_document, open_file, raw_sql

pytestmark = pytest.mark.file_only  # copies and files of their own: a shared room is tested apart


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> list[tuple[object, ...]]:
    with raw_sql(path) as connection:
        rows = list(connection.execute("SELECT id, hash FROM log_record ORDER BY id"))
    connection.close()
    return rows


@pytest.fixture
def laptops(tmp_path: Path) -> tuple[Path, Path, str]:
    source = FakeTimeSource(wall=datetime(2027, 12, 10, 18, 42, tzinfo=UTC))
    (tmp_path / "a").mkdir()
    document = library_document(tmp_path / "a")
    run = RunService(document, source).create_run("Live")
    LogService(document, "laptop-a", source).append(run.id, LogDraft(kind=LogKind.DECISION, text="PLATO declared"),
                                                     exercise_s=60)
    copy = document.save_copy(tmp_path / "b.ctpn")
    document.close()
    with open_file(copy) as other:
        log = LogService(other, "laptop-b", source)
        for index in range(3):
            source.advance(10)
            log.append(run.id, LogDraft(kind=LogKind.INFORMATION, text=f"B {index} שלום"), exercise_s=90 + index)
    return document.path, copy, run.id


def _refused(target: Path, other: Path, expected: type[CtpnError], words: str) -> None:
    from ctpn_desktop.core.services.merge import merge_from

    before = _rows(target)
    other_before = _digest(other) if other.exists() else None
    with open_file(target) as document, pytest.raises(expected) as refused:
        merge_from(document, other, passphrase=backends.passphrase())
    assert words in str(refused.value)
    assert _rows(target) == before
    if other_before is not None:
        assert _digest(other) == other_before


def test_a_tampered_copy_is_refused_and_nothing_changes(laptops: tuple[Path, Path, str]) -> None:
    target, other, _ = laptops
    with raw_sql(other) as connection:
        connection.execute("UPDATE log_record SET text = 'B 1 nothing' WHERE text LIKE 'B 1 %'")
    connection.close()
    _refused(target, other, MergeRefused, "fails the integrity check")


def test_a_copy_with_a_deleted_record_is_refused(laptops: tuple[Path, Path, str]) -> None:
    target, other, _ = laptops
    with raw_sql(other) as connection:
        connection.execute("DELETE FROM log_record WHERE text LIKE 'B 0 %'")
    connection.close()
    _refused(target, other, MergeRefused, "missing")


def test_another_exercise_and_damaged_files_are_refused(tmp_path: Path, laptops: tuple[Path, Path, str]) -> None:
    target, other, _ = laptops
    (tmp_path / "c").mkdir()
    foreign = library_document(tmp_path / "c", "food-festival-bioterrorism.json")
    foreign.close()
    _refused(target, foreign.path, MergeRefused, "another exercise")
    truncated = tmp_path / "truncated.ctpn"
    truncated.write_bytes(other.read_bytes()[: other.stat().st_size // 2])
    _refused(target, truncated, CtpnError, "truncated")
    not_ours = tmp_path / "notes.ctpn"
    not_ours.write_text("minutes of the planning meeting", encoding="utf-8")
    _refused(target, not_ours, CtpnError, "")
    _refused(target, tmp_path / "missing.ctpn", CtpnError, "")

"""Rolling backups: consistent copies of open documents, listed newest first, pruned, verified and restored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ctpn_desktop.core.errors import DamagedDocumentError, DocumentError
from ctpn_desktop.core.services.backups import MIGRATION_KEEP, BackupService
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import db

from tests.factories import file_key, library_document, make_older, open_file, raw_sql

pytestmark = pytest.mark.file_only  # copies and files of their own: a shared room is tested apart


class Ticking:
    """A clock for backup names that moves a minute per call."""

    def __init__(self) -> None:
        self.now = datetime(2027, 12, 12, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def service(tmp_path: Path) -> BackupService:
    return BackupService(tmp_path / "backups", keep=3, now=Ticking())


def closed_document(folder: Path) -> Path:
    document = library_document(folder)
    document.close()
    return document.path


def retitle(path: Path, title: str) -> None:
    with open_file(path) as document:
        scenario = ScenarioService(document)
        scenario.put_exercise(dataclasses.replace(scenario.load().exercise, title=title))


def title_of(path: Path) -> str:
    with open_file(path, read_only=True) as document:
        return ScenarioService(document).load().exercise.title


def test_a_backup_of_an_open_document_holds_what_was_committed(tmp_path: Path, service: BackupService) -> None:
    with library_document(tmp_path) as document:
        ScenarioService(document).put_exercise(
            dataclasses.replace(ScenarioService(document).load().exercise, title="Committed, not yet checkpointed"))
        key = document.key
        backup = service.take(document.path, "open", key)
    assert backup.reason == "open" and backup.size == backup.path.stat().st_size > 0
    assert backup.path.parent == service.folder_for(tmp_path / "exercise.ctpn")
    assert not backup.path.with_name(backup.path.name + "-wal").exists()  # one self-contained file
    service.verify(backup, key)
    assert title_of(backup.path) == "Committed, not yet checkpointed"


def test_backups_are_listed_newest_first_and_pruned_per_document(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = closed_document(other_folder)  # the same file name in another folder: its own backups
    taken = [service.take(path, "timer", file_key(path)) for _ in range(5)]
    service.take(other, "timer", file_key(other))
    listed = service.backups(path)
    assert [b.path for b in listed] == [b.path for b in reversed(taken[-3:])]
    assert all(not b.path.exists() for b in taken[:2])
    assert [b.taken_at for b in listed] == sorted((b.taken_at for b in listed), reverse=True)
    assert len(service.backups(other)) == 1


def test_backups_before_a_migration_are_kept_apart_from_the_rolling_ones(tmp_path: Path,
                                                                        service: BackupService) -> None:
    path = closed_document(tmp_path)
    key = file_key(path)
    service.take(path, "before-0001", key)
    for _ in range(service.keep + 2):
        service.take(path, "timer", key)
    reasons = [b.reason for b in service.backups(path)]
    assert reasons.count("before-0001") == 1 and reasons.count("timer") == service.keep
    for _ in range(MIGRATION_KEEP + 1):
        service.take(path, "before-0002", key)
    assert sum(b.before_migration for b in service.backups(path)) == MIGRATION_KEEP


def test_an_unchanged_document_is_not_backed_up_again(tmp_path: Path, service: BackupService) -> None:
    document = library_document(tmp_path)
    with document:
        assert service.take_if_changed(document.path, key=document.key) is not None
        assert service.take_if_changed(document.path, key=document.key) is None
        ScenarioService(document).put_exercise(
            dataclasses.replace(ScenarioService(document).load().exercise, title="Changed"))
        assert service.take_if_changed(document.path, key=document.key) is not None


def test_the_newest_good_backup_skips_damaged_ones(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    key = file_key(path)
    good = service.take(path, key=key)
    bad = service.take(path, key=key)
    with bad.path.open("r+b") as handle:
        handle.truncate(bad.size // 2)
    with pytest.raises(DamagedDocumentError):
        service.verify(bad, key)
    assert service.newest_good(path, key) == good


def test_restoring_into_a_new_file_never_replaces_one(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    retitle(path, "Before the mistake")
    key = file_key(path)
    backup = service.take(path, key=key)
    retitle(path, "After the mistake")
    existing = tmp_path / "existing.ctpn"
    existing.write_bytes(b"someone's file")
    with pytest.raises(DocumentError, match="already exists"):
        service.restore_to(backup, existing, key)
    assert existing.read_bytes() == b"someone's file"
    restored = service.restore_to(backup, tmp_path / "restored.ctpn", key)
    assert title_of(restored) == "Before the mistake"
    assert title_of(path) == "After the mistake"


def test_replacing_keeps_the_replaced_state_as_a_backup(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    retitle(path, "Good state")
    key = file_key(path)
    good = service.take(path, key=key)
    retitle(path, "Bad state")
    kept = service.replace_with(good, path, key)
    assert title_of(path) == "Good state"
    assert kept is not None and kept.reason == "before-restore" and title_of(kept.path) == "Bad state"


def test_a_damaged_document_is_kept_byte_for_byte_when_replaced(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    key = file_key(path)
    good = service.take(path, key=key)
    damaged = path.read_bytes()[:5000]
    path.write_bytes(damaged)
    assert service.replace_with(good, path, key) is None
    kept = list(service.folder_for(path).glob("*.damaged.ctpn-kept"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    db.check_file(path, key)


def test_a_backup_that_cannot_be_written_is_reported_and_leaves_nothing(tmp_path: Path) -> None:
    path = closed_document(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be", encoding="utf-8")
    with pytest.raises(DocumentError, match="backup could not be written"):
        BackupService(blocker).take(path, key=file_key(path))
    with raw_sql(path) as connection:
        assert connection.execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_a_migration_is_preceded_by_a_backup_in_the_backup_folder(tmp_path: Path, service: BackupService) -> None:
    path = closed_document(tmp_path)
    make_older(path)  # as a file written before the full-text index
    with open_file(path, backups=service) as document:
        assert document.migrated_from == "0001"
        assert document.backup_path is not None and document.backup_path.parent == service.folder_for(path)
    (backup,) = service.backups(path)
    assert backup.reason == "before-0001" and backup.before_migration
    assert db.check_file(backup.path, file_key(backup.path)).revision == "0001"

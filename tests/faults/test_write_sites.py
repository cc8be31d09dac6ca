"""Each place that writes a file says clearly why it could not, and leaves nothing half-written behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from ctpn_desktop.core.errors import DocumentError
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.storage import db

from tests.factories import LIBRARY, library_document

SCENARIO = LIBRARY / "metro-chemical-release.json"


def no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.rglob("*")}


def test_a_new_exercise_in_a_missing_folder_is_refused_clearly(tmp_path: Path) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    target = tmp_path / "no such folder" / "exercise.ctpn"
    with pytest.raises(DocumentError, match="cannot be created or opened there") as caught:
        create_document(target, scenario, blobs)
    assert caught.value.path == str(target)
    assert names(tmp_path) == set()


def test_a_new_exercise_never_replaces_a_file_that_appeared_meanwhile(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    target = tmp_path / "exercise.ctpn"
    publish = db.publish_new_file

    def someone_else_saves_first(finished: Path, final: Path) -> None:
        final.write_bytes(b"another person's file")
        publish(finished, final)

    monkeypatch.setattr(db, "publish_new_file", someone_else_saves_first)
    with pytest.raises(DocumentError, match="already exists"):
        create_document(target, scenario, blobs)
    assert target.read_bytes() == b"another person's file"
    assert names(tmp_path) == {"exercise.ctpn"}


def test_a_disk_that_fills_while_a_new_exercise_is_published_leaves_nothing(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    monkeypatch.setattr(db, "sync_file", no_space)
    with pytest.raises(DocumentError, match="No space left"):
        create_document(tmp_path / "exercise.ctpn", scenario, blobs)
    assert names(tmp_path) == set()


@pytest.mark.parametrize("site", ["save a copy", "backup", "restore"])
def test_copies_that_cannot_be_finished_are_refused_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                site: str) -> None:
    with library_document(tmp_path) as document:
        backups = BackupService(tmp_path / "backups")
        backup = backups.take(document.path)
        before = names(tmp_path)
        monkeypatch.setattr(db, "sync_file", no_space)
        with pytest.raises(DocumentError, match="No space left"):
            if site == "save a copy":
                document.save_copy(tmp_path / "copy.ctpn")
            elif site == "backup":
                backups.take(document.path)
            else:
                backups.restore_to(backup, tmp_path / "restored.ctpn")
        assert names(tmp_path) == before
    monkeypatch.undo()
    db.check_file(document.path)


def test_a_backup_folder_that_disappears_is_reported_with_the_folder(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        blocker = tmp_path / "usb"
        blocker.write_text("the stick was pulled; a file took its name", encoding="utf-8")
        with pytest.raises(DocumentError) as caught:
            BackupService(blocker / "backups").take(document.path)
        assert "backup could not be written" in caught.value.problem
    with open_document(document.path) as reopened:
        assert reopened.summary().injects > 0

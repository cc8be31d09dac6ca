"""Checks that need a disk of their own: run as ``python -m tests.faults.confined CHECK FOLDER [OUTSIDE]`` inside a
private mount namespace where FOLDER is a small tmpfs (see test_confined_disks.py). Any failed check raises,
so the exit code tells the parent; each check prints what it saw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.errors import CtpnError, ReadOnlyDocumentError
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import db

from tests.factories import LIBRARY

SCENARIO = LIBRARY / "christmas-market-mta.json"
BIG_TEXT = "Casualty clearing station moved to the car park; " * 4000


def _sound(path: Path) -> None:
    db.check_file(path)
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _fill(folder: Path) -> Path:
    """Take every free byte of the disk."""
    filler = folder / "filler.bin"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                try:
                    handle.write(b"\0" * size)
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error
                    break
    return filler


def _refused(what: str, action: Callable[[], object]) -> str:
    try:
        action()
    except CtpnError as error:
        message = str(error)
        print(f"{what}: refused: {message}")
        return message
    raise AssertionError(f"{what} succeeded on a full disk")


def full_disk(folder: Path) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    path = folder / "exercise.ctpn"
    backups = BackupService(folder / "backups")
    source = FakeTimeSource()
    with create_document(path, scenario, blobs) as document:
        service, runs = ScenarioService(document), RunService(document, source)
        log = LogService(document, "laptop-1", source)
        run = runs.create_run("Live conduct")
        runs.start(run.id)
        log.append(run.id, LogDraft(kind=LogKind.DECISION, text="Saved before the disk filled"), exercise_s=60)
        backups.take(path, "open")
        before = service.load()
        usage = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
        print(f"before filling the disk: {usage}")
        filler = _fill(folder)

        messages = [
            _refused("scenario edit", lambda: service.put_exercise(
                dataclasses.replace(before.exercise, narrative=BIG_TEXT))),
            _refused("inject edit", lambda: service.put_inject(
                dataclasses.replace(before.injects[0], content=BIG_TEXT))),
            _refused("log entry", lambda: log.append(
                run.id, LogDraft(kind=LogKind.DECISION, text=BIG_TEXT), exercise_s=120)),
            _refused("new exercise", lambda: create_document(folder / "new.ctpn", scenario, blobs)),
            _refused("save a copy", lambda: document.save_copy(folder / "copy.ctpn")),
            _refused("backup", lambda: backups.take(path, "timer")),
        ]
        assert all("disk is full" in m or "No space left" in m for m in messages), messages
        leftovers = sorted(p.name for p in folder.iterdir() if p.name not in
                           {"exercise.ctpn", "exercise.ctpn-wal", "exercise.ctpn-shm", "filler.bin", "backups"})
        assert leftovers == [], f"a failed write left files behind: {leftovers}"
        assert [b.reason for b in backups.backups(path)] == ["open"]
        after = service.load()
        assert after == before, "a refused edit changed the document"
        assert [e.current.text for e in log.entries(run.id)] == ["Saved before the disk filled"]

        filler.unlink()  # space again: the same open document carries on
        service.put_exercise(dataclasses.replace(before.exercise, title="Written once there was space"))
        log.append(run.id, LogDraft(kind=LogKind.DECISION, text="Logged once there was space"), exercise_s=180)
    _sound(path)
    with open_document(path) as document:
        assert ScenarioService(document).load().exercise.title == "Written once there was space"
        texts = [e.current.text for e in LogService(document, "laptop-1", source).entries(run.id)]
        assert texts == ["Saved before the disk filled", "Logged once there was space"], texts
    print("full disk: every write refused with a clear error, nothing lost, nothing left behind")


def read_only_medium(folder: Path, outside: Path) -> None:
    """FOLDER is remounted read-only after the documents are written: a USB stick with its lock switch on."""
    scenario, blobs = read_scenario_file(SCENARIO)
    clean = folder / "clean.ctpn"
    create_document(clean, scenario, blobs).close()
    crashed = folder / "crashed.ctpn"
    create_document(crashed, scenario, blobs).close()
    writer = ("import dataclasses, os, sys\n"
              "from pathlib import Path\n"
              "from ctpn_desktop.core.services.document import open_document\n"
              "from ctpn_desktop.core.services.scenario import ScenarioService\n"
              "service = ScenarioService(open_document(Path(sys.argv[1])))\n"
              "service.put_exercise(dataclasses.replace(service.load().exercise, title='Saved before the crash'))\n"
              "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", writer, str(crashed)], check=True)
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    listing = sorted(os.listdir(folder))

    for path, title in ((clean, scenario.exercise.title), (crashed, "Saved before the crash")):
        assert db.is_read_only_location(path)
        with open_document(path) as document:
            assert document.read_only
            service = ScenarioService(document)
            assert service.load().exercise.title == title
            try:
                service.put_exercise(dataclasses.replace(service.load().exercise, title="Changed"))
            except ReadOnlyDocumentError as error:
                print(f"{path.name}: write refused: {error.problem}")
            else:
                raise AssertionError("a write to a read-only medium was accepted")
            copy = document.save_copy(outside / f"{path.stem}-copy.ctpn")
        with open_document(copy) as writable:
            assert not writable.read_only
            assert ScenarioService(writable).load().exercise.title == title
    assert sorted(os.listdir(folder)) == listing

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from ctpn_desktop.ui.main_window import MainWindow

    from ctpn_desktop.app import application, context_factory

    app = application()
    settings = QSettings(str(outside / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("backups/folder", str(outside / "backups"))
    window = MainWindow(settings, lambda: [], context_factory("laptop-1", FakeTimeSource()),
                        default_directory=outside)
    window.show()
    assert window.open_path(crashed)
    app.processEvents()
    assert window.read_only_banner.isVisible(), "no read-only banner"
    assert "Read-only" in window.read_only_banner.text_label.text()
    assert not window.backup_timer.isActive()
    print(f"window: {window.read_only_banner.text_label.text()}")
    window.close()
    print("read-only medium: opened read-only with a banner, writes refused, copies writable")


CHECKS = {"full-disk": full_disk, "read-only-medium": read_only_medium}

if __name__ == "__main__":
    check = sys.argv[1]
    arguments = [Path(argument) for argument in sys.argv[2:]]
    CHECKS[check](*arguments)

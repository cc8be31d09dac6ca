"""The child side of the kill tests: writes of one kind in a loop, reporting each write the moment it returns.

The parent kills the child with SIGKILL at a random moment, then checks that everything reported was kept
and that the files open. A report line is written only after the service call returned, so a reported write
is one the screen would have shown as saved.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from ctpn_desktop.core.io.msel_import import merge_preview
from ctpn_desktop.core.io.msel_mapping import propose_sheet
from ctpn_desktop.core.io.msel_parse import parse_rows
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.encryption import decrypt_file, encrypt_file
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import db

KINDS = ("edits", "msel_import", "creation", "save_copy", "backups", "migration", "encryption")
PASSPHRASE = "kill me softly, twice over"
BACKUPS_KEPT = 4


class Report:
    """Lines appended to a file and flushed to the kernel at once, so they survive the writer's SIGKILL."""

    def __init__(self, path: Path) -> None:
        self._descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def line(self, text: str) -> None:
        os.write(self._descriptor, (text + "\n").encode("utf-8"))


def run(kind: str, document: str, report_path: str, folder: str, seed: int) -> None:
    """Entry point of the child process."""
    report = Report(Path(report_path))
    WRITERS[kind](Path(document), Path(folder), report, seed)


def _edits(document: Path, _folder: Path, report: Report, seed: int) -> None:
    with open_document(document) as opened:
        service = ScenarioService(opened)
        injects = service.load().injects
        report.line("ready")
        for step in range(seed * 10_000, seed * 10_000 + 10_000):
            exercise = service.load().exercise
            service.put_exercise(dataclasses.replace(exercise, title=f"edit {step}"))
            inject = injects[step % len(injects)]
            service.put_inject(dataclasses.replace(inject, content=f"content {step}"))
            report.line(f"saved {step} {inject.id}")


def _msel_import(document: Path, folder: Path, report: Report, _seed: int) -> None:
    workbook = read_table(folder / "batch.csv")
    best = propose_sheet(workbook)[0]
    preview = parse_rows(workbook.sheet(best.sheet), best.mapping, source="batch.csv")
    with open_document(document) as opened:
        service = ScenarioService(opened)
        report.line("ready")
        while True:
            outcome = merge_preview(service.load(), preview)
            service.merge_in(outcome.scenario)
            report.line(f"saved {len(service.load().injects)}")


def _creation(_document: Path, folder: Path, report: Report, seed: int) -> None:
    scenario, blobs = read_scenario_file(folder / "scenario.json")
    report.line("ready")
    for step in range(1000):
        target = folder / f"created-{seed}-{step}.ctpn"
        create_document(target, scenario, blobs).close()
        report.line(f"saved {target.name}")


def _save_copy(document: Path, folder: Path, report: Report, seed: int) -> None:
    with open_document(document) as opened:
        report.line("ready")
        for step in range(1000):
            target = folder / f"copy-{seed}-{step}.ctpn"
            opened.save_copy(target)
            report.line(f"saved {target.name}")


def _backups(document: Path, folder: Path, report: Report, seed: int) -> None:
    service = BackupService(folder / "backups", keep=BACKUPS_KEPT)
    with open_document(document) as opened:
        scenario = ScenarioService(opened)
        report.line("ready")
        for step in range(seed * 10_000, seed * 10_000 + 10_000):
            scenario.put_exercise(dataclasses.replace(scenario.load().exercise, title=f"backed up {step}"))
            backup = service.take(document, "timer")
            report.line(f"saved {step} {backup.path.name}")


def _migration(document: Path, folder: Path, report: Report, _seed: int) -> None:
    service = BackupService(folder / "backups")
    report.line("ready")
    with open_document(document, backups=service) as opened:
        report.line(f"saved {opened.migrated_from}")
    while True:  # wait for the kill, which may come before, during or after the migration
        time.sleep(1)


def _encryption(document: Path, _folder: Path, report: Report, _seed: int) -> None:
    """Encrypt the file, then remove the encryption, again and again: a kill lands anywhere in either."""
    report.line("ready")
    for step in range(1_000_000):
        if db.is_encrypted(document):  # the last child may have been killed either way round
            decrypt_file(document, PASSPHRASE)
            report.line(f"saved plain {step}")
        else:
            encrypt_file(document, PASSPHRASE)
            report.line(f"saved encrypted {step}")


WRITERS = {"edits": _edits, "msel_import": _msel_import, "creation": _creation, "save_copy": _save_copy,
           "backups": _backups, "migration": _migration, "encryption": _encryption}

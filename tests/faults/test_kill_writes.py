"""SIGKILL in the middle of writes of every kind: what was reported saved is kept and every file opens.

Each kind runs many times in a child process forked from a server that has the application imported already
(so an iteration costs milliseconds, not an interpreter start). The child reports each write as it returns;
the parent kills it at a random moment, then opens what is on disk and compares.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.backups import BackupService
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.encryption import unlock
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage import db

from tests.factories import LIBRARY, make_older
from tests.faults import writer

SCENARIO = LIBRARY / "christmas-market-mta.json"
ITERATIONS = {"edits": 10, "msel_import": 8, "creation": 8, "save_copy": 8, "backups": 8, "migration": 10,
              "encryption": 10}
LONGEST_DELAY_S = {"edits": 0.4, "msel_import": 0.5, "creation": 0.6, "save_copy": 0.3, "backups": 0.4,
                   "migration": 0.08, "encryption": 1.0}
BATCH = ("Time,Title,Content,Delivery method\n"
         "0:05,Caller reports smoke,Smoke seen at the north entrance,phone\n"
         "0:10,Radio check,Units confirm positions,radio\n"
         "0:15,Press call,Reporter asks for a statement,phone\n")
BATCH_SIZE = 3

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fork_server() -> Iterator[multiprocessing.context.BaseContext]:
    """Children forked from a clean server process that imported the application once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.faults.writer"])
    yield context


def kill_at_random(context: multiprocessing.context.BaseContext, kind: str, document: Path, folder: Path,
                   seed: int, rng: random.Random) -> list[str]:
    """Start a writer, let it report 0–2 writes, then SIGKILL it at a random point of the next one.

    Waiting for reports rather than for a fixed time keeps the test meaningful on a slow, busy machine: the
    pause before the kill is drawn from the time the writer's own writes take there."""
    report = folder / f"report-{kind}-{seed}.txt"
    report.unlink(missing_ok=True)
    child = context.Process(target=writer.run, args=(kind, str(document), str(report), str(folder), seed))
    child.start()
    wanted = 0 if kind == "migration" else rng.choice((0, 1, 1, 2))
    seen: list[float] = []
    deadline = time.monotonic() + 120
    while len(seen) < 1 + wanted:
        lines = report.read_text(encoding="utf-8").splitlines() if report.exists() else []
        while len(seen) < len(lines):
            seen.append(time.monotonic())
        assert child.is_alive(), f"the {kind} writer stopped on its own: {lines}"
        assert time.monotonic() < deadline, f"the {kind} writer made no progress"
        time.sleep(0.002)
    one_write = seen[-1] - seen[-2] if len(seen) > 1 else LONGEST_DELAY_S[kind]
    time.sleep(rng.uniform(0, 1.5 * one_write))
    child.kill()
    child.join(30)
    assert child.exitcode is not None and child.exitcode < 0, f"the {kind} writer stopped on its own"
    return [line for line in report.read_text(encoding="utf-8").splitlines()[1:] if line.startswith("saved ")]


def assert_sound(path: Path) -> None:
    """Passes every check a file gets before it is opened, and SQLite's full integrity check."""
    db.check_file(path)
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def new_document(folder: Path) -> Path:
    scenario, blobs = read_scenario_file(SCENARIO)
    path = folder / "exercise.ctpn"
    create_document(path, scenario, blobs).close()
    return path


def test_scenario_edits(fork_server, tmp_path: Path) -> None:
    rng = random.Random(1)
    path = new_document(tmp_path)
    reported_any = 0
    for seed in range(ITERATIONS["edits"]):
        saved = kill_at_random(fork_server, "edits", path, tmp_path, seed, rng)
        assert_sound(path)
        with open_document(path) as document:
            scenario = ScenarioService(document).load()
            if saved:
                reported_any += 1
                step, inject_id = saved[-1].split()[1:]
                title_step = int(scenario.exercise.title.split()[1])
                assert title_step in (int(step), int(step) + 1), "a reported edit of the exercise was lost"
                content = next(i.content for i in scenario.injects if i.id == inject_id)
                assert int(content.split()[1]) >= int(step), "a reported edit of an inject was lost"
    assert reported_any >= ITERATIONS["edits"] // 2, "the writer rarely got as far as one edit: the test is idle"


def test_msel_import_is_all_or_nothing(fork_server, tmp_path: Path) -> None:
    rng = random.Random(2)
    path = new_document(tmp_path)
    (tmp_path / "batch.csv").write_text(BATCH, encoding="utf-8")
    with open_document(path) as document:
        base = len(ScenarioService(document).load().injects)
    reported_any = 0
    for seed in range(ITERATIONS["msel_import"]):
        saved = kill_at_random(fork_server, "msel_import", path, tmp_path, seed, rng)
        assert_sound(path)
        with open_document(path) as document:
            count = len(ScenarioService(document).load().injects)
        assert (count - base) % BATCH_SIZE == 0, "an import was half applied"
        if saved:
            reported_any += 1
            assert count >= int(saved[-1].split()[1]), "a reported import was lost"
    assert reported_any >= ITERATIONS["msel_import"] // 2


def test_document_creation_never_leaves_a_half_made_exercise(fork_server, tmp_path: Path) -> None:
    rng = random.Random(3)
    (tmp_path / "scenario.json").write_bytes(SCENARIO.read_bytes())
    expected = len(read_scenario_file(SCENARIO)[0].injects)
    reported: set[str] = set()
    for seed in range(ITERATIONS["creation"]):
        reported |= {line.split()[1] for line in kill_at_random(fork_server, "creation", tmp_path, tmp_path,
                                                                 seed, rng)}
    created = {path.name for path in tmp_path.glob("created-*.ctpn")}
    assert reported and reported <= created, "a document reported created is missing"
    for name in created:  # every file under a real name is a whole exercise, reported or not
        assert_sound(tmp_path / name)
        with open_document(tmp_path / name) as document:
            assert document.summary().injects == expected


def test_save_a_copy_leaves_whole_copies_or_none(fork_server, tmp_path: Path) -> None:
    rng = random.Random(4)
    path = new_document(tmp_path)
    reported: set[str] = set()
    for seed in range(ITERATIONS["save_copy"]):
        reported |= {line.split()[1] for line in kill_at_random(fork_server, "save_copy", path, tmp_path, seed, rng)}
        assert_sound(path)
    copies = {copy.name for copy in tmp_path.glob("copy-*.ctpn")}
    assert reported and reported <= copies
    for name in copies:
        assert_sound(tmp_path / name)


def test_backups_listed_are_always_good(fork_server, tmp_path: Path) -> None:
    rng = random.Random(5)
    path = new_document(tmp_path)
    service = BackupService(tmp_path / "backups", keep=writer.BACKUPS_KEPT)
    for seed in range(ITERATIONS["backups"]):
        saved = kill_at_random(fork_server, "backups", path, tmp_path, seed, rng)
        assert_sound(path)
        listed = service.backups(path)
        for backup in listed:
            service.verify(backup)
        if saved:
            step, name = saved[-1].split()[1:]
            assert name in {b.path.name for b in listed}, "the last reported backup is not listed"
            newest_good = service.newest_good(path)
            assert newest_good is not None
            with open_document(newest_good.path, read_only=True) as backup:
                assert int(ScenarioService(backup).load().exercise.title.split()[-1]) >= int(step)
    assert len(service.backups(path)) <= writer.BACKUPS_KEPT + 1  # one taken as the kill came may remain


def test_migration_killed_midway_migrates_on_the_next_opening(fork_server, tmp_path: Path) -> None:
    rng = random.Random(6)
    template = new_document(tmp_path)
    make_older(template)  # as a file written before the full-text index
    expected = len(read_scenario_file(SCENARIO)[0].injects)
    path = tmp_path / "old.ctpn"
    completed = 0
    for seed in range(ITERATIONS["migration"]):
        path.write_bytes(template.read_bytes())
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        saved = kill_at_random(fork_server, "migration", path, tmp_path, seed, rng)
        completed += bool(saved)
        check = db.check_file(path)  # old or new, never in between
        assert check.revision in {"0001", db.head_revision()}
        with open_document(path, backups=BackupService(tmp_path / "backups")) as document:
            assert db.current_revision(document.engine) == db.head_revision()
            assert document.summary().injects == expected
        assert_sound(path)
    assert completed < ITERATIONS["migration"], "no kill came before a migration finished: the test is idle"
    for backup in BackupService(tmp_path / "backups").backups(path):
        assert db.check_file(backup.path).revision == "0001"


def test_a_kill_while_encrypting_or_decrypting_leaves_the_whole_exercise_one_way_or_the_other(
        fork_server, tmp_path: Path) -> None:
    rng = random.Random(7)
    path = new_document(tmp_path)
    expected = db.table_counts(path)
    seen_states: set[bool] = set()
    reported_any = 0
    for seed in range(ITERATIONS["encryption"]):
        saved = kill_at_random(fork_server, "encryption", path, tmp_path, seed, rng)
        reported_any += bool(saved)
        key = unlock(path, writer.PASSPHRASE)  # None: the file is plain
        db.check_file(path, key)
        assert db.table_counts(path, key) == expected, "a kill during a conversion lost or doubled rows"
        engine = db.make_read_only_engine(path, key)
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        finally:
            engine.dispose()
        seen_states.add(key is not None)
    assert reported_any >= ITERATIONS["encryption"] // 2, "the writer rarely finished a conversion: the test is idle"
    assert seen_states == {True, False}, "every kill found the file in the same state: the test is not probing"

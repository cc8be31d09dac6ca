"""Syndicate and inject-library figures: one syndicate's entries out of a 50,000-entry log, and opening a library
of 500 saved injects.

The log is generated straight into the document in one transaction, chained as `LogService` chains it: a third of
the entries name syndicate A, a third syndicate B and the rest none — of those, the ones written on the note-taker's
laptop count as syndicate A's through its laptop assignment, so the filter takes both of its paths.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figures.log import ORGANISATIONS, WORDS, _new_run_document, _run_id
from bench.generate import cached
from bench.harness import BenchmarkUnavailable, Figure, median, repeat, runs, timed

ENTRIES = 50_000
LIBRARY_ITEMS = 500


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _fill(path: Path) -> None:
    import json

    from sqlalchemy import select

    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.log import GENESIS, record_hash
    from ctpn_desktop.storage.orm import LogRecordRow, RunRow, SyndicateDeviceRow, SyndicateRow

    rng = random.Random(11)
    began = datetime(2027, 10, 6, 9, 50, tzinfo=UTC)
    with open_document(path) as document, document.sessions() as session, session.begin():
        run_id = session.scalars(select(RunRow.id)).one()
        syndicates = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(2)]
        for position, syndicate_id in enumerate(syndicates):
            session.add(SyndicateRow(id=syndicate_id, run_id=run_id, name=f"Syndicate {'AB'[position]}",
                                     members="[]", facilitator="", note_taker="", room="", position=position,
                                     created_at=began.isoformat()))
        session.flush()
        session.add(SyndicateDeviceRow(id=str(uuid.uuid4()), run_id=run_id, syndicate_id=syndicates[0],
                                       device_id="note-taker-a", assigned_at=began.isoformat()))
        previous = {"control": GENESIS, "note-taker-a": GENESIS}
        sequence = {"control": 0, "note-taker-a": 0}
        for index in range(ENTRIES):
            device = "note-taker-a" if index % 6 == 5 else "control"
            named = (syndicates[0], syndicates[1], None)[index % 3]
            sequence[device] += 1
            logged = began + timedelta(seconds=index * 0.6)
            row = LogRecordRow(
                id=str(uuid.UUID(int=rng.getrandbits(128))), entry_id=str(uuid.UUID(int=rng.getrandbits(128))),
                run_id=run_id, revision=1, entry_number=index + 1, device_id=device, chain_seq=sequence[device],
                logged_at=logged.isoformat(timespec="microseconds"),
                committed_at=(logged + timedelta(seconds=5)).isoformat(timespec="microseconds"),
                exercise_s=float(index * 0.6), scenario_time=None, logged_by="Note-taker", decision_maker="Gold",
                organisation=rng.choice(ORGANISATIONS), kind="decision", text=_sentence(rng, 4, 18),
                rationale=_sentence(rng, 0, 12), options_considered="", actions=json.dumps([]), inject_id=None,
                objective_ids="[]", jdm_stage=None, revision_reason="", withdrawn=False,
                prev_hash=previous[device], syndicate_id=named)
            row.hash = record_hash(row)
            previous[device] = row.hash
            session.add(row)
            if index % 5000 == 4999:
                session.flush()


def generate_syndicate_log() -> Path:
    def build(target: Path) -> None:
        _new_run_document(target)
        _fill(target)

    return cached("syndicate-log", {"entries": ENTRIES}, build)


def log_syndicate_50000() -> Figure:
    """`LogService.summaries(run, syndicate=A)` over 50,000 entries: the entries that name A and the untagged
    entries of A's note-taker's laptop."""
    from sqlalchemy import select

    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.log import LogService
    from ctpn_desktop.storage.orm import SyndicateRow

    path = generate_syndicate_log()
    run_id = _run_id(path)
    with open_document(path) as document:
        with document.sessions() as session:
            alpha = session.scalars(select(SyndicateRow.id).where(SyndicateRow.name == "Syndicate A")).one()
        log = LogService(document, "bench", SystemTimeSource())
        found = len(log.summaries(run_id, syndicate=alpha))
        app = median(repeat(lambda: timed(lambda: log.summaries(run_id, syndicate=alpha)), runs(9)))
    if found != ENTRIES // 2:  # a third name A, and a sixth are untagged entries of A's note-taker's laptop
        raise BenchmarkUnavailable(f"the filter found {found} entries, not {ENTRIES // 2}")
    connection = sqlite3.connect(path)
    try:
        def plain() -> None:
            rows = connection.execute(
                "SELECT entry_id, id, entry_number, revision, device_id, logged_at, exercise_s, kind, decision_maker, "
                "organisation, text, rationale, logged_by, inject_id, withdrawn, syndicate_id FROM log_record "
                "WHERE run_id = ? AND (syndicate_id = ? OR (syndicate_id IS NULL AND device_id IN (SELECT device_id "
                "FROM syndicate_device WHERE syndicate_id = ?))) ORDER BY logged_at",
                (run_id, alpha, alpha)).fetchall()
            assert len(rows) == found

        floor = median(repeat(lambda: timed(plain), runs(9)))
    finally:
        connection.close()
    return Figure("log_syndicate_50000", app * 1000, "ms", floor * 1000,
                  f"plain sqlite3 SELECT of the syndicate's rows, no revision check ({found} entries)")


def library_open_500() -> Figure:
    """`InjectLibrary.load()` of 500 saved injects (each a validated scenario file) — what the picker does when it
    opens."""
    import json

    from ctpn_desktop.core.inject_library import InjectLibrary
    from ctpn_desktop.core.io.scenario_json import read_scenario_file
    from ctpn_desktop.core.library import library_folder

    with tempfile.TemporaryDirectory(prefix="ctpn-bench-library-") as folder:
        library = InjectLibrary(Path(folder))
        for path in sorted(library_folder().glob("*.json")):
            scenario, blobs = read_scenario_file(path)
            library.save(scenario, list(scenario.injects), blobs)
        files = sorted(Path(folder).glob("*.json"))
        while len(files) < LIBRARY_ITEMS:
            source = files[len(files) % len(files)]
            copy = Path(folder) / f"copy-{len(files)}-{source.name}"
            copy.write_bytes(source.read_bytes())
            files.append(copy)
        for extra in files[LIBRARY_ITEMS:]:
            extra.unlink()
        items = len(library.load()[0])
        if items != LIBRARY_ITEMS:
            raise BenchmarkUnavailable(f"the library loaded {items} items, not {LIBRARY_ITEMS}")
        app = median(repeat(lambda: timed(library.load), runs(5)))

        def plain() -> None:
            for path in Path(folder).glob("*.json"):
                json.loads(path.read_bytes())

        floor = median(repeat(lambda: timed(plain), runs(5)))
    return Figure("library_open_500", app * 1000, "ms", floor * 1000, "json.loads of the same 500 files")

"""Decision-log figures: committing an entry, opening and searching 50,000 entries, merging two 20,000-entry copies.

The large logs are generated straight into the document in one transaction, chained exactly as `LogService`
chains them (the chain is verified before a file is used), because appending 50,000 entries one durable commit
at a time would take minutes and time nothing of interest.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.generate import cached
from bench.harness import BenchmarkUnavailable, Figure, median, paint_now, percentile, qt_app, repeat, runs, timed

SCENARIO = "christmas-market-mta.json"
WORDS = ("cordon", "casualty", "clearing", "station", "police", "fire", "ambulance", "rendezvous", "point",
         "command", "post", "evacuate", "shelter", "media", "statement", "hospital", "capacity", "mutual", "aid",
         "rebuttal", "survivor", "reception", "centre", "family", "liaison", "tram", "suspend", "drone", "zone",
         "warm", "hot", "cold", "triage", "brief", "silver", "gold", "bronze", "strategy", "recovery", "route")
PLACES = ("Minster", "Castle", "Cathedral", "Guildhall", "Bridge", "Corn", "Exchange", "Lantern", "Carousel",
          "Eastfield", "Riverside", "Market", "Quayside", "Northgate", "Southgate", "Abbey", "Priory", "Foundry",
          "Station", "Harbour", "Viaduct", "Parkway", "Stadium", "Arcade", "Library", "Museum", "Chapel", "Square",
          "Wharf", "Mill", "Forge", "Tannery", "Granary", "Ropewalk", "Bullring", "Shambles", "Barbican", "Citadel",
          "Orchard", "Meadow")
"""Places named in entries: each appears in a few entries in a hundred, as a searched-for place would."""
VOCABULARY = 2
LOGGED_FROM = datetime(2025, 12, 10, 18, 42, tzinfo=UTC)
"""When the generated logs begin: before the day any figure runs, so the entries `log_commit_p99` appends come
after them in time, as a running exercise's do (dated later, each new entry went into the middle of the time
index)."""
ORGANISATIONS = ("Police", "Fire", "Ambulance", "Council", "Hospitals", "CTP", "NTA", "Event organiser")
KINDS = ("decision", "action", "information", "observation", "issue")
SEARCH = "minster cordon"


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def _fill_log(path: Path, entries: int, device: str, seed: int, start_number: int = 1) -> None:
    """Append ``entries`` chained records for ``device`` to the document's only run, in one transaction."""
    import json

    from sqlalchemy import select

    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.log import GENESIS, record_hash
    from ctpn_desktop.storage.orm import LogRecordRow, RunRow

    rng = random.Random(seed)
    began = LOGGED_FROM + timedelta(milliseconds=seed)
    with open_document(path) as document, document.sessions() as session, session.begin():
        run_id = session.scalars(select(RunRow.id)).one()
        previous = GENESIS
        for index in range(entries):
            logged = began + timedelta(seconds=index * 0.7)
            row = LogRecordRow(
                id=str(uuid.UUID(int=rng.getrandbits(128))), entry_id=str(uuid.UUID(int=rng.getrandbits(128))),
                run_id=run_id, revision=1, entry_number=start_number + index, device_id=device, chain_seq=index + 1,
                logged_at=logged.isoformat(timespec="microseconds"),
                committed_at=(logged + timedelta(seconds=20)).isoformat(timespec="microseconds"),
                exercise_s=float(index * 0.7), scenario_time=None, logged_by="Loggist", decision_maker="Silver",
                organisation=rng.choice(ORGANISATIONS), kind=rng.choice(KINDS),
                text=f"{_sentence(rng, 3, 15)} {rng.choice(PLACES)} {_sentence(rng, 3, 15)}",
                rationale=_sentence(rng, 0, 20), options_considered="",
                actions=json.dumps([{"action": _sentence(rng, 3, 8), "owner": rng.choice(ORGANISATIONS)}]),
                inject_id=None, objective_ids="[]", jdm_stage=None, revision_reason="", withdrawn=False,
                prev_hash=previous)
            row.hash = record_hash(row)
            previous = row.hash
            session.add(row)
            if index % 5000 == 4999:
                session.flush()


def _new_run_document(target: Path) -> None:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.io.scenario_json import read_scenario_file
    from ctpn_desktop.core.library import library_folder
    from ctpn_desktop.core.services.document import create_document
    from ctpn_desktop.core.services.runs import RunService

    scenario, blobs = read_scenario_file(library_folder() / SCENARIO)
    document = create_document(target, scenario, blobs)
    try:
        RunService(document, SystemTimeSource()).create_run("Benchmark run")
    finally:
        document.close()


def generate_log(entries: int) -> Path:
    def build(target: Path) -> None:
        _new_run_document(target)
        _fill_log(target, entries, "laptop-a", seed=1)

    return cached("log", {"entries": entries, "vocabulary": VOCABULARY, "from": LOGGED_FROM.date().isoformat()},
                  build)


def generate_pair(entries: int) -> tuple[Path, Path]:
    """Two copies of one document, each with its own laptop's log of ``entries`` entries."""

    def base(target: Path) -> None:
        _new_run_document(target)

    def laptop(device: str, seed: int):  # type: ignore[no-untyped-def]
        def build(target: Path) -> None:
            source = cached("log-base", {"scenario": SCENARIO}, base)
            _copy(source, target)
            _fill_log(target, entries, device, seed)
        return build

    params = {"entries": entries, "vocabulary": VOCABULARY, "from": LOGGED_FROM.date().isoformat()}
    return (cached("log-pair-a", params, laptop("laptop-a", 1)), cached("log-pair-b", params, laptop("laptop-b", 2)))


def _copy(source: Path, target: Path) -> Path:
    from ctpn_desktop.storage import db

    return db.backup_to(source, target)


def _run_id(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        (run_id,) = connection.execute("SELECT id FROM run").fetchone()
    connection.close()
    return str(run_id)


# --------------------------------------------------------------------------------------------- commit


def _bare_insert_latencies(folder: Path, count: int) -> list[float]:
    """A bare sqlite3 insert of a similar row, one durable transaction each, WAL and synchronous=FULL."""
    connection = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE entry (id TEXT PRIMARY KEY, run_id TEXT, number INTEGER, text TEXT, hash TEXT)")
    latencies = []
    rng = random.Random(3)
    try:
        for number in range(count):
            began = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO entry VALUES (?, ?, ?, ?, ?)",
                               (str(uuid.uuid4()), "run", number, _sentence(rng, 6, 30), "0" * 64))
            connection.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
    finally:
        connection.close()
    return latencies


def log_commit_p99() -> Figure:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.entities import ActionItem, LogKind
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.log import LogDraft, LogService

    source_path = generate_log(5_000)
    count = max(runs(5) * 60, 300)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="ctpn-bench-", dir=source_path.parent) as folder:
        path = _copy(source_path, Path(folder) / "commit.ctpn")
        run_id = _run_id(path)
        latencies = []
        with open_document(path) as document:
            log = LogService(document, "laptop-bench", SystemTimeSource())
            for index in range(count + 10):
                draft = LogDraft(kind=LogKind.DECISION, text=_sentence(rng, 6, 30), rationale=_sentence(rng, 0, 20),
                                 actions=(ActionItem("Inform partners", "Police"),), organisation="Police",
                                 decision_maker="Silver", logged_by="Loggist")
                began = time.perf_counter()
                log.append(run_id, draft, exercise_s=float(index))
                if index >= 10:  # the first few warm caches up
                    latencies.append(time.perf_counter() - began)
        bare = _bare_insert_latencies(Path(folder), count)
    return Figure("log_commit_p99", percentile(latencies, 99) * 1000, "ms", percentile(bare, 99) * 1000,
                  "bare sqlite3 INSERT + COMMIT, WAL, synchronous=FULL, same disk, p99")


# --------------------------------------------------------------------------------------------- open


def _open_log_view(path: Path) -> float:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.document import open_document

    from ctpn_desktop.ui.workspaces.decision_log import DecisionLogWorkspace

    from ctpn_desktop.app import context_factory

    qt_app()
    page = DecisionLogWorkspace()
    page.resize(1400, 900)
    page.show()
    paint_now(page)
    document = None
    try:
        began = time.perf_counter()
        document = open_document(path)
        page.set_context(context_factory("bench", SystemTimeSource())(document))
        paint_now(page.table)
        elapsed = time.perf_counter() - began
        if page.model.rowCount() < 50_000:
            raise BenchmarkUnavailable(f"the log view shows {page.model.rowCount()} rows, not 50,000")
        return elapsed
    finally:
        page.set_context(None)
        if document is not None:
            document.close()
        page.close()
        page.deleteLater()


def _select_log_rows(path: Path) -> float:
    began = time.perf_counter()
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT entry_id, id, entry_number, revision, device_id, logged_at, exercise_s, kind, decision_maker, "
            "organisation, text, rationale, logged_by, inject_id, withdrawn FROM log_record WHERE run_id = ? "
            "ORDER BY logged_at", (_run_id(path),)).fetchall()
    finally:
        connection.close()
    assert len(rows) >= 50_000
    return time.perf_counter() - began


def log_open_50000() -> Figure:
    path = generate_log(50_000)
    app = median(repeat(lambda: _open_log_view(path), runs(5)))
    floor = median(repeat(lambda: _select_log_rows(path), runs(5)))
    return Figure("log_open_50000", app * 1000, "ms", floor * 1000,
                  "plain sqlite3 SELECT of the same rows and columns")


# --------------------------------------------------------------------------------------------- search


def log_search_50000() -> Figure:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.log import LogService, fts_query

    path = generate_log(50_000)
    run_id = _run_id(path)
    with open_document(path) as document:
        log = LogService(document, "bench", SystemTimeSource())
        found = len(log.summaries(run_id, SEARCH))
        app = median(repeat(lambda: timed(lambda: log.summaries(run_id, SEARCH)), runs(9)))
    connection = sqlite3.connect(path)
    try:
        def plain() -> None:
            rows = connection.execute(
                "SELECT r.entry_id, r.text FROM log_record_fts f JOIN log_record r ON r.id = f.record_id "
                "WHERE log_record_fts MATCH ? AND r.run_id = ? ORDER BY r.logged_at",
                (fts_query(SEARCH), run_id)).fetchall()
            assert len(rows) == found

        floor = median(repeat(lambda: timed(plain), runs(9)))
    finally:
        connection.close()
    return Figure("log_search_50000", app * 1000, "ms", floor * 1000,
                  f"plain sqlite3 FTS5 MATCH joined to the log ({found} hits)")


# --------------------------------------------------------------------------------------------- merge


def _merge_once(a: Path, b: Path) -> float:
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.merge import merge_from

    with tempfile.TemporaryDirectory(prefix="ctpn-bench-", dir=a.parent) as folder:
        target = _copy(a, Path(folder) / "a.ctpn")
        with open_document(target) as document:
            began = time.perf_counter()
            report = merge_from(document, b)
            elapsed = time.perf_counter() - began
        if report.entries_added != 20_000:
            raise BenchmarkUnavailable(f"the merge added {report.entries_added} entries, not 20,000")
    return elapsed


def _plain_copy(a: Path, b: Path) -> float:
    """The other copy's new rows inserted with one statement and made searchable, as the merge leaves them.

    Until migration 0008 the document's insert trigger filled the search index within the INSERT; it now only
    queues the records for it, so the index is filled here with the statement the trigger used to run."""
    from ctpn_desktop.storage import fts

    index_queued = (f"{fts.BACKFILL} WHERE log_record.id IN (SELECT record_id FROM {fts.PENDING_TABLE})")
    with tempfile.TemporaryDirectory(prefix="ctpn-bench-", dir=a.parent) as folder:
        target = _copy(a, Path(folder) / "a.ctpn")
        connection = sqlite3.connect(target, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous=FULL")
            began = time.perf_counter()
            connection.execute("ATTACH DATABASE ? AS other", (f"file:{b}?mode=ro",))
            connection.execute("BEGIN")
            connection.execute("INSERT INTO log_record SELECT * FROM other.log_record WHERE id NOT IN "
                               "(SELECT id FROM main.log_record)")
            connection.execute(index_queued)
            connection.execute(f"DELETE FROM {fts.PENDING_TABLE}")
            connection.execute("COMMIT")
            elapsed = time.perf_counter() - began
        finally:
            connection.close()
    return elapsed


def merge_20000() -> Figure:
    a, b = generate_pair(20_000)
    if shutil.disk_usage(a.parent).free < 200_000_000:
        raise BenchmarkUnavailable("less than 200 MB free for the copies")
    app = median(repeat(lambda: _merge_once(a, b), runs(3)))
    floor = median(repeat(lambda: _plain_copy(a, b), runs(3)))
    return Figure("merge_20000", app, "s", floor,
                  "plain sqlite3 ATTACH + INSERT … SELECT of the other copy's rows, search index filled")

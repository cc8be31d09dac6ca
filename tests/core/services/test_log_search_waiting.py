"""New log entries wait for the search index outside the commit; a search finds them all the same."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import ActionItem, LogKind
from ctpn_desktop.core.services.document import Document, open_document
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.storage import fts

from tests.factories import file_key, library_document, open_file, raw_sql

QUERIES = ("cordon", "cord", "CORDON", "munster", "Münster", "inner cordon", "hart lead", "forward", "🚒",
           "e-mail", "mail", "zoe", "gold", "police gold", "nothing-like-this", "col:text", '"quoted"', "aid")


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2026, 12, 4, 9, 0, tzinfo=UTC))


def _log(document: Document, source: FakeTimeSource) -> tuple[str, LogService, list[str]]:
    runs = RunService(document, source)
    run = runs.create_run()
    log = LogService(document, device_id="laptop-a", source=source)
    drafts = [
        LogDraft(kind=LogKind.DECISION, text="Set an inner cordon at the Münster", decision_maker="Police Gold",
                 logged_by="Zoë Müller", organisation="Police"),
        LogDraft(kind=LogKind.ACTION, text="Hazardous area response team deployed", organisation="Ambulance",
                 actions=(ActionItem("Open forward control", "HART lead"),)),
        LogDraft(kind=LogKind.INFORMATION, text="Crew 🚒 asks for the e-mail of the mutual aid desk",
                 organisation="Fire", rationale='Said "quoted" twice'),
    ]
    ids = []
    for seconds, draft in enumerate(drafts):
        source.advance(5)
        ids.append(log.append(run.id, draft, exercise_s=60.0 * seconds).entry_id)
    return run.id, log, ids


def _found(log: LogService, run_id: str) -> dict[str, list[str]]:
    return {query: [e.entry_id for e in log.search(run_id, query)] for query in QUERIES} | {
        f"summaries:{query}": [s.entry_id for s in log.summaries(run_id, query)] for query in QUERIES}


def _waiting(path: Path) -> int:
    with raw_sql(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {fts.PENDING_TABLE}").fetchone()[0])


def _indexed(path: Path) -> int:
    with raw_sql(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {fts.FTS_TABLE}").fetchone()[0])


@pytest.mark.file_only
def test_a_new_entry_waits_for_the_index_and_is_found_exactly_as_once_indexed(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, log, ids = _log(document, source)
        assert _waiting(document.path) == 3 and _indexed(document.path) == 0
        while_waiting = _found(log, run_id)
        assert while_waiting["munster"] == [ids[0]] and while_waiting["hart lead"] == [ids[1]]
        assert while_waiting["🚒"] == [ids[2]] and while_waiting["nothing-like-this"] == []
        assert fts.index_waiting(document.engine) == 3
        assert _waiting(document.path) == 0 and _indexed(document.path) == 3
        assert _found(log, run_id) == while_waiting


@pytest.mark.file_only
def test_a_correction_is_searched_by_its_new_words_while_both_revisions_wait(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, log, ids = _log(document, source)
        log.correct(ids[0], LogDraft(kind=LogKind.DECISION, text="Set an outer cordon at the cathedral"),
                    reason="wrong place")
        assert [e.entry_id for e in log.search(run_id, "cathedral")] == [ids[0]]
        assert log.search(run_id, "munster") == []
        fts.index_waiting(document.engine)
        assert [e.entry_id for e in log.search(run_id, "cathedral")] == [ids[0]]
        assert log.search(run_id, "munster") == []


@pytest.mark.file_only
def test_the_index_catches_up_once_the_document_is_quiet(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        _log(document, source)
        deadline = time.monotonic() + 10
        while _waiting(document.path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting(document.path) == 0 and _indexed(document.path) == 3


@pytest.mark.file_only
def test_closing_leaves_the_index_whole(tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run_id, _, ids = _log(document, source)
    document.close()
    assert _waiting(document.path) == 0 and _indexed(document.path) == 3
    with open_file(document.path) as again:
        assert [e.entry_id for e in LogService(again, "laptop-b", source).search(run_id, "cordon")] == [ids[0]]


@pytest.mark.file_only
def test_a_read_only_copy_taken_while_entries_wait_finds_them_and_writes_nothing(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, _, ids = _log(document, source)
        copy = document.save_copy(tmp_path / "copy.ctpn")
    assert _waiting(copy) == 3
    before = copy.read_bytes()
    with open_document(copy, key=file_key(copy), read_only=True) as read_only:
        log = LogService(read_only, "laptop-b", source)
        assert [e.entry_id for e in log.search(run_id, "forward control")] == [ids[1]]
        assert [s.entry_id for s in log.summaries(run_id, "mutual aid")] == [ids[2]]
    assert copy.read_bytes() == before


@pytest.mark.file_only
def test_entries_left_waiting_are_indexed_when_the_file_is_next_open_and_quiet(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, _, ids = _log(document, source)
        left = document.save_copy(tmp_path / "left.ctpn")  # as a laptop switched off before the index caught up
    assert _waiting(left) == 3
    with open_file(left) as reopened:
        deadline = time.monotonic() + 10
        while _waiting(left) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting(left) == 0
        assert [e.entry_id for e in LogService(reopened, "laptop-b", source).search(run_id, "cordon")] == [ids[0]]


def test_every_station_is_told_of_a_new_entry_and_a_release(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        told = []
        document.changes.subscribe(told.append)
        entry = LogService(document, "laptop-a", source).append(
            run.id, LogDraft(kind=LogKind.DECISION, text="Close the tram stop"), exercise_s=10)
        event = runs.release(run.id, runs.frozen_scenario(run.id).injects[0].id)
        assert [c.tables for c in told] == [frozenset({"log_record"}), frozenset({"inject_event"})]
        assert told[0].row_ids("log_record") == frozenset({entry.current.id})
        assert told[0].run_ids == frozenset({run.id}) == told[1].run_ids
        assert told[1].row_ids("inject_event") == frozenset({event.id})

"""Merging a note-taker's copy into the exercise on every back end: an exercise file, an encrypted one, and a shared
room (whose copy is the room written back to a file). The merged entries are searchable, pages are told, and a
refused merge writes nothing."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.errors import MergeRefused
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import GENESIS, LogDraft, LogService, record_hash
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.storage.orm import LogRecordRow

from tests import backends
from tests.factories import behind_the_back, library_document, open_file, raw_sql

LAPTOP = "laptop-b"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def _exercise(tmp_path: Path, source: FakeTimeSource) -> tuple[Document, str]:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    LogService(document, "laptop-a", source).append(run.id, LogDraft(LogKind.DECISION, "Gold group convened"),
                                                    exercise_s=30)
    return document, run.id


def _laptop_copy(document: Document, folder: Path, run_id: str, entries: int) -> Path:
    """A copy of the exercise on which the note-taker's laptop logged ``entries`` entries, chained as the log
    chains them (written in one transaction: hundreds of durable commits would only slow the test)."""
    folder.mkdir()
    copy = document.save_copy(folder / "exercise.ctpn")
    with open_file(copy) as other, other.sessions() as session, session.begin():
        last = session.scalars(select(LogRecordRow).where(LogRecordRow.device_id == LAPTOP)
                               .order_by(LogRecordRow.chain_seq.desc()).limit(1)).first()
        previous, start = (last.hash, last.chain_seq) if last else (GENESIS, 0)
        began = datetime(2027, 12, 12, 17, 5, tzinfo=UTC)
        for seq in range(start + 1, start + entries + 1):
            logged = began + timedelta(seconds=seq)
            row = LogRecordRow(
                id=str(uuid.uuid4()), entry_id=str(uuid.uuid4()), run_id=run_id, revision=1, entry_number=seq,
                device_id=LAPTOP, chain_seq=seq, logged_at=logged.isoformat(timespec="microseconds"),
                committed_at=logged.isoformat(timespec="microseconds"), exercise_s=float(seq), scenario_time=None,
                logged_by="Loggist", decision_maker="Silver", organisation="Police", kind="decision",
                text=f"Quarantine zone {seq} at the Wharf — شاهد 🚒", rationale="", options_considered="",
                actions=json.dumps([{"action": "Inform partners", "owner": "Fire"}]), inject_id=None,
                objective_ids="[]", jdm_stage=None, revision_reason="", withdrawn=False, prev_hash=previous)
            row.hash = record_hash(row)
            previous = row.hash
            session.add(row)
    return copy


def _laptop_ids(document: Document) -> set[str]:
    with document.sessions() as session:
        return set(session.scalars(select(LogRecordRow.id).where(LogRecordRow.device_id == LAPTOP)))


def test_merged_entries_are_found_by_search_and_pages_are_told_which(tmp_path: Path,
                                                                     source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        copy = _laptop_copy(document, tmp_path / "laptop", run_id, 3)
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        report = merge_from(document, copy, passphrase=backends.passphrase())
        assert (report.entries_added, report.records_added) == (3, 3)
        log = LogService(document, "laptop-a", source)
        assert len(log.summaries(run_id, "wharf")) == 3 and len(log.summaries(run_id, "🚒")) == 3
        assert len(log.summaries(run_id, "fire")) == 3  # the owners of the actions are indexed as words
        assert log.verify().ok and log.verify().chains == 2
        told = [c for c in heard if c.touches(Topic.LOG)]
        assert len(told) == 1 and told[0].run_ids == {run_id}
        assert told[0].row_ids("log_record") == _laptop_ids(document)


def test_a_merge_of_many_records_tells_pages_to_read_the_log_again(tmp_path: Path, source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        copy = _laptop_copy(document, tmp_path / "laptop", run_id, 250)
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        assert merge_from(document, copy, passphrase=backends.passphrase()).records_added == 250
        told = [c for c in heard if c.touches(Topic.LOG)]
        assert len(told) == 1 and told[0].concerns_run(run_id)
        assert told[0].row_ids("log_record") is None  # too many to list: the page reloads
        log = LogService(document, "laptop-a", source)
        assert len(log.summaries(run_id, "quarantine wharf")) == 250
        assert log.verify().ok


def test_a_copy_with_a_broken_chain_is_refused_and_nothing_is_written(tmp_path: Path,
                                                                      source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        copy = _laptop_copy(document, tmp_path / "laptop", run_id, 5)
        with raw_sql(copy) as connection:
            connection.execute("UPDATE log_record SET text = 'Nothing to see' WHERE chain_seq = 4 AND device_id = ?",
                               (LAPTOP,))
        connection.close()
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        with pytest.raises(MergeRefused, match="entry 4 revision 1 was changed"):
            merge_from(document, copy, passphrase=backends.passphrase())
        assert _laptop_ids(document) == set() and heard == []
        assert LogService(document, "laptop-a", source).summaries(run_id, "wharf") == []


def test_a_merge_that_would_leave_a_broken_chain_is_refused_and_nothing_is_written(
        tmp_path: Path, source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        merge_from(document, _laptop_copy(document, tmp_path / "first", run_id, 2), passphrase=backends.passphrase())
        before = _laptop_ids(document)
        copy = _laptop_copy(document, tmp_path / "second", run_id, 3)
        # Someone changes how this document's copy of the laptop's second record links to the first.
        behind_the_back(document, f"UPDATE log_record SET prev_hash = '{'f' * 64}' "
                                  f"WHERE device_id = '{LAPTOP}' AND chain_seq = 2")
        with pytest.raises(MergeRefused, match="after merging, the log would not verify"):
            merge_from(document, copy, passphrase=backends.passphrase())
        assert _laptop_ids(document) == before


def _snapshot(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_the_other_copy_is_read_where_it_is_and_not_a_byte_beside_it_changes(tmp_path: Path,
                                                                              source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        copy = _laptop_copy(document, tmp_path / "stick", run_id, 4)
        copy.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # a laptop's copy on a read-only stick
        before = _snapshot(copy.parent)
        assert merge_from(document, copy, passphrase=backends.passphrase()).records_added == 4
        assert _snapshot(copy.parent) == before  # no -wal, no -shm, not a byte changed
        assert merge_from(document, copy, passphrase=backends.passphrase()).records_added == 0


LOG_AND_DIE = """
import os, sys
from pathlib import Path
from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import LogDraft, LogService
document = open_document(Path(sys.argv[1]), passphrase=sys.argv[3] or None)
draft = LogDraft(LogKind.DECISION, "Written before the crash")
LogService(document, "laptop-b", SystemTimeSource()).append(sys.argv[2], draft, exercise_s=5)
os._exit(0)  # no close, no checkpoint: the entry lives only in the write-ahead log
"""


def test_a_copy_whose_laptop_died_before_its_checkpoint_merges_with_its_last_entry(
        tmp_path: Path, source: FakeTimeSource) -> None:
    document, run_id = _exercise(tmp_path, source)
    with document:
        copy = _laptop_copy(document, tmp_path / "laptop", run_id, 2)
        subprocess.run([sys.executable, "-c", LOG_AND_DIE, str(copy), run_id, backends.passphrase() or ""],
                       check=True, cwd=REPO)
        assert copy.with_name(copy.name + "-wal").stat().st_size > 0
        before = _snapshot(copy.parent)
        report = merge_from(document, copy, passphrase=backends.passphrase())
        assert report.records_added == 3
        assert [s.text for s in LogService(document, "laptop-a", source).summaries(run_id, "crash")] == [
            "Written before the crash"]
        after = _snapshot(copy.parent)
        assert after[copy.name] == before[copy.name] and after[copy.name + "-wal"] == before[copy.name + "-wal"]

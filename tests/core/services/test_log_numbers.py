"""Entry numbers continue after the highest in the run, even when a merge brings in higher ones mid-session."""

from __future__ import annotations

from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, open_file


def _draft(text: str) -> LogDraft:
    return LogDraft(kind=LogKind.DECISION, text=text)


def test_numbers_follow_a_merge_made_while_logging(tmp_path: Path) -> None:
    source = FakeTimeSource()
    (tmp_path / "a").mkdir()
    document = library_document(tmp_path / "a")
    run = RunService(document, source).create_run()
    mine = LogService(document, "laptop-a", source)
    assert mine.append(run.id, _draft("one"), exercise_s=1).current.entry_number == 1
    copy = document.save_copy(tmp_path / "b.ctpn")
    with open_file(copy) as other:
        theirs = LogService(other, "laptop-b", source)
        for index in range(5):
            theirs.append(run.id, _draft(f"b{index}"), exercise_s=2 + index)  # numbers 2 … 6 on laptop B
    assert mine.append(run.id, _draft("two"), exercise_s=3).current.entry_number == 2
    merge_from(document, copy)
    assert mine.append(run.id, _draft("after the merge"), exercise_s=9).current.entry_number == 7
    other_run = RunService(document, source).create_run()
    assert mine.append(other_run.id, _draft("first of run 2"), exercise_s=1).current.entry_number == 1
    assert mine.append(run.id, _draft("next"), exercise_s=10).current.entry_number == 8
    assert mine.verify().ok
    document.close()


def test_services_that_log_in_turn_number_and_chain_every_entry(tmp_path: Path) -> None:
    source = FakeTimeSource()
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        first = LogService(document, "laptop-a", source)
        second = LogService(document, "laptop-a", source)  # the same laptop's chain, through another service
        elsewhere = LogService(document, "laptop-b", source)
        numbers = [service.append(run.id, _draft(f"entry {index}"), exercise_s=index).current.entry_number
                   for index, service in enumerate([first, first, second, first, elsewhere, first, second])]
        assert numbers == [1, 2, 3, 4, 5, 6, 7]
        records = sorted((e.current for e in first.entries(run.id)), key=lambda r: r.entry_number)
        assert [(r.device_id, r.chain_seq) for r in records] == [
            ("laptop-a", 1), ("laptop-a", 2), ("laptop-a", 3), ("laptop-a", 4), ("laptop-b", 1), ("laptop-a", 5),
            ("laptop-a", 6)]
        corrected = first.correct(records[0].entry_id, _draft("entry 0, corrected"), "typo").current
        after = first.append(run.id, _draft("after the correction"), exercise_s=9).current
        assert (corrected.chain_seq, after.chain_seq, after.entry_number) == (7, 8, 8)
        assert first.verify().ok

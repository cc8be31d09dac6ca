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

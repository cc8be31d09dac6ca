"""The figures of one run that the Debrief workspace shows, read through the services."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import Rating
from ctpn_desktop.core.report.run_summary import run_summary
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService

from tests.core.report.debrief_helpers import drive_run
from tests.factories import library_document


def _summary(document, run_id: str):
    source = FakeTimeSource()
    return run_summary(RunService(document, source), LogService(document, "ui", source),
                       EvaluationService(document, source), run_id)


def test_run_summary_counts_what_happened(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        summary = _summary(document, driven.run_id)
    assert (summary.released, summary.skipped, summary.adhoc) == (2, 1, 1)
    assert summary.not_released == summary.planned_injects - 3
    assert (summary.log_entries, summary.corrected, summary.withdrawn) == (4, 1, 1)
    assert summary.observations == 2 and summary.unrated == 0
    assert summary.ratings == {Rating.P: 0, Rating.S: 1, Rating.M: 1, Rating.U: 0}
    assert (summary.hotwash_notes, summary.improvement_actions) == (2, 1)
    assert summary.chain_ok and summary.chain_message.startswith("Intact: 6 stored revisions")


def test_run_summary_reports_a_broken_chain(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        path = document.path
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE log_record SET rationale = 'edited later' WHERE entry_number = 4")
    with open_document(path) as reopened:
        summary = _summary(reopened, driven.run_id)
    assert not summary.chain_ok and summary.chain_message.startswith("FAILED at entry 4")

"""Merging copies carries the evaluation's history and evidence, once, and refuses edits made on both sides."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import Evidence, EvidenceKind, HotwashKind, LogKind, Rating
from ctpn_desktop.core.errors import MergeRefused
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, open_file, raw_sql

pytestmark = pytest.mark.file_only  # copies and files of their own: a shared room is tested apart


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


@pytest.fixture
def copies(tmp_path: Path, source: FakeTimeSource) -> tuple[Path, Path, str, str, str]:
    """Laptop A observes, the file is copied to laptop B, where the evaluator edits, cites and summarises."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    document = library_document(tmp_path / "a")
    run = RunService(document, source).create_run("Live")
    entry = LogService(document, "laptop-a", source).append(
        run.id, LogDraft(kind=LogKind.DECISION, text="Cordon at Castle Street"), exercise_s=60).entry_id
    evaluation = EvaluationService(document, source, "laptop-a")
    observation = evaluation.add_observation(run.id, objective_id=None, evaluator="E", rating="S", text="Slow start")
    note = evaluation.add_hotwash_note(run.id, HotwashKind.STRENGTH, "Calm chair")
    b_path = document.save_copy(tmp_path / "b" / "exercise.ctpn")
    document.close()
    with open_file(b_path) as other:
        b = EvaluationService(other, source, "laptop-b")
        source.advance(60)
        b.revise_observation(observation.id, reason="Rating agreed", objective_id=None, evaluator="E",
                             rating=Rating.M, text="Slow start: 25 minutes to a joint meeting",
                             evidence=[Evidence(EvidenceKind.LOG_ENTRY, entry)])
        b.withdraw_hotwash_note(note.id, "Said twice")
        b.add_observation(run.id, objective_id=None, evaluator="F", rating="P", text="Good press line",
                          evidence=[Evidence(EvidenceKind.LOG_ENTRY, entry)])
        b.save_executive_summary(run.id, strengths=["Press line"], improvements=["Joint meeting sooner"])
    return document.path, b_path, run.id, observation.id, entry


def test_revisions_evidence_and_summaries_are_merged_once(copies: tuple[Path, Path, str, str, str],
                                                          source: FakeTimeSource) -> None:
    a_path, b_path, run_id, observation_id, entry = copies
    with open_file(a_path) as document:
        report = merge_from(document, b_path)
        assert (report.observations_added, report.evaluation_versions_added, report.evidence_added) == (1, 3, 2)
        assert "3 edits or withdrawals of evaluation notes" in report.describe()
        evaluation = EvaluationService(document, source)
        history = evaluation.observation_history(observation_id)
        assert [v.text for v in history] == ["Slow start", "Slow start: 25 minutes to a joint meeting"]
        assert history[-1].revision_reason == "Rating agreed"
        assert evaluation.hotwash_notes(run_id) == []
        assert [o.evaluator for o in evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entry)] == ["E", "F"]
        assert evaluation.executive_summary(run_id).strengths == ("Press line",)
        again = merge_from(document, b_path)
        assert not again.changed and "Nothing new" in again.describe()
        assert len(evaluation.observation_history(observation_id)) == 2
    with open_file(b_path) as other:  # the other way round: B already has everything A has
        assert not merge_from(other, a_path).changed


def test_an_observation_edited_on_both_laptops_is_refused(copies: tuple[Path, Path, str, str, str],
                                                          source: FakeTimeSource) -> None:
    a_path, b_path, run_id, observation_id, _ = copies
    with open_file(a_path) as document:
        evaluation = EvaluationService(document, source, "laptop-a")
        evaluation.revise_observation(observation_id, reason="Mine", objective_id=None, evaluator="E",
                                      rating="S", text="Slow start, then fine")
        with pytest.raises(MergeRefused,
                           match=r"an observation \(“Slow start.*”\) was changed on both laptops \(version 2\)"):
            merge_from(document, b_path)
        assert [v.text for v in evaluation.observation_history(observation_id)] == ["Slow start",
                                                                                   "Slow start, then fine"]
        assert len(evaluation.observations(run_id)) == 1  # nothing of B's came in


def test_an_evaluation_note_changed_behind_the_applications_back_is_refused(
        copies: tuple[Path, Path, str, str, str]) -> None:
    a_path, b_path, _, _, _ = copies
    with raw_sql(b_path) as connection:
        connection.execute("UPDATE observation SET text = 'Fast start' WHERE text = 'Slow start'")
    connection.close()
    with open_file(a_path) as document, pytest.raises(MergeRefused, match="differs between the two copies"):
        merge_from(document, b_path)
    with raw_sql(b_path) as connection:
        connection.execute("UPDATE observation SET text = 'Slow start' WHERE text = 'Fast start'")
        connection.execute("UPDATE observation_evidence SET target_id = 'x' WHERE revision = 2")
    connection.close()
    with open_file(a_path) as document:
        merge_from(document, b_path)  # the first merge of that version brings its (changed) evidence in …
    with raw_sql(b_path) as connection:
        connection.execute("UPDATE observation_evidence SET target_id = 'y' WHERE revision = 2")
    connection.close()
    with open_file(a_path) as document, pytest.raises(MergeRefused, match="evidence cited by version 2"):
        merge_from(document, b_path)  # … and a later difference is refused

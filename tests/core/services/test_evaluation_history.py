"""Editing and withdrawing evaluation notes keeps every earlier version; observations cite their evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import (
    CapabilityElement,
    Evidence,
    EvidenceKind,
    HotwashKind,
    LogKind,
    Rating,
)
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, open_file, raw_sql


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def _run(document: Document, source: FakeTimeSource) -> tuple[str, list[str], list[str]]:
    """A run with two log entries; returns the run, its objective ids and the entry ids."""
    run = RunService(document, source).create_run()
    objectives = [o.id for o in RunService(document, source).frozen_scenario(run.id).objectives]
    log = LogService(document, "laptop-a", source)
    entries = [log.append(run.id, LogDraft(kind=LogKind.DECISION, text=text, organisation="Police"),
                          exercise_s=60 * (i + 1)).entry_id for i, text in enumerate(("Cordon set", "RVP moved"))]
    return run.id, objectives, entries


@pytest.mark.file_only  # reads the file with plain sqlite3 beside the application
def test_an_edited_observation_keeps_its_first_version_and_says_why(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, objectives, entries = _run(document, source)
        evaluation = EvaluationService(document, source, "laptop-e")
        first = evaluation.add_observation(run_id, objective_id=objectives[0], evaluator="E. Ortega", rating="S",
                                           text="Shared picture late", strengths="Calm chair", exercise_s=300,
                                           evidence=[Evidence(EvidenceKind.LOG_ENTRY, entries[0])])
        source.advance(600)
        revised = evaluation.revise_observation(
            first.id, reason="Rating agreed with the lead evaluator", objective_id=objectives[1],
            evaluator="E. Ortega", rating=Rating.M, text="Shared picture formed 25 minutes late",
            strengths="Calm chair", improvements="Earlier M/ETHANE",
            evidence=[Evidence(EvidenceKind.LOG_ENTRY, entries[1]), Evidence(EvidenceKind.LOG_ENTRY, entries[0])])
        assert (revised.revision, revised.rating, revised.objective_id) == (2, Rating.M, objectives[1])
        assert revised.revised_at == source.wall() and revised.created_at == first.created_at
        path = document.path
    with open_file(path) as reopened:
        evaluation = EvaluationService(reopened, source)
        history = evaluation.observation_history(first.id)
        assert [v.text for v in history] == ["Shared picture late", "Shared picture formed 25 minutes late"]
        assert history[0] == first and history[1] == revised
        assert history[1].revision_reason == "Rating agreed with the lead evaluator"
        assert [e.target_id for e in history[1].evidence] == [entries[1], entries[0]]
        assert evaluation.observations(run_id) == [revised]
        assert evaluation.observations(run_id, objective_id=objectives[0]) == []
    with raw_sql(path) as connection:  # the first version's row was never rewritten
        assert connection.execute("SELECT text, rating FROM observation").fetchall() == [("Shared picture late", "S")]


def test_changes_need_a_reason_and_a_change_and_a_withdrawn_note_stays_withdrawn(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, _, _ = _run(document, source)
        evaluation = EvaluationService(document, source)
        observation = evaluation.add_observation(run_id, objective_id=None, evaluator="E", rating=None, text="Note")
        same = {"objective_id": None, "evaluator": "E", "rating": None, "text": "Note"}
        with pytest.raises(ValidationFailed, match="needs a reason"):
            evaluation.revise_observation(observation.id, reason="  ", **{**same, "text": "Other"})
        with pytest.raises(ValidationFailed, match="nothing was changed"):
            evaluation.revise_observation(observation.id, reason="typo", **same)
        with pytest.raises(ValidationFailed, match="objective"):
            evaluation.revise_observation(observation.id, reason="r", **{**same, "objective_id": "elsewhere"})
        with pytest.raises(ValidationFailed, match="needs a reason"):
            evaluation.withdraw_observation(observation.id, "")
        withdrawn = evaluation.withdraw_observation(observation.id, "Duplicate of E. Ortega's note")
        assert withdrawn.withdrawn and withdrawn.text == "Note" and withdrawn.revision == 2
        with pytest.raises(ValidationFailed, match="withdrawn observation cannot be changed"):
            evaluation.revise_observation(observation.id, reason="r", **{**same, "text": "Back"})
        assert evaluation.observations(run_id) == []
        assert evaluation.observations(run_id, include_withdrawn=True) == [withdrawn]
        with pytest.raises(ValidationFailed, match="does not exist"):
            evaluation.observation_history("no-such-observation")


def test_evidence_is_checked_and_shown_from_both_sides(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, objectives, entries = _run(document, source)
        runs = RunService(document, source)
        inject = runs.frozen_scenario(run_id).injects[0].id
        runs.start(run_id)
        adhoc, _ = runs.add_adhoc(run_id, "Call from the consulate", "Who informs the families?")
        other_run = runs.create_run("Another run")
        foreign_entry = LogService(document, "laptop-a", source).append(
            other_run.id, LogDraft(kind=LogKind.ACTION, text="Elsewhere"), exercise_s=5).entry_id
        evaluation = EvaluationService(document, source)
        for bad, words in ((Evidence(EvidenceKind.LOG_ENTRY, foreign_entry), "not in this run's log"),
                           (Evidence(EvidenceKind.INJECT, "made-up"), "not one of this run's injects")):
            with pytest.raises(ValidationFailed, match=words):
                evaluation.add_observation(run_id, objective_id=None, evaluator="E", rating=None, text="t",
                                           evidence=[bad])
        cited = [Evidence(EvidenceKind.LOG_ENTRY, entries[0]), Evidence(EvidenceKind.INJECT, inject),
                 Evidence(EvidenceKind.INJECT, adhoc.id), Evidence(EvidenceKind.LOG_ENTRY, entries[0])]
        observation = evaluation.add_observation(run_id, objective_id=objectives[0], evaluator="E", rating="P",
                                                 text="Quick cordon", evidence=cited)
        assert observation.evidence == tuple(cited[:3])  # the repeat is dropped
        assert evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entries[0]) == [observation]
        assert evaluation.citations(run_id, EvidenceKind.INJECT, adhoc.id) == [observation]
        assert evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entries[1]) == []

        revised = evaluation.revise_observation(observation.id, reason="Wrong entry", objective_id=objectives[0],
                                                evaluator="E", rating="P", text="Quick cordon",
                                                evidence=[Evidence(EvidenceKind.LOG_ENTRY, entries[1])])
        assert evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entries[0]) == []
        assert evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entries[1]) == [revised]
        assert evaluation.observation_history(observation.id)[0].evidence == tuple(cited[:3])
        evaluation.withdraw_observation(observation.id, "Not an observation")
        assert evaluation.citations(run_id, EvidenceKind.LOG_ENTRY, entries[1]) == []


def test_hot_wash_notes_and_improvement_actions_have_a_history(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, objectives, _ = _run(document, source)
        evaluation = EvaluationService(document, source)
        note = evaluation.add_hotwash_note(run_id, HotwashKind.STRENGTH, "Good JESIP", author="Players")
        source.advance(60)
        moved = evaluation.revise_hotwash_note(note.id, reason="It was a lesson", kind="lesson",
                                               text="Say the JDM stage out loud", objective_id=objectives[0],
                                               author="Players")
        assert evaluation.hotwash_notes(run_id) == [moved]
        assert evaluation.hotwash_notes(run_id, kind=HotwashKind.STRENGTH) == []
        assert [v.kind for v in evaluation.hotwash_history(note.id)] == [HotwashKind.STRENGTH, HotwashKind.LESSON]
        with pytest.raises(ValidationFailed, match="nothing was changed"):
            evaluation.revise_hotwash_note(note.id, reason="r", kind="lesson", text="Say the JDM stage out loud",
                                           objective_id=objectives[0], author="Players")
        evaluation.withdraw_hotwash_note(note.id, "Said twice")
        assert evaluation.hotwash_notes(run_id) == []

        action = evaluation.add_improvement_action(run_id, issue="Late RVP", action="Agree RVPs in the plan",
                                                   due_date=date(2028, 3, 1))
        with pytest.raises(ValidationFailed, match="before the start"):
            evaluation.revise_improvement_action(action.id, reason="r", issue="Late RVP", action="a",
                                                 start_date=date(2028, 4, 1), due_date=date(2028, 3, 1))
        later = evaluation.revise_improvement_action(
            action.id, reason="Owner agreed at the hot wash", issue="Late RVP", action="Agree RVPs in the plan",
            capability_element=CapabilityElement.ORGANISATION, owner_organisation="Police", contact="Planning lead",
            due_date=date(2028, 5, 1), objective_id=objectives[0])
        assert evaluation.improvement_actions(run_id) == [later]
        assert [v.due_date for v in evaluation.improvement_history(action.id)] == [date(2028, 3, 1),
                                                                                  date(2028, 5, 1)]
        gone = evaluation.withdraw_improvement_action(action.id, "Covered by the force's own plan")
        assert evaluation.improvement_actions(run_id) == []
        assert evaluation.improvement_actions(run_id, include_withdrawn=True) == [gone]
        assert document.summary().improvement_actions == 1  # the file still holds it


def test_the_executive_summary_is_proposed_from_the_observations_and_saved_per_run(
        tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, objectives, _ = _run(document, source)
        scenario = RunService(document, source).frozen_scenario(run_id)
        code = {o.id: o.code for o in scenario.objectives}
        evaluation = EvaluationService(document, source)
        assert evaluation.executive_summary(run_id).proposed
        assert evaluation.executive_summary(run_id).strengths == ()
        evaluation.add_observation(run_id, objective_id=objectives[0], evaluator="E", rating="S", text="t",
                                   strengths="Calm chair", improvements="Share the RVP\nsooner")
        evaluation.add_observation(run_id, objective_id=objectives[1], evaluator="E", rating="U", text="t",
                                   strengths="Willing partners", improvements="No casualty plan")
        evaluation.add_observation(run_id, objective_id=None, evaluator="E", rating="P", text="t",
                                   strengths="Good venue")
        proposed = evaluation.executive_summary(run_id)
        assert proposed.proposed
        assert proposed.strengths == ("Good venue", f"{code[objectives[0]]}: Calm chair",
                                      f"{code[objectives[1]]}: Willing partners")
        assert proposed.improvements == (f"{code[objectives[1]]}: No casualty plan",
                                         f"{code[objectives[0]]}: Share the RVP sooner")
        saved = evaluation.save_executive_summary(run_id, strengths=["Calm chair", " ", "Calm chair"],
                                                  improvements=["Plan casualty care"])
        assert (saved.revision, saved.strengths, saved.improvements) == (1, ("Calm chair",), ("Plan casualty care",))
        source.advance(30)
        again = evaluation.save_executive_summary(run_id, strengths=["Calm chair", "Willing partners"],
                                                  improvements=[])
        assert evaluation.executive_summary(run_id) == again and again.revision == 2
        assert [s.revision for s in evaluation.executive_summary_history(run_id)] == [1, 2]
        other = RunService(document, source).create_run("Second")
        assert evaluation.executive_summary(other.id).proposed

"""Observations, hot wash and improvement plan through the evaluation service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import CapabilityElement, HotwashKind, Rating
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, reopen

RTL_EMOJI = "תצפית: השוטרים הגיבו מהר 👮‍♀️🚑 — «très bien» ✔"


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def test_observations_are_stored_exactly_and_survive_reopening(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        objectives = RunService(document, source).frozen_scenario(run.id).objectives
        evaluation = EvaluationService(document, source, device_id="laptop-e")
        late = evaluation.add_observation(run.id, objective_id=objectives[1].id, evaluator="Evaluator 2",
                                          rating="m", text="Comms broke down", exercise_s=900)
        early = evaluation.add_observation(run.id, objective_id=objectives[0].id, evaluator="Åsa Lindqvist",
                                           rating=Rating.S, text=RTL_EMOJI, strengths="Fast cordon",
                                           improvements="Share the RVP sooner", exercise_s=300)
        unrated = evaluation.add_observation(run.id, objective_id=None, evaluator="E3", rating=None,
                                             text="General note")
    with reopen(document) as reopened:
        evaluation = EvaluationService(reopened, source)
        stored = evaluation.observations(run.id)
        assert [o.id for o in stored] == [unrated.id, early.id, late.id]
        assert stored[1] == early and stored[1].text == RTL_EMOJI and stored[1].device_id == "laptop-e"
        assert stored[2].rating is Rating.M and stored[0].rating is None
        assert [o.id for o in evaluation.observations(run.id, objective_id=objectives[0].id)] == [early.id]


@pytest.mark.parametrize(
    ("changes", "words"),
    [({"text": "  "}, "text"), ({"evaluator": ""}, "evaluator"), ({"rating": "X"}, "rating must be one of P, S, M, U"),
     ({"objective_id": "not-an-objective"}, "objective"), ({"exercise_s": -1}, "negative")],
)
def test_bad_observations_are_refused(tmp_path: Path, source: FakeTimeSource, changes: dict, words: str) -> None:  # type: ignore[type-arg]
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        evaluation = EvaluationService(document, source)
        arguments = {"objective_id": None, "evaluator": "E1", "rating": "P", "text": "fine", **changes}
        with pytest.raises(ValidationFailed, match=words):
            evaluation.add_observation(run.id, **arguments)
        with pytest.raises(ValidationFailed, match="run"):
            evaluation.add_observation("missing-run", objective_id=None, evaluator="E", rating=None, text="t")
        assert evaluation.observations(run.id) == []


def test_hot_wash_notes(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        objective = RunService(document, source).frozen_scenario(run.id).objectives[0]
        evaluation = EvaluationService(document, source)
        strength = evaluation.add_hotwash_note(run.id, HotwashKind.STRENGTH, "Early JESIP meeting", author="Lead")
        source.advance(10)
        lesson = evaluation.add_hotwash_note(run.id, "lesson", RTL_EMOJI, objective_id=objective.id)
        with pytest.raises(ValidationFailed, match="one of"):
            evaluation.add_hotwash_note(run.id, "gossip", "x")
        with pytest.raises(ValidationFailed, match="text"):
            evaluation.add_hotwash_note(run.id, HotwashKind.IMPROVEMENT, "")
        assert evaluation.hotwash_notes(run.id) == [strength, lesson]
        assert evaluation.hotwash_notes(run.id, kind=HotwashKind.LESSON)[0].text == RTL_EMOJI


def test_improvement_plan(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        objective = RunService(document, source).frozen_scenario(run.id).objectives[0]
        evaluation = EvaluationService(document, source)
        undated = evaluation.add_improvement_action(run.id, issue="No shared map", action="Buy a licence",
                                                    capability_element="equipment")
        soon = evaluation.add_improvement_action(
            run.id, issue=RTL_EMOJI, action="Train loggists", capability_element=CapabilityElement.TRAINING,
            owner_organisation="Police", contact="Insp. Ó Briain", start_date=date(2028, 1, 10),
            due_date=date(2028, 3, 31), objective_id=objective.id)
        with pytest.raises(ValidationFailed, match="before the start"):
            evaluation.add_improvement_action(run.id, issue="i", action="a", start_date=date(2028, 2, 1),
                                              due_date=date(2028, 1, 1))
        with pytest.raises(ValidationFailed, match="capability element"):
            evaluation.add_improvement_action(run.id, issue="i", action="a", capability_element="vibes")
        with pytest.raises(ValidationFailed, match="corrective action"):
            evaluation.add_improvement_action(run.id, issue="i", action=" ")
        plan = evaluation.improvement_actions(run.id)
        assert plan == [soon, undated]
        assert plan[0].due_date == date(2028, 3, 31) and plan[0].issue == RTL_EMOJI
        assert document.summary().improvement_actions == 2

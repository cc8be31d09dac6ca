"""The validation panel's problems, computed from plain scenario values."""

from __future__ import annotations

from dataclasses import replace

from ctpn_desktop.core.entities import (
    EventType,
    Exercise,
    ExerciseType,
    Inject,
    Objective,
    Organisation,
    Phase,
    Recipient,
    Role,
    Scenario,
)
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.validation import InjectField, ProblemKind, problems_by_inject, validate

from tests.factories import LIBRARY

POLICE = Organisation("org-police", "police", "Police", roles=(
    Role("role-gold", "org-police", "gold", "Gold"), Role("role-bronze", "org-police", "bronze", "Bronze")))
FIRE = Organisation("org-fire", "fire", "Fire and Rescue", short_name="Fire")
O1 = Objective("obj-1", "O1", "Coordinate the response")
O2 = Objective("obj-2", "O2", "Warn and inform the public")
PHASE_1 = Phase("phase-1", "p1", "Response", 0)
PHASE_2 = Phase("phase-2", "p2", "Recovery", 3600)


def _inject(number: int, offset: int, **changes: object) -> Inject:
    base = Inject(id=f"inj-{number}", number=number, title=f"Inject {number}", planned_offset_s=offset,
                  phase_id="phase-1" if offset < 3600 else "phase-2", recipients=(Recipient("org-fire"),),
                  objective_ids=("obj-1", "obj-2"))
    return replace(base, **changes)  # type: ignore[arg-type]


def _scenario(*injects: Inject) -> Scenario:
    return Scenario(Exercise("ex", "Test", ExerciseType.TABLE_TOP), objectives=(O1, O2),
                    organisations=(POLICE, FIRE), phases=(PHASE_1, PHASE_2), injects=injects)


def _kinds(scenario: Scenario) -> list[tuple[ProblemKind, str | None]]:
    return [(p.kind, p.inject_id or p.phase_id or p.objective_id) for p in validate(scenario)]


def test_a_clean_scenario_has_no_problems() -> None:
    assert validate(_scenario(_inject(1, 60), _inject(2, 3700))) == ()


def test_inject_without_recipients_is_reported_on_its_recipients_field() -> None:
    problems = validate(_scenario(_inject(1, 60, recipients=()), _inject(2, 3700)))
    assert [(p.kind, p.inject_id, p.field) for p in problems] == [
        (ProblemKind.NO_RECIPIENTS, "inj-1", InjectField.RECIPIENTS)]
    assert problems[0].message == "Inject 1 has no recipients"


def test_controller_actions_need_no_recipients() -> None:
    scenario = _scenario(_inject(1, 60, recipients=(), event_type=EventType.CONTROLLER_ACTION), _inject(2, 3700))
    assert validate(scenario) == ()


def test_link_to_a_missing_objective() -> None:
    scenario = _scenario(_inject(1, 60, objective_ids=("obj-1", "obj-deleted")), _inject(2, 3700))
    assert _kinds(scenario) == [(ProblemKind.MISSING_OBJECTIVE, "inj-1")]


def test_missing_phase_recipient_and_dependency_are_reported() -> None:
    scenario = _scenario(
        _inject(1, 60, phase_id="phase-gone"),
        _inject(2, 120, recipients=(Recipient("org-police", "role-gone"),)),
        _inject(3, 3700, depends_on_id="inj-99"),
    )
    assert _kinds(scenario) == [(ProblemKind.MISSING_PHASE, "inj-1"), (ProblemKind.MISSING_RECIPIENT, "inj-2"),
                                (ProblemKind.MISSING_DEPENDENCY, "inj-3")]


def test_planned_time_outside_its_phase() -> None:
    early = _inject(1, 3000, phase_id="phase-2")
    late = _inject(2, 3700, phase_id="phase-1")
    problems = validate(_scenario(early, late))
    assert [(p.kind, p.inject_id, p.field) for p in problems] == [
        (ProblemKind.OUTSIDE_PHASE, "inj-1", InjectField.PLANNED),
        (ProblemKind.OUTSIDE_PHASE, "inj-2", InjectField.PLANNED),
    ]
    assert "before its phase 'Recovery' starts (1:00)" in problems[0].message
    assert "after its phase 'Response' ends (1:00)" in problems[1].message


def test_two_injects_for_the_same_recipient_in_the_same_minute() -> None:
    first = _inject(1, 600)
    second = _inject(2, 659)
    next_minute = _inject(3, 660)
    problems = [p for p in validate(_scenario(first, second, next_minute, _inject(4, 3700)))]
    assert [(p.kind, p.inject_id) for p in problems] == [
        (ProblemKind.RECIPIENT_CLASH, "inj-1"), (ProblemKind.RECIPIENT_CLASH, "inj-2")]
    assert problems[0].message == "Inject 1 reaches Fire in the same minute (0:10) as inject 2"


def test_different_roles_of_one_organisation_do_not_clash_but_the_whole_organisation_does() -> None:
    gold = _inject(1, 600, recipients=(Recipient("org-police", "role-gold"),))
    bronze = _inject(2, 600, recipients=(Recipient("org-police", "role-bronze"),))
    assert validate(_scenario(gold, bronze, _inject(3, 3700))) == ()
    everyone = _inject(4, 610, recipients=(Recipient("org-police"),))
    clashes = {p.inject_id for p in validate(_scenario(gold, bronze, everyone, _inject(3, 3700)))}
    assert clashes == {"inj-1", "inj-2", "inj-4"}


def test_contingency_injects_do_not_clash() -> None:
    held_back = _inject(2, 600, event_type=EventType.CONTINGENCY)
    assert validate(_scenario(_inject(1, 600), held_back, _inject(3, 3700))) == ()


def test_phase_without_injects_and_objective_no_inject_exercises() -> None:
    scenario = _scenario(_inject(1, 60, objective_ids=("obj-1",)))
    assert _kinds(scenario) == [(ProblemKind.EMPTY_PHASE, "phase-2"), (ProblemKind.UNEXERCISED_OBJECTIVE, "obj-2")]
    messages = [p.message for p in validate(scenario)]
    assert messages == ["Phase 'Recovery' has no injects", "Objective O2 is not exercised by any inject"]


def test_problems_are_grouped_by_inject() -> None:
    scenario = _scenario(_inject(1, 60, recipients=(), objective_ids=("gone",)), _inject(2, 3700))
    grouped = problems_by_inject(validate(scenario))
    assert list(grouped) == ["inj-1"]
    assert {p.kind for p in grouped["inj-1"]} == {ProblemKind.NO_RECIPIENTS, ProblemKind.MISSING_OBJECTIVE}


def test_library_scenarios_validate_without_crashing_and_link_every_problem() -> None:
    for path in sorted(LIBRARY.glob("*.json")):
        scenario, _ = read_scenario_file(path)
        for problem in validate(scenario):
            assert problem.inject_id or problem.phase_id or problem.objective_id, problem

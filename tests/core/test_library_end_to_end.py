"""Every scenario of the library, from the file to the debrief, through the same services the application uses:
validate, create the document, run it with syndicates, release every inject, log, evaluate, debrief and print the
programme."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import AnswerKind, EventType, HotwashKind, LogKind, Rating
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.report.debrief_data import DebriefOptions, InjectOutcome, Section, assemble_debrief
from ctpn_desktop.core.report.html import debrief_html
from ctpn_desktop.core.report.pdf import render_debrief
from ctpn_desktop.core.report.programme import programme_data, render_programme
from ctpn_desktop.core.services.document import create_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.syndicates import SyndicateService
from ctpn_desktop.core.services.validation import validate

from ctpn_desktop.cli import main
from tests.core.report.debrief_helpers import page_texts, squash
from tests.factories import LIBRARY

LIBRARY_FILES = sorted(LIBRARY.glob("*.json"))


def test_the_library_covers_the_networks_exercise_kinds() -> None:
    threats = " ".join(read_scenario_file(path)[0].exercise.threat.casefold() for path in LIBRARY_FILES)
    for kind in ("marauding", "chemical", "drone", "radiological", "cyber", "consequences", "biolog"):
        assert kind in threats, kind
    assert len(LIBRARY_FILES) >= 7


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.stem)
def test_a_library_scenario_runs_end_to_end(tmp_path: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0
    assert "valid scenario" in capsys.readouterr().out
    scenario, blobs = read_scenario_file(path)
    assert validate(scenario) == ()  # the editor finds nothing to put right either
    assert all(i.content.startswith("EXERCISE EXERCISE EXERCISE") for i in scenario.injects)
    assert scenario.exercise.marking in {"OFFICIAL", "OFFICIAL-SENSITIVE"}

    source = FakeTimeSource(wall=datetime(2027, 10, 6, 9, 0, tzinfo=UTC))
    with create_document(tmp_path / "exercise.ctpn", scenario, blobs) as document:
        runs = RunService(document, source, actor="Lead Facilitator")
        run = runs.create_run("Conduct")
        frozen = runs.frozen_scenario(run.id)
        syndicates = SyndicateService(document, source, device_id="control")
        made = syndicates.from_programme(run.id) or [syndicates.add(run.id, "Syndicate A"),
                                                      syndicates.add(run.id, "Syndicate B")]
        log = LogService(document, device_id="control", source=source)
        note_taker = LogService(document, device_id="note-taker", source=source)
        syndicates.assign_device(run.id, made[0].id, "note-taker")
        runs.start(run.id)
        objectives = {o.code: o.id for o in frozen.objectives}
        phase = None
        for inject in sorted(frozen.injects, key=lambda i: (i.planned_offset_s, i.number)):
            source.advance(max(0.0, inject.planned_offset_s - runs.clock(run.id).elapsed()))
            if inject.phase_id != phase:
                phase = inject.phase_id
                runs.start_phase(run.id, phase)
            if inject.event_type is EventType.CONTINGENCY:
                runs.skip(run.id, inject.id, note="Players took the expected action")
                continue
            runs.release(run.id, inject.id)
            source.advance(60)
            log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"Decision on inject {inject.number}",
                                        rationale=inject.expected_actions[:120], logged_by="Loggist",
                                        decision_maker="Strategic lead", organisation="Council",
                                        inject_id=inject.id), exercise_s=runs.clock(run.id).elapsed())
            note_taker.append(run.id, LogDraft(kind=LogKind.INFORMATION, text=f"Syndicate notes on {inject.title}",
                                               logged_by="Note-taker"), exercise_s=runs.clock(run.id).elapsed())
        for phase_ in frozen.phases:
            for index, _question in enumerate(phase_.discussion_questions):
                for syndicate in made:
                    syndicates.add_answer(run.id, syndicate.id, phase_id=phase_.id, question_index=index,
                                          text=f"{syndicate.name} answers question {index + 1}")
                    source.advance(1)
                syndicates.add_answer(run.id, made[0].id, phase_id=phase_.id, question_index=index,
                                      kind=AnswerKind.READBACK, text=f"Read-back {phase_.key}.{index + 1}")
        runs.end(run.id, "ENDEX")
        evaluation = EvaluationService(document, source, device_id="evaluator")
        for code, objective_id in objectives.items():
            evaluation.add_observation(run.id, objective_id=objective_id, evaluator="Lead Evaluator",
                                       rating=Rating.S, text=f"Observed against {code}")
        evaluation.add_hotwash_note(run.id, HotwashKind.STRENGTH, "Joint decision-making was visible")
        evaluation.add_improvement_action(run.id, issue="Plan not tested", action="Exercise the plan again",
                                          owner_organisation="Resilience Forum")
        assert log.verify().ok and log.verify().chains == 2

        data = assemble_debrief(document, run.id, DebriefOptions(draft=True))
        out = render_debrief(data, tmp_path / "debrief.pdf")
        html = debrief_html(data)
    contingencies = [i for i in frozen.injects if i.event_type is EventType.CONTINGENCY]
    assert {line.outcome for line in data.injects if not line.adhoc} <= {InjectOutcome.RELEASED,
                                                                         InjectOutcome.SKIPPED}
    assert sum(line.outcome is InjectOutcome.SKIPPED for line in data.injects) == len(contingencies)
    assert Section.SYNDICATES in data.sections and len(data.syndicates) == len(made)
    assert data.syndicates[0].entries == len(frozen.injects) - len(contingencies)
    assert all(q.answered == len(made) for q in data.syndicate_questions)
    flat = squash("".join(page_texts(out)))
    for inject in frozen.injects:
        assert squash(inject.title) in flat, inject.title
    for code in objectives:
        assert squash(f"Observed against {code}") in flat
    assert squash(f"Read-back {frozen.phases[-1].key}.1") in flat and "Read-back" in html
    programme = render_programme(programme_data(frozen), tmp_path / "programme.pdf")
    assert squash(frozen.exercise.title) in squash("".join(page_texts(programme)))

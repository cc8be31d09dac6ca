"""The demo document: a completed rehearsal run that fills every workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.demo import make_demo_document
from ctpn_desktop.core.entities import InjectEventKind, LogKind, RunStatus
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import open_file

pytestmark = pytest.mark.file_only  # copies and files of their own: a shared room is tested apart


def test_the_demo_holds_one_completed_rehearsal_with_a_full_log_and_evaluation(tmp_path: Path) -> None:
    path = make_demo_document(tmp_path / "demo.ctpn")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.ctpn"]  # no partial or WAL files left
    source = SystemTimeSource()
    with open_file(path) as document:
        runs = RunService(document, source)
        [run] = runs.list_runs()
        assert run.rehearsal and run.status is RunStatus.ENDED and run.started_at and run.ended_at
        scenario = runs.frozen_scenario(run.id)
        events = runs.events(run.id)
        released = [e for e in events if e.kind is InjectEventKind.RELEASED]
        skipped = [e for e in events if e.kind is InjectEventKind.SKIPPED]
        [adhoc] = runs.adhoc_injects(run.id)
        assert len(skipped) == 1 and skipped[0].note
        assert {e.inject_id for e in released} == ({i.id for i in scenario.injects} - {skipped[0].inject_id}
                                                   | {adhoc.id})
        planned = {i.id: i.planned_offset_s for i in scenario.injects}
        for event in released:
            if event.inject_id in planned:  # released around the planned time, never far off
                assert abs(event.exercise_s - planned[event.inject_id]) <= 180

        log = LogService(document, "reader", source)
        entries = log.entries(run.id)
        assert len(entries) >= 40
        assert len({e.current.organisation for e in entries}) >= 6
        assert {e.current.kind for e in entries} == set(LogKind)
        assert len({e.current.device_id for e in entries}) == 2
        corrected = [e for e in entries if e.corrected and not e.current.withdrawn]
        withdrawn = [e for e in entries if e.current.withdrawn]
        assert len(corrected) == 1 and corrected[0].current.revision_reason
        assert corrected[0].history[0].text != corrected[0].current.text
        assert len(withdrawn) == 1 and withdrawn[0].current.revision_reason
        decisions = [e for e in entries if e.current.kind is LogKind.DECISION]
        assert sum(1 for e in decisions if e.current.rationale) >= 15
        assert any(e.current.inject_id == adhoc.id for e in entries)
        assert any("M/ETHANE" in e.current.text for e in entries)
        assert log.verify().ok

        evaluation = EvaluationService(document, source)
        rated = {o.objective_id for o in evaluation.observations(run.id) if o.rating is not None}
        assert rated == {o.id for o in scenario.objectives}
        assert len(evaluation.hotwash_notes(run.id)) >= 6
        actions = evaluation.improvement_actions(run.id)
        assert len(actions) >= 4 and all(a.owner_organisation and a.due_date for a in actions)

        # the evaluation shows its history and its evidence
        observations = evaluation.observations(run.id)
        assert all(o.evidence for o in observations)
        revised = [o for o in observations if o.revised]
        assert len(revised) == 1 and revised[0].revision_reason
        assert evaluation.observation_history(revised[0].id)[0].rating != revised[0].rating
        assert any(a.revised for a in actions)
        assert any(n.withdrawn for n in evaluation.hotwash_notes(run.id, include_withdrawn=True))
        cited = {e.target_id for o in observations for e in o.evidence}
        assert any(entry.entry_id in cited for entry in entries) and adhoc.id in cited
        assert not evaluation.executive_summary(run.id).proposed


def test_an_existing_file_is_only_replaced_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "demo.ctpn"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        make_demo_document(path)
    assert path.read_bytes() == b"keep me"
    make_demo_document(path, replace=True)
    with open_file(path) as document:
        assert document.summary().log_entries >= 40

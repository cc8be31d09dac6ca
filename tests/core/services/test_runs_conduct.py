"""Live conduct through RunService: phase transitions, halts and their resumption, frozen attachments."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import AttachmentInfo, ClockEventKind, InjectEventKind, RunStatus
from ctpn_desktop.core.errors import RunStateError, ValidationFailed
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService

from tests.factories import library_document, reopen


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def test_advancing_the_phase_jumps_the_clock_and_records_the_transition(tmp_path: Path,
                                                                         source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source, actor="Lead facilitator")
        run = runs.create_run()
        with pytest.raises(RunStateError):
            runs.advance_phase(run.id)
        runs.start(run.id)
        phases = sorted(runs.frozen_scenario(run.id).phases, key=lambda p: p.start_offset_s)
        assert runs.current_phase(run.id) == phases[0]
        source.advance(600)

        phase, event = runs.advance_phase(run.id, note="discussion on phase 1 complete")

        assert phase == phases[1]
        assert runs.current_phase(run.id) == phases[1]
        assert runs.clock(run.id).elapsed() == pytest.approx(phases[1].start_offset_s)
        assert event.kind is InjectEventKind.PHASE_STARTED and event.inject_id == phases[1].id
        assert event.exercise_s == pytest.approx(phases[1].start_offset_s)
        assert event.scenario_time == phases[1].scenario_start
        assert event.note == "discussion on phase 1 complete"
        jump = runs.clock(run.id).last_anchor
        assert jump is not None and jump.kind is ClockEventKind.ADJUST and phases[1].name in jump.reason
        source.advance(60)
        assert runs.scenario_time_now(run.id) == phases[1].scenario_start + timedelta(seconds=60)

    reopened = reopen(document)
    try:
        again = RunService(reopened, source)
        assert again.current_phase(run.id) == phases[1]
        assert again.events(run.id)[-1].kind is InjectEventKind.PHASE_STARTED
    finally:
        reopened.close()


def test_a_phase_reached_early_by_hand_opens_at_its_scenario_start(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        phases = sorted(runs.frozen_scenario(run.id).phases, key=lambda p: p.start_offset_s)
        source.advance(120)
        event = runs.start_phase(run.id, phases[1].id)
        assert event.scenario_time == phases[1].scenario_start
        assert runs.current_phase(run.id) == phases[1]
        source.advance(30)
        released = runs.release(run.id, runs.frozen_scenario(run.id).injects[0].id)
        assert released.scenario_time == phases[1].scenario_start + timedelta(seconds=30)
        with pytest.raises(ValidationFailed):
            runs.start_phase(run.id, runs.frozen_scenario(run.id).injects[0].id)


def test_no_phase_after_the_last(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        count = len(runs.frozen_scenario(run.id).phases)
        for _ in range(count - 1):
            runs.advance_phase(run.id)
        with pytest.raises(RunStateError, match="last phase"):
            runs.advance_phase(run.id)


def test_a_halt_and_its_resumption_are_recorded_with_their_reasons(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        source.advance(90)
        assert runs.halt(run.id, "Stop phrase called: real casualty").status is RunStatus.HALTED
        source.advance(600)
        assert runs.clock(run.id).elapsed() == pytest.approx(90)
        with pytest.raises(ValidationFailed, match="needs a reason"):
            runs.resume(run.id, "   ")
        assert runs.run(run.id).status is RunStatus.HALTED
        runs.resume(run.id, "Casualty handed to paramedics; all clear")
        kinds = [(a.kind, a.reason) for a in runs.clock(run.id).anchors]
        assert kinds[-2:] == [(ClockEventKind.HALT, "Stop phrase called: real casualty"),
                              (ClockEventKind.RESUME, "Casualty handed to paramedics; all clear")]


def test_attachments_come_from_the_frozen_copy(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        scenario = ScenarioService(document)
        inject = scenario.load().injects[0]
        picture = AttachmentInfo(id="7d1a3f5e-0c1b-4a55-9c55-0d9a3b1e2f10", filename="map.png",
                                 media_type="image/png", size=4, sha256=hashlib.sha256(b"\x89PNG").hexdigest())
        scenario.put_inject(replace(inject, attachments=(picture,)), {picture.id: b"\x89PNG"})
        runs = RunService(document, source)
        run = runs.create_run()
        frozen = runs.frozen_scenario(run.id).injects[0]
        assert [a.filename for a in frozen.attachments] == ["map.png"]
        assert runs.attachment_data(run.id, frozen.attachments[0].id) == b"\x89PNG"
        with pytest.raises(ValidationFailed):
            runs.attachment_data(run.id, "not-there")

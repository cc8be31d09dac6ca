"""Runs and the decision log through the services, on a fake clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import ActionItem, InjectEventKind, JdmStage, LogKind, RunStatus
from ctpn_desktop.core.errors import RunStateError, ValidationFailed
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService

from tests.factories import behind_the_back, library_document, reopen


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def test_a_run_freezes_the_scenario_against_later_edits(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run("Rehearsal", rehearsal=True)
        scenario = ScenarioService(document)
        first = scenario.load().injects[0]
        scenario.put_inject(replace(first, title="Rewritten after the exercise"))
        assert RunService(document, source).frozen_scenario(run.id).injects[0].title == first.title
        assert scenario.load().injects[0].title == "Rewritten after the exercise"


def test_clock_and_inject_events_are_stored_and_survive_reopening(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source, actor="Lead facilitator")
        run = runs.create_run()
        injects = runs.frozen_scenario(run.id).injects
        with pytest.raises(RunStateError):
            runs.release(run.id, injects[0].id)
        runs.start(run.id)
        source.advance(600)
        released = runs.release(run.id, injects[0].id, note="read aloud")
        assert released.exercise_s == pytest.approx(600)
        assert released.scenario_time is not None
        runs.skip(run.id, injects[1].id, note="players already there")
        runs.pause(run.id, "coffee")
        source.advance(900)
        runs.resume(run.id)
        source.advance(60)
        deferred = runs.defer(run.id, injects[2].id, minutes=5)
        assert deferred.new_offset_s == 660 + 300
        assert runs.run(run.id).status is RunStatus.RUNNING
    reopened = reopen(document)
    later = RunService(reopened, source.restarted(after_s=30))
    assert later.clock(run.id).elapsed() == pytest.approx(690)
    kinds = [e.kind for e in later.events(run.id)]
    assert kinds == [InjectEventKind.RELEASED, InjectEventKind.SKIPPED, InjectEventKind.DEFERRED]
    later.end(run.id)
    assert later.run(run.id).status is RunStatus.ENDED
    with pytest.raises(RunStateError):
        later.resume(run.id)
    reopened.close()


def test_real_runs_cannot_be_discarded(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        real = runs.create_run("Live")
        rehearsal = runs.create_run("Rehearsal", rehearsal=True)
        with pytest.raises(RunStateError):
            runs.discard_run(real.id)
        runs.discard_run(rehearsal.id)
        assert [r.label for r in runs.list_runs()] == ["Live"]


def _draft(text: str, **extra: object) -> LogDraft:
    return LogDraft(kind=LogKind.DECISION, text=text, decision_maker="Police Gold", organisation="Police",
                    logged_by="Zoë Müller", **extra)  # type: ignore[arg-type]


def test_entries_are_corrected_and_withdrawn_without_erasure(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        log = LogService(document, device_id="laptop-a", source=source)
        first = log.append(run.id, _draft("Declare a major incident", rationale="M/ETHANE from the scene",
                                          actions=(ActionItem("Inform partners", "Police"),),
                                          jdm_stage=JdmStage.TAKE_ACTION), exercise_s=300)
        second = log.append(run.id, _draft("مرحبا — right-to-left and emoji 🚒 kept"), exercise_s=320)
        with pytest.raises(ValidationFailed):
            log.correct(first.entry_id, _draft("x"), reason="  ")
        corrected = log.correct(first.entry_id, _draft("Declare a major incident at 18:12"), reason="time added")
        withdrawn = log.withdraw(second.entry_id, reason="logged against the wrong run")
        with pytest.raises(ValidationFailed):
            log.correct(second.entry_id, _draft("again"), reason="no")
        entries = log.entries(run.id)
    assert [e.current.entry_number for e in entries] == [1, 2]
    assert corrected.history[0].text == "Declare a major incident"
    assert corrected.current.revision == 2 and corrected.current.revision_reason == "time added"
    assert withdrawn.current.withdrawn and withdrawn.history[0].text.startswith("مرحبا")
    assert entries[0].history[0].actions == (ActionItem("Inform partners", "Police"),)
    assert entries[0].history[0].jdm_stage is JdmStage.TAKE_ACTION


def test_tampering_behind_the_applications_back_is_found(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        log = LogService(document, device_id="laptop-a", source=source)
        for index in range(5):
            log.append(run.id, _draft(f"Decision {index + 1}"), exercise_s=60 * index)
        assert log.verify().ok
    behind_the_back(document, "UPDATE log_record SET text = 'Nothing was decided' WHERE entry_number = 3")
    with reopen(document) as reopened:
        report = LogService(reopened, device_id="laptop-a", source=source).verify()
    assert not report.ok and report.first_bad_entry_number == 3
    assert "changed after it was written" in report.problems[0]


def test_a_deleted_record_is_found(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        log = LogService(document, device_id="laptop-a", source=source)
        for index in range(4):
            log.append(run.id, _draft(f"Decision {index + 1}"), exercise_s=60 * index)
    behind_the_back(document, "DELETE FROM log_record WHERE entry_number = 2")
    with reopen(document) as reopened:
        report = LogService(reopened, device_id="x", source=source).verify()
    assert not report.ok and "missing" in report.problems[0]


def test_adhoc_injects_are_numbered_released_and_kept(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source, actor="Facilitator")
        run = runs.create_run()
        with pytest.raises(RunStateError):
            runs.add_adhoc(run.id, "Too early")
        runs.start(run.id)
        source.advance(120)
        first, event = runs.add_adhoc(run.id, "Media call 📞", "עיתונאי מתקשר", recipients_text="Press office")
        second, none = runs.add_adhoc(run.id, "Held back", release=False)
        with pytest.raises(ValidationFailed):
            runs.add_adhoc(run.id, "  ")
        assert (first.number, second.number, none) == (1, 2, None)
        assert event is not None and event.inject_id == first.id and event.kind is InjectEventKind.RELEASED
        assert event.exercise_s == pytest.approx(120) and first.author == "Facilitator"
        runs.release(run.id, second.id)
        assert RunService(document, source).adhoc_injects(run.id) == [first, second]
        assert first.content == "עיתונאי מתקשר"


def test_an_inject_is_released_once_and_events_are_numbered_in_order(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source, actor="Lead facilitator")
        run = runs.create_run()
        injects = runs.frozen_scenario(run.id).injects
        runs.start(run.id)
        source.advance(90)
        first = runs.release(run.id, injects[0].id)
        other = RunService(document, source, actor="Controller")
        with pytest.raises(RunStateError, match=r"already released by Lead facilitator at .* \(exercise time "
                                                r"0:01:30\); it is not released twice"):
            other.release(run.id, injects[0].id)
        skipped = other.skip(run.id, injects[0].id)  # only a second release is refused
        again = runs.release(run.id, injects[1].id)
        assert [first.seq, skipped.seq, again.seq] == [1, 2, 3]
        read = RunService(document, source).events(run.id)
        assert read == [first, skipped, again]
        assert [e.seq for e in RunService(document, source).events_since(run.id, 1)] == [2, 3]


def test_events_are_numbered_where_the_database_cannot_return_what_it_inserted(
        tmp_path: Path, source: FakeTimeSource, monkeypatch: pytest.MonkeyPatch) -> None:
    with library_document(tmp_path) as document:
        monkeypatch.setattr(document.engine.dialect, "insert_returning", False)  # SQLite before 3.35
        runs = RunService(document, source, actor="Lead facilitator")
        run = runs.create_run()
        injects = runs.frozen_scenario(run.id).injects
        runs.start(run.id)
        released = [runs.release(run.id, inject.id) for inject in injects[:3]]
        with pytest.raises(RunStateError, match="already released by Lead facilitator"):
            runs.release(run.id, injects[1].id)
        assert [e.seq for e in released] == [1, 2, 3]
        assert RunService(document, source).events(run.id) == released


def test_what_an_append_returns_is_what_is_read_back(tmp_path: Path, source: FakeTimeSource) -> None:
    """The new entry the note-taker sees at once is the stored one, field for field, however full or bare."""
    from datetime import timedelta, timezone

    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        source.advance(754.25)
        scenario = runs.frozen_scenario(run.id)
        log = LogService(document, "laptop-a", source)
        full = LogDraft(kind=LogKind.DECISION, text="Close the “Minster” gate – cordon at 400 m",
                        rationale="Secondary device reported", options_considered="Hold; evacuate",
                        actions=(ActionItem("Set the cordon", "Police"), ActionItem("Warn traders")),
                        decision_maker="Silver", organisation="Police", logged_by="Loggist",
                        inject_id=scenario.injects[0].id, objective_ids=(scenario.objectives[0].id,),
                        jdm_stage=JdmStage.OPTIONS,
                        logged_at=datetime(2027, 12, 12, 18, 1, 2, 345678,
                                           tzinfo=timezone(timedelta(hours=1))))
        bare = LogDraft(kind=LogKind.INFORMATION, text="Radio check")
        appended = [log.append(run.id, draft, exercise_s=754.25) for draft in (full, bare)]
        for entry in appended:
            assert log.entry(entry.current.entry_id).current == entry.current
    reopened = reopen(document)
    with reopened:
        again = LogService(reopened, "laptop-a", source)
        assert [again.entry(e.current.entry_id).current for e in appended] == [e.current for e in appended]
    assert appended[0].current.logged_at.utcoffset() == timedelta(0)
    assert appended[0].current.scenario_time is not None

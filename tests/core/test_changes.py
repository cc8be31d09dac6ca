"""The one change notification: every committed write is announced with what it touched, nothing else is."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.changes import TABLE_TOPICS, ChangeFeed, Changes, Topic
from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.errors import RunStateError, ValidationFailed
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.storage.orm import Base

from tests.factories import library_document


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def test_every_table_has_a_topic() -> None:
    assert set(Base.metadata.tables) - set(TABLE_TOPICS) == set()


def test_each_service_write_is_announced_once_after_commit(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        runs = RunService(document, source)
        run = runs.create_run("Rehearsal", rehearsal=True)
        assert [(c.topics, c.run_ids, c.remote) for c in heard] == [({Topic.RUNS}, {run.id}, False)]
        assert heard[0].row_ids("run") == {run.id}

        heard.clear()
        runs.start(run.id)
        assert [(c.topics, c.run_ids) for c in heard] == [({Topic.RUNS, Topic.CLOCK}, {run.id})]

        heard.clear()
        inject = runs.frozen_scenario(run.id).injects[0]
        event = runs.release(run.id, inject.id)
        assert [(c.topics, c.run_ids) for c in heard] == [({Topic.INJECT_EVENTS}, {run.id})]
        assert heard[0].row_ids("inject_event") == {event.id}

        heard.clear()
        entry = LogService(document, "laptop-a", source).append(
            run.id, LogDraft(LogKind.DECISION, "Cordon at 400 m"), exercise_s=60)
        assert [(c.topics, c.run_ids) for c in heard] == [({Topic.LOG}, {run.id})]
        assert heard[0].row_ids("log_record") == {entry.current.id}

        heard.clear()
        EvaluationService(document, source).add_observation(run.id, objective_id=None, evaluator="E. Vans",
                                                           rating="S", text="Slow to share the cordon")
        assert [(c.topics, c.run_ids) for c in heard] == [({Topic.EVALUATION}, {run.id})]

        heard.clear()
        scenario = ScenarioService(document)
        first = scenario.load().injects[0]
        scenario.put_inject(replace(first, title="Changed by the designer"))
        assert [c.topics for c in heard] == [frozenset({Topic.SCENARIO})]


def test_reads_and_refused_writes_announce_nothing(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        runs.start(run.id)
        inject = runs.frozen_scenario(run.id).injects[0]
        runs.release(run.id, inject.id)
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        with pytest.raises(RunStateError, match="already released"):
            runs.release(run.id, inject.id)
        runs.list_runs()
        runs.events(run.id)
        LogService(document, "laptop-a", source).entries(run.id)
        ScenarioService(document).load()
        with pytest.raises(ValidationFailed):
            LogService(document, "laptop-a", source).append(run.id, LogDraft(LogKind.DECISION, "   "),
                                                            exercise_s=0)
        with pytest.raises(ValidationFailed):
            runs.discard_run("no-such-run")
        assert heard == []


def test_a_failing_listener_does_not_undo_or_hide_the_write(tmp_path: Path, source: FakeTimeSource,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    with library_document(tmp_path) as document:
        heard: list[Changes] = []

        def broken(_changes: Changes) -> None:
            raise RuntimeError("a page that crashed")

        document.changes.subscribe(broken)
        document.changes.subscribe(heard.append)
        run = RunService(document, source).create_run()
        assert [c.run_ids for c in heard] == [frozenset({run.id})]
        assert [r.id for r in RunService(document, source).list_runs()] == [run.id]
        assert "a listener failed" in caplog.text


def test_unsubscribed_listeners_hear_nothing_more(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        heard: list[Changes] = []
        stop = document.changes.subscribe(heard.append)
        RunService(document, source).create_run()
        stop()
        stop()
        RunService(document, source).create_run()
        assert len(heard) == 1


def test_changes_combine_and_say_what_they_concern() -> None:
    log_a = Changes(frozenset({Topic.LOG}), frozenset({"a"}))
    clock_b = Changes(frozenset({Topic.CLOCK}), frozenset({"b"}))
    scenario = Changes(frozenset({Topic.SCENARIO}))
    combined = log_a | clock_b | scenario
    assert combined.topics == {Topic.LOG, Topic.CLOCK, Topic.SCENARIO}
    one = Changes.of_tables(["log_record"], ["a"], keys={"log_record": ["r1"]})
    two = Changes.of_tables(["log_record"], ["a"], keys={"log_record": ["r2"]})
    unknown = Changes.of_tables(["log_record"], ["a"])
    assert (one | two).row_ids("log_record") == {"r1", "r2"}
    assert (one | unknown).row_ids("log_record") is None
    assert (one | clock_b).row_ids("log_record") == {"r1"}
    assert combined.run_ids == {"a", "b"}
    assert combined.concerns_run("a") and not combined.concerns_run("c")
    assert (log_a | Changes(frozenset({Topic.EVALUATION}))).any_run
    assert Changes.of_tables(["log_record", "a_table_of_a_newer_version"]) == Changes.everything()
    assert not Changes(frozenset())
    feed = ChangeFeed()
    feed.publish(Changes(frozenset()))  # nothing to tell: no listener is called
    assert feed.listener_count == 0


def test_a_weak_listener_goes_with_its_object() -> None:
    feed = ChangeFeed()
    heard: list[Changes] = []

    class Cache:
        def changed(self, changes: Changes) -> None:
            heard.append(changes)

    cache = Cache()
    feed.subscribe(cache.changed, weak=True)
    feed.publish(Changes(frozenset({Topic.LOG})))
    assert len(heard) == 1
    del cache
    feed.publish(Changes(frozenset({Topic.LOG})))
    assert len(heard) == 1
    assert feed.listener_count == 0


def test_a_second_service_on_the_document_follows_the_clock_and_phase_moves(tmp_path: Path,
                                                                           source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        facilitator, other = RunService(document, source), RunService(document, source)
        run = facilitator.create_run()
        seen = other.clock(run.id)
        assert seen.status.value == "ready"
        facilitator.start(run.id)
        source.advance(300)
        facilitator.pause(run.id, "questions")
        assert other.clock(run.id) is seen  # the same clock, caught up in place
        assert seen.status.value == "paused" and seen.elapsed() == pytest.approx(300)
        assert other.phase_jumps(run.id) == {}
        facilitator.resume(run.id)
        phase, _event = facilitator.advance_phase(run.id)
        assert other.phase_jumps(run.id) == facilitator.phase_jumps(run.id)
        assert phase.id in other.phase_jumps(run.id)
        assert other.live_run() is not None and other.live_run().id == run.id  # type: ignore[union-attr]


def test_a_clock_change_that_lost_the_race_is_refused_and_leaves_the_clock_as_stored(tmp_path: Path,
                                                                                    source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document, open_document(document.path) as elsewhere:
        first, second = RunService(document, source), RunService(elsewhere, source)
        run = first.create_run()
        second.clock(run.id)
        first.start(run.id)  # the second station has not heard of it yet: it is on another connection
        with pytest.raises(RunStateError, match="another station"):
            second.start(run.id)
        assert [a.seq for a in second.clock(run.id).anchors] == [1]
        assert second.clock(run.id).status.value == "running"

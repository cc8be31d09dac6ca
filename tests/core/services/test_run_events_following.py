"""A run's events followed change by change: read once, only what is new, never stale.

The conduct page of every station asks for the run's events after each release; these tests pin down that the
service answers from what it knows plus the events after the last one it read, that its own writes are not read
back, and that events heard of out of turn, or changes whose rows are unknown, still give the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event

from ctpn_desktop.core.changes import Changes
from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import InjectEventKind
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, reopen


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


@contextmanager
def event_reads(document: Document) -> Iterator[list[str]]:
    """The statements that read a run's events (whole rows, not the one-row checks a write makes under the
    run's lock) while the block runs."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args: object) -> None:
        text = " ".join(statement.lower().split())
        if text.startswith("select inject_event.id, inject_event.run_id") and " limit " not in text:
            statements.append(statement)

    event.listen(document.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(document.engine, "before_cursor_execute", seen)


def heard(document: Document, run_id: str, *event_ids: str) -> None:
    """What the shared-room listener does when another station's release is announced."""
    document.changes.publish(Changes.of_tables(["inject_event"], [run_id], remote=True,
                                               keys={"inject_event": list(event_ids)}))


def test_events_since_and_by_ids_give_one_runs_events_in_recorded_order(tmp_path: Path,
                                                                        source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run, other = runs.create_run("One"), runs.create_run("Other")
        runs.start(run.id)
        runs.start(other.id)
        injects = runs.frozen_scenario(run.id).injects
        recorded = []
        for inject in injects[:4]:
            source.advance(30)
            recorded.append(runs.release(run.id, inject.id))
        elsewhere = runs.release(other.id, injects[0].id)

        everything = runs.events_since(run.id, 0)
        assert [e.id for e in everything] == [e.id for e in recorded]
        assert [e.seq for e in everything] == sorted(e.seq for e in everything)
        assert everything == recorded  # what a release returns is what is read back, seq included
        assert [e.id for e in runs.events_since(run.id, recorded[1].seq)] == [e.id for e in recorded[2:]]
        assert runs.events_since(run.id, recorded[-1].seq) == []

        asked = [recorded[3].id, recorded[0].id, elsewhere.id, "00000000-0000-0000-0000-000000000000"]
        assert [e.id for e in runs.events_by_ids(run.id, asked)] == [recorded[0].id, recorded[3].id]
        assert runs.events_by_ids(run.id, []) == []
        assert [e.id for e in runs.events_by_ids(other.id, asked)] == [elsewhere.id]


def test_another_service_s_release_is_read_once_and_its_own_not_at_all(tmp_path: Path,
                                                                       source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        facilitator = RunService(document, source, actor="Facilitator")
        controller = RunService(document, source, actor="Controller")
        run = facilitator.create_run()
        facilitator.start(run.id)
        injects = facilitator.frozen_scenario(run.id).injects
        first = facilitator.release(run.id, injects[0].id)
        assert [e.id for e in controller.events(run.id)] == [first.id]

        with event_reads(document) as reads:
            second = facilitator.release(run.id, injects[1].id)
        assert reads == []  # the facilitator's own release is not read back

        with event_reads(document) as reads:
            seen = controller.events(run.id)
            assert controller.phase_jumps(run.id) == {}
            assert controller.events(run.id) == seen
        assert [e.id for e in seen] == [first.id, second.id]
        assert len(reads) == 1, reads  # the one new event, once, for the events and the phase starts alike

        with event_reads(document) as reads:
            own = controller.skip(run.id, injects[2].id, "not needed")
            assert controller.events(run.id)[-1] == own
        assert len(reads) == 0, reads

        phases = sorted(facilitator.frozen_scenario(run.id).phases, key=lambda p: p.start_offset_s)
        started = facilitator.start_phase(run.id, phases[1].id)
        assert controller.phase_jumps(run.id) == {phases[1].id: started.exercise_s}
        assert controller.current_phase(run.id) == phases[1]
        assert [e.kind for e in controller.events(run.id)] == [InjectEventKind.RELEASED, InjectEventKind.RELEASED,
                                                             InjectEventKind.SKIPPED, InjectEventKind.PHASE_STARTED]
        assert controller.events(run.id) == facilitator.events(run.id) == facilitator.events_since(run.id, 0)


def test_events_heard_of_out_of_turn_or_without_keys_still_give_the_whole_run(tmp_path: Path,
                                                                              source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        here = RunService(document, source, actor="Here")
        run = here.create_run()
        here.start(run.id)
        injects = here.frozen_scenario(run.id).injects
        assert here.events(run.id) == []
        station = reopen(document)  # another station: its writes reach this document only as announcements
        try:
            there = RunService(station, source, actor="There")
            source.advance(10)
            early = there.release(run.id, injects[0].id)
            source.advance(10)
            late = there.defer(run.id, injects[1].id, 5)
            mine = here.release(run.id, injects[2].id)

            heard(document, run.id, late.id)  # the later one is heard of first
            assert [e.id for e in here.events(run.id)] == [early.id, late.id, mine.id]
            heard(document, run.id, early.id)
            assert [e.id for e in here.events(run.id)] == [early.id, late.id, mine.id]

            skipped = there.skip(run.id, injects[3].id)
            document.changes.publish(Changes.of_tables(["inject_event"], [run.id], remote=True))  # rows unknown
            assert [e.id for e in here.events(run.id)] == [early.id, late.id, mine.id, skipped.id]

            again = there.retime(run.id, injects[4].id, 3600)
            document.changes.publish(Changes.everything(remote=True))  # as after a reconnection
            assert here.events(run.id) == there.events_since(run.id, 0)
            assert here.events(run.id)[-1].id == again.id
        finally:
            station.close()

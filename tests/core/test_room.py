"""A shared room on PostgreSQL with several stations: publishing, roles, live notification, conflicts, losing
the server and getting it back, and writing the room back to one file."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import FakeTimeSource, SystemTimeSource
from ctpn_desktop.core.entities import Rating
from ctpn_desktop.core.errors import (
    EncryptedDocumentError,
    PermissionRefused,
    RoomError,
    RoomOffline,
    RunStateError,
)
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder
from ctpn_desktop.core.report.debrief_data import assemble_debrief
from ctpn_desktop.core.roles import ROLE_PERMISSIONS, TABLE_PERMISSIONS, Station, StationRole
from ctpn_desktop.core.services import room
from ctpn_desktop.core.services.document import Document, create_document, open_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.scenario import ScenarioService, msel_order, retimed_slots
from ctpn_desktop.storage import cipher, db, rooms
from ctpn_desktop.storage.orm import Base

from tests import backends
from tests.factories import library_document
from tests.rooms import cable_to, decision, join, wait_until

FACILITATOR = Station("station-facilitator", "Lead facilitator", StationRole.FACILITATOR)
NOTE_TAKER = Station("station-notes-1", "Police table", StationRole.NOTE_TAKER)


@pytest.fixture
def address() -> Iterator[room.RoomAddress]:
    yield room.RoomAddress.parse(backends.pg_address())
    backends.drop_test_rooms()


@pytest.fixture
def published(tmp_path: Path, address: room.RoomAddress) -> Iterator[tuple[Document, str]]:
    """A library exercise published to a new room; the facilitator's station is in it."""
    name = backends.new_room_name("room")
    with library_document(tmp_path) as original:
        facilitator = room.publish(original, address, name, FACILITATOR, source=SystemTimeSource(),
                                   journal_folder=tmp_path / "journals-f")
    assert isinstance(facilitator, Document)
    yield facilitator, name
    facilitator.close()


def test_every_table_says_who_may_write_it() -> None:
    assert set(Base.metadata.tables) - set(TABLE_PERMISSIONS) == set()
    assert ROLE_PERMISSIONS[StationRole.OBSERVER] == frozenset()


def test_the_same_migrations_make_a_room_that_matches_the_models(published: tuple[Document, str]) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    document, _name = published
    with document.engine.connect() as connection:
        assert rooms.room_revision(connection) == db.head_revision()
        context = MigrationContext.configure(connection)
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if not (d[0] == "remove_table" and d[1].name == "log_record_terms")
                       and not (d[0] == "remove_index" and d[1].table.name == "log_record_terms")]
    assert differences == []


def test_a_published_room_holds_the_exercise_and_lists_its_stations(published: tuple[Document, str],
                                                                    address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    with join(address, name, NOTE_TAKER, tmp_path / "j") as notes:
        assert ScenarioService(notes).load() == ScenarioService(facilitator).load()
        listed = {r.name: r for r in room.list_rooms(address)}[name]
        assert listed.usable and listed.title == "Exercise WINTER LANTERN" and listed.marking == "OFFICIAL-SENSITIVE"
        assert ("Police table", StationRole.NOTE_TAKER) in listed.stations
        assert ("Lead facilitator", StationRole.FACILITATOR) in listed.stations
        assert notes.location == f"shared room “{name}” on {address}"


def test_each_role_is_refused_what_it_may_not_do(published: tuple[Document, str], address: room.RoomAddress,
                                                 tmp_path: Path) -> None:
    facilitator, name = published
    source = FakeTimeSource()
    runs = RunService(facilitator, source)
    run = runs.create_run("Day one")
    runs.start(run.id)
    inject = runs.frozen_scenario(run.id).injects[0]
    with join(address, name, NOTE_TAKER, tmp_path / "n") as notes:
        notes_runs = RunService(notes, source)
        with pytest.raises(PermissionRefused, match="note-taker and cannot run the exercise clock"):
            notes_runs.pause(run.id)
        with pytest.raises(PermissionRefused, match="cannot release, skip, defer or re-time injects; a "
                                                    "facilitator or controller station can"):
            notes_runs.release(run.id, inject.id)
        with pytest.raises(PermissionRefused, match="edit the scenario"):
            ScenarioService(notes).put_exercise(ScenarioService(notes).load().exercise)
        with pytest.raises(PermissionRefused, match="record observations"):
            EvaluationService(notes, source).add_observation(run.id, objective_id=None, evaluator="N",
                                                            rating=Rating.S, text="Should not be possible")
        assert LogService(notes, NOTE_TAKER.id, source).append(run.id, decision("Allowed"), exercise_s=1)
        notes_runs.halt(run.id, "Stop phrase heard at the police table")  # anyone but an observer may halt
    with join(address, name, Station("watcher", "Gallery", StationRole.OBSERVER), tmp_path / "o") as observer:
        with pytest.raises(PermissionRefused, match="observer and cannot write in the decision log"):
            LogService(observer, "watcher", source).append(run.id, decision("Not allowed"), exercise_s=2)
        assert len(LogService(observer, "watcher", source).entries(run.id)) == 1  # but sees everything
    controller = Station("ctrl", "Control desk", StationRole.CONTROLLER)
    with join(address, name, controller, tmp_path / "c") as control, \
            pytest.raises(PermissionRefused, match="controller and cannot run the exercise clock"):
        RunService(control, source).resume(run.id, "all clear")  # a halt is lifted by the facilitator


def test_what_one_station_commits_reaches_the_others_at_once(published: tuple[Document, str],
                                                            address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    with join(address, name, NOTE_TAKER, tmp_path / "n") as notes:
        heard: list[Changes] = []
        notes.changes.subscribe(heard.append)
        source = FakeTimeSource()
        runs = RunService(facilitator, source)
        run = runs.create_run("Day one")
        runs.start(run.id)
        watched = RunService(notes, source)
        wait_until(lambda: any(c.touches(Topic.CLOCK) for c in heard))
        assert watched.clock(run.id).status.value == "running"
        heard.clear()
        runs.pause(run.id, "coffee")
        wait_until(lambda: any(c.touches(Topic.CLOCK) and c.remote for c in heard))
        assert watched.clock(run.id).status.value == "paused"  # its cached clock caught up
        entry = LogService(facilitator, FACILITATOR.id, source).append(run.id, decision("From the lead"), exercise_s=4)
        wait_until(lambda: any(c.row_ids("log_record") == {entry.current.id} for c in heard))
        assert all(c.remote for c in heard)
        assert [e.entry_id for e in LogService(notes, NOTE_TAKER.id, source).entries(run.id)] == [entry.entry_id]


def test_a_retime_is_the_facilitators_and_reaches_every_station(published: tuple[Document, str],
                                                                 address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    lead = ScenarioService(facilitator)
    block = msel_order(lead.load().injects)[2:6]
    with join(address, name, NOTE_TAKER, tmp_path / "n") as notes:
        heard: list[Changes] = []
        notes.changes.subscribe(heard.append)
        with pytest.raises(PermissionRefused, match="edit the scenario"):
            ScenarioService(notes).put_slots(retimed_slots(block, [i.id for i in block], 600))
        assert ScenarioService(notes).load() == lead.load()  # nothing was written
        lead.put_slots(retimed_slots(block, [i.id for i in block], 600))
        wait_until(lambda: any(c.remote and c.touches(Topic.SCENARIO) and "inject" in c.tables for c in heard))
        seen = {i.id: i.planned_offset_s for i in ScenarioService(notes).load().injects}
        assert all(seen[i.id] == i.planned_offset_s + 600 for i in block)


def test_stations_logging_at_the_same_moment_never_share_an_entry_number(
        published: tuple[Document, str], address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    run = RunService(facilitator, FakeTimeSource()).create_run("Day one")
    stations = [join(address, name, Station(f"notes-{i}", f"Table {i}", StationRole.NOTE_TAKER), tmp_path / str(i))
                for i in range(3)]
    try:
        def write(document: Document) -> None:
            log = LogService(document, document.station.id, SystemTimeSource())
            for index in range(10):
                log.append(run.id, decision(f"{document.station.name} {index}"), exercise_s=index)

        threads = [threading.Thread(target=write, args=(s,)) for s in stations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log = LogService(facilitator, "x", SystemTimeSource())
        numbers = sorted(e.current.entry_number for e in log.entries(run.id))
        assert numbers == list(range(1, 31))
        assert log.verify(run.id).ok and log.verify(run.id).chains == 3
    finally:
        for station in stations:
            station.close()


def test_first_release_wins(published: tuple[Document, str], address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    source = FakeTimeSource()
    runs = RunService(facilitator, source, actor="Lead facilitator")
    run = runs.create_run("Day one")
    runs.start(run.id)
    inject = runs.frozen_scenario(run.id).injects[0]
    with join(address, name, Station("ctrl", "Control desk", StationRole.CONTROLLER), tmp_path / "c") as control:
        runs.release(run.id, inject.id)
        with pytest.raises(RunStateError, match="already released by Lead facilitator"):
            RunService(control, source).release(run.id, inject.id)
    assert [e.kind.value for e in runs.events(run.id) if e.inject_id == inject.id] == ["released"]


def test_a_station_that_loses_the_server_keeps_every_entry_and_sends_each_once(
        published: tuple[Document, str], address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    runs = RunService(facilitator, source)
    run = runs.create_run("Day one")
    runs.start(run.id)
    cable, through_cable = cable_to(address)
    try:
        notes = join(through_cable, name, NOTE_TAKER, tmp_path / "notes")
        assert notes.room is not None
        statuses: list[room.RoomStatus] = []
        notes.room.on_status(statuses.append)
        log = LogService(notes, NOTE_TAKER.id, source)
        first = log.append(run.id, decision("Before the cut"), exercise_s=10)
        assert not first.current.pending and first.current.entry_number == 1

        cable.cut()
        kept = [log.append(run.id, decision(f"During the cut {i}"), exercise_s=20 + i) for i in range(3)]
        assert all(e.current.pending and e.current.entry_number == 0 for e in kept)
        assert not notes.room.online and notes.room.status.waiting == 3
        assert any(not s.online for s in statuses)
        on_disk = notes.room.journal.waiting()  # type: ignore[union-attr]
        assert [i.payload["draft"]["text"] for i in on_disk] == [f"During the cut {i}" for i in range(3)]
        # Meanwhile the facilitator logs on, online:
        LogService(facilitator, FACILITATOR.id, source).append(run.id, decision("Lead, while notes are away"),
                                                               exercise_s=25)

        cable.restore()
        wait_until(lambda: notes.room is not None and notes.room.online and notes.room.status.waiting == 0, 15)
        everything = LogService(facilitator, "reader", source).entries(run.id)
        texts = [e.current.text for e in everything]
        assert sorted(texts) == sorted(["Before the cut", "Lead, while notes are away",
                                        *(f"During the cut {i}" for i in range(3))])
        numbers = sorted(e.current.entry_number for e in everything)
        assert numbers == [1, 2, 3, 4, 5]
        sent = {e.entry_id: e.current for e in everything}
        for item in kept:  # the time it was typed, not the time it arrived
            assert sent[item.entry_id].logged_at == item.current.logged_at
        assert LogService(facilitator, "reader", source).verify(run.id).ok

        # Sending again (an answer lost after the room committed) adds nothing.
        for item in notes.room.journal.items():  # type: ignore[union-attr]
            assert item.outcome.startswith("sent")
        from ctpn_desktop.core.services.journal import flush

        journal = notes.room.journal
        assert journal is not None
        with journal._connect() as connection:
            connection.execute("UPDATE journal_item SET sent_at = NULL")
        report = flush(notes, journal)
        assert report.sent == 3 and not report.refused
        assert len(LogService(facilitator, "reader", source).entries(run.id)) == 5
        notes.close()
    finally:
        cable.close()


def test_the_clock_is_not_changed_where_other_stations_would_not_follow(
        published: tuple[Document, str], address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    source = FakeTimeSource()
    run = RunService(facilitator, source).create_run("Day one")
    cable, through_cable = cable_to(address)
    try:
        second = join(through_cable, name,
                       Station("deputy", "Deputy facilitator", StationRole.FACILITATOR), tmp_path / "d")
        runs = RunService(second, source)
        runs.start(run.id)
        cable.cut()
        with pytest.raises(RoomOffline, match="the clock was not changed"):
            runs.pause(run.id, "coffee")
        assert runs.clock(run.id).status.value == "running"  # as the room has it
        assert RunService(facilitator, source).clock(run.id).status.value == "running"
        second.close()
    finally:
        cable.close()


def test_an_offline_release_loses_to_one_made_first_and_says_so(published: tuple[Document, str],
                                                                address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    source = FakeTimeSource()
    runs = RunService(facilitator, source, actor="Lead facilitator")
    run = runs.create_run("Day one")
    runs.start(run.id)
    first, second = runs.frozen_scenario(run.id).injects[:2]
    cable, through_cable = cable_to(address)
    try:
        control = join(through_cable, name,
                        Station("ctrl", "Control desk", StationRole.CONTROLLER), tmp_path / "c")
        assert control.room is not None
        control_runs = RunService(control, source, actor="Controller")
        control_runs.frozen_scenario(run.id), control_runs.clock(run.id)  # as the open conduct page has them
        cable.cut()
        kept_first = control_runs.release(run.id, first.id)
        kept_second = control_runs.release(run.id, second.id)
        assert kept_first.pending and kept_second.pending
        runs.release(run.id, first.id)  # the facilitator releases the first one before the controller is back
        cable.restore()
        wait_until(lambda: control.room is not None and control.room.online and control.room.status.waiting == 0, 15)
        refused = control.room.status.refused
        assert [item.id for item in refused] == [kept_first.id]
        assert "already released by Lead facilitator" in refused[0].outcome
        released = [e for e in runs.events(run.id) if e.kind.value == "released"]
        assert [(e.inject_id, e.actor) for e in released] == [(first.id, "Lead facilitator"),
                                                              (second.id, "Controller")]
        control.close()
    finally:
        cable.close()


def test_the_room_written_back_verifies_debriefs_and_merges(published: tuple[Document, str], tmp_path: Path) -> None:
    facilitator, _name = published
    source = FakeTimeSource()
    runs = RunService(facilitator, source)
    run = runs.create_run("Day one")
    runs.start(run.id)
    runs.release(run.id, runs.frozen_scenario(run.id).injects[0].id)
    LogService(facilitator, FACILITATOR.id, source).append(run.id, decision("Cordon at 400 m"), exercise_s=30)
    EvaluationService(facilitator, source).add_observation(run.id, objective_id=None, evaluator="E", rating="P",
                                                          text="Good cordon")
    runs.end(run.id)
    target = tmp_path / "back" / "after the exercise.ctpn"
    target.parent.mkdir()
    assert facilitator.save_copy(target) == target
    with pytest.raises(Exception, match="already exists"):
        facilitator.save_copy(target)
    with open_document(target) as back:
        assert LogService(back, "x", source).verify().ok
        assert back.summary().log_entries == 1 and back.summary().runs == 1
        assert back.info(room.WRITTEN_BACK_FROM_KEY) is not None
        debrief = assemble_debrief(back, run.id)
        assert debrief is not None
    # A note-taker's laptop that worked on a file copy of the written-back room merges into it like any copy.
    laptop = tmp_path / "laptop.ctpn"
    with open_document(target) as back:
        back.save_copy(laptop)
    with open_document(laptop) as copy:
        LogService(copy, "laptop-b", source).append(run.id, decision("Kept on the laptop"), exercise_s=40)
    with open_document(target) as back:
        report = merge_from(back, laptop)
        assert report.entries_added == 1
        assert LogService(back, "x", source).verify().ok


@pytest.mark.skipif(not cipher.available(), reason="SQLCipher is not installed")
def test_a_room_published_from_an_encrypted_file_is_written_back_encrypted(address: room.RoomAddress,
                                                                           tmp_path: Path) -> None:
    scenario, blobs = read_scenario_file(library_folder() / "christmas-market-mta.json")
    with create_document(tmp_path / "secret.ctpn", scenario, blobs, passphrase="gold command only") as original:
        shared = room.publish(original, address, backends.new_room_name("sealed"), FACILITATOR,
                              source=SystemTimeSource())
    assert isinstance(shared, Document)
    with shared:
        assert room.published_encrypted(shared)
        LogService(shared, FACILITATOR.id, SystemTimeSource()).append(
            RunService(shared, SystemTimeSource()).create_run("Day one").id, decision("Cordon at 400 m"),
            exercise_s=30)
        target = shared.save_copy(tmp_path / "after.ctpn", cipher.new_key("a new passphrase for the file"))
        plain = shared.save_copy(tmp_path / "plain.ctpn")
    assert db.is_encrypted(target) and not db.is_encrypted(plain)
    assert not list(tmp_path.glob(".after.ctpn.creating*"))
    with pytest.raises(EncryptedDocumentError):
        open_document(target)
    with open_document(target, passphrase="a new passphrase for the file") as back:
        assert back.summary().log_entries == 1 and LogService(back, "x", SystemTimeSource()).verify().ok
        assert back.info(room.WRITTEN_BACK_FROM_KEY) is not None
    with open_document(plain) as again:  # published again from a plain file, a room no longer asks for a key
        republished = room.publish(again, address, backends.new_room_name("open"), FACILITATOR,
                                   source=SystemTimeSource())
    assert isinstance(republished, Document)
    with republished:
        assert not room.published_encrypted(republished)


def test_bad_addresses_and_rooms_get_clear_errors(address: room.RoomAddress, tmp_path: Path) -> None:
    with pytest.raises(RoomError, match="host:port/database"):
        room.RoomAddress.parse("   ")
    with pytest.raises(RoomError, match="PostgreSQL"):
        room.RoomAddress.parse("mysql://h/db")
    with pytest.raises(RoomError, match="which database"):
        room.RoomAddress.parse("127.0.0.1:5432")
    unreachable = room.RoomAddress.parse("ctpn@127.0.0.1:1/ctpn")
    with pytest.raises(RoomError, match="cannot be reached"):
        room.list_rooms(unreachable)
    no_database = room.RoomAddress(address.url.set(database="no_such_database"))
    with pytest.raises(RoomError, match="no database of that name"):
        room.list_rooms(no_database)
    with pytest.raises(RoomError, match="no room of that name"):
        room.join(address, "never published", NOTE_TAKER, source=SystemTimeSource())
    with pytest.raises(RoomError, match="at least one letter"):
        rooms.room_schema("!!!")
    secret = room.RoomAddress.parse("ctpn@127.0.0.1:5432/ctpn", password="s3cret")
    assert "s3cret" not in str(secret) and "s3cret" not in secret.text  # never shown nor remembered


def test_a_room_name_is_never_published_twice_and_a_newer_room_is_refused(
        published: tuple[Document, str], address: room.RoomAddress, tmp_path: Path) -> None:
    facilitator, name = published
    (tmp_path / "again").mkdir()
    with library_document(tmp_path / "again") as other, pytest.raises(RoomError, match="already on the server"):
        room.publish(other, address, name, FACILITATOR, source=SystemTimeSource())
    with facilitator.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(RoomError, match="newer version"):
        room.join(address, name, NOTE_TAKER, source=SystemTimeSource())
    listed = {r.name: r for r in room.list_rooms(address)}[name]
    assert not listed.usable and "newer version" in listed.problem

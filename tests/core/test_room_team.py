"""A whole team in one room: the facilitator releasing injects, two note-takers logging 500 entries each at the
same time from processes of their own, an evaluator rating the objectives as it goes — and one note-taker's
cable pulled out half-way and plugged back in.

Each note-taker is a separate Python process with its own `Document` joined to the room and its own journal
folder, as two laptops are; the one whose network fails reaches the server through a `NetworkCut` run by the
test. Every station then reads the log through its own services, and the log must be whole: 1,000 entries,
numbered 1 to 1,000 without a gap or a repeat, every hash chain intact, what was kept offline sent once.
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from collections.abc import Iterator
from multiprocessing.synchronize import Event
from pathlib import Path
from queue import Empty
from typing import Any

import pytest

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.entities import Evidence, EvidenceKind, InjectEventKind, Rating
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services import room
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.journal import flush
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService

from tests import backends
from tests.factories import library_document
from tests.rooms import cable_to, decision, join, wait_until

ENTRIES = 500
"""Entries each note-taker logs."""
CUT_AFTER = 200
"""The cut note-taker's entries before its cable is pulled out …"""
OFFLINE = 150
"""… and while it is out."""
RELEASES = 12
TIMEOUT_S = 60.0

FACILITATOR = Station("station-facilitator", "Lead facilitator", StationRole.FACILITATOR)
EVALUATOR = Station("station-evaluator", "Evaluation desk", StationRole.EVALUATOR)
POLICE = Station("notes-police", "Police table", StationRole.NOTE_TAKER)
HEALTH = Station("notes-health", "Health table", StationRole.NOTE_TAKER)


@pytest.fixture
def address() -> Iterator[room.RoomAddress]:
    yield room.RoomAddress.parse(backends.pg_address())
    backends.drop_test_rooms()


# The note-takers' laptops: each a process of its own -----------------------------------------------------

class Laptop:
    """The parent's handle on one note-taker process: what it says, and the signals the test gives it."""

    def __init__(self, context: Any, address: room.RoomAddress, name: str, station: Station, folder: Path,
                 run_id: str, *, cut: bool) -> None:
        self.station = station
        self.said: Any = context.Queue()
        self.cable_out: Event = context.Event()
        self.cable_back: Event = context.Event()
        self.read_now: Event = context.Event()
        url = address.url.render_as_string(hide_password=False)
        self.process = context.Process(
            target=note_taker, name=station.name, daemon=True,
            args=(url, name, (station.id, station.name), str(folder), run_id, cut, self.said, self.cable_out,
                  self.cable_back, self.read_now))

    def expect(self, what: str) -> Any:
        try:
            said, value = self.said.get(timeout=TIMEOUT_S)
        except Empty:
            raise AssertionError(f"{self.station.name} said nothing for {TIMEOUT_S:g} s "
                                 f"(waiting for “{what}”)") from None
        if said == "failed":
            raise AssertionError(f"{self.station.name} failed:\n{value}")
        assert said == what, (said, value)
        return value


def note_taker(url: str, name: str, who: tuple[str, str], folder: str, run_id: str, cut: bool, say: Any,
               cable_out: Event, cable_back: Event, read_now: Event) -> None:
    """One note-taker's laptop: joins the room, logs ``ENTRIES`` entries as fast as it can and, when asked,
    reports what its own services see. With ``cut`` it waits for its cable to be pulled out after
    ``CUT_AFTER`` entries, logs ``OFFLINE`` entries into its journal, and goes on once the cable is back."""
    from sqlalchemy.engine import make_url

    try:
        station = Station(who[0], who[1], StationRole.NOTE_TAKER)
        document = join(room.RoomAddress(make_url(url)), name, station, Path(folder))
        link = document.room
        assert link is not None and link.journal is not None
        heard: list[Changes] = []
        document.changes.subscribe(heard.append)
        log = LogService(document, station.id, SystemTimeSource())
        logged: list[str] = []
        kept: list[str] = []

        def write(count: int) -> list[str]:
            written = []
            for _ in range(count):
                entry = log.append(run_id, decision(f"{station.name} {len(logged) + 1}"),
                                   exercise_s=float(len(logged)))
                logged.append(entry.entry_id)
                written.append(entry.entry_id)
                if entry.current.pending:
                    kept.append(entry.entry_id)
            return written

        if cut:
            write(CUT_AFTER)
            say.put(("ready for the cut", len(kept)))
            cable_out.wait(TIMEOUT_S)
            offline = write(OFFLINE)
            waiting = [item.id for item in link.journal.waiting()]
            say.put(("kept offline", {"offline": offline, "waiting": waiting, "online": link.online,
                                      "status_waiting": link.status.waiting}))
            cable_back.wait(TIMEOUT_S)
            write(ENTRIES - CUT_AFTER - OFFLINE)  # typing on while the station reconnects
            wait_until(lambda: link.online and link.status.waiting == 0, 30, "the journal was not sent")
        else:
            write(ENTRIES)
        journal = link.journal.items()
        say.put(("logged", {"logged": logged, "kept": kept,
                            "journal": [(item.id, item.outcome, item.sent_at is not None) for item in journal]}))

        read_now.wait(TIMEOUT_S)
        if cut:  # the answers to the first sending lost: sending the whole journal again adds nothing
            with link.journal._connect() as connection:
                connection.execute("UPDATE journal_item SET sent_at = NULL")
            resent = flush(document, link.journal)
        entries = log.entries(run_id)
        released = [e.inject_id for e in RunService(document, SystemTimeSource()).events(run_id)
                    if e.kind is InjectEventKind.RELEASED]
        ratings = [o.rating for o in EvaluationService(document, SystemTimeSource()).observations(run_id)]
        say.put(("sees", {
            "entries": [(e.entry_id, e.current.entry_number, e.current.device_id) for e in entries],
            "verified": log.verify(run_id).ok, "chains": log.verify(run_id).chains,
            "released": released, "ratings": [r.value if r else None for r in ratings],
            "heard_others": any(c.remote and c.touches(Topic.LOG) for c in heard),
            "resent": (resent.sent, len(resent.refused), resent.waiting) if cut else None}))
        document.close()
    except BaseException:
        say.put(("failed", traceback.format_exc()))


# The test ---------------------------------------------------------------------------------------------------

def test_a_team_logs_a_thousand_entries_while_one_note_taker_loses_the_server(
        tmp_path: Path, address: room.RoomAddress) -> None:
    name = backends.new_room_name("team")
    with library_document(tmp_path) as original:
        published = room.publish(original, address, name, FACILITATOR, source=SystemTimeSource(),
                                 journal_folder=tmp_path / "journal-facilitator")
    assert isinstance(published, Document)
    facilitator: Document = published
    runs = RunService(facilitator, SystemTimeSource(), actor="Lead facilitator")
    run = runs.create_run("Day one")
    runs.start(run.id)
    injects = runs.frozen_scenario(run.id).injects[:RELEASES]
    objectives = runs.frozen_scenario(run.id).objectives

    cable, through_cable = cable_to(address)
    context = multiprocessing.get_context("spawn")
    police = Laptop(context, address, name, POLICE, tmp_path / "journal-police", run.id, cut=False)
    health = Laptop(context, through_cable, name, HEALTH, tmp_path / "journal-health", run.id, cut=True)
    laptops = (police, health)
    evaluator = join(address, name, EVALUATOR, tmp_path / "journal-evaluator")
    rated: list[str] = []
    evaluation_failed: list[str] = []
    try:
        for laptop in laptops:
            laptop.process.start()

        def evaluate() -> None:
            """Rates each objective once some entries are in, citing the latest entry it can see."""
            try:
                service = EvaluationService(evaluator, SystemTimeSource(), device_id=EVALUATOR.id)
                seen = LogService(evaluator, EVALUATOR.id, SystemTimeSource())
                for index, objective in enumerate(objectives):
                    wait_until(lambda wanted=100 * (index + 1): seen.entry_counts().get(run.id, 0) >= wanted, TIMEOUT_S,
                               "the evaluator saw too few entries")
                    latest = seen.summaries(run.id)[-1]
                    observation = service.add_observation(
                        run.id, objective_id=objective.id, evaluator="Evaluation desk",
                        rating=list(Rating)[index % len(Rating)], text=f"Observed against {objective.code}",
                        evidence=[Evidence(EvidenceKind.LOG_ENTRY, latest.entry_id)])
                    rated.append(observation.id)
            except BaseException:
                evaluation_failed.append(traceback.format_exc())

        rating = threading.Thread(target=evaluate, name="evaluator")
        rating.start()

        # The health table reaches the server through the relay, whose cable is pulled out after 200 entries.
        assert health.expect("ready for the cut") == 0
        cable.cut()
        health.cable_out.set()
        for inject in injects[:RELEASES // 2]:  # the facilitator goes on while the health table is away
            runs.release(run.id, inject.id)
        while_away = health.expect("kept offline")
        assert while_away["online"] is False
        assert while_away["waiting"] == while_away["offline"] and len(while_away["offline"]) == OFFLINE
        assert while_away["status_waiting"] == OFFLINE
        cable.restore()
        health.cable_back.set()
        for inject in injects[RELEASES // 2:]:
            runs.release(run.id, inject.id)

        logged = {laptop.station.id: laptop.expect("logged") for laptop in laptops}
        rating.join(TIMEOUT_S)
        assert not evaluation_failed, evaluation_failed[0]
        assert len(rated) == len(objectives)

        # Kept offline, each sent once: the journal says so, and the room holds each exactly once.
        report = logged[HEALTH.id]
        assert set(while_away["offline"]) <= set(report["kept"])
        journal = {item_id: outcome for item_id, outcome, sent in report["journal"] if sent}
        assert set(journal) == set(report["kept"]) and len(report["journal"]) == len(report["kept"])
        assert all(outcome.startswith("sent: entry ") for outcome in journal.values())
        assert len(set(journal.values())) == len(journal)  # each got a number of its own
        assert not logged[POLICE.id]["kept"]

        entries = LogService(facilitator, "reader", SystemTimeSource()).entries(run.id)
        ids = [e.entry_id for e in entries]
        assert len(ids) == 2 * ENTRIES and len(set(ids)) == 2 * ENTRIES
        assert sorted(e.current.entry_number for e in entries) == list(range(1, 2 * ENTRIES + 1))
        assert set(ids) == set(logged[POLICE.id]["logged"]) | set(logged[HEALTH.id]["logged"])
        by_device = {e.entry_id: e.current.device_id for e in entries}
        assert all(by_device[i] == HEALTH.id for i in report["kept"])
        numbers = {e.entry_id: e.current.entry_number for e in entries}
        assert {item_id: f"sent: entry {numbers[item_id]}" for item_id in journal} == journal
        integrity = LogService(facilitator, "reader", SystemTimeSource()).verify(run.id)
        assert integrity.ok and integrity.chains == 2

        # Every station sees the same: the whole log, every release, every rating — through its own services.
        expected = sorted((e.entry_id, e.current.entry_number, e.current.device_id) for e in entries)
        released = sorted(inject.id for inject in injects)
        ratings = sorted(list(Rating)[index % len(Rating)].value for index in range(len(objectives)))
        for laptop in laptops:
            laptop.read_now.set()
        seen = {laptop.station.id: laptop.expect("sees") for laptop in laptops}
        for laptop in laptops:
            sees = seen[laptop.station.id]
            assert sorted(tuple(e) for e in sees["entries"]) == expected, laptop.station.name
            assert sees["verified"] and sees["chains"] == 2
            assert sorted(sees["released"]) == released
            assert sorted(sees["ratings"]) == ratings
            assert sees["heard_others"], f"{laptop.station.name} heard nothing from the other stations"
        assert seen[HEALTH.id]["resent"] == (len(report["kept"]), 0, 0)  # found in the room, not written again
        evaluated = LogService(evaluator, EVALUATOR.id, SystemTimeSource()).entries(run.id)
        assert sorted((e.entry_id, e.current.entry_number, e.current.device_id) for e in evaluated) == expected
        assert len(LogService(facilitator, "reader", SystemTimeSource()).entries(run.id)) == 2 * ENTRIES
        for laptop in laptops:
            laptop.process.join(TIMEOUT_S)
            assert laptop.process.exitcode == 0, f"{laptop.station.name} exited with {laptop.process.exitcode}"
    finally:
        for laptop in laptops:
            if laptop.process.is_alive():
                laptop.process.kill()
                laptop.process.join(5)
        evaluator.close()
        facilitator.close()
        cable.close()

"""Shared-room figures on a PostgreSQL server: a log entry committed in a room, and a release on one station
reaching another station's screen.

They need a server: ``CTPN_BENCH_PG_URL`` (or the tests' ``CTPN_TEST_PG_URL``), e.g.
``postgresql+psycopg://ctpn@127.0.0.1:54329/ctpn_test`` from ``.ci/postgres start /tmp/ctpn-pg 54329``. Each
figure publishes a room of its own and removes it afterwards; the bare baselines work in a scratch schema that
is dropped too.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.generate import WORK, generate_exercise
from bench.harness import BenchmarkUnavailable, Figure, fmt, median, paint_now, percentile, qt_app, runs

URL_ENVS = ("CTPN_BENCH_PG_URL", "CTPN_TEST_PG_URL")
COMMITS = 300
RELEASES = 100
WARM_UP = 10
INJECTS = 240
WORDS = ("cordon", "casualty", "clearing", "station", "police", "fire", "ambulance", "rendezvous", "point",
         "command", "post", "evacuate", "shelter", "media", "statement", "hospital", "capacity", "triage", "gold")


def server_url() -> str:
    """The server the room figures run on, or the reason they cannot run."""
    for name in URL_ENVS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    raise BenchmarkUnavailable(
        "no PostgreSQL server: set CTPN_BENCH_PG_URL (or CTPN_TEST_PG_URL), e.g. "
        "postgresql+psycopg://ctpn@127.0.0.1:54329/ctpn_test from `.ci/postgres start /tmp/ctpn-pg 54329`")


def _conninfo() -> str:
    """The same server for bare psycopg (no SQLAlchemy driver name)."""
    from ctpn_desktop.core.services.room import RoomAddress

    url = RoomAddress.parse(server_url()).url
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


@contextmanager
def published_room(source_path: Path) -> Iterator[tuple[Any, Any, str]]:
    """A copy of ``source_path`` published as a new room, the facilitator joined; removed afterwards."""
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.errors import CtpnError
    from ctpn_desktop.core.roles import Station, StationRole
    from ctpn_desktop.core.services import room
    from ctpn_desktop.core.services.document import open_document

    address = room.RoomAddress.parse(server_url())
    name = f"bench {uuid.uuid4().hex[:10]}"
    facilitator = Station("bench-facilitator", "Bench facilitator", StationRole.FACILITATOR)
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ctpn-room-", dir=WORK) as folder:
        try:
            with open_document(source_path) as original:
                document = room.publish(original, address, name, facilitator, source=SystemTimeSource(),
                                        journal_folder=Path(folder) / "journal")
        except CtpnError as error:
            raise BenchmarkUnavailable(f"the room could not be published: {error}") from error
        try:
            yield document, address, name
        finally:
            document.close()
            room.drop_room(address, name)


@contextmanager
def scratch_schema() -> Iterator[Any]:
    """A bare psycopg connection working in a schema of its own, dropped afterwards."""
    import psycopg

    schema = f"ctpn_bench_bare_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_conninfo(), connect_timeout=5) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
        connection.execute(f'SET search_path TO "{schema}"')
        connection.commit()
        try:
            yield connection
        finally:
            connection.rollback()
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
            connection.commit()


def _library_document() -> Path:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file
    from ctpn_desktop.core.library import library_folder
    from ctpn_desktop.core.services.document import create_document

    target = WORK / "room" / "library.ctpn"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        scenario, blobs = read_scenario_file(library_folder() / "christmas-market-mta.json")
        create_document(target, scenario, blobs).close()
    return target


# --------------------------------------------------------------------------------------------- commit


def _bare_insert_latencies(count: int) -> list[float]:
    """One row like a log entry inserted and committed per transaction with plain psycopg, same server."""
    rng = random.Random(3)
    latencies = []
    with scratch_schema() as connection:
        connection.execute("CREATE TABLE entry (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, number INTEGER NOT NULL,"
                           " text TEXT NOT NULL, hash TEXT NOT NULL)")
        connection.commit()
        for number in range(count + WARM_UP):
            row = (str(uuid.uuid4()), "run", number, _sentence(rng, 6, 30), "0" * 64)
            began = time.perf_counter()
            connection.execute("INSERT INTO entry VALUES (%s, %s, %s, %s, %s)", row)
            connection.commit()
            if number >= WARM_UP:
                latencies.append(time.perf_counter() - began)
    return latencies


def room_log_commit_p99() -> Figure:
    """p99 of `LogService.append` in a shared room: numbered under the run's lock, chained, indexed for
    search, notified to the other stations, committed on the server."""
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.entities import ActionItem, LogKind
    from ctpn_desktop.core.services.log import LogDraft, LogService
    from ctpn_desktop.core.services.runs import RunService

    count = max(runs(5) * 60, COMMITS)
    rng = random.Random(7)
    with published_room(_library_document()) as (document, _address, _name):
        run = RunService(document, SystemTimeSource()).create_run("Benchmark run")
        log = LogService(document, "bench-facilitator", SystemTimeSource())
        latencies = []
        for index in range(count + WARM_UP):
            draft = LogDraft(kind=LogKind.DECISION, text=_sentence(rng, 6, 30), rationale=_sentence(rng, 0, 20),
                             actions=(ActionItem("Inform partners", "Police"),), organisation="Police",
                             decision_maker="Silver", logged_by="Loggist")
            began = time.perf_counter()
            entry = log.append(run.id, draft, exercise_s=float(index))
            elapsed = time.perf_counter() - began
            if entry.current.pending:
                raise BenchmarkUnavailable("the server stopped answering during the run (an entry was kept "
                                           "in the journal)")
            if index >= WARM_UP:
                latencies.append(elapsed)
    bare = _bare_insert_latencies(count)
    return Figure("room_log_commit_p99", percentile(latencies, 99) * 1000, "ms", percentile(bare, 99) * 1000,
                  "bare psycopg INSERT + COMMIT of a similar row, same server, p99")


# --------------------------------------------------------------------------------------------- release


def _bare_notify_round_trips(count: int) -> list[float]:
    """One connection NOTIFYs, another LISTENing receives it: the floor of any station hearing another."""
    import psycopg

    channel = f"ctpn_bench_{uuid.uuid4().hex[:10]}"
    latencies = []
    with psycopg.connect(_conninfo(), autocommit=True) as listener, \
            psycopg.connect(_conninfo(), autocommit=True) as sender:
        listener.execute(f'LISTEN "{channel}"')
        for index in range(count + WARM_UP):
            payload = f'{{"o":"bench","t":["inject_event"],"r":["run"],"k":{{"inject_event":["{index}"]}}}}'
            began = time.perf_counter()
            sender.execute("SELECT pg_notify(%s, %s)", (channel, payload))
            heard = next(iter(listener.notifies(timeout=5, stop_after=1)), None)
            elapsed = time.perf_counter() - began
            if heard is None or heard.payload != payload:
                raise BenchmarkUnavailable("the bare LISTEN connection did not hear the notification in 5 s")
            if index >= WARM_UP:
                latencies.append(elapsed)
    return latencies


def _until(condition: Callable[[], bool], app: Any, timeout: float = 5.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise BenchmarkUnavailable(f"the other station did not show the release within {timeout:g} s")
        app.processEvents()


def room_release_to_screen_p99() -> Figure:
    """p99 of the time from `RunService.release` on the facilitator's station to the conduct page of another
    station (a controller's, in an offscreen window) showing that inject released in its queue, painted.

    The release is committed, PostgreSQL notifies the other station's listener, its `LiveDocument` hands the
    change to the window's thread, the page reads the run's events through its services and the queue is
    repainted. The stages are written on stderr."""
    from ctpn_desktop.core.changes import Changes
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.roles import Station, StationRole
    from ctpn_desktop.core.services import room
    from ctpn_desktop.core.services.runs import RunService
    from ctpn_desktop.core.timeline import InjectState

    from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace

    from ctpn_desktop.app import context_factory

    count = max(runs(5) * 20, RELEASES)
    source = generate_exercise(injects=INJECTS, organisations=12, objectives=6, phases=4)
    app = qt_app()
    with published_room(source) as (document, address, name), \
            tempfile.TemporaryDirectory(prefix="ctpn-room-", dir=WORK) as folder:
        runs_service = RunService(document, SystemTimeSource(), actor="Bench facilitator")
        run = runs_service.create_run("Benchmark run")
        runs_service.start(run.id)
        injects = runs_service.frozen_scenario(run.id).injects
        if len(injects) < count + WARM_UP:
            raise BenchmarkUnavailable(f"the generated exercise has {len(injects)} injects, fewer than "
                                       f"{count + WARM_UP} releases")
        control = room.join(address, name, Station("bench-control", "Bench control", StationRole.CONTROLLER),
                            source=SystemTimeSource(), journal_folder=Path(folder))
        heard_at: dict[str, float] = {}
        lock = threading.Lock()

        def heard(changes: Changes) -> None:
            now = time.perf_counter()
            with lock:
                for event_id in changes.row_ids("inject_event") or ():
                    heard_at.setdefault(event_id, now)

        control.changes.subscribe(heard)
        page = ConductWorkspace()
        page.resize(1400, 900)
        try:
            page.set_context(context_factory("bench-control", SystemTimeSource())(control))
            page.show()
            paint_now(page)
            _until(lambda: page.queue_model.rowCount() >= len(injects), app)

            def released_on_screen(inject_id: str) -> bool:
                row = page.queue_model.row_of(inject_id)
                return row is not None and page.queue_model.state(row) is InjectState.RELEASED

            committed, notified, shown, painted = [], [], [], []
            for index in range(count + WARM_UP):
                inject = injects[index]
                began = time.perf_counter()
                event = runs_service.release(run.id, inject.id)
                done = time.perf_counter()
                _until(lambda inject_id=inject.id: released_on_screen(inject_id), app)
                on_model = time.perf_counter()
                paint_now(page.queue_view)
                on_screen = time.perf_counter()
                if index < WARM_UP:
                    continue
                with lock:
                    heard_time = heard_at.get(event.id, on_model)
                committed.append(done - began)
                notified.append(heard_time - began)
                shown.append(on_model - began)
                painted.append(on_screen - began)
        finally:
            page.set_context(None)
            page.close()
            page.deleteLater()
            app.processEvents()
            control.close()
    bare = _bare_notify_round_trips(count)
    print("room_release_to_screen_p99 stages (median / p99, ms): "
          + ", ".join(f"{what} {fmt(median(samples) * 1000)} / {fmt(percentile(samples, 99) * 1000)}"
                      for what, samples in
                      (("release committed", committed), ("heard by the other station", notified),
                       ("in its queue model", shown), ("painted", painted))), file=sys.stderr, flush=True)
    return Figure("room_release_to_screen_p99", percentile(painted, 99) * 1000, "ms", percentile(bare, 99) * 1000,
                  "bare psycopg NOTIFY heard by another LISTENing connection, same server, p99")

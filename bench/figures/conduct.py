"""Conduct figures: a release on disk, and a repaint of the timeline with 2,000 injects."""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import WORK, generate_exercise
from bench.harness import BenchmarkUnavailable, Figure, median, percentile, qt_app, runs

RELEASES = 400
REPAINTS = 60
VIEW_SIZE = (1400, 520)
EIGHT_HOURS_S = 8 * 3600


def _fresh_copy(name: str) -> Path:
    """A private copy of the generated 2,000-inject document, so runs never accumulate in the cached one."""
    source = generate_exercise(injects=2000, organisations=30, phases=8)
    folder = WORK / "conduct"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    target = folder / name
    shutil.copyfile(source, target)
    return target


def _release_latencies(path: Path, count: int) -> list[float]:
    """Seconds each `RunService.release` takes to return (it returns once the event is committed)."""
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.runs import RunService

    document = open_document(path)
    try:
        service = RunService(document, SystemTimeSource(), actor="bench")
        run = service.create_run("Benchmark")
        service.start(run.id)
        injects = service.frozen_scenario(run.id).injects
        latencies = []
        for index in range(count):
            inject = injects[index % len(injects)]
            began = time.perf_counter()
            service.release(run.id, inject.id, note="")
            latencies.append(time.perf_counter() - began)
        return latencies
    finally:
        document.close()


def _bare_insert_latencies(folder: Path, count: int) -> list[float]:
    """The floor: one row like an inject event, one transaction each, WAL with synchronous=FULL, same disk."""
    path = folder / "bare.sqlite"
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE inject_event (id TEXT PRIMARY KEY, run_id TEXT, inject_id TEXT, kind TEXT,"
                           " wall_time TEXT, exercise_s REAL, scenario_time TEXT, actor TEXT, note TEXT,"
                           " new_offset_s INTEGER)")
        connection.execute("CREATE INDEX ix_run ON inject_event (run_id)")
        connection.execute("CREATE INDEX ix_inject ON inject_event (inject_id)")
        run_id = str(uuid.uuid4())
        latencies = []
        for index in range(count):
            row = (str(uuid.uuid4()), run_id, str(uuid.uuid4()), "released", datetime.now(UTC).isoformat(),
                   float(index), None, "bench", "", None)
            began = time.perf_counter()
            connection.execute("BEGIN")
            connection.execute("INSERT INTO inject_event VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            connection.execute("COMMIT")
            latencies.append(time.perf_counter() - began)
        return latencies
    finally:
        connection.close()
        path.unlink(missing_ok=True)


def release_p99() -> Figure:
    """99th percentile of the time from "release" to the event committed (fsync'd), over 400 releases.

    Baseline: a bare sqlite3 insert of the same row in its own transaction, with the document's durability
    pragmas (WAL, synchronous=FULL), in the same folder.
    """
    path = _fresh_copy("release.ctpn")
    count = runs(RELEASES)
    app = _release_latencies(path, count)
    bare = _bare_insert_latencies(path.parent, count)
    return Figure("release_p99", percentile(app, 99) * 1000, "ms", percentile(bare, 99) * 1000,
                  "bare sqlite3 INSERT + COMMIT, WAL, synchronous=FULL, same disk")


def timeline_repaint_2000() -> Figure:
    """Median time to repaint the timeline with 2,000 injects over 8 hours, all of them in view (the worst case).

    Marks are spread over 8 phase lanes with a fifth released and some re-timed. Baseline: a repaint of a bare
    QWidget of the same size filling its background, measured in the same run.
    """
    import random

    qt_app()
    try:
        from PySide6.QtWidgets import QWidget

        from ctpn_desktop.core.timeline import InjectState

        from ctpn_desktop.ui.conduct.timeline_view import TimelineMark, TimelineView
    except ImportError as error:
        raise BenchmarkUnavailable(f"ctpn_desktop.ui.conduct.timeline_view: {error}") from error

    rng = random.Random(1)
    marks = []
    for index in range(2000):
        planned = rng.uniform(0, EIGHT_HOURS_S)
        released = planned + rng.uniform(-120, 600) if index % 5 == 0 else None
        due = planned + 900 if index % 17 == 0 else planned
        marks.append(TimelineMark(f"i{index}", index % 8, f"#{index + 1}", planned, due, released,
                                  InjectState.RELEASED if released is not None else None, False, f"Inject {index}"))
    view = TimelineView()
    view.resize(*VIEW_SIZE)
    view.show()
    view.set_marks([f"Phase {n + 1}" for n in range(8)], marks, EIGHT_HOURS_S)
    view.set_now(EIGHT_HOURS_S / 2)
    view.fit_all()
    bare = QWidget()
    bare.setAutoFillBackground(True)
    bare.resize(*VIEW_SIZE)
    bare.show()
    qt_app().processEvents()

    def timed_repaints(widget: object) -> list[float]:
        samples = []
        for _ in range(runs(REPAINTS)):
            began = time.perf_counter()
            widget.repaint()  # type: ignore[attr-defined]
            samples.append(time.perf_counter() - began)
        return samples

    timed_repaints(view.viewport())  # warm-up: glyph caches, pens
    app = median(timed_repaints(view.viewport()))
    floor = median(timed_repaints(bare))
    view.close()
    bare.close()
    return Figure("timeline_repaint_2000", app * 1000, "ms", floor * 1000,
                  "bare QWidget repaint of the same size, same run")

"""Scenario editor figures: the editable MSEL opened and painted, a keystroke in its filter bar, and a bulk
re-time with undo, each next to the same work done with plain sqlite3 on the same file."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.figures.msel import read_with_sqlite
from bench.generate import generate_exercise
from bench.harness import BenchmarkUnavailable, Figure, median, paint_now, qt_app, repeat, runs, timed

VIEW_SIZE = (1400, 900)
FILTER_TEXT = "drone"
RETIME_COUNT = 1000
RETIME_SECONDS = 15 * 60


@contextmanager
def _copy_of(path: Path) -> Iterator[Path]:
    """A private copy of the generated document, so timed edits never change the cached file."""
    folder = Path(tempfile.mkdtemp(prefix="ctpn-bench-editor-"))
    try:
        target = folder / path.name
        shutil.copyfile(path, target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _page() -> Any:
    """The editor's MSEL page (table, filter bar, detail pane), shown at 1400×900 before timing starts."""
    try:
        from ctpn_desktop.ui.editor.fields import Typing
        from ctpn_desktop.ui.editor.msel_page import MselPage
    except ImportError as error:
        raise BenchmarkUnavailable(f"ctpn_desktop.ui.editor: {error}") from error
    page = MselPage(Typing(), lambda _i, _c, _t: False)
    page.resize(*VIEW_SIZE)
    page.show()
    paint_now(page.view)
    return page


def _dispose(widget: Any) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qt_app().processEvents()


def _open_and_show(path: Path, page: Any) -> tuple[Any, Any]:
    """Open the document, load the editor's snapshot, validate it and show the MSEL: what opening costs."""
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.scenario import ScenarioService
    from ctpn_desktop.core.services.validation import problems_by_inject, validate

    from ctpn_desktop.ui.editor.session import EditorSession

    document = open_document(path)
    session = EditorSession(ScenarioService(document))
    page.set_scenario(session.scenario)
    page.model.set_problems({k: [p.message for p in v]
                             for k, v in problems_by_inject(validate(session.scenario)).items()})
    paint_now(page.view)
    return document, session


def _open_once(path: Path) -> float:
    page = _page()
    document = None
    try:
        began = time.perf_counter()
        document, session = _open_and_show(path, page)
        elapsed = time.perf_counter() - began
        if page.model.rowCount() != len(session.scenario.injects):
            raise BenchmarkUnavailable(f"the MSEL shows {page.model.rowCount()} rows, not "
                                       f"{len(session.scenario.injects)}")
        return elapsed
    finally:
        if document is not None:
            document.close()
        _dispose(page)


def msel_open_5000() -> Figure:
    """Open a generated 5,000-inject exercise in the editor's MSEL page (with validation) until painted."""
    path = generate_exercise(injects=5000)
    qt_app()
    count = runs(5)
    app = median(repeat(lambda: _open_once(path), count))
    plain = median(repeat(lambda: timed(lambda: read_with_sqlite(path)), count))
    return Figure("msel_open_5000", app * 1000, "ms", plain * 1000, "plain sqlite3 SELECT of the same rows")


def _sql_filter(connection: sqlite3.Connection, needle: str) -> int:
    pattern = f"%{needle}%"
    rows = connection.execute(
        "SELECT inject.id FROM inject LEFT JOIN phase ON phase.id = inject.phase_id"
        " WHERE inject.title LIKE ?1 OR inject.sender LIKE ?1 OR inject.delivery_method LIKE ?1"
        " OR phase.name LIKE ?1 ORDER BY inject.planned_offset_s, inject.position", (pattern,)).fetchall()
    return len(rows)


def msel_filter_keystroke() -> Figure:
    """One keystroke in the filter bar of a 5,000-inject MSEL until the table is repainted (median per key)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    path = generate_exercise(injects=5000)
    qt_app()
    page = _page()
    document = None
    try:
        document, _session = _open_and_show(path, page)
        page.filter_text.setFocus()

        def one_pass() -> list[float]:
            samples = []
            for char in FILTER_TEXT:
                began = time.perf_counter()
                QTest.keyClick(page.filter_text, char)
                paint_now(page.view)
                samples.append(time.perf_counter() - began)
            for _ in FILTER_TEXT:
                began = time.perf_counter()
                QTest.keyClick(page.filter_text, Qt.Key.Key_Backspace)
                paint_now(page.view)
                samples.append(time.perf_counter() - began)
            return samples

        one_pass()  # warm-up
        samples = [s for _ in range(runs(5)) for s in one_pass()]
        if page.model.rowCount() != page.model.total:
            raise BenchmarkUnavailable("clearing the filter did not bring every inject back")
    finally:
        if document is not None:
            document.close()
        _dispose(page)

    connection = sqlite3.connect(path)
    try:
        def sql_pass() -> list[float]:
            needles = [FILTER_TEXT[:n] for n in range(1, len(FILTER_TEXT) + 1)]
            needles += [FILTER_TEXT[:n] for n in range(len(FILTER_TEXT) - 1, -1, -1)]
            return [timed(lambda n=n: _sql_filter(connection, n)) for n in needles]

        sql_pass()
        plain = [s for _ in range(runs(5)) for s in sql_pass()]
    finally:
        connection.close()
    return Figure("msel_filter_keystroke", median(samples) * 1000, "ms", median(plain) * 1000,
                  "plain sqlite3 LIKE query per keystroke")


def _retime_with_undo(path: Path) -> float:
    """Re-time 1,000 injects through the editor (service, snapshot, table) and undo it."""
    page = _page()
    document = None
    try:
        document, session = _open_and_show(path, page)
        session.changed.connect(lambda change: page.update_injects(session.scenario, change.injects,
                                                                   change.removed))
        from ctpn_desktop.core.services.scenario import msel_order

        ids = [i.id for i in msel_order(session.scenario.injects)[1000:1000 + RETIME_COUNT]]
        before = {i.id: i.planned_offset_s for i in session.scenario.injects}
        began = time.perf_counter()
        if not session.retime(ids, RETIME_SECONDS):
            raise BenchmarkUnavailable("the re-time was refused")
        paint_now(page.view)
        session.stack.undo()
        paint_now(page.view)
        elapsed = time.perf_counter() - began
        if any(i.planned_offset_s != before[i.id] for i in session.scenario.injects):
            raise BenchmarkUnavailable("undo did not restore every planned time")
        return elapsed
    finally:
        if document is not None:
            document.close()
        _dispose(page)


def _retime_with_sql(path: Path) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=FULL")
        ids = [row[0] for row in connection.execute(
            "SELECT id FROM inject ORDER BY planned_offset_s, position, number LIMIT ? OFFSET 1000",
            (RETIME_COUNT,))]
        marks = ",".join("?" * len(ids))
        began = time.perf_counter()
        for delta in (RETIME_SECONDS, -RETIME_SECONDS):
            connection.execute("BEGIN")
            connection.execute(f"UPDATE inject SET planned_offset_s = planned_offset_s + ? WHERE id IN ({marks})",
                               (delta, *ids))
            connection.execute("COMMIT")
        return time.perf_counter() - began
    finally:
        connection.close()


def msel_retime_1000() -> Figure:
    """Shift 1,000 injects of a 5,000-inject MSEL by 15 minutes and undo it, repainted after each."""
    path = generate_exercise(injects=5000)
    qt_app()
    count = runs(5)
    with _copy_of(path) as copy:
        app = median(repeat(lambda: _retime_with_undo(copy), count))
        plain = median(repeat(lambda: _retime_with_sql(copy), count))
    return Figure("msel_retime_1000", app * 1000, "ms", plain * 1000,
                  "plain sqlite3 UPDATE of the same rows and back, two commits")

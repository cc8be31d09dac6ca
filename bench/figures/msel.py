"""MSEL figures: opening and showing large scenarios."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.generate import generate_exercise
from bench.harness import BenchmarkUnavailable, Figure, median, paint_now, qt_app, repeat, runs, timed

VIEW_SIZE = (1400, 900)


def _shown_table_view():  # -> QTableView
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    view.resize(*VIEW_SIZE)
    view.show()
    paint_now(view)
    return view


def _dispose(widget) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qt_app().processEvents()


def open_in_msel_view(path: Path, passphrase: str | None = None) -> float:
    """Seconds from ``open_document`` to the MSEL table painted, in an already shown 1400×900 view (an
    encrypted file opened with ``passphrase``, its key derived once)."""
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.scenario import ScenarioService

    try:
        from ctpn_desktop.ui.models.msel import MselTableModel
    except ImportError as error:
        raise BenchmarkUnavailable(f"ctpn_desktop.ui.models.msel.MselTableModel: {error}") from error

    view = _shown_table_view()
    document = None
    try:
        began = time.perf_counter()
        document = open_document(path, passphrase=passphrase)
        scenario = ScenarioService(document).load()
        model = MselTableModel(scenario, view)
        view.setModel(model)
        paint_now(view)
        elapsed = time.perf_counter() - began
        if model.rowCount() != len(scenario.injects):
            raise BenchmarkUnavailable(f"MselTableModel shows {model.rowCount()} rows, not {len(scenario.injects)}")
        return elapsed
    finally:
        if document is not None:
            document.close()
        _dispose(view)


def read_with_sqlite(path: Path) -> None:
    """The floor: every inject column (with its phase name), recipients and objectives into Python lists."""
    connection = sqlite3.connect(path)
    try:
        injects = connection.execute(
            "SELECT inject.*, phase.name FROM inject LEFT JOIN phase ON phase.id = inject.phase_id"
            " ORDER BY inject.position"
        ).fetchall()
        recipients = connection.execute(
            "SELECT inject_id, organisation_id, role_id FROM inject_recipient ORDER BY inject_id, position"
        ).fetchall()
        objectives = connection.execute(
            "SELECT inject_id, objective_id FROM inject_objective ORDER BY inject_id, position"
        ).fetchall()
    finally:
        connection.close()
    if not injects or not recipients or not objectives:
        raise BenchmarkUnavailable(f"{path.name}: the generated document is empty")


def open_5000() -> Figure:
    """Median time to open a generated 5,000-inject document and show it in the MSEL table.

    Baseline: the same file read with plain ``sqlite3`` (no ORM, no Qt). One warm-up run each is not counted.
    """
    path = generate_exercise(injects=5000)
    qt_app()
    count = runs(5)
    app = median(repeat(lambda: open_in_msel_view(path), count))
    plain = median(repeat(lambda: timed(lambda: read_with_sqlite(path)), count))
    return Figure("open_5000", app * 1000, "ms", plain * 1000, "plain sqlite3 SELECT of the same rows")

"""What every benchmark shares: the result line, repetition and medians, Qt in-process, timed child processes."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;default.warning=false")


@dataclass(frozen=True)
class Figure:
    """One measured figure and its baseline, measured in the same run on the same machine."""

    name: str
    value: float
    unit: str
    baseline: float
    baseline_what: str
    baseline_unit: str | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else math.inf

    def line(self) -> str:
        return (
            f"{self.name}: {fmt(self.value)} {self.unit} | "
            f"baseline: {fmt(self.baseline)} {self.baseline_unit or self.unit} ({self.baseline_what}) | "
            f"ratio: {self.ratio:.2f}"
        )


def fmt(value: float) -> str:
    """Three or four significant figures, never scientific notation."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


class BenchmarkUnavailable(RuntimeError):
    """A part of the app this figure needs does not exist yet (or failed); the message says which."""


# --------------------------------------------------------------------------- repetition


def repeat(measure: Callable[[], float], runs: int, warmup: int = 1) -> list[float]:
    """``measure()`` ``warmup + runs`` times; the warm-up results are dropped."""
    for _ in range(warmup):
        measure()
    return [measure() for _ in range(runs)]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0–100), e.g. ``percentile(latencies, 99)`` for a p99 figure."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(work: Callable[[], Any]) -> float:
    """Seconds taken by ``work()``."""
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def runs(default: int) -> int:
    """Number of measured runs: ``default`` unless ``CTPN_BENCH_RUNS`` says otherwise (``--runs``)."""
    return int(os.environ.get("CTPN_BENCH_RUNS") or default)


# --------------------------------------------------------------------------- child processes


def child_env(**extra: str) -> dict[str, str]:
    """Environment for timed child processes: offscreen, and settings kept out of the user's own."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;default.warning=false")
    env["CTPN_CONFIG_DIR"] = str(WORK / "config")
    env["XDG_CONFIG_HOME"] = str(WORK / "xdg" / "config")
    env["XDG_DATA_HOME"] = str(WORK / "xdg" / "data")
    env["XDG_STATE_HOME"] = str(WORK / "xdg" / "state")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def painted_after(argv: Sequence[str], timeout: float = 60.0, extra_env: dict[str, str] | None = None,
                  marker: str = "painted") -> float:
    """Spawn ``argv`` with ``CTPN_T0`` set just before; return the seconds it reports in ``<marker> <s>``.

    The child prints ``painted <seconds since CTPN_T0>`` on the first paint of its main window (and the
    application, given a file, ``shown <seconds>`` once that exercise's page has painted), then exits.
    """
    env = child_env()
    env.update(extra_env or {})
    env["CTPN_T0"] = repr(time.time())
    try:
        result = subprocess.run(
            list(argv), env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchmarkUnavailable(f"{' '.join(argv[1:])} did not paint within {timeout:.0f} s") from error
    for line in result.stdout.splitlines():
        if line.startswith(f"{marker} "):
            return float(line.split()[1])
    tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
    raise BenchmarkUnavailable(
        f"{' '.join(argv[1:])} exited {result.returncode} without printing '{marker} <seconds>'"
        + (": " + " / ".join(tail) if tail else "")
    )


# --------------------------------------------------------------------------- Qt in-process


def qt_app() -> Any:
    """The process's QApplication (created offscreen on first use)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])


def paint_now(widget: Any, timeout: float = 10.0) -> None:
    """Process events until ``widget`` (a scroll area's viewport when it has one) has been painted once.

    Layouts and item views defer work to zero-timers; this lets them run, then waits for the paint event
    that shows the result, as a user would see it.
    """
    from PySide6.QtCore import QEvent, QObject

    app = qt_app()
    target = widget.viewport() if hasattr(widget, "viewport") else widget
    painted = False

    class _Watch(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            nonlocal painted
            if event.type() == QEvent.Type.Paint:
                painted = True
            return False

    watch = _Watch()
    target.installEventFilter(watch)
    try:
        if not widget.isVisible():
            widget.show()
        target.update()
        deadline = time.perf_counter() + timeout
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
        if not painted:
            target.repaint()
    finally:
        target.removeEventFilter(watch)

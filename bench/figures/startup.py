"""``startup``: process start to the main window's first paint with the demo document given (title and marking
shown, the exercise opening); ``startup_shown``: until the exercise is open and its page painted."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable

from bench.generate import WORK, demo_document
from bench.harness import BENCH, BenchmarkUnavailable, Figure, fmt, median, painted_after, runs


def _alternating(app_argv: Callable[[], list[str]], bare: list[str],
                 extra_env: Callable[[], dict[str, str]] = dict,
                 marker: str = "painted") -> tuple[list[float], list[float]]:
    count = runs(5)
    app_times: list[float] = []
    bare_times: list[float] = []
    failure: BenchmarkUnavailable | None = None
    for round_ in range(count + 1):
        if failure is None:
            try:
                seconds = painted_after(app_argv(), extra_env=extra_env(), marker=marker)
            except BenchmarkUnavailable as error:
                failure = error
            else:
                if round_:
                    app_times.append(seconds)
        seconds = painted_after(bare, extra_env=extra_env())
        if round_:
            bare_times.append(seconds)
    if failure is not None:
        raise BenchmarkUnavailable(f"{failure} (baseline measured: {fmt(median(bare_times))} s)")
    return app_times, bare_times


def _app_argv() -> list[str]:
    demo = demo_document()
    folder = WORK / "startup"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy = folder / demo.name
    shutil.copyfile(demo, copy)
    return [sys.executable, "-m", "ctpn_desktop", "--benchmark-startup", str(copy)]


def startup_cold() -> Figure:
    """``startup`` as on a laptop's first start after installing: no compiled bytecode anywhere, so every
    module of the application, its libraries and Python's own is compiled from source on the way.

    Each process gets an empty ``PYTHONPYCACHEPREFIX`` and writes no bytecode; the baseline starts the same way.
    """
    bare = [sys.executable, str(BENCH / "bare_qt.py")]
    caches = WORK / "cold-caches"

    def no_bytecode() -> dict[str, str]:
        shutil.rmtree(caches, ignore_errors=True)
        caches.mkdir(parents=True)
        return {"PYTHONPYCACHEPREFIX": str(caches), "PYTHONDONTWRITEBYTECODE": "1"}

    app_times, bare_times = _alternating(_app_argv, bare, no_bytecode)
    return Figure("startup_cold", median(app_times), "s", median(bare_times),
                  "bare PySide6 QMainWindow, same start, no bytecode either")


def startup() -> Figure:
    """Median over several cold processes of ``python -m ctpn_desktop --benchmark-startup DEMO``.

    Baseline: ``bench/bare_qt.py`` (import PySide6, a bare ``QMainWindow``, first paint) started the same way.
    App and baseline runs alternate so that a slow moment of the machine hits both alike; one warm-up round
    (filling the OS file cache) is not counted. Each app run gets a fresh copy of the demo document in an
    empty folder, so nothing a previous run left behind (a lock file, a moved window) changes the next one.
    """
    bare = [sys.executable, str(BENCH / "bare_qt.py")]
    app_times, bare_times = _alternating(_app_argv, bare)
    return Figure("startup", median(app_times), "s", median(bare_times), "bare PySide6 QMainWindow, same start")


def startup_shown() -> Figure:
    """``startup`` until the demo exercise is open and its Scenario page painted: what the first paint did not
    wait for (the storage layer, the services, the page) included. Same baseline, same alternation."""
    bare = [sys.executable, str(BENCH / "bare_qt.py")]
    app_times, bare_times = _alternating(_app_argv, bare, marker="shown")
    return Figure("startup_shown", median(app_times), "s", median(bare_times), "bare PySide6 QMainWindow, same start")

"""``startup``: process start to the main window painted with the demo document open."""

from __future__ import annotations

import shutil
import sys

from bench.generate import WORK, demo_document
from bench.harness import BENCH, BenchmarkUnavailable, Figure, fmt, median, painted_after, runs


def startup() -> Figure:
    """Median over several cold processes of ``python -m ctpn_desktop --benchmark-startup DEMO``.

    Baseline: ``bench/bare_qt.py`` (import PySide6, a bare ``QMainWindow``, first paint) started the same way.
    App and baseline runs alternate so that a slow moment of the machine hits both alike; one warm-up round
    (filling the OS file cache) is not counted. Each app run gets a fresh copy of the demo document in an
    empty folder, so nothing a previous run left behind (a lock file, a moved window) changes the next one.
    """
    demo = demo_document()
    folder = WORK / "startup"
    bare = [sys.executable, str(BENCH / "bare_qt.py")]

    def app_argv() -> list[str]:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        copy = folder / demo.name
        shutil.copyfile(demo, copy)
        return [sys.executable, "-m", "ctpn_desktop", "--benchmark-startup", str(copy)]

    count = runs(5)
    app_times: list[float] = []
    bare_times: list[float] = []
    failure: BenchmarkUnavailable | None = None
    for round_ in range(count + 1):
        if failure is None:
            try:
                seconds = painted_after(app_argv())
            except BenchmarkUnavailable as error:
                failure = error
            else:
                if round_:
                    app_times.append(seconds)
        seconds = painted_after(bare)
        if round_:
            bare_times.append(seconds)
    if failure is not None:
        raise BenchmarkUnavailable(f"{failure} (baseline measured: {fmt(median(bare_times))} s)")
    return Figure("startup", median(app_times), "s", median(bare_times), "bare PySide6 QMainWindow, same start")

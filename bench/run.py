"""Run the benchmarks: ``python bench/run.py [NAME ...]`` (all when none is named).

Each figure prints one line, ``NAME: VALUE UNIT | baseline: VALUE UNIT (what) | ratio: R``, its baseline
measured in the same run on the same machine. Every figure runs in a fresh child process, so one figure's
imports, caches and leftovers never speed up or slow down the next.

Adding a figure: write a function returning a ``bench.harness.Figure`` (or a list of them) in a module
under ``bench/figures/`` and add one line to ``FIGURES`` below. Figures are named as ``"module:function"``
and imported only when run, so a figure whose app code is not there yet fails alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;default.warning=false")

#: NAME -> "module:function" under bench.figures; the order here is the order of a full run.
FIGURES: dict[str, str] = {
    "startup": "startup:startup",
    "startup_cold": "startup:startup_cold",
    "startup_shown": "startup:startup_shown",
    "open_5000": "msel:open_5000",
    "open_5000_encrypted": "encryption:open_5000_encrypted",
    "msel_open_5000": "editor:msel_open_5000",
    "msel_filter_keystroke": "editor:msel_filter_keystroke",
    "msel_retime_1000": "editor:msel_retime_1000",
    "msel_import_5000": "msel_import:msel_import_5000",
    "release_p99": "conduct:release_p99",
    "timeline_repaint_2000": "conduct:timeline_repaint_2000",
    "log_commit_p99": "log:log_commit_p99",
    "log_open_50000": "log:log_open_50000",
    "log_search_50000": "log:log_search_50000",
    "merge_20000": "log:merge_20000",
    "log_syndicate_50000": "syndicates:log_syndicate_50000",
    "library_open_500": "syndicates:library_open_500",
    "debrief_5000": "debrief:debrief_5000",
    "debrief_5000_accessible": "debrief:debrief_5000_accessible",
    "room_log_commit_p99": "room:room_log_commit_p99",
    "room_release_to_screen_p99": "room:room_release_to_screen_p99",
    "replay_seek_5000": "replay:replay_seek_5000",
}

EXIT_UNKNOWN_NAME = 2
EXIT_UNAVAILABLE = 3


def resolve(name: str) -> Callable[[], object]:
    module_name, _, function = FIGURES[name].partition(":")
    module = importlib.import_module(f"bench.figures.{module_name}")
    return getattr(module, function)


def run_here(name: str) -> int:
    """Measure one figure in this process and print its line(s)."""
    from bench.harness import BenchmarkUnavailable, Figure
    from ctpn_desktop import runtime

    runtime.tune_garbage_collector()  # the application's own settings (see ctpn_desktop.runtime)
    try:
        result = resolve(name)()
    except (BenchmarkUnavailable, ImportError, AttributeError) as error:
        print(f"{name}: not measured: {error}", file=sys.stderr, flush=True)
        return EXIT_UNAVAILABLE
    for figure in result if isinstance(result, list) else [result]:
        assert isinstance(figure, Figure), figure
        print(figure.line(), flush=True)
    return 0


def run_child(name: str) -> int:
    """Measure one figure in a fresh interpreter; its lines go straight to our stdout."""
    command = [sys.executable, str(Path(__file__).resolve()), "--here", name]
    return subprocess.run(command, cwd=REPO, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description="Run CTPN Desktop benchmarks against same-run baselines."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="figures to measure (default: all)")
    parser.add_argument("--list", action="store_true", help="list the figure names and exit")
    parser.add_argument("--runs", type=int, metavar="N", help="measured runs per figure (default: each figure's own)")
    parser.add_argument("--here", action="store_true", help="measure in this process instead of one child each")
    parser.add_argument("--clean", action="store_true", help="delete generated documents in bench/.work first")
    options = parser.parse_args(argv)

    if options.list:
        for name in FIGURES:
            print(name)
        return 0
    unknown = [name for name in options.names if name not in FIGURES]
    if unknown:
        print(
            f"bench/run.py: unknown benchmark {', '.join(unknown)}; known: {', '.join(FIGURES)}",
            file=sys.stderr,
        )
        return EXIT_UNKNOWN_NAME
    if options.runs is not None:
        if options.runs < 1:
            parser.error("--runs must be at least 1")
        os.environ["CTPN_BENCH_RUNS"] = str(options.runs)
    if options.clean:
        from bench.generate import clean

        clean()

    began = time.perf_counter()
    failed = []
    for name in options.names or list(FIGURES):
        status = run_here(name) if options.here else run_child(name)
        if status:
            failed.append(name)
    if options.here:
        return 1 if failed else 0
    elapsed = time.perf_counter() - began
    summary = f"bench: {len(options.names or FIGURES) - len(failed)} measured in {elapsed:.0f} s"
    if failed:
        summary += f"; not measured: {', '.join(failed)}"
    print(summary, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""SIGKILL during a run with releases and clock changes in flight; every reported action survives the restart.

A child process opens the exercise, reopens (or starts) the run and then loops: release the next inject, now
and then change the compression or pause and resume. After each service call returns it prints what is now
on disk (``released <id>``, ``clock <seq> <exercise s> <wall> <running> <compression>``). The parent kills it
at a random moment, reopens the document and checks that every reported release is stored and that the
clock resumes where the child's last report says it must be (the wall time since then, compressed, if it was
running; exactly there if not).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.entities import InjectEventKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.runs import RunService

from tests.factories import REPO, library_document

CHILD = textwrap.dedent("""
    import random, sys
    from pathlib import Path
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.entities import RunStatus
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.runs import RunService

    document = open_document(Path(sys.argv[1]))
    runs = RunService(document, SystemTimeSource(), actor="child")
    listed = runs.list_runs()
    run = listed[0] if listed else runs.create_run("Kill test")
    clock = runs.clock(run.id)

    def report():
        anchor = clock.last_anchor
        print(f"clock {anchor.seq} {anchor.exercise_s!r} {anchor.wall_time.isoformat()} {int(anchor.running)} "
              f"{anchor.compression!r}", flush=True)

    if clock.status is RunStatus.READY:
        runs.start(run.id)
    elif clock.status is RunStatus.PAUSED:
        runs.resume(run.id)
    report()
    print("ready", flush=True)
    released = {e.inject_id for e in runs.events(run.id)}
    pending = [i for i in runs.frozen_scenario(run.id).injects if i.id not in released]
    rng = random.Random()
    while True:
        if pending and rng.random() < 0.8:
            inject = pending.pop()
            runs.release(run.id, inject.id, note="kill test")
            print(f"released {inject.id}", flush=True)
            continue
        if not pending:
            pending = [i for i in runs.frozen_scenario(run.id).injects]
        choice = rng.random()
        if choice < 0.5:
            factor = rng.choice([1.0, 2.0, 5.0, 10.0])
            if factor != clock.compression:
                runs.set_compression(run.id, factor)
        elif clock.status is RunStatus.RUNNING:
            runs.pause(run.id, "kill test")
        else:
            runs.resume(run.id)
        report()
""")

ROUNDS = 25
BUDGET_S = 30.0


def _child(path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)


def _read_until_ready(child: subprocess.Popen[str]) -> list[str]:
    assert child.stdout is not None
    lines = []
    while True:
        line = child.stdout.readline()
        if not line:
            raise AssertionError(f"child ended before it was ready: {child.stderr.read() if child.stderr else ''}")
        lines.append(line.strip())
        if line.strip() == "ready":
            return lines


@pytest.mark.slow
def test_kill_during_releases_loses_nothing_and_the_clock_resumes(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        path = document.path
    rng = random.Random(20271212)
    reported_releases: set[str] = set()
    began = time.monotonic()
    rounds = 0
    while rounds < ROUNDS and time.monotonic() - began < BUDGET_S:
        rounds += 1
        child = _child(path)
        lines = _read_until_ready(child)
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _err = child.communicate()
        lines += out.splitlines()
        last_clock: list[str] | None = None
        for line in lines:
            if line.startswith("released "):
                reported_releases.add(line.split()[1])
            elif line.startswith("clock "):
                last_clock = line.split()[1:]
        assert last_clock is not None

        reopened = open_document(path)
        try:
            runs = RunService(reopened, SystemTimeSource())
            (run,) = runs.list_runs()
            stored = {e.inject_id for e in runs.events(run.id) if e.kind is InjectEventKind.RELEASED}
            missing = reported_releases - stored
            assert not missing, f"round {rounds}: {len(missing)} release(s) shown as done were lost"
            clock = runs.clock(run.id)
            seq, exercise_s, wall, running, compression = last_clock
            assert clock.last_anchor is not None and clock.last_anchor.seq >= int(seq)
            if clock.last_anchor.seq == int(seq):
                since = (datetime.now(UTC) - datetime.fromisoformat(wall)).total_seconds()
                expected = float(exercise_s) + (since * float(compression) if running == "1" else 0.0)
                assert clock.elapsed() == pytest.approx(expected, abs=0.25 * float(compression)), f"round {rounds}"
        finally:
            reopened.close()
    assert rounds >= 8, f"only {rounds} rounds fitted in {BUDGET_S:.0f} s"
    assert reported_releases, "no release was ever reported: the test did not test anything"

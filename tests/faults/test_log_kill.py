"""SIGKILL during rapid log entry: every entry a note-taker was shown as saved is there after restart, and the
hash chain verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import REPO, library_document

KILLS = 12
TIME_BUDGET_S = 25.0

WRITER = """
import sys
from pathlib import Path
from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.entities import ActionItem, LogKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import LogDraft, LogService

path, run_id, round_ = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
document = open_document(path)
log = LogService(document, "laptop-kill", SystemTimeSource())
print("ready", flush=True)
for index in range(100_000):
    entry = log.append(run_id, LogDraft(
        kind=LogKind.DECISION, text=f"Round {round_} decision {index} — مرحبا 🚒",
        rationale="x" * (index % 400), actions=(ActionItem("Inform partners", "Police"),),
        organisation="Police", logged_by="Loggist"), exercise_s=float(index))
    print(entry.entry_id, flush=True)  # only now would the screen show the entry as saved
"""


@pytest.mark.slow
def test_kill_during_rapid_entry_loses_nothing_shown_as_saved(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, SystemTimeSource()).create_run("Kill test")
        path = document.path
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    randomness = random.Random(20271210)
    acknowledged: list[str] = []
    began = time.monotonic()
    kills = 0
    while kills < KILLS and time.monotonic() - began < TIME_BUDGET_S:
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), run.id, str(kills)], cwd=REPO, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
        time.sleep(randomness.uniform(0.02, 0.4))
        child.send_signal(signal.SIGKILL)
        output, errors = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, errors
        lines = output.splitlines()
        if lines and len(lines[-1]) != 36:  # a line cut in half by the kill was never shown complete
            lines.pop()
        acknowledged.extend(lines)
        kills += 1
    assert kills >= 5 and len(acknowledged) >= kills  # the test really killed writers mid-stream

    with open_document(path) as reopened:
        log = LogService(reopened, "after-restart", SystemTimeSource())
        stored = {entry.entry_id for entry in log.entries(run.id)}
        missing = [entry_id for entry_id in acknowledged if entry_id not in stored]
        assert missing == []
        report = log.verify()
        assert report.ok, report.problems
        numbers = sorted(entry.current.entry_number for entry in log.entries(run.id))
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(log.search(run.id, "🚒")) == len(numbers)  # the search index survived too

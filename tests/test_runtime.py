"""The collector's pace is the application's own, and the objects made at start-up are set aside."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from ctpn_desktop import runtime

REPO = Path(__file__).resolve().parents[1]


def test_the_command_line_collects_less_often_from_its_first_line() -> None:
    probe = ("import gc, sys; from ctpn_desktop import cli; "
             "cli.main(['validate', 'scenarios/christmas-market-mta.json']); "
             "print(gc.get_threshold()[0])")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.split()[-1] == str(runtime.YOUNG_THRESHOLD)


def test_settling_leaves_what_exists_out_of_later_collections() -> None:
    before = gc.get_threshold()
    try:
        runtime.tune_garbage_collector()
        assert gc.get_threshold()[0] == runtime.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        runtime.settle_after_start()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

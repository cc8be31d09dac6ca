"""How a run is named wherever it is listed: its number, its label, and whether it is a rehearsal, each once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ctpn_desktop.core.entities import RunInfo, RunStatus

from ctpn_desktop.ui.formatting import run_label


def _run(label: str, *, rehearsal: bool, number: int = 2) -> RunInfo:
    return RunInfo("run-id", number, label, rehearsal, RunStatus.READY, datetime(2027, 12, 12, 17, tzinfo=UTC))


@pytest.mark.parametrize(("label", "rehearsal", "shown"), [
    ("", False, "Run 2"),
    ("Run 2", False, "Run 2"),
    ("  Evening  ", False, "Run 2 – Evening"),
    ("Evening", True, "Run 2 – Evening (rehearsal)"),
    ("", True, "Run 2 (rehearsal)"),
    ("Rehearsal", True, "Run 2 – Rehearsal"),
    ("Dress rehearsal, day 1", True, "Run 2 – Dress rehearsal, day 1"),
    ("Rehearsal", False, "Run 2 – Rehearsal"),
])
def test_a_run_is_named_with_each_part_once(label: str, rehearsal: bool, shown: str) -> None:
    assert run_label(_run(label, rehearsal=rehearsal)) == shown

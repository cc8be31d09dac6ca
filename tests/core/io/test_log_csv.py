"""The decision log as CSV: every revision, formula-safe, any script intact."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import ActionItem, JdmStage, LogKind
from ctpn_desktop.core.io.log_csv import LOG_COLUMNS, write_log_csv
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from ctpn_desktop.cli import main
from tests.factories import library_document

RTL = "אמבולנס בדרך 🚑 — مرحبا"


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_revision_is_a_row_and_formulas_are_defused(tmp_path: Path) -> None:
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    with library_document(tmp_path) as document:
        runs = RunService(document, source)
        run = runs.create_run()
        scenario = runs.frozen_scenario(run.id)
        log = LogService(document, device_id="laptop-a", source=source)
        first = log.append(run.id, LogDraft(
            kind=LogKind.DECISION, text="=HYPERLINK(\"http://x\")", rationale=RTL, organisation="Police",
            decision_maker="Gold", actions=(ActionItem("Open RVP", "Fire"), ActionItem("@brief press")),
            inject_id=scenario.injects[0].id, objective_ids=(scenario.objectives[0].id,),
            jdm_stage=JdmStage.OPTIONS, logged_by="Zoë"), exercise_s=3725)
        log.correct(first.entry_id, LogDraft(kind=LogKind.DECISION, text="Open the RVP\nat gate 2",
                                             organisation="Police"), reason="+ typo")
        log.append(run.id, LogDraft(kind=LogKind.ISSUE, text="-5 °C at the cordon"), exercise_s=10)
        out = tmp_path / "log.csv"
        (tmp_path / "log.csv").write_text("old")
        count = write_log_csv(out, log.entries(run.id), scenario)
    assert count == 3
    rows = _read(out)
    assert list(rows[0]) == list(LOG_COLUMNS)
    original, correction, issue = rows
    assert original["Text"] == "'=HYPERLINK(\"http://x\")" and original["Rationale"] == RTL
    assert original["Exercise time"] == "1:02:05" and original["Revision"] == "1"
    assert original["Actions"] == "Open RVP (Fire); @brief press"
    assert original["Inject"].startswith(f"{scenario.injects[0].number} ")
    assert original["Objectives"] == scenario.objectives[0].code
    assert original["JDM stage"].startswith("4 Identify options")
    assert original["Logged by"] == "Zoë" and original["Device"] == "laptop-a" and len(original["Hash"]) == 64
    assert correction["Text"] == "Open the RVP\nat gate 2" and correction["Reason for revision"] == "'+ typo"
    assert correction["Entry no."] == "1" and correction["Revision"] == "2"
    assert issue["Text"] == "'-5 °C at the cordon" and issue["Kind"] == "issue"
    assert not list(tmp_path.glob("*.partial"))


def test_the_log_export_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = FakeTimeSource()
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        LogService(document, "a", source).append(run.id, LogDraft(kind=LogKind.ACTION, text=RTL), exercise_s=1)
        path = document.path
    out = tmp_path / "out.csv"
    assert main(["log", "export", str(path), str(out)]) == 0
    assert [r["Text"] for r in _read(out)] == [RTL]
    assert main(["log", "export", str(path), str(out), "--run", "7"]) == 1
    assert "no run 7" in capsys.readouterr().err

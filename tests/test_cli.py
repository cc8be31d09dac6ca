"""The command line, as a shell script would use it: exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctpn_desktop.cli import main
from tests.factories import LIBRARY, REPO

SCENARIO = LIBRARY / "metro-chemical-release.json"


def test_new_then_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "metro.ctpn"
    assert main(["new", "--from", str(SCENARIO), str(out)]) == 0
    assert "Created" in capsys.readouterr().out
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Exercise STILL AIR" in text and "Injects:" in text
    assert main(["info", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["injects"] == 23


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.ctpn"
    out.write_text("keep me")
    assert main(["new", "--from", str(SCENARIO), str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "keep me"


def test_validate_reports_field_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SCENARIO)]) == 0
    broken = json.loads(SCENARIO.read_text(encoding="utf-8"))
    broken["injects"][2]["objectives"] = ["O9"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    assert "injects[2].objectives[0]: unknown objective 'O9'" in capsys.readouterr().err


def test_info_on_a_foreign_file_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.ctpn"
    junk.write_bytes(b"\x00\x01garbage" * 50)
    assert main(["info", str(junk)]) == 1
    assert "not an exercise file" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["new"])
    assert exited.value.code == 2


def test_demo_export_json_msel_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = tmp_path / "demo.ctpn"
    assert main(["demo", str(demo)]) == 0
    assert main(["demo", str(demo)]) == 1
    assert main(["export-json", "--template", str(demo), str(tmp_path / "t.json")]) == 0
    assert main(["validate", str(tmp_path / "t.json")]) == 0
    assert "\"id\"" not in (tmp_path / "t.json").read_text(encoding="utf-8")
    assert main(["msel", "export", str(demo), str(tmp_path / "m.csv")]) == 0
    assert main(["new", "--from", str(tmp_path / "t.json"), str(tmp_path / "empty.ctpn")]) == 0
    assert main(["verify", str(demo)]) == 0
    capsys.readouterr()
    assert main(["msel", "import", "--dry-run", str(tmp_path / "m.csv"), str(demo)]) == 0
    assert "not changed" in capsys.readouterr().out


def test_the_installed_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "ctpn_desktop", "--version"], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0 and "CTPN Desktop" in result.stdout


def test_the_core_never_loads_qt() -> None:
    code = ("import sys, ctpn_desktop.core.services.document, ctpn_desktop.core.services.scenario, "
            "ctpn_desktop.core.services.runs, ctpn_desktop.core.services.log, ctpn_desktop.core.io.scenario_json, "
            "ctpn_desktop.core.library, ctpn_desktop.core.demo, ctpn_desktop.storage.db, ctpn_desktop.cli; "
            "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

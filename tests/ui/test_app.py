"""`ctpn-desktop` itself: the startup benchmark mode and a bad file on the command line, in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ctpn_desktop import paths

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], config: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CTPN_CONFIG_DIR=str(config),
               QT_LOGGING_RULES="qt.qpa.*=false")
    env.pop("CTPN_T0", None)
    return subprocess.run([sys.executable, "-m", "ctpn_desktop", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_benchmark_startup_opens_the_file_paints_and_quits(document_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    result = _run(["--benchmark-startup", str(document_path)], config)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("painted ")]
    assert len(lines) == 1
    assert 0 < float(lines[0].split()[1]) < 120
    settings = (config / "settings.ini").read_text(encoding="utf-8")
    assert "high-kestrel.ctpn" in settings  # opened for real, and recorded in this test's own settings


def test_a_bad_file_on_the_command_line_does_not_crash(tmp_path: Path) -> None:
    bad = tmp_path / "junk.ctpn"
    bad.write_bytes(os.urandom(4096))
    before = bad.read_bytes()
    result = _run(["--benchmark-startup", str(bad)], tmp_path / "config")
    assert result.returncode == 0, result.stderr
    assert "painted" in result.stdout
    assert bad.read_bytes() == before


def test_device_id_is_stable_and_repaired(tmp_path: Path) -> None:
    first = paths.device_id(tmp_path)
    assert paths.device_id(tmp_path) == first
    (tmp_path / paths.DEVICE_ID_FILE).write_text("garbage")
    assert paths.device_id(tmp_path) != "garbage"


def test_resources_are_found_next_to_the_package() -> None:
    assert paths.scenarios_dir() == REPO / "scenarios"
    assert paths.app_icon_path().is_file()

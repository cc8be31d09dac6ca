"""The offline kit installs on a machine with no network: gathered for this platform, installed with the network
switched off (a network namespace of its own where the machine allows one) and no pip configuration.

Gathering uses the package registry, so this runs only when asked: ``CTPN_TEST_KIT=1`` (make packaging-test, CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.packaging.helpers import LOGGED_TEXT, conduct_a_run

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import offline_kit  # noqa: E402

pytestmark = [
    pytest.mark.kit,
    pytest.mark.skipif(not os.environ.get("CTPN_TEST_KIT"), reason="the offline kit is tested with CTPN_TEST_KIT=1"),
    pytest.mark.skipif(sys.platform == "win32", reason="install.bat is exercised on Windows by hand"),
]


def _offline(command: list[str]) -> list[str]:
    """Run without any network when the machine lets us make an empty network namespace."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n", *command]
    return command


def test_the_kit_installs_and_runs_without_a_network(tmp_path: Path) -> None:
    kit = offline_kit.write_kit(tmp_path / "kit", offline_kit.current_target(),
                                f"{sys.version_info.major}.{sys.version_info.minor}")
    names = (kit / "CONTENTS.txt").read_text(encoding="utf-8")
    assert "ctpn_desktop-" in names and "sqlalchemy" in names.lower()
    assert not list((kit / "wheels").glob("*.tar.gz")), "only binary wheels: nothing is compiled on the laptop"

    target = tmp_path / "installed"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull,
           "PYTHON": _base_python()}
    installed = subprocess.run(_offline(["sh", str(kit / "install.sh"), str(target)]), env=env,
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    program = target / "bin" / "ctpn-desktop"
    run_env = {"PATH": "", "HOME": str(tmp_path), "CTPN_CONFIG_DIR": str(tmp_path / "config")}
    document = tmp_path / "demo.ctpn"
    made = subprocess.run([str(program), "demo", str(document)], env=run_env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr  # the scenario library came with the wheel
    conduct_a_run(document)
    output = tmp_path / "debrief.pdf"
    debrief = subprocess.run([str(program), "debrief", str(document), "-o", str(output)], env=run_env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert debrief.returncode == 0, debrief.stderr  # and so did the report fonts
    text = " ".join(page.extract_text() for page in PdfReader(output).pages)
    assert LOGGED_TEXT in text.replace("\n", " ")
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("kit kestrel over the quay\n", encoding="utf-8")
    encrypted = subprocess.run([str(program), "encrypt", str(document), "--passphrase-file", str(passphrase)],
                               env=run_env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert encrypted.returncode == 0, encrypted.stderr  # the SQLCipher wheel came with the kit
    assert b"WINTER LANTERN" not in document.read_bytes()


def _base_python() -> str:
    """The interpreter the test venv was made from: the kit makes its own venv."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")

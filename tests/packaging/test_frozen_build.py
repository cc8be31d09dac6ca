"""The standalone build runs on a machine without Python: built once, then driven from a clean environment.

PyInstaller takes about a minute, so this module runs only when asked: ``CTPN_TEST_FROZEN=1`` builds the folder
(``make packaging-test`` and CI do), or ``CTPN_FROZEN_DIR=dist/ctpn-desktop`` tests an existing build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.packaging.helpers import LOGGED_TEXT, conduct_a_run

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import build as frozen_build  # noqa: E402

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.skipif(not (os.environ.get("CTPN_TEST_FROZEN") or os.environ.get("CTPN_FROZEN_DIR")),
                       reason="the standalone build is tested with CTPN_TEST_FROZEN=1 (make packaging-test)"),
]


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    existing = os.environ.get("CTPN_FROZEN_DIR")
    if existing:
        folder = Path(existing).resolve()
    else:
        scratch = tmp_path_factory.mktemp("pyinstaller")
        folder = frozen_build.build(scratch / "dist", scratch / "work")
    yield frozen_build.executable(folder.parent)


def run(program: Path, home: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = frozen_build.clean_environment(home)
    assert env["PATH"] == "" and "PYTHONHOME" not in env and "PYTHONPATH" not in env
    return subprocess.run([str(program), *arguments], env=env, cwd=home, capture_output=True, text=True,
                          timeout=180)


def test_the_folder_holds_every_resource(program: Path) -> None:
    internal = program.parent / "_internal"
    bundle = internal if internal.is_dir() else program.parent
    for relative in ("scenarios/christmas-market-mta.json", "resources/fonts/DejaVuSans.ttf",
                     "resources/icons/ctpn-desktop.svg", "ctpn_desktop/storage/migrations/env.py",
                     "ctpn_desktop/storage/migrations/versions/0001_initial_schema.py"):
        assert (bundle / relative).is_file(), relative
    sources = (ROOT / "resources" / "sounds")
    for sound in sources.glob("*") if sources.is_dir() else ():
        assert (bundle / "resources" / "sounds" / sound.name).is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop integration is Linux's")
def test_the_folder_installs_its_own_desktop_integration(program: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run(["sh", str(program.parent / "linux" / "install.sh")], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)})
    assert result.returncode == 0, result.stderr
    entry = (data / "applications" / "ctpn-desktop.desktop").read_text(encoding="utf-8")
    assert f'Exec="{program.resolve()}" %f' in entry.splitlines()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "ctpn-desktop.svg").is_file()


def test_demo_info_and_debrief_run_without_python(program: Path, tmp_path: Path) -> None:
    document = tmp_path / "demo.ctpn"
    made = run(program, tmp_path, "demo", str(document))
    assert made.returncode == 0, made.stderr
    info = run(program, tmp_path, "info", str(document), "--json")
    assert info.returncode == 0, info.stderr
    assert '"title": "Exercise WINTER LANTERN"' in info.stdout

    conduct_a_run(document)  # the demo has no run yet: conduct one so there is something to debrief

    output = tmp_path / "debrief.pdf"
    debrief = run(program, tmp_path, "debrief", str(document), "-o", str(output))
    assert debrief.returncode == 0, debrief.stderr
    text = "".join(page.extract_text() for page in PdfReader(output).pages)
    assert "Exercise WINTER LANTERN" in text
    assert LOGGED_TEXT in text.replace("\n", " ")


def test_an_exercise_is_encrypted_and_opened_with_its_passphrase(program: Path, tmp_path: Path) -> None:
    """SQLCipher's compiled part came into the folder: encrypting, then reading with the passphrase, works."""
    document = tmp_path / "demo.ctpn"
    assert run(program, tmp_path, "demo", str(document)).returncode == 0
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("frozen kestrel in the harbour\n", encoding="utf-8")
    encrypted = run(program, tmp_path, "encrypt", str(document), "--passphrase-file", str(passphrase))
    assert encrypted.returncode == 0, encrypted.stderr
    assert b"WINTER LANTERN" not in document.read_bytes()
    refused = run(program, tmp_path, "info", str(document))
    assert refused.returncode == 1 and "encrypted" in refused.stderr
    info = run(program, tmp_path, "info", str(document), "--json", "--passphrase-file", str(passphrase))
    assert info.returncode == 0, info.stderr
    assert '"title": "Exercise WINTER LANTERN"' in info.stdout


def test_a_foreign_file_is_refused_with_a_clear_message(program: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "notes.ctpn"
    foreign.write_text("not an exercise", encoding="utf-8")
    result = run(program, tmp_path, "info", str(foreign))
    assert result.returncode == 1
    assert "not an exercise file" in result.stderr


def test_the_window_paints_offscreen(program: Path, tmp_path: Path) -> None:
    env = {**frozen_build.clean_environment(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([str(program), "--benchmark-startup"], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("painted ")

"""Linux desktop integration: the menu entry, the icon and the .ctpn file type, installed into a scratch data folder."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ctpn_desktop.core.demo import make_demo_document

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop integration is Linux's")


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """Run the install script for a program in a folder whose name has a space, into a scratch XDG_DATA_HOME."""
    program = tmp_path / "CTPN Desktop" / "ctpn-desktop"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    data = tmp_path / "data"
    result = subprocess.run(["sh", str(LINUX / "install.sh"), str(program)], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)})
    assert result.returncode == 0, result.stderr
    return data


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils")
def test_desktop_entries_are_valid(installed: Path) -> None:
    for entry in (LINUX / "ctpn-desktop.desktop", installed / "applications" / "ctpn-desktop.desktop"):
        result = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_install_points_the_entry_at_the_program_and_adds_icons(installed: Path, tmp_path: Path) -> None:
    entry = (installed / "applications" / "ctpn-desktop.desktop").read_text(encoding="utf-8")
    assert f'Exec="{tmp_path}/CTPN Desktop/ctpn-desktop" %f' in entry.splitlines()
    assert "MimeType=application/x-ctpn;" in entry.splitlines()
    assert (installed / "icons" / "hicolor" / "scalable" / "apps" / "ctpn-desktop.svg").is_file()
    assert (installed / "icons" / "hicolor" / "scalable" / "mimetypes" / "application-x-ctpn.svg").is_file()
    assert (installed / "mime" / "packages" / "ctpn-desktop.xml").is_file()


def test_install_without_a_program_says_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(["sh", str(LINUX / "install.sh")], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "No ctpn-desktop program found" in result.stderr


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="needs shared-mime-info")
def test_documents_are_recognised_by_content_and_other_databases_are_not(installed: Path, tmp_path: Path) -> None:
    renamed = make_demo_document(tmp_path / "exercise.ctpn").rename(tmp_path / "from-usb-stick.bin")
    other = tmp_path / "other.bin"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text)")
    probe = textwrap.dedent(f"""
        from PySide6.QtCore import QMimeDatabase
        db = QMimeDatabase()
        for path in ({str(renamed)!r}, {str(other)!r}):
            print(db.mimeTypeForFile(path, QMimeDatabase.MatchMode.MatchContent).name())
        print(db.mimeTypeForFile("anything.ctpn", QMimeDatabase.MatchMode.MatchExtension).name())
    """)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={"XDG_DATA_HOME": str(installed), "XDG_DATA_DIRS": "/usr/share",
                                 "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)})
    ours, theirs, by_name = result.stdout.split()
    assert ours == "application/x-ctpn"
    assert theirs != "application/x-ctpn"
    assert by_name == "application/x-ctpn"

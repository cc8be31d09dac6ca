"""A full disk and a read-only medium, for real: a small tmpfs in a private mount namespace (needs root, as in CI).

Simulating the errors would only test the simulation; SQLite's own reaction to a full disk is what matters.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def can_mount() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return False
    probe = subprocess.run([unshare, "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not can_mount(), reason="needs root and mount namespaces (unshare -m) for a tmpfs")


def confined(check: str, disk: Path, size: str, *extra: Path) -> subprocess.CompletedProcess[str]:
    disk.mkdir()
    command = (f"mount -t tmpfs -o size={size} tmpfs '{disk}' && exec '{sys.executable}' -m tests.faults.confined "
               f"{check} '{disk}' " + " ".join(f"'{e}'" for e in extra))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["unshare", "-m", "sh", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_full_disk_refuses_every_write_clearly_and_loses_nothing(tmp_path: Path) -> None:
    result = confined("full-disk", tmp_path / "disk", "16m")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing lost, nothing left behind" in result.stdout


def test_a_read_only_medium_opens_read_only_with_a_banner(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    result = confined("read-only-medium", tmp_path / "stick", "8m", outside)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "opened read-only with a banner" in result.stdout
    assert (outside / "crashed-copy.ctpn").is_file()

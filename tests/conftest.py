"""Shared fixtures; every test runs offscreen and without touching the user's own settings."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = REPO.parent / "shared" / "testdata"
LIBRARY = REPO / "scenarios"


@pytest.fixture
def library_paths() -> list[Path]:
    return sorted(LIBRARY.glob("*.json"))


@pytest.fixture(autouse=True)
def _scratch_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, the device id and backups go to a scratch folder, never into the user's own folders."""
    monkeypatch.setenv("CTPN_CONFIG_DIR", str(tmp_path_factory.mktemp("user-folders")))

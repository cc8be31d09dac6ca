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

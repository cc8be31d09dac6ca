"""Small builders shared by the tests: a document made from a library scenario."""

from __future__ import annotations

from pathlib import Path

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import Document, create_document

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios"


def library_document(folder: Path, name: str = "christmas-market-mta.json") -> Document:
    scenario, blobs = read_scenario_file(LIBRARY / name)
    return create_document(folder / "exercise.ctpn", scenario, blobs)

"""A demo document made from the library, so a new user sees real content at once."""

from __future__ import annotations

from pathlib import Path

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder
from ctpn_desktop.core.services.document import create_document

DEMO_SCENARIO = "christmas-market-mta.json"


def make_demo_document(path: Path, scenario_file: Path | None = None, *, replace: bool = False) -> Path:
    """Create ``path`` from the demo scenario; an existing file is only replaced when asked to."""
    scenario, blobs = read_scenario_file(scenario_file or library_folder() / DEMO_SCENARIO)
    path = Path(path)
    if replace:
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
    create_document(path, scenario, blobs).close()
    return path

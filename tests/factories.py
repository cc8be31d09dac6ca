"""Small builders shared by the tests: a document made from a library scenario."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import Document, create_document

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios"


def library_document(folder: Path, name: str = "christmas-market-mta.json") -> Document:
    scenario, blobs = read_scenario_file(LIBRARY / name)
    return create_document(folder / "exercise.ctpn", scenario, blobs)


def undo_revision_0003(connection: sqlite3.Connection) -> None:
    """Give a new file the schema revision 0002 left (before syndicates and the programme), for migration tests."""
    for table in ("syndicate_answer", "syndicate_device", "syndicate"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("ALTER TABLE log_record DROP COLUMN syndicate_id")
    connection.execute("ALTER TABLE exercise DROP COLUMN programme")

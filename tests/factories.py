"""Small builders shared by the tests: a document made from a library scenario."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import Document, create_document
from ctpn_desktop.storage import fts

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "scenarios"


def library_document(folder: Path, name: str = "christmas-market-mta.json") -> Document:
    scenario, blobs = read_scenario_file(LIBRARY / name)
    return create_document(folder / "exercise.ctpn", scenario, blobs)


TABLES_AFTER_0001 = ("executive_summary", "improvement_action_revision", "hotwash_note_revision",
                     "observation_evidence", "observation_revision")
"""Tables that later revisions add (0003_evaluation), dropped to make a file look as revision 0001 left it."""


def make_revision_0001(connection: sqlite3.Connection) -> None:
    """Turn a current document into one with the schema of revision 0001, for migration tests."""
    for statement in fts.DROP_STATEMENTS:
        connection.execute(statement)
    for table in TABLES_AFTER_0001:
        connection.execute(f"DROP TABLE {table}")
    connection.execute("UPDATE alembic_version SET version_num = '0001'")

"""The title and marking of an exercise file, read with the standard library before the storage layer is loaded.

The window shows them (title bar and marking banners) in its first paint while the document itself opens. The
read is one query on a read-only connection: it never writes, never migrates, and says nothing (None) about a
file it cannot read — an encrypted, damaged or foreign file is explained by the real open that follows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class ExerciseGlance:
    title: str
    marking: str


def glance(path: Path) -> ExerciseGlance | None:
    """The exercise's title and marking, or None when the file is not a readable exercise."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None  # encrypted, truncated or not an exercise: nothing is shown before the real open
    except OSError:
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT title, marking FROM exercise LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if row is None or not isinstance(row[0], str) or not isinstance(row[1], str):
        return None
    return ExerciseGlance(title=row[0], marking=row[1])

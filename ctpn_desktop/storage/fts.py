"""Full-text search over the decision log: one FTS5 table kept in step with ``log_record`` by triggers.

The SQL lives here once and is used twice: by migration 0002 for older files and by an ``after_create`` hook on
the metadata for new files (``create_all`` then ``stamp head``), so a new file and a migrated one are identical.

The index keeps its own copy of the text (not an external-content table) because ``log_record`` has no
INTEGER PRIMARY KEY, and a rowid that VACUUM may renumber must not be what ties the index to the log. The
actions, stored as JSON, are indexed as "action owner" words so that searching for "owner" or "action" does
not match every entry that has one. Emoji and other symbols are token characters, diacritics are folded.
"""

from __future__ import annotations

from sqlalchemy import DDL, MetaData, event

FTS_TABLE = "log_record_fts"
INDEXED_COLUMNS = (
    "text", "rationale", "options_considered", "decision_maker", "organisation", "logged_by", "actions",
)


def _values(prefix: str) -> str:
    actions = (
        f"coalesce((SELECT group_concat(coalesce(json_extract(value, '$.action'), '') || ' ' || "
        f"coalesce(json_extract(value, '$.owner'), ''), ' ') FROM json_each({prefix}.actions) "
        f"WHERE json_valid({prefix}.actions)), '')"
    )
    plain = [f"{prefix}.{name}" for name in INDEXED_COLUMNS if name != "actions"]
    return ", ".join([f"{prefix}.id", *plain, actions])


_COLUMNS = ", ".join(["record_id", *INDEXED_COLUMNS])

CREATE_STATEMENTS: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(record_id UNINDEXED, "
    + ", ".join(INDEXED_COLUMNS)
    + ", tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co So'\")",
    f"CREATE TRIGGER log_record_fts_insert AFTER INSERT ON log_record BEGIN "
    f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) VALUES ({_values('new')}); END",
    f"CREATE TRIGGER log_record_fts_delete AFTER DELETE ON log_record BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE record_id = old.id; END",
    f"CREATE TRIGGER log_record_fts_update AFTER UPDATE ON log_record BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE record_id = old.id; "
    f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) VALUES ({_values('new')}); END",
)
"""Rows are insert-only; the delete and update triggers keep the index honest even after tampering."""

BACKFILL = f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) SELECT {_values('log_record')} FROM log_record"

DROP_STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS log_record_fts_update",
    "DROP TRIGGER IF EXISTS log_record_fts_delete",
    "DROP TRIGGER IF EXISTS log_record_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def attach_to(metadata: MetaData) -> None:
    """Create the index whenever ``metadata.create_all`` makes a new file."""
    for statement in CREATE_STATEMENTS:
        event.listen(metadata, "after_create", DDL(statement))

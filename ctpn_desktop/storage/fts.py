"""Full-text search over the decision log: one FTS5 table kept in step with ``log_record`` by triggers.

The SQL lives here once and is used twice: by migration 0002 for older files and by an ``after_create`` hook on
the metadata for new files (``create_all`` then ``stamp head``), so a new file and a migrated one are identical.

The index keeps its own copy of the text (not an external-content table) because ``log_record`` has no
INTEGER PRIMARY KEY, and a rowid that VACUUM may renumber must not be what ties the index to the log. The
actions, stored as JSON, are indexed as "action owner" words so that searching for "owner" or "action" does
not match every entry that has one. Emoji and other symbols are token characters, diacritics are folded.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import DDL, Column, ColumnElement, Connection, MetaData, String, Table, Text, and_, event, insert
from sqlalchemy.orm import Session

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
        event.listen(metadata, "after_create", DDL(statement).execute_if(dialect="sqlite"))


# PostgreSQL -------------------------------------------------------------------------------------------------
# A shared room on PostgreSQL has no FTS5. Each log record's searchable words are kept, folded the way FTS5's
# unicode61 tokenizer folds them here (letters, digits, private-use and other symbols are word characters;
# diacritics removed; case folded), in a side table written in the same transaction as the record. A search
# asks for every typed word as the start of a stored word, exactly as the FTS5 prefix query does.

TERMS_TABLE = "log_record_terms"
search_metadata = MetaData()
terms_table = Table(
    TERMS_TABLE, search_metadata,
    Column("record_id", String(36), primary_key=True),
    Column("run_id", String(36), nullable=False, index=True),
    Column("terms", Text, nullable=False),
)
"""Not part of the document's models: it exists only on PostgreSQL (made by migration 0002 there)."""


def _is_word_character(character: str) -> bool:
    category = unicodedata.category(character)
    return category[0] in "LN" or category in ("Co", "So")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def words_of(text: str) -> list[str]:
    """The folded words of ``text``, as the search index sees them."""
    words: list[str] = []
    current: list[str] = []
    for character in text:
        if _is_word_character(character):
            current.append(character)
        elif current:
            words.append(_fold("".join(current)))
            current = []
    if current:
        words.append(_fold("".join(current)))
    return [w for w in words if w]


def action_words(actions_json: str) -> str:
    """The actions and owners of a record's JSON list of actions, as words (not the JSON keys)."""
    try:
        actions = json.loads(actions_json or "[]")
    except ValueError:
        return ""
    if not isinstance(actions, list):
        return ""
    parts: list[str] = []
    for action in actions:
        if isinstance(action, dict):
            parts.extend(str(action.get(key) or "") for key in ("action", "owner"))
    return " ".join(parts)


def record_terms(values: Mapping[str, Any]) -> str:
    """A record's searchable words, space-separated with a space at each end (so ``LIKE '% word%'`` finds word
    starts)."""
    texts = [str(values.get(name) or "") for name in INDEXED_COLUMNS if name != "actions"]
    texts.append(action_words(str(values.get("actions") or "[]")))
    return " " + " ".join(word for text in texts for word in words_of(text)) + " "


def index_records(connection: Connection | Session, records: Iterable[Mapping[Any, Any]]) -> None:
    """Index new log records on PostgreSQL (SQLite's triggers do it there); a no-op on SQLite."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        return
    rows = [{"record_id": r["id"], "run_id": r["run_id"], "terms": record_terms(r)} for r in records]
    if rows:
        connection.execute(insert(terms_table), rows)


def terms_match(query_words: Sequence[str]) -> ColumnElement[bool]:
    """Records whose words start with every one of ``query_words`` (already folded)."""
    conditions = [terms_table.c.terms.like("% " + _escape_like(word) + "%", escape="\\") for word in query_words]
    return and_(*conditions)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""Full-text search over the decision log: one FTS5 table kept in step with ``log_record``.

The SQL lives here once. Migrations 0002 and 0008 use it for older files and an ``after_create`` hook on the
metadata for new files (``create_all`` then ``stamp head``), so a new file and a migrated one are identical.

The index keeps its own copy of the text (not an external-content table) because ``log_record`` has no
INTEGER PRIMARY KEY, and a rowid that VACUUM may renumber must not be what ties the index to the log. The
actions, stored as JSON, are indexed as "action owner" words so that searching for "owner" or "action" does
not match every entry that has one. Emoji and other symbols are token characters, diacritics are folded.

A new record is not indexed in the transaction a note-taker waits for: writing it into FTS5 wrote about as many
pages again as the record itself, and every few commits FTS5 merged its segments inside one. A trigger puts the
record's id in ``log_record_unindexed`` (one small page) instead, and `catch_up` indexes what is waiting once the
document is quiet, before a merge or write-back, and when it closes. A search meanwhile looks through what is
waiting with a temporary FTS5 table built from the same SQL, so it finds exactly what the index would.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    DDL,
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    and_,
    event,
    insert,
)
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
PENDING_TABLE = "log_record_unindexed"
_TOKENIZE = "tokenize = \"unicode61 remove_diacritics 2 categories 'L* N* Co So'\""
_FTS_COLUMNS = "record_id UNINDEXED, " + ", ".join(INDEXED_COLUMNS) + ", " + _TOKENIZE

CREATE_STATEMENTS: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_FTS_COLUMNS})",
    f"CREATE TRIGGER log_record_fts_insert AFTER INSERT ON log_record BEGIN "
    f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) VALUES ({_values('new')}); END",
    f"CREATE TRIGGER log_record_fts_delete AFTER DELETE ON log_record BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE record_id = old.id; END",
    f"CREATE TRIGGER log_record_fts_update AFTER UPDATE ON log_record BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE record_id = old.id; "
    f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) VALUES ({_values('new')}); END",
)
"""The index as migration 0002 made it, written in the inserting transaction (0008 turns it into `DEFERRED_STATEMENTS`).

Rows are insert-only; the delete and update triggers keep the index honest even after tampering."""

DEFERRED_STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER log_record_fts_insert",
    "DROP TRIGGER log_record_fts_delete",
    f"CREATE TABLE {PENDING_TABLE} (record_id VARCHAR(36) NOT NULL)",
    f"CREATE TRIGGER log_record_fts_insert AFTER INSERT ON log_record BEGIN "
    f"INSERT INTO {PENDING_TABLE} (record_id) VALUES (new.id); END",
    f"CREATE TRIGGER log_record_fts_delete AFTER DELETE ON log_record BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE record_id = old.id; DELETE FROM {PENDING_TABLE} WHERE record_id = old.id; END",
)
"""From migration 0008 on: a new record waits in `PENDING_TABLE` (no index: it is read whole and emptied)."""

UNDO_DEFERRED_STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER log_record_fts_insert",
    "DROP TRIGGER log_record_fts_delete",
    f"DROP TABLE {PENDING_TABLE}",
    CREATE_STATEMENTS[1],
    CREATE_STATEMENTS[2],
)

BACKFILL = f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) SELECT {_values('log_record')} FROM log_record"

DROP_STATEMENTS: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS log_record_fts_update",
    "DROP TRIGGER IF EXISTS log_record_fts_delete",
    "DROP TRIGGER IF EXISTS log_record_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)

CATCH_UP_CHUNK = 2000
"""Records indexed per statement by `catch_up`: the write lock is held a few milliseconds at a time."""

_WAITING_UP_TO = f"SELECT max(rowid) FROM (SELECT rowid FROM {PENDING_TABLE} ORDER BY rowid LIMIT {CATCH_UP_CHUNK})"
_INDEX_WAITING = (f"INSERT INTO {FTS_TABLE} ({_COLUMNS}) SELECT {_values('log_record')} FROM log_record "
                  f"WHERE log_record.id IN (SELECT record_id FROM {PENDING_TABLE} WHERE rowid <= ?)")
_FORGET_WAITING = f"DELETE FROM {PENDING_TABLE} WHERE rowid <= ?"
_ANY_WAITING = f"SELECT 1 FROM {PENDING_TABLE} LIMIT 1"
_WAITING_RECORDS = (f"SELECT {', '.join(['id', *INDEXED_COLUMNS])} FROM log_record "
                    f"WHERE id IN (SELECT record_id FROM {PENDING_TABLE})")


def _driver(connection: Connection | Session) -> Connection:
    return connection.connection() if isinstance(connection, Session) else connection


def is_waiting(connection: Connection | Session) -> bool:
    """Whether records wait to be indexed (SQLite only)."""
    return _driver(connection).exec_driver_sql(_ANY_WAITING).first() is not None


def catch_up(connection: Connection | Session, *, chunks: int | None = None) -> int:
    """Index the records that wait (all of them, or ``chunks`` times `CATCH_UP_CHUNK`), in the caller's
    transaction; how many were indexed.

    Run on the connection itself, not as a session statement: indexing is not a change anyone is told of."""
    driver = _driver(connection)
    done = 0
    while chunks is None or chunks > 0:
        upto = driver.exec_driver_sql(_WAITING_UP_TO).scalar()
        if upto is None:
            break
        done += driver.exec_driver_sql(_INDEX_WAITING, (upto,)).rowcount
        driver.exec_driver_sql(_FORGET_WAITING, (upto,))
        chunks = None if chunks is None else chunks - 1
    return done


def index_waiting(engine: Engine, *, stop: Callable[[], bool] = lambda: False) -> int:
    """Index what waits, one chunk to a commit so a note-taker's next entry never waits long for the file;
    how many records were indexed. ``stop`` is asked between commits."""
    done = 0
    while not stop():
        with engine.begin() as connection:
            done += catch_up(connection, chunks=1)
            if not is_waiting(connection):
                break
    return done


def waiting_matches(connection: Connection | Session, match: str) -> list[str]:
    """The ids of the records still waiting to be indexed that the FTS5 query ``match`` finds.

    They are indexed in a scratch database in memory with the same table, tokenizer and SQL as the document's
    index, so a search finds exactly what it will find once they are indexed, and nothing is written to the
    document (which may be read-only, or left with waiting records by a crash)."""
    waiting = _driver(connection).exec_driver_sql(_WAITING_RECORDS).fetchall()
    if not waiting:
        return []
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE TABLE log_record (id, {', '.join(INDEXED_COLUMNS)})")
        scratch.executemany(f"INSERT INTO log_record VALUES ({', '.join('?' * (1 + len(INDEXED_COLUMNS)))})",
                            [tuple(row) for row in waiting])
        scratch.execute(CREATE_STATEMENTS[0])
        scratch.execute(BACKFILL)
        return [record_id for (record_id,) in scratch.execute(
            f"SELECT record_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (match,))]
    finally:
        scratch.close()


def attach_to(metadata: MetaData) -> None:
    """Create the index whenever ``metadata.create_all`` makes a new file."""
    for statement in (*CREATE_STATEMENTS, *DEFERRED_STATEMENTS):
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
    """Index new log records now, in the caller's transaction: for copies and merges, which write many at once.

    PostgreSQL keeps their words; SQLite indexes every record that waits (these and any left before)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        catch_up(connection)
        return
    _store_terms(connection, records)


def note_new_records(connection: Connection | Session, records: Iterable[Mapping[Any, Any]]) -> None:
    """A note-taker's new records: PostgreSQL keeps their words in the same transaction; on SQLite the trigger
    has queued them for `catch_up`."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name == "postgresql":
        _store_terms(connection, records)


def _store_terms(connection: Connection | Session, records: Iterable[Mapping[Any, Any]]) -> None:
    rows = [{"record_id": r["id"], "run_id": r["run_id"], "terms": record_terms(r)} for r in records]
    if rows:
        connection.execute(insert(terms_table), rows)


def terms_match(query_words: Sequence[str]) -> ColumnElement[bool]:
    """Records whose words start with every one of ``query_words`` (already folded)."""
    conditions = [terms_table.c.terms.like("% " + _escape_like(word) + "%", escape="\\") for word in query_words]
    return and_(*conditions)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

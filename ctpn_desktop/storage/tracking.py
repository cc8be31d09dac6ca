"""Which tables a session wrote, told once its transaction has committed (or just before, for a notification
that must travel inside the transaction).

Hooked onto a `sessionmaker`, so every service's writes are seen: ORM objects added, changed or deleted, and
INSERT/UPDATE/DELETE statements executed through the session (ORM-enabled, or Core statements on a table).
Rows that carry a ``run_id`` (or are runs) name their run; a statement that changes rows without saying which
(an UPDATE with a WHERE clause) reports its runs as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # SQLAlchemy is imported when a document opens, not when the window first paints
    from sqlalchemy import Connection, CursorResult, Executable
    from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

_KEY = "ctpn_writes"


@dataclass
class Writes:
    """What one transaction wrote so far."""

    tables: set[str] = field(default_factory=set)
    run_ids: set[str] = field(default_factory=set)
    runs_unknown: bool = False
    keys: dict[str, set[str]] = field(default_factory=dict)
    """Per table, the primary keys of the rows written, while they are few and all known."""
    unkeyed: set[str] = field(default_factory=set)
    """Tables with rows written whose keys are not known (or too many to list)."""

    def add(self, table: str, values: Mapping[str, Any] | None) -> None:
        self.tables.add(table)
        if values is None:
            self.runs_unknown = True
            self._unkeyed(table)
            return
        run_id = values.get("id") if table == "run" else values.get("run_id")
        if isinstance(run_id, str):
            self.run_ids.add(run_id)
        key = values.get("id")
        if not isinstance(key, str):
            self._unkeyed(table)
        elif table not in self.unkeyed:
            keys = self.keys.setdefault(table, set())
            keys.add(key)
            if len(keys) > MAX_KEYS:
                self._unkeyed(table)

    def add_rows(self, table: str, rows: Sequence[Mapping[str, Any] | None]) -> None:
        """`add` for each row of one statement, in one pass (a re-time writes a thousand rows at once)."""
        if not rows:
            return
        self.tables.add(table)
        run_key = "id" if table == "run" else "run_id"
        keys: set[str] = set()
        keyed = table not in self.unkeyed
        for values in rows:
            if values is None:
                self.runs_unknown = True
                keyed = False
                continue
            run_id = values.get(run_key)
            if isinstance(run_id, str):
                self.run_ids.add(run_id)
            key = values.get("id")
            if not isinstance(key, str):
                keyed = False
            elif keyed:
                keys.add(key)
        if not keyed:
            self._unkeyed(table)
            return
        known = self.keys.setdefault(table, set())
        known |= keys
        if len(known) > MAX_KEYS:
            self._unkeyed(table)

    def add_keys(self, table: str, keys: Sequence[str]) -> None:
        """Rows of ``table`` (one without a run) written by their primary keys, named by the writer."""
        if not keys:
            return
        self.tables.add(table)
        if table in self.unkeyed:
            return
        known = self.keys.setdefault(table, set())
        known.update(keys)
        if len(known) > MAX_KEYS:
            self._unkeyed(table)

    def _unkeyed(self, table: str) -> None:
        self.unkeyed.add(table)
        self.keys.pop(table, None)


MAX_KEYS = 200
"""Beyond this many rows of a table in one transaction (a merge), listeners reload rather than look them up."""

CommitListener = Callable[[Writes], None]
BeforeCommit = Callable[["Session | Connection", Writes], None]
WriteCheck = Callable[[str], None]
"""Told the table before a row of it is written; raises to refuse the write (the transaction rolls back)."""


class DirectWrite:
    """A transaction on a Core connection that records what it writes, as a tracked session does.

    For the writes people wait on most (a log entry, a release): one statement, without the ORM's unit of work
    around it. What it wrote is told like a session's (see `Document.writing`)."""

    def __init__(self, connection: Connection, check_write: WriteCheck | None) -> None:
        self.connection = connection
        self.writes = Writes()
        self._check_write = check_write

    def execute(self, table: str, statement: Executable | Prepared, values: Mapping[str, Any]) -> CursorResult[Any]:
        """Write to ``table`` (checked first); the row's ``id`` and ``run_id`` in ``values`` name it."""
        if self._check_write is not None:
            self._check_write(table)
        if isinstance(statement, Prepared):
            result = statement.run(self.connection, values)
        else:
            result = self.connection.execute(statement, values)
        self.writes.add(table, values)
        return result

    def execute_many(self, table: str, statement: Prepared, rows: Sequence[Mapping[str, Any]], *,
                     keys: Sequence[str] | None = None) -> CursorResult[Any]:
        """Write ``rows`` to ``table`` with one statement run for each (checked first, recorded as `execute`);
        ``keys``, the rows' primary keys in a table without runs, saves looking for them in the rows."""
        if self._check_write is not None:
            self._check_write(table)
        result = statement.run_many(self.connection, rows)
        if keys is not None:
            self.writes.add_keys(table, keys)
        else:
            self.writes.add_rows(table, rows)
        return result


class Prepared:
    """A Core statement compiled once per dialect and handed to the driver with its parameters as they are.

    For a write made hundreds of times an hour whose values are plain strings, numbers and booleans (which both
    drivers take as they are): it skips SQLAlchemy's per-call parameter processing, but not its connection
    events (errors are still translated, a read-only document still refuses it)."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._compiled: dict[str, tuple[str, Callable[[Mapping[str, Any]], Any], dict[str, Any]]] = {}

    def _compile(self, connection: Connection) -> tuple[str, Callable[[Mapping[str, Any]], Any], dict[str, Any]]:
        compiled = self._statement.compile(dialect=connection.dialect)  # type: ignore[attr-defined]
        fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        parameters = (_positional(tuple(compiled.positiontup)) if compiled.positiontup is not None
                      else _named(tuple(compiled.binds)))
        found = self._compiled[connection.dialect.name] = (compiled.string, parameters, fixed)
        return found

    def run(self, connection: Connection, values: Mapping[str, Any]) -> CursorResult[Any]:
        """Run the statement with ``values`` for its named parameters (the constants in it are filled in)."""
        sql, parameters, fixed = self._compiled.get(connection.dialect.name) or self._compile(connection)
        if fixed:
            values = {**fixed, **values}
        return connection.exec_driver_sql(sql, parameters(values))

    def run_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> CursorResult[Any]:
        """Run the statement once for each of ``rows`` in one call to the driver (its executemany)."""
        sql, parameters, fixed = self._compiled.get(connection.dialect.name) or self._compile(connection)
        if fixed:
            rows = [{**fixed, **values} for values in rows]
        return connection.exec_driver_sql(sql, list(map(parameters, rows)))


def _named(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """The values of ``names`` as a mapping, for a driver that takes named parameters."""
    return lambda values: {name: values[name] for name in names}


def _positional(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """The values of ``names`` in order, as a tuple, picked in C (a re-time hands a thousand rows over)."""
    if len(names) == 1:
        (only,) = names
        return lambda values: (values[only],)
    if not names:
        return lambda _values: ()
    return cast(Callable[[Mapping[str, Any]], Any], itemgetter(*names))


def _writes(session: Session) -> Writes:
    writes = session.info.get(_KEY)
    if writes is None:
        writes = session.info[_KEY] = Writes()
    return writes


def _object_values(instance: Any) -> dict[str, Any]:
    return {"run_id": getattr(instance, "run_id", None), "id": getattr(instance, "id", None)}


def _statement_rows(state: ORMExecuteState) -> Sequence[Mapping[str, Any] | None]:
    parameters = state.parameters
    if isinstance(parameters, list | tuple):
        return [p if isinstance(p, Mapping) else None for p in parameters] or [None]
    if isinstance(parameters, Mapping) and parameters and not state.is_update and not state.is_delete:
        return [parameters]
    return [None]


def track_writes(sessions: sessionmaker[Session], on_commit: CommitListener, *,
                 before_commit: BeforeCommit | None = None, check_write: WriteCheck | None = None) -> None:
    """Tell ``on_commit`` what each committed transaction of ``sessions`` wrote (nothing for read-only ones);
    ``before_commit`` is given the same just before the commit, with everything flushed; ``check_write`` may
    refuse a write before it reaches the database."""
    from sqlalchemy import event

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if check_write is None:
            return
        for group in (session.new, session.dirty, session.deleted):
            for instance in group:
                table = getattr(instance, "__tablename__", None)
                if table:
                    check_write(table)

    def after_flush(session: Session, _context: Any) -> None:
        for group in (session.new, session.dirty, session.deleted):
            for instance in group:
                table = getattr(instance, "__tablename__", None)
                if table:
                    _writes(session).add(table, _object_values(instance))

    def do_orm_execute(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if not table:
            return
        if check_write is not None:
            check_write(table)
        _writes(state.session).add_rows(table, _statement_rows(state))

    def on_before_commit(session: Session) -> None:
        if before_commit is None:
            return
        session.flush()
        writes = session.info.get(_KEY)
        if writes is not None and writes.tables:
            before_commit(session, writes)

    def after_commit(session: Session) -> None:
        writes = session.info.pop(_KEY, None)
        if writes is not None and writes.tables:
            on_commit(writes)

    def after_rollback(session: Session) -> None:
        session.info.pop(_KEY, None)

    event.listen(sessions, "before_flush", before_flush)
    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "do_orm_execute", do_orm_execute)
    event.listen(sessions, "before_commit", on_before_commit)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)

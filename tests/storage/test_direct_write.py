"""The Core write path of the busiest writes: statements prepared once, writes checked and recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, func, insert, select

from ctpn_desktop.storage.tracking import DirectWrite, Prepared

metadata = MetaData()
entry = Table("entry", metadata, Column("id", String(36), primary_key=True), Column("run_id", String(36)),
              Column("number", Integer), Column("text", String))


def _numbered_insert() -> Prepared:
    """The next number of the run worked out in the statement, with a constant in it (the 1 added)."""
    highest = select(func.coalesce(func.max(entry.c.number), 0) + 1).where(entry.c.run_id == bindparam("run_id"))
    rows = select(bindparam("id", type_=String()), bindparam("run_id", type_=String()), highest.scalar_subquery(),
                  bindparam("text", type_=String()))
    return Prepared(insert(entry).from_select(["id", "run_id", "number", "text"], rows))


@pytest.mark.parametrize("paramstyle", ["qmark", "named"])
def test_a_prepared_statement_fills_in_its_constants_in_either_parameter_style(paramstyle: str) -> None:
    engine = create_engine("sqlite://", paramstyle=paramstyle)
    metadata.create_all(engine)
    statement = _numbered_insert()
    with engine.begin() as connection:
        for key, text in (("a", "first"), ("b", "second"), ("c", "third")):
            result = statement.run(connection, {"id": key, "run_id": "run-1", "text": text, "unused": object()})
            assert result.rowcount == 1
        statement.run(connection, {"id": "z", "run_id": "run-2", "text": "other run"})
        rows = connection.execute(select(entry.c.id, entry.c.number, entry.c.text).order_by(entry.c.id)).all()
    assert [tuple(row) for row in rows] == [("a", 1, "first"), ("b", 2, "second"), ("c", 3, "third"),
                                            ("z", 1, "other run")]


def test_a_refused_write_reaches_nothing_and_a_written_one_is_recorded() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    checked: list[str] = []

    def refuse_entries(table: str) -> None:
        checked.append(table)
        if table == "entry":
            raise PermissionError("this station may not write entries")

    with engine.connect() as connection:
        write = DirectWrite(connection, refuse_entries)
        with pytest.raises(PermissionError):
            write.execute("entry", insert(entry), {"id": "a", "run_id": "run-1", "number": 1, "text": "x"})
        assert checked == ["entry"] and not write.writes.tables
        assert connection.execute(select(func.count()).select_from(entry)).scalar() == 0
        connection.rollback()
        allowed = DirectWrite(connection, None)
        allowed.execute("entry", _numbered_insert(), {"id": "b", "run_id": "run-1", "text": "y"})
        assert allowed.writes.tables == {"entry"} and allowed.writes.keys == {"entry": {"b"}}
        assert allowed.writes.run_ids == {"run-1"}


@pytest.mark.parametrize("paramstyle", ["qmark", "named"])
def test_statements_of_one_parameter_or_none_run_one_by_one_and_many_at_once(paramstyle: str) -> None:
    engine = create_engine("sqlite://", paramstyle=paramstyle)
    metadata.create_all(engine)
    one = Prepared(insert(entry).values(id=bindparam("id"), run_id="run-1", number=7, text="same"))
    none = Prepared(entry.update().values(text="all read"))
    with engine.begin() as connection:
        assert one.run(connection, {"id": "a", "text": "ignored"}).rowcount == 1
        assert one.run_many(connection, [{"id": "b"}, {"id": "c"}]).rowcount == 2
        assert none.run(connection, {}).rowcount == 3
        rows = connection.execute(select(entry.c.id, entry.c.number, entry.c.text).order_by(entry.c.id)).all()
    assert [tuple(row) for row in rows] == [("a", 7, "all read"), ("b", 7, "all read"), ("c", 7, "all read")]

"""What a transaction is told it wrote: rows added one by one or a statement's rows at once say the same."""

from __future__ import annotations

import random

from ctpn_desktop.storage.tracking import MAX_KEYS, Writes


def _random_rows(rng: random.Random, count: int) -> list[dict[str, object] | None]:
    rows: list[dict[str, object] | None] = []
    for _ in range(count):
        pick = rng.random()
        if pick < 0.05:
            rows.append(None)
        elif pick < 0.15:
            rows.append({"row_id": f"x{rng.randrange(50)}"})
        else:
            rows.append({"id": f"r{rng.randrange(400)}", "run_id": rng.choice([None, "run-a", "run-b", 7])})
    return rows


def _state(writes: Writes) -> tuple[object, ...]:
    return (writes.tables, writes.run_ids, writes.runs_unknown, writes.keys, writes.unkeyed)


def test_a_statements_rows_at_once_are_recorded_as_one_by_one() -> None:
    rng = random.Random(20261204)
    for _ in range(300):
        one, batch = Writes(), Writes()
        for _statement in range(rng.randrange(1, 4)):
            table = rng.choice(["inject", "run", "log_entry"])
            rows = _random_rows(rng, rng.choice([0, 1, 3, 40, MAX_KEYS + 5]))
            for values in rows:
                one.add(table, values)
            batch.add_rows(table, rows)
        assert _state(batch) == _state(one)


def test_a_thousand_rows_without_keys_leave_the_table_unkeyed() -> None:
    writes = Writes()
    writes.add_rows("inject", [{"row_id": str(n), "new_offset": n} for n in range(1000)])
    assert writes.tables == {"inject"}
    assert writes.unkeyed == {"inject"}
    assert writes.keys == {}
    assert not writes.runs_unknown

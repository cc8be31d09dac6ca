"""The hashes of stored log records are pinned: a faster way of computing them must give the same bytes, or every
existing file's chain would stop verifying."""

from __future__ import annotations

import hashlib
import json
import random
from collections import namedtuple
from types import SimpleNamespace
from typing import Any

import pytest

from ctpn_desktop.core.services.log import HASHED_FIELDS, record_hash, verify_records
from ctpn_desktop.storage.orm import LogRecordRow

BASE: dict[str, Any] = dict(
    id="11111111-1111-4111-8111-111111111111", entry_id="22222222-2222-4222-8222-222222222222",
    run_id="33333333-3333-4333-8333-333333333333", revision=1, entry_number=7, device_id="laptop-a", chain_seq=1,
    logged_at="2027-12-12T17:05:00.000000+00:00", committed_at="2027-12-12T17:05:02.500000+00:00",
    exercise_s=300.0, scenario_time="2027-12-12T18:47:00", logged_by="Zoë Müller",
    decision_maker="Tactical Commander (Silver)", organisation="Police", kind="decision",
    text="Declare a major incident — Ζωή", rationale="M/ETHANE", options_considered="",
    actions='[{"action": "Inform partners", "owner": "Police"}]', inject_id=None, objective_ids="[]",
    jdm_stage=5, revision_reason="", withdrawn=False, prev_hash="0" * 64, syndicate_id=None)

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "plain": ({},
        "9f8177801364518e25e0c5ca102ecd9894620c702ca93dd143613f7f08ba3f77"),
    "syndicate": ({"syndicate_id": "44444444-4444-4444-8444-444444444444"},
        "2f9b49ea6370fa9c725df0e37c012a3fc20859dd39c4c334f3e8d5a5198d0c24"),
    "withdrawn correction": ({"revision": 2, "withdrawn": True, "revision_reason": "wrong cordon"},
        "44cfa68b709d2aef4ec05a86b974411cf4e54d597ee2ac931a2d87df9ac0b6df"),
    "stored as integers": ({"withdrawn": 1, "exercise_s": 12},
        "c725af756b4159d3bf63d3e36b7ce981608f11c5af34b4f7ec8b1926cf19bc2a"),
    "nothing optional": ({"scenario_time": None, "jdm_stage": None, "inject_id": None, "logged_by": ""},
        "510ed94b20ab42f162be2bbb2e0759a41fbf5c87b9893b0a4ac3dbe87ca30882"),
    "every kind of text": ({
        "text": 'Quotes " and \\ backslash, tab\t, newline\n, return\r, NUL \x00, bell \x07, DEL \x7f',
        "rationale": "شاهد 🚒 — emoji 👩🏽‍🚒, combining e\u0301, no-break\u00a0space, line sep \u2028 \u2029",
        "options_considered": "Private use \ue000, BOM \ufeff, CJK 緊急, astral 𝔘",
        "organisation": "</script><b>&amp;", "actions": "[]", "objective_ids": '["o-1", "o-2"]'},
        "a96d095a06656bdc6344b3205d0d783ac21dd75933db71f105eda73c2adc9141"),
    "fractions of a second": ({"exercise_s": 0.1 + 0.2, "chain_seq": 2, "prev_hash": "a" * 64},
        "cb472337d39f6aa2c35963cf80b0f5e2d3cab78e6eded89a6dde76199e275e8a"),
    "large and negative numbers": ({"exercise_s": -1e-7, "entry_number": 10**12, "jdm_stage": 0},
        "aa6af2dce809443125e684867e8bd98c63441ae352fd2e122fcaa507a6741f9b"),
    "values of the wrong type": ({"revision": "1", "entry_number": 7.0, "jdm_stage": "5", "withdrawn": "yes"},
        "d7c3eab6b0287bb5a195f0e7da576d14c49d3f6d2524454802268b76e639a25e"),
    "empty text": ({"text": "", "rationale": "", "device_id": ""},
        "000e8fa2749b137a0270e35460484fb0c9fd2c977387e6c5767a763375009f6e"),
}
"""Records as a file may hold them (the last but one was never written by the application but must hash as
before), each with the hash the application has always computed for it."""


def _record(changes: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, **changes}


Result = namedtuple("Result", [*HASHED_FIELDS, "hash", "syndicate_id"])  # type: ignore[misc]


@pytest.mark.parametrize("case", sorted(CASES))
def test_record_hashes_are_those_of_existing_files(case: str) -> None:
    changes, pinned = CASES[case]
    values = _record(changes)
    assert record_hash(SimpleNamespace(**values)) == pinned
    assert record_hash(Result(**values, hash="")) == pinned
    assert record_hash(LogRecordRow(**values)) == pinned


def test_a_record_without_a_syndicate_column_hashes_as_one_without_a_syndicate() -> None:
    values = _record({})
    del values["syndicate_id"]
    assert record_hash(SimpleNamespace(**values)) == CASES["plain"][1]


def test_a_pinned_chain_verifies_and_a_changed_record_does_not() -> None:
    first = SimpleNamespace(**_record({}))
    first.hash = record_hash(first)
    second = SimpleNamespace(**_record({"id": "55555555-5555-4555-8555-555555555555", "chain_seq": 2,
                                        "entry_number": 8, "prev_hash": first.hash}))
    second.hash = record_hash(second)
    assert verify_records([second, first]).ok
    second.text = second.text + "."
    report = verify_records([first, second])
    assert not report.ok and report.first_bad_entry_number == 8


def _hash_as_always(row: Any) -> str:
    """The hash as the application first computed it, field by field through `json.dumps`."""
    values = {name: getattr(row, name) for name in HASHED_FIELDS}
    values["exercise_s"] = repr(float(values["exercise_s"]))
    values["withdrawn"] = bool(values["withdrawn"])
    if getattr(row, "syndicate_id", None) is not None:
        values["syndicate_id"] = row.syndicate_id
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _random_text(rng: random.Random) -> str:
    planes = (0x7F, 0x800, 0xD7FF, 0x10FFFF)
    characters = []
    for _ in range(rng.randint(0, 40)):
        code = rng.randint(0, rng.choice(planes))
        if 0xD800 <= code <= 0xDFFF:  # lone surrogates cannot be stored
            code = 0x2028
        characters.append(chr(code))
    return "".join(characters)


class Text(str):
    """A string of another type than `str`, as a driver might return."""


def _random_value(rng: random.Random) -> object:
    return rng.choice((None, True, False, 0, -7, 10**20, 2.5, float("nan"), float("inf"), "", "7", Text("typed"),
                       _random_text(rng)))


def test_random_records_hash_as_they_always_have() -> None:
    rng = random.Random(14)
    texts = ("text", "rationale", "options_considered", "logged_by", "decision_maker", "organisation",
             "revision_reason", "actions", "device_id", "kind")
    for index in range(3000):
        values = _record({name: _random_text(rng) for name in texts})
        values["exercise_s"] = rng.choice((rng.random() * 10**rng.randint(-5, 8), rng.randint(0, 10**6), 0.0,
                                           float("nan"), float("-inf"), "12.5"))
        values["withdrawn"] = rng.choice((True, False, 0, 1))
        values["syndicate_id"] = rng.choice((None, "44444444-4444-4444-8444-444444444444", "", _random_text(rng)))
        values["jdm_stage"] = rng.choice((None, 1, 6))
        if index % 3 == 0:  # values of unexpected types, as a file edited by hand might hold
            for name in rng.sample(sorted(set(HASHED_FIELDS) - {"exercise_s", "withdrawn"}), 3):
                values[name] = _random_value(rng)
        row = SimpleNamespace(**values)
        assert record_hash(row) == _hash_as_always(row), values

"""Column choices saved for a header layout and offered for the next workbook with the same header."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.io.msel_mapping import MselField, detect_header, propose_sheet
from ctpn_desktop.core.io.msel_memory import MAX_FILE_BYTES, MappingMemory
from ctpn_desktop.core.io.msel_parse import parse_rows
from ctpn_desktop.core.io.msel_read import SourceSheet, read_table
from ctpn_desktop.core.io.msel_times import TimeBasis

from tests.core.io.msel_helpers import save_rows

LAYOUT = ("Ref", "Clock", "What happens", "Who", "Initials")


def week(number: int) -> SourceSheet:
    """This week's copy of an agency's MSEL: same header, other rows."""
    return SourceSheet("MSEL", (("EXERCISE HARBOUR LIGHTS – week " + str(number),), LAYOUT,
                                (f"W{number}-1", "0900", f"Week {number} opens", "Police", "JB"),
                                (f"W{number}-2", "0930", "Ferry stops", "Port", "SK")))


def corrected(memory: MappingMemory) -> None:
    """The designer's corrections of the first week, saved."""
    mapping = detect_header(week(1))
    assert mapping.fields.get(3) is MselField.EXTRA  # "What happens" names no field
    mapping.assign("C", MselField.TITLE)
    mapping.assign("E", None)
    mapping.time_basis = TimeBasis.CLOCK
    memory.remember(mapping, "harbour-week-1.xlsx", now=datetime(2026, 3, 2, 10, 15))


def test_choices_saved_for_a_layout_apply_to_the_next_workbook_of_that_layout(tmp_path: Path) -> None:
    memory = MappingMemory(tmp_path / "layouts")
    assert memory.fingerprints() == frozenset()
    corrected(memory)
    fresh = MappingMemory(tmp_path / "layouts")
    mapping = detect_header(week(2), memory=fresh)
    assert mapping.fields == {1: MselField.NUMBER, 2: MselField.TIME, 3: MselField.TITLE,
                              4: MselField.RECIPIENTS}
    assert mapping.time_basis is TimeBasis.CLOCK
    assert mapping.remembered == "the column choices saved on 02 Mar 2026 when 'harbour-week-1.xlsx' was imported"
    assert "layout seen before" in mapping.explanation
    injects = parse_rows(week(2), mapping).injects
    assert [(i.title, i.recipients, i.controller_notes) for i in injects] == [
        ("Week 2 opens", ("Police",), "Source ref: W2-1"), ("Ferry stops", ("Port",), "Source ref: W2-2")]


def test_other_layouts_are_detected_as_usual(tmp_path: Path) -> None:
    memory = MappingMemory(tmp_path)
    corrected(memory)
    other = SourceSheet("MSEL", (("Ref", "Clock", "What happens", "To"), ("1", "0900", "x", "Police")))
    mapping = detect_header(other, memory=memory)
    assert mapping.remembered == "" and mapping.fields[3] is MselField.EXTRA


def test_a_remembered_layout_is_found_even_where_detection_finds_no_header(tmp_path: Path) -> None:
    sheet = SourceSheet("S", (("Banner",), ("Ref", "What happens", "Colour"), ("1", "Phone the council", "red")))
    assert detect_header(sheet).header_row is None
    memory = MappingMemory(tmp_path)
    chosen = detect_header(sheet, header_row=2)
    chosen.assign("B", MselField.TITLE)
    memory.remember(chosen, "first.xlsx")
    again = detect_header(sheet, memory=memory)
    assert (again.header_row, again.fields[2]) == (2, MselField.TITLE)
    [inject] = parse_rows(sheet, again).injects
    assert (inject.number, inject.title, inject.controller_notes) == (1, "Phone the council", "Colour: red")


def test_propose_sheet_uses_the_memory(tmp_path: Path) -> None:
    memory = MappingMemory(tmp_path / "m")
    corrected(memory)
    path = save_rows(tmp_path / "week3.xlsx", [list(r) for r in week(3).rows])
    [candidate] = propose_sheet(read_table(path), memory)
    assert candidate.mapping.remembered and candidate.mapping.fields[3] is MselField.TITLE
    assert candidate.proposed


def test_forget_drops_the_choices(tmp_path: Path) -> None:
    memory = MappingMemory(tmp_path)
    corrected(memory)
    fingerprint = next(iter(memory.fingerprints()))
    memory.forget(fingerprint)
    assert memory.fingerprints() == frozenset() and memory.recall(fingerprint) is None
    assert detect_header(week(2), memory=memory).remembered == ""


@pytest.mark.parametrize("content", [
    b"", b"not json", b"[]", b'{"format": "other"}', b"\xff\xfe\x00",
    json.dumps({"format": "ctpn-msel-columns", "version": 2}).encode(),
    json.dumps({"format": "ctpn-msel-columns", "version": 1, "fingerprint": "0" * 20, "fields": {"A": "wrong"},
                "time_basis": "auto", "saved_at": "2026-01-01T00:00:00", "source": "x"}).encode(),
    json.dumps({"format": "ctpn-msel-columns", "version": 1, "fingerprint": "0" * 20, "fields": {"ZZZZ": None},
                "time_basis": "auto", "saved_at": "2026-01-01T00:00:00", "source": "x"}).encode(),
    json.dumps({"format": "ctpn-msel-columns", "version": 1, "fingerprint": "0" * 20, "fields": {},
                "time_basis": "sometimes", "saved_at": "yesterday", "source": "x"}).encode(),
    b"[" * 100_000,
])
def test_damaged_or_foreign_files_are_ignored(tmp_path: Path, content: bytes) -> None:
    memory = MappingMemory(tmp_path)
    corrected(memory)
    fingerprint = next(iter(memory.fingerprints()))
    (tmp_path / f"{fingerprint}.json").write_bytes(content)
    assert memory.recall(fingerprint) is None
    mapping = detect_header(week(2), memory=memory)
    assert mapping.remembered == "" and mapping.fields[3] is MselField.EXTRA


def test_an_oversized_file_is_not_read(tmp_path: Path) -> None:
    memory = MappingMemory(tmp_path)
    corrected(memory)
    fingerprint = next(iter(memory.fingerprints()))
    path = tmp_path / f"{fingerprint}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["source"] = "x" * MAX_FILE_BYTES
    path.write_text(json.dumps(document), encoding="utf-8")
    assert memory.recall(fingerprint) is None


def test_files_that_are_not_layouts_are_not_listed_and_bad_names_are_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / "../escape.json").resolve().write_text("{}")
    memory = MappingMemory(tmp_path)
    assert memory.fingerprints() == frozenset()
    assert memory.recall("../escape") is None
    memory.forget("../escape")
    assert (tmp_path / "../escape.json").resolve().exists()


def test_a_folder_that_cannot_be_written_raises_oserror(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("in the way")
    memory = MappingMemory(blocked / "layouts")
    mapping = detect_header(week(1))
    with pytest.raises(OSError):
        memory.remember(mapping, "x.xlsx")
    with pytest.raises(ValueError):
        memory.remember(detect_header(SourceSheet("S", ())), "x.xlsx")

"""Hostile archives and XML: zip bombs, entity bombs, deep nesting and part names pointing outside the archive are
refused with a clear SpreadsheetError before openpyxl parses anything; hostile JSON gets a ScenarioFormatError.

An XLSX file is a zip archive of XML parts, the only archive this application imports (scenario files carry
attachments as base64 inside the JSON).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from ctpn_desktop.core.errors import ScenarioFormatError, SpreadsheetError
from ctpn_desktop.core.io import msel_read
from ctpn_desktop.core.io.msel_read import read_table
from ctpn_desktop.core.io.scenario_json import parse_scenario_text

from ctpn_desktop.cli import main as cli

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Time", "Title", "Description"])
    sheet.append(["09:00", "Caller reports smoke", "Smoke seen at the north entrance"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rebuilt(tmp_path: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None,
            name: str = "msel.xlsx") -> Path:
    """A copy of a valid workbook with parts changed (None drops a part) and parts added."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.namelist():
            data = change(part, source.read(part))
            if data is not None:
                target.writestr(part, data)
        for part, data in (extra or {}).items():
            target.writestr(part, data)
    return path


def body(data: bytes) -> bytes:
    """A part without its XML declaration, so a prolog can be put in front."""
    return data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data


SHARED_STRINGS = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                  b"<si><t>Title</t></si></sst>")


def refused(path: Path, *words: str) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(path)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def test_a_valid_workbook_still_reads(tmp_path: Path) -> None:
    workbook = read_table(rebuilt(tmp_path, lambda _part, data: data))
    assert workbook.sheets[0].cell(2, 2) == "Caller reports smoke"


def test_a_part_that_expands_a_thousandfold_is_a_zip_bomb(tmp_path: Path) -> None:
    bomb = b"<sheetData>" + b" " * (24 * 1024 * 1024) + b"</sheetData>"
    path = rebuilt(tmp_path, lambda part, data: data, {"xl/media/padding.xml": bomb})
    assert path.stat().st_size < 200_000
    refused(path, "zip bomb")


def test_sizes_claimed_by_the_archive_are_refused_before_anything_is_expanded(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = rebuilt(tmp_path, lambda part, data: data)
    raw = bytearray(path.read_bytes())
    # Claim 700 MB for every part in the central directory, where readers learn the sizes.
    position = raw.find(b"PK\x01\x02")
    while position != -1:
        struct.pack_into("<I", raw, position + 24, 700 * 1024 * 1024)
        position = raw.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(raw))
    opened: list[str] = []
    original_open = zipfile.ZipFile.open

    def watching_open(self: zipfile.ZipFile, name: object, *args: object, **kwargs: object) -> object:
        opened.append(str(name))
        return original_open(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", watching_open)
    refused(path, "zip bomb")
    assert opened == [], "parts were expanded before the sizes were checked"


def test_many_parts_adding_up_beyond_any_msel_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msel_read, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    parts = {f"xl/media/part{index}.bin": bytes(range(256)) * 2048 for index in range(6)}  # 3 MB, barely compressible
    refused(rebuilt(tmp_path, lambda part, data: data, parts), "zip bomb")


def laughs(levels: int = 10) -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(levels))
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'.encode()


def test_billion_laughs_in_the_shared_strings_is_refused(tmp_path: Path) -> None:
    strings = laughs() + SHARED_STRINGS.replace(b"<t>Title</t>", b"<t>&lol9;</t>")
    refused(rebuilt(tmp_path, lambda part, data: data, {STRINGS: strings}), STRINGS, "document type (DTD)")


def test_billion_laughs_in_a_sheet_is_refused(tmp_path: Path) -> None:
    def change(part: str, data: bytes) -> bytes:
        return laughs() + body(data).replace(b"Caller reports smoke", b"&lol9;", 1) if part == SHEET else data

    refused(rebuilt(tmp_path, change), SHEET, "document type (DTD)")


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    def change(part: str, data: bytes) -> bytes:
        if part == SHEET:
            text = body(data).replace(b"Caller reports smoke", b"&secret;", 1)
            return b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' + text
        return data

    refused(rebuilt(tmp_path, change), SHEET, "DTD")


def test_a_dtd_in_any_part_is_refused_even_without_entities(tmp_path: Path) -> None:
    def change(part: str, data: bytes) -> bytes:
        return b'<?xml version="1.0"?><!DOCTYPE Types>' + body(data) if part == "[Content_Types].xml" else data

    refused(rebuilt(tmp_path, change), "[Content_Types].xml", "DTD")


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", STRINGS])
def test_deeply_nested_xml_is_refused(tmp_path: Path, part: str) -> None:
    depth = 20_000
    nested = b"<x>" * depth + b"</x>" * depth

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        root_end = data.index(b">") + 1  # just inside the root element
        return data[:root_end] + nested + data[root_end:]

    refused(rebuilt(tmp_path, change, {STRINGS: change(STRINGS, SHARED_STRINGS)}), part, "nests elements more than")


@pytest.mark.parametrize("name", ["../../../home/user/.bashrc", "/etc/cron.d/evil", "xl\\..\\..\\evil.xml",
                                  "C:/Windows/evil.xml", "xl/../../evil.xml"])
def test_part_names_pointing_outside_the_archive_are_refused(tmp_path: Path, name: str) -> None:
    path = rebuilt(tmp_path, lambda part, data: data, {name: b"<x/>"})
    refused(path, "points outside the workbook")


def test_an_encrypted_part_is_refused(tmp_path: Path) -> None:
    path = rebuilt(tmp_path, lambda part, data: data)
    raw = bytearray(path.read_bytes())
    position = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, position + 8, struct.unpack_from("<H", raw, position + 8)[0] | 0x1)
    path.write_bytes(bytes(raw))
    refused(path, "encrypted")


def test_the_command_line_refuses_a_bomb_and_leaves_the_document_alone(tmp_path: Path, capsys) -> None:
    bomb = rebuilt(tmp_path, lambda part, data: laughs() + body(data) if part == SHEET else data)
    document = tmp_path / "exercise.ctpn"
    assert cli(["demo", str(document)]) == 0
    before = document.read_bytes()
    capsys.readouterr()
    assert cli(["msel", "import", str(bomb), str(document)]) == 1
    assert "DTD" in capsys.readouterr().err
    assert document.read_bytes() == before


def test_json_nested_without_end_is_a_clear_scenario_error() -> None:
    with pytest.raises(ScenarioFormatError, match=r"nested too deeply|not valid JSON"):
        parse_scenario_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(ScenarioFormatError):
        parse_scenario_text('{"format": "ctpn-scenario", "version": 1, "exercise": ' + "{\"a\":" * 50_000 + "1"
                            + "}" * 50_001)


def test_a_part_whose_stored_name_is_garbled_is_a_damaged_workbook(tmp_path: Path) -> None:
    """Found by fuzzing: the local header of a part disagreeing with the index in undecodable bytes."""
    path = rebuilt(tmp_path, lambda part, data: data, {"xl/media/café.xml": b"<x/>"})
    raw = path.read_bytes()
    local = raw.find("xl/media/café.xml".encode())  # the first copy of the name is the local header's
    garbled = raw[:local + 13] + b"\xcf\xcf" + raw[local + 15:]
    path.write_bytes(garbled)
    refused(path, "damaged")


@pytest.mark.parametrize("cols", [
    b'<col min="1" max="999999999999" hidden="1"/>',
    b'<col min="-5" max="3" hidden="true"/>',
    b'<col min="9" max="2" hidden="1"/><col min="x" max="y" hidden="1"/><col hidden="1"/>',
    b'<col min="2" max="2" hidden="1"/>' * 50_000,
    b'<col min="2" max="2" hidden="1" ' + b'a="b" ' * 500 + b'/>',
])
def test_hostile_column_settings_are_read_within_the_columns_read(tmp_path: Path, cols: bytes) -> None:
    def change(part: str, data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b"<cols>" + cols + b"</cols><sheetData>", 1) if part == SHEET else data

    try:
        sheet = read_table(rebuilt(tmp_path, change)).sheets[0]
    except SpreadsheetError as refusal:  # what openpyxl itself cannot read is refused, clearly
        assert "cannot be read as an XLSX workbook" in str(refusal)
        return
    assert sheet.hidden_columns <= frozenset(range(1, msel_read.MAX_COLUMNS + 1))
    assert sheet.cell(2, 2) == "Caller reports smoke"


def test_a_header_merged_across_every_column_excel_has_names_only_the_columns_read(tmp_path: Path) -> None:
    from ctpn_desktop.core.io.msel_mapping import detect_header, propose_sheet
    from ctpn_desktop.core.io.msel_parse import parse_rows

    def change(part: str, data: bytes) -> bytes:
        if part != SHEET:
            return data
        merges = b'<mergeCells count="2"><mergeCell ref="B1:XFD1"/><mergeCell ref="A2:XFD1048576"/></mergeCells>'
        return data.replace(b"</sheetData>", b"</sheetData>" + merges, 1)

    workbook = read_table(rebuilt(tmp_path, change))
    sheet = workbook.sheets[0]
    mapping = detect_header(sheet, header_row=1)
    assert max(mapping.headers) <= msel_read.MAX_COLUMNS
    parse_rows(sheet, mapping)
    propose_sheet(workbook)


def test_the_command_line_explains_a_foreign_workbook_and_leaves_the_document_alone(tmp_path: Path,
                                                                                   capsys) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Send an SMS", "J-60", "team1"])
    book.active.append(["Send a mail", "J+1 H+2", "team2"])
    foreign = tmp_path / "checklist.xlsx"
    book.save(foreign)
    document = tmp_path / "exercise.ctpn"
    assert cli(["demo", str(document)]) == 0
    before = document.read_bytes()
    capsys.readouterr()
    assert cli(["msel", "import", "--all-sheets", str(foreign), str(document)]) == 1
    assert "No header row was found in rows 1–2 of sheet 'Sheet' (the whole sheet)" in capsys.readouterr().err
    assert document.read_bytes() == before

"""Reading MSEL spreadsheets (XLSX and CSV) into plain grids of cells, before any meaning is given to them.

Reading needs no exercise document, so the import dialog can show a file's sheets and a preview while the
document stays untouched. Exercise teams send files from every kind of tool, so every way a file can be
wrong (too big, not a spreadsheet, password-protected, a zip bomb, an unknown encoding) ends in a
`SpreadsheetError` that says what to do, never in a crash or an exhausted machine.

Cells keep their types (text, numbers, dates, times, durations) because the meaning of a number depends
on its column: 0.5 is noon in a time column. Two things that openpyxl's fast read-only mode does not give
are recovered from the sheet XML: merged ranges (a value merged down over several rows is copied into the
rows it covers, as a person reading the sheet would) and formulas that have no saved result (reported by
the parser instead of silently reading as empty).
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from xml.etree import ElementTree
from xml.parsers import expat

from ctpn_desktop.core.errors import SpreadsheetError

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Files larger than this are refused: a real MSEL is a few hundred kilobytes."""
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
"""An XLSX whose parts expand to more than this is treated as a zip bomb."""
MAX_COMPRESSION_RATIO = 400
MAX_XML_DEPTH = 48
"""Elements nested deeper than this are refused; a real workbook part nests fewer than a dozen deep."""
DEPTH_CHECKED_BYTES = 16 * 1024 * 1024
"""XML parts up to this size are checked for nesting in full; every part is checked for a DTD."""
MAX_ROWS = 100_000
"""Rows read per sheet; enough for any MSEL (50,000 rows are read in a few seconds)."""
MAX_COLUMNS = 256

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CSV_DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 4 * 1024 * 1024
_OVERLAP = 64 * 1024

_MERGE_RE = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"'
)
_FORMULA_RE = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d{1,7})"[^>]*>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]{0,8192})</)'
)
_ERROR_CELL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\st="e"[^>]*>')
_COLUMN_RE = re.compile(rb'<(?:\w+:)?col\b([^>]{0,400})>')
_COLUMN_ATTR_RE = re.compile(rb'\b(min|max|hidden)="([^"]{0,12})"')
_REF_RE = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
_XML_ENTITIES = {b"&lt;": b"<", b"&gt;": b">", b"&quot;": b'"', b"&apos;": b"'", b"&amp;": b"&"}


@dataclass(frozen=True, slots=True)
class FormulaCell:
    """A formula whose result was never saved in the file (written by a program that does not calculate)."""

    formula: str


@dataclass(frozen=True, slots=True)
class ErrorCell:
    """A cell showing a spreadsheet error such as ``#REF!``, as opposed to text that happens to read so."""

    code: str


CellValue = str | int | float | bool | datetime | date | time | timedelta | FormulaCell | ErrorCell | None


@dataclass(frozen=True, slots=True)
class MergedRange:
    """A merged block of cells, 1-based and inclusive, as a spreadsheet shows it."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def ref(self) -> str:
        first = f"{column_letter(self.min_col)}{self.min_row}"
        return f"{first}:{column_letter(self.max_col)}{self.max_row}"


@dataclass(frozen=True, slots=True)
class SourceSheet:
    """One sheet as a grid of cell values; row and column numbers are 1-based like the spreadsheet's."""

    name: str
    rows: tuple[tuple[CellValue, ...], ...]
    merged: tuple[MergedRange, ...] = ()
    hidden: bool = False
    truncated_rows: bool = False
    truncated_columns: bool = False
    hidden_columns: frozenset[int] = frozenset()
    """Columns the workbook hides (1-based); their cells are read like any other, and the import says so."""

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def column_count(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def row(self, row: int) -> tuple[CellValue, ...]:
        return self.rows[row - 1] if 1 <= row <= len(self.rows) else ()

    def cell(self, row: int, column: int) -> CellValue:
        values = self.row(row)
        return values[column - 1] if 1 <= column <= len(values) else None


@dataclass(frozen=True, slots=True)
class SourceWorkbook:
    """Everything read from one file; ``notes`` says what was guessed (encoding, delimiter) or cut."""

    path: str
    kind: Literal["xlsx", "csv"]
    sheets: tuple[SourceSheet, ...]
    encoding: str = ""
    delimiter: str = ""
    notes: tuple[str, ...] = ()

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(sheet.name for sheet in self.sheets)

    def sheet(self, name: str) -> SourceSheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


def _openpyxl() -> ModuleType:
    """openpyxl, imported when a spreadsheet is first read, not when the editor that can import one opens."""
    import openpyxl
    import openpyxl.utils.cell

    return openpyxl


def column_letter(column: int) -> str:
    """The spreadsheet's name of a 1-based column number (1 → A, 28 → AB)."""
    return _openpyxl().utils.cell.get_column_letter(column)


def column_number(letter: str) -> int:
    """The 1-based number of a column letter ("AB" → 28)."""
    return _openpyxl().utils.cell.column_index_from_string(letter.strip().upper())


def read_table(path: Path | str) -> SourceWorkbook:
    """Read an XLSX workbook or a CSV file into sheets of cells, refusing anything that is not one.

    The file's content decides how it is read (a workbook saved with a .csv name is still read as a
    workbook); the name only decides which files are offered at all.
    """
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SpreadsheetError(where, "is an old-format Excel .xls file: open it in Excel or LibreOffice, "
                                      "save it as .xlsx (or .csv) and import that")
    if suffix in {".ods", ".numbers"}:
        raise SpreadsheetError(where, f"{suffix} spreadsheets cannot be imported: save it as .xlsx or .csv")
    if suffix not in XLSX_SUFFIXES | CSV_SUFFIXES:
        raise SpreadsheetError(where,
                               "is not a spreadsheet this application reads: choose an .xlsx or .csv file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpreadsheetError(where, f"is {size / 1024 / 1024:.0f} MB; spreadsheets larger than "
                                          f"{MAX_FILE_BYTES // 1024 // 1024} MB are not imported")
        if size == 0:
            raise SpreadsheetError(where, "is empty")
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise SpreadsheetError(where, f"cannot be read: {error.strerror or error}") from error
    if head.startswith(_OLE_MAGIC):
        raise SpreadsheetError(where,
                               "is a password-protected (encrypted) workbook or an old-format .xls file: "
                                      "remove the password or save it as .xlsx, then import it again")
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if suffix in XLSX_SUFFIXES:
        raise SpreadsheetError(where,
                               "is not an XLSX workbook (it is not a zip archive); if it is a CSV file, "
                                      "give it a .csv name")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpreadsheetError(where, f"cannot be read: {error.strerror or error}") from error
    return _read_csv(path, raw)


# ---------------------------------------------------------------------------------------------- XLSX


@dataclass(frozen=True, slots=True)
class _SheetPart:
    name: str
    part: str
    hidden: bool


_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> bool:
    """A part name that would point outside the archive if it were ever extracted."""
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in parts
            or bool(_DRIVE_RE.match(name)))


class _XmlRefused(Exception):
    pass


class _PrologOver(Exception):
    """The root element began: a DTD can no longer follow, so a large part need not be read further."""


def _check_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a DTD (entity expansion: "billion laughs", external entities) in any XML part and nesting deeper
    than any workbook needs, before openpyxl parses anything. Malformed XML is left for openpyxl to report."""
    parser = expat.ParserCreate()
    depth = 0
    check_depth = info.file_size <= DEPTH_CHECKED_BYTES

    def refuse_dtd(*_args: object) -> None:
        raise _XmlRefused(f"part {info.filename} declares a document type (DTD) with entities: refused, as "
                          "workbooks never need one and it can expand without end")

    def start(*_args: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise _XmlRefused(f"part {info.filename} nests elements more than {MAX_XML_DEPTH} deep: refused as a "
                              "possible XML bomb")
        if not check_depth:
            raise _PrologOver

    def end(*_args: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1024 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (_PrologOver, expat.ExpatError):
        return


def _check_archive(archive: zipfile.ZipFile, where: str) -> None:
    total = 0
    names = set()
    infos = archive.infolist()
    for info in infos:
        names.add(info.filename)
        if _unsafe_name(info.filename):
            raise SpreadsheetError(where, f"contains a part named {info.filename[:120]!r} that points outside the "
                                          "workbook: refused")
        if info.flag_bits & 0x1:
            raise SpreadsheetError(where, "is an encrypted zip archive, not a workbook Excel can open")
        total += info.file_size
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 10 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            raise SpreadsheetError(where,
                                   f"part {info.filename} expands {ratio}"
                                          " times: refused as a possible zip bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(where,
                               f"expands to {total // 1024 // 1024} MB: refused as a possible zip bomb "
                                      "(or far larger than any MSEL)")
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(where, "is a zip archive but not an Excel workbook (no xl/workbook.xml)")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            try:
                _check_xml_part(archive, info)
            except _XmlRefused as refusal:
                raise SpreadsheetError(where, str(refusal)) from None
            except (zlib.error, zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as error:
                raise SpreadsheetError(where, f"is not a valid XLSX workbook (part {info.filename[:120]} is damaged: "
                                              f"{error})") from error


def _sheet_parts(archive: zipfile.ZipFile) -> list[_SheetPart]:
    """Sheet names, XML parts and visibility, read from the workbook's own index."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return []
    targets: dict[str, str] = {}
    for rel in rels.iter(f"{pkg}Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            targets[rel.get("Id", "")] = target.lstrip("/")
        else:
            targets[rel.get("Id", "")] = posixpath.normpath(posixpath.join("xl", target))
    parts = []
    for sheet in book.iter(f"{main}sheet"):
        part = targets.get(sheet.get(f"{rel_ns}id", ""))
        if part:
            parts.append(_SheetPart(sheet.get("name", ""), part, sheet.get("state", "visible") != "visible"))
    return parts


def _unescape(raw: bytes) -> str:
    for entity, char in _XML_ENTITIES.items():
        raw = raw.replace(entity, char)
    return raw.decode("utf-8", errors="replace")


@dataclass(slots=True)
class _SheetScan:
    """What the sheet XML says that openpyxl's read-only values do not."""

    merged: list[MergedRange] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: set[tuple[int, int]] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


def _hidden_columns(attributes: bytes) -> range:
    """The columns a ``<col min= max= hidden=>`` element hides, cut to the columns that are read."""
    values: dict[bytes, bytes] = dict(_COLUMN_ATTR_RE.findall(attributes))
    if values.get(b"hidden", b"0").lower() not in {b"1", b"true"}:
        return range(0)
    try:
        first = int(values.get(b"min", b"0"))
        last = int(values.get(b"max", values.get(b"min", b"0")))
    except ValueError:
        return range(0)
    return range(max(first, 1), min(last, MAX_COLUMNS) + 1)


def _coordinate(column: bytes, row: bytes) -> tuple[int, int]:
    return int(row), column_number(column.decode())


def _scan_sheet_xml(archive: zipfile.ZipFile, part: str) -> _SheetScan:
    """Merged ranges, formula cells and error cells of one sheet, found by streaming over its XML."""
    scan = _SheetScan()

    def take(buffer: bytes, limit: int) -> None:
        for match in _MERGE_RE.finditer(buffer):
            if match.start() >= limit:
                break
            c1, r1, c2, r2 = match.groups()
            (row1, col1), (row2, col2) = _coordinate(c1, r1), _coordinate(c2 or c1, r2 or r1)
            scan.merged.append(MergedRange(row1, col1, row2, col2))
        for match in _FORMULA_RE.finditer(buffer):
            if match.start() >= limit:
                break
            column, row, attrs, text = match.groups()
            formula = "=" + _unescape(text) if text else ("=(shared formula)" if b"shared" in attrs else "=")
            scan.formulas[_coordinate(column, row)] = formula
        for match in _ERROR_CELL_RE.finditer(buffer):
            if match.start() >= limit:
                break
            where = _REF_RE.search(match.group(0))
            if where:
                scan.errors.add(_coordinate(*where.groups()))
        for match in _COLUMN_RE.finditer(buffer):
            if match.start() >= limit:
                break
            scan.hidden_columns.update(_hidden_columns(match.group(1)))

    try:
        with archive.open(part) as source:
            carry = b""
            while True:
                chunk = source.read(_CHUNK)
                buffer = carry + chunk
                if not chunk:
                    take(buffer, len(buffer))
                    break
                cut = max(len(buffer) - _OVERLAP, 0)
                take(buffer, cut)
                carry = buffer[cut:]
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return _SheetScan()
    return scan


def _clean(value: object) -> CellValue:
    if value is None or isinstance(value, str | int | float | bool | date | time | timedelta):
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return str(value)


def _read_xlsx(path: Path) -> SourceWorkbook:
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, where)
            parts = {p.name: p for p in _sheet_parts(archive)}
            scans = {name: _scan_sheet_xml(archive, p.part) for name, p in parts.items()}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as error:
        raise SpreadsheetError(where,
                               f"is not a valid XLSX workbook (damaged zip archive: {error})") from error
    except OSError as error:
        raise SpreadsheetError(where, f"cannot be read: {error.strerror or error}") from error
    notes: list[str] = []
    sheets: list[SourceSheet] = []
    try:
        with warnings.catch_warnings(), path.open("rb") as handle:
            warnings.simplefilter("ignore")
            book = _openpyxl().load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            try:
                for worksheet in book.worksheets:
                    part = parts.get(worksheet.title)
                    sheet = _read_worksheet(worksheet, scans.get(worksheet.title) or _SheetScan(),
                                            bool(part and part.hidden))
                    if sheet.truncated_rows:
                        notes.append(f"Sheet '{sheet.name}': only the first {MAX_ROWS:,} rows were read.")
                    if sheet.truncated_columns:
                        notes.append(f"Sheet '{sheet.name}': only the first {MAX_COLUMNS} columns were read.")
                    sheets.append(sheet)
            finally:
                book.close()
    except SpreadsheetError:
        raise
    except Exception as error:  # openpyxl raises many kinds on damaged files; all mean "cannot be read"
        raise SpreadsheetError(where, f"cannot be read as an XLSX workbook: {error}") from error
    if not sheets:
        raise SpreadsheetError(where, "has no worksheets")
    return SourceWorkbook(where, "xlsx", tuple(sheets), notes=tuple(notes))


def _read_worksheet(worksheet: Any, scan: _SheetScan, hidden: bool) -> SourceSheet:
    worksheet.reset_dimensions()  # trust the cells, not the size the file states
    rows: list[tuple[CellValue, ...]] = []
    truncated_rows = truncated_columns = False
    values_iter: Iterator[tuple[object, ...]] = worksheet.iter_rows(values_only=True)
    for index, values in enumerate(values_iter, start=1):
        if index > MAX_ROWS:
            if any(v is not None for v in values[:MAX_COLUMNS]) or any(
                any(v is not None for v in rest[:MAX_COLUMNS]) for rest in values_iter
            ):
                truncated_rows = True
            break
        if len(values) > MAX_COLUMNS:
            truncated_columns = truncated_columns or any(v is not None for v in values[MAX_COLUMNS:])
            values = values[:MAX_COLUMNS]
        row = [_clean(v) for v in values]
        if scan.formulas or scan.errors:
            for column in range(1, len(row) + 1):
                formula = scan.formulas.get((index, column))
                if formula is not None and row[column - 1] is None:
                    row[column - 1] = FormulaCell(formula)
                elif (index, column) in scan.errors and isinstance(row[column - 1], str):
                    row[column - 1] = ErrorCell(str(row[column - 1]))
        while row and row[-1] is None:
            row.pop()
        rows.append(tuple(row))
    _fill_merged_down(rows, scan.merged)
    while rows and not rows[-1]:
        rows.pop()
    return SourceSheet(worksheet.title, tuple(rows), tuple(scan.merged), hidden, truncated_rows,
                       truncated_columns, frozenset(scan.hidden_columns))


def _fill_merged_down(rows: list[tuple[CellValue, ...]], merged: list[MergedRange]) -> None:
    """Copy the value of a cell merged over several rows into each row it covers (its first column)."""
    for block in merged:
        if block.max_row <= block.min_row or block.min_row > len(rows) or block.min_col > MAX_COLUMNS:
            continue
        top = rows[block.min_row - 1]
        value = top[block.min_col - 1] if block.min_col <= len(top) else None
        if value is None:
            continue
        for row_number in range(block.min_row + 1, min(block.max_row, len(rows)) + 1):
            row = list(rows[row_number - 1])
            if len(row) < block.min_col:
                row.extend([None] * (block.min_col - len(row)))
            if row[block.min_col - 1] is None:
                row[block.min_col - 1] = value
                rows[row_number - 1] = tuple(row)


# ----------------------------------------------------------------------------------------------- CSV


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and the name of its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "ISO-8859-1"


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent number (above one) of columns."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_key = ",", (0.0, 0)
    for delimiter in _CSV_DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample, newline=""),
                                                 delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        counts = counts[:200]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        key = (counts.count(mode) / len(counts), mode)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _csv_cell(text: str) -> CellValue:
    """A CSV field as a cell: empty, an error as the spreadsheet that wrote it showed it, or text with the
    apostrophe that formula-safe writers (ours included) put before ``= + - @`` and error codes removed."""
    if not text.strip():
        return None
    if text.strip().upper() in EXCEL_ERRORS:
        return ErrorCell(text.strip())
    return text[1:] if _ESCAPED_RE.match(text) else text


def _read_csv(path: Path, raw: bytes) -> SourceWorkbook:
    where = str(path)
    text, encoding = _decode(raw)
    if "\x00" in text:
        raise SpreadsheetError(where, "contains binary data (NUL bytes): it is not a CSV text file")
    notes = [f"Read as {encoding} text."]
    first_line, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*sep=(.)\s*", first_line)
    if hint:
        delimiter = hint.group(1)
        text = rest
    else:
        delimiter = _sniff_delimiter(text)
    names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
    notes.append(f"Columns separated by {names.get(delimiter, repr(delimiter))}.")
    rows: list[tuple[CellValue, ...]] = []
    truncated_rows = truncated_columns = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                if any(text.strip() for text in record) or any(any(f.strip() for f in r) for r in reader):
                    truncated_rows = True
                break
            if len(record) > MAX_COLUMNS:
                truncated_columns = truncated_columns or any(f.strip() for f in record[MAX_COLUMNS:])
                record = record[:MAX_COLUMNS]
            row: list[CellValue] = [_csv_cell(text) for text in record]
            while row and row[-1] is None:
                row.pop()
            rows.append(tuple(row))
    except csv.Error as error:
        raise SpreadsheetError(where, f"is not a readable CSV file near line {reader.line_num}: {error} "
                                      "(an unclosed quote?)") from error
    while rows and not rows[-1]:
        rows.pop()
    if truncated_rows:
        notes.append(f"Only the first {MAX_ROWS:,} rows were read.")
    if truncated_columns:
        notes.append(f"Only the first {MAX_COLUMNS} columns were read.")
    sheet = SourceSheet(path.stem, tuple(rows), truncated_rows=truncated_rows,
                        truncated_columns=truncated_columns)
    return SourceWorkbook(where, "csv", (sheet,), encoding=encoding, delimiter=delimiter, notes=tuple(notes))


# ------------------------------------------------------------------------------------- cell as text

_PLACEHOLDER_RE = re.compile(r"[-\u2010-\u2015_.?*~=]+|n/?a|n\.a\.?|tb[acd]|t\.b\.[acd]\.?|#n/a|-/-"
                             r"|\[blank\]",
                             re.IGNORECASE)
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                              "#UNKNOWN!"})


def is_placeholder(text: str) -> bool:
    """True for the marks people put in cells that have nothing yet: ``---``, ``N/A``, ``TBD``, ``?`` …"""
    return bool(_PLACEHOLDER_RE.fullmatch(text.strip()))


_ESCAPED_RE = re.compile(r"'+(?:[=+\-@\t\r]|(?:" + "|".join(re.escape(e) for e in EXCEL_ERRORS) + r")\s*$)",
                         re.IGNORECASE)


def is_excel_error(value: CellValue) -> bool:
    return isinstance(value, ErrorCell)


def cell_text(value: CellValue) -> str:
    """A cell as the text a person reads in it; placeholders, errors and unsaved formulas read as empty."""
    if value is None or isinstance(value, FormulaCell | ErrorCell):
        return ""
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text or is_placeholder(text):
            return ""
        return text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)

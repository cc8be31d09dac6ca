"""Rows of MSEL sheets read into injects, with every problem located by sheet, row and column.

Nothing here touches a document: the result is an `ImportPreview` the designer looks at before
confirming, so a bad file can never half-change an exercise. A row that cannot be read is reported and
skipped; a cell that cannot be read is reported, given a safe value, and its original text is kept in the
inject's controller notes, so nothing typed by the exercise team is silently lost.

Section rows are recognised rather than imported: STARTEX/ENDEX markers (a STARTEX row's time anchors the
offsets), phase or module titles (carried into the rows below as their phase) and breaks such as lunch;
so are blank separator rows, header rows repeated for printing and repeated title or marking rows. Every
row below the header ends up counted once in the sheet's `SheetSummary`, so the import report can say what
became of each.

Several sheets (a day, an iteration or an agency per sheet) are read together: their injects are appended
in sheet order and share one STARTEX, so the times of a "Day 2" sheet land on the second day.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ctpn_desktop.core.entities import DeliveryMethod, EventType, InjectStatus
from ctpn_desktop.core.io.msel_mapping import ColumnMapping, MselField, normalise_header
from ctpn_desktop.core.io.msel_read import (
    CellValue,
    ErrorCell,
    FormulaCell,
    SourceSheet,
    cell_text,
    column_letter,
)
from ctpn_desktop.core.io.msel_times import (
    TimeBasis,
    TimeKind,
    TimeValue,
    combine_day,
    parse_day,
    parse_time,
)
from ctpn_desktop.core.io.msel_values import (
    delivery_method_from_text,
    event_type_from_text,
    signed_offset,
    status_from_text,
    unread_time_note,
)

TITLE_LENGTH = 80
MAX_TITLE_LENGTH = 300
IMPLAUSIBLE_OFFSET_S = 14 * 86400
_REFERENCE_DATE = date(2000, 1, 1)

_MARKER_RE = re.compile(
    r"^\W*(?:(START\s*-?EX|START OF (?:THE )?EXERCISE|EXERCISE (?:START|STARTS|BEGINS))"
    r"|(END\s*-?EX|STOP\s*-?EX|END OF (?:THE )?EXERCISE|EXERCISE (?:END|ENDS|CLOSES)))\b",
    re.IGNORECASE,
)
_BREAK_RE = re.compile(
    r"\b(?:lunch|break|coffee|tea|pause|recess|hot ?wash|debrief|comfort"
    r"|end of (?:phase|module|part|session|day|period|stage))\b", re.IGNORECASE)
_PHASE_RE = re.compile(
    r"^\W*(?:phase|module|part|stage|session|period|operational period|day|act|scene|section|block|segment)\b"
    r"|\b(?:first|second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+(?:operational\s+)?period\b",
    re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d{1,6}")
_PREFIXED_NUMBER_RE = re.compile(r"[A-Za-z#\u2116]{1,12}[\s._#:-]*0*(\d{1,6})")
_CODE_RE = re.compile(r"[A-Za-z]{0,12}[\s.\-_]?\d{1,3}(?:\.\d{1,3})*[a-z]?")
_BAREHOURS_RE = re.compile(r"\+?(\d{1,3}):[0-5]\d(?::[0-5]\d)?")
_MARKING = (r"(?:OFFICIAL(?:[- ]SENSITIVE)?|UNCLASSIFIED|RESTRICTED|CONFIDENTIAL|SECRET|TOP SECRET"
            r"|FOR OFFICIAL USE ONLY|FOUO|CUI|TLP:\s?[A-Z]+|(?:EXERCISE[\s,.!]*){2,})")
_MARKING_RE = re.compile(_MARKING + r"(?:\s*[/|:\-\u2013\u2014]+\s*[A-Z0-9 ,.'/&()\-\u2013\u2014]*)?\s*")
_PAGE_RE = re.compile(r"page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", re.IGNORECASE)
_SHEET_DAY_RE = re.compile(
    r"\b(?:day|d|j)\s*([+-]?)\s*(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.IGNORECASE)
_DAY_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10}


class Severity(enum.StrEnum):
    """ERROR: the row was not imported. WARNING: imported, but a value was replaced. INFO: for the record."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something the designer should know, located as the spreadsheet shows it (row from 1, column letter)."""

    severity: Severity
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    about_time: bool = False
    """The problem is about a planned time (the import report lists these as time problems)."""

    @property
    def location(self) -> str:
        parts = [f"sheet '{self.sheet}'"] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


class SectionKind(enum.StrEnum):
    STARTEX = "startex"
    ENDEX = "endex"
    PHASE = "phase"
    BREAK = "break"


@dataclass(frozen=True, slots=True)
class SectionRow:
    """A row that structures the MSEL rather than being an inject."""

    sheet: str
    row: int
    kind: SectionKind
    text: str
    offset_s: int | None = None


class RowFate(enum.StrEnum):
    """What became of a row below the header; the import report counts each kind."""

    INJECT = "inject"
    BLANK = "blank"
    REPEATED_HEADER = "repeated-header"
    TITLE = "title"
    SECTION = "section"
    NOT_IMPORTED = "not-imported"

    @property
    def label(self) -> str:
        return _FATE_LABELS[self]


_FATE_LABELS = {
    RowFate.INJECT: "injects",
    RowFate.BLANK: "blank",
    RowFate.REPEATED_HEADER: "header repeated",
    RowFate.TITLE: "title or marking repeated",
    RowFate.SECTION: "section rows (STARTEX, ENDEX, phase titles, breaks)",
    RowFate.NOT_IMPORTED: "not imported",
}


class SheetLabel(enum.StrEnum):
    """Where the sheet's name is kept when injects come from several sheets."""

    STORYLINE = "storyline"
    """As the storyline of injects that have none (in their notes otherwise)."""
    NOTES = "notes"
    """As a line in the controller notes."""


@dataclass(frozen=True, slots=True)
class SheetSummary:
    """What became of one sheet: every row below the header counted once under its `RowFate`, the columns
    left out, the hidden columns among those read or left out, and the exercise day the sheet's name gave its
    times."""

    sheet: str
    mapping: ColumnMapping
    rows_above: tuple[int, ...]
    first_row: int
    last_row: int
    fates: tuple[tuple[RowFate, tuple[int, ...]], ...] = ()
    left_out: tuple[tuple[int, int], ...] = ()
    """(column, number of cells with a value) for columns with values that are not imported."""
    hidden_columns: tuple[int, ...] = ()
    day: int | None = None

    @property
    def rows_read(self) -> int:
        """Rows from the first row below the header to the sheet's last row, blank ones included."""
        return max(0, self.last_row - self.first_row + 1)

    def rows(self, fate: RowFate) -> tuple[int, ...]:
        return next((rows for f, rows in self.fates if f is fate), ())

    @property
    def injects(self) -> int:
        return len(self.rows(RowFate.INJECT))


@dataclass(frozen=True, slots=True)
class PhaseSeen:
    """A phase named by the sheet (a section row or the phase column), in order of first appearance."""

    name: str
    start_offset_s: int | None
    row: int


@dataclass(frozen=True, slots=True)
class ParsedInject:
    """One MSEL row read into inject fields; names (phase, recipients, objectives) are resolved on apply."""

    sheet: str
    row: int
    title: str
    planned_offset_s: int
    number: int | None = None
    source_ref: str = ""
    time_text: str = ""
    phase: str = ""
    scenario_time: datetime | None = None
    event_type: EventType = EventType.INJECT
    content: str = ""
    delivery_method: DeliveryMethod = DeliveryMethod.VERBAL
    sender: str = ""
    recipients_text: str = ""
    recipients: tuple[str, ...] = ()
    expected_actions: str = ""
    objectives: tuple[str, ...] = ()
    controller_notes: str = ""
    storyline: str = ""
    status: InjectStatus = InjectStatus.DRAFT
    depends_on: int | None = None


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Choices the designer can make in the import dialog.

    ``startex``: the time (or date and time) that absolute times are measured from; by default a STARTEX
    row's time, else the earliest time in the sheet. ``day_first``: read 03/04/2026 as 3 April.
    ``scenario_date``: the story's date, for scenario times written without one. ``sheet_label``: where
    the sheet's name goes when several sheets are imported together.
    """

    startex: datetime | time | None = None
    day_first: bool = True
    scenario_date: date | None = None
    sheet_label: SheetLabel = SheetLabel.STORYLINE


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would add, and everything that went wrong reading it; changes nothing by itself."""

    source: str
    sheet: str
    mapping: ColumnMapping
    injects: tuple[ParsedInject, ...]
    problems: tuple[ImportProblem, ...]
    sections: tuple[SectionRow, ...] = ()
    phases: tuple[PhaseSeen, ...] = ()
    startex: datetime | time | None = None
    rows_read: int = 0
    sheets: tuple[SheetSummary, ...] = ()
    """One summary per sheet read, in the order their injects come."""

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.sheet for s in self.sheets) or (self.sheet,)

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def problems_at(self, row: int) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.row == row)

    def summary(self) -> str:
        skipped = len({(p.sheet, p.row) for p in self.errors if p.row is not None})
        names = self.sheet_names
        where = f"sheet '{names[0]}'" if len(names) == 1 else f"{len(names)} sheets"
        text = (f"{len(self.injects)} inject(s) from {where}; {skipped} row(s) not imported, "
                f"{len(self.warnings)} warning(s)")
        return text if self.injects or not self.errors else f"{text}. {self.errors[0].message}"


@dataclass(slots=True)
class _Draft:
    """A row on its way to a ParsedInject: everything but the offset, which needs the whole sheet."""

    values: dict[str, object]
    row: int
    time: TimeValue | None
    time_bad: bool
    time_column: str
    notes: list[str] = field(default_factory=list)
    time_note: int | None = None
    """Where in ``notes`` the line about an unreadable time goes, once the time it takes instead is known."""


@dataclass(slots=True)
class _Timed:
    row: int
    time: TimeValue | None
    draft: _Draft | None = None
    section: tuple[SectionKind, str] | None = None
    moment: datetime | None = None
    offset: int | None = None


@dataclass(slots=True)
class _Reader:
    """State of one pass over a sheet."""

    sheet: SourceSheet
    mapping: ColumnMapping
    options: ParseOptions
    problems: list[ImportProblem] = field(default_factory=list)
    timed: list[_Timed] = field(default_factory=list)
    numbers: set[int] = field(default_factory=set)
    current_phase: str = ""
    scenario_day: date | None = None
    basis: TimeBasis = TimeBasis.AUTO
    startex_row: _Timed | None = None
    sheet_day: int | None = None
    label_sheet: bool = False
    header_words: dict[int, set[str]] = field(default_factory=dict)
    banner_words: set[str] = field(default_factory=set)
    fates: dict[RowFate, list[int]] = field(default_factory=dict)
    left_out: Counter[int] = field(default_factory=Counter)
    rows_read: int = 0
    no_mapping: bool = False
    header_length: int = 0

    def problem(self, severity: Severity, message: str, row: int | None = None,
                column: int | None = None, *, about_time: bool = False) -> None:
        self.problems.append(ImportProblem(severity, message, self.sheet.name, row,
                                           column_letter(column) if column else "", about_time))

    def fate(self, row: int, fate: RowFate) -> None:
        self.fates.setdefault(fate, []).append(row)


def split_list(text: str) -> list[str]:
    """Items of a list cell: one per line or separated by semicolons; by commas only if neither is used."""
    parts = re.split(r"\s*[\n;\u2022]\s*", text)
    if len(parts) == 1:
        parts = re.split(r"\s*,\s*", text)
    items = []
    for part in parts:
        part = re.sub(r"^[\u2022\u00b7*\-\u2013]\s+", "", part.strip()).strip()
        if part and not part.strip("-.,;"):
            continue
        if part:
            items.append(part)
    return items


def _codes(text: str) -> list[str] | None:
    """The objective codes in "O1 & O2", "Obj 3/Obj 4", "1 and 2"; None when the text is not only codes."""
    parts = [p for p in re.split(r"\s*(?:,|&|/|\band\b|\+)\s*", text.strip()) if p]
    return parts if parts and all(_CODE_RE.fullmatch(p) for p in parts) else None


def objective_tokens(text: str) -> list[str]:
    """Objective references in a cell: codes such as O1, "Obj 2", 3.1, or whole statements (which may
    contain commas, so a comma splits only where codes stand on both sides)."""
    tokens = []
    for item in split_list(text):
        codes = _codes(item)
        if codes is not None:
            tokens.extend(codes)
            continue
        pieces = item.split(",")
        if len(pieces) > 1 and _codes(pieces[0]) is not None:
            tokens.extend(_codes(pieces[0]) or [])
            tokens.extend(objective_tokens(",".join(pieces[1:])))
        else:
            tokens.append(item)
    return tokens


def derive_title(content: str) -> str:
    """A title from the first line of a description, cut at a word boundary."""
    line = next((ln.strip() for ln in content.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0] or line[:TITLE_LENGTH]
    return cut.rstrip(" ,;:-") + "…"


def _number(value: CellValue, text: str) -> tuple[int | None, bool]:
    """The inject number in a cell, and whether the cell held exactly that number."""
    if isinstance(value, bool):
        return None, False
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
        return (number, True) if 1 <= number <= 999_999 else (None, False)
    if _NUMBER_RE.fullmatch(text):
        number = int(text)
        return (number, True) if number >= 1 else (None, False)
    match = _PREFIXED_NUMBER_RE.fullmatch(text)
    if match and int(match.group(1)) >= 1:
        return int(match.group(1)), False
    return None, False


def _auto_basis(sheet: SourceSheet, mapping: ColumnMapping, column: int) -> bool:
    """True when a time column's bare H:MM values go past 23:59, so they can only be offsets."""
    for row in range(mapping.first_data_row, sheet.row_count + 1):
        value = sheet.cell(row, column)
        if isinstance(value, str):
            match = _BAREHOURS_RE.fullmatch(value.strip())
            if match and int(match.group(1)) >= 24:
                return True
    return False


def sheet_day(name: str) -> int | None:
    """The exercise day a sheet's name gives (``Day 2``, ``D+1``, ``DAY THREE – Recovery``), or None."""
    match = _SHEET_DAY_RE.search(name)
    if match is None:
        return None
    sign, number = match.groups()
    value = int(number) if number.isdigit() else _DAY_WORDS[number.casefold()]
    return -value if sign == "-" else value


def parse_rows(sheet: SourceSheet, mapping: ColumnMapping, options: ParseOptions | None = None, *,
               source: str = "") -> ImportPreview:
    """Read the data rows of ``sheet`` as ``mapping`` says; see `ImportPreview` for what comes back."""
    return parse_sheets([(sheet, mapping)], options, source=source)


def parse_sheets(selection: Sequence[tuple[SourceSheet, ColumnMapping]], options: ParseOptions | None = None, *,
                 source: str = "") -> ImportPreview:
    """Read several sheets (each with its own mapping) as one import: injects in sheet order, one STARTEX."""
    options = options or ParseOptions()
    readers = [_read_sheet(sheet, mapping, options, len(selection) > 1) for sheet, mapping in selection]
    injects = _resolve_times(readers, options)
    phases = _phases(readers)
    sections = tuple(SectionRow(r.sheet.name, t.row, t.section[0], t.section[1], t.offset)
                     for r in readers for t in r.timed if t.section)
    startex = _startex_shown(readers, options)
    problems = [p for r in readers for p in sorted(r.problems, key=lambda p: (
        p.row or 0, p.column.rjust(3), p.severity != Severity.ERROR))]
    summaries = tuple(_summary(r) for r in readers)
    first = selection[0] if selection else (SourceSheet("", ()), ColumnMapping(sheet=""))
    return ImportPreview(source, first[0].name, first[1].copy(), tuple(injects), tuple(problems), sections,
                         phases, startex, sum(r.rows_read for r in readers), summaries)


def _read_sheet(sheet: SourceSheet, mapping: ColumnMapping, options: ParseOptions, several: bool) -> _Reader:
    reader = _Reader(sheet, mapping.copy(), options, scenario_day=options.scenario_date,
                     sheet_day=sheet_day(sheet.name), label_sheet=several)
    mapping = reader.mapping
    columns: dict[MselField, int] = {
        f: c for c, f in sorted(mapping.fields.items(), reverse=True) if f is not MselField.EXTRA
    }
    if not {MselField.TITLE, MselField.CONTENT} & columns.keys():
        reader.problem(Severity.ERROR,
                       "No column is mapped to Title or Description, so no inject can be read. "
                       + (mapping.explanation or "Choose the columns in the import dialog."))
        reader.no_mapping = True
        return reader
    if MselField.TIME not in columns:
        reader.problem(Severity.WARNING,
                       "No column is mapped to Planned time: every inject is placed at STARTEX "
                       "(0:00:00); re-time them after the import.", about_time=True)
    reader.basis = mapping.time_basis
    time_column = columns.get(MselField.TIME)
    if time_column and reader.basis is TimeBasis.AUTO and _auto_basis(sheet, mapping, time_column):
        reader.basis = TimeBasis.OFFSET
        reader.problem(Severity.INFO, f"Times in column {column_letter(time_column)} go past 23:59, so bare "
                                      "times such as 1:15 are read as offsets from STARTEX.", about_time=True)
    _learn_header(reader)
    for row in range(max(mapping.first_data_row, 1), sheet.row_count + 1):
        values = sheet.row(row)
        if not any(v is not None for v in values):
            reader.fate(row, RowFate.BLANK)
            continue
        reader.rows_read += 1
        _read_row(reader, columns, row, values)
    return reader


def _learn_header(reader: _Reader) -> None:
    """The header's words per column and the title rows' words, to know them when the sheet repeats them."""
    sheet, mapping = reader.sheet, reader.mapping
    for row in mapping.header_rows:
        for column, value in enumerate(sheet.row(row), start=1):
            if isinstance(value, str) and (words := normalise_header(value)):
                reader.header_words.setdefault(column, set()).add(words)
    for column, text in mapping.headers.items():
        if words := normalise_header(text):
            reader.header_words.setdefault(column, set()).add(words)
    reader.header_length = max((len(t) for r in mapping.header_rows for v in sheet.row(r)
                                if isinstance(v, str) for t in (v.strip(),)), default=0) + 8
    top = mapping.header_rows[0] if mapping.header_rows else mapping.first_data_row
    for row in range(1, top):
        for value in sheet.row(row):
            if isinstance(value, str) and (words := normalise_header(value)):
                reader.banner_words.add(words)


def _is_repeated_header(reader: _Reader, texts: dict[int, str]) -> bool:
    """A row that says again what the header says (printed pages repeat it), cell by cell."""
    if not reader.header_words or len(texts) < 2:
        return False
    longest = reader.header_length
    same = sum(1 for column, text in texts.items()
               if len(text) <= longest and _header_key(text) in reader.header_words.get(column, ()))
    return same >= 2 and same >= 0.6 * len(texts)


@functools.lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    return normalise_header(text)


def _is_title(reader: _Reader, text: str) -> bool:
    """A title or marking row repeated below the header: the sheet's own title rows, a protective marking,
    ``EXERCISE EXERCISE EXERCISE``, or a page number."""
    if _MARKING_RE.fullmatch(text) or _PAGE_RE.fullmatch(text):
        return True
    return bool(reader.banner_words) and normalise_header(text) in reader.banner_words


def _summary(reader: _Reader) -> SheetSummary:
    mapping = reader.mapping
    top = mapping.header_rows[0] if mapping.header_rows else mapping.first_data_row
    above = tuple(r for r in range(1, top) if any(v is not None for v in reader.sheet.row(r)))
    first = max(mapping.first_data_row, 1)
    fates = tuple((fate, tuple(rows)) for fate in RowFate if (rows := reader.fates.get(fate)))
    if reader.no_mapping:
        left = Counter({c: n for c, n in _values_per_column(reader.sheet, first).items()})
    else:
        left = reader.left_out
    hidden = tuple(sorted(c for c in {*mapping.fields, *left} if c in reader.sheet.hidden_columns))
    return SheetSummary(reader.sheet.name, mapping.copy(), above, first, reader.sheet.row_count, fates,
                        tuple(sorted(left.items())), hidden, reader.sheet_day)


def _values_per_column(sheet: SourceSheet, first: int) -> Counter[int]:
    counts: Counter[int] = Counter()
    for row in range(first, sheet.row_count + 1):
        for column, value in enumerate(sheet.row(row), start=1):
            if value is not None:
                counts[column] += 1
    return counts


def _read_row(reader: _Reader, columns: dict[MselField, int], row: int,
              values: tuple[CellValue, ...]) -> None:
    mapping = reader.mapping
    texts: dict[int, str] = {}
    unreadable = 0
    for column, value in enumerate(values, start=1):
        if value is None:
            continue
        mapped = column in mapping.fields
        if isinstance(value, FormulaCell):
            if mapped:
                unreadable += 1
                reader.problem(Severity.WARNING,
                               f"the formula {value.formula} has no saved result, so the cell is "
                               "read as empty (open the file in Excel or LibreOffice and save it "
                               "to store the results)", row, column,
                               about_time=mapping.fields[column] in _TIMING_FIELDS)
            continue
        if isinstance(value, ErrorCell):
            if mapped:
                unreadable += 1
                reader.problem(Severity.WARNING, f"the cell shows the error {value.code}; read as empty",
                               row, column, about_time=mapping.fields[column] in _TIMING_FIELDS)
            continue
        text = cell_text(value)
        if text:
            texts[column] = text
            if not mapped:
                reader.left_out[column] += 1
    if not texts:
        if unreadable:
            reader.problem(Severity.ERROR, "nothing in the row can be read (only formulas without saved results "
                                           "or error cells); not imported", row)
            reader.fate(row, RowFate.NOT_IMPORTED)
        else:
            reader.fate(row, RowFate.BLANK)
        return
    texts = {c: t for c, t in texts.items() if c in mapping.fields}
    if not texts:
        reader.problem(Severity.ERROR, "the row has values only in columns that are not imported; "
                                       "not imported", row)
        reader.fate(row, RowFate.NOT_IMPORTED)
        return
    if _is_repeated_header(reader, texts):
        reader.fate(row, RowFate.REPEATED_HEADER)
        return
    if len(set(texts.values())) == 1 and _is_title(reader, next(iter(texts.values()))):
        reader.fate(row, RowFate.TITLE)
        return
    wording = {c: t for c, t in texts.items()
               if mapping.fields.get(c) not in _TIMING_FIELDS or _is_label(mapping.fields[c], values[c - 1],
                                                                           t)}
    number_column = columns.get(MselField.NUMBER)
    time_column = columns.get(MselField.TIME)
    has_number = bool(number_column and number_column in texts and number_column not in wording)
    distinct = set(wording.values())
    if len(distinct) <= 1:
        text = next(iter(distinct), "")
        has_time = bool(time_column and time_column in texts and time_column not in wording)
        if (not has_number or (text and _MARKER_RE.fullmatch(text.strip(" .!")))) and _section(
            reader, columns, row, values, text, has_time
        ):
            reader.fate(row, RowFate.SECTION)
            return
    if not distinct:
        reader.problem(Severity.ERROR,
                       "the row has a number or time but no title or description; not imported",
                       row, columns.get(MselField.TITLE) or columns.get(MselField.CONTENT))
        reader.fate(row, RowFate.NOT_IMPORTED)
        return
    _inject_row(reader, columns, row, values, texts)


_TIMING_FIELDS = frozenset({MselField.NUMBER, MselField.TIME, MselField.DATE, MselField.SCENARIO_TIME})


def _is_label(kind: MselField, value: CellValue, text: str) -> bool:
    """True for words in a number or time column that are a title, as when a section title merged across
    the whole row starts in the first column."""
    if len(text) < 12 or " " not in text or not re.search(r"[^\W\d_]{3}", text):
        return False
    try:
        if kind is MselField.NUMBER:
            return _number(value, text)[0] is None
        if kind is MselField.DATE:
            parse_day(text)
        else:
            parse_time(text)
    except ValueError:
        return True
    return False


def _section(reader: _Reader, columns: dict[MselField, int], row: int, values: tuple[CellValue, ...],
             text: str,
             has_time: bool) -> bool:
    """Record a STARTEX/ENDEX, phase-title or break row; False when the row is an inject after all."""
    marker = _MARKER_RE.match(text) if text else None
    kind: SectionKind | None = None
    if marker:
        kind = SectionKind.STARTEX if marker.group(1) else SectionKind.ENDEX
    elif text and _BREAK_RE.search(text) and (not has_time or len(text) < 40):
        kind = SectionKind.BREAK
    elif text and (not has_time or _PHASE_RE.search(text)):
        kind = SectionKind.PHASE
    if kind is None:
        return False
    time_value = _read_time(reader, columns, row, values)[0] if has_time else None
    timed = _Timed(row, time_value, section=(kind, text))
    reader.timed.append(timed)
    if kind is SectionKind.PHASE:
        reader.current_phase = text
    if kind is SectionKind.STARTEX and time_value is not None and reader.startex_row is None:
        reader.startex_row = timed
    return True


def _read_time(reader: _Reader, columns: dict[MselField, int], row: int,
               values: tuple[CellValue, ...]) -> tuple[TimeValue | None, bool, str]:
    """The row's planned time (joined with its date column), whether it was unreadable, and its text."""
    column = columns.get(MselField.TIME)
    if not column or column > len(values):
        return None, False, ""
    raw = values[column - 1]
    if raw is None or isinstance(raw, FormulaCell | ErrorCell):
        return None, False, ""
    text = cell_text(raw)
    if not text:
        return None, False, ""
    try:
        value = parse_time(text if isinstance(raw, str) else raw, reader.basis,
                           day_first=reader.options.day_first)
    except ValueError as error:
        reader.problem(Severity.WARNING,
                       f"{error}; the inject keeps the time of the row before it and the text "
                       "is kept in its controller notes", row, column, about_time=True)
        return None, True, text
    date_column = columns.get(MselField.DATE)
    if value is not None and value.kind is TimeKind.CLOCK and date_column and date_column <= len(values):
        day_value = values[date_column - 1]
        day_text = cell_text(day_value)
        if day_text:
            try:
                day = parse_day(day_text if isinstance(day_value, str) else day_value,
                                day_first=reader.options.day_first)
            except ValueError as error:
                reader.problem(Severity.WARNING, f"{error}; the time is read without it", row, date_column,
                               about_time=True)
            else:
                if day is not None:
                    value = combine_day(day, value)
    return value, False, text


def _scenario_time(reader: _Reader, column: int, row: int, value: CellValue) -> tuple[datetime | None, str]:
    """The story time of a row, and a note to keep when it could not be placed on a date."""
    text = cell_text(value)
    if not text:
        return None, ""
    try:
        parsed = parse_time(text if isinstance(value, str) else value, TimeBasis.CLOCK,
                            day_first=reader.options.day_first)
    except ValueError as error:
        reader.problem(Severity.WARNING, f"scenario time: {error}; kept in the controller notes", row, column)
        return None, f"Scenario time in the spreadsheet: {text}"
    if parsed is None:
        return None, ""
    if parsed.kind is TimeKind.DATETIME and parsed.moment is not None:
        reader.scenario_day = parsed.moment.date()
        return parsed.moment, ""
    base = reader.scenario_day or reader.options.scenario_date
    if parsed.kind is TimeKind.DAY_CLOCK and reader.options.scenario_date:
        moment = datetime.combine(reader.options.scenario_date, time()) + timedelta(days=parsed.day,
                                                                                    seconds=parsed.seconds)
        return moment, ""
    if parsed.kind is TimeKind.CLOCK and base:
        return datetime.combine(base, time()) + timedelta(seconds=parsed.seconds), ""
    reader.problem(Severity.WARNING,
                   f"scenario time '{text}' has no date; set the scenario date in the import "
                                     "options (it is kept in the controller notes)", row, column)
    return None, f"Scenario time in the spreadsheet: {text}"


def _inject_row(reader: _Reader, columns: dict[MselField, int], row: int, values: tuple[CellValue, ...],
                texts: dict[int, str]) -> None:
    mapping = reader.mapping

    def text_of(wanted: MselField) -> str:
        column = columns.get(wanted)
        return texts.get(column, "") if column else ""

    notes_after: list[str] = []
    title, content = text_of(MselField.TITLE), text_of(MselField.CONTENT)
    if not title and not content:
        reader.problem(Severity.ERROR, "no title or description; the row is not imported", row,
                       columns.get(MselField.TITLE) or columns.get(MselField.CONTENT))
        reader.fate(row, RowFate.NOT_IMPORTED)
        return
    if not title:
        title = derive_title(content)
    elif len(title) > MAX_TITLE_LENGTH:
        if content:
            notes_after.append(f"Full title in the spreadsheet: {title}")
        else:
            content = title
        title = derive_title(title)
    values_out: dict[str, object] = {"title": title, "content": content}

    number_column = columns.get(MselField.NUMBER)
    ref = text_of(MselField.NUMBER)
    if number_column and ref:
        number, exact = _number(values[number_column - 1], ref)
        if not exact:
            notes_after.insert(0, f"Source ref: {ref}")
        if number is None:
            reader.problem(Severity.INFO,
                           f"'{ref}' is not a whole number; the inject is numbered on import and "
                                          "the reference kept in its notes", row, number_column)
        elif number in reader.numbers:
            reader.problem(Severity.WARNING, f"number {number} is used by an earlier row; this inject is "
                                             "renumbered on import", row, number_column)
            number = None
        else:
            reader.numbers.add(number)
        values_out["number"] = number
        values_out["source_ref"] = ref

    time_value, time_bad, time_text = _read_time(reader, columns, row, values)
    time_note_after = len(notes_after) if time_bad else None
    values_out["time_text"] = time_text

    scenario_column = columns.get(MselField.SCENARIO_TIME)
    if scenario_column and scenario_column <= len(values):
        moment, note = _scenario_time(reader, scenario_column, row, values[scenario_column - 1])
        values_out["scenario_time"] = moment
        if note:
            notes_after.append(note)

    phase = text_of(MselField.PHASE) or reader.current_phase
    values_out["phase"] = phase

    kind_text = text_of(MselField.EVENT_TYPE)
    if kind_text:
        kind = event_type_from_text(kind_text)
        if kind is None:
            reader.problem(Severity.WARNING,
                           f"event type '{kind_text}' is not one of Inject, Contingency, Controller "
                                             "action, Player action, Actor action; read as Inject",
                           row, columns[MselField.EVENT_TYPE])
            notes_after.append(f"Event type in the spreadsheet: {kind_text}")
        values_out["event_type"] = kind or EventType.INJECT

    method_text = text_of(MselField.DELIVERY_METHOD)
    if method_text:
        method, exact = delivery_method_from_text(method_text)
        column = columns[MselField.DELIVERY_METHOD]
        if method is None:
            reader.problem(Severity.WARNING,
                           f"delivery method '{method_text}' is not known; read as Other and the "
                                             "original kept in the controller notes", row, column)
            notes_after.append(f"Delivery method in the spreadsheet: {method_text}")
            method = DeliveryMethod.OTHER
        elif not exact:
            reader.problem(Severity.INFO, f"delivery method '{method_text}' read as {method.label}", row,
                           column)
        values_out["delivery_method"] = method

    status_text = text_of(MselField.STATUS)
    if status_text:
        status, was_run = status_from_text(status_text)
        column = columns[MselField.STATUS]
        if status is None:
            reader.problem(Severity.WARNING, f"status '{status_text}' is not Draft or Ready; read as Draft",
                           row,
                           column)
            notes_after.append(f"Status in the spreadsheet: {status_text}")
        elif was_run:
            reader.problem(Severity.INFO, f"status '{status_text}' describes an earlier conduct; read as "
                                          f"{status.value.capitalize()}", row, column)
            notes_after.append(f"Status in the spreadsheet: {status_text}")
        values_out["status"] = status or InjectStatus.DRAFT

    depends_text = text_of(MselField.DEPENDS_ON)
    if depends_text:
        depends_column = columns[MselField.DEPENDS_ON]
        depends, _ = _number(values[depends_column - 1], depends_text)
        if depends is None:
            reader.problem(Severity.WARNING,
                           f"'{depends_text}' is not an inject number; the dependency is kept in "
                                             "the controller notes", row, depends_column)
            notes_after.append(f"Depends on: {depends_text}")
        values_out["depends_on"] = depends

    recipients = text_of(MselField.RECIPIENTS)
    values_out["recipients_text"] = recipients
    values_out["recipients"] = tuple(split_list(recipients))
    values_out["objectives"] = tuple(objective_tokens(text_of(MselField.OBJECTIVES)))
    values_out["sender"] = text_of(MselField.SENDER)
    values_out["expected_actions"] = text_of(MselField.EXPECTED_ACTIONS)
    storyline = text_of(MselField.STORYLINE)
    if reader.label_sheet and reader.options.sheet_label is SheetLabel.STORYLINE and not storyline:
        storyline = reader.sheet.name.strip()
    elif reader.label_sheet:
        notes_after.append(f"Sheet: {reader.sheet.name.strip()}")
    values_out["storyline"] = storyline

    notes = [text_of(MselField.NOTES)]
    controller = text_of(MselField.CONTROLLER)
    if controller:
        notes.append(f"Responsible controller: {controller}")
    for column, wanted in sorted(mapping.fields.items()):
        if wanted is MselField.EXTRA and column in texts:
            header = mapping.headers.get(column) or f"Column {column_letter(column)}"
            notes.append(f"{header}: {texts[column]}")
    notes = [n for n in notes if n]
    time_note = len(notes) + time_note_after if time_note_after is not None else None
    notes.extend(notes_after)

    time_column = columns.get(MselField.TIME)
    draft = _Draft(values_out, row, time_value, time_bad, column_letter(time_column) if time_column else "",
                   notes, time_note)
    reader.fate(row, RowFate.INJECT)
    timed = _Timed(row, time_value, draft=draft)
    reader.timed.append(timed)
    if title and time_value is not None and reader.startex_row is None:
        match = _MARKER_RE.match(title)
        if match and match.group(1):
            reader.startex_row = timed


def _resolve_times(readers: list[_Reader], options: ParseOptions) -> list[ParsedInject]:
    """Turn every row's time into an offset from one STARTEX, days worked out from the order of the rows.

    Days are counted from the earliest date in the sheets (else the chosen STARTEX's date); a sheet named
    for an exercise day ("Day 2") puts its times of day on that day, the first day named being STARTEX's
    when the sheets have no dates.
    """
    timed_all = [t for r in readers for t in r.timed]
    moments = [t.time.moment for t in timed_all if t.time and t.time.kind is TimeKind.DATETIME and t.time.moment]
    chosen = options.startex
    if moments:
        reference_day = min(moments).date()
    elif isinstance(chosen, datetime):
        reference_day = chosen.date()
    else:
        reference_day = _REFERENCE_DATE
    days = [t.time.day for t in timed_all if t.time and t.time.kind is TimeKind.DAY_CLOCK]
    days += [r.sheet_day for r in readers if r.sheet_day is not None and any(
        t.time and t.time.kind is TimeKind.CLOCK for t in r.timed)]
    # With calendar dates, D+1 is the day after the earliest date; without, the first day named is STARTEX's.
    first_day = 0 if moments else min(days, default=0)
    calendar: datetime | None = chosen if isinstance(chosen, datetime) else (min(moments) if moments else None)
    for reader in readers:
        current_day: date | None = None
        if reader.sheet_day is not None:
            current_day = reference_day + timedelta(days=reader.sheet_day - first_day)
        last: _Timed | None = None
        for timed in reader.timed:
            value = timed.time
            if value is None or value.kind is TimeKind.OFFSET:
                continue
            if value.kind is TimeKind.DATETIME and value.moment is not None:
                moment = value.moment
            elif value.kind is TimeKind.DAY_CLOCK:
                moment = datetime.combine(reference_day, time()) + timedelta(days=value.day - first_day,
                                                                             seconds=value.seconds)
            elif value.kind is TimeKind.MONTH_DAY:
                anchor = last.moment if last is not None and last.moment is not None else calendar
                moment = _on_calendar(value, anchor)
            else:
                moment = datetime.combine(current_day or reference_day, time()) + timedelta(seconds=value.seconds)
                if last is not None and last.moment is not None:
                    moment = _nearest_day(reader, timed.row, moment, last)
            timed.moment = moment
            current_day = moment.date()
            last = timed
    startex = _startex(readers, options)
    injects = []
    for reader in readers:
        injects.extend(_offsets(reader, startex))
    return injects


def _on_calendar(value: TimeValue, anchor: datetime | None) -> datetime:
    """A day of the month (and month, if written) put on the calendar nearest ``anchor``: ``01/0100`` after
    the 30th is the first of the next month."""
    seconds = timedelta(seconds=value.seconds)
    if anchor is None:
        return datetime.combine(date(_REFERENCE_DATE.year, value.month or 1, value.day), time()) + seconds
    candidates = []
    if value.month:
        for year in range(anchor.year - 4, anchor.year + 5):
            try:
                candidates.append(date(year, value.month, value.day))
            except ValueError:
                continue
    else:
        for shift in (-1, 0, 1):
            index = anchor.year * 12 + anchor.month - 1 + shift
            try:
                candidates.append(date(index // 12, index % 12 + 1, value.day))
            except ValueError:
                continue
    if not candidates:
        return datetime.combine(anchor.date(), time()) + seconds
    return min((datetime.combine(d, time()) + seconds for d in candidates), key=lambda m: abs(m - anchor))


def _offsets(reader: _Reader, startex: datetime | None) -> list[ParsedInject]:
    injects = []
    previous_offset: int | None = None
    time_column = reader.mapping.column_of(MselField.TIME)
    for timed in reader.timed:
        if timed.time is not None:
            if timed.time.kind is TimeKind.OFFSET:
                timed.offset = timed.time.seconds
            elif timed.moment is not None and startex is not None:
                timed.offset = round((timed.moment - startex).total_seconds())
        draft = timed.draft
        if draft is None:
            continue
        if timed.offset is None:
            timed.offset = previous_offset if previous_offset is not None else 0
            if time_column and not draft.time_bad:
                where = "with the row before it" if previous_offset is not None else "at STARTEX"
                reader.problem(Severity.INFO, f"no time; placed at {_format(timed.offset)} {where}",
                               draft.row, time_column)
        elif abs(timed.offset) > IMPLAUSIBLE_OFFSET_S:
            reader.problem(Severity.WARNING, f"this time is {abs(timed.offset) // 86400} days "
                                             f"{'before' if timed.offset < 0 else 'after'} STARTEX; check it",
                           draft.row, time_column, about_time=True)
        previous_offset = timed.offset
        notes = list(draft.notes)
        if draft.time_bad and draft.time_note is not None:
            notes.insert(draft.time_note, unread_time_note(str(draft.values.get("time_text", "")), timed.offset))
        injects.append(ParsedInject(sheet=reader.sheet.name, row=draft.row, planned_offset_s=timed.offset,
                                    controller_notes="\n".join(notes),
                                    **draft.values))  # type: ignore[arg-type]
    return injects


def _nearest_day(reader: _Reader, row: int, moment: datetime, last: _Timed) -> datetime:
    """A time of day without a date falls on the day that puts it nearest the row before it: 00:15 after
    23:40 is the next day, 23:55 after 00:15 the day before."""
    assert last.moment is not None
    half_day = timedelta(hours=12)
    shift = 0
    while moment < last.moment - half_day:
        moment += timedelta(days=1)
        shift += 1
    while moment > last.moment + half_day:
        moment -= timedelta(days=1)
        shift -= 1
    if shift:
        which = "next day" if shift > 0 else "day before"
        reader.problem(Severity.INFO,
                       f"{moment:%H:%M} follows {last.moment:%H:%M} in row {last.row}, so it is "
                                      f"read as the {which}", row)
    return moment


def _startex(readers: list[_Reader], options: ParseOptions) -> datetime | None:
    chosen = options.startex
    moments = [t.moment for r in readers for t in r.timed if t.moment is not None]
    if isinstance(chosen, datetime):
        return chosen.replace(tzinfo=None)
    if isinstance(chosen, time):
        first = next((m for m in moments), None)
        day = first.date() if first else _REFERENCE_DATE
        return datetime.combine(day, chosen.replace(tzinfo=None))
    for reader in readers:
        if reader.startex_row is not None and reader.startex_row.moment is not None:
            return reader.startex_row.moment
    return min(moments) if moments else None


def _startex_shown(readers: list[_Reader], options: ParseOptions) -> datetime | time | None:
    startex = _startex(readers, options)
    if startex is None:
        return None
    has_dates = any(t.time is not None and t.time.kind in {TimeKind.DATETIME, TimeKind.MONTH_DAY}
                    for r in readers for t in r.timed)
    return startex if has_dates or isinstance(options.startex, datetime) else startex.time()


def _phases(readers: list[_Reader]) -> tuple[PhaseSeen, ...]:
    seen: dict[str, PhaseSeen] = {}
    for reader in readers:
        for timed in reader.timed:
            if timed.section and timed.section[0] is SectionKind.PHASE:
                name, start = timed.section[1], timed.offset
            elif timed.draft is not None and timed.draft.values.get("phase"):
                name, start = str(timed.draft.values["phase"]), None
            else:
                continue
            key = phase_key(name)
            if key not in seen:
                seen[key] = PhaseSeen(name, start, timed.row)
            elif seen[key].start_offset_s is None and start is not None:
                seen[key] = PhaseSeen(seen[key].name, start, seen[key].row)
    return tuple(seen.values())


def phase_key(name: str) -> str:
    """Phase names compared as people mean them: case, dashes and spacing ignored."""
    return " ".join(re.sub(r"[\u2010-\u2015\-:]+", " ", name.casefold()).split())


def _format(seconds: int) -> str:
    return signed_offset(seconds)

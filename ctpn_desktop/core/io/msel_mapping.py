"""Which sheet holds the MSEL, which row is its header, and which column is which field.

Real MSELs put a title, the protective marking and a version line above the header, write headers over
two lines ("Scheduled\\nTime"), spell the same column a dozen ways ("Inject #", "Serial", "MSEL Ref") and
keep lookup lists on other sheets. Detection scores rows and sheets against the header names exercise
templates use and proposes a `ColumnMapping`; it is a plain, editable value, because the designer has the
last word (the import dialog lets them change any column before anything is imported).
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from ctpn_desktop.core.io.msel_read import (
    SourceSheet,
    SourceWorkbook,
    cell_text,
    column_letter,
    column_number,
)
from ctpn_desktop.core.io.msel_times import TimeBasis, parse_time
from ctpn_desktop.core.io.msel_values import delivery_method_from_text, event_type_from_text

HEADER_SCAN_ROWS = 40
"""Rows searched for the header: enough for a cover block, a marking and a version table above it."""
MAX_HEADER_COLUMNS = 256
"""A merged header cell names at most this many columns (as many as a sheet is read with)."""


class MselField(enum.StrEnum):
    """What a spreadsheet column holds. EXTRA columns are kept in the controller notes under their header."""

    NUMBER = "number"
    PHASE = "phase"
    TIME = "time"
    DATE = "date"
    SCENARIO_TIME = "scenario-time"
    EVENT_TYPE = "event-type"
    TITLE = "title"
    CONTENT = "content"
    DELIVERY_METHOD = "delivery-method"
    SENDER = "sender"
    CONTROLLER = "controller"
    RECIPIENTS = "recipients"
    EXPECTED_ACTIONS = "expected-actions"
    OBJECTIVES = "objectives"
    NOTES = "notes"
    STORYLINE = "storyline"
    STATUS = "status"
    DEPENDS_ON = "depends-on"
    EXTRA = "extra"

    @property
    def label(self) -> str:
        return _FIELD_LABELS[self]


_FIELD_LABELS = {
    MselField.NUMBER: "Inject number",
    MselField.PHASE: "Phase / module",
    MselField.TIME: "Planned time",
    MselField.DATE: "Date / exercise day",
    MselField.SCENARIO_TIME: "Scenario time",
    MselField.EVENT_TYPE: "Event type",
    MselField.TITLE: "Title / subject",
    MselField.CONTENT: "Description / content",
    MselField.DELIVERY_METHOD: "Delivery method",
    MselField.SENDER: "From (simulated sender)",
    MselField.CONTROLLER: "Responsible controller (to notes)",
    MselField.RECIPIENTS: "To (intended players)",
    MselField.EXPECTED_ACTIONS: "Expected action",
    MselField.OBJECTIVES: "Objectives / capabilities",
    MselField.NOTES: "Controller notes",
    MselField.STORYLINE: "Storyline / thread",
    MselField.STATUS: "Status",
    MselField.DEPENDS_ON: "Depends on (inject number)",
    MselField.EXTRA: "Other (kept in notes)",
}


@dataclass(slots=True)
class ColumnMapping:
    """How one sheet's columns become inject fields; columns are 1-based numbers as the sheet shows them.

    A column not in ``fields`` is not imported. ``header_row`` is None when the sheet has no header (the
    data then starts at ``first_data_row``); ``header_top`` is the first header row when the header runs
    over two rows. ``confidence`` (0–1) and ``explanation`` tell the designer how sure the detection was
    and why; ``chosen`` says the designer pointed at the header row, ``remembered`` names the saved column
    choices that were applied (empty when none were).
    """

    sheet: str
    header_row: int | None = None
    first_data_row: int = 1
    fields: dict[int, MselField] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    time_basis: TimeBasis = TimeBasis.AUTO
    confidence: float = 0.0
    explanation: str = ""
    header_top: int | None = None
    chosen: bool = False
    remembered: str = ""

    @property
    def header_rows(self) -> tuple[int, ...]:
        """The rows the header was read from (one or two), empty without a header."""
        if self.header_row is None:
            return ()
        top = self.header_top if self.header_top is not None else self.header_row
        return tuple(range(top, self.header_row + 1))

    @property
    def fingerprint(self) -> str:
        """What identifies this layout: the header's words column by column (see `header_fingerprint`)."""
        return header_fingerprint(self.headers)

    def column_of(self, wanted: MselField) -> int | None:
        return next((column for column, f in sorted(self.fields.items()) if f is wanted), None)

    def assign(self, column: int | str, wanted: MselField | None) -> None:
        """Give a column (number or letter) a field, or None to skip it; a field other than EXTRA moves."""
        number = column_number(column) if isinstance(column, str) else column
        if wanted is not None and wanted is not MselField.EXTRA:
            for other, current in list(self.fields.items()):
                if current is wanted and other != number:
                    del self.fields[other]
        if wanted is None:
            self.fields.pop(number, None)
        else:
            self.fields[number] = wanted

    def missing(self) -> list[str]:
        """What stops or weakens an import with this mapping, in words for the designer."""
        found = set(self.fields.values())
        problems = []
        if not found & {MselField.TITLE, MselField.CONTENT}:
            problems.append("no column is mapped to Title or Description, so no inject can be read")
        if MselField.TIME not in found:
            problems.append("no column is mapped to Planned time: every inject would be placed at STARTEX")
        return problems

    def describe(self) -> list[str]:
        """One line per mapped column, e.g. ``C "Scheduled Time" → Planned time``."""
        return [f'{column_letter(c)} "{self.headers.get(c, "")}" → {f.label}' for c,
                f in sorted(self.fields.items())]

    def copy(self) -> ColumnMapping:
        """An independent copy, so a preview keeps the mapping it was made with while the designer edits."""
        return replace(self, fields=dict(self.fields), headers=dict(self.headers))


class SheetKind(enum.StrEnum):
    """What a sheet holds, as far as its name, header and rows tell; only INJECTS sheets are proposed."""

    INJECTS = "injects"
    EXAMPLES = "examples"
    DELETED = "deleted"
    PRINT = "print"
    NOTES = "notes"
    LOOKUPS = "lookups"
    NO_HEADER = "no-header"
    EMPTY = "empty"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SheetKind.INJECTS: "MSEL injects",
    SheetKind.EXAMPLES: "Examples or a template",
    SheetKind.DELETED: "Deleted or old injects",
    SheetKind.PRINT: "Print layout",
    SheetKind.NOTES: "Notes or information",
    SheetKind.LOOKUPS: "Lookup lists",
    SheetKind.NO_HEADER: "No MSEL header found",
    SheetKind.EMPTY: "Empty",
}


@dataclass(frozen=True, slots=True)
class SheetCandidate:
    """A sheet ranked by how much it looks like an MSEL, with the mapping detected for it.

    ``proposed`` sheets are the ones the import starts with (every sheet of injects: one per day,
    iteration or agency); ``index`` is the sheet's place in the workbook, the order sheets are imported in.
    """

    sheet: str
    score: float
    mapping: ColumnMapping
    data_rows: int
    reason: str
    kind: SheetKind = SheetKind.INJECTS
    proposed: bool = False
    index: int = 0
    hidden: bool = False


class RememberedLayouts(Protocol):
    """Column choices the designer saved for a header layout (see `msel_memory.MappingMemory`)."""

    def fingerprints(self) -> frozenset[str]: ...

    def recall(self, fingerprint: str) -> RememberedLayout | None: ...


@dataclass(frozen=True, slots=True)
class RememberedLayout:
    """The designer's column choices for one header layout: a field or None (left out) per column."""

    fingerprint: str
    fields: dict[int, MselField | None]
    time_basis: TimeBasis
    saved_at: datetime
    source: str

    def describe(self) -> str:
        return f"the column choices saved on {self.saved_at:%d %b %Y} when '{self.source}' was imported"


# ------------------------------------------------------------------------------------ header names

_NAMES: tuple[tuple[MselField, float, tuple[str, ...]], ...] = (
    (MselField.NUMBER, 1.0, (
        "number", "inject number", "event number", "msel number", "serial", "serial number", "ser", "id",
        "inject id", "event id", "msel id", "ref", "reference", "ref number", "reference number",
        "source reference", "inject ref", "inject reference", "event ref", "msel ref", "item", "item number",
        "seq", "sequence", "sequence number", "line number", "inject serial", "inject ref number",
        "msel event number", "event inject number", "inject event number", "msel serial", "msel item",
        "msel item number", "serial ref", "ser number", "inject id number", "event serial")),
    (MselField.TIME, 1.0, (
        "time", "scheduled time", "planned time", "event time", "inject time", "delivery time",
            "release time",
        "time of inject", "designated time", "exercise time", "planned offset", "offset", "time offset",
        "elapsed time", "elapsed", "h hour", "when", "due", "due time", "trigger time", "start time", "clock",
        "clock time", "time hhmm", "date time", "datetime", "dtg", "date time group", "time of event",
        "inject delivery time", "msel time", "timing", "scheduled", "time due", "planned release",
        "planned release time", "ex time", "time from startex", "relative time", "time hh mm", "t+ time",
        "t+", "h+", "time 24hr", "planned delivery time", "scheduled delivery time",
        "inject dtg", "event dtg", "msel dtg", "scheduled dtg", "planned dtg", "delivery dtg", "release dtg",
        "inject date time", "event date time", "inject date time group", "event date time group",
        "zulu time", "time zulu", "local time", "time local", "event start time", "inject start time",
        "exercise clock time", "msel time hhmm", "time of delivery")),
    (MselField.DATE, 1.0, ("date", "day", "event date", "exercise day", "inject date", "scheduled date",
                           "planned date", "ex day", "exercise date", "inject day", "event day", "day number",
                           "exercise day number", "msel day", "day of exercise")),
    (MselField.SCENARIO_TIME, 1.0, (
        "scenario time", "designated scenario time", "scenario date time", "scenario datetime",
            "scenario date",
        "story time", "game time", "simulated time", "scenario clock", "fictional time", "scenario dtg",
        "in game time", "storyline time", "scenario time date", "designated scenario dtg", "sim time",
        "scenario date time group", "simulated date time")),
    (MselField.EVENT_TYPE, 1.0, ("event type", "type", "entry type", "item type", "kind", "category",
                                 "event category", "msel event type", "event kind")),
    (MselField.EVENT_TYPE, 0.8, ("inject type",)),
    (MselField.TITLE, 1.0, (
        "title", "subject", "inject title", "event title", "heading", "headline", "event", "event name",
            "name",
        "short description", "summary", "inject subject", "event subject", "brief description", "inject name",
        "subject title", "title subject", "inject event title", "short title", "event short title",
        "inject short title")),
    (MselField.TITLE, 0.8, ("synopsis", "event synopsis")),
    (MselField.CONTENT, 1.0, (
        "description", "event description", "inject description", "content", "contents", "message", "inject",
        "inject text", "inject message", "script", "details", "narrative", "text", "body", "information",
        "inject content", "message text", "description content", "content description", "event details",
        "inject details", "detailed description", "full description", "message content", "injects",
        "inject description content", "description script", "message script", "inject script",
        "message description", "inject message text", "statement", "event description details",
        "inject narrative", "inject information")),
    (MselField.CONTENT, 0.9, ("event synopsis", "synopsis", "situation")),
    (MselField.DELIVERY_METHOD, 1.0, (
        "delivery method", "method", "mode", "inject mode", "delivery", "means", "medium", "channel",
        "method of delivery", "delivery mechanism", "delivery mode", "delivered via", "via", "format",
        "communication method", "comms method", "how delivered", "inject method", "delivery type",
            "mechanism",
        "media", "delivery channel", "mode of delivery", "inject delivery method", "delivery means",
        "communication mode", "mode of communication", "comms mode", "inject method mode", "inject medium")),
    (MselField.DELIVERY_METHOD, 0.7, ("inject type",)),
    (MselField.SENDER, 1.0, (
        "from", "send from", "sender", "source", "simulated sender", "originator", "sent by", "message from",
        "simulated source", "inject from", "simulated from", "from simulated", "originating agency",
        "from simulated sender", "sending agency", "sending organisation", "sending organization",
        "from agency", "from organisation", "from organization", "message originator", "simulated originator",
        "originating organisation", "originating organization", "sender simulated", "from role")),
    (MselField.CONTROLLER, 1.0, (
        "responsible controller", "controller", "injected by", "inject by", "delivered by", "lead controller",
        "controller responsible", "responsible", "owner", "facilitator", "delivering controller",
        "controller name", "responsible person", "lead", "injector", "injector name", "inject controller",
        "msel controller", "controller injector", "poc", "point of contact", "controller poc",
        "responsible controller name", "delivering controller name", "simcell controller")),
    (MselField.RECIPIENTS, 1.0, (
        "to", "send to", "recipient", "recipients", "intended player", "intended players", "player",
            "players",
        "target", "targets", "audience", "addressee", "addressees", "receiving", "receiver",
            "intended recipient",
        "intended recipients", "intended audience", "participant", "participants", "player agency", "sent to",
        "inject to", "target audience", "agency", "agencies", "for", "who", "to intended player",
        "to intended players", "receiving agency", "receiving organisation", "receiving organization",
        "receiving player", "receiving players", "intended player agency", "to player", "to players",
        "recipient agency", "player position", "player role", "player agency recipient")),
    (MselField.EXPECTED_ACTIONS, 1.0, (
        "expected action", "expected actions", "expected player action", "expected player actions",
        "expected outcome", "expected response", "anticipated response", "anticipated action",
        "expected player response", "desired outcome", "outcome", "expected result", "required action",
        "player action", "player actions", "action required", "expected", "response expected",
        "expected activity", "expected action outcome", "expected player activity",
        "anticipated player action", "anticipated player actions", "anticipated player response",
        "expected action response", "desired player action", "desired player actions", "player expected action",
        "expected participant action", "expected participant actions", "expected response action",
        "expected player actions response", "expected player response action")),
    (MselField.EXPECTED_ACTIONS, 0.8, ("expected outcomes", "outcomes")),
    (MselField.OBJECTIVES, 1.0, (
        "objective", "objectives", "objective capability", "objective core capability", "core capability",
        "capability", "capabilities", "core capabilities", "obj", "exercise objective", "exercise objectives",
        "objectives tested", "linked objectives", "objective number", "obj number", "objective ref",
        "objective capability critical task", "core capability objective", "capability target",
        "exercise objective core capability", "objectives capabilities", "associated objective",
        "associated objectives", "capability objective", "objective s")),
    (MselField.OBJECTIVES, 0.8, ("critical task", "critical tasks")),
    (MselField.NOTES, 1.0, (
        "notes", "note", "controller notes", "controller note", "remarks", "remark", "comments", "comment",
        "facilitator notes", "facilitator note", "additional information", "guidance", "controller guidance",
        "notes for controller", "staff notes", "internal notes", "notes comments",
            "controller facilitator notes", "controller remarks", "notes remarks", "remarks notes",
        "additional remarks", "general remarks", "msel notes", "inject notes", "remarks comments",
        "comments remarks", "other information")),
    (MselField.STORYLINE, 1.0, (
        "storyline", "story line", "thread", "track", "strand", "line of play", "scenario thread",
            "workstream",
        "theme", "lane", "storyline thread", "thread storyline", "story", "scenario storyline",
        "storyline name", "thread name", "msel thread", "story line thread", "storyline track")),
    (MselField.STATUS, 1.0, ("status", "inject status", "state", "approval", "approval status", "msel status")),
    (MselField.PHASE, 1.0, (
        "phase", "module", "stage", "period", "operational period", "session", "part", "segment", "block",
        "exercise phase", "scenario phase", "phase module", "module phase", "phase name", "module name")),
    (MselField.DEPENDS_ON, 1.0, ("depends on", "dependency", "dependencies", "follows", "after inject",
                                 "prerequisite", "predecessor", "trigger inject", "linked inject",
                                     "depends")),
)

_EXACT: dict[str, list[tuple[MselField, float]]] = {}
for _field, _score, _phrases in _NAMES:
    for _phrase in _phrases:
        _EXACT.setdefault(_phrase, []).append((_field, _score))

# (field, score, groups of words of which each group needs one, words that rule it out)
_KEYWORDS: tuple[tuple[MselField, float, tuple[frozenset[str], ...], frozenset[str]], ...] = (
    (MselField.SCENARIO_TIME, 0.8, (frozenset({"scenario", "story", "game", "simulated", "fictional"}),
                                    frozenset({"time", "date", "dtg", "clock"})), frozenset()),
    (MselField.TIME, 0.7, (frozenset({"time", "dtg", "clock", "hhmm", "timing", "offset", "when", "hour"}),),
     frozenset({"actual", "real", "scenario", "story", "game", "simulated", "delivered", "released",
                "completed",
                "duration", "zone", "response", "logged"})),
    (MselField.DATE, 0.6, (frozenset({"date", "day"}),), frozenset({"scenario", "story", "actual", "time",
                                                                    "update"})),
    (MselField.NUMBER, 0.6, (frozenset({"number", "id", "ref", "reference", "serial", "seq"}),),
     frozenset({"phone", "telephone", "objective", "obj", "page", "grid", "contact", "depends"})),
    (MselField.PHASE, 0.7, (frozenset({"phase", "module", "stage", "period", "session"}),), frozenset()),
    (MselField.TITLE, 0.7, (frozenset({"title", "subject", "heading", "headline"}),), frozenset()),
    (MselField.CONTENT, 0.65, (frozenset({"description", "content", "message", "script", "text", "details",
                                          "synopsis", "narrative", "inject", "body"}),),
     frozenset({"type", "number", "id", "ref", "reference", "serial", "time", "mode", "method"})),
    (MselField.DELIVERY_METHOD, 0.7, (frozenset({"method", "mode", "delivery", "medium", "channel", "means",
                                                 "mechanism"}),), frozenset({"time"})),
    (MselField.SENDER, 0.6, (frozenset({"from", "sender", "source", "originator"}),), frozenset()),
    (MselField.CONTROLLER, 0.7, (frozenset({"controller", "facilitator"}),), frozenset({"notes", "note"})),
    (MselField.CONTROLLER, 0.6, (frozenset({"by"}), frozenset({"injected", "delivered", "sent"})),
     frozenset()),
    (MselField.RECIPIENTS, 0.6, (frozenset({"to", "recipient", "recipients", "player", "players", "target",
                                            "audience", "addressee", "participants"}),),
     frozenset({"expected", "action", "actions", "response"})),
    (MselField.EXPECTED_ACTIONS, 0.7, (frozenset({"expected", "anticipated", "outcome", "outcomes",
                                                  "desired"}),),
     frozenset()),
    (MselField.OBJECTIVES, 0.7, (frozenset({"objective", "objectives", "capability", "capabilities",
                                            "obj"}),),
     frozenset()),
    (MselField.NOTES, 0.6, (frozenset({"notes", "note", "remarks", "comments", "comment"}),), frozenset()),
    (MselField.STORYLINE, 0.7, (frozenset({"storyline", "thread", "track", "strand", "workstream"}),),
     frozenset()),
    (MselField.STATUS, 0.7, (frozenset({"status"}),), frozenset()),
    (MselField.EVENT_TYPE, 0.6, (frozenset({"type", "category", "kind"}),),
     frozenset({"location", "trigger", "incident", "hazard", "threat", "exercise"})),
    (MselField.DEPENDS_ON, 0.7, (frozenset({"depends", "dependency", "prerequisite", "predecessor"}),),
     frozenset()),
)

_NUMERIC_TEXT_RE = re.compile(r"[\d\s.,:/+\-]+")
_OFFSET_HINTS = frozenset({"offset", "elapsed", "relative", "startex", "t+", "h+", "+"})
_CLOCK_HINTS = frozenset({"clock", "hhmm", "24hr", "local", "dtg"})


def normalise_header(text: str) -> str:
    """Lower-case words of a header: camelCase split, ``#`` and ``No.`` read as "number", no punctuation."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    text = text.replace("#", " number ").replace("&", " and ").replace("\u2116", " number ")
    text = text.lower()
    text = re.sub(r"\b(?:no|nr|num|nbr)\b\.?", " number ", text)
    text = re.sub(r"[^\w+]+", " ", text.replace("_", " "))
    return " ".join(text.split())


def header_candidates(text: str) -> list[tuple[MselField, float]]:
    """The fields a header names, best first (empty when it names none)."""
    if not text.strip():
        return []
    bare = normalise_header(re.sub(r"\([^)]*\)|\[[^]]*\]", " ", text))
    full = normalise_header(text)
    for key in (bare, full):
        if key in _EXACT:
            return sorted(_EXACT[key], key=lambda item: -item[1])
    words = set(bare.split()) or set(full.split())
    if not words or len(words) > 8:
        return []
    found: dict[MselField, float] = {}
    for wanted, score, groups, exclude in _KEYWORDS:
        if words & exclude or not all(words & group for group in groups):
            continue
        found[wanted] = max(found.get(wanted, 0.0), score)
    return sorted(found.items(), key=lambda item: -item[1])


def time_basis_from_header(text: str) -> TimeBasis:
    """OFFSET when a time column's header says so ("Offset", "T+", "Elapsed"), CLOCK for "Clock"/"HHMM"."""
    words = set(normalise_header(text).split())
    if words & _OFFSET_HINTS or "+" in text:
        return TimeBasis.OFFSET
    if words & _CLOCK_HINTS or "time of day" in text.lower():
        return TimeBasis.CLOCK
    return TimeBasis.AUTO


# -------------------------------------------------------------------------------- header detection


def header_fingerprint(headers: Mapping[int, str]) -> str:
    """A short digest of a header's words column by column: two workbooks of the same layout share it, so
    column choices saved for one are offered for the next; empty for a sheet without a header."""
    words = [f"{column_letter(c)}={key}" for c, t in sorted(headers.items()) if (key := normalise_header(t))]
    return hashlib.sha256("\x1f".join(words).encode()).hexdigest()[:20] if words else ""


def _header_text(value: object) -> str:
    return " ".join(cell_text(value).split()) if isinstance(value, str) else ""


@dataclass(slots=True)
class _RowScore:
    total: float
    fields: dict[int, MselField]
    scores: dict[int, float]
    headers: dict[int, str]


def _assign(headers: dict[int, str], hidden: frozenset[int] = frozenset()) -> _RowScore:
    """Give each column its best field, each field (but EXTRA) to one column, strongest matches first;
    of two equally good columns the visible one wins over one the workbook hides."""
    options = []
    for column, text in headers.items():
        for wanted, score in header_candidates(text):
            options.append((-score, column in hidden, column, wanted))
    options.sort(key=lambda item: (item[0], item[1], item[2]))
    fields: dict[int, MselField] = {}
    scores: dict[int, float] = {}
    for negative, _hidden, column, wanted in options:
        if column in fields or wanted in fields.values():
            continue
        fields[column] = wanted
        scores[column] = -negative
    for column, text in headers.items():
        if column not in fields and text:
            fields[column] = MselField.EXTRA
            scores[column] = 0.0
    return _RowScore(sum(scores.values()), fields, scores, headers)


def _row_headers(sheet: SourceSheet, row: int) -> dict[int, str]:
    """The texts of a row as headers; a header cell merged across several columns names each of them."""
    headers = {c: t for c, v in enumerate(sheet.row(row), start=1) if (t := _header_text(v))}
    for block in sheet.merged:
        if block.min_row <= row <= block.max_row and block.max_col > block.min_col and block.min_col in headers:
            for column in range(block.min_col + 1, min(block.max_col, MAX_HEADER_COLUMNS) + 1):
                headers.setdefault(column, headers[block.min_col])
    return headers


def _looks_like_data(value: object) -> bool:
    """Numbers, dates and texts that read as times are data; a header names things."""
    if not isinstance(value, str):
        return True
    text = value.strip()
    if len(text) > 80 or _NUMERIC_TEXT_RE.fullmatch(text):
        return True
    try:
        return parse_time(text) is not None
    except ValueError:
        return False


def _is_header_like(sheet: SourceSheet, row: int) -> bool:
    values = [v for v in sheet.row(row) if v is not None]
    return bool(values) and sum(1 for v in values if _looks_like_data(v)) <= 1


def _plausible(score: _RowScore) -> bool:
    """At least two fields, and at least a third of the row's cells recognised: data rows rarely are."""
    recognised = sum(1 for f in score.fields.values() if f is not MselField.EXTRA)
    return recognised >= 2 and score.total >= 1.5 and recognised >= len(score.fields) / 3


def _two_row_headers(sheet: SourceSheet, row: int) -> dict[int, str]:
    """Headers of rows ``row`` and ``row + 1`` read together, a merged group title spread over its columns."""
    upper = _row_headers(sheet, row)
    lower = _row_headers(sheet, row + 1)
    combined = {}
    for column in sorted(set(upper) | set(lower)):
        top, bottom = upper.get(column, ""), lower.get(column, "")
        combined[column] = bottom if top == bottom else f"{top} {bottom}".strip()
    return combined


def _grouped(sheet: SourceSheet, row: int) -> bool:
    """Rows ``row`` and ``row + 1`` are one header drawn with merged cells: a cell merged down over both,
    or a group title merged across columns in the upper row."""
    return any((block.min_row == row and block.max_row >= row + 1)
               or (block.min_row == block.max_row == row and block.max_col > block.min_col)
               for block in sheet.merged)


def _confidence(score: _RowScore) -> float:
    found = set(score.fields.values())
    value = 0.0
    if MselField.TIME in found:
        value += 0.3
    if found & {MselField.TITLE, MselField.CONTENT}:
        value += 0.3
    return round(min(1.0, value + 0.4 * min(1.0, score.total / 6.0)), 2)


def _switch_by_values(sheet: SourceSheet, first_row: int, fields: dict[int, MselField]) -> list[str]:
    """Fix an ambiguous "Type" column: if its values are delivery methods, it is the delivery method."""
    notes = []
    for column, current in list(fields.items()):
        if current is not MselField.EVENT_TYPE or MselField.DELIVERY_METHOD in fields.values():
            continue
        texts = [t for r in range(first_row, min(first_row + 60, sheet.row_count + 1))
                 if (t := cell_text(sheet.cell(r, column)))]
        if not texts:
            continue
        methods = sum(1 for t in texts
                      if delivery_method_from_text(t)[0] is not None and event_type_from_text(t) is None)
        if methods >= 0.6 * len(texts):
            fields[column] = MselField.DELIVERY_METHOD
            notes.append(f"column {column_letter(column)} holds delivery methods, so it is read as the "
                         "delivery method")
    return notes


def _unlabelled_columns(sheet: SourceSheet, first_row: int, headers: Mapping[int, str]) -> list[int]:
    """Columns below the header that hold values but have no header text of their own."""
    found: set[int] = set()
    for row in range(first_row, sheet.row_count + 1):
        for column, value in enumerate(sheet.row(row), start=1):
            if value is not None and column not in headers and column not in found and cell_text(value):
                found.add(column)
    return sorted(found)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _columns_are(columns: list[int], plural: str, singular: str) -> str:
    """"Column K is" or "Columns K, L are": the columns named, with the verb agreeing."""
    if len(columns) == 1:
        return f"Column {_columns_text(columns)} {singular}"
    return f"Columns {_columns_text(columns)} {plural}"


def _columns_text(columns: list[int]) -> str:
    letters = [column_letter(c) for c in columns]
    return ", ".join(letters[:12]) + (" …" if len(letters) > 12 else "")


def _build(sheet: SourceSheet, top: int, header_row: int, score: _RowScore,
           memory: RememberedLayouts | None, *, chosen: bool = False) -> ColumnMapping:
    """The mapping for a header found (or chosen) in rows ``top``–``header_row``, with its explanation."""
    fields = dict(score.fields)
    unlabelled = _unlabelled_columns(sheet, header_row + 1, score.headers)
    for column in unlabelled:
        fields[column] = MselField.EXTRA
    # A hidden column the MSEL has no field for is the spreadsheet's own helper (a sort key, a lookup, a
    # formula): copied into every inject's notes it would only clutter them, so it starts left out.
    helpers = sorted(c for c, f in fields.items() if f is MselField.EXTRA and c in sheet.hidden_columns)
    for column in helpers:
        del fields[column]
    unlabelled = [c for c in unlabelled if c not in helpers]
    notes = _switch_by_values(sheet, header_row + 1, fields)
    time_column = next((c for c, f in fields.items() if f is MselField.TIME), None)
    basis = time_basis_from_header(score.headers.get(time_column, "")) if time_column else TimeBasis.AUTO
    mapping = ColumnMapping(
        sheet=sheet.name, header_row=header_row, first_data_row=header_row + 1, fields=fields,
        headers=dict(score.headers), time_basis=basis, confidence=_confidence(score),
        header_top=top if top != header_row else None, chosen=chosen,
    )
    remembered = memory.recall(mapping.fingerprint) if memory is not None and mapping.fingerprint else None
    if remembered is not None:
        _apply_remembered(mapping, remembered)
    rows = f"rows {top}–{header_row}" if top != header_row else f"row {header_row}"
    recognised = [f for f in mapping.fields.values() if f is not MselField.EXTRA]
    where = "as chosen" if chosen else ("(rows above it look like titles)" if top > 1 else "")
    kept = sum(1 for f in mapping.fields.values() if f is MselField.EXTRA)
    lines = [f"Header {'taken from' if chosen else 'found in'} {rows} of sheet '{sheet.name}'"
             + (f" {where}." if where else "."),
             f"{_count(len(recognised), 'column')} recognised as MSEL fields; "
             f"{_count(kept, 'other column') if kept else 'no other column'} will be kept in the controller notes.",
             *[n[0].upper() + n[1:] + "." for n in notes]]
    if remembered is not None:
        lines.append(f"This header has a layout seen before: {remembered.describe()} were applied.")
    if unlabelled:
        lines.append(f"{_columns_are(unlabelled, 'hold', 'holds')} values but "
                     f"{'have no header; they are' if len(unlabelled) > 1 else 'has no header; it is'} kept in "
                     "the controller notes.")
    hidden = sorted(c for c in mapping.fields if c in sheet.hidden_columns)
    if hidden:
        read = ("they are read like the others (leave them out if they only help" if len(hidden) > 1
                else "it is read like the others (leave it out if it only helps")
        lines.append(f"{_columns_are(hidden, 'are', 'is')} hidden in the workbook; {read} the spreadsheet).")
    left_hidden = [c for c in helpers if c not in mapping.fields]
    if left_hidden:
        many = len(left_hidden) > 1
        lines.append(f"{_columns_are(left_hidden, 'are', 'is')} hidden in the workbook and "
                     f"{'match' if many else 'matches'} no MSEL field, so {'they are' if many else 'it is'} left "
                     f"out (choose a field for {'them' if many else 'it'} to import {'them' if many else 'it'}).")
    lines.extend(m[0].upper() + m[1:] + "." for m in mapping.missing())
    mapping.explanation = " ".join(lines)
    return mapping


def _apply_remembered(mapping: ColumnMapping, remembered: RememberedLayout) -> None:
    fields = {c: f for c, f in remembered.fields.items() if f is not None}
    for column, proposed in mapping.fields.items():
        if column not in remembered.fields:
            fields[column] = proposed
    mapping.fields = fields
    mapping.time_basis = remembered.time_basis
    mapping.remembered = remembered.describe()


def _remembered_rows(sheet: SourceSheet, last: int, known: frozenset[str],
                     hidden: frozenset[int]) -> tuple[int, int, _RowScore] | None:
    """The header rows of a layout the designer saved column choices for, if the sheet has one."""
    for row in range(1, last + 1):
        if row < last:
            pair = _two_row_headers(sheet, row)
            if header_fingerprint(pair) in known:
                return row, row + 1, _assign(pair, hidden)
        single = _row_headers(sheet, row)
        if header_fingerprint(single) in known:
            return row, row, _assign(single, hidden)
    return None


def _quoted(headers: Mapping[int, str], limit: int = 4) -> str:
    texts = [f"'{t[:30]}'" for _c, t in sorted(headers.items())]
    return ", ".join(texts[:limit]) + (" …" if len(texts) > limit else "")


def _no_header(sheet: SourceSheet, last: int) -> ColumnMapping:
    """An empty mapping that says which rows were searched, and what came closest to a header."""
    first = next((r for r in range(1, sheet.row_count + 1) if any(v is not None for v in sheet.row(r))), 1)
    if not sheet.row_count:
        return ColumnMapping(sheet=sheet.name, first_data_row=1, explanation=f"Sheet '{sheet.name}' is empty.")
    searched = f"rows 1–{last}" if last > 1 else "row 1"
    whole = " (the whole sheet)" if last == sheet.row_count else ""
    closest: tuple[float, int, _RowScore] | None = None
    for row in range(1, last + 1):
        score = _assign(_row_headers(sheet, row))
        if score.total > 0 and (closest is None or score.total > closest[0]):
            closest = (score.total, row, score)
    if closest is None:
        nearest = "No row names even one of them."
    else:
        _, row, score = closest
        named = sorted({f.label for f in score.fields.values() if f is not MselField.EXTRA})
        nearest = (f"The closest is row {row} ({_quoted(score.headers)}), which names only "
                   f"{len(named)}: {', '.join(named)}.")
    return ColumnMapping(
        sheet=sheet.name, header_row=None, first_data_row=first, confidence=0.0,
        explanation=(
            f"No header row was found in {searched} of sheet '{sheet.name}'{whole}: no row names at least two "
            "MSEL columns such as 'Time', 'Title', 'Description', 'From', 'To' or 'Delivery method'. "
            f"{nearest} It may be another tool's export without column titles. If a row holds the column "
            "titles, point at it (the header row in the import dialog, --header-row on the command line); "
            "otherwise choose what each column holds and the row where the data starts, or add a header row "
            "to the sheet."
        ),
    )


def _chosen_header(sheet: SourceSheet, row: int, memory: RememberedLayouts | None) -> ColumnMapping:
    """The mapping when the designer says the header is in ``row`` (with the row above if it is a group
    title row over sub-headings)."""
    hidden = sheet.hidden_columns
    headers = _row_headers(sheet, row) if 1 <= row <= sheet.row_count else {}
    if not headers:
        beyond = f" (the sheet has {sheet.row_count} rows)" if row > sheet.row_count else ""
        return ColumnMapping(
            sheet=sheet.name, header_row=None, first_data_row=max(1, min(row + 1, sheet.row_count + 1)),
            chosen=True,
            explanation=(f"Row {row} of sheet '{sheet.name}' has no text{beyond}, so it cannot be the header; "
                         "choose the row that holds the column titles."))
    single = _assign(headers, hidden)
    top, score = row, single
    if row > 1 and _is_header_like(sheet, row - 1) and _row_headers(sheet, row - 1):
        pair = _assign(_two_row_headers(sheet, row - 1), hidden)
        above = _assign(_row_headers(sheet, row - 1), hidden)
        if pair.total >= max(single.total, above.total) + 0.25:
            top, score = row - 1, pair
    return _build(sheet, top, row, score, memory, chosen=True)


def detect_header(sheet: SourceSheet, *, header_row: int | None = None,
                  memory: RememberedLayouts | None = None) -> ColumnMapping:
    """Find the header row (below any title rows, possibly over two rows) and map its columns to fields.

    ``header_row`` is the designer pointing at the header's (last) row; ``memory`` holds column choices
    saved for layouts seen before, applied when this sheet's header has one of them.
    """
    if header_row is not None:
        return _chosen_header(sheet, header_row, memory)
    hidden = sheet.hidden_columns
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    known = memory.fingerprints() if memory is not None else frozenset()
    if known:
        found = _remembered_rows(sheet, last, known, hidden)
        if found is not None:
            return _build(sheet, found[0], found[1], found[2], memory)
    best: tuple[float, int, int, _RowScore] | None = None
    singles: dict[int, _RowScore] = {}
    for row in range(1, last + 1):
        if not _is_header_like(sheet, row):
            continue
        score = _assign(_row_headers(sheet, row), hidden)
        singles[row] = score
        if _plausible(score) and (best is None or score.total > best[0]):
            best = (score.total, row, row, score)
    for row in range(1, last):
        if row not in singles or row + 1 not in singles:
            continue
        score = _assign(_two_row_headers(sheet, row), hidden)
        margin = max(singles[row].total, singles[row + 1].total) + (0 if _grouped(sheet, row) else 0.25)
        beaten = best is None or score.total > best[0] + 0.25 or (best[1] == row + 1 and score.total >= best[0]
                                                                  and _grouped(sheet, row))
        if _plausible(score) and score.total >= margin and beaten:
            best = (score.total, row, row + 1, score)
    if best is None:
        return _no_header(sheet, last)
    _, top, bottom, score = best
    return _build(sheet, top, bottom, score, memory)


# ---------------------------------------------------------------------------------- sheet ranking

_NAME_KINDS: tuple[tuple[SheetKind, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern)) for kind, pattern in (
    (SheetKind.EXAMPLES, r"\b(?:examples?|samples?|templates?|demo|exemplars?|how ?to|tutorial|dummy|blank)\b"),
    (SheetKind.DELETED, r"\b(?:deleted|delete|removed|cut|cancell?ed|obsolete|superseded|archived?|archives|old"
                        r"|unused|not used|discarded|dropped|retired|trash|bin|backup|bak|copy of|previous)\b"),
    (SheetKind.PRINT, r"\b(?:print|printable|printout|printing|handouts?|cards?|pdf|for print)\b"),
    (SheetKind.NOTES, r"\b(?:notes?|info|information|read ?me|instructions?|cover|overview|about|guidance|guide"
                      r"|help|legend|key|glossary|acronyms|abbreviations|contacts?|poc|distribution|versions?"
                      r"|change ?log|changes|revisions?|history|summary|contents|toc|sign ?off|approvals?"
                      r"|objectives|participants|roster|scope|introduction|intro|purpose|background"
                      r"|scenario|narrative|situation manual|sitman)\b"),
    (SheetKind.LOOKUPS, r"\b(?:lookups?|look ?up|lists?|drop ?downs?|validation|config|configuration|settings"
                        r"|metadata|meta|reference data|ref data|values|options|codes|lov|parameters"
                        r"|categories)\b"),
))
_GOOD_NAME_RE = re.compile(
    r"\b(?:msel|injects?|events?|timeline|master|script|serials?|days?|d ?[+-]? ?\d{1,3}|day ?\d{1,3}"
    r"|iterations?|modules?|phases?|periods?|shifts?|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b")


def sheet_kind_from_name(name: str) -> SheetKind | None:
    """What a sheet's name says it holds, when it says so (``Examples``, ``Deleted injects``, ``Print``,
    ``Notes``, ``Lookups`` …); None for names that say nothing or name injects."""
    words = " ".join(re.sub(r"[^\w+-]+", " ", name.casefold().replace("_", " ")).split())
    for kind, pattern in _NAME_KINDS:
        if pattern.search(words):
            if kind in {SheetKind.NOTES, SheetKind.LOOKUPS} and _GOOD_NAME_RE.search(words):
                return None
            return kind
    return None


def _data_rows(sheet: SourceSheet, mapping: ColumnMapping) -> int:
    return sum(1 for r in range(mapping.first_data_row, sheet.row_count + 1) if any(
        v is not None for v in sheet.row(r)))


def propose_sheet(workbook: SourceWorkbook, memory: RememberedLayouts | None = None) -> list[SheetCandidate]:
    """Every sheet ranked by how much it looks like the MSEL, best first, with the sheets of injects marked
    ``proposed`` (all of them: a workbook may hold one sheet per day, iteration or agency). Examples,
    deleted injects, print layouts, notes, lookup lists, hidden and empty sheets are listed but not
    proposed; the designer picks in the end."""
    candidates = []
    for index, sheet in enumerate(workbook.sheets):
        mapping = detect_header(sheet, memory=memory)
        rows = _data_rows(sheet, mapping) if sheet.row_count else 0
        score = mapping.confidence * 10 + min(rows, 500) / 100
        reasons = [f"header confidence {mapping.confidence:.0%}", f"{rows} data row(s)"]
        named = sheet_kind_from_name(sheet.name)
        good = bool(_GOOD_NAME_RE.search(sheet.name.casefold()))
        if not rows:
            kind = SheetKind.EMPTY
        elif named is not None:
            kind = named
        elif mapping.header_row is None:
            kind = SheetKind.NO_HEADER
        else:
            kind = SheetKind.INJECTS
        if named is not None:
            score -= 4 if named in {SheetKind.EXAMPLES, SheetKind.DELETED, SheetKind.PRINT} else 3
            reasons.append(f"its name suggests {named.label.lower()}, not an MSEL")
        elif good:
            score += 2
            reasons.append("its name suggests an MSEL")
        if sheet.hidden:
            score -= 5
            reasons.append("hidden sheet")
        if not rows:
            score -= 10
        score -= index * 0.01
        candidates.append(SheetCandidate(sheet.name, round(score, 2), mapping, rows, "; ".join(reasons), kind,
                                         index=index, hidden=sheet.hidden))
    candidates.sort(key=lambda c: -c.score)
    return _mark_proposed(candidates)


def _mark_proposed(candidates: list[SheetCandidate]) -> list[SheetCandidate]:
    """Propose every visible sheet of injects that looks like the best one or like an MSEL on its own;
    when none does, the best sheet with data, so the designer always starts somewhere."""
    injects = [c for c in candidates if c.kind is SheetKind.INJECTS and not c.hidden]
    best = injects[0] if injects else None
    proposed: set[str] = set()
    for candidate in injects:
        same_layout = best is not None and candidate.mapping.fingerprint == best.mapping.fingerprint
        if candidate.mapping.confidence >= 0.6 or same_layout:
            proposed.add(candidate.sheet)
    if not proposed:
        fallback = next((c for c in candidates if c.data_rows), None)
        if fallback is not None:
            proposed.add(fallback.sheet)
    return [replace(c, proposed=c.sheet in proposed) for c in candidates]


def proposed_sheets(candidates: list[SheetCandidate]) -> list[str]:
    """The proposed sheets in workbook order, the order their injects are imported in."""
    return [c.sheet for c in sorted(candidates, key=lambda c: c.index) if c.proposed]

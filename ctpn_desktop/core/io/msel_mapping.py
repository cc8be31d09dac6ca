"""Which sheet holds the MSEL, which row is its header, and which column is which field.

Real MSELs put a title, the protective marking and a version line above the header, write headers over
two lines ("Scheduled\\nTime"), spell the same column a dozen ways ("Inject #", "Serial", "MSEL Ref") and
keep lookup lists on other sheets. Detection scores rows and sheets against the header names exercise
templates use and proposes a `ColumnMapping`; it is a plain, editable value, because the designer has the
last word (the import dialog lets them change any column before anything is imported).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

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
    data then starts at ``first_data_row``). ``confidence`` (0–1) and ``explanation`` tell the designer
    how sure the detection was and why.
    """

    sheet: str
    header_row: int | None = None
    first_data_row: int = 1
    fields: dict[int, MselField] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    time_basis: TimeBasis = TimeBasis.AUTO
    confidence: float = 0.0
    explanation: str = ""

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


@dataclass(frozen=True, slots=True)
class SheetCandidate:
    """A sheet ranked by how much it looks like an MSEL, with the mapping detected for it."""

    sheet: str
    score: float
    mapping: ColumnMapping
    data_rows: int
    reason: str


# ------------------------------------------------------------------------------------ header names

_NAMES: tuple[tuple[MselField, float, tuple[str, ...]], ...] = (
    (MselField.NUMBER, 1.0, (
        "number", "inject number", "event number", "msel number", "serial", "serial number", "ser", "id",
        "inject id", "event id", "msel id", "ref", "reference", "ref number", "reference number",
        "source reference", "inject ref", "inject reference", "event ref", "msel ref", "item", "item number",
        "seq", "sequence", "sequence number", "line number", "inject serial", "inject ref number")),
    (MselField.TIME, 1.0, (
        "time", "scheduled time", "planned time", "event time", "inject time", "delivery time",
            "release time",
        "time of inject", "designated time", "exercise time", "planned offset", "offset", "time offset",
        "elapsed time", "elapsed", "h hour", "when", "due", "due time", "trigger time", "start time", "clock",
        "clock time", "time hhmm", "date time", "datetime", "dtg", "date time group", "time of event",
        "inject delivery time", "msel time", "timing", "scheduled", "time due", "planned release",
        "planned release time", "ex time", "time from startex", "relative time", "time hh mm", "t+ time",
        "t+", "h+", "time 24hr", "planned delivery time", "scheduled delivery time")),
    (MselField.DATE, 1.0, ("date", "day", "event date", "exercise day", "inject date", "scheduled date",
                           "planned date", "ex day", "exercise date")),
    (MselField.SCENARIO_TIME, 1.0, (
        "scenario time", "designated scenario time", "scenario date time", "scenario datetime",
            "scenario date",
        "story time", "game time", "simulated time", "scenario clock", "fictional time", "scenario dtg",
        "in game time", "storyline time", "scenario time date")),
    (MselField.EVENT_TYPE, 1.0, ("event type", "type", "entry type", "item type", "kind", "category",
                                 "event category", "msel event type", "event kind")),
    (MselField.EVENT_TYPE, 0.8, ("inject type",)),
    (MselField.TITLE, 1.0, (
        "title", "subject", "inject title", "event title", "heading", "headline", "event", "event name",
            "name",
        "short description", "summary", "inject subject", "event subject", "brief description", "inject name",
        "subject title", "title subject")),
    (MselField.TITLE, 0.8, ("synopsis", "event synopsis")),
    (MselField.CONTENT, 1.0, (
        "description", "event description", "inject description", "content", "contents", "message", "inject",
        "inject text", "inject message", "script", "details", "narrative", "text", "body", "information",
        "inject content", "message text", "description content", "content description", "event details",
        "inject details", "detailed description", "full description", "message content", "injects",
        "inject description content", "description script", "message script", "inject script")),
    (MselField.CONTENT, 0.9, ("event synopsis", "synopsis", "situation")),
    (MselField.DELIVERY_METHOD, 1.0, (
        "delivery method", "method", "mode", "inject mode", "delivery", "means", "medium", "channel",
        "method of delivery", "delivery mechanism", "delivery mode", "delivered via", "via", "format",
        "communication method", "comms method", "how delivered", "inject method", "delivery type",
            "mechanism",
        "media", "delivery channel")),
    (MselField.DELIVERY_METHOD, 0.7, ("inject type",)),
    (MselField.SENDER, 1.0, (
        "from", "send from", "sender", "source", "simulated sender", "originator", "sent by", "message from",
        "simulated source", "inject from", "simulated from", "from simulated", "originating agency",
        "from simulated sender")),
    (MselField.CONTROLLER, 1.0, (
        "responsible controller", "controller", "injected by", "inject by", "delivered by", "lead controller",
        "controller responsible", "responsible", "owner", "facilitator", "delivering controller",
        "controller name", "responsible person", "lead", "injector")),
    (MselField.RECIPIENTS, 1.0, (
        "to", "send to", "recipient", "recipients", "intended player", "intended players", "player",
            "players",
        "target", "targets", "audience", "addressee", "addressees", "receiving", "receiver",
            "intended recipient",
        "intended recipients", "intended audience", "participant", "participants", "player agency", "sent to",
        "inject to", "target audience", "agency", "agencies", "for", "who", "to intended player",
        "to intended players")),
    (MselField.EXPECTED_ACTIONS, 1.0, (
        "expected action", "expected actions", "expected player action", "expected player actions",
        "expected outcome", "expected response", "anticipated response", "anticipated action",
        "expected player response", "desired outcome", "outcome", "expected result", "required action",
        "player action", "player actions", "action required", "expected", "response expected",
        "expected activity", "expected action outcome", "expected player activity")),
    (MselField.EXPECTED_ACTIONS, 0.8, ("expected outcomes", "outcomes")),
    (MselField.OBJECTIVES, 1.0, (
        "objective", "objectives", "objective capability", "objective core capability", "core capability",
        "capability", "capabilities", "core capabilities", "obj", "exercise objective", "exercise objectives",
        "objectives tested", "linked objectives", "objective number", "obj number", "objective ref",
        "objective capability critical task")),
    (MselField.OBJECTIVES, 0.8, ("critical task", "critical tasks")),
    (MselField.NOTES, 1.0, (
        "notes", "note", "controller notes", "controller note", "remarks", "remark", "comments", "comment",
        "facilitator notes", "facilitator note", "additional information", "guidance", "controller guidance",
        "notes for controller", "staff notes", "internal notes", "notes comments",
            "controller facilitator notes")),
    (MselField.STORYLINE, 1.0, (
        "storyline", "story line", "thread", "track", "strand", "line of play", "scenario thread",
            "workstream",
        "theme", "lane", "storyline thread", "thread storyline", "story")),
    (MselField.STATUS, 1.0, ("status", "inject status", "state", "approval", "approval status")),
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


def _header_text(value: object) -> str:
    return " ".join(cell_text(value).split()) if isinstance(value, str) else ""


@dataclass(slots=True)
class _RowScore:
    total: float
    fields: dict[int, MselField]
    scores: dict[int, float]
    headers: dict[int, str]


def _assign(headers: dict[int, str]) -> _RowScore:
    """Give each column its best field, each field (but EXTRA) to one column, strongest matches first."""
    options = []
    for column, text in headers.items():
        for wanted, score in header_candidates(text):
            options.append((-score, column, wanted))
    options.sort(key=lambda item: (item[0], item[1]))
    fields: dict[int, MselField] = {}
    scores: dict[int, float] = {}
    for negative, column, wanted in options:
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
    return {c: t for c, v in enumerate(sheet.row(row), start=1) if (t := _header_text(v))}


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
    for block in sheet.merged:
        if block.min_row == row and block.max_col > block.min_col and block.min_col in upper:
            for column in range(block.min_col + 1, block.max_col + 1):
                upper.setdefault(column, upper[block.min_col])
    lower = _row_headers(sheet, row + 1)
    combined = {}
    for column in sorted(set(upper) | set(lower)):
        top, bottom = upper.get(column, ""), lower.get(column, "")
        combined[column] = bottom if top == bottom else f"{top} {bottom}".strip()
    return combined


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


def detect_header(sheet: SourceSheet) -> ColumnMapping:
    """Find the header row (below any title rows, possibly over two rows) and map its columns to fields."""
    best: tuple[float, int, int, _RowScore] | None = None
    last = min(HEADER_SCAN_ROWS, sheet.row_count)
    singles: dict[int, _RowScore] = {}
    for row in range(1, last + 1):
        if not _is_header_like(sheet, row):
            continue
        score = _assign(_row_headers(sheet, row))
        singles[row] = score
        if _plausible(score) and (best is None or score.total > best[0]):
            best = (score.total, row, row, score)
    for row in range(1, last):
        if row not in singles or row + 1 not in singles:
            continue
        score = _assign(_two_row_headers(sheet, row))
        margin = max(singles[row].total, singles[row + 1].total) + 0.25
        if _plausible(score) and score.total >= margin and (best is None or score.total > best[0] + 0.25):
            best = (score.total, row, row + 1, score)
    if best is None:
        first = next((r for r in range(1, sheet.row_count + 1) if any(v is not None for v in sheet.row(r))),
                     1)
        return ColumnMapping(
            sheet=sheet.name, header_row=None, first_data_row=first, confidence=0.0,
            explanation=(
                f"No header row was found in the first {HEADER_SCAN_ROWS} rows of sheet '{sheet.name}': "
                "no row "
                "names at least two MSEL columns such as 'Time', 'Title', 'Description', 'From', 'To' or "
                "'Delivery method'. It may be another tool's export without column titles. Choose what each "
                "column holds and the row where the data starts, or add a header row to the sheet."
                if sheet.row_count else f"Sheet '{sheet.name}' is empty."
            ),
        )
    _, top, header_row, score = best
    fields = dict(score.fields)
    notes = _switch_by_values(sheet, header_row + 1, fields)
    time_column = next((c for c, f in fields.items() if f is MselField.TIME), None)
    basis = time_basis_from_header(score.headers[time_column]) if time_column else TimeBasis.AUTO
    mapping = ColumnMapping(
        sheet=sheet.name, header_row=header_row, first_data_row=header_row + 1, fields=fields,
        headers=dict(score.headers), time_basis=basis, confidence=_confidence(score),
    )
    rows = f"rows {top}–{header_row}" if top != header_row else f"row {header_row}"
    recognised = [f for f in fields.values() if f is not MselField.EXTRA]
    lines = [f"Header found in {rows} of sheet '{sheet.name}'"
             + (" (rows above it look like titles)." if top > 1 else "."),
             f"{len(recognised)} column(s) recognised as MSEL fields; "
             f"{sum(1 for f in fields.values() if f is MselField.EXTRA)} other column(s) will be kept in the "
             "controller notes.", *[n[0].upper() + n[1:] + "." for n in notes],
             *[m[0].upper() + m[1:] + "." for m in mapping.missing()]]
    mapping.explanation = " ".join(lines)
    return mapping


# ---------------------------------------------------------------------------------- sheet ranking

_GOOD_NAMES = ("msel", "inject", "event", "timeline", "master", "script", "serial")
_POOR_NAMES = ("lookup", "list", "metadata", "instruction", "readme", "read me", "cover", "dropdown",
               "drop down",
               "validation", "legend", "key", "version", "distribution", "content", "config", "setting",
                   "help",
               "guidance", "glossary", "contact", "change", "summary")


def _data_rows(sheet: SourceSheet, mapping: ColumnMapping) -> int:
    return sum(1 for r in range(mapping.first_data_row, sheet.row_count + 1) if any(
        v is not None for v in sheet.row(r)))


def propose_sheet(workbook: SourceWorkbook) -> list[SheetCandidate]:
    """Every sheet ranked by how much it looks like the MSEL, best first; the designer picks in the end."""
    candidates = []
    for index, sheet in enumerate(workbook.sheets):
        mapping = detect_header(sheet)
        rows = _data_rows(sheet, mapping) if sheet.row_count else 0
        score = mapping.confidence * 10 + min(rows, 500) / 100
        reasons = [f"header confidence {mapping.confidence:.0%}", f"{rows} data row(s)"]
        name = sheet.name.lower()
        if any(word in name for word in _GOOD_NAMES):
            score += 2
            reasons.append("its name suggests an MSEL")
        elif any(word in name for word in _POOR_NAMES):
            score -= 3
            reasons.append("its name suggests a list or notes, not an MSEL")
        if sheet.hidden:
            score -= 5
            reasons.append("hidden sheet")
        if not rows:
            score -= 10
        score -= index * 0.01
        candidates.append(SheetCandidate(sheet.name, round(score, 2), mapping, rows, "; ".join(reasons)))
    candidates.sort(key=lambda c: -c.score)
    return candidates

"""The import report: what an MSEL import read, imported, skipped and kept, sheet by sheet.

A designer who imports a workbook of several hundred rows must be able to tell what did not become an
inject and why. The report accounts for every row below each header (imported, blank, a repeated header, a
repeated title, a section row, not imported) and every column (mapped, kept in the controller notes, left
out), and lists the time problems. The import dialog shows it; the command line prints it (also for
``--dry-run``). It is built from the preview and the outcome only, so it describes exactly what Import stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from ctpn_desktop.core.io.msel_import import ImportOutcome
from ctpn_desktop.core.io.msel_mapping import MselField, SheetCandidate
from ctpn_desktop.core.io.msel_parse import ImportPreview, ImportProblem, RowFate, Severity, SheetSummary
from ctpn_desktop.core.io.msel_read import column_letter

SKIP_FATES = (RowFate.BLANK, RowFate.REPEATED_HEADER, RowFate.TITLE, RowFate.SECTION)
LISTED_PROBLEMS = 12
"""Time problems listed per sheet in the text; the count is always complete."""


@dataclass(frozen=True, slots=True)
class ColumnLine:
    """One column of a sheet as the import treats it."""

    letter: str
    header: str
    field: MselField | None
    values: int = 0
    hidden: bool = False

    def describe(self) -> str:
        name = f'{self.letter} "{self.header}"' if self.header else f"{self.letter} (no header)"
        hidden = " (hidden)" if self.hidden else ""
        if self.field is None:
            return f"{name}{hidden}: {self.values} value(s)"
        if self.field is MselField.EXTRA:
            return f"{name}{hidden}"
        return f"{name} → {self.field.label}{hidden}"


@dataclass(frozen=True, slots=True)
class SheetReport:
    """One sheet's part of the report."""

    sheet: str
    header_rows: tuple[int, ...]
    rows_above: tuple[int, ...]
    first_row: int
    last_row: int
    rows_read: int
    injects: int
    skipped: tuple[tuple[RowFate, tuple[int, ...]], ...]
    not_imported: tuple[int, ...]
    mapped: tuple[ColumnLine, ...]
    kept_in_notes: tuple[ColumnLine, ...]
    left_out: tuple[ColumnLine, ...]
    time_problems: tuple[ImportProblem, ...]
    day: int | None
    explanation: str = ""
    remembered: str = ""

    @property
    def skipped_count(self) -> int:
        return sum(len(rows) for _fate, rows in self.skipped)

    def lines(self) -> list[str]:
        header = (f"header in {rows_text(self.header_rows)}" if self.header_rows
                  else "no header row")
        intro = f"Sheet '{self.sheet}': {header}"
        if self.rows_above:
            intro += f"; {len(self.rows_above)} title row(s) above it ({rows_text(self.rows_above)})"
        if self.day is not None:
            intro += f"; its times of day are on exercise day {self.day} (from the sheet's name)"
        lines = [intro]
        if self.remembered:
            lines.append(f"  Columns as in {self.remembered}.")
        if not self.mapped and not self.kept_in_notes:
            lines.append(f"  Not read: {self.explanation}")
            return lines
        span = f" ({rows_text(range(self.first_row, self.last_row + 1))})" if self.rows_read else ""
        lines.append(f"  Rows read: {self.rows_read}{span} → {self.injects} inject(s) imported")
        skipped = [f"{fate.label} {len(rows)} ({rows_text(rows)})" for fate, rows in self.skipped]
        lines.append("  Rows skipped: " + ("; ".join(skipped) if skipped else "none"))
        if self.not_imported:
            lines.append(f"  Rows not imported: {len(self.not_imported)} ({rows_text(self.not_imported)}); "
                         "the problems list says why")
        lines.append("  Columns mapped: " + ("; ".join(c.describe() for c in self.mapped) or "none"))
        lines.append("  Columns kept in the controller notes: "
                     + ("; ".join(c.describe() for c in self.kept_in_notes) or "none"))
        if self.left_out:
            lines.append("  Columns left out (not imported): " + "; ".join(c.describe() for c in self.left_out))
        lines.append(f"  Time problems: {len(self.time_problems)}")
        for problem in self.time_problems[:LISTED_PROBLEMS]:
            where = f"row {problem.row}" if problem.row is not None else "sheet"
            column = f", column {problem.column}" if problem.column else ""
            lines.append(f"    {where}{column}: {problem.message}")
        if len(self.time_problems) > LISTED_PROBLEMS:
            lines.append(f"    … and {len(self.time_problems) - LISTED_PROBLEMS} more")
        return lines


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The whole report: every sheet read, what the import will create, and the totals."""

    source: str
    sheets: tuple[SheetReport, ...]
    injects: int
    startex: datetime | time | None
    errors: int
    warnings: int
    created: tuple[tuple[str, tuple[str, ...]], ...] = ()
    renumbered: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> str:
        names = ", ".join(f"'{s.sheet}'" for s in self.sheets)
        where = f"sheet {names}" if len(self.sheets) == 1 else f"{len(self.sheets)} sheets ({names})"
        text = f"{self.injects} inject(s) from {where}"
        if self.startex is not None:
            when = self.startex.strftime("%Y-%m-%d %H:%M") if isinstance(self.startex, datetime) else \
                self.startex.strftime("%H:%M")
            text += f"; STARTEX {when}"
        return text

    def lines(self) -> list[str]:
        lines = [f"Import report for {Path(self.source).name or self.source}: {self.headline()}",
                 *self.notes]
        for sheet in self.sheets:
            lines.extend(sheet.lines())
        for label, names in self.created:
            shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
            lines.append(f"New {label} to be created: {len(names)} ({shown})")
        if self.renumbered:
            lines.append(f"Renumbered: {self.renumbered} inject(s) whose number was already used")
        lines.append(f"Problems: {self.errors} error(s) (rows not imported), {self.warnings} warning(s) "
                     "(values replaced, originals kept in the controller notes)")
        return lines

    def text(self) -> str:
        return "\n".join(self.lines())


def sheets_not_read(candidates: Iterable[SheetCandidate], read: Iterable[str]) -> str:
    """A line naming the workbook's other sheets and what each looked like, so none is left out unseen."""
    chosen = set(read)
    others = [f"'{c.sheet}' ({c.kind.label.lower()}{', hidden' if c.hidden else ''})"
              for c in sorted(candidates, key=lambda c: c.index) if c.sheet not in chosen]
    return f"Sheets not read: {', '.join(others)}." if others else ""


def rows_text(rows: Iterable[int], limit: int = 8) -> str:
    """Row numbers as people read them: ``rows 4–9, 12, 20–21``; long lists end in "…"."""
    ordered = sorted(set(rows))
    if not ordered:
        return "no rows"
    groups: list[tuple[int, int]] = []
    for row in ordered:
        if groups and row == groups[-1][1] + 1:
            groups[-1] = (groups[-1][0], row)
        else:
            groups.append((row, row))
    parts = [f"{a}–{b}" if b > a else str(a) for a, b in groups[:limit]]
    more = " …" if len(groups) > limit else ""
    return ("row " if len(ordered) == 1 else "rows ") + ", ".join(parts) + more


def _sheet_report(summary: SheetSummary, problems: Sequence[ImportProblem]) -> SheetReport:
    mapping = summary.mapping
    hidden = set(summary.hidden_columns)
    mapped: list[ColumnLine] = []
    notes: list[ColumnLine] = []
    for column, wanted in sorted(mapping.fields.items()):
        line = ColumnLine(column_letter(column), mapping.headers.get(column, ""), wanted,
                          hidden=column in hidden)
        (notes if wanted is MselField.EXTRA else mapped).append(line)
    left = tuple(ColumnLine(column_letter(c), mapping.headers.get(c, ""), None, count, hidden=c in hidden)
                 for c, count in summary.left_out)
    own = [p for p in problems if p.sheet == summary.sheet]
    return SheetReport(
        sheet=summary.sheet, header_rows=mapping.header_rows, rows_above=summary.rows_above,
        first_row=summary.first_row, last_row=summary.last_row, rows_read=summary.rows_read,
        injects=summary.injects,
        skipped=tuple((fate, rows) for fate in SKIP_FATES if (rows := summary.rows(fate))),
        not_imported=summary.rows(RowFate.NOT_IMPORTED), mapped=tuple(mapped), kept_in_notes=tuple(notes),
        left_out=left, time_problems=tuple(p for p in own if p.about_time and p.severity is not Severity.INFO),
        day=summary.day, explanation=mapping.explanation, remembered=mapping.remembered,
    )


def build_report(preview: ImportPreview, outcome: ImportOutcome | None = None,
                 notes: Sequence[str] = ()) -> ImportReport:
    """The report of ``preview`` (and of what ``outcome`` would create), with ``notes`` about the file."""
    problems = list(preview.problems) + list(outcome.notes if outcome is not None else ())
    created: list[tuple[str, tuple[str, ...]]] = []
    if outcome is not None:
        for label, names in (("organisations", outcome.created_organisations), ("roles", outcome.created_roles),
                             ("phases", outcome.created_phases), ("objectives", outcome.created_objectives)):
            if names:
                created.append((label, tuple(names)))
    renumbered = outcome.renumbered if outcome is not None else 0
    return ImportReport(
        source=preview.source, sheets=tuple(_sheet_report(s, preview.problems) for s in preview.sheets),
        injects=len(preview.injects), startex=preview.startex,
        errors=sum(1 for p in problems if p.severity is Severity.ERROR),
        warnings=sum(1 for p in problems if p.severity is Severity.WARNING),
        created=tuple(created), renumbered=renumbered, notes=tuple(notes),
    )

"""The controller's MSEL handout: the whole inject list on landscape pages, for printing before the day.

One row per inject in planned order: number, time (planned offset and scenario time), phase, from, to, method,
title, content, expected player actions and controller notes. The header row repeats on every page; every page
carries the protective marking at top and bottom and "Page x of y". Cells are plain text, so anything typed
(``<``, ``&``, accents, Greek, Cyrillic, long references) prints exactly, and a 5,000-inject MSEL lays out in
linear time (see `flowables.LongTable`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Spacer
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import EventType, Inject, Scenario
from ctpn_desktop.core.report.flowables import (
    Block,
    LongTable,
    PlacedRows,
    Span,
    TableLook,
    TextLines,
    numbered_canvas,
    ruled_commands,
)
from ctpn_desktop.core.report.fonts import FONT, FONT_BOLD, register_fonts

from ctpn_desktop import APP_NAME, __version__

Progress = Callable[[float, str], None]

PAGE_W, PAGE_H = landscape(A4)
MARGIN_X = 12 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
EMPTY = "—"
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
NAVY = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b8c2cc")
ZEBRA = colors.HexColor("#f2f5f8")
ALERT = colors.HexColor("#b00020")
LEADING = 9.5
SIZE = 7.5

COLUMNS: tuple[tuple[str, float], ...] = (
    ("No.", 4), ("Time", 9), ("Phase", 9), ("From", 9), ("To", 12), ("Method", 7), ("Title", 12),
    ("Content", 18), ("Expected actions", 12), ("Controller notes", 12),
)


@dataclass(frozen=True)
class HandoutOptions:
    include_controller_notes: bool = True
    marking_override: str | None = None
    organisation_name: str = ""


def _plain(value: str, *, font: str = FONT, colour: colors.Color = INK) -> Block:
    return [Span(value.strip() or EMPTY, font, SIZE, colour)]


def inject_row(scenario: Scenario, inject: Inject, phases: dict[str, str], include_notes: bool) -> list[object]:
    """The handout row of one inject, every cell plain text."""
    time: list[Block] = [[Span(format_elapsed(inject.planned_offset_s), FONT_BOLD, SIZE, INK)]]
    if inject.scenario_time is not None:
        time.append([Span(f"Scenario {inject.scenario_time.strftime('%d %b %H:%M')}", FONT, 6.5, MUTED)])
    title: list[Block] = [_plain(inject.title, font=FONT_BOLD)]
    if inject.event_type is not EventType.INJECT:
        title.append([Span(inject.event_type.value.upper(), FONT, 6.5, ALERT if inject.event_type is
                           EventType.CONTINGENCY else MUTED)])
    recipients = [scenario.recipient_label(r) for r in inject.recipients]
    cells: list[list[Block]] = [
        [_plain(phases.get(inject.phase_id or "", ""))], [_plain(inject.sender)],
        [_plain(r) for r in recipients] or [_plain("")], [_plain(inject.delivery_method.label)], title,
        [_plain(inject.content)], [_plain(inject.expected_actions)],
    ]
    if include_notes:
        cells.append([_plain(inject.controller_notes, colour=MUTED)])
    return [str(inject.number), TextLines(time, LEADING), *(TextLines(blocks, LEADING) for blocks in cells)]


class _HandoutDoc(BaseDocTemplate):
    def __init__(self, filename: str, marking: str, exercise_title: str, **kwargs: object) -> None:
        super().__init__(filename, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, **kwargs)
        self._marking = marking
        self._title = exercise_title
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, FRAME_H, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._furniture)])

    def _furniture(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - 9 * mm, self._marking)
        canvas.drawCentredString(PAGE_W / 2, 6 * mm, self._marking)
        canvas.setFillColor(ALERT)
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - 13.5 * mm, "EXERCISE EXERCISE EXERCISE")
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        left = self._title if len(self._title) <= 70 else self._title[:69] + "…"
        canvas.drawString(MARGIN_X, 12 * mm, f"{left} · MSEL — controller's handout")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, PAGE_H - 16 * mm, PAGE_W - MARGIN_X, PAGE_H - 16 * mm)
        canvas.line(MARGIN_X, 16 * mm, PAGE_W - MARGIN_X, 16 * mm)
        canvas.restoreState()


def _page_number(canvas: Canvas, number: int, total: int) -> None:
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_W - MARGIN_X, 12 * mm, f"Page {number} of {total}")


def render_handout(scenario: Scenario, path: Path, options: HandoutOptions | None = None,
                   progress: Progress | None = None, *, generated_at: datetime | None = None) -> Path:
    """Write the MSEL handout of ``scenario`` to ``path`` (replaced only once the new file is complete)."""
    options = options or HandoutOptions()
    register_fonts()
    path = Path(path)

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    exercise = scenario.exercise
    marking = (options.marking_override or exercise.marking or "OFFICIAL").strip().upper()
    phases = {p.id: p.name for p in scenario.phases}
    injects = sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.position, i.number))
    report(0.05, "Preparing the rows")
    rows = [inject_row(scenario, inject, phases, options.include_controller_notes) for inject in injects]
    columns = COLUMNS if options.include_controller_notes else COLUMNS[:-1]
    total = sum(w for _, w in columns)
    widths = [BODY_W * w / total for _, w in columns]
    head = ParagraphStyle("HandoutHead", fontName=FONT_BOLD, fontSize=SIZE, leading=LEADING, textColor=colors.white)
    look = TableLook(header=[Paragraph(escape(name), head) for name, _ in columns], widths=widths,
                     commands=ruled_commands(NAVY, RULE, ZEBRA, FONT, SIZE), frame_height=FRAME_H, leading=SIZE + 2)
    placed = PlacedRows(total=len(rows))
    placed.listeners.append(lambda done, count: report(0.1 + 0.85 * min(1.0, done / max(1, count)),
                                                       f"Laid out {done} of {count} injects"))
    title_style = ParagraphStyle("HandoutTitle", fontName=FONT_BOLD, fontSize=14, leading=18, textColor=NAVY)
    sub_style = ParagraphStyle("HandoutSub", fontName=FONT, fontSize=8.5, leading=12, textColor=MUTED)
    stamp = (generated_at or datetime.now(UTC)).astimezone(UTC)
    facts = [f"{len(injects)} injects", f"{len(scenario.phases)} phases"]
    if exercise.planned_date is not None:
        facts.append(f"planned for {exercise.planned_date.isoformat()}")
    if exercise.venue.strip():
        facts.append(exercise.venue.strip())
    if options.organisation_name.strip():
        facts.append(options.organisation_name.strip())
    facts.append(f"printed {stamp.strftime('%Y-%m-%d %H:%M')} UTC")
    if not options.include_controller_notes:
        facts.append("controller notes left out")
    story = [Paragraph(f"{escape(exercise.title.strip() or 'Untitled exercise')} — MSEL", title_style),
             Paragraph(escape(" · ".join(facts)) + ". Times are planned exercise time (h:mm:ss from STARTEX).",
                       sub_style), Spacer(1, 4 * mm)]
    if rows:
        story.append(LongTable(look, rows, progress=placed))
    else:
        story.append(Paragraph("This exercise has no injects yet.", sub_style))

    temporary = path.with_name(f".{path.name}.partial")
    doc = _HandoutDoc(str(temporary), marking, exercise.title, title=f"{exercise.title} — MSEL handout",
                      author=options.organisation_name.strip() or exercise.organiser or exercise.author or APP_NAME,
                      subject=f"Master Scenario Events List, controller's handout — {marking}",
                      creator=f"{APP_NAME} {__version__}", lang="en-GB", displayDocTitle=1)
    try:
        doc.build(story, canvasmaker=numbered_canvas(_page_number))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report(1.0, f"Wrote {path.name}")
    return path


__all__ = ["COLUMNS", "HandoutOptions", "render_handout"]

"""The debrief as a PDF, laid out with reportlab's platypus from a `DebriefData`.

Every page carries the protective marking, centred at top and bottom in capitals, the exercise marking
"EXERCISE EXERCISE EXERCISE" and "Page x of y"; the page count is known only when the last page is laid
out, so the canvas holds every page back and writes the numbers when the document is saved. Everything people
typed is escaped before it reaches reportlab's paragraph mark-up, so ``<``, ``&`` and ``>`` print as typed.
The file is written under a temporary name and moved into place, so a failed export never leaves half a PDF.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import HotwashKind, LogEntry, LogKind, LogRevision, Observation, Rating
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.report.analytics import format_delay
from ctpn_desktop.core.report.debrief_data import DebriefData, InjectOutcome, Section, revision_note
from ctpn_desktop.core.report.flowables import (
    Block,
    Contents,
    LongTable,
    PlacedRows,
    Span,
    TableLook,
    TextLines,
    WrapOnceParagraph,
    numbered_canvas,
    ruled_commands,
)
from ctpn_desktop.core.report.fonts import FONT, FONT_BOLD, register_fonts

from ctpn_desktop import APP_NAME, __version__

Progress = Callable[[float, str], None]


class DebriefError(CtpnError):
    """The report cannot be made from what was given (for example an unreadable logo)."""


EXERCISE_BANNER = "EXERCISE EXERCISE EXERCISE"
LOG_CODE_LABEL = "Log code"
"""Before the code of the run's log chains at the foot of every page (``ctpn-desktop verify --code`` checks it)."""
EMPTY = "—"
PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 26 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
LOG_LEADING = 10.0
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

NAVY = colors.HexColor("#1f3a5f")
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b8c2cc")
ZEBRA = colors.HexColor("#f2f5f8")
ALERT = colors.HexColor("#b00020")
PALETTE = [colors.HexColor(c) for c in ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                                         "#F0E442", "#000000", "#7f7f7f")]
RATING_COLOURS = {Rating.P: colors.HexColor("#2e7d32"), Rating.S: colors.HexColor("#f9a825"),
                  Rating.M: colors.HexColor("#ef6c00"), Rating.U: colors.HexColor("#c62828")}
CLOCK_LABELS = {"start": "STARTEX", "pause": "Paused", "resume": "Resumed", "adjust": "Clock adjusted",
                 "compression": "Speed changed", "halt": "HALTED (real-world)", "end": "ENDEX"}
HOTWASH_HEADINGS = {HotwashKind.STRENGTH: "Strengths", HotwashKind.IMPROVEMENT: "Areas for improvement",
                    HotwashKind.LESSON: "Lessons identified"}


# ---------------------------------------------------------------------------------------------- text helpers


def text(value: object) -> str:
    """Paragraph mark-up for something a person typed: escaped, line breaks kept, empty shown as a dash."""
    if value is None:
        return EMPTY
    raw = str(value)
    if not raw.strip():
        return EMPTY
    return escape(raw.strip()).replace("\r\n", "\n").replace("\n", "<br/>")


def _date(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else EMPTY


def _wall(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else EMPTY


def _clock(seconds: float | None) -> str:
    return EMPTY if seconds is None else format_elapsed(seconds)


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK, spaceAfter=4)
        self.body = base
        self.small = ParagraphStyle("Small", parent=base, fontSize=8, leading=10.5, textColor=MUTED)
        self.cell = ParagraphStyle("Cell", parent=base, fontSize=8, leading=10, spaceAfter=0)
        self.cell_muted = ParagraphStyle("CellMuted", parent=self.cell, textColor=MUTED, fontSize=7.5, leading=9.5)
        self.cell_head = ParagraphStyle("CellHead", parent=self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.h1 = ParagraphStyle("H1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, textColor=NAVY,
                                 spaceBefore=18, spaceAfter=8)
        self.h2 = ParagraphStyle("H2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, textColor=NAVY,
                                 spaceBefore=10, spaceAfter=4)
        self.cover_title = ParagraphStyle("CoverTitle", parent=base, fontName=FONT_BOLD, fontSize=26, leading=32,
                                          textColor=NAVY, alignment=TA_CENTER, spaceAfter=10)
        self.cover_sub = ParagraphStyle("CoverSub", parent=base, fontSize=13, leading=18, alignment=TA_CENTER,
                                        textColor=MUTED, spaceAfter=6)
        self.cover_marking = ParagraphStyle("CoverMarking", parent=base, fontName=FONT_BOLD, fontSize=14,
                                            leading=18, alignment=TA_CENTER, textColor=INK)
        self.draft = ParagraphStyle("Draft", parent=base, fontName=FONT_BOLD, fontSize=22, leading=28,
                                    alignment=TA_CENTER, textColor=ALERT, spaceBefore=10)
        self.alert = ParagraphStyle("Alert", parent=base, fontName=FONT_BOLD, textColor=ALERT)
        self.toc_title = ParagraphStyle("TocTitle", parent=self.h1)
        self.bullet = ParagraphStyle("Bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=3)


def _p(markup: str, style: ParagraphStyle) -> Paragraph:
    return WrapOnceParagraph(markup, style)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float],
           styles: _Styles, progress: PlacedRows | None = None) -> LongTable:
    """A ruled table of any length whose header row repeats on every page it runs over.

    Cells given as strings are paragraph mark-up; rows are kept whole unless one may be taller than a page.
    """
    total = sum(widths_mm)
    widths = [BODY_W * w / total for w in widths_mm]
    data: list[list[Any]] = [[cell if not isinstance(cell, str) else _p(cell, styles.cell) for cell in row]
                             for row in rows]
    look = TableLook(header=[_p(escape(h), styles.cell_head) for h in header], widths=widths,
                     commands=ruled_commands(NAVY, RULE, ZEBRA, FONT, 8), frame_height=FRAME_H, leading=10)
    if progress is not None:
        progress.total += len(data)
    return LongTable(look, data, progress=progress)


def _key_values(pairs: Sequence[tuple[str, str]], styles: _Styles) -> Table:
    data = [[_p(escape(k), ParagraphStyle("K", parent=styles.cell, fontName=FONT_BOLD)), _p(v, styles.cell)]
            for k, v in pairs]
    table = Table(data, colWidths=[45 * mm, BODY_W - 45 * mm], splitInRow=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BACKGROUND", (0, 0), (0, -1), ZEBRA),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


# ------------------------------------------------------------------------------------------ page furniture


def _page_number(canvas: Canvas, number: int, total: int) -> None:
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_W - MARGIN_X, 14 * mm, f"Page {number} of {total}")


class _DebriefDoc(BaseDocTemplate):
    def __init__(self, filename: str, data: DebriefData, **kwargs: Any) -> None:
        super().__init__(filename, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, **kwargs)
        self._data = data
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._furniture)])
        self._heading_count = 0

    def _furniture(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        data = self._data
        canvas.saveState()
        if data.options.draft:
            canvas.saveState()
            canvas.setFillColor(ALERT)
            canvas.setFillAlpha(0.07)
            canvas.setFont(FONT_BOLD, 110)
            canvas.translate(PAGE_W / 2, PAGE_H / 2)
            canvas.rotate(50)
            canvas.drawCentredString(0, -35, "DRAFT")
            canvas.restoreState()
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 10.5)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - 11 * mm, data.marking)
        canvas.drawCentredString(PAGE_W / 2, 7 * mm, data.marking)
        canvas.setFillColor(ALERT)
        canvas.setFont(FONT_BOLD, 8)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H - 16 * mm, EXERCISE_BANNER)
        canvas.drawCentredString(PAGE_W / 2, 14 * mm, EXERCISE_BANNER)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, PAGE_H - 19 * mm, PAGE_W - MARGIN_X, PAGE_H - 19 * mm)
        canvas.line(MARGIN_X, 19 * mm, PAGE_W - MARGIN_X, 19 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 8)
        left = data.title if len(data.title) <= 48 else data.title[:47] + "…"
        canvas.drawString(MARGIN_X, 14 * mm, left + (" · DRAFT" if data.options.draft else ""))
        if data.code:
            canvas.setFont(FONT, 7)
            canvas.drawString(MARGIN_X, 7 * mm, f"{LOG_CODE_LABEL} {data.code}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name in ("H1", "H2"):
            level = 0 if flowable.style.name == "H1" else 1
            title = flowable.getPlainText()
            key = getattr(flowable, "_bookmark", None)
            if key is None:
                self._heading_count += 1
                key = f"h{self._heading_count}"
                flowable._bookmark = key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            pages = getattr(self.canv, "heading_pages", None)
            if pages is not None:
                pages[key] = self.page


# ---------------------------------------------------------------------------------------------------- charts


def _nice_step_s(span_s: float, target: int = 8) -> int:
    for minutes in (1, 2, 5, 10, 15, 20, 30, 60, 120, 240):
        if span_s / (minutes * 60) <= target:
            return minutes * 60
    return 480 * 60


def _minutes_label(seconds: float) -> str:
    return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}"


def timeline_chart(data: DebriefData) -> Drawing:
    """Planned (hollow) against actual (filled) release of every inject, one lane per phase."""
    lanes: list[str] = [p.name for p in data.phases]
    for line in data.injects:
        lane = ("Ad hoc" if line.adhoc else line.phase) or "No phase"
        if lane not in lanes:
            lanes.append(lane)
    lanes = lanes or ["No phase"]
    label_w, lane_h, top, bottom = 120.0, 22.0, 10.0, 48.0
    height = top + bottom + lane_h * len(lanes)
    drawing = Drawing(BODY_W, height)
    plot_w = BODY_W - label_w - 10
    span = max(data.end_s, 60.0) * 1.03
    step = _nice_step_s(span)
    span = math.ceil(span / step) * step

    def x_of(seconds: float) -> float:
        return label_w + plot_w * max(0.0, seconds) / span

    plot_top = height - top
    for index, lane in enumerate(lanes):
        y = plot_top - lane_h * (index + 0.5)
        if index % 2 == 0:
            drawing.add(Rect(label_w, plot_top - lane_h * (index + 1), plot_w, lane_h, fillColor=ZEBRA,
                             strokeColor=None))
        name = lane if len(lane) <= 30 else lane[:29] + "…"
        drawing.add(String(label_w - 6, y - 3, name, fontName=FONT, fontSize=7.5, textAnchor="end", fillColor=INK))
    axis_y = plot_top - lane_h * len(lanes)
    drawing.add(Line(label_w, axis_y, label_w + plot_w, axis_y, strokeColor=MUTED, strokeWidth=0.6))
    tick = 0
    while tick <= span:
        x = x_of(tick)
        drawing.add(Line(x, axis_y, x, plot_top, strokeColor=RULE, strokeWidth=0.3))
        drawing.add(String(x, axis_y - 10, _minutes_label(tick), fontName=FONT, fontSize=7, textAnchor="middle",
                           fillColor=MUTED))
        tick += step
    drawing.add(String(label_w + plot_w / 2, axis_y - 21, "Exercise time (h:mm)", fontName=FONT, fontSize=7.5,
                       textAnchor="middle", fillColor=MUTED))
    for line in data.injects:
        lane = ("Ad hoc" if line.adhoc else line.phase) or "No phase"
        y = plot_top - lane_h * (lanes.index(lane) + 0.5)
        if line.planned_s is not None and line.released_s is not None:
            drawing.add(Line(x_of(line.planned_s), y, x_of(line.released_s), y, strokeColor=PALETTE[0],
                             strokeWidth=0.8))
        if line.planned_s is not None:
            if line.outcome is InjectOutcome.SKIPPED:
                px = x_of(line.planned_s)
                drawing.add(Line(px - 3, y - 3, px + 3, y + 3, strokeColor=ALERT, strokeWidth=1))
                drawing.add(Line(px - 3, y + 3, px + 3, y - 3, strokeColor=ALERT, strokeWidth=1))
            else:
                drawing.add(Circle(x_of(line.planned_s), y, 2.8, fillColor=colors.white, strokeColor=NAVY,
                                   strokeWidth=0.8))
        if line.released_s is not None:
            drawing.add(Circle(x_of(line.released_s), y, 2.6, fillColor=PALETTE[0], strokeColor=PALETTE[0]))
    legend_y = 8.0
    items = [("planned", "Planned"), ("actual", "Released (actual)"), ("skip", "Skipped")]
    x = label_w
    for kind, label in items:
        if kind == "planned":
            drawing.add(Circle(x + 3, legend_y + 3, 2.8, fillColor=colors.white, strokeColor=NAVY, strokeWidth=0.8))
        elif kind == "actual":
            drawing.add(Circle(x + 3, legend_y + 3, 2.6, fillColor=PALETTE[0], strokeColor=PALETTE[0]))
        else:
            drawing.add(Line(x, legend_y, x + 6, legend_y + 6, strokeColor=ALERT, strokeWidth=1))
            drawing.add(Line(x, legend_y + 6, x + 6, legend_y, strokeColor=ALERT, strokeWidth=1))
        drawing.add(String(x + 10, legend_y, label, fontName=FONT, fontSize=7.5, fillColor=INK))
        x += 100
    return drawing


def _counted_entries(data: DebriefData) -> list[LogRevision]:
    live = [e.current for e in data.log if not e.current.withdrawn]
    decisions = [r for r in live if r.kind is LogKind.DECISION]
    return decisions or live


def decisions_chart(data: DebriefData) -> Drawing | None:
    """How many decisions each organisation logged in each slice of exercise time (stacked bars)."""
    entries = _counted_entries(data)
    if not entries:
        return None
    end = max([data.end_s] + [r.exercise_s for r in entries] + [60.0])
    step = _nice_step_s(end, target=12)
    bins = max(1, math.ceil((end + 1) / step))
    organisations = sorted({r.organisation.strip() or "Unattributed" for r in entries})
    series = [[0] * bins for _ in organisations]
    for revision in entries:
        org = revision.organisation.strip() or "Unattributed"
        series[organisations.index(org)][min(bins - 1, int(max(0.0, revision.exercise_s) // step))] += 1
    drawing = Drawing(BODY_W, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 40, BODY_W - 180, 135
    chart.data = series
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [_minutes_label(i * step) for i in range(bins)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max(sum(s[i] for s in series) for i in range(bins))
    chart.valueAxis.valueStep = max(1, math.ceil(peak / 6))
    chart.valueAxis.valueMax = max(1, math.ceil(peak / chart.valueAxis.valueStep) * chart.valueAxis.valueStep)
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.barSpacing = 1
    chart.groupSpacing = 3
    for index in range(len(organisations)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(String(chart.x + chart.width / 2, 14, f"Exercise time (h:mm), {step // 60}-minute slices",
                       fontName=FONT, fontSize=7.5, textAnchor="middle", fillColor=MUTED))
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 18, chart.y + chart.height
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.columnMaximum = 12
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], (o if len(o) <= 26 else o[:25] + "…"))
                             for i, o in enumerate(organisations)]
    drawing.add(legend)
    return drawing


def ratings_chart(data: DebriefData) -> Drawing | None:
    """For each objective, how many observations gave each rating (stacked horizontal bars)."""
    groups = [g for g in data.observations if g.objective is not None]
    if not any(g.observations for g in data.observations):
        return None
    ratings = list(Rating)
    rows = len(groups) or 1
    height = 40 + 18 * rows
    drawing = Drawing(BODY_W, height + 20)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, BODY_W - 230, height - 30
    chart.data = [[g.rating_counts[r] for g in reversed(groups)] for r in ratings]
    chart.categoryAxis.categoryNames = [g.objective.code if g.objective else "—" for g in reversed(groups)]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max([sum(g.rating_counts.values()) for g in groups] + [1])
    chart.valueAxis.valueStep = max(1, math.ceil(peak / 6))
    chart.valueAxis.valueMax = math.ceil(peak / chart.valueAxis.valueStep) * chart.valueAxis.valueStep
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    for index, rating in enumerate(ratings):
        chart.bars[index].fillColor = RATING_COLOURS[rating]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(String(chart.x + chart.width / 2, 8, "Observations", fontName=FONT, fontSize=7.5,
                       textAnchor="middle", fillColor=MUTED))
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 16, chart.y + chart.height
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.dx = legend.dy = 7
    legend.alignment = "right"
    legend.columnMaximum = len(ratings)
    legend.colorNamePairs = [(RATING_COLOURS[r], f"{r.value} – {r.label}") for r in ratings]
    drawing.add(legend)
    return drawing


RESPONSE_CHART_LIMIT = 20
"""Organisations in the response chart (the quickest first); the table below it lists every one."""


def response_chart(data: DebriefData) -> Drawing | None:
    """For each organisation, the median time from an inject's release to its first linked entry and decision."""
    figures = data.responses.organisations[:RESPONSE_CHART_LIMIT]
    if not figures:
        return None
    rows = len(figures)
    height = 44 + 20 * rows
    drawing = Drawing(BODY_W, height + 14)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 34, BODY_W - 260, height - 34
    names = [f.organisation if len(f.organisation) <= 24 else f.organisation[:23] + "…" for f in reversed(figures)]
    chart.data = [[f.median_first_entry_s / 60 for f in reversed(figures)],
                  [(f.median_first_decision_s or 0.0) / 60 for f in reversed(figures)]]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max([max(series) for series in chart.data] + [1.0])
    step = next(s for s in (1, 2, 5, 10, 15, 20, 30, 60, 120) if peak / s <= 8)
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = math.ceil(peak / step) * step
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.barSpacing = 1
    chart.groupSpacing = 5
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[1].fillColor = PALETTE[1]
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    drawing.add(chart)
    drawing.add(String(chart.x + chart.width / 2, 10, "Minutes from release (median over the injects answered)",
                       fontName=FONT, fontSize=7.5, textAnchor="middle", fillColor=MUTED))
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 14, chart.y + chart.height
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.dx = legend.dy = 7
    legend.alignment = "right"
    legend.colorNamePairs = [(PALETTE[0], "First linked log entry"), (PALETTE[1], "First linked decision")]
    drawing.add(legend)
    return drawing


# -------------------------------------------------------------------------------------------------- sections


def _revised_note(revision: int, revised_at: datetime | None) -> str:
    note = revision_note(revision, revised_at)
    return f"<br/><font size='7' color='#555555'>{escape(note)}</font>" if note else ""


def _bookmark(section: Section) -> str:
    return f"section-{section.value}"


class _Builder:
    def __init__(self, data: DebriefData) -> None:
        self.data = data
        self.s = _Styles()
        self.story: list[Flowable] = []
        self.rows = PlacedRows()
        """Table rows laid out so far: the measure of progress while pages are written."""

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float],
              styles: _Styles) -> LongTable:
        return _table(header, rows, widths_mm, styles, self.rows)

    def h1(self, section: Section) -> None:
        self.story.append(CondPageBreak(60 * mm))
        heading = _p(escape(section.heading), self.s.h1)
        heading._bookmark = _bookmark(section)
        self.story.append(heading)

    def h2(self, markup: str) -> None:
        self.story.append(CondPageBreak(30 * mm))
        self.story.append(_p(markup, self.s.h2))

    def para(self, markup: str, style: ParagraphStyle | None = None) -> None:
        self.story.append(_p(markup, style or self.s.body))

    def note(self, markup: str) -> None:
        self.story.append(_p(markup, self.s.small))

    # cover and contents ----------------------------------------------------------------------------------

    def cover(self) -> None:
        d, s = self.data, self.s
        self.story.append(Spacer(1, 14 * mm))
        logo = d.options.logo_path
        if logo is not None:
            try:
                width, height = ImageReader(str(logo)).getSize()
            except Exception as error:  # reportlab raises whatever PIL or its own reader raised
                raise DebriefError(f"{logo}: the logo cannot be read as an image ({error})") from error
            scale = min(60 * mm / width, 30 * mm / height)
            self.story.extend([Image(str(logo), width=width * scale, height=height * scale), Spacer(1, 8 * mm)])
        if d.options.organisation_name.strip():
            self.story.append(_p(text(d.options.organisation_name), s.cover_sub))
            self.story.append(Spacer(1, 10 * mm))
        self.story.append(_p("Post-exercise debrief report", s.cover_sub))
        self.story.append(_p("After-Action Report and Improvement Plan", s.cover_sub))
        self.story.append(Spacer(1, 12 * mm))
        self.story.append(_p(text(d.title), s.cover_title))
        self.story.append(Spacer(1, 10 * mm))
        run = d.run
        pairs = [
            ("Exercise type", escape(d.exercise_type)),
            ("Date", _date(d.planned_date)),
            ("Venue", text(d.venue)),
            ("Organiser", text(d.organiser)),
            ("Run", text(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("Report generated", escape(_wall(d.generated_at))),
        ]
        table = _key_values(pairs, s)
        table._argW = [45 * mm, 95 * mm]  # a narrower, centred block on the cover
        table.hAlign = "CENTER"
        self.story.append(table)
        self.story.append(Spacer(1, 16 * mm))
        marking = Table([[_p(escape(d.marking), s.cover_marking)]], colWidths=[110 * mm], hAlign="CENTER")
        marking.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, INK), ("TOPPADDING", (0, 0), (-1, -1), 8),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
        self.story.append(marking)
        if d.options.draft:
            self.story.append(_p("DRAFT — not for distribution", s.draft))
        self.story.append(PageBreak())

    def contents(self) -> None:
        self.story.append(_p("Contents", self.s.toc_title))
        style = ParagraphStyle("TOC0", fontName=FONT, fontSize=10.5, leading=18, leftIndent=4, textColor=INK)
        self.story.append(Contents([(s.heading, _bookmark(s)) for s in self.data.sections], style))
        self.story.append(PageBreak())

    # sections ----------------------------------------------------------------------------------------------

    def overview(self) -> None:
        d = self.data
        self.h1(Section.OVERVIEW)
        run = d.run
        pairs = [
            ("Exercise", text(d.title)), ("Type", escape(d.exercise_type)), ("Date", _date(d.planned_date)),
            ("Venue", text(d.venue)), ("Organiser", text(d.organiser)), ("Author", text(d.author)),
            ("Scenario version", text(d.version)), ("Threat or hazard", text(d.threat)), ("Scope", text(d.scope)),
            ("Run", text(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("STARTEX", escape(_wall(run.started_at))), ("ENDEX", escape(_wall(run.ended_at))),
            ("Run status", escape(run.status.value.capitalize())), ("Protective marking", escape(d.marking)),
        ]
        self.story.append(_key_values(pairs, self.s))
        self.h2("Aim")
        self.para(text(d.aim))
        self.h2("Scenario (general idea)")
        self.para(text(d.narrative))

    def objectives(self) -> None:
        self.h1(Section.OBJECTIVES)
        if not self.data.objectives:
            self.para("No objectives were set for this exercise.")
            return
        rows = [[text(o.code), text(o.statement), text(o.capability)] for o in self.data.objectives]
        self.story.append(self.table(["Code", "Objective", "Capability"], rows, [14, 110, 46], self.s))

    def participants(self) -> None:
        self.h1(Section.PARTICIPANTS)
        if not self.data.participants:
            self.para("No participating organisations were recorded.")
            return
        rows = []
        for org in self.data.participants:
            name = text(org.name) + (f" ({text(org.short_name)})" if org.short_name.strip() else "")
            roles = "<br/>".join(f"{text(r.name)} <font color='#555555'>· {escape(r.level)}</font>"
                                 for r in org.roles) or EMPTY
            rows.append([name, escape("Exercise cell" if org.kind == "cell" else "Agency"), roles])
        self.story.append(self.table(["Organisation", "Kind", "Roles"], rows, [62, 24, 84], self.s))

    def timeline(self) -> None:
        d = self.data
        self.h1(Section.TIMELINE)
        if d.phases:
            rows = [[text(p.name), escape(_clock(p.start_s)), escape(_clock(p.started_s))] for p in d.phases]
            self.story.append(self.table(["Phase", "Planned start", "Started by facilitator"], rows, [100, 35, 35],
                                     self.s))
        if d.clock_events:
            self.h2("Conduct of the clock")
            rows = [[escape(CLOCK_LABELS.get(a.kind.value, a.kind.value)), escape(_wall(a.wall_time)),
                     escape(_clock(a.exercise_s)), escape(f"×{a.compression:g}"), text(a.reason)]
                    for a in d.clock_events]
            self.story.append(self.table(["Event", "Wall clock", "Exercise time", "Speed", "Reason"], rows,
                                     [28, 40, 22, 14, 66], self.s))
        self.h2("Planned against actual release")
        self.story.append(KeepTogether([timeline_chart(d), Spacer(1, 2 * mm),
                                        _p("Each inject appears in its phase's lane: a hollow circle at its "
                                           "planned time, a filled circle at the time it was released.",
                                           self.s.small)]))
        heading = _p("Decisions over exercise time, by organisation", self.s.h2)
        chart = decisions_chart(d)
        if chart is None:
            self.story.extend([heading, _p("No decisions were logged in this run.", self.s.body)])
        else:
            self.story.append(KeepTogether([heading, chart]))

    def injects(self) -> None:
        d = self.data
        self.h1(Section.INJECTS)
        if not d.injects:
            self.para("This run has no injects.")
            return
        released = sum(1 for i in d.injects if i.outcome is InjectOutcome.RELEASED)
        skipped = sum(1 for i in d.injects if i.outcome is InjectOutcome.SKIPPED)
        self.note(f"{len(d.injects)} injects: {released} released, {skipped} skipped, "
                  f"{len(d.injects) - released - skipped} not released. Times are exercise time (h:mm:ss from "
                  "STARTEX); “Due” is the time after any deferral or re-time.")
        rows = []
        for line in d.injects:
            parts = [f"<b>{text(line.title)}</b>"]
            details = " · ".join(x for x in (escape(line.delivery), text(line.recipients) if line.recipients else "")
                                 if x)
            if details:
                parts.append(f"<font size='7' color='#555555'>{details}</font>")
            if line.controller_notes.strip():
                parts.append(f"<font size='7' color='#555555'><i>Controller notes:</i> "
                             f"{text(line.controller_notes)}</font>")
            outcome = escape(line.outcome.label)
            if line.deferrals and line.outcome is not InjectOutcome.DEFERRED:
                outcome += f" (deferred {line.deferrals}×)"
            if line.outcome is InjectOutcome.SKIPPED:
                outcome = f"<font color='#b00020'>{outcome}</font>"
            outcome += "".join(f"<br/><font size='7' color='#555555'>{text(n)}</font>" for n in line.notes)
            number = escape(line.number)
            if line.adhoc:
                parts.insert(0, "<font size='7' color='#555555'>AD HOC INJECT</font>")
            rows.append([number, "<br/>".join(parts), text(line.phase), escape(_clock(line.planned_s)),
                         escape(_clock(line.due_s)), escape(_clock(line.released_s)), outcome])
        self.story.append(self.table(["No.", "Inject", "Phase", "Planned", "Due", "Released", "Outcome"], rows,
                                 [10, 55, 25, 17, 17, 18, 28], self.s))

    def _revision_blocks(self, revision: LogRevision, *, struck: bool) -> list[Block]:
        def typed(value: str, colour: colors.Color = INK) -> Span:
            return Span(value.strip() or EMPTY, FONT, 8, colour, strike=struck and bool(value.strip()))

        blocks: list[Block] = [[Span(revision.kind.value.upper() + "  ", FONT, 6.5, MUTED), typed(revision.text)],
                               [Span("Rationale: ", FONT, 8, MUTED), typed(revision.rationale)]]
        if revision.options_considered.strip():
            blocks.append([Span("Options considered: ", FONT, 8, MUTED), typed(revision.options_considered)])
        for action in revision.actions:
            owner = f" — {action.owner.strip()}" if action.owner.strip() else ""
            blocks.append([Span("Action: ", FONT, 8, MUTED), typed(action.action.strip() + owner)])
        if revision.jdm_stage is not None:
            blocks.append([Span(f"JDM stage {int(revision.jdm_stage)}: ", FONT, 8, MUTED),
                           Span(revision.jdm_stage.label, FONT, 8, INK)])
        return blocks

    def _entry_cell(self, entry: LogEntry) -> TextLines:
        revisions = [*entry.history, entry.current]
        blocks: list[Block] = []
        for index, revision in enumerate(entry.history):
            successor = revisions[index + 1]
            blocks.extend(self._revision_blocks(revision, struck=True))
            verb = "Withdrawn" if successor.withdrawn else f"Corrected by revision {successor.revision}"
            reason = successor.revision_reason.strip() or EMPTY
            blocks.append([Span(f"Revision {revision.revision} — {verb} at {_wall(successor.committed_at)}. "
                                f"Reason: {reason}", FONT, 7.5, ALERT)])
            blocks.append([])
        current = entry.current
        if current.withdrawn:
            blocks.append([Span("WITHDRAWN", FONT_BOLD, 7.5, ALERT),
                           Span(" — the entry stands in the record as logged above and no longer applies.", FONT,
                                7.5, MUTED)])
        else:
            if entry.history:
                blocks.append([Span(f"Current (revision {current.revision})", FONT_BOLD, 7.5, MUTED)])
            blocks.extend(self._revision_blocks(current, struck=False))
        return TextLines(blocks, LOG_LEADING)

    def decisions(self) -> None:
        d = self.data
        self.h1(Section.DECISIONS)
        if not d.log:
            self.para("No log entries were made in this run.")
            return
        corrected = sum(1 for e in d.log if e.history and not e.current.withdrawn)
        withdrawn = sum(1 for e in d.log if e.current.withdrawn)
        self.note(f"{len(d.log)} entries in the order they were logged; {corrected} corrected and {withdrawn} "
                  "withdrawn. Nothing is erased: a corrected original is shown struck through with the reason "
                  "for the correction. Times are exercise time (h:mm:ss from STARTEX).")
        rows: list[list[Any]] = []
        for entry in d.log:
            c = entry.current
            first = entry.history[0] if entry.history else c
            when: list[Block] = [[Span(format_elapsed(c.exercise_s), FONT_BOLD, 8, INK)]]
            if c.withdrawn:
                when.append([Span("Withdrawn", FONT_BOLD, 8, ALERT)])
            if c.scenario_time:
                when.append([Span(f"Scenario {c.scenario_time.strftime('%d %b %H:%M')}", FONT, 7.5, INK)])
            when.append([Span(f"Logged {first.logged_at.strftime('%H:%M:%S')} UTC", FONT, 6.5, MUTED)])
            who: list[Block] = [[Span(c.decision_maker.strip() or EMPTY, FONT_BOLD, 8, INK)],
                                [Span(c.organisation.strip() or EMPTY, FONT, 8, INK)],
                                [Span(f"Loggist: {c.logged_by.strip() or EMPTY}", FONT, 6.5, MUTED)]]
            rows.append([str(c.entry_number), TextLines(when, LOG_LEADING), TextLines(who, LOG_LEADING),
                         self._entry_cell(entry)])
        self.story.append(self.table(["No.", "Time", "Decision maker", "Entry"], rows, [10, 29, 33, 98], self.s))

    def summary(self) -> None:
        d = self.data
        self.h1(Section.SUMMARY)
        summary = d.summary
        if summary is not None and summary.proposed:
            self.note("Drawn from the evaluators' observations; not yet reviewed before issue.")
        elif summary is not None and summary.saved_at is not None:
            self.note(f"Reviewed by the evaluation team; saved {escape(_wall(summary.saved_at))} "
                      f"(version {summary.revision}).")
        for title, items, empty in (
                ("Major strengths", summary.strengths if summary else (), "No strengths were recorded."),
                ("Primary areas for improvement", summary.improvements if summary else (),
                 "No areas for improvement were recorded.")):
            self.h2(title)
            if not items:
                self.para(empty)
            for item in items:
                self.story.append(WrapOnceParagraph(text(item), self.s.bullet, bulletText="•"))
        groups = [g for g in d.observations if g.objective is not None]
        if not groups:
            self.h2("Ratings at a glance")
            self.para("No objectives were set for this exercise.")
            return
        rows = []
        for group in groups:
            overall = group.overall
            objective = group.objective
            assert objective is not None
            if overall is None:
                rating = "Not rated"
            else:
                colour = RATING_COLOURS[overall].hexval().replace("0x", "#")
                rating = f"<font color='{colour}'><b>{overall.value}</b></font> {escape(overall.label)}"
            rows.append([f"<b>{escape(objective.code)}</b>", text(objective.statement), rating,
                         str(len(group.observations))])
        glance = self.table(["Objective", "Statement", "Rating", "Observations"], rows, [20, 80, 44, 26], self.s)
        self.story.append(KeepTogether([_p("Ratings at a glance", self.s.h2), glance]))
        self.note("The rating of an objective is the most severe one its observations gave.")

    def responses(self) -> None:
        d = self.data
        self.h1(Section.RESPONSES)
        figures = d.responses
        if not figures.injects:
            self.para("No inject was released in this run, so there is no response to measure.")
            return
        self.note("Time from the release of each inject to the first log entry, and to the first decision, "
                  "linked to it; per organisation as logged. Entries logged before the release and withdrawn "
                  "entries do not count.")
        self.para(f"{len(figures.injects)} injects released: {len(figures.answered)} drew a logged response, "
                  f"{len(figures.unanswered)} none. Median time to the first entry "
                  f"<b>{escape(format_delay(figures.median_first_entry_s))}</b>, to the first decision "
                  f"<b>{escape(format_delay(figures.median_first_decision_s))}</b>.")
        chart = response_chart(d)
        if chart is not None:
            self.h2("Response times by organisation")
            self.story.append(chart)
            if len(figures.organisations) > RESPONSE_CHART_LIMIT:
                self.note(f"The chart shows the {RESPONSE_CHART_LIMIT} quickest organisations; the table lists "
                          "all of them.")
            rows = [[text(f.organisation), str(f.injects_answered), escape(format_delay(f.median_first_entry_s)),
                     escape(format_delay(f.slowest_first_entry_s)), escape(format_delay(f.median_first_decision_s)),
                     str(f.decisions)] for f in figures.organisations]
            self.story.append(self.table(["Organisation", "Injects answered", "Median to first entry",
                                          "Slowest first entry", "Median to first decision", "Decisions"],
                                         rows, [50, 22, 26, 26, 26, 20], self.s))
        self.h2("Injects that drew no response")
        if not figures.unanswered:
            self.para("Every released inject drew at least one linked log entry.")
        else:
            rows = [[escape(i.number), text(i.title), escape(_clock(i.released_s)),
                     text(", ".join(i.recipients)) if i.recipients else EMPTY] for i in figures.unanswered]
            self.story.append(self.table(["No.", "Inject", "Released", "Intended recipients"], rows,
                                         [12, 88, 20, 50], self.s))
        self.h2("Response to each inject")
        rows = []
        for response in figures.answered:
            lines: list[Block] = []
            for answer in response.organisations:
                lines.append([Span(answer.organisation.strip() or EMPTY, FONT_BOLD, 7.5, INK),
                              Span(f"  entry {format_delay(answer.first_entry_s)} · decision "
                                   f"{format_delay(answer.first_decision_s)}", FONT, 7.5, INK)])
            if response.silent_recipients:
                lines.append([Span("No response logged: " + ", ".join(response.silent_recipients), FONT, 7, ALERT)])
            title = TextLines([[Span(response.title.strip() or EMPTY, FONT, 8, INK)]], LOG_LEADING)
            rows.append([response.number, title, _clock(response.released_s),
                         format_delay(response.first_entry_s), format_delay(response.first_decision_s),
                         TextLines(lines, LOG_LEADING)])
        if rows:
            self.story.append(self.table(["No.", "Inject", "Released", "First entry", "First decision",
                                          "By organisation (first entry · first decision)"], rows,
                                         [10, 40, 19, 19, 19, 63], self.s))
        self.h2("Decisions by stage of the Joint Decision Model")
        rows = [[escape(stage.label), str(stage.decisions),
                 f"{100 * stage.decisions / figures.decisions:.0f} %" if figures.decisions else EMPTY]
                for stage in figures.stages]
        self.story.append(self.table(["JDM stage", "Decisions", "Share"], rows, [120, 25, 25], self.s))

    def observations(self) -> None:
        d = self.data
        self.h1(Section.OBSERVATIONS)
        chart = ratings_chart(d)
        if chart is None:
            self.para("No observations were recorded against the objectives in this run.")
        else:
            self.story.append(chart)
            self.note("Ratings: " + "; ".join(f"<b>{r.value}</b> {escape(r.label)}" for r in Rating) + ".")
        for group in d.observations:
            objective = group.objective
            overall = group.overall
            if objective is None:
                self.h2("Observations not linked to an objective")
            else:
                self.h2(f"Objective {escape(objective.code)}")
                self.para(text(objective.statement))
            if overall is not None:
                colour = RATING_COLOURS[overall].hexval().replace("0x", "#")
                self.para(f"Rating: <font color='{colour}'><b>{overall.value}</b></font> — {escape(overall.label)}")
            if not group.observations:
                self.note("No observations recorded against this objective.")
                continue
            rows = [[text(o.evaluator), escape(o.rating.value) if o.rating else EMPTY,
                     text(o.text) + self._observation_notes(o), text(o.strengths), text(o.improvements)]
                    for o in group.observations]
            self.story.append(self.table(["Evaluator", "Rating", "Observation", "Strengths", "Areas for improvement"],
                                     rows, [24, 16, 54, 38, 38], self.s))
        if d.withdrawn:
            self.h2("Withdrawn after review")
            self.note("Notes the evaluation team withdrew, with their reasons. They are not counted above.")
            rows = [[escape(w.what), f"<strike>{text(w.text)}</strike>", text(w.reason),
                     escape(_wall(w.withdrawn_at))] for w in d.withdrawn]
            self.story.append(self.table(["Note", "Text", "Reason", "Withdrawn"], rows, [24, 70, 50, 26], self.s))

    def _observation_notes(self, observation: Observation) -> str:
        """Evidence and revision of an observation, small, under its text."""
        parts = []
        cited = self.data.evidence_of(observation)
        if cited:
            parts.append("Evidence: " + escape(", ".join(cited)))
        revised = revision_note(observation.revision, observation.revised_at)
        if revised:
            parts.append(escape(revised) + (f". Reason: {text(observation.revision_reason)}"
                                            if observation.revision_reason.strip() else ""))
        return "".join(f"<br/><font size='7' color='#555555'>{part}</font>" for part in parts)

    def hotwash(self) -> None:
        d = self.data
        self.h1(Section.HOTWASH)
        if not d.hotwash:
            self.para("No hot-wash notes were recorded for this run.")
            return
        for kind, notes in d.hotwash:
            self.h2(escape(HOTWASH_HEADINGS[kind]))
            rows = [[text(n.text) + _revised_note(n.revision, n.revised_at), text(n.objective), text(n.author)]
                    for n in notes]
            self.story.append(self.table(["Note", "Objective", "From"], rows, [118, 20, 32], self.s))

    def improvement(self) -> None:
        d = self.data
        self.h1(Section.IMPROVEMENT)
        if not d.improvements:
            self.para("No improvement actions were recorded for this run.")
            return
        rows = [[text(a.issue) + (f"<br/><font size='7' color='#555555'>{escape(a.objective)}</font>"
                                  if a.objective else ""), text(a.action) + _revised_note(a.revision, a.revised_at),
                 escape(a.capability_element.capitalize()),
                 text(a.owner_organisation), text(a.contact), _date(a.start_date), _date(a.due_date)]
                for a in d.improvements]
        self.story.append(self.table(["Issue", "Corrective action", "Capability element", "Responsible organisation",
                                  "Contact", "Start", "Due"], rows, [31, 37, 19, 23, 18, 21, 21], self.s))

    def integrity(self) -> None:
        d = self.data
        self.h1(Section.INTEGRITY)
        check = d.integrity
        if check is None:
            self.para("The log was not checked.")
            return
        if check.ok:
            self.para(f"The decision log of this run holds {check.records_checked} stored revisions in "
                      f"{check.chains} chain(s), one for each laptop that logged. Every revision was checked against "
                      "its SHA-256 hash chain when this report was generated: none has been changed, removed or "
                      "inserted since it was written.")
        else:
            self.para("LOG INTEGRITY FAILURE: the decision log of this run does not match its hash chain. "
                      f"The first mismatch is at entry {check.first_bad_entry_number}. The entries shown in this "
                      "report may have been altered outside the application.", self.s.alert)
            for problem in check.problems:
                self.para("• " + escape(problem))
        pairs = [("Document file", text(check.document_name)),
                 ("Document SHA-256", f"<font name='{FONT}'>{escape(check.document_sha256)}</font>"),
                 ("Revisions checked", str(check.records_checked)), ("Chains", str(check.chains)),
                 ("Result", "Intact" if check.ok else "<font color='#b00020'><b>FAILED</b></font>"),
                 ("Generated", escape(_wall(d.generated_at))), ("Generated by", escape(f"{APP_NAME} {__version__}"))]
        self.story.append(_key_values(pairs, self.s))
        self.note("The SHA-256 of the document file identifies the exact file this report was made from; "
                  "anyone holding a copy can compare it.")
        if d.seal is not None:
            seal = d.seal
            about = _p(f"Every page of this report carries the log code <b>{escape(seal.code)}</b>: it is made from "
                       "the last record of each laptop's hash chain, so it pins the whole decision log of this run "
                       "as printed. To check that a file still holds exactly this log, run "
                       f"<b>ctpn-desktop verify FILE.ctpn --code {escape(seal.code)}</b>. The QR code holds every "
                       "chain head: read into the same command, it also tells whether a log that has grown since "
                       "still begins with what was printed.", self.s.body)
            rows = [[text(h.device_id), str(h.records), f"<font size='6.5'>{escape(h.head_hash)}</font>"]
                    for h in seal.heads]
            heads = (self.table(["Chain (laptop)", "Records", "Head (SHA-256 of the last record)"], rows,
                                [40, 18, 112], self.s) if rows else _p("No entries were logged.", self.s.body))
            qr = QrCodeWidget(seal.payload(), barLevel="M")
            left, bottom, right, top = qr.getBounds()
            size = 36 * mm
            picture = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
            picture.add(qr)
            caption = _p(f"<b>Log code {escape(seal.code)}</b><br/>Run {seal.run_number}, {seal.records} records in "
                         f"{len(seal.heads)} chain(s).<br/>Sign and date a printed copy at the hot wash: the code "
                         "on each page then ties the paper to the file.", self.s.body)
            side = Table([[picture, caption]], colWidths=[size + 6 * mm, BODY_W - size - 6 * mm], hAlign="LEFT")
            side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                      ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LEFTPADDING", (1, 0), (1, 0), 8)]))
            self.story.append(KeepTogether([_p("Log code", self.s.h2), about, heads, Spacer(1, 3 * mm), side]))


def render_debrief(data: DebriefData, path: Path, progress: Progress | None = None) -> Path:
    """Write the debrief of ``data`` to ``path`` (replaced only once the new file is complete)."""
    register_fonts()
    path = Path(path)

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    report(0.05, "Laying out the report")
    builder = _Builder(data)
    builder.cover()
    builder.contents()
    steps = {
        Section.SUMMARY: builder.summary, Section.RESPONSES: builder.responses,
        Section.OVERVIEW: builder.overview, Section.OBJECTIVES: builder.objectives,
        Section.PARTICIPANTS: builder.participants, Section.TIMELINE: builder.timeline,
        Section.INJECTS: builder.injects, Section.DECISIONS: builder.decisions,
        Section.OBSERVATIONS: builder.observations, Section.HOTWASH: builder.hotwash,
        Section.IMPROVEMENT: builder.improvement, Section.INTEGRITY: builder.integrity,
    }
    sections = data.sections
    for index, section in enumerate(sections):
        steps[section]()
        report(0.05 + 0.35 * (index + 1) / max(1, len(sections)), f"Prepared {section.heading.lower()}")
    builder.story.insert(0, NextPageTemplate("page"))

    temporary = path.with_name(f".{path.name}.partial")
    author = data.options.organisation_name.strip() or data.organiser or data.author or APP_NAME
    doc = _DebriefDoc(str(temporary), data, title=f"{data.title} — debrief", author=author,
                      subject=f"Post-exercise debrief report, {data.run.label} — {data.marking}"
                              + (" — DRAFT" if data.options.draft else ""),
                      creator=f"{APP_NAME} {__version__}",
                      keywords=["debrief", "after-action report", "exercise", data.marking], lang="en-GB",
                      displayDocTitle=1)
    report(0.45, "Writing pages")
    builder.rows.listeners.append(lambda placed, total: report(0.45 + 0.5 * min(1.0, placed / max(1, total)),
                                                               f"Laid out {placed} of {total} table rows"))
    try:
        doc.build(builder.story, canvasmaker=numbered_canvas(_page_number))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report(1.0, f"Wrote {path.name}")
    return path


__all__ = ["CLOCK_LABELS", "EMPTY", "EXERCISE_BANNER", "HOTWASH_HEADINGS", "LOG_CODE_LABEL", "decisions_chart",
           "ratings_chart", "render_debrief", "response_chart", "text", "timeline_chart"]

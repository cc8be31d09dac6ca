"""The exercise programme handed to participants before the day: a PDF and an accessible HTML file.

It is built from the scenario's programme (agenda, sessions, speakers, planned syndicates, venue and practical
notes) and the player-facing parts of the exercise (title, aim, objectives, participating organisations). Nothing
that only controllers may see reaches it: the data are copied into `ProgrammeData` field by field, and no inject,
phase, controller note, expected action, threat or scope is ever read. Every page carries the protective marking
top and bottom, the EXERCISE banner and "Page x of y"; everything typed is escaped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from ctpn_desktop.core.entities import AgendaKind, OrganisationKind, Scenario
from ctpn_desktop.core.report.flowables import LongTable, TableLook, WrapOnceParagraph, numbered_canvas, ruled_commands
from ctpn_desktop.core.report.fonts import FONT, FONT_BOLD, register_fonts
from ctpn_desktop.core.report.html import STYLE, _page_marking_css, key_values, table

from ctpn_desktop import APP_NAME, __version__

Progress = Callable[[float, str], None]

EXERCISE_BANNER = "EXERCISE EXERCISE EXERCISE"
EMPTY = "—"
PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 26 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
NAVY = colors.HexColor("#1f3a5f")
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#b8c2cc")
ZEBRA = colors.HexColor("#f2f5f8")
ALERT = colors.HexColor("#b00020")
BREAK_KINDS = frozenset({AgendaKind.BREAK, AgendaKind.ARRIVAL})


@dataclass(frozen=True)
class ProgrammeOptions:
    marking_override: str | None = None
    organisation_name: str = ""
    include_general_idea: bool = False
    """The exercise's general idea (narrative) is read to participants on the day; print it only when asked."""


@dataclass(frozen=True)
class SpeakerLine:
    name: str
    role: str = ""
    organisation: str = ""
    biography: str = ""

    @property
    def caption(self) -> str:
        return " · ".join(part for part in (self.role.strip(), self.organisation.strip()) if part)


@dataclass(frozen=True)
class ItemLine:
    start: time
    end: time | None
    title: str
    kind: AgendaKind
    speakers: tuple[SpeakerLine, ...] = ()
    location: str = ""
    description: str = ""

    @property
    def times(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}" if self.end else f"{self.start:%H:%M}"


@dataclass(frozen=True)
class SessionLine:
    title: str
    day: date | None
    location: str
    chair: str
    items: tuple[ItemLine, ...]

    @property
    def heading(self) -> str:
        return f"{self.title} — {self.day:%A %d %B %Y}" if self.day else self.title


@dataclass(frozen=True)
class SyndicateListing:
    name: str
    room: str = ""
    facilitator: str = ""
    note_taker: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeData:
    """Everything the programme prints, and nothing else."""

    title: str
    exercise_type: str
    planned_date: date | None
    duration_minutes: int
    venue: str
    organiser: str
    marking: str
    aim: str
    general_idea: str
    objectives: tuple[tuple[str, str], ...]
    organisations: tuple[str, ...]
    introduction: str
    venue_details: str
    contact: str
    notes: str
    sessions: tuple[SessionLine, ...]
    speakers: tuple[SpeakerLine, ...]
    syndicates: tuple[SyndicateListing, ...]
    generated_at: datetime
    options: ProgrammeOptions = field(default_factory=ProgrammeOptions)

    @property
    def headline(self) -> list[tuple[str, str]]:
        """Type, date, duration, venue and organiser, for the cover."""
        pairs = [("Exercise type", self.exercise_type)]
        if self.planned_date is not None:
            pairs.append(("Date", f"{self.planned_date:%A %d %B %Y}"))
        if self.duration_minutes:
            hours, minutes = divmod(self.duration_minutes, 60)
            pairs.append(("Duration", f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"))
        if self.venue.strip():
            pairs.append(("Venue", self.venue.strip()))
        if self.organiser.strip():
            pairs.append(("Organiser", self.organiser.strip()))
        return pairs


def programme_data(scenario: Scenario, options: ProgrammeOptions | None = None, *,
                   generated_at: datetime | None = None) -> ProgrammeData:
    """The participant-facing parts of ``scenario``, copied field by field (see the module's docstring)."""
    options = options or ProgrammeOptions()
    exercise, programme = scenario.exercise, scenario.programme
    speakers = {s.key: SpeakerLine(s.name, s.role, s.organisation, s.biography) for s in programme.speakers}
    sessions = tuple(
        SessionLine(title=s.title, day=s.day, location=s.location, chair=s.chair, items=tuple(
            ItemLine(start=i.start, end=i.end, title=i.title, kind=i.kind,
                     speakers=tuple(speakers[k] for k in i.speakers if k in speakers), location=i.location,
                     description=i.description)
            for i in sorted(s.items, key=lambda item: item.start)))
        for s in sorted(programme.sessions, key=lambda s: (s.day or date.min,
                                                            min((i.start for i in s.items), default=time.min))))
    return ProgrammeData(
        title=exercise.title, exercise_type=exercise.exercise_type.label, planned_date=exercise.planned_date,
        duration_minutes=exercise.planned_duration_minutes, venue=exercise.venue, organiser=exercise.organiser,
        marking=(options.marking_override or exercise.marking or "OFFICIAL").strip().upper(), aim=exercise.aim,
        general_idea=exercise.narrative if options.include_general_idea else "",
        objectives=tuple((o.code, o.statement) for o in sorted(scenario.objectives, key=lambda o: o.position)),
        organisations=tuple(o.name for o in sorted(scenario.organisations, key=lambda o: o.position)
                            if o.kind is OrganisationKind.AGENCY),
        introduction=programme.introduction, venue_details=programme.venue_details, contact=programme.contact,
        notes=programme.notes, sessions=sessions, speakers=tuple(speakers[s.key] for s in programme.speakers),
        syndicates=tuple(SyndicateListing(s.name, s.room, s.facilitator, s.note_taker, s.members)
                         for s in programme.syndicates),
        generated_at=(generated_at or datetime.now(UTC)).astimezone(UTC), options=options)


# ------------------------------------------------------------------------------------------------------ PDF


def fold_label(value: str) -> str:
    return " ".join(value.casefold().split())


def _text(value: str) -> str:
    if not value.strip():
        return EMPTY
    return escape(value.strip()).replace("\r\n", "\n").replace("\n", "<br/>")


def _paragraphs(value: str, style: ParagraphStyle) -> list[Flowable]:
    return [WrapOnceParagraph(_text(part), style) for part in value.replace("\r\n", "\n").split("\n\n")
            if part.strip()]


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("ProgrammeBody", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=5)
        self.body = base
        self.small = ParagraphStyle("ProgrammeSmall", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED)
        self.cell = ParagraphStyle("ProgrammeCell", parent=base, fontSize=9, leading=12, spaceAfter=0)
        self.cell_head = ParagraphStyle("ProgrammeHead", parent=self.cell, fontName=FONT_BOLD, textColor=colors.white)
        self.h1 = ParagraphStyle("H1", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, textColor=NAVY,
                                 spaceBefore=14, spaceAfter=8)
        self.h2 = ParagraphStyle("H2", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, textColor=NAVY,
                                 spaceBefore=10, spaceAfter=4)
        self.title = ParagraphStyle("ProgrammeTitle", parent=base, fontName=FONT_BOLD, fontSize=26, leading=32,
                                    alignment=TA_CENTER, textColor=NAVY, spaceAfter=6)
        self.sub = ParagraphStyle("ProgrammeSub", parent=base, fontSize=13, leading=18, alignment=TA_CENTER,
                                  textColor=MUTED)
        self.marking = ParagraphStyle("ProgrammeMarking", parent=base, fontName=FONT_BOLD, fontSize=13, leading=17,
                                      alignment=TA_CENTER)
        self.speaker = ParagraphStyle("ProgrammeSpeaker", parent=base, fontName=FONT_BOLD, spaceBefore=6,
                                      spaceAfter=1)


class _ProgrammeDoc(BaseDocTemplate):
    def __init__(self, filename: str, data: ProgrammeData, **kwargs: object) -> None:
        super().__init__(filename, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, **kwargs)
        self._data = data
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, FRAME_H, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._furniture)])
        self._headings = 0

    def _furniture(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        data = self._data
        canvas.saveState()
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
        room = PAGE_W / 2 - canvas.stringWidth(EXERCISE_BANNER, FONT_BOLD, 8) / 2 - MARGIN_X - 4 * mm
        canvas.drawString(MARGIN_X, 14 * mm, _fit(f"{data.title} · Programme", room, canvas))
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph) and flowable.style.name in ("H1", "H2"):
            self._headings += 1
            key = f"p{self._headings}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=0 if flowable.style.name == "H1" else 1,
                                      closed=False)


def _fit(value: str, width: float, canvas: Canvas) -> str:
    """``value`` cut with an ellipsis so that it fits ``width`` in the footer's font."""
    if canvas.stringWidth(value, FONT, 8) <= width:
        return value
    while value and canvas.stringWidth(value + "…", FONT, 8) > width:
        value = value[:-1]
    return value.rstrip() + "…"


def _page_number(canvas: Canvas, number: int, total: int) -> None:
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawRightString(PAGE_W - MARGIN_X, 14 * mm, f"Page {number} of {total}")


class _Builder:
    def __init__(self, data: ProgrammeData) -> None:
        self.data = data
        self.s = _Styles()
        self.story: list[Flowable] = []

    def p(self, markup: str, style: ParagraphStyle | None = None) -> None:
        self.story.append(WrapOnceParagraph(markup, style or self.s.body))

    def h1(self, title: str) -> None:
        self.story.append(CondPageBreak(50 * mm))
        self.p(escape(title), self.s.h1)

    def h2(self, markup: str) -> None:
        self.story.append(CondPageBreak(35 * mm))
        self.p(markup, self.s.h2)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]], widths_mm: Sequence[float]) -> LongTable:
        total = sum(widths_mm)
        widths = [BODY_W * w / total for w in widths_mm]
        data = [[WrapOnceParagraph(c, self.s.cell) if isinstance(c, str) else c for c in row] for row in rows]
        look = TableLook(header=[WrapOnceParagraph(escape(h), self.s.cell_head) for h in header], widths=widths,
                         commands=ruled_commands(NAVY, RULE, ZEBRA, FONT, 9), frame_height=FRAME_H, leading=12)
        return LongTable(look, data)

    def cover(self) -> None:
        d, s = self.data, self.s
        self.story.append(Spacer(1, 6 * mm))
        if d.options.organisation_name.strip():
            self.p(_text(d.options.organisation_name), s.sub)
            self.story.append(Spacer(1, 4 * mm))
        self.p("Exercise programme", s.sub)
        self.p(_text(d.title), s.title)
        self.story.append(Spacer(1, 4 * mm))
        rows = [[WrapOnceParagraph(f"<b>{escape(k)}</b>", s.cell), WrapOnceParagraph(_text(v), s.cell)]
                for k, v in d.headline]
        facts = Table(rows, colWidths=[38 * mm, 110 * mm], hAlign="CENTER")
        facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                                   ("BACKGROUND", (0, 0), (0, -1), ZEBRA)]))
        self.story.append(facts)
        self.story.append(Spacer(1, 6 * mm))
        marking = Table([[WrapOnceParagraph(escape(d.marking), s.marking)]], colWidths=[110 * mm], hAlign="CENTER")
        marking.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, INK), ("TOPPADDING", (0, 0), (-1, -1), 6),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        self.story.append(marking)
        self.story.append(Spacer(1, 2 * mm))
        self.p("This programme is exercise material. It holds no part of the scenario's script.", s.small)
        if d.introduction.strip():
            self.h1("Welcome")
            self.story.extend(_paragraphs(d.introduction, s.body))

    def about(self) -> None:
        d, s = self.data, self.s
        self.h1("About the exercise")
        if d.aim.strip():
            self.h2("Aim")
            self.story.extend(_paragraphs(d.aim, s.body))
        if d.objectives:
            self.h2("Objectives")
            self.story.append(self.table(["Code", "Objective"], [[escape(c), _text(t)] for c, t in d.objectives],
                                         [14, 156]))
        if d.general_idea.strip():
            self.h2("General idea")
            self.story.extend(_paragraphs(d.general_idea, s.body))
        if d.organisations:
            self.h2("Participating organisations")
            self.p("; ".join(escape(name) for name in d.organisations) + ".")

    def agenda(self) -> None:
        d, s = self.data, self.s
        self.h1("Agenda")
        if not any(session.items for session in d.sessions):
            self.p("The agenda has not been published yet.", s.small)
            return
        for session in d.sessions:
            self.h2(_text(session.heading))
            meta = [part for part in (f"Location: {session.location.strip()}" if session.location.strip() else "",
                                      f"Chair: {session.chair.strip()}" if session.chair.strip() else "") if part]
            if meta:
                self.p(escape(" · ".join(meta)), s.small)
            rows = []
            for item in session.items:
                muted = "<font color='#555555' size='8'>"
                what = f"<b>{_text(item.title)}</b>"
                if fold_label(item.kind.label) not in fold_label(item.title):
                    what += f"<br/>{muted}{escape(item.kind.label)}</font>"
                if item.description.strip():
                    what += f"<br/>{_text(item.description)}"
                speakers = "<br/>".join(f"{_text(sp.name)}" + (f"<br/>{muted}{escape(sp.role.strip())}</font>"
                                                               if sp.role.strip() else "") for sp in item.speakers)
                times = f"<b>{escape(item.times)}</b>"
                if item.kind in BREAK_KINDS:
                    what = f"<i>{what}</i>"
                rows.append([times, what, speakers or EMPTY, _text(item.location)])
            if rows:
                self.story.append(self.table(["Time", "Session", "Speakers", "Where"], rows, [29, 75, 40, 26]))
            else:
                self.p("Items to follow.", s.small)

    def speakers(self) -> None:
        d, s = self.data, self.s
        if not d.speakers:
            return
        self.h1("Speakers and facilitators")
        for speaker in d.speakers:
            block: list[Flowable] = [WrapOnceParagraph(_text(speaker.name), s.speaker)]
            if speaker.caption:
                block.append(WrapOnceParagraph(escape(speaker.caption), s.small))
            block.extend(_paragraphs(speaker.biography, s.body))
            self.story.append(KeepTogether(block))

    def syndicates(self) -> None:
        d, s = self.data, self.s
        if not d.syndicates:
            return
        self.h1("Syndicates")
        self.p("During the exercise you discuss the questions of each module in your syndicate, with its facilitator "
               "and note-taker, and your syndicate reports back in plenary.", self.s.small)
        for syndicate in d.syndicates:
            heading = f"<b>{_text(syndicate.name)}</b>"
            if syndicate.room.strip():
                heading += f" — {_text(syndicate.room)}"
            people = f"Facilitator: {_text(syndicate.facilitator)} · Note-taker: {_text(syndicate.note_taker)}"
            block: list[Flowable] = [WrapOnceParagraph(heading, s.speaker), WrapOnceParagraph(people, s.small)]
            if syndicate.members:
                cells = [WrapOnceParagraph(f"• {_text(m)}", s.cell) for m in syndicate.members]
                half = (len(cells) + 1) // 2
                grid = [[cells[n], cells[half + n] if half + n < len(cells) else ""] for n in range(half)]
                members = Table(grid, colWidths=[BODY_W / 2, BODY_W / 2], hAlign="LEFT")
                members.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                             ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                             ("TOPPADDING", (0, 0), (-1, -1), 1),
                                             ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
                block.append(members)
            else:
                block.append(WrapOnceParagraph("Members to be confirmed.", s.small))
            block.append(Spacer(1, 2 * mm))
            self.story.append(KeepTogether(block))

    def practical(self) -> None:
        d, s = self.data, self.s
        if not (d.venue.strip() or d.venue_details.strip() or d.contact.strip() or d.notes.strip()):
            return
        self.h1("Venue and practical information")
        if d.venue.strip():
            self.p(f"<b>{_text(d.venue)}</b>")
        self.story.extend(_paragraphs(d.venue_details, s.body))
        if d.contact.strip():
            self.h2("Point of contact")
            self.story.extend(_paragraphs(d.contact, s.body))
        if d.notes.strip():
            self.h2("Notes for participants")
            self.story.extend(_paragraphs(d.notes, s.body))


def render_programme(data: ProgrammeData, path: Path, progress: Progress | None = None) -> Path:
    """Write the programme PDF to ``path`` (replaced only once the new file is complete)."""
    register_fonts()
    path = Path(path)
    if progress is not None:
        progress(0.1, "Laying out the programme")
    builder = _Builder(data)
    for step in (builder.cover, builder.about, builder.agenda, builder.speakers, builder.syndicates,
                 builder.practical):
        step()
    temporary = path.with_name(f".{path.name}.partial")
    author = data.options.organisation_name.strip() or data.organiser or APP_NAME
    doc = _ProgrammeDoc(str(temporary), data, title=f"{data.title} — exercise programme", author=author,
                        subject=f"Exercise programme for participants — {data.marking}",
                        creator=f"{APP_NAME} {__version__}", lang="en-GB", displayDocTitle=1)
    try:
        doc.build(builder.story, canvasmaker=numbered_canvas(_page_number))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0, f"Wrote {path.name}")
    return path


# ----------------------------------------------------------------------------------------------------- HTML


def _e(value: str) -> str:
    if not value.strip():
        return EMPTY
    return html_escape(value.strip()).replace("\r\n", "\n").replace("\n", "<br>")


def _html_paragraphs(value: str) -> str:
    return "".join(f"<p>{_e(part)}</p>" for part in value.replace("\r\n", "\n").split("\n\n") if part.strip())


def programme_html(data: ProgrammeData) -> str:
    """The whole programme as one self-contained HTML document: headings, header cells, the marking."""
    marking = html_escape(data.marking)
    parts = [f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{_e(data.title)} — exercise programme ({marking})</title>"
             f'<meta name="generator" content="{html_escape(APP_NAME)} {html_escape(__version__)}">'
             f"<style>{STYLE}{_page_marking_css(data.marking)}</style></head><body>"
             '<a class="skip" href="#main">Skip to the programme</a>'
             f'<div class="marking top" role="note" aria-label="Protective marking">{marking}'
             f'<span class="banner">{EXERCISE_BANNER}</span></div>', '<header class="cover">']
    if data.options.organisation_name.strip():
        parts.append(f'<p class="subtitle">{_e(data.options.organisation_name)}</p>')
    parts.append(f'<p class="subtitle">Exercise programme</p><h1>{_e(data.title)}</h1>')
    parts.append(key_values([(k, _e(v)) for k, v in data.headline] + [("Protective marking", marking)],
                            "The exercise"))
    parts.append('<p class="note">This programme is exercise material. It holds no part of the scenario\'s '
                 "script.</p></header>")
    sections = [("welcome", "Welcome"), ("about", "About the exercise"), ("agenda", "Agenda")]
    if data.speakers:
        sections.append(("speakers", "Speakers and facilitators"))
    if data.syndicates:
        sections.append(("syndicates", "Syndicates"))
    if data.venue.strip() or data.venue_details.strip() or data.contact.strip() or data.notes.strip():
        sections.append(("practical", "Venue and practical information"))
    if not data.introduction.strip():
        sections.remove(("welcome", "Welcome"))
    parts.append('<nav aria-labelledby="contents-h"><h2 id="contents-h">Contents</h2><ol>'
                 + "".join(f'<li><a href="#{key}">{html_escape(title)}</a></li>' for key, title in sections)
                 + '</ol></nav><main id="main">')

    def section(key: str, title: str) -> None:
        parts.append(f'<section id="{key}" aria-labelledby="{key}-h"><h2 id="{key}-h">{html_escape(title)}</h2>')

    if data.introduction.strip():
        section("welcome", "Welcome")
        parts.append(_html_paragraphs(data.introduction) + "</section>")
    section("about", "About the exercise")
    if data.aim.strip():
        parts.append(f"<h3>Aim</h3>{_html_paragraphs(data.aim)}")
    if data.objectives:
        parts.append("<h3>Objectives</h3>" + table(["Code", "Objective"], (10, 90),
                                                   ([html_escape(c), _e(t)] for c, t in data.objectives),
                                                   row_headers=True))
    if data.general_idea.strip():
        parts.append(f"<h3>General idea</h3>{_html_paragraphs(data.general_idea)}")
    if data.organisations:
        parts.append("<h3>Participating organisations</h3><ul>"
                     + "".join(f"<li>{_e(name)}</li>" for name in data.organisations) + "</ul>")
    parts.append("</section>")
    section("agenda", "Agenda")
    if not any(s.items for s in data.sessions):
        parts.append('<p class="note">The agenda has not been published yet.</p>')
    for session in data.sessions:
        parts.append(f"<h3>{_e(session.heading)}</h3>")
        meta = [f"Location: {_e(session.location)}" if session.location.strip() else "",
                f"Chair: {_e(session.chair)}" if session.chair.strip() else ""]
        if any(meta):
            parts.append(f'<p class="meta">{" · ".join(m for m in meta if m)}</p>')
        rows = []
        for item in session.items:
            what = f"<strong>{_e(item.title)}</strong>"
            if fold_label(item.kind.label) not in fold_label(item.title):
                what += f'<br><span class="meta">{html_escape(item.kind.label)}</span>'
            if item.description.strip():
                what += f"<br>{_e(item.description)}"
            speakers = "<br>".join(_e(sp.name) + (f' <span class="meta">({html_escape(sp.caption)})</span>'
                                                  if sp.caption else "") for sp in item.speakers) or EMPTY
            rows.append([html_escape(item.times), what, speakers, _e(item.location)])
        if rows:
            parts.append(table(["Time", "Session", "Speakers", "Where"], (14, 46, 25, 15), rows,
                               caption=session.heading, row_headers=True, numeric=(0,)))
    parts.append("</section>")
    if data.speakers:
        section("speakers", "Speakers and facilitators")
        for speaker in data.speakers:
            parts.append(f"<h3>{_e(speaker.name)}</h3>")
            if speaker.caption:
                parts.append(f'<p class="meta">{html_escape(speaker.caption)}</p>')
            parts.append(_html_paragraphs(speaker.biography))
        parts.append("</section>")
    if data.syndicates:
        section("syndicates", "Syndicates")
        parts.append('<p class="note">During the exercise you discuss the questions of each module in your '
                     "syndicate, with its facilitator and note-taker, and your syndicate reports back in "
                     "plenary.</p>")
        parts.append(table(["Syndicate", "Room", "Facilitator", "Note-taker", "Members"], (16, 16, 18, 18, 32),
                           ([_e(s.name), _e(s.room), _e(s.facilitator), _e(s.note_taker),
                             "<ul>" + "".join(f"<li>{_e(m)}</li>" for m in s.members) + "</ul>" if s.members
                             else EMPTY] for s in data.syndicates), row_headers=True))
        parts.append("</section>")
    if ("practical", "Venue and practical information") in sections:
        section("practical", "Venue and practical information")
        if data.venue.strip():
            parts.append(f"<p><strong>{_e(data.venue)}</strong></p>")
        parts.append(_html_paragraphs(data.venue_details))
        if data.contact.strip():
            parts.append(f"<h3>Point of contact</h3>{_html_paragraphs(data.contact)}")
        if data.notes.strip():
            parts.append(f"<h3>Notes for participants</h3>{_html_paragraphs(data.notes)}")
        parts.append("</section>")
    parts.append(f'</main><div class="marking bottom" role="note" aria-label="Protective marking">'
                 f'<span class="banner">{EXERCISE_BANNER}</span>{marking}</div></body></html>\n')
    return "".join(parts)


def render_programme_html(data: ProgrammeData, path: Path, progress: Progress | None = None) -> Path:
    """Write the HTML programme to ``path`` (replaced only once the new file is complete)."""
    path = Path(path)
    text = programme_html(data)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0, f"Wrote {path.name}")
    return path


__all__ = ["ProgrammeData", "ProgrammeOptions", "programme_data", "programme_html", "render_programme",
           "render_programme_html"]

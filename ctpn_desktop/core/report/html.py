"""The debrief as one self-contained HTML file, for readers who use a screen reader, magnifier or braille display.

It holds the same sections and words as the PDF, in semantic HTML: one ``h1``, a heading for every section and
sub-section, tables whose header cells are ``th`` with a ``scope``, corrected originals in ``del`` with the reason
beside them, and the charts as images (SVG in a data URI) with alternative text and their figures as a table.
Nothing is fetched: styles and images are inside the file. Everything people typed is escaped. The protective
marking stands at the top and the bottom, and (in print) on every page.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Sequence
from html import escape
from pathlib import Path

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogEntry, LogKind, LogRevision, Observation, Rating
from ctpn_desktop.core.report.analytics import format_delay
from ctpn_desktop.core.report.debrief_data import DebriefData, InjectOutcome, Section, revision_note
from ctpn_desktop.core.report.fonts import register_fonts
from ctpn_desktop.core.report.pdf import (
    CLOCK_LABELS,
    EMPTY,
    EXERCISE_BANNER,
    HOTWASH_HEADINGS,
    LOG_CODE_LABEL,
    RESPONSE_CHART_LIMIT,
    decisions_chart,
    ratings_chart,
    response_chart,
    timeline_chart,
)

from ctpn_desktop import APP_NAME, __version__

Progress = Callable[[float, str], None]

STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --navy: #1f3a5f; --rule: #b8c2cc; --zebra: #f2f5f8;
        --alert: #b00020; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 1rem; line-height: 1.5;
       color: var(--ink); background: #fff; margin: 0; }
main, .cover, nav { max-width: 62rem; margin: 0 auto; padding: 0 1.25rem; }
.marking { text-align: center; font-weight: bold; letter-spacing: .05em; padding: .35rem;
           border-bottom: 1px solid var(--rule); background: #fff; }
.marking.bottom { border-top: 1px solid var(--rule); border-bottom: 0; margin-top: 2rem; }
.marking .banner { display: block; color: var(--alert); font-size: .8rem; }
h1, h2, h3 { color: var(--navy); line-height: 1.25; }
h1 { font-size: 2rem; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; border-bottom: 2px solid var(--navy); padding-bottom: .2rem; }
h3 { font-size: 1.15rem; margin-top: 1.5rem; }
.subtitle { color: var(--muted); font-size: 1.15rem; margin: 0; }
.draft { color: var(--alert); font-weight: bold; font-size: 1.3rem; }
.note, .meta { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.25rem; font-size: .92rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; color: var(--navy); }
th, td { border: 1px solid var(--rule); padding: .35rem .5rem; vertical-align: top; text-align: left;
         overflow-wrap: anywhere; }
thead th { background: var(--navy); color: #fff; }
tbody tr:nth-child(even) td { background: var(--zebra); }
table.fixed { table-layout: fixed; }
table.kv th[scope=row] { background: var(--zebra); width: 14rem; }
.num { white-space: nowrap; }
del { color: var(--muted); }
.reason, .alert, .skipped { color: var(--alert); }
.alert { font-weight: bold; }
.label { color: var(--muted); }
.kind { color: var(--muted); font-size: .8rem; letter-spacing: .04em; }
.revision { margin-bottom: .6rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .9rem; }
code { font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
a { color: var(--navy); }
.footer-code { text-align: center; color: var(--muted); font-size: .85rem; margin: .25rem 0 0; }
.skip { position: absolute; left: -999rem; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
@media print {
  @page { size: A4; margin: 22mm 16mm 22mm 16mm; }
  body { font-size: 10pt; }
  main, .cover, nav { max-width: none; padding: 0; }
  .marking { border: 0; }
  .cover, nav { break-after: page; }
  h2 { break-before: page; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .skip { display: none; }
}
"""


def _e(value: object) -> str:
    """Something a person typed, escaped, line breaks kept, empty shown as a dash."""
    if value is None or not str(value).strip():
        return EMPTY
    return escape(str(value).strip()).replace("\r\n", "\n").replace("\n", "<br>")


def _clock(seconds: float | None) -> str:
    return EMPTY if seconds is None else format_elapsed(seconds)


def _wall(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None and hasattr(value, "strftime") else EMPTY


def _date(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else EMPTY


def _revised(revision: int, revised_at: object) -> str:
    from datetime import datetime

    note = revision_note(revision, revised_at if isinstance(revised_at, datetime) else None)
    return f'<br><span class="meta">{escape(note)}</span>' if note else ""


def _qr_drawing(payload: str) -> Drawing:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    qr = QrCodeWidget(payload, barLevel="M")
    left, bottom, right, top = qr.getBounds()
    size = 144.0
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    return drawing


def _css_string(value: str) -> str:
    """A CSS string literal that no typed text can break out of (quotes, backslashes, ``</style>``)."""
    return '"' + "".join(ch if ch.isalnum() or ch in " -_.,:;/()" else f"\\{ord(ch):x} " for ch in value) + '"'


def _page_marking_css(marking: str) -> str:
    """The marking in the margin of every printed page (where the browser supports page-margin boxes)."""
    text = _css_string(marking)
    return ("@media print { @page { @top-center { content: " + text + "; font-weight: bold; }"
            " @bottom-center { content: " + text + "; font-weight: bold; }"
            " @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font-size: 8pt; } } }")


def _id(section: Section) -> str:
    return f"section-{section.value}"


def table(header: Sequence[str], widths: Sequence[int], rows: Iterable[Sequence[str]], *, caption: str = "",
          row_headers: bool = False, numeric: Sequence[int] = ()) -> str:
    """A table whose header cells are ``th scope=col``; with ``row_headers`` the first cell of each row is a
    ``th scope=row``. ``widths`` are the columns' shares in per cent. Cells are HTML escaped by the caller."""
    parts = ['<table class="fixed">']
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>")
    parts.append("<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in header) + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            klass = ' class="num"' if index in numeric else ""
            if index == 0 and row_headers:
                cells.append(f'<th scope="row"{klass}>{cell}</th>')
            else:
                cells.append(f"<td{klass}>{cell}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def key_values(pairs: Sequence[tuple[str, str]], caption: str = "") -> str:
    """A two-column table of labels (``th scope=row``) and values, with no column header row."""
    rows = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{v}</td></tr>' for k, v in pairs)
    head = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<table class="kv">{head}<tbody>{rows}</tbody></table>'


def figure(drawing: Drawing | None, alt: str, caption: str) -> str:
    """A chart as an SVG image in a data URI, with its alternative text and a visible caption."""
    if drawing is None:
        return ""
    svg = renderSVG.drawToString(drawing)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{escape(alt, quote=True)}" '
            f'width="{int(drawing.width)}" height="{int(drawing.height)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


class _Writer:
    def __init__(self, data: DebriefData) -> None:
        self.data = data
        self.parts: list[str] = []

    def add(self, html: str) -> None:
        self.parts.append(html)

    def section(self, section: Section) -> None:
        self.add(f'<section id="{_id(section)}" aria-labelledby="{_id(section)}-h">'
                 f'<h2 id="{_id(section)}-h">{escape(section.heading)}</h2>')

    def end(self) -> None:
        self.add("</section>")

    # cover and contents ---------------------------------------------------------------------------------

    def cover(self) -> None:
        d = self.data
        run = d.run
        self.add('<header class="cover">')
        if d.options.organisation_name.strip():
            self.add(f'<p class="subtitle">{_e(d.options.organisation_name)}</p>')
        self.add(f"<h1>{_e(d.title)}</h1>")
        self.add('<p class="subtitle">Post-exercise debrief report: After-Action Report and Improvement Plan</p>')
        if d.options.draft:
            self.add('<p class="draft">DRAFT — not for distribution</p>')
        self.add(key_values([
            ("Exercise type", escape(d.exercise_type)), ("Date", _date(d.planned_date)), ("Venue", _e(d.venue)),
            ("Organiser", _e(d.organiser)),
            ("Run", _e(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("Protective marking", escape(d.marking)), ("Report generated", escape(_wall(d.generated_at))),
        ], "About this report"))
        self.add("</header>")

    def contents(self) -> None:
        items = "".join(f'<li><a href="#{_id(s)}">{escape(s.heading)}</a></li>' for s in self.data.sections)
        self.add(f'<nav aria-labelledby="contents-h"><h2 id="contents-h">Contents</h2><ol>{items}</ol></nav>')

    # sections -------------------------------------------------------------------------------------------

    def overview(self) -> None:
        d = self.data
        run = d.run
        self.section(Section.OVERVIEW)
        self.add(key_values([
            ("Exercise", _e(d.title)), ("Type", escape(d.exercise_type)), ("Date", _date(d.planned_date)),
            ("Venue", _e(d.venue)), ("Organiser", _e(d.organiser)), ("Author", _e(d.author)),
            ("Scenario version", _e(d.version)), ("Threat or hazard", _e(d.threat)), ("Scope", _e(d.scope)),
            ("Run", _e(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("STARTEX", escape(_wall(run.started_at))), ("ENDEX", escape(_wall(run.ended_at))),
            ("Run status", escape(run.status.value.capitalize())), ("Protective marking", escape(d.marking)),
        ], "The exercise and this run"))
        self.add(f"<h3>Aim</h3><p>{_e(d.aim)}</p><h3>Scenario (general idea)</h3><p>{_e(d.narrative)}</p>")
        self.end()

    def objectives(self) -> None:
        self.section(Section.OBJECTIVES)
        if not self.data.objectives:
            self.add("<p>No objectives were set for this exercise.</p>")
        else:
            self.add(table(["Code", "Objective", "Capability"], (8, 65, 27),
                           ([_e(o.code), _e(o.statement), _e(o.capability)] for o in self.data.objectives),
                           row_headers=True))
        self.end()

    def participants(self) -> None:
        self.section(Section.PARTICIPANTS)
        if not self.data.participants:
            self.add("<p>No participating organisations were recorded.</p>")
        else:
            rows = []
            for org in self.data.participants:
                name = _e(org.name) + (f" ({_e(org.short_name)})" if org.short_name.strip() else "")
                roles = ("<ul>" + "".join(f"<li>{_e(r.name)} <span class=\"label\">· {escape(r.level)}</span></li>"
                                          for r in org.roles) + "</ul>") if org.roles else EMPTY
                rows.append([name, "Exercise cell" if org.kind == "cell" else "Agency", roles])
            self.add(table(["Organisation", "Kind", "Roles"], (35, 15, 50), rows, row_headers=True))
        self.end()

    def timeline(self) -> None:
        d = self.data
        self.section(Section.TIMELINE)
        if d.phases:
            self.add(table(["Phase", "Planned start", "Started by facilitator"], (56, 22, 22),
                           ([_e(p.name), _clock(p.start_s), _clock(p.started_s)] for p in d.phases),
                           caption="Phases", row_headers=True, numeric=(1, 2)))
        if d.clock_events:
            self.add("<h3>Conduct of the clock</h3>")
            self.add(table(["Event", "Wall clock", "Exercise time", "Speed", "Reason"], (18, 24, 14, 9, 35),
                           ([escape(CLOCK_LABELS.get(a.kind.value, a.kind.value)), escape(_wall(a.wall_time)),
                             _clock(a.exercise_s), escape(f"×{a.compression:g}"), _e(a.reason)]
                            for a in d.clock_events), numeric=(1, 2)))
        self.add("<h3>Planned against actual release</h3>")
        released = sum(1 for i in d.injects if i.outcome is InjectOutcome.RELEASED)
        skipped = sum(1 for i in d.injects if i.outcome is InjectOutcome.SKIPPED)
        late = [i for i in d.injects if i.released_s is not None and i.planned_s is not None]
        average = (sum(i.released_s - i.planned_s for i in late if i.released_s is not None and
                       i.planned_s is not None) / len(late)) if late else 0.0
        alt = (f"Timeline chart of {len(d.injects)} injects in {len(d.phases)} phases: {released} released, "
               f"{skipped} skipped; released injects went out on average {abs(average) / 60:.0f} minutes "
               f"{'after' if average >= 0 else 'before'} their planned time. The inject log below lists every "
               "planned and actual time.")
        self.add(figure(timeline_chart(d), alt, "Each inject in its phase's lane: a hollow circle at its planned "
                                                "time, a filled circle when it was released, a cross when skipped."))
        self.add("<h3>Decisions over exercise time, by organisation</h3>")
        chart = decisions_chart(d)
        if chart is None:
            self.add("<p>No decisions were logged in this run.</p>")
        else:
            counts: dict[str, int] = {}
            live = [e.current for e in d.log if not e.current.withdrawn]
            counted = [r for r in live if r.kind is LogKind.DECISION] or live
            for revision in counted:
                name = revision.organisation.strip() or "Unattributed"
                counts[name] = counts.get(name, 0) + 1
            summary = "; ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
            self.add(figure(chart, f"Stacked bar chart of {len(counted)} logged decisions over exercise time, by "
                                   f"organisation. Totals: {summary}.", "Decisions logged in each slice of "
                                                                       "exercise time, stacked by organisation."))
            self.add(table(["Organisation", "Decisions logged"], (70, 30),
                           ([escape(n), str(c)] for n, c in sorted(counts.items())),
                           caption="Decisions by organisation (the chart's figures)", row_headers=True,
                           numeric=(1,)))
        self.end()

    def injects(self) -> None:
        d = self.data
        self.section(Section.INJECTS)
        if not d.injects:
            self.add("<p>This run has no injects.</p>")
            self.end()
            return
        released = sum(1 for i in d.injects if i.outcome is InjectOutcome.RELEASED)
        skipped = sum(1 for i in d.injects if i.outcome is InjectOutcome.SKIPPED)
        self.add(f'<p class="note">{len(d.injects)} injects: {released} released, {skipped} skipped, '
                 f"{len(d.injects) - released - skipped} not released. Times are exercise time (h:mm:ss from "
                 "STARTEX); “Due” is the time after any deferral or re-time.</p>")
        rows = []
        for line in d.injects:
            cell = (('<span class="kind">AD HOC INJECT</span><br>' if line.adhoc else "") +
                    f"<strong>{_e(line.title)}</strong>")
            details = " · ".join(x for x in (escape(line.delivery), _e(line.recipients) if line.recipients else "")
                                 if x)
            if details:
                cell += f'<br><span class="meta">{details}</span>'
            if line.controller_notes.strip():
                cell += f'<br><span class="meta"><em>Controller notes:</em> {_e(line.controller_notes)}</span>'
            outcome = escape(line.outcome.label)
            if line.deferrals and line.outcome is not InjectOutcome.DEFERRED:
                outcome += f" (deferred {line.deferrals}×)"
            if line.outcome is InjectOutcome.SKIPPED:
                outcome = f'<span class="skipped">{outcome}</span>'
            outcome += "".join(f'<br><span class="meta">{_e(n)}</span>' for n in line.notes)
            rows.append([escape(line.number), cell, _e(line.phase), _clock(line.planned_s), _clock(line.due_s),
                         _clock(line.released_s), outcome])
        self.add(table(["No.", "Inject", "Phase", "Planned", "Due", "Released", "Outcome"],
                       (6, 38, 15, 9, 9, 9, 14), rows, row_headers=True,
                       numeric=(3, 4, 5)))
        self.end()

    @staticmethod
    def _revision(revision: LogRevision, *, struck: bool) -> str:
        def typed(value: str) -> str:
            shown = _e(value)
            return f"<del>{shown}</del>" if struck and value.strip() else shown

        parts = [f'<span class="kind">{escape(revision.kind.value.upper())}</span> {typed(revision.text)}',
                 f'<span class="label">Rationale:</span> {typed(revision.rationale)}']
        if revision.options_considered.strip():
            parts.append(f'<span class="label">Options considered:</span> {typed(revision.options_considered)}')
        for action in revision.actions:
            owner = f" — {action.owner.strip()}" if action.owner.strip() else ""
            parts.append(f'<span class="label">Action:</span> {typed(action.action.strip() + owner)}')
        if revision.jdm_stage is not None:
            parts.append(f'<span class="label">JDM stage {int(revision.jdm_stage)}:</span> '
                         f"{escape(revision.jdm_stage.label)}")
        return "<br>".join(parts)

    def _entry(self, entry: LogEntry) -> str:
        revisions = [*entry.history, entry.current]
        parts = []
        for index, revision in enumerate(entry.history):
            successor = revisions[index + 1]
            verb = "Withdrawn" if successor.withdrawn else f"Corrected by revision {successor.revision}"
            parts.append(f'<div class="revision"><span class="label">Revision {revision.revision}, superseded:'
                         f"</span><br>{self._revision(revision, struck=True)}<br>"
                         f'<span class="reason">Revision {revision.revision} — {verb} at '
                         f"{escape(_wall(successor.committed_at))}. Reason: "
                         f"{_e(successor.revision_reason)}</span></div>")
        current = entry.current
        if current.withdrawn:
            parts.append('<div class="revision"><strong class="alert">WITHDRAWN</strong> — the entry stands in the '
                         "record as logged above and no longer applies.</div>")
        else:
            lead = (f'<strong class="label">Current (revision {current.revision})</strong><br>'
                    if entry.history else "")
            parts.append(f'<div class="revision">{lead}{self._revision(current, struck=False)}</div>')
        return "".join(parts)

    def decisions(self) -> None:
        d = self.data
        self.section(Section.DECISIONS)
        if not d.log:
            self.add("<p>No log entries were made in this run.</p>")
            self.end()
            return
        corrected = sum(1 for e in d.log if e.history and not e.current.withdrawn)
        withdrawn = sum(1 for e in d.log if e.current.withdrawn)
        self.add(f'<p class="note">{len(d.log)} entries in the order they were logged; {corrected} corrected and '
                 f"{withdrawn} withdrawn. Nothing is erased: a corrected original is shown struck through (marked "
                 "as deleted text) with the reason for the correction. Times are exercise time.</p>")
        rows = []
        for entry in d.log:
            c = entry.current
            first = entry.history[0] if entry.history else c
            when = [f"<strong>{format_elapsed(c.exercise_s)}</strong>"]
            if c.withdrawn:
                when.append('<strong class="alert">Withdrawn</strong>')
            if c.scenario_time:
                when.append(f"Scenario {escape(c.scenario_time.strftime('%d %b %H:%M'))}")
            when.append(f'<span class="meta">Logged {escape(first.logged_at.strftime("%H:%M:%S"))} UTC</span>')
            who = (f"<strong>{_e(c.decision_maker)}</strong><br>{_e(c.organisation)}<br>"
                   f'<span class="meta">Loggist: {_e(c.logged_by)}</span>')
            rows.append([str(c.entry_number), "<br>".join(when), who, self._entry(entry)])
        self.add(table(["No.", "Time", "Decision maker", "Entry"], (6, 14, 20, 60), rows, row_headers=True))
        self.end()

    def summary(self) -> None:
        d = self.data
        self.section(Section.SUMMARY)
        summary = d.summary
        if summary is not None and summary.proposed:
            self.add('<p class="note">Drawn from the evaluators\' observations; not yet reviewed before issue.</p>')
        elif summary is not None and summary.saved_at is not None:
            self.add(f'<p class="note">Reviewed by the evaluation team; saved {escape(_wall(summary.saved_at))} '
                     f"(version {summary.revision}).</p>")
        for title, items, empty in (
                ("Major strengths", summary.strengths if summary else (), "No strengths were recorded."),
                ("Primary areas for improvement", summary.improvements if summary else (),
                 "No areas for improvement were recorded.")):
            self.add(f"<h3>{escape(title)}</h3>")
            self.add("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>" if items
                     else f"<p>{escape(empty)}</p>")
        self.add("<h3>Ratings at a glance</h3>")
        groups = [g for g in d.observations if g.objective is not None]
        if not groups:
            self.add("<p>No objectives were set for this exercise.</p>")
        else:
            rows = []
            for group in groups:
                objective, overall = group.objective, group.overall
                assert objective is not None
                rating = f"<strong>{overall.value}</strong> {escape(overall.label)}" if overall else "Not rated"
                rows.append([_e(objective.code), _e(objective.statement), rating, str(len(group.observations))])
            self.add(table(["Objective", "Statement", "Rating", "Observations"], (12, 50, 26, 12), rows,
                           row_headers=True, numeric=(3,)))
            self.add('<p class="note">The rating of an objective is the most severe one its observations gave.</p>')
        self.end()

    def responses(self) -> None:
        d = self.data
        figures = d.responses
        self.section(Section.RESPONSES)
        if not figures.injects:
            self.add("<p>No inject was released in this run, so there is no response to measure.</p>")
            self.end()
            return
        self.add('<p class="note">Time from the release of each inject to the first log entry, and to the first '
                 "decision, linked to it; per organisation as logged. Entries logged before the release and "
                 "withdrawn entries do not count.</p>")
        self.add(f"<p>{len(figures.injects)} injects released: {len(figures.answered)} drew a logged response, "
                 f"{len(figures.unanswered)} none. Median time to the first entry "
                 f"<strong>{escape(format_delay(figures.median_first_entry_s))}</strong>, to the first decision "
                 f"<strong>{escape(format_delay(figures.median_first_decision_s))}</strong>.</p>")
        if figures.organisations:
            self.add("<h3>Response times by organisation</h3>")
            shown = figures.organisations[:RESPONSE_CHART_LIMIT]
            summary = "; ".join(f"{f.organisation}: first entry {format_delay(f.median_first_entry_s)}, first "
                                f"decision {format_delay(f.median_first_decision_s)}" for f in shown)
            self.add(figure(response_chart(d), f"Bar chart of the median time from release to the first linked "
                                               f"log entry and decision, by organisation. {summary}.",
                            "Median minutes from an inject's release to each organisation's first linked entry and "
                            "decision."))
            self.add(table(["Organisation", "Injects answered", "Median to first entry", "Slowest first entry",
                            "Median to first decision", "Decisions"], (30, 12, 16, 16, 16, 10),
                           ([_e(f.organisation), str(f.injects_answered), format_delay(f.median_first_entry_s),
                             format_delay(f.slowest_first_entry_s), format_delay(f.median_first_decision_s),
                             str(f.decisions)] for f in figures.organisations),
                           caption="Response times by organisation (the chart's figures)", row_headers=True,
                           numeric=(1, 2, 3, 4, 5)))
        self.add("<h3>Injects that drew no response</h3>")
        if not figures.unanswered:
            self.add("<p>Every released inject drew at least one linked log entry.</p>")
        else:
            self.add(table(["No.", "Inject", "Released", "Intended recipients"], (8, 52, 12, 28),
                           ([escape(i.number), _e(i.title), _clock(i.released_s), _e(", ".join(i.recipients))]
                            for i in figures.unanswered), row_headers=True, numeric=(2,)))
        self.add("<h3>Response to each inject</h3>")
        rows = []
        for response in figures.answered:
            answers = "".join(f"<li><strong>{_e(a.organisation)}</strong>: entry {format_delay(a.first_entry_s)}, "
                              f"decision {format_delay(a.first_decision_s)}</li>" for a in response.organisations)
            silent = (f'<p class="reason">No response logged: {_e(", ".join(response.silent_recipients))}</p>'
                      if response.silent_recipients else "")
            rows.append([escape(response.number), _e(response.title), _clock(response.released_s),
                         format_delay(response.first_entry_s), format_delay(response.first_decision_s),
                         f"<ul>{answers}</ul>{silent}"])
        self.add(table(["No.", "Inject", "Released", "First entry", "First decision", "By organisation"],
                       (6, 26, 10, 11, 11, 36), rows, row_headers=True, numeric=(2, 3, 4)))
        self.add("<h3>Decisions by stage of the Joint Decision Model</h3>")
        self.add(table(["JDM stage", "Decisions", "Share"], (70, 15, 15),
                       ([escape(stage.label), str(stage.decisions),
                         f"{100 * stage.decisions / figures.decisions:.0f} %" if figures.decisions else EMPTY]
                        for stage in figures.stages), row_headers=True, numeric=(1, 2)))
        self.end()

    def _observation_notes(self, observation: Observation) -> str:
        parts = []
        cited = self.data.evidence_of(observation)
        if cited:
            parts.append("Evidence: " + escape(", ".join(cited)))
        revised = revision_note(observation.revision, observation.revised_at)
        if revised:
            parts.append(escape(revised) + (f". Reason: {_e(observation.revision_reason)}"
                                            if observation.revision_reason.strip() else ""))
        return "".join(f'<br><span class="meta">{part}</span>' for part in parts)

    def observations(self) -> None:
        d = self.data
        self.section(Section.OBSERVATIONS)
        groups = [g for g in d.observations if g.objective is not None]
        chart = ratings_chart(d)
        if chart is None:
            self.add("<p>No observations were recorded against the objectives in this run.</p>")
        else:
            summary = "; ".join(
                f"{g.objective.code if g.objective else ''}: "
                + ", ".join(f"{count} {rating.value}" for rating, count in g.rating_counts.items() if count)
                for g in groups if g.observations)
            self.add(figure(chart, f"Bar chart of observation ratings for each objective. {summary}.",
                            "How many observations gave each rating, for each objective."))
            self.add(table(["Objective", *[f"{r.value} – {r.label}" for r in Rating]], (20, 20, 20, 20, 20),
                           ([escape(g.objective.code if g.objective else EMPTY),
                             *[str(g.rating_counts[r]) for r in Rating]] for g in groups),
                           caption="Ratings by objective (the chart's figures)", row_headers=True,
                           numeric=(1, 2, 3, 4)))
        for group in d.observations:
            objective = group.objective
            if objective is None:
                self.add("<h3>Observations not linked to an objective</h3>")
            else:
                self.add(f"<h3>Objective {_e(objective.code)}</h3><p>{_e(objective.statement)}</p>")
            overall = group.overall
            if overall is not None:
                self.add(f"<p>Rating: <strong>{overall.value}</strong> — {escape(overall.label)}</p>")
            if not group.observations:
                self.add('<p class="note">No observations recorded against this objective.</p>')
                continue
            self.add(table(["Evaluator", "Rating", "Observation", "Strengths", "Areas for improvement"],
                           (16, 8, 30, 23, 23),
                           ([_e(o.evaluator), (f'<abbr title="{escape(o.rating.label)}">{o.rating.value}</abbr>'
                                               if o.rating else EMPTY), _e(o.text) + self._observation_notes(o),
                             _e(o.strengths), _e(o.improvements)] for o in group.observations)))
        if d.withdrawn:
            self.add("<h3>Withdrawn after review</h3>")
            self.add('<p class="note">Notes the evaluation team withdrew, with their reasons. They are not counted '
                     "above.</p>")
            self.add(table(["Note", "Text", "Reason", "Withdrawn"], (16, 42, 28, 14),
                           ([escape(w.what), f"<del>{_e(w.text)}</del>", _e(w.reason), escape(_wall(w.withdrawn_at))]
                            for w in d.withdrawn)))
        self.end()

    def hotwash(self) -> None:
        self.section(Section.HOTWASH)
        if not self.data.hotwash:
            self.add("<p>No hot-wash notes were recorded for this run.</p>")
        for kind, notes in self.data.hotwash:
            self.add(f"<h3>{escape(HOTWASH_HEADINGS[kind])}</h3>")
            self.add(table(["Note", "Objective", "From"], (68, 12, 20),
                           ([_e(n.text) + _revised(n.revision, n.revised_at), _e(n.objective), _e(n.author)]
                            for n in notes)))
        self.end()

    def improvement(self) -> None:
        self.section(Section.IMPROVEMENT)
        if not self.data.improvements:
            self.add("<p>No improvement actions were recorded for this run.</p>")
        else:
            self.add(table(["Issue", "Corrective action", "Capability element", "Responsible organisation",
                            "Contact", "Start", "Due"], (19, 24, 12, 14, 11, 10, 10),
                           ([_e(a.issue) + (f'<br><span class="meta">{escape(a.objective)}</span>'
                                            if a.objective else ""),
                             _e(a.action) + _revised(a.revision, a.revised_at),
                             escape(a.capability_element.capitalize()), _e(a.owner_organisation), _e(a.contact),
                             _date(a.start_date), _date(a.due_date)] for a in self.data.improvements),
                           numeric=(5, 6)))
        self.end()

    def integrity(self) -> None:
        d = self.data
        self.section(Section.INTEGRITY)
        check = d.integrity
        if check is None:
            self.add("<p>The log was not checked.</p>")
            self.end()
            return
        if check.ok:
            self.add(f"<p>The decision log of this run holds {check.records_checked} stored revisions in "
                     f"{check.chains} chain(s), one for each laptop that logged. Every revision was checked against "
                     "its SHA-256 hash chain when this report was generated: none has been changed, removed or "
                     "inserted since it was written.</p>")
        else:
            self.add('<p class="alert" role="alert">LOG INTEGRITY FAILURE: the decision log of this run does not '
                     f"match its hash chain. The first mismatch is at entry {check.first_bad_entry_number}. The "
                     "entries shown in this report may have been altered outside the application.</p>")
            self.add("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in check.problems) + "</ul>")
        self.add(key_values([
            ("Document file", _e(check.document_name)),
            ("Document SHA-256", f"<code>{escape(check.document_sha256)}</code>"),
            ("Revisions checked", str(check.records_checked)), ("Chains", str(check.chains)),
            ("Result", "Intact" if check.ok else '<strong class="alert">FAILED</strong>'),
            ("Generated", escape(_wall(d.generated_at))), ("Generated by", escape(f"{APP_NAME} {__version__}")),
        ], "Integrity check"))
        self.add('<p class="note">The SHA-256 of the document file identifies the exact file this report was made '
                 "from; anyone holding a copy can compare it.</p>")
        if d.seal is not None:
            seal = d.seal
            self.add("<h3>Log code</h3>")
            self.add(f"<p>This report carries the log code <strong>{escape(seal.code)}</strong>: it is made from the "
                     "last record of each laptop's hash chain, so it pins the whole decision log of this run as "
                     "reported. To check that a file still holds exactly this log, run "
                     f"<code>ctpn-desktop verify FILE.ctpn --code {escape(seal.code)}</code>.</p>")
            if seal.heads:
                self.add(table(["Chain (laptop)", "Records", "Head (SHA-256 of the last record)"], (25, 10, 65),
                               ([_e(h.device_id), str(h.records), f"<code>{escape(h.head_hash)}</code>"]
                                for h in seal.heads), row_headers=True, numeric=(1,)))
            self.add(figure(_qr_drawing(seal.payload()), f"QR code of the log seal: log code {seal.code}, run "
                            f"{seal.run_number}, {seal.records} records in {len(seal.heads)} chain(s), with the "
                            "head of each chain as listed in the table above.",
                            f"The log seal of run {seal.run_number} as a QR code."))
        self.end()


def debrief_html(data: DebriefData, progress: Progress | None = None) -> str:
    """The whole report as one HTML document (a string)."""
    register_fonts()

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    writer = _Writer(data)
    marking = escape(data.marking)
    draft = " — DRAFT" if data.options.draft else ""
    head = (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(data.title)} — debrief ({marking}){draft}</title>"
            f'<meta name="generator" content="{escape(APP_NAME)} {escape(__version__)}">'
            f'<meta name="author" content="{escape(data.options.organisation_name.strip() or data.organiser, True)}">'
            f"<style>{STYLE}{_page_marking_css(data.marking)}</style></head><body>"
            '<a class="skip" href="#main">Skip to the report</a>'
            f'<div class="marking top" role="note" aria-label="Protective marking">{marking}'
            f'<span class="banner">{EXERCISE_BANNER}</span></div>')
    writer.add(head)
    writer.cover()
    writer.contents()
    writer.add('<main id="main">')
    steps: dict[Section, Callable[[], None]] = {
        Section.SUMMARY: writer.summary, Section.RESPONSES: writer.responses,
        Section.OVERVIEW: writer.overview, Section.OBJECTIVES: writer.objectives,
        Section.PARTICIPANTS: writer.participants, Section.TIMELINE: writer.timeline,
        Section.INJECTS: writer.injects, Section.DECISIONS: writer.decisions,
        Section.OBSERVATIONS: writer.observations, Section.HOTWASH: writer.hotwash,
        Section.IMPROVEMENT: writer.improvement, Section.INTEGRITY: writer.integrity,
    }
    sections = data.sections
    for index, section in enumerate(sections):
        steps[section]()
        report(0.05 + 0.85 * (index + 1) / max(1, len(sections)), f"Wrote {section.heading.lower()}")
    writer.add("</main>")
    if data.code:
        writer.add(f'<p class="footer-code">{LOG_CODE_LABEL} {escape(data.code)}</p>')
    writer.add(f'<div class="marking bottom" role="note" aria-label="Protective marking">'
               f'<span class="banner">{EXERCISE_BANNER}</span>{marking}</div></body></html>\n')
    return "".join(writer.parts)


def render_debrief_html(data: DebriefData, path: Path, progress: Progress | None = None) -> Path:
    """Write the HTML debrief to ``path`` (replaced only once the new file is complete)."""
    path = Path(path)
    html = debrief_html(data, progress)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0, f"Wrote {path.name}")
    return path


__all__ = ["debrief_html", "figure", "key_values", "render_debrief_html", "table"]

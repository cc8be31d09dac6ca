"""The debrief as a tagged PDF (PDF/UA-1) for readers who use a screen reader, made with Typst.

ReportLab cannot write a structure tree, so this variant is laid out by Typst (its Python package ships the
compiler; 0.14 and later tag headings, tables with header rows, lists and figures with alternative text, set the
document language and check PDF/UA-1 while exporting — see ``docs/debrief-report.md`` for why this route).

The report is handed to the template (``resources/report/debrief.typ``) as data: a JSON file of blocks (headings,
paragraphs, lists, tables, figures) whose text is made only of strings, and the charts as SVG files, in a
temporary folder that is the compiler's whole world. Typst sets JSON strings as text and never reads them as
mark-up, so anything people typed prints exactly as typed. Only the shipped DejaVu fonts are used (system fonts
are ignored) and no package is imported, so nothing is looked up or fetched. The PDF is written as
``.NAME.partial`` and moved into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogEntry, LogKind, LogRevision, Observation, Rating
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.report.analytics import format_delay
from ctpn_desktop.core.report.debrief_data import DebriefData, InjectOutcome, Section, revision_note
from ctpn_desktop.core.report.fonts import fonts_dir, register_fonts
from ctpn_desktop.core.report.pdf import (
    CLOCK_LABELS,
    EMPTY,
    EXERCISE_BANNER,
    HOTWASH_HEADINGS,
    LOG_CODE_LABEL,
    decisions_chart,
    ratings_chart,
    response_chart,
    timeline_chart,
)

from ctpn_desktop import APP_NAME, __version__
from ctpn_desktop.paths import resources_dir

Progress = Callable[[float, str], None]
Span = list[str]
Cell = str | list[Span]

PDF_STANDARD: Final = "ua-1"


class AccessibleReportError(CtpnError):
    """Typst refused the report (the message names what it found)."""


def template_path() -> Path:
    return resources_dir() / "report" / "debrief.typ"


def _t(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text.replace("\r\n", "\n") if text else EMPTY


def _clock(seconds: float | None) -> str:
    return EMPTY if seconds is None else format_elapsed(seconds)


def _wall(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None and hasattr(value, "strftime") else EMPTY


def _date(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else EMPTY


class _Blocks:
    """The report as a list of blocks for the template, and the chart files beside it."""

    def __init__(self, data: DebriefData, folder: Path) -> None:
        self.data = data
        self.folder = folder
        self.blocks: list[dict[str, Any]] = []
        self._charts = 0

    def heading(self, text: str, level: int = 3) -> None:
        self.blocks.append({"type": "heading", "level": level, "text": text})

    def section(self, section: Section) -> None:
        self.heading(section.heading, 2)

    def para(self, text: str | list[Span], style: str = "body") -> None:
        self.blocks.append({"type": "para", "text": text, "style": style})

    def note(self, text: str) -> None:
        self.para(text, "note")

    def items(self, items: Sequence[str]) -> None:
        self.blocks.append({"type": "list", "items": [_t(i) for i in items]})

    def table(self, header: Sequence[str], widths: Sequence[float], rows: Sequence[Sequence[Cell]]) -> None:
        self.blocks.append({"type": "table", "header": list(header), "widths": list(widths),
                            "rows": [list(row) for row in rows]})

    def pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.table(["Item", "Detail"], [32, 68], [[[["b", k]], v] for k, v in pairs])

    def figure(self, drawing: Drawing | None, alt: str, caption: str) -> None:
        if drawing is None:
            return
        self._charts += 1
        name = f"chart-{self._charts}.svg"
        (self.folder / name).write_text(renderSVG.drawToString(drawing), encoding="utf-8")
        self.blocks.append({"type": "figure", "file": name, "alt": alt, "caption": caption})

    # sections ---------------------------------------------------------------------------------------------

    def overview(self) -> None:
        d, run = self.data, self.data.run
        self.section(Section.OVERVIEW)
        self.pairs([
            ("Exercise", _t(d.title)), ("Type", d.exercise_type), ("Date", _date(d.planned_date)),
            ("Venue", _t(d.venue)), ("Organiser", _t(d.organiser)), ("Author", _t(d.author)),
            ("Scenario version", _t(d.version)), ("Threat or hazard", _t(d.threat)), ("Scope", _t(d.scope)),
            ("Run", _t(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("STARTEX", _wall(run.started_at)), ("ENDEX", _wall(run.ended_at)),
            ("Run status", run.status.value.capitalize()), ("Protective marking", d.marking)])
        self.heading("Aim")
        self.para(_t(d.aim))
        self.heading("Scenario (general idea)")
        self.para(_t(d.narrative))

    def objectives(self) -> None:
        self.section(Section.OBJECTIVES)
        if not self.data.objectives:
            self.para("No objectives were set for this exercise.")
            return
        self.table(["Code", "Objective", "Capability"], [8, 65, 27],
                   [[_t(o.code), _t(o.statement), _t(o.capability)] for o in self.data.objectives])

    def summary(self) -> None:
        d = self.data
        self.section(Section.SUMMARY)
        summary = d.summary
        if summary is not None and summary.proposed:
            self.note("Drawn from the evaluators' observations; not yet reviewed before issue.")
        elif summary is not None and summary.saved_at is not None:
            self.note(f"Reviewed by the evaluation team; saved {_wall(summary.saved_at)} (version {summary.revision}).")
        for title, items, empty in (
                ("Major strengths", summary.strengths if summary else (), "No strengths were recorded."),
                ("Primary areas for improvement", summary.improvements if summary else (),
                 "No areas for improvement were recorded.")):
            self.heading(title)
            if items:
                self.items(items)
            else:
                self.para(empty)
        self.heading("Ratings at a glance")
        groups = [g for g in d.observations if g.objective is not None]
        if not groups:
            self.para("No objectives were set for this exercise.")
            return
        rows: list[list[Cell]] = []
        for group in groups:
            objective, overall = group.objective, group.overall
            assert objective is not None
            rating: Cell = [["b", overall.value], ["", f" {overall.label}"]] if overall else "Not rated"
            rows.append([[["b", objective.code]], _t(objective.statement), rating, str(len(group.observations))])
        self.table(["Objective", "Statement", "Rating", "Observations"], [12, 50, 26, 12], rows)
        self.note("The rating of an objective is the most severe one its observations gave.")

    def _observation_cell(self, observation: Observation) -> list[Span]:
        spans = [["", _t(observation.text)]]
        cited = self.data.evidence_of(observation)
        if cited:
            spans.append(["m", "\nEvidence: " + ", ".join(cited)])
        revised = revision_note(observation.revision, observation.revised_at)
        if revised:
            reason = f". Reason: {observation.revision_reason.strip()}" if observation.revision_reason.strip() else ""
            spans.append(["m", f"\n{revised}{reason}"])
        return spans

    def observations(self) -> None:
        d = self.data
        self.section(Section.OBSERVATIONS)
        groups = [g for g in d.observations if g.objective is not None]
        chart = ratings_chart(d)
        if chart is None:
            self.para("No observations were recorded against the objectives in this run.")
        else:
            summary = "; ".join(
                f"{g.objective.code if g.objective else ''}: "
                + ", ".join(f"{count} {rating.value}" for rating, count in g.rating_counts.items() if count)
                for g in groups if g.observations)
            self.figure(chart, f"Bar chart of observation ratings for each objective. {summary}.",
                        "How many observations gave each rating, for each objective.")
            self.table(["Objective", *[f"{r.value} – {r.label}" for r in Rating]], [20, 20, 20, 20, 20],
                       [[_t(g.objective.code if g.objective else EMPTY), *[str(g.rating_counts[r]) for r in Rating]]
                        for g in groups])
        for group in d.observations:
            objective = group.objective
            self.heading(f"Objective {objective.code}" if objective else "Observations not linked to an objective")
            if objective is not None:
                self.para(_t(objective.statement))
            if group.overall is not None:
                self.para([["", "Rating: "], ["b", group.overall.value], ["", f" — {group.overall.label}"]])
            if not group.observations:
                self.note("No observations recorded against this objective.")
                continue
            self.table(["Evaluator", "Rating", "Observation", "Strengths", "Areas for improvement"],
                       [16, 8, 30, 23, 23],
                       [[_t(o.evaluator), o.rating.value if o.rating else EMPTY, self._observation_cell(o),
                         _t(o.strengths), _t(o.improvements)] for o in group.observations])
        if d.withdrawn:
            self.heading("Withdrawn after review")
            self.note("Notes the evaluation team withdrew, with their reasons. They are not counted above.")
            self.table(["Note", "Text", "Reason", "Withdrawn"], [16, 42, 28, 14],
                       [[w.what, [["s", _t(w.text)]], _t(w.reason), _wall(w.withdrawn_at)] for w in d.withdrawn])

    def hotwash(self) -> None:
        self.section(Section.HOTWASH)
        if not self.data.hotwash:
            self.para("No hot-wash notes were recorded for this run.")
        for kind, notes in self.data.hotwash:
            self.heading(HOTWASH_HEADINGS[kind])
            self.table(["Note", "Objective", "From"], [68, 12, 20],
                       [[_revised(_t(n.text), n.revision, n.revised_at), _t(n.objective), _t(n.author)]
                        for n in notes])

    def responses(self) -> None:
        figures = self.data.responses
        self.section(Section.RESPONSES)
        if not figures.injects:
            self.para("No inject was released in this run, so there is no response to measure.")
            return
        self.note("Time from the release of each inject to the first log entry, and to the first decision, linked to "
                  "it; per organisation as logged. Entries logged before the release and withdrawn entries do not "
                  "count.")
        self.para([["", f"{len(figures.injects)} injects released: {len(figures.answered)} drew a logged response, "
                        f"{len(figures.unanswered)} none. Median time to the first entry "],
                   ["b", format_delay(figures.median_first_entry_s)], ["", ", to the first decision "],
                   ["b", format_delay(figures.median_first_decision_s)], ["", "."]])
        if figures.organisations:
            self.heading("Response times by organisation")
            summary = "; ".join(f"{f.organisation}: first entry {format_delay(f.median_first_entry_s)}, first "
                                f"decision {format_delay(f.median_first_decision_s)}" for f in figures.organisations)
            self.figure(response_chart(self.data), "Bar chart of the median time from release to the first linked "
                                                   f"log entry and decision, by organisation. {summary}.",
                        "Median minutes from an inject's release to each organisation's first linked entry and "
                        "decision.")
            self.table(["Organisation", "Injects answered", "Median to first entry", "Slowest first entry",
                        "Median to first decision", "Decisions"], [30, 12, 16, 16, 16, 10],
                       [[_t(f.organisation), str(f.injects_answered), format_delay(f.median_first_entry_s),
                         format_delay(f.slowest_first_entry_s), format_delay(f.median_first_decision_s),
                         str(f.decisions)] for f in figures.organisations])
        self.heading("Injects that drew no response")
        if not figures.unanswered:
            self.para("Every released inject drew at least one linked log entry.")
        else:
            self.table(["No.", "Inject", "Released", "Intended recipients"], [8, 52, 12, 28],
                       [[i.number, _t(i.title), _clock(i.released_s), _t(", ".join(i.recipients))]
                        for i in figures.unanswered])
        self.heading("Response to each inject")
        rows: list[list[Cell]] = []
        for response in figures.answered:
            spans: list[Span] = []
            for index, answer in enumerate(response.organisations):
                spans += [["b", ("\n" if index else "") + answer.organisation],
                          ["", f": entry {format_delay(answer.first_entry_s)} · decision "
                               f"{format_delay(answer.first_decision_s)}"]]
            if response.silent_recipients:
                spans.append(["a", "\nNo response logged: " + ", ".join(response.silent_recipients)])
            rows.append([response.number, _t(response.title), _clock(response.released_s),
                         format_delay(response.first_entry_s), format_delay(response.first_decision_s), spans])
        self.table(["No.", "Inject", "Released", "First entry", "First decision", "By organisation"],
                   [6, 26, 10, 11, 11, 36], rows)
        self.heading("Decisions by stage of the Joint Decision Model")
        self.table(["JDM stage", "Decisions", "Share"], [70, 15, 15],
                   [[stage.label, str(stage.decisions),
                     f"{100 * stage.decisions / figures.decisions:.0f} %" if figures.decisions else EMPTY]
                    for stage in figures.stages])

    def timeline(self) -> None:
        d = self.data
        self.section(Section.TIMELINE)
        if d.phases:
            self.table(["Phase", "Planned start", "Started by facilitator"], [56, 22, 22],
                       [[_t(p.name), _clock(p.start_s), _clock(p.started_s)] for p in d.phases])
        if d.clock_events:
            self.heading("Conduct of the clock")
            self.table(["Event", "Wall clock", "Exercise time", "Speed", "Reason"], [18, 24, 14, 9, 35],
                       [[CLOCK_LABELS.get(a.kind.value, a.kind.value), _wall(a.wall_time), _clock(a.exercise_s),
                         f"×{a.compression:g}", _t(a.reason)] for a in d.clock_events])
        self.heading("Planned against actual release")
        released = sum(1 for i in d.injects if i.outcome is InjectOutcome.RELEASED)
        skipped = sum(1 for i in d.injects if i.outcome is InjectOutcome.SKIPPED)
        self.figure(timeline_chart(d), f"Timeline chart of {len(d.injects)} injects in {len(d.phases)} phases: "
                                       f"{released} released, {skipped} skipped. The inject log lists every planned "
                                       "and actual time.",
                    "Each inject in its phase's lane: a hollow circle at its planned time, a filled circle when it "
                    "was released, a cross when skipped.")
        self.heading("Decisions over exercise time, by organisation")
        chart = decisions_chart(d)
        if chart is None:
            self.para("No decisions were logged in this run.")
            return
        counts: dict[str, int] = {}
        live = [e.current for e in d.log if not e.current.withdrawn]
        for revision in [r for r in live if r.kind is LogKind.DECISION] or live:
            name = revision.organisation.strip() or "Unattributed"
            counts[name] = counts.get(name, 0) + 1
        self.figure(chart, "Stacked bar chart of logged decisions over exercise time, by organisation. Totals: "
                           + "; ".join(f"{n}: {c}" for n, c in sorted(counts.items())) + ".",
                    "Decisions logged in each slice of exercise time, stacked by organisation.")
        self.table(["Organisation", "Decisions logged"], [70, 30], [[n, str(c)] for n, c in sorted(counts.items())])

    def injects(self) -> None:
        d = self.data
        self.section(Section.INJECTS)
        if not d.injects:
            self.para("This run has no injects.")
            return
        rows: list[list[Cell]] = []
        for line in d.injects:
            cell: list[Span] = [["m", "AD HOC INJECT\n"]] if line.adhoc else []
            cell.append(["b", _t(line.title)])
            details = " · ".join(x for x in (line.delivery, line.recipients.strip()) if x)
            if details:
                cell.append(["m", "\n" + details])
            if line.controller_notes.strip():
                cell.append(["m", "\nController notes: " + line.controller_notes.strip()])
            outcome: list[Span] = [["a" if line.outcome is InjectOutcome.SKIPPED else "", line.outcome.label]]
            outcome += [["m", "\n" + n.strip()] for n in line.notes]
            rows.append([line.number, cell, _t(line.phase), _clock(line.planned_s), _clock(line.due_s),
                         _clock(line.released_s), outcome])
        self.table(["No.", "Inject", "Phase", "Planned", "Due", "Released", "Outcome"], [6, 38, 15, 9, 9, 9, 14],
                   rows)

    @staticmethod
    def _revision(revision: LogRevision, *, struck: bool) -> list[Span]:
        style = "s" if struck else ""
        spans: list[Span] = [["m", revision.kind.value.upper() + "  "], [style, _t(revision.text)],
                             ["m", "\nRationale: "],
                             [style if revision.rationale.strip() else "", _t(revision.rationale)]]
        if revision.options_considered.strip():
            spans += [["m", "\nOptions considered: "], [style, revision.options_considered.strip()]]
        for action in revision.actions:
            owner = f" — {action.owner.strip()}" if action.owner.strip() else ""
            spans += [["m", "\nAction: "], [style, action.action.strip() + owner]]
        if revision.jdm_stage is not None:
            spans += [["m", f"\nJDM stage {int(revision.jdm_stage)}: "], ["", revision.jdm_stage.label]]
        return spans

    def _entry(self, entry: LogEntry) -> list[Span]:
        revisions = [*entry.history, entry.current]
        spans: list[Span] = []
        for index, revision in enumerate(entry.history):
            successor = revisions[index + 1]
            verb = "Withdrawn" if successor.withdrawn else f"Corrected by revision {successor.revision}"
            spans += self._revision(revision, struck=True)
            spans.append(["a", f"\nRevision {revision.revision} — {verb} at {_wall(successor.committed_at)}. "
                               f"Reason: {_t(successor.revision_reason)}\n"])
        if entry.current.withdrawn:
            spans.append(["a", "WITHDRAWN — the entry stands in the record as logged above and no longer applies."])
        else:
            if entry.history:
                spans.append(["b", f"Current (revision {entry.current.revision})\n"])
            spans += self._revision(entry.current, struck=False)
        return spans

    def decisions(self, progress: Progress) -> None:
        d = self.data
        self.section(Section.DECISIONS)
        if not d.log:
            self.para("No log entries were made in this run.")
            return
        corrected = sum(1 for e in d.log if e.history and not e.current.withdrawn)
        withdrawn = sum(1 for e in d.log if e.current.withdrawn)
        self.note(f"{len(d.log)} entries in the order they were logged; {corrected} corrected and {withdrawn} "
                  "withdrawn. Nothing is erased: a corrected original is shown struck through with the reason for "
                  "the correction. Times are exercise time (h:mm:ss from STARTEX).")
        rows: list[list[Cell]] = []
        for count, entry in enumerate(d.log, start=1):
            c = entry.current
            first = entry.history[0] if entry.history else c
            when: list[Span] = [["b", format_elapsed(c.exercise_s)]]
            if c.withdrawn:
                when.append(["a", "\nWithdrawn"])
            if c.scenario_time:
                when.append(["", f"\nScenario {c.scenario_time.strftime('%d %b %H:%M')}"])
            when.append(["m", f"\nLogged {first.logged_at.strftime('%H:%M:%S')} UTC"])
            who: list[Span] = [["b", _t(c.decision_maker)], ["", "\n" + _t(c.organisation)],
                               ["m", f"\nLoggist: {_t(c.logged_by)}"]]
            rows.append([str(c.entry_number), when, who, self._entry(entry)])
            if count % 1000 == 0:
                progress(0.1 + 0.2 * count / len(d.log), f"Prepared {count} of {len(d.log)} log entries")
        self.table(["No.", "Time", "Decision maker", "Entry"], [6, 14, 20, 60], rows)

    def improvement(self) -> None:
        self.section(Section.IMPROVEMENT)
        if not self.data.improvements:
            self.para("No improvement actions were recorded for this run.")
            return
        self.table(["Issue", "Corrective action", "Capability element", "Responsible organisation", "Contact", "Start",
                    "Due"], [19, 24, 12, 14, 11, 10, 10],
                   [[[["", _t(a.issue)], ["m", f"\n{a.objective}" if a.objective else ""]],
                     _revised(_t(a.action), a.revision, a.revised_at), a.capability_element.capitalize(),
                     _t(a.owner_organisation), _t(a.contact), _date(a.start_date), _date(a.due_date)]
                    for a in self.data.improvements])

    def participants(self) -> None:
        self.section(Section.PARTICIPANTS)
        if not self.data.participants:
            self.para("No participating organisations were recorded.")
            return
        rows: list[list[Cell]] = []
        for org in self.data.participants:
            name = _t(org.name) + (f" ({org.short_name.strip()})" if org.short_name.strip() else "")
            roles: Cell = [["", ("\n" if i else "") + r.name] for i, r in enumerate(org.roles)] or EMPTY
            rows.append([name, "Exercise cell" if org.kind == "cell" else "Agency", roles])
        self.table(["Organisation", "Kind", "Roles"], [35, 15, 50], rows)

    def integrity(self) -> None:
        d = self.data
        self.section(Section.INTEGRITY)
        check = d.integrity
        if check is None:
            self.para("The log was not checked.")
            return
        if check.ok:
            self.para(f"The decision log of this run holds {check.records_checked} stored revisions in {check.chains} "
                      "chain(s), one for each laptop that logged. Every revision was checked against its SHA-256 "
                      "hash chain when this report was generated: none has been changed, removed or inserted since "
                      "it was written.")
        else:
            self.para("LOG INTEGRITY FAILURE: the decision log of this run does not match its hash chain. The first "
                      f"mismatch is at entry {check.first_bad_entry_number}. The entries shown in this report may "
                      "have been altered outside the application.", "alert")
            self.items(list(check.problems))
        self.pairs([("Document file", _t(check.document_name)), ("Document SHA-256", check.document_sha256),
                    ("Revisions checked", str(check.records_checked)), ("Chains", str(check.chains)),
                    ("Result", "Intact" if check.ok else "FAILED"), ("Generated", _wall(d.generated_at)),
                    ("Generated by", f"{APP_NAME} {__version__}")])
        if d.seal is None:
            return
        seal = d.seal
        self.heading("Log code")
        self.para([["", "Every page of this report carries the log code "], ["b", seal.code],
                   ["", ": it is made from the last record of each laptop's hash chain, so it pins the whole "
                        "decision log of this run as printed. To check that a file still holds exactly this log, run "],
                   ["b", f"ctpn-desktop verify FILE.ctpn --code {seal.code}"], ["", "."]])
        if seal.heads:
            self.table(["Chain (laptop)", "Records", "Head (SHA-256 of the last record)"], [25, 10, 65],
                       [[_t(h.device_id), str(h.records), h.head_hash] for h in seal.heads])
        from ctpn_desktop.core.report.html import _qr_drawing

        self.figure(_qr_drawing(seal.payload()), f"QR code of the log seal: log code {seal.code}, run "
                                                 f"{seal.run_number}, {seal.records} records in {len(seal.heads)} "
                                                 "chain(s), with the head of each chain as listed in the table above.",
                    f"The log seal of run {seal.run_number}: log code {seal.code}.")


def _revised(text: str, revision: int, revised_at: object) -> Cell:
    from datetime import datetime

    note = revision_note(revision, revised_at if isinstance(revised_at, datetime) else None)
    return [["", text], ["m", f"\n{note}"]] if note else text


def _payload(data: DebriefData, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    run = data.run
    author = data.options.organisation_name.strip() or data.organiser or data.author or APP_NAME
    cover = {"type": "table", "header": ["About this report", "Detail"], "widths": [32, 68], "rows": [
        [[["b", k]], v] for k, v in (
            ("Exercise type", data.exercise_type), ("Date", _date(data.planned_date)), ("Venue", _t(data.venue)),
            ("Organiser", _t(data.organiser)),
            ("Run", _t(f"{run.label} (run {run.number}{', rehearsal' if run.rehearsal else ''})")),
            ("Report generated", _wall(data.generated_at)))]}
    title = data.title if len(data.title) <= 48 else data.title[:47] + "…"
    return {
        "title": f"{data.title} — debrief", "exercise": data.title, "author": author, "marking": data.marking,
        "banner": EXERCISE_BANNER,
        "keywords": ["debrief", "after-action report", "exercise", data.marking], "draft": data.options.draft,
        "organisation": data.options.organisation_name.strip(), "cover": cover, "blocks": blocks,
        "footer_title": title + (" · DRAFT" if data.options.draft else ""),
        "code_line": f"{LOG_CODE_LABEL} {data.code}" if data.code else "",
    }


def render_debrief_accessible(data: DebriefData, path: Path, progress: Progress | None = None) -> Path:
    """Write the debrief of ``data`` to ``path`` as a tagged PDF/UA-1 file (replaced only once complete)."""
    import typst

    register_fonts()  # the charts are drawn with reportlab in the shipped font
    path = Path(path)

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    report(0.05, "Preparing the accessible report")
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="ctpn-debrief-") as folder:
            root = Path(folder)
            writer = _Blocks(data, root)
            steps: dict[Section, Callable[[], None]] = {
                Section.OVERVIEW: writer.overview, Section.OBJECTIVES: writer.objectives,
                Section.SUMMARY: writer.summary, Section.OBSERVATIONS: writer.observations,
                Section.HOTWASH: writer.hotwash, Section.RESPONSES: writer.responses,
                Section.TIMELINE: writer.timeline, Section.INJECTS: writer.injects,
                Section.DECISIONS: lambda: writer.decisions(report), Section.IMPROVEMENT: writer.improvement,
                Section.PARTICIPANTS: writer.participants, Section.INTEGRITY: writer.integrity,
            }
            for section in data.sections:
                steps[section]()
            (root / "data.json").write_text(json.dumps(_payload(data, writer.blocks), ensure_ascii=False),
                                            encoding="utf-8")
            (root / "debrief.typ").write_text(template_path().read_text(encoding="utf-8"), encoding="utf-8")
            report(0.35, "Laying out and tagging the pages")
            fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                                font_paths=[str(fonts_dir())])
            compiler = typst.Compiler(str(root / "debrief.typ"), root=str(root), font_paths=fonts,
                                      ignore_system_fonts=True)
            try:
                compiler.compile(output=str(temporary), pdf_standards=[PDF_STANDARD],
                                 timestamp=data.generated_at.replace(microsecond=0))
            except typst.TypstError as error:
                raise AccessibleReportError(f"the accessible PDF could not be laid out: {error.message}") from error
        report(0.95, "Writing the file")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report(1.0, f"Wrote {path.name}")
    return path


__all__ = ["PDF_STANDARD", "AccessibleReportError", "render_debrief_accessible", "template_path"]

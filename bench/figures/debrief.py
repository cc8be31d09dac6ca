"""Debrief figures: exporting the report of a long run.

``debrief_5000`` exports the debrief (PDF) of a run with 500 injects and 5,000 decision-log entries; the
baseline, measured in the same process, is a plain reportlab ``SimpleDocTemplate`` holding one ``Table`` of the
same 5,000 log rows (number, exercise time, decision maker, text and rationale wrapped in default paragraphs).
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from bench.generate import _sentence, _text, build_scenario, cached
from bench.harness import BenchmarkUnavailable, Figure, median, repeat, runs, timed

INJECTS = 500
ENTRIES = 5000


def _build_run(target: Path, injects: int, entries: int) -> None:
    """A document with one run conducted through the services: releases, skips, deferrals, ad-hoc injects,
    ``entries`` log entries (5 % corrected, 1 % withdrawn), observations, hot wash and the improvement plan."""
    from ctpn_desktop.core.clock import FakeTimeSource
    from ctpn_desktop.core.entities import ActionItem, CapabilityElement, HotwashKind, LogKind, Rating
    from ctpn_desktop.core.services.document import create_document
    from ctpn_desktop.core.services.evaluation import EvaluationService
    from ctpn_desktop.core.services.log import LogDraft, LogService
    from ctpn_desktop.core.services.runs import RunService

    rng = random.Random(7)
    scenario = build_scenario(injects=injects, organisations=30, objectives=12, phases=6, seed=3)
    source = FakeTimeSource(wall=datetime(2027, 12, 10, 9, 0, tzinfo=UTC))
    document = create_document(target, scenario)
    try:
        runs_service = RunService(document, source, actor="Lead facilitator")
        run = runs_service.create_run("Benchmark conduct")
        frozen = runs_service.frozen_scenario(run.id)
        ordered = sorted(frozen.injects, key=lambda i: i.planned_offset_s)
        runs_service.start(run.id)
        duration = max(i.planned_offset_s for i in ordered) + 600
        organisations = [o.name for o in frozen.organisations]
        log = LogService(document, device_id="bench-laptop", source=source)
        evaluation = EvaluationService(document, source, device_id="bench-laptop")
        per_inject = entries / len(ordered)
        written = 0
        corrections: list[str] = []
        for index, inject in enumerate(ordered):
            wait = inject.planned_offset_s - runs_service.clock(run.id).elapsed()
            if wait > 0:
                source.advance(wait)
            roll = rng.random()
            if roll < 0.08:
                runs_service.skip(run.id, inject.id, note=_sentence(rng, 6))
            elif roll < 0.12:
                runs_service.defer(run.id, inject.id, minutes=5, note=_sentence(rng, 5))
            else:
                runs_service.release(run.id, inject.id, note=_sentence(rng, 5) if roll > 0.8 else "")
            if index % 50 == 25:
                runs_service.add_adhoc(run.id, _sentence(rng, 6), _text(rng, 80, 200))
            due = round(per_inject * (index + 1))
            while written < due:
                organisation = rng.choice(organisations)
                draft = LogDraft(kind=rng.choice(list(LogKind)), text=_text(rng, 60, 420),
                                 rationale=_text(rng, 0, 260), options_considered=_text(rng, 0, 120),
                                 actions=tuple(ActionItem(_sentence(rng, 5), organisation)
                                               for _ in range(rng.randint(0, 2))),
                                 decision_maker=f"{organisation} commander", organisation=organisation,
                                 logged_by=rng.choice(("Zoë Müller", "Jan Kowalski", "A. Dubois")),
                                 inject_id=inject.id)
                entry = log.append(run.id, draft, exercise_s=runs_service.clock(run.id).elapsed())
                written += 1
                if rng.random() < 0.06:
                    corrections.append(entry.entry_id)
                source.advance(rng.uniform(0.5, 3.0))
        for number, entry_id in enumerate(corrections):
            current = log.entry(entry_id).current
            if number % 6 == 5:
                log.withdraw(entry_id, reason=_sentence(rng, 6))
            else:
                log.correct(entry_id, LogDraft(kind=current.kind, text=current.text + " " + _sentence(rng, 8),
                                               rationale=current.rationale, decision_maker=current.decision_maker,
                                               organisation=current.organisation, logged_by=current.logged_by),
                            reason=_sentence(rng, 7))
        source.advance(max(0.0, duration - runs_service.clock(run.id).elapsed()))
        runs_service.end(run.id, "ENDEX")
        for objective in frozen.objectives:
            for _ in range(3):
                evaluation.add_observation(run.id, objective_id=objective.id, evaluator="Evaluator team",
                                           rating=rng.choice(list(Rating)), text=_text(rng, 80, 300),
                                           strengths=_text(rng, 0, 200), improvements=_text(rng, 0, 200),
                                           exercise_s=rng.uniform(0, duration))
        for kind in HotwashKind:
            for _ in range(6):
                evaluation.add_hotwash_note(run.id, kind, _text(rng, 40, 200), author="Players")
        for _ in range(20):
            evaluation.add_improvement_action(run.id, issue=_text(rng, 40, 120), action=_text(rng, 60, 200),
                                              capability_element=rng.choice(list(CapabilityElement)),
                                              owner_organisation=rng.choice(organisations), contact="Training lead",
                                              start_date=date(2028, 1, 10), due_date=date(2028, 6, 30))
    finally:
        document.close()


def generate_run(*, injects: int = INJECTS, entries: int = ENTRIES) -> Path:
    """The benchmark document (built once, about two minutes, then reused from ``bench/.work``)."""
    return cached("debrief", {"injects": injects, "entries": entries},
                  lambda target: _build_run(target, injects, entries))


def export_debrief(path: Path, out: Path, *, tagged: bool = False) -> int:
    """Open the document, assemble the latest run's debrief and write the PDF (the tagged PDF/UA-1 variant when
    ``tagged``); returns the log entry count."""
    from ctpn_desktop.core.report.accessible import render_debrief_accessible
    from ctpn_desktop.core.report.debrief_data import assemble_debrief
    from ctpn_desktop.core.report.pdf import render_debrief
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.runs import RunService

    with open_document(path) as document:
        from ctpn_desktop.core.clock import SystemTimeSource

        run = RunService(document, SystemTimeSource()).list_runs()[-1]
        data = assemble_debrief(document, run.id)
    (render_debrief_accessible if tagged else render_debrief)(data, out)
    return len(data.log)


def log_rows(path: Path) -> list[tuple[int, float, str, str, str]]:
    """The current revision of every entry: number, exercise time, decision maker, text, rationale."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT entry_number, exercise_s, decision_maker, text, rationale FROM log_record AS r "
            "WHERE revision = (SELECT max(revision) FROM log_record WHERE entry_id = r.entry_id) "
            "ORDER BY entry_number").fetchall()
    finally:
        connection.close()


def plain_table(rows: list[tuple[int, float, str, str, str]], out: Path) -> None:
    """The baseline: one reportlab Table of the same rows in a SimpleDocTemplate, default styles."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    style = getSampleStyleSheet()["BodyText"]
    data = [["No.", "Time", "Decision maker", "Entry"]]
    for number, seconds, maker, text, rationale in rows:
        data.append([str(number), f"{int(seconds) // 3600}:{int(seconds) % 3600 // 60:02d}", maker,
                     Paragraph(escape(text) + "<br/>" + escape(rationale), style)])
    table = Table(data, colWidths=[12 * mm, 18 * mm, 45 * mm, 95 * mm], repeatRows=1)
    SimpleDocTemplate(str(out), pagesize=A4).build([table])


def debrief_5000() -> Figure:
    """Median time to export the debrief PDF of a run with 500 injects and 5,000 log entries."""
    path = generate_run()
    rows = log_rows(path)
    if len(rows) != ENTRIES:
        raise BenchmarkUnavailable(f"{path.name}: holds {len(rows)} log entries, not {ENTRIES}")
    count = runs(3)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "debrief.pdf"
        plain = Path(folder) / "plain.pdf"
        exported = median(repeat(lambda: timed(lambda: export_debrief(path, out)), count))
        baseline = median(repeat(lambda: timed(lambda: plain_table(rows, plain)), count))
    return Figure("debrief_5000", exported, "s", baseline, f"plain reportlab Table of the same {ENTRIES} log rows")


def debrief_5000_accessible() -> Figure:
    """Median time to export the tagged (PDF/UA-1) debrief of the same run, against the same baseline."""
    path = generate_run()
    rows = log_rows(path)
    if len(rows) != ENTRIES:
        raise BenchmarkUnavailable(f"{path.name}: holds {len(rows)} log entries, not {ENTRIES}")
    count = runs(3)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "debrief.pdf"
        plain = Path(folder) / "plain.pdf"
        exported = median(repeat(lambda: timed(lambda: export_debrief(path, out, tagged=True)), count))
        baseline = median(repeat(lambda: timed(lambda: plain_table(rows, plain)), count))
    return Figure("debrief_5000_accessible", exported, "s", baseline,
                  f"plain reportlab Table of the same {ENTRIES} log rows")

"""Everything the debrief report shows, gathered from a document as plain frozen values.

`assemble_debrief` reads one run: the scenario as it was frozen when the run was created (so later edits in
the editor never rewrite the report), what happened to each inject, the decision log with every revision,
observations, hot wash notes, the improvement plan, and the integrity of the log. The renderer (`pdf.py`)
only lays these values out; nothing here knows about pages or fonts.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ctpn_desktop.core.clock import SystemTimeSource, TimeSource, format_elapsed
from ctpn_desktop.core.entities import (
    AdhocInject,
    ClockAnchor,
    EventType,
    EvidenceKind,
    ExecutiveSummary,
    HotwashKind,
    InjectEvent,
    InjectEventKind,
    LogEntry,
    Observation,
    Rating,
    RunInfo,
    Scenario,
)
from ctpn_desktop.core.report.analytics import ResponseAnalytics, response_analytics
from ctpn_desktop.core.services.chain_code import ChainSeal, chain_seal
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.replay import ReplayService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.syndicates import QuestionComparison, SyndicateService, compare_syndicates
from ctpn_desktop.storage import db


class Section(enum.StrEnum):
    """The optional parts of the report, in the order they are printed: the order of an HSEEP after-action report
    (overview, executive summary, analysis of objectives and capabilities), then the record of the run, then the
    appendices (improvement plan, participants) and the integrity statement."""

    OVERVIEW = "overview"
    OBJECTIVES = "objectives"
    SUMMARY = "summary"
    OBSERVATIONS = "observations"
    HOTWASH = "hotwash"
    RESPONSES = "responses"
    TIMELINE = "timeline"
    INJECTS = "injects"
    DECISIONS = "decisions"
    SYNDICATES = "syndicates"
    IMPROVEMENT = "improvement"
    PARTICIPANTS = "participants"
    INTEGRITY = "integrity"

    @property
    def heading(self) -> str:
        return SECTION_HEADINGS[self]


SECTION_HEADINGS = {
    Section.OVERVIEW: "Exercise overview",
    Section.OBJECTIVES: "Objectives",
    Section.SUMMARY: "Executive summary",
    Section.OBSERVATIONS: "Analysis of objectives and capabilities",
    Section.HOTWASH: "Hot wash",
    Section.RESPONSES: "Response analysis",
    Section.TIMELINE: "Timeline",
    Section.INJECTS: "Inject log",
    Section.DECISIONS: "Decision log",
    Section.SYNDICATES: "Syndicates",
    Section.IMPROVEMENT: "Appendix A: Improvement plan",
    Section.PARTICIPANTS: "Appendix B: Participants",
    Section.INTEGRITY: "Log integrity statement",
}

ALL_SECTIONS: frozenset[Section] = frozenset(Section)


@dataclass(frozen=True)
class DebriefOptions:
    sections: frozenset[Section] = ALL_SECTIONS
    include_controller_notes: bool = True
    marking_override: str | None = None
    organisation_name: str = ""
    logo_path: Path | None = None
    draft: bool = False

    def __post_init__(self) -> None:
        # Accept any iterable of sections or section names, kept as a frozenset of `Section`.
        object.__setattr__(self, "sections", frozenset(Section(s) for s in self.sections))


class InjectOutcome(enum.StrEnum):
    RELEASED = "released"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    HELD = "held"
    NOT_RELEASED = "not-released"

    @property
    def label(self) -> str:
        return {
            "released": "Released",
            "skipped": "Skipped",
            "deferred": "Deferred, not released",
            "held": "Held back (contingency)",
            "not-released": "Not released",
        }[self.value]


@dataclass(frozen=True)
class InjectLine:
    """One row of the inject log: what was planned and what happened in the run."""

    number: str
    title: str
    phase: str
    planned_s: int | None
    due_s: int | None
    """The effective due time after deferrals and re-times (None for ad-hoc injects)."""
    released_s: float | None
    released_wall: datetime | None
    outcome: InjectOutcome
    notes: tuple[str, ...] = ()
    """What the facilitator wrote when releasing, skipping or deferring, in order."""
    deferrals: int = 0
    delivery: str = ""
    recipients: str = ""
    controller_notes: str = ""
    adhoc: bool = False


@dataclass(frozen=True)
class PhaseLine:
    name: str
    start_s: int
    started_s: float | None = None


@dataclass(frozen=True)
class RoleLine:
    name: str
    level: str


@dataclass(frozen=True)
class ParticipantLine:
    name: str
    short_name: str
    kind: str
    roles: tuple[RoleLine, ...] = ()


@dataclass(frozen=True)
class ObjectiveLine:
    id: str
    code: str
    statement: str
    capability: str = ""


@dataclass(frozen=True)
class ObjectiveObservations:
    """The observations made against one objective (or against none, ``objective`` None)."""

    objective: ObjectiveLine | None
    observations: tuple[Observation, ...]

    @property
    def rating_counts(self) -> dict[Rating, int]:
        counts = {r: 0 for r in Rating}
        for observation in self.observations:
            if observation.rating is not None:
                counts[observation.rating] += 1
        return counts

    @property
    def overall(self) -> Rating | None:
        """The most severe rating given: a debrief errs on the side of the challenge."""
        given = [o.rating for o in self.observations if o.rating is not None]
        order = list(Rating)
        return max(given, key=order.index) if given else None


@dataclass(frozen=True)
class SyndicateLine:
    id: str
    name: str
    members: tuple[str, ...] = ()
    facilitator: str = ""
    note_taker: str = ""
    room: str = ""
    entries: int = 0
    """Log entries that are the syndicate's (withdrawn ones included: they stand in the record)."""
    answers: int = 0
    readbacks: int = 0

    @property
    def recorded(self) -> str:
        def count(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        return ", ".join((count(self.entries, "entry", "entries"), count(self.answers, "answer", "answers"),
                          count(self.readbacks, "read-back", "read-backs")))


@dataclass(frozen=True)
class Integrity:
    ok: bool
    records_checked: int
    chains: int
    problems: tuple[str, ...]
    first_bad_entry_number: int | None
    document_name: str
    document_sha256: str


@dataclass(frozen=True)
class DebriefData:
    title: str
    exercise_type: str
    planned_date: date | None
    venue: str
    organiser: str
    author: str
    version: str
    aim: str
    narrative: str
    threat: str
    scope: str
    marking: str
    run: RunInfo
    generated_at: datetime
    options: DebriefOptions
    objectives: tuple[ObjectiveLine, ...] = ()
    participants: tuple[ParticipantLine, ...] = ()
    phases: tuple[PhaseLine, ...] = ()
    injects: tuple[InjectLine, ...] = ()
    log: tuple[LogEntry, ...] = ()
    observations: tuple[ObjectiveObservations, ...] = ()
    hotwash: tuple[tuple[HotwashKind, tuple[HotwashNoteLine, ...]], ...] = ()
    improvements: tuple[ImprovementLine, ...] = ()
    integrity: Integrity | None = None
    summary: ExecutiveSummary | None = None
    responses: ResponseAnalytics = field(default_factory=ResponseAnalytics)
    seal: ChainSeal | None = None
    """The heads of the run's log chains: its code is printed at the foot of every page."""
    evidence_labels: dict[str, str] = field(default_factory=dict)
    """What the evidence an observation cites is called in the report (``entry 12``, ``inject 3``), by id."""
    withdrawn: tuple[WithdrawnLine, ...] = ()
    """Evaluation notes withdrawn after review, with the reasons: not counted, but not hidden either."""
    end_s: float = 0.0
    """Exercise time at which the run ended (or the latest thing recorded in it)."""
    objective_codes: dict[str, str] = field(default_factory=dict)
    clock_events: tuple[ClockAnchor, ...] = ()
    """STARTEX, pauses, halts (with their reasons), time adjustments and ENDEX, in order."""
    syndicates: tuple[SyndicateLine, ...] = ()
    syndicate_questions: tuple[QuestionComparison, ...] = ()
    """Every discussion question with each syndicate's answers and read-backs side by side."""
    entry_syndicates: dict[str, str] = field(default_factory=dict)
    """Entry id → the name of the syndicate it belongs to (entries of no syndicate are not listed)."""

    @property
    def sections(self) -> tuple[Section, ...]:
        """The chosen sections in print order; a run without syndicates has no Syndicates section."""
        return tuple(s for s in Section if s in self.options.sections
                     and (s is not Section.SYNDICATES or self.syndicates))

    @property
    def code(self) -> str:
        return self.seal.code if self.seal is not None else ""

    def evidence_of(self, observation: Observation) -> tuple[str, ...]:
        return tuple(self.evidence_labels.get(e.target_id, "a record not in this run") for e in observation.evidence)


@dataclass(frozen=True)
class HotwashNoteLine:
    text: str
    objective: str = ""
    author: str = ""
    revision: int = 1
    revised_at: datetime | None = None


@dataclass(frozen=True)
class WithdrawnLine:
    what: str
    """"Observation", "Hot wash note" or "Improvement action"."""
    text: str
    reason: str
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class ImprovementLine:
    issue: str
    action: str
    capability_element: str
    owner_organisation: str
    contact: str
    start_date: date | None
    due_date: date | None
    objective: str = ""
    revision: int = 1
    revised_at: datetime | None = None


def revision_note(revision: int, revised_at: datetime | None) -> str:
    """How the report says that a note was edited after it was first written ("" when it was not)."""
    if revision <= 1 or revised_at is None:
        return ""
    return f"Revised {revised_at.astimezone(UTC).strftime('%d %b %Y %H:%M')} UTC (version {revision})"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inject_lines(scenario: Scenario, events: list[InjectEvent], adhoc: Iterable[AdhocInject],
                  include_notes: bool) -> tuple[InjectLine, ...]:
    by_inject: dict[str, list[InjectEvent]] = {}
    for event in events:
        by_inject.setdefault(event.inject_id, []).append(event)
    lines: list[InjectLine] = []
    for inject in sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.position, i.number)):
        own = by_inject.get(inject.id, [])
        lines.append(_line(scenario, own, number=str(inject.number), title=inject.title,
                           phase=(p.name if (p := scenario.phase(inject.phase_id)) else ""),
                           planned_s=inject.planned_offset_s, delivery=inject.delivery_method.label,
                           recipients=", ".join(scenario.recipient_label(r) for r in inject.recipients),
                           controller_notes=inject.controller_notes if include_notes else "",
                           contingency=inject.event_type is EventType.CONTINGENCY))
    for row in sorted(adhoc, key=lambda r: r.number):
        own = by_inject.get(row.id, [])
        line = _line(scenario, own, number=f"A{row.number}", title=row.title,
                     phase=(p.name if (p := scenario.phase(row.phase_id)) else ""), planned_s=None,
                     delivery=row.delivery_method.label, recipients=row.recipients_text,
                     controller_notes="", contingency=False)
        if line.released_s is None and not own:
            # Written and given out live: its creation is its release unless the events say otherwise.
            line = InjectLine(**{**line.__dict__, "released_s": row.exercise_s,
                                 "released_wall": row.created_at, "outcome": InjectOutcome.RELEASED})
        lines.append(InjectLine(**{**line.__dict__, "adhoc": True}))
    return tuple(lines)


def _line(scenario: Scenario, events: list[InjectEvent], *, number: str, title: str, phase: str,
          planned_s: int | None, delivery: str, recipients: str, controller_notes: str,
          contingency: bool) -> InjectLine:
    due = planned_s
    released: InjectEvent | None = None
    skipped = False
    deferrals = 0
    for event in events:
        if event.kind in (InjectEventKind.DEFERRED, InjectEventKind.RETIMED):
            due = event.new_offset_s
            skipped = False
            deferrals += event.kind is InjectEventKind.DEFERRED
        elif event.kind is InjectEventKind.RELEASED and released is None:
            released = event
        elif event.kind is InjectEventKind.SKIPPED:
            skipped = True
    if released is not None:
        outcome = InjectOutcome.RELEASED
    elif skipped:
        outcome = InjectOutcome.SKIPPED
    elif deferrals:
        outcome = InjectOutcome.DEFERRED
    elif contingency:
        outcome = InjectOutcome.HELD
    else:
        outcome = InjectOutcome.NOT_RELEASED
    return InjectLine(number=number, title=title, phase=phase, planned_s=planned_s, due_s=due,
                      released_s=released.exercise_s if released else None,
                      released_wall=released.wall_time if released else None, outcome=outcome,
                      notes=tuple(e.note for e in events if e.note.strip()), deferrals=deferrals,
                      delivery=delivery, recipients=recipients, controller_notes=controller_notes)


def assemble_debrief(document: Document, run_id: str, options: DebriefOptions | None = None, *,
                     source: TimeSource | None = None) -> DebriefData:
    """Gather what the debrief of run ``run_id`` shows. Reads only; the document is not changed."""
    options = options or DebriefOptions()
    source = source or SystemTimeSource()
    runs = RunService(document, source)
    run = runs.run(run_id)
    scenario = runs.frozen_scenario(run_id)
    events = runs.events(run_id)
    log = LogService(document, device_id="debrief", source=source)
    entries = tuple(log.entries(run_id))
    report = log.verify(run_id)
    exercise = scenario.exercise
    objectives = tuple(ObjectiveLine(id=o.id, code=o.code, statement=o.statement, capability=o.capability)
                       for o in sorted(scenario.objectives, key=lambda o: o.position))
    codes = {o.id: o.code for o in objectives}

    evaluation = EvaluationService(document, source)
    adhoc = runs.adhoc_injects(run_id)
    every_observation = evaluation.observations(run_id, include_withdrawn=True)
    observations = [o for o in every_observation if not o.withdrawn]
    notes = evaluation.hotwash_notes(run_id, include_withdrawn=True)
    hotwash = [(note.kind, HotwashNoteLine(text=note.text, objective=codes.get(note.objective_id or "", ""),
                                           author=note.author, revision=note.revision, revised_at=note.revised_at))
               for note in notes if not note.withdrawn]
    every_action = evaluation.improvement_actions(run_id, include_withdrawn=True)
    actions = [a for a in every_action if not a.withdrawn]
    withdrawn = [WithdrawnLine("Observation", o.text, o.revision_reason, o.revised_at)
                 for o in every_observation if o.withdrawn]
    withdrawn += [WithdrawnLine("Hot wash note", n.text, n.revision_reason, n.revised_at) for n in notes if n.withdrawn]
    withdrawn += [WithdrawnLine("Improvement action", a.issue, a.revision_reason, a.revised_at)
                  for a in every_action if a.withdrawn]
    numbers = {e.entry_id: e.current.entry_number for e in entries}
    inject_numbers = {i.id: str(i.number) for i in scenario.injects} | {a.id: f"A{a.number}" for a in adhoc}
    labels = {}
    cited_bookmarks = any(c.kind is EvidenceKind.BOOKMARK for o in observations for c in o.evidence)
    bookmarks = ({b.id: b for b in ReplayService(document, source, runs).bookmarks(run_id)}
                 if cited_bookmarks else {})
    for observation in observations:
        for cited in observation.evidence:
            if cited.kind is EvidenceKind.LOG_ENTRY and cited.target_id in numbers:
                labels[cited.target_id] = f"entry {numbers[cited.target_id]}"
            elif cited.kind is EvidenceKind.INJECT and cited.target_id in inject_numbers:
                labels[cited.target_id] = f"inject {inject_numbers[cited.target_id]}"
            elif cited.kind is EvidenceKind.BOOKMARK and cited.target_id in bookmarks:
                mark = bookmarks[cited.target_id]
                labels[cited.target_id] = f"replay {format_elapsed(mark.exercise_s)} ({mark.label})"

    grouped: list[ObjectiveObservations] = []
    by_objective: dict[str | None, list[Observation]] = {}
    for observation in observations:
        key = observation.objective_id if observation.objective_id in codes else None
        by_objective.setdefault(key, []).append(observation)
    for objective in objectives:
        grouped.append(ObjectiveObservations(objective=objective,
                                             observations=tuple(by_objective.get(objective.id, ()))))
    unlinked = tuple(by_objective.get(None, ()))
    if unlinked:
        grouped.append(ObjectiveObservations(objective=None, observations=unlinked))

    phase_started = {e.inject_id: e.exercise_s for e in events if e.kind is InjectEventKind.PHASE_STARTED}
    phases = tuple(PhaseLine(name=p.name, start_s=p.start_offset_s, started_s=phase_started.get(p.id))
                   for p in sorted(scenario.phases, key=lambda p: (p.start_offset_s, p.position)))
    lines = _inject_lines(scenario, events, adhoc, options.include_controller_notes)
    times = [e.exercise_s for e in events] + [e.current.exercise_s for e in entries]
    times += [line.due_s or 0 for line in lines] + [p.start_s for p in phases]
    end_s = max(times, default=0.0)
    clock = runs.clock(run_id)
    if clock.anchors:
        end_s = max(end_s, clock.elapsed())

    syndicate_service = SyndicateService(document, source)
    syndicates = syndicate_service.syndicates(run_id)
    answers = syndicate_service.answers(run_id) if syndicates else []
    resolve = syndicate_service.resolver(run_id)
    names = {s.id: s.name for s in syndicates}
    entry_syndicates = {e.entry_id: names[owner] for e in entries
                        if (owner := resolve(e.current.syndicate_id, e.current.device_id)) in names}
    syndicate_lines = tuple(
        SyndicateLine(id=s.id, name=s.name, members=s.members, facilitator=s.facilitator, note_taker=s.note_taker,
                      room=s.room, entries=sum(1 for name in entry_syndicates.values() if name == s.name),
                      answers=sum(1 for a in answers if a.syndicate_id == s.id and a.kind.value == "answer"),
                      readbacks=sum(1 for a in answers if a.syndicate_id == s.id and a.kind.value == "readback"))
        for s in syndicates)
    questions = tuple(compare_syndicates(scenario.phases, syndicates, answers)) if syndicates else ()

    db.checkpoint(document.engine)
    integrity = Integrity(ok=report.ok, records_checked=report.records_checked, chains=report.chains,
                          problems=report.problems, first_bad_entry_number=report.first_bad_entry_number,
                          document_name=document.path.name, document_sha256=sha256_of(document.path))
    marking = (options.marking_override or exercise.marking or "OFFICIAL").strip().upper()
    return DebriefData(
        title=exercise.title, exercise_type=exercise.exercise_type.label, planned_date=exercise.planned_date,
        venue=exercise.venue, organiser=exercise.organiser, author=exercise.author, version=exercise.version,
        aim=exercise.aim, narrative=exercise.narrative, threat=exercise.threat, scope=exercise.scope,
        marking=marking, run=run, generated_at=source.wall().astimezone(UTC), options=options,
        objectives=objectives,
        participants=tuple(
            ParticipantLine(name=o.name, short_name=o.short_name, kind=o.kind.value,
                            roles=tuple(RoleLine(name=r.name, level=r.level.value)
                                        for r in sorted(o.roles, key=lambda r: r.position)))
            for o in sorted(scenario.organisations, key=lambda o: o.position)
        ),
        phases=phases, injects=lines, log=entries, observations=tuple(grouped),
        hotwash=tuple((kind, tuple(n for k, n in hotwash if k is kind)) for kind in HotwashKind
                      if any(k is kind for k, _ in hotwash)),
        improvements=tuple(
            ImprovementLine(issue=a.issue, action=a.action, capability_element=a.capability_element.value,
                            owner_organisation=a.owner_organisation, contact=a.contact, start_date=a.start_date,
                            due_date=a.due_date, objective=codes.get(a.objective_id or "", ""),
                            revision=a.revision, revised_at=a.revised_at)
            for a in actions
        ),
        integrity=integrity, summary=evaluation.executive_summary(run_id),
        responses=response_analytics(scenario, events, adhoc, entries), seal=chain_seal(document, run_id),
        evidence_labels=labels, withdrawn=tuple(withdrawn), end_s=float(end_s), objective_codes=codes,
        clock_events=tuple(clock.anchors),
        syndicates=syndicate_lines, syndicate_questions=questions, entry_syndicates=entry_syndicates,
    )

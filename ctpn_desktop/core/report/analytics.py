"""How fast the players responded: for each released inject, the time to the first log entry and the first decision
linked to it, per organisation; the injects that drew no response; decisions per stage of the Joint Decision Model.

Pure functions over what the services hand out (the frozen scenario, inject events, ad-hoc injects, log entries),
so the debrief, the HTML and the Debrief page all show the same figures. Only the current revision of an entry
counts (its inject link and organisation as corrected), withdrawn entries do not, and an entry logged before the
inject went out is not a response to it. Times are exercise seconds.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ctpn_desktop.core.entities import (
    AdhocInject,
    InjectEvent,
    InjectEventKind,
    JdmStage,
    LogEntry,
    LogKind,
    LogRevision,
    Scenario,
)

UNATTRIBUTED = "Unattributed"


@dataclass(frozen=True)
class OrganisationResponse:
    """How one organisation answered one inject: delays from the release, and how much it logged."""

    organisation: str
    first_entry_s: float
    first_decision_s: float | None
    entries: int
    decisions: int


@dataclass(frozen=True)
class InjectResponse:
    inject_id: str
    number: str
    title: str
    released_s: float
    recipients: tuple[str, ...]
    organisations: tuple[OrganisationResponse, ...]
    """Those that logged a response, the quickest first."""
    silent_recipients: tuple[str, ...] = ()
    """Intended recipients that logged nothing linked to the inject."""
    adhoc: bool = False

    @property
    def responded(self) -> bool:
        return bool(self.organisations)

    @property
    def first_entry_s(self) -> float | None:
        return min((o.first_entry_s for o in self.organisations), default=None)

    @property
    def first_decision_s(self) -> float | None:
        return min((o.first_decision_s for o in self.organisations if o.first_decision_s is not None), default=None)

    @property
    def first_responder(self) -> str:
        return self.organisations[0].organisation if self.organisations else ""

    @property
    def first_decider(self) -> str:
        timed = [o for o in self.organisations if o.first_decision_s is not None]
        return min(timed, key=lambda o: o.first_decision_s or 0.0).organisation if timed else ""


@dataclass(frozen=True)
class OrganisationFigures:
    """One organisation over the whole run."""

    organisation: str
    injects_answered: int
    median_first_entry_s: float
    median_first_decision_s: float | None
    slowest_first_entry_s: float
    decisions: int


@dataclass(frozen=True)
class StageCount:
    stage: JdmStage | None
    """None: decisions logged without a stage."""
    decisions: int

    @property
    def label(self) -> str:
        return f"{int(self.stage)} – {self.stage.label}" if self.stage else "Stage not recorded"


@dataclass(frozen=True)
class ResponseAnalytics:
    injects: tuple[InjectResponse, ...] = ()
    organisations: tuple[OrganisationFigures, ...] = ()
    stages: tuple[StageCount, ...] = ()
    decisions: int = 0

    @property
    def unanswered(self) -> tuple[InjectResponse, ...]:
        return tuple(i for i in self.injects if not i.responded)

    @property
    def answered(self) -> tuple[InjectResponse, ...]:
        return tuple(i for i in self.injects if i.responded)

    @property
    def median_first_entry_s(self) -> float | None:
        delays = [i.first_entry_s for i in self.injects if i.first_entry_s is not None]
        return statistics.median(delays) if delays else None

    @property
    def median_first_decision_s(self) -> float | None:
        delays = [i.first_decision_s for i in self.injects if i.first_decision_s is not None]
        return statistics.median(delays) if delays else None


@dataclass(frozen=True)
class _Released:
    inject_id: str
    number: str
    title: str
    released_s: float
    recipients: tuple[str, ...]
    aliases: tuple[frozenset[str], ...]
    """For each recipient, the names (casefolded) a log entry may give it by."""
    adhoc: bool


def _released(scenario: Scenario, events: Iterable[InjectEvent], adhoc: Iterable[AdhocInject]) -> list[_Released]:
    first_release: dict[str, float] = {}
    for event in events:
        if event.kind is InjectEventKind.RELEASED and event.inject_id not in first_release:
            first_release[event.inject_id] = event.exercise_s
    released: list[_Released] = []
    for inject in scenario.injects:
        if inject.id not in first_release:
            continue
        names: list[str] = []
        aliases: list[frozenset[str]] = []
        for recipient in inject.recipients:
            organisation = scenario.organisation(recipient.organisation_id)
            if organisation is None or organisation.display_name in names:
                continue
            names.append(organisation.display_name)
            aliases.append(frozenset(n.casefold() for n in (organisation.name, organisation.short_name) if n))
        released.append(_Released(inject.id, str(inject.number), inject.title, first_release[inject.id],
                                  tuple(names), tuple(aliases), adhoc=False))
    for written in adhoc:
        at = first_release.get(written.id, written.exercise_s)
        released.append(_Released(written.id, f"A{written.number}", written.title, at, (), (), adhoc=True))
    released.sort(key=lambda r: (r.released_s, r.adhoc, r.number))
    return released


def _organisation(revision: LogRevision) -> str:
    return revision.organisation.strip() or UNATTRIBUTED


def response_analytics(scenario: Scenario, events: Sequence[InjectEvent], adhoc: Sequence[AdhocInject],
                       entries: Sequence[LogEntry]) -> ResponseAnalytics:
    """The response figures of one run (see the module's description for what counts)."""
    live = [e.current for e in entries if not e.current.withdrawn]
    by_inject: dict[str, list[LogRevision]] = {}
    for revision in live:
        if revision.inject_id:
            by_inject.setdefault(revision.inject_id, []).append(revision)
    spelling: dict[str, str] = {}
    """Organisation names as first logged, by their casefolded form: "police" and "Police" are one."""
    for revision in sorted(live, key=lambda r: (r.exercise_s, r.entry_number)):
        spelling.setdefault(_organisation(revision).casefold(), _organisation(revision))

    responses: list[InjectResponse] = []
    for inject in _released(scenario, events, adhoc):
        answers: dict[str, list[LogRevision]] = {}
        for revision in by_inject.get(inject.inject_id, ()):
            if revision.exercise_s >= inject.released_s:
                answers.setdefault(_organisation(revision).casefold(), []).append(revision)
        organisations = []
        for key, revisions in answers.items():
            decisions = [r for r in revisions if r.kind is LogKind.DECISION]
            organisations.append(OrganisationResponse(
                organisation=spelling[key], first_entry_s=min(r.exercise_s for r in revisions) - inject.released_s,
                first_decision_s=(min(r.exercise_s for r in decisions) - inject.released_s) if decisions else None,
                entries=len(revisions), decisions=len(decisions)))
        organisations.sort(key=lambda o: (o.first_entry_s, o.organisation.casefold()))
        silent = tuple(name for name, aliases in zip(inject.recipients, inject.aliases, strict=True)
                       if not aliases & answers.keys())
        responses.append(InjectResponse(inject.inject_id, inject.number, inject.title, inject.released_s,
                                        inject.recipients, tuple(organisations), silent, inject.adhoc))

    figures: list[OrganisationFigures] = []
    decided = [r for r in live if r.kind is LogKind.DECISION]
    for key, name in spelling.items():
        mine = [o for response in responses for o in response.organisations if o.organisation.casefold() == key]
        if not mine:
            continue
        decision_delays = [o.first_decision_s for o in mine if o.first_decision_s is not None]
        figures.append(OrganisationFigures(
            organisation=name, injects_answered=len(mine),
            median_first_entry_s=statistics.median(o.first_entry_s for o in mine),
            median_first_decision_s=statistics.median(decision_delays) if decision_delays else None,
            slowest_first_entry_s=max(o.first_entry_s for o in mine),
            decisions=sum(1 for r in decided if _organisation(r).casefold() == key)))
    figures.sort(key=lambda f: (f.median_first_entry_s, f.organisation.casefold()))
    stages = [StageCount(stage, sum(1 for r in decided if r.jdm_stage is stage)) for stage in JdmStage]
    stages.append(StageCount(None, sum(1 for r in decided if r.jdm_stage is None)))
    return ResponseAnalytics(injects=tuple(responses), organisations=tuple(figures), stages=tuple(stages),
                             decisions=len(decided))


def format_delay(seconds: float | None) -> str:
    """A response delay as people read it: ``4 min 05 s``, ``1 h 02 min``; a dash when there was none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


__all__ = ["InjectResponse", "OrganisationFigures", "OrganisationResponse", "ResponseAnalytics", "StageCount",
           "format_delay", "response_analytics"]

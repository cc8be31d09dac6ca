"""What is wrong with a scenario as designed: the problems the editor's validation panel lists.

A pure function of one `Scenario` snapshot, so the editor can run it after every edit, the command line can
run it on a file, and tests need nothing but values. Each problem names the inject, phase or objective it is
about and the field to look at, so that clicking it in the panel can take the designer straight there.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from ctpn_desktop.core.entities import EventType, Inject, Organisation, Role, Scenario
from ctpn_desktop.core.io.msel_values import unread_time_in
from ctpn_desktop.core.memory import collector_paused

NEEDS_RECIPIENTS = frozenset({EventType.INJECT, EventType.CONTINGENCY})
"""Event types that are delivered to players; controller, player and actor actions need no recipient."""


class ProblemKind(enum.StrEnum):
    NO_RECIPIENTS = "no-recipients"
    MISSING_OBJECTIVE = "missing-objective"
    MISSING_RECIPIENT = "missing-recipient"
    MISSING_PHASE = "missing-phase"
    MISSING_DEPENDENCY = "missing-dependency"
    OUTSIDE_PHASE = "outside-phase"
    RECIPIENT_CLASH = "recipient-clash"
    EMPTY_PHASE = "empty-phase"
    UNEXERCISED_OBJECTIVE = "unexercised-objective"
    UNREAD_TIME = "unread-time"
    """An imported inject whose time in the spreadsheet could not be read and that has not been re-timed."""


class InjectField(enum.StrEnum):
    """The inject field a problem is about; the editor focuses the matching control."""

    RECIPIENTS = "recipients"
    OBJECTIVES = "objectives"
    PHASE = "phase"
    PLANNED = "planned"
    DEPENDS_ON = "depends-on"


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    message: str
    inject_id: str | None = None
    phase_id: str | None = None
    objective_id: str | None = None
    field: InjectField | None = None
    sort_key: tuple[int, int] = (0, 0)
    """MSEL order of what the problem is about, so the panel lists problems in the order people read the MSEL."""


_MSEL_ORDER = attrgetter("planned_offset_s", "position", "number")
"""An inject's place in the MSEL as planners read it (the key of `scenario.msel_order`)."""
_SORT_KEY = attrgetter("sort_key")


def _minutes(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours}:{minutes:02d}"


@collector_paused()
def validate(scenario: Scenario) -> tuple[Problem, ...]:
    """Every problem of ``scenario``, injects first in MSEL order, then phases, then objectives."""
    objectives = {o.id: o for o in scenario.objectives}
    organisations = {o.id: o for o in scenario.organisations}
    roles = {r.id: r for o in scenario.organisations for r in o.roles}
    phases = sorted(scenario.phases, key=lambda p: (p.start_offset_s, p.position))
    phase_end = {p.id: (phases[n + 1].start_offset_s if n + 1 < len(phases) else None) for n, p in enumerate(phases)}
    phase_by_id = {p.id: p for p in phases}
    inject_ids = {i.id for i in scenario.injects}
    ordered = sorted(scenario.injects, key=_MSEL_ORDER)
    problems: list[Problem] = []
    used_phases: set[str] = set()
    used_objectives: set[str] = set()
    by_minute: dict[tuple[int, str], list[tuple[Inject, str | None]]] = defaultdict(list)

    add = problems.append
    # Most injects have no problem of their own: their label and problems are made only when one is found.
    for order, inject in enumerate(ordered):
        recipients = inject.recipients
        if not recipients and inject.event_type in NEEDS_RECIPIENTS:
            add(Problem(ProblemKind.NO_RECIPIENTS, f"Inject {inject.number} has no recipients", inject.id, None,
                        None, InjectField.RECIPIENTS, (0, order)))
        for recipient in recipients:
            if recipient.organisation_id not in organisations or (
                    recipient.role_id is not None and recipient.role_id not in roles):
                add(Problem(ProblemKind.MISSING_RECIPIENT, f"Inject {inject.number} is addressed to an organisation "
                            "or role that no longer exists", inject.id, None, None, InjectField.RECIPIENTS,
                            (0, order)))
                break
        for objective_id in inject.objective_ids:
            if objective_id in objectives:
                used_objectives.add(objective_id)
            else:
                add(Problem(ProblemKind.MISSING_OBJECTIVE, f"Inject {inject.number} links to an objective that no "
                            "longer exists", inject.id, None, None, InjectField.OBJECTIVES, (0, order)))
        if inject.depends_on_id is not None and inject.depends_on_id not in inject_ids:
            add(Problem(ProblemKind.MISSING_DEPENDENCY, f"Inject {inject.number} depends on an inject that no "
                        "longer exists", inject.id, None, None, InjectField.DEPENDS_ON, (0, order)))
        planned = inject.planned_offset_s
        if inject.phase_id is not None:
            phase = phase_by_id.get(inject.phase_id)
            if phase is None:
                add(Problem(ProblemKind.MISSING_PHASE, f"Inject {inject.number} belongs to a phase that no longer "
                            "exists", inject.id, None, None, InjectField.PHASE, (0, order)))
            else:
                used_phases.add(phase.id)
                end = phase_end[phase.id]
                if planned < phase.start_offset_s:
                    add(Problem(ProblemKind.OUTSIDE_PHASE,
                                f"Inject {inject.number} is planned at {_minutes(planned)}, before its phase "
                                f"'{phase.name}' starts ({_minutes(phase.start_offset_s)})", inject.id, None, None,
                                InjectField.PLANNED, (0, order)))
                elif end is not None and planned >= end:
                    add(Problem(ProblemKind.OUTSIDE_PHASE,
                                f"Inject {inject.number} is planned at {_minutes(planned)}, after its phase "
                                f"'{phase.name}' ends ({_minutes(end)})", inject.id, None, None, InjectField.PLANNED,
                                (0, order)))
        if "(not read; placed at" in inject.controller_notes:
            unread = unread_time_in(inject.controller_notes)
            if unread is not None and unread[1] == planned:
                add(Problem(
                    ProblemKind.UNREAD_TIME,
                    f"Inject {inject.number}: its time in the imported spreadsheet, '{unread[0]}', could not be read, "
                    f"so it was placed at {_minutes(unread[1])}; set its planned time (or, if that time is right, "
                    "remove the line 'Time in the spreadsheet: …' from its controller notes)", inject.id, None, None,
                    InjectField.PLANNED, (0, order)))
        if recipients and inject.event_type is not EventType.CONTINGENCY:
            minute = planned // 60
            for recipient in recipients:
                by_minute[(minute, recipient.organisation_id)].append((inject, recipient.role_id))

    problems.extend(_clashes(by_minute, organisations, roles, {i.id: n for n, i in enumerate(ordered)}))
    for order, phase in enumerate(phases):
        if phase.id not in used_phases:
            problems.append(Problem(ProblemKind.EMPTY_PHASE, f"Phase '{phase.name}' has no injects",
                                    phase_id=phase.id, sort_key=(1, order)))
    for order, objective in enumerate(sorted(scenario.objectives, key=lambda o: o.position)):
        if objective.id not in used_objectives:
            problems.append(Problem(ProblemKind.UNEXERCISED_OBJECTIVE,
                                    f"Objective {objective.code} is not exercised by any inject",
                                    objective_id=objective.id, sort_key=(2, order)))
    problems.sort(key=_SORT_KEY)
    return tuple(problems)


def _clashes(by_minute: dict[tuple[int, str], list[tuple[Inject, str | None]]], organisations: dict[str, Organisation],
             roles: dict[str, Role], order: dict[str, int]) -> Iterable[Problem]:
    """Two injects reaching the same recipient in the same minute (an organisation reaches all its roles).

    A busy MSEL has thousands of these: the names and the minute are worked out once per minute and recipient.
    """
    reported: set[tuple[str, str]] = set()
    clash, planned = ProblemKind.RECIPIENT_CLASH, InjectField.PLANNED
    for (minute, organisation_id), entries in by_minute.items():
        if len(entries) < 2:
            continue
        organisation = organisations.get(organisation_id)
        reached = organisation.display_name if organisation is not None else "a recipient"
        when = _minutes(minute * 60)
        names: dict[str | None, str] = {}
        for n, (first, first_role) in enumerate(entries):
            for second, second_role in entries[n + 1:]:
                if first.id == second.id or (first_role is not None and second_role is not None
                                             and first_role != second_role):
                    continue
                role_id = first_role or second_role
                name = names.get(role_id)
                if name is None:
                    name = names[role_id] = (f"{reached} – {roles[role_id].name}"
                                             if role_id is not None and role_id in roles else reached)
                for inject, other in ((first, second), (second, first)):
                    pair = (inject.id, other.id)
                    if pair in reported:
                        continue
                    reported.add(pair)
                    yield Problem(clash, f"Inject {inject.number} reaches {name} in the same minute ({when}) as "
                                         f"inject {other.number}", inject.id, None, None, planned,
                                  (0, order[inject.id]))


def problems_by_inject(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.inject_id is not None:
            found[problem.inject_id].append(problem)
    return dict(found)

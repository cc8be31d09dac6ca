"""Putting an import preview into a scenario: a pure function from the old scenario to a new one.

Nothing is written here. The service that calls `apply_preview` stores the returned scenario in one
transaction, and only after the designer has confirmed the preview; until then the document is exactly as
it was. Names in the sheet (phases, organisations and roles, objectives) are matched to what the scenario
already has, ignoring case and spacing; what does not exist yet is created, and every creation or
renumbering is listed in `ImportOutcome.notes` so the designer can see it before confirming.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from ctpn_desktop.core.entities import (
    CommandLevel,
    Inject,
    Objective,
    Organisation,
    OrganisationKind,
    Phase,
    Recipient,
    Role,
    Scenario,
)
from ctpn_desktop.core.io.msel_parse import ImportPreview, ImportProblem, ParsedInject, Severity, phase_key
from ctpn_desktop.core.keys import make_key


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The scenario with the imported injects, and what the import created or changed on the way."""

    scenario: Scenario
    added: tuple[Inject, ...]
    created_organisations: tuple[str, ...] = ()
    created_roles: tuple[str, ...] = ()
    created_phases: tuple[str, ...] = ()
    created_objectives: tuple[str, ...] = ()
    notes: tuple[ImportProblem, ...] = ()
    renumbered: int = 0
    """Injects whose number in the spreadsheet was already taken (by the scenario or an earlier row)."""


def _match(text: str) -> str:
    return " ".join(re.sub(r"[\u2010-\u2015]", "-", text).casefold().split())


def _code_match(text: str) -> str:
    return re.sub(r"[\s._-]+", "", text.casefold())


@dataclass(slots=True)
class _Org:
    organisation: Organisation
    roles: list[Role] = field(default_factory=list)


class _Directory:
    """Organisations and roles of the scenario, growing as the import names new ones."""

    def __init__(self, organisations: tuple[Organisation, ...]) -> None:
        self.orgs = [_Org(o, list(o.roles)) for o in organisations]
        self.keys = {o.key for o in organisations}
        self.created: list[str] = []
        self.created_roles: list[str] = []

    def find(self, text: str) -> _Org | None:
        wanted = _match(text)
        for entry in self.orgs:
            o = entry.organisation
            if wanted in {_match(o.name), _match(o.short_name), _match(o.key)} - {""}:
                return entry
        return None

    def find_role(self, entry: _Org, text: str) -> Role | None:
        wanted = _match(text)
        return next((r for r in entry.roles if wanted in {_match(r.name), _match(r.key)}), None)

    def roles_named(self, text: str) -> list[tuple[_Org, Role]]:
        wanted = _match(text)
        return [(e, r) for e in self.orgs for r in e.roles if wanted in {_match(r.name), _match(r.key)}]

    def create(self, name: str) -> _Org:
        position = max((e.organisation.position for e in self.orgs), default=-1) + 1
        organisation = Organisation(id=str(uuid.uuid4()), key=make_key(name, self.keys, "org"), name=name,
                                    kind=OrganisationKind.AGENCY, position=position)
        entry = _Org(organisation)
        self.orgs.append(entry)
        self.created.append(name)
        return entry

    def create_role(self, entry: _Org, name: str) -> Role:
        keys = {r.key for r in entry.roles}
        position = max((r.position for r in entry.roles), default=-1) + 1
        role = Role(id=str(uuid.uuid4()), organisation_id=entry.organisation.id, key=make_key(name, keys,
                                                                                              "role"),
                    name=name, level=CommandLevel.OTHER, position=position)
        entry.roles.append(role)
        self.created_roles.append(f"{entry.organisation.display_name} – {name}")
        return role

    def recipient(self, text: str) -> Recipient:
        """An organisation, "Organisation – Role", or a role named on its own; created when unknown."""
        entry = self.find(text)
        if entry is not None:
            return Recipient(entry.organisation.id)
        roles = self.roles_named(text)
        if len(roles) == 1:
            return Recipient(roles[0][0].organisation.id, roles[0][1].id)
        for separator in (" \u2013 ", " \u2014 ", " - ", "/", ": "):
            if separator not in text:
                continue
            left, right = (part.strip() for part in text.split(separator, 1))
            if not left or not right:
                continue
            entry = self.find(left)
            if entry is None and separator.strip() in {"\u2013", "\u2014"}:
                entry = self.create(left)
            if entry is not None:
                role = self.find_role(entry, right) or self.create_role(entry, right)
                return Recipient(entry.organisation.id, role.id)
        return Recipient(self.create(text).organisation.id)

    def organisations(self) -> tuple[Organisation, ...]:
        return tuple(
            Organisation(id=e.organisation.id, key=e.organisation.key, name=e.organisation.name,
                         short_name=e.organisation.short_name, kind=e.organisation.kind,
                         position=e.organisation.position, roles=tuple(e.roles))
            for e in self.orgs
        )


class _Objectives:
    def __init__(self, objectives: tuple[Objective, ...]) -> None:
        self.items = list(objectives)
        self.codes = {o.code for o in objectives}
        self.created: list[str] = []

    def find(self, token: str) -> Objective | None:
        wanted = _code_match(token)
        for objective in self.items:
            if _code_match(objective.code) == wanted:
                return objective
        numbered = re.fullmatch(r"(?:o|obj|objective)?[\s.\-_]*(\d{1,3})", token.casefold())
        if numbered:
            wanted_number = int(numbered.group(1))
            same = [o for o in self.items
                    if (end := re.search(r"(\d+)$", o.code)) and int(end.group(1)) == wanted_number]
            if len(same) == 1:
                return same[0]
        statement = _match(token)
        return next((o for o in self.items if _match(o.statement) == statement), None)

    def resolve(self, token: str) -> tuple[Objective, bool]:
        found = self.find(token)
        if found is not None:
            return found, False
        looks_like_code = bool(re.fullmatch(r"[A-Za-z]{0,12}[\s.\-_]?\d{1,3}(?:\.\d{1,3})*[a-z]?", token))
        position = max((o.position for o in self.items), default=-1) + 1
        if looks_like_code:
            code = make_key(token.replace(" ", ""), self.codes, "O", lower=False)
            statement = f"Objective {token} (named in the imported MSEL; write its statement)"
        else:
            number = len(self.items) + 1
            while any(c.casefold() == f"o{number}" for c in self.codes):
                number += 1
            code = f"O{number}"
            self.codes.add(code)
            statement = token
        objective = Objective(id=str(uuid.uuid4()), code=code, statement=statement, position=position)
        self.items.append(objective)
        self.created.append(code)
        return objective, True


def merge_preview(scenario: Scenario, preview: ImportPreview) -> ImportOutcome:
    """The scenario with the preview's injects appended, and notes on everything created or renumbered."""
    notes: list[ImportProblem] = []

    def note(severity: Severity, parsed: ParsedInject, message: str) -> None:
        notes.append(ImportProblem(severity, message, parsed.sheet, parsed.row))

    directory = _Directory(scenario.organisations)
    objectives = _Objectives(scenario.objectives)
    phases = list(scenario.phases)
    phase_keys = {p.key for p in phases}
    created_phases: list[str] = []
    starts = {phase_key(p.name): p.start_offset_s for p in preview.phases if p.start_offset_s is not None}

    def phase_for(name: str) -> str | None:
        if not name:
            return None
        wanted = phase_key(name)
        for phase in phases:
            if wanted in {phase_key(phase.name), phase_key(phase.key)}:
                return phase.id
        offsets = [i.planned_offset_s for i in preview.injects if phase_key(i.phase) == wanted]
        start = starts.get(wanted, min(offsets, default=0))
        phase = Phase(id=str(uuid.uuid4()), key=make_key(name, phase_keys, "phase"), name=name,
                      start_offset_s=start, position=max((p.position for p in phases), default=-1) + 1)
        phases.append(phase)
        created_phases.append(name)
        return phase.id

    existing_numbers = {i.number for i in scenario.injects}
    kept: set[int] = set()
    for parsed in preview.injects:
        if parsed.number is not None and parsed.number not in existing_numbers and parsed.number not in kept:
            kept.add(parsed.number)
    next_number = max(existing_numbers | kept | {0}) + 1
    numbers: list[int] = []
    renumbered: set[int] = set()
    for index, parsed in enumerate(preview.injects):
        if parsed.number is not None and parsed.number in kept:
            kept.discard(parsed.number)
            numbers.append(parsed.number)
            continue
        numbers.append(next_number)
        if parsed.number is not None:
            renumbered.add(index)
            note(Severity.WARNING, parsed,
                 f"number {parsed.number} is already used; imported as {next_number}")
        elif parsed.source_ref:
            note(Severity.INFO, parsed, f"reference '{parsed.source_ref}' imported as number {next_number}")
        next_number += 1

    ids = [str(uuid.uuid4()) for _ in preview.injects]
    by_source = {p.number: ids[i] for i, p in enumerate(preview.injects) if p.number is not None}
    by_existing = {i.number: i.id for i in scenario.injects}
    position = max((i.position for i in scenario.injects), default=-1) + 1
    added: list[Inject] = []
    for index, parsed in enumerate(preview.injects):
        recipients: list[Recipient] = []
        if len(parsed.recipients) > 1 and directory.find(parsed.recipients_text) is not None:
            texts: tuple[str, ...] = (parsed.recipients_text,)
        else:
            texts = parsed.recipients
        for text in texts:
            recipient = directory.recipient(text)
            if recipient not in recipients:
                recipients.append(recipient)
        objective_ids: list[str] = []
        for token in parsed.objectives:
            objective, created = objectives.resolve(token)
            if created:
                note(Severity.INFO, parsed, f"objective '{token}' is new: created as {objective.code}")
            if objective.id not in objective_ids:
                objective_ids.append(objective.id)
        depends_on_id = None
        controller_notes = parsed.controller_notes
        if index in renumbered and "Source ref: " not in controller_notes:
            controller_notes = "\n".join(t for t in (controller_notes, f"Source ref: {parsed.number}") if t)
        if parsed.depends_on is not None:
            depends_on_id = by_source.get(parsed.depends_on) or by_existing.get(parsed.depends_on)
            if depends_on_id is None:
                note(Severity.WARNING, parsed,
                     f"depends on inject {parsed.depends_on}, which does not exist; "
                                               "kept in the controller notes")
                controller_notes = "\n".join(t for t in (controller_notes,
                                                         f"Depends on: {parsed.depends_on}") if t)
            elif depends_on_id == ids[index]:
                depends_on_id = None
        added.append(Inject(
            id=ids[index], number=numbers[index], title=parsed.title,
                planned_offset_s=parsed.planned_offset_s,
            position=position + index, phase_id=phase_for(parsed.phase), scenario_time=parsed.scenario_time,
            content=parsed.content, delivery_method=parsed.delivery_method, event_type=parsed.event_type,
            sender=parsed.sender, expected_actions=parsed.expected_actions, controller_notes=controller_notes,
            storyline=parsed.storyline, status=parsed.status, depends_on_id=depends_on_id,
            recipients=tuple(recipients), objective_ids=tuple(objective_ids),
        ))
    for name in directory.created:
        notes.append(ImportProblem(Severity.INFO, f"organisation '{name}' will be created"))
    for name in directory.created_roles:
        notes.append(ImportProblem(Severity.INFO, f"role '{name}' will be created"))
    for name in created_phases:
        notes.append(ImportProblem(Severity.INFO, f"phase '{name}' will be created"))
    new_scenario = Scenario(
        exercise=scenario.exercise,
        objectives=tuple(objectives.items),
        organisations=directory.organisations(),
        phases=tuple(phases),
        injects=scenario.injects + tuple(added),
    )
    return ImportOutcome(new_scenario, tuple(added), tuple(directory.created), tuple(directory.created_roles),
                         tuple(created_phases), tuple(objectives.created), tuple(notes), len(renumbered))


def apply_preview(scenario: Scenario, preview: ImportPreview) -> Scenario:
    """A new scenario with the imported injects appended; ``scenario`` itself is never changed."""
    return merge_preview(scenario, preview).scenario

"""The inject library: injects a designer keeps for reuse, in a per-user folder, one scenario JSON file each.

Every file is an ordinary scenario (format v1, without identities) holding one inject and what it refers to: the
organisations and roles it is sent to and the objectives it exercises, under the title, threat and marking of the
exercise it was saved from. So a library item can be copied, mailed on a USB stick, opened with
`ctpn-desktop validate` or made into an exercise of its own, and `export` puts any choice of items into one file.

Putting items into another exercise (`prepare_insertion`) gives them new numbers, identities and times, matches
their recipients to the exercise's organisations and roles (by key, then by name), creates those it lacks, and
keeps an objective link only where the exercise has the same objective (same code and statement).
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ctpn_desktop.core.entities import (
    DeliveryMethod,
    Exercise,
    ExerciseType,
    Inject,
    InjectStatus,
    Objective,
    Organisation,
    Recipient,
    Role,
    Scenario,
)
from ctpn_desktop.core.errors import CtpnError, ScenarioFormatError
from ctpn_desktop.core.io.scenario_json import dumps, from_scenario, read_scenario_file

SUFFIX = ".json"
MAX_ITEMS = 5000
"""A folder holding more files than this is read only up to here (the rest are reported, not lost)."""


class LibraryError(CtpnError):
    """The library folder or one of its files cannot be written."""


@dataclass(frozen=True)
class LibraryInject:
    """One inject of the library, with the scenario file it lives in."""

    path: Path
    source: Scenario
    blobs: dict[str, bytes] = field(repr=False)

    @property
    def inject(self) -> Inject:
        return self.source.injects[0]

    @property
    def title(self) -> str:
        return self.inject.title

    @property
    def threat(self) -> str:
        return self.source.exercise.threat

    @property
    def saved_from(self) -> str:
        return self.source.exercise.title

    @property
    def marking(self) -> str:
        return self.source.exercise.marking

    @property
    def method(self) -> DeliveryMethod:
        return self.inject.delivery_method

    @property
    def organisations(self) -> tuple[str, ...]:
        """The names of the organisations it is sent to, as saved."""
        names: list[str] = []
        for recipient in self.inject.recipients:
            organisation = self.source.organisation(recipient.organisation_id)
            if organisation is not None and organisation.name not in names:
                names.append(organisation.name)
        return tuple(names)

    @property
    def recipients_text(self) -> str:
        return "; ".join(self.source.recipient_label(r) for r in self.inject.recipients)

    def words(self) -> str:
        """Everything a search looks in, folded for comparison."""
        inject = self.inject
        short = [o.short_name for o in self.source.organisations]
        return fold(" ".join((inject.title, inject.content, inject.sender, inject.storyline, inject.expected_actions,
                              self.threat, self.saved_from, " ".join(self.organisations), " ".join(short))))


def fold(text: str) -> str:
    """Case and accents folded, so "cafe" finds "Café" and "LODZ" finds "Łódź"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l").replace("ø", "o"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search(items: Iterable[LibraryInject], query: str = "", *, threat: str = "", organisation: str = "",
           method: DeliveryMethod | None = None) -> list[LibraryInject]:
    """Items that have every word of ``query`` (anywhere), of ``threat`` (in the threat or the exercise it came
    from) and of ``organisation`` (in a recipient organisation or the sender), sent by ``method`` if given."""
    words = fold(query).split()
    threat_words = fold(threat).split()
    organisation_words = fold(organisation).split()
    found = []
    for item in items:
        if method is not None and item.method is not method:
            continue
        if words and not all(w in item.words() for w in words):
            continue
        threat_text = fold(f"{item.threat} {item.saved_from}")
        if threat_words and not all(w in threat_text for w in threat_words):
            continue
        short = [o.short_name for o in item.source.organisations
                 if any(r.organisation_id == o.id for r in item.inject.recipients)]
        organisation_text = fold(" ".join((*item.organisations, *short, item.inject.sender)))
        if organisation_words and not all(w in organisation_text for w in organisation_words):
            continue
        found.append(item)
    return found


def facets(items: Iterable[LibraryInject]) -> tuple[list[str], list[str]]:
    """The threats and the recipient organisations the library holds, for the picker's lists."""
    threats: dict[str, str] = {}
    organisations: dict[str, str] = {}
    for item in items:
        if item.threat.strip():
            threats.setdefault(fold(item.threat), item.threat.strip())
        for name in item.organisations:
            organisations.setdefault(fold(name), name)
    return sorted(threats.values(), key=fold), sorted(organisations.values(), key=fold)


def _slug(text: str) -> str:
    plain = fold(text)
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:48] or "inject"


def extract(scenario: Scenario, inject: Inject) -> Scenario:
    """The scenario a library file holds for ``inject``: it alone, with the organisations, roles and objectives it
    names, under the exercise's title, threat and marking. Its dependency and phase are left behind."""
    organisation_ids = {r.organisation_id for r in inject.recipients}
    role_ids = {r.role_id for r in inject.recipients if r.role_id}
    organisations = tuple(replace(o, roles=tuple(r for r in o.roles if r.id in role_ids))
                          for o in scenario.organisations if o.id in organisation_ids)
    objectives = tuple(o for o in scenario.objectives if o.id in inject.objective_ids)
    source = scenario.exercise
    exercise = Exercise(id=str(uuid.uuid4()), title=source.title, exercise_type=source.exercise_type,
                        marking=source.marking, threat=source.threat, organiser=source.organiser,
                        author=source.author, version=source.version)
    kept = replace(inject, number=1, position=0, phase_id=None, depends_on_id=None,
                   objective_ids=tuple(o.id for o in objectives))
    return Scenario(exercise=exercise, objectives=objectives, organisations=organisations, injects=(kept,))


class InjectLibrary:
    """A folder of library files; reading never stops at a broken file, writing never leaves half a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def load(self) -> tuple[list[LibraryInject], list[str]]:
        """The items, by title, and a line for every file that could not be read (left where it is)."""
        items: list[LibraryInject] = []
        problems: list[str] = []
        if not self.folder.is_dir():
            return items, problems
        paths = sorted(p for p in self.folder.iterdir() if p.suffix.lower() == SUFFIX and p.is_file()
                       and not p.name.startswith("."))
        for path in paths[MAX_ITEMS:]:
            problems.append(f"{path.name}: not read, the library holds more than {MAX_ITEMS} files")
        for path in paths[:MAX_ITEMS]:
            try:
                scenario, blobs = read_scenario_file(path)
            except ScenarioFormatError as error:
                first = error.problems[0] if error.problems else ("(document)", "unreadable")
                problems.append(f"{path.name}: {first[0]}: {first[1]}")
                continue
            if len(scenario.injects) != 1:
                problems.append(f"{path.name}: holds {len(scenario.injects)} injects; a library file holds one")
                continue
            items.append(LibraryInject(path=path, source=scenario, blobs=blobs))
        items.sort(key=lambda item: (fold(item.title), item.path.name))
        return items, problems

    def save(self, scenario: Scenario, injects: Sequence[Inject], blobs: dict[str, bytes]) -> list[Path]:
        """Write one library file for each of ``injects`` (with their attachments); returns the files written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LibraryError(f"{self.folder}: the inject library folder cannot be made ({error.strerror})") from error
        written: list[Path] = []
        try:
            for inject in injects:
                extracted = extract(scenario, inject)
                own = {a.id: blobs[a.id] for a in inject.attachments}
                text = dumps(from_scenario(extracted, own, with_ids=False))
                path = self.folder / f"{_slug(inject.title)}-{uuid.uuid4().hex[:8]}{SUFFIX}"
                temporary = path.with_name(f".{path.name}.partial")
                temporary.write_text(text, encoding="utf-8")
                os.replace(temporary, path)
                written.append(path)
        except OSError as error:
            for path in written:
                path.unlink(missing_ok=True)
            raise LibraryError(f"{self.folder}: the injects could not be saved to the library ({error.strerror}); "
                               "none was kept") from error
        return written

    def remove(self, items: Iterable[LibraryInject]) -> int:
        removed = 0
        for item in items:
            try:
                item.path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
            except OSError as error:
                raise LibraryError(f"{item.path.name}: cannot be removed from the library ({error.strerror})") \
                    from error
        return removed

    @staticmethod
    def export(items: Sequence[LibraryInject], path: Path, title: str = "Inject library") -> Path:
        """One scenario JSON file holding ``items`` (numbered 1, 2, 3 …), their organisations and objectives."""
        organisations: dict[str, Organisation] = {}
        objectives: dict[tuple[str, str], Objective] = {}
        injects: list[Inject] = []
        blobs: dict[str, bytes] = {}
        for number, item in enumerate(items, start=1):
            org_ids: dict[str, str] = {}
            role_ids: dict[str, str] = {}
            for organisation in item.source.organisations:
                merged = organisations.get(organisation.key)
                if merged is None:
                    merged = replace(organisation, roles=())
                roles = list(merged.roles)
                for role in organisation.roles:
                    same = next((r for r in roles if r.key == role.key), None)
                    if same is None:
                        same = replace(role, organisation_id=merged.id)
                        roles.append(same)
                    role_ids[role.id] = same.id
                organisations[organisation.key] = replace(merged, roles=tuple(roles))
                org_ids[organisation.id] = merged.id
            codes: dict[str, str] = {}
            for objective in item.source.objectives:
                key = (objective.code, objective.statement)
                if key not in objectives:
                    code = objective.code
                    while any(o.code == code for o in objectives.values()):
                        code = f"{code}-{number}"
                    objectives[key] = replace(objective, code=code)
                codes[objective.id] = objectives[key].id
            inject = item.inject
            injects.append(replace(inject, number=number, position=number,
                                   recipients=tuple(Recipient(org_ids[r.organisation_id],
                                                              role_ids.get(r.role_id) if r.role_id else None)
                                                    for r in inject.recipients),
                                   objective_ids=tuple(codes[o] for o in inject.objective_ids if o in codes)))
            blobs.update(item.blobs)
        exercise = Exercise(id=str(uuid.uuid4()), title=title, exercise_type=ExerciseType.TABLE_TOP,
                            marking=_highest_marking(item.marking for item in items),
                            threat="; ".join(dict.fromkeys(i.threat for i in items if i.threat.strip())))
        scenario = Scenario(exercise=exercise, objectives=tuple(objectives.values()),
                            organisations=tuple(organisations.values()), injects=tuple(injects))
        path = Path(path)
        temporary = path.with_name(f".{path.name}.partial")
        try:
            temporary.write_text(dumps(from_scenario(scenario, blobs, with_ids=False)), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise LibraryError(f"{path}: the library could not be exported ({error.strerror})") from error
        return path


_MARKING_ORDER = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")


def _highest_marking(markings: Iterable[str]) -> str:
    """The most protective of the items' markings (an unknown caveat counts above OFFICIAL-SENSITIVE)."""
    best = "OFFICIAL"
    for marking in markings:
        rank = _MARKING_ORDER.index(marking) if marking in _MARKING_ORDER else 1.5
        best_rank = _MARKING_ORDER.index(best) if best in _MARKING_ORDER else 1.5
        if rank > best_rank:
            best = marking
    return best


@dataclass(frozen=True)
class Insertion:
    """What putting library items into an exercise stores: new injects, and the organisations made or grown."""

    injects: tuple[Inject, ...]
    added_organisations: tuple[Organisation, ...] = ()
    grown_organisations: tuple[Organisation, ...] = ()
    """Organisations of the exercise given roles the items are sent to (as they will be stored)."""
    blobs: dict[str, bytes] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()


def prepare_insertion(target: Scenario, items: Sequence[LibraryInject], *, first_number: int,
                      planned_offset_s: int, phase_id: str | None, position: int) -> Insertion:
    """The injects ``items`` become in ``target``, at ``planned_offset_s`` in phase ``phase_id`` (pure: nothing is
    stored). Scenario times are left to the phase; dependencies are not carried."""
    organisations = {o.id: o for o in target.organisations}
    added: dict[str, Organisation] = {}
    grown: dict[str, Organisation] = {}
    keys = {o.key for o in target.organisations}
    next_position = max((o.position for o in target.organisations), default=-1) + 1
    notes: list[str] = []
    injects: list[Inject] = []
    blobs: dict[str, bytes] = {}

    def find(source: Organisation) -> Organisation | None:
        pool = [*organisations.values(), *added.values()]
        pool = [grown.get(o.id, o) for o in pool]
        for test in (lambda o: o.key == source.key, lambda o: fold(o.name) == fold(source.name),
                     lambda o: bool(source.short_name) and fold(o.short_name) == fold(source.short_name)):
            match = next((o for o in pool if test(o)), None)
            if match is not None:
                return match
        return None

    for offset, item in enumerate(items):
        source = item.source
        inject = item.inject
        recipients: list[Recipient] = []
        for recipient in inject.recipients:
            wanted = source.organisation(recipient.organisation_id)
            if wanted is None:
                continue
            match = find(wanted)
            if match is None:
                key = wanted.key
                while key in keys:
                    key = f"{wanted.key}-{len(keys)}"
                keys.add(key)
                match = Organisation(id=str(uuid.uuid4()), key=key, name=wanted.name, short_name=wanted.short_name,
                                     kind=wanted.kind, position=next_position)
                next_position += 1
                added[match.id] = match
                notes.append(f"{wanted.name} was added to the organisations")
            role_id = None
            if recipient.role_id:
                wanted_role = source.role(recipient.role_id)
                role = next((r for r in match.roles if wanted_role is not None and
                             (r.key == wanted_role.key or fold(r.name) == fold(wanted_role.name))), None)
                if role is None and wanted_role is not None:
                    role_keys = {r.key for r in match.roles}
                    key = wanted_role.key
                    while key in role_keys:
                        key = f"{wanted_role.key}-{len(role_keys)}"
                    role = Role(id=str(uuid.uuid4()), organisation_id=match.id, key=key, name=wanted_role.name,
                                level=wanted_role.level, position=len(match.roles))
                    match = replace(match, roles=(*match.roles, role))
                    if match.id in added:
                        added[match.id] = match
                    else:
                        grown[match.id] = match
                        notes.append(f"{wanted_role.name} was added to the roles of {match.name}")
                role_id = role.id if role is not None else None
            if all((r.organisation_id, r.role_id) != (match.id, role_id) for r in recipients):
                recipients.append(Recipient(match.id, role_id))
        objective_ids = []
        for objective_id in inject.objective_ids:
            objective = source.objective(objective_id)
            same = next((o for o in target.objectives if objective is not None and o.code == objective.code
                         and fold(o.statement) == fold(objective.statement)), None)
            if same is not None:
                objective_ids.append(same.id)
            elif objective is not None:
                notes.append(f"inject “{inject.title}”: its objective {objective.code} is not one of this "
                             "exercise's; link it to yours")
        attachments = tuple(replace(a, id=str(uuid.uuid4())) for a in inject.attachments)
        for old, new in zip(inject.attachments, attachments, strict=True):
            blobs[new.id] = item.blobs[old.id]
        injects.append(replace(inject, id=str(uuid.uuid4()), number=first_number + offset, position=position,
                               planned_offset_s=planned_offset_s, scenario_time=None, phase_id=phase_id,
                               depends_on_id=None, recipients=tuple(recipients), objective_ids=tuple(objective_ids),
                               attachments=attachments, status=InjectStatus.DRAFT))
    return Insertion(injects=tuple(injects), added_organisations=tuple(added.values()),
                     grown_organisations=tuple(grown.values()), blobs=blobs, notes=tuple(dict.fromkeys(notes)))

"""The JSON scenario format, version 1: the library's format and the way scenarios travel as text.

The typed models below are the specification; `docs/scenario-format.md` explains them and
`docs/scenario-v1.schema.json` is generated from them. Errors name the path of the offending field,
for example ``injects[3].objectives[0]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from ctpn_desktop.core.entities import (
    AgendaItem,
    AgendaKind,
    AttachmentInfo,
    CommandLevel,
    DeliveryMethod,
    EventType,
    Exercise,
    ExerciseType,
    Inject,
    InjectStatus,
    Objective,
    Organisation,
    OrganisationKind,
    Phase,
    PlannedSyndicate,
    Programme,
    ProgrammeSession,
    Recipient,
    Role,
    Scenario,
    Speaker,
)
from ctpn_desktop.core.errors import ScenarioFormatError

FORMAT_NAME = "ctpn-scenario"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 200 * 1024 * 1024

_OFFSET_RE = re.compile(r"^(-)?(\d+):([0-5]\d)(?::([0-5]\d))?$")
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
LongText = Annotated[str, Field(max_length=1_000_000)]


def parse_offset(text: str) -> int:
    """Seconds from STARTEX for ``H:MM`` or ``H:MM:SS`` (a leading ``-`` for before STARTEX)."""
    match = _OFFSET_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time offset like 1:15 or 01:15:30")
    sign, hours, minutes, seconds = match.groups()
    total = int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    return -total if sign else total


def format_offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


Offset = Annotated[str, AfterValidator(lambda v: format_offset(parse_offset(v)))]
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str) -> time:
    """A time of day in the programme, ``HH:MM`` on the 24-hour clock."""
    match = _CLOCK_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time of day like 09:30 or 14:05")
    return time(int(match[1]), int(match[2]))


def format_clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


ClockTime = Annotated[str, AfterValidator(lambda v: format_clock(parse_clock(v)))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=False)


class ExerciseModel(_Strict):
    title: NonEmpty
    type: ExerciseType = ExerciseType.TABLE_TOP
    aim: LongText = ""
    narrative: LongText = ""
    venue: str = ""
    planned_date: date | None = None
    planned_duration_minutes: int = Field(default=0, ge=0, le=60 * 24 * 14)
    marking: NonEmpty = "OFFICIAL"
    organiser: str = ""
    author: str = ""
    version: str = "1"
    threat: str = ""
    scope: str = ""


class ObjectiveModel(_Strict):
    id: uuid.UUID | None = None
    code: Key
    statement: NonEmpty
    capability: str = ""


class RoleModel(_Strict):
    id: uuid.UUID | None = None
    key: Key
    name: NonEmpty
    level: CommandLevel = CommandLevel.OTHER


class OrganisationModel(_Strict):
    id: uuid.UUID | None = None
    key: Key
    name: NonEmpty
    short_name: str = ""
    kind: OrganisationKind = OrganisationKind.AGENCY
    roles: list[RoleModel] = Field(default_factory=list)


class PhaseModel(_Strict):
    id: uuid.UUID | None = None
    key: Key
    name: NonEmpty
    start_offset: Offset = "0:00:00"
    scenario_start: datetime | None = None
    narrative: LongText = ""
    discussion_questions: list[NonEmpty] = Field(default_factory=list)


class AttachmentModel(_Strict):
    id: uuid.UUID | None = None
    filename: NonEmpty
    media_type: str = "application/octet-stream"
    data_base64: str

    @field_validator("filename")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {".", ".."} or "\x00" in value:
            raise ValueError("must be a plain file name without folders")
        return value

    @field_validator("data_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("is not valid base64") from error
        return value


class InjectModel(_Strict):
    id: uuid.UUID | None = None
    number: int = Field(ge=1, le=999_999)
    phase: Key | None = None
    planned_offset: Offset
    scenario_time: datetime | None = None
    title: NonEmpty
    content: LongText = ""
    delivery_method: DeliveryMethod = DeliveryMethod.VERBAL
    event_type: EventType = EventType.INJECT
    sender: str = ""
    recipients: list[Annotated[str, StringConstraints(min_length=1)]] = Field(default_factory=list)
    expected_actions: LongText = ""
    objectives: list[Key] = Field(default_factory=list)
    controller_notes: LongText = ""
    storyline: str = ""
    status: InjectStatus = InjectStatus.DRAFT
    depends_on: int | None = None
    attachments: list[AttachmentModel] = Field(default_factory=list)


class SpeakerModel(_Strict):
    key: Key
    name: NonEmpty
    role: str = ""
    organisation: str = ""
    biography: LongText = ""


class AgendaItemModel(_Strict):
    start: ClockTime
    end: ClockTime | None = None
    title: NonEmpty
    kind: AgendaKind = AgendaKind.OTHER
    speakers: list[Key] = Field(default_factory=list)
    location: str = ""
    description: LongText = ""


class SessionModel(_Strict):
    title: NonEmpty
    day: date | None = None
    location: str = ""
    chair: str = ""
    items: list[AgendaItemModel] = Field(default_factory=list)


class PlannedSyndicateModel(_Strict):
    name: NonEmpty
    room: str = ""
    facilitator: str = ""
    note_taker: str = ""
    members: list[NonEmpty] = Field(default_factory=list)


class ProgrammeModel(_Strict):
    """The exercise programme for participants (an optional addition to version 1)."""

    introduction: LongText = ""
    venue_details: LongText = ""
    contact: str = ""
    notes: LongText = ""
    sessions: list[SessionModel] = Field(default_factory=list)
    speakers: list[SpeakerModel] = Field(default_factory=list)
    syndicates: list[PlannedSyndicateModel] = Field(default_factory=list)


class ScenarioFile(_Strict):
    format: Literal["ctpn-scenario"]
    version: int
    exercise: ExerciseModel
    objectives: list[ObjectiveModel] = Field(default_factory=list)
    organisations: list[OrganisationModel] = Field(default_factory=list)
    phases: list[PhaseModel] = Field(default_factory=list)
    injects: list[InjectModel] = Field(default_factory=list)
    programme: ProgrammeModel | None = None


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


def _problems_from(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        problems.append((_path(loc), item["msg"]))
    return problems


def _cross_references(model: ScenarioFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []

    def unique(items: list[Any], attr: str, where: str) -> set[Any]:
        seen: set[Any] = set()
        for index, item in enumerate(items):
            value = getattr(item, attr)
            if value in seen:
                problems.append((f"{where}[{index}].{attr}", f"duplicate {attr} {value!r}"))
            seen.add(value)
        return seen

    codes = unique(model.objectives, "code", "objectives")
    org_keys = unique(model.organisations, "key", "organisations")
    phase_keys = unique(model.phases, "key", "phases")
    numbers = unique(model.injects, "number", "injects")
    roles = {(o.key, r.key) for o in model.organisations for r in o.roles}
    for o_index, organisation in enumerate(model.organisations):
        unique(organisation.roles, "key", f"organisations[{o_index}].roles")
    for index, inject in enumerate(model.injects):
        where = f"injects[{index}]"
        if inject.phase is not None and inject.phase not in phase_keys:
            problems.append((f"{where}.phase", f"unknown phase {inject.phase!r}"))
        for r_index, recipient in enumerate(inject.recipients):
            org_key, _, role_key = recipient.partition("/")
            if org_key not in org_keys:
                problems.append((f"{where}.recipients[{r_index}]", f"unknown organisation {org_key!r}"))
            elif role_key and (org_key, role_key) not in roles:
                problems.append(
                    (f"{where}.recipients[{r_index}]", f"unknown role {role_key!r} of {org_key!r}")
                )
        for j_index, code in enumerate(inject.objectives):
            if code not in codes:
                problems.append((f"{where}.objectives[{j_index}]", f"unknown objective {code!r}"))
        if inject.depends_on is not None and inject.depends_on not in numbers:
            problems.append((f"{where}.depends_on", f"no inject numbered {inject.depends_on}"))
        if inject.depends_on == inject.number:
            problems.append((f"{where}.depends_on", "an inject cannot depend on itself"))
    if model.programme is not None:
        problems.extend(_programme_references(model.programme))
    return problems


def _programme_references(programme: ProgrammeModel) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    keys: set[str] = set()
    for index, speaker in enumerate(programme.speakers):
        if speaker.key in keys:
            problems.append((f"programme.speakers[{index}].key", f"duplicate key {speaker.key!r}"))
        keys.add(speaker.key)
    names: set[str] = set()
    for index, syndicate in enumerate(programme.syndicates):
        if syndicate.name.casefold() in names:
            problems.append((f"programme.syndicates[{index}].name", f"duplicate syndicate {syndicate.name!r}"))
        names.add(syndicate.name.casefold())
    for s_index, session in enumerate(programme.sessions):
        for i_index, item in enumerate(session.items):
            where = f"programme.sessions[{s_index}].items[{i_index}]"
            if item.end is not None and parse_clock(item.end) < parse_clock(item.start):
                problems.append((f"{where}.end", f"ends at {item.end}, before it starts at {item.start}"))
            for k_index, key in enumerate(item.speakers):
                if key not in keys:
                    problems.append((f"{where}.speakers[{k_index}]", f"unknown speaker {key!r}"))
    return problems


def parse_scenario_text(raw: bytes | str, source: str = "scenario") -> ScenarioFile:
    """Validate a scenario document; every problem found is reported at once with its field path."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise ScenarioFormatError(source, [("(document)", "file is larger than 200 MB")])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ScenarioFormatError(
                source, [("(document)", f"not UTF-8 text (invalid byte at offset {error.start})")]
            ) from error
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ScenarioFormatError(
            source,
            [("(document)", f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")],
        ) from error
    except RecursionError as error:
        raise ScenarioFormatError(source, [("(document)", "JSON nested too deeply")]) from error
    if not isinstance(data, dict):
        raise ScenarioFormatError(source, [("(document)", "must be a JSON object")])
    if data.get("format") != FORMAT_NAME:
        raise ScenarioFormatError(
            source, [("format", f"must be {FORMAT_NAME!r}: this is not a CTPN scenario")]
        )
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ScenarioFormatError(source, [("version", "must be an integer")])
    if version > FORMAT_VERSION:
        raise ScenarioFormatError(
            source,
            [("version", f"version {version} is newer than this application reads ({FORMAT_VERSION})")],
        )
    if version < 1:
        raise ScenarioFormatError(source, [("version", "must be 1 or more")])
    try:
        model = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise ScenarioFormatError(source, _problems_from(error)) from None
    problems = _cross_references(model)
    if problems:
        raise ScenarioFormatError(source, problems)
    return model


def read_scenario_file(path: Path) -> tuple[Scenario, dict[str, bytes]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioFormatError(str(path), [("(document)", "file is larger than 200 MB")])
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioFormatError(str(path), [("(document)", f"cannot be read: {error.strerror}")]) from error
    return to_scenario(parse_scenario_text(raw, str(path)))


def _uid(value: uuid.UUID | None) -> str:
    return str(value or uuid.uuid4())


def to_scenario(model: ScenarioFile) -> tuple[Scenario, dict[str, bytes]]:
    """Turn a validated file into domain values; ids absent from the file are made fresh."""
    ex = model.exercise
    exercise = Exercise(
        id=str(uuid.uuid4()),
        title=ex.title,
        exercise_type=ex.type,
        aim=ex.aim,
        narrative=ex.narrative,
        venue=ex.venue,
        planned_date=ex.planned_date,
        planned_duration_minutes=ex.planned_duration_minutes,
        marking=ex.marking,
        organiser=ex.organiser,
        author=ex.author,
        version=ex.version,
        threat=ex.threat,
        scope=ex.scope,
    )
    objectives = tuple(
        Objective(id=_uid(o.id), code=o.code, statement=o.statement, capability=o.capability, position=i)
        for i, o in enumerate(model.objectives)
    )
    objective_by_code = {o.code: o.id for o in objectives}
    organisations = []
    org_by_key: dict[str, str] = {}
    role_by_key: dict[tuple[str, str], str] = {}
    for i, o in enumerate(model.organisations):
        org_id = _uid(o.id)
        org_by_key[o.key] = org_id
        roles = []
        for j, r in enumerate(o.roles):
            role_id = _uid(r.id)
            role_by_key[(o.key, r.key)] = role_id
            roles.append(
                Role(id=role_id, organisation_id=org_id, key=r.key, name=r.name, level=r.level, position=j)
            )
        organisations.append(
            Organisation(
                id=org_id,
                key=o.key,
                name=o.name,
                short_name=o.short_name,
                kind=o.kind,
                position=i,
                roles=tuple(roles),
            )
        )
    phases = tuple(
        Phase(
            id=_uid(p.id),
            key=p.key,
            name=p.name,
            start_offset_s=parse_offset(p.start_offset),
            scenario_start=p.scenario_start,
            narrative=p.narrative,
            discussion_questions=tuple(p.discussion_questions),
            position=i,
        )
        for i, p in enumerate(model.phases)
    )
    phase_by_key = {p.key: p.id for p in phases}
    inject_ids = {m.number: _uid(m.id) for m in model.injects}
    blobs: dict[str, bytes] = {}
    injects = []
    for i, m in enumerate(model.injects):
        recipients = []
        for text in m.recipients:
            org_key, _, role_key = text.partition("/")
            recipients.append(
                Recipient(org_by_key[org_key], role_by_key[(org_key, role_key)] if role_key else None)
            )
        attachments = []
        for a in m.attachments:
            data = base64.b64decode(a.data_base64)
            attachment_id = _uid(a.id)
            blobs[attachment_id] = data
            attachments.append(
                AttachmentInfo(
                    id=attachment_id,
                    filename=a.filename,
                    media_type=a.media_type,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            )
        injects.append(
            Inject(
                id=inject_ids[m.number],
                number=m.number,
                title=m.title,
                planned_offset_s=parse_offset(m.planned_offset),
                position=i,
                phase_id=phase_by_key[m.phase] if m.phase else None,
                scenario_time=m.scenario_time,
                content=m.content,
                delivery_method=m.delivery_method,
                event_type=m.event_type,
                sender=m.sender,
                expected_actions=m.expected_actions,
                controller_notes=m.controller_notes,
                storyline=m.storyline,
                status=m.status,
                depends_on_id=inject_ids[m.depends_on] if m.depends_on is not None else None,
                recipients=tuple(recipients),
                objective_ids=tuple(objective_by_code[c] for c in m.objectives),
                attachments=tuple(attachments),
            )
        )
    programme = programme_of(model.programme) if model.programme is not None else Programme()
    return Scenario(exercise, objectives, tuple(organisations), phases, tuple(injects), programme), blobs


def programme_of(model: ProgrammeModel) -> Programme:
    return Programme(
        introduction=model.introduction, venue_details=model.venue_details, contact=model.contact,
        notes=model.notes,
        sessions=tuple(
            ProgrammeSession(title=s.title, day=s.day, location=s.location, chair=s.chair, items=tuple(
                AgendaItem(start=parse_clock(i.start), end=parse_clock(i.end) if i.end else None, title=i.title,
                           kind=i.kind, speakers=tuple(i.speakers), location=i.location, description=i.description)
                for i in s.items))
            for s in model.sessions),
        speakers=tuple(Speaker(key=s.key, name=s.name, role=s.role, organisation=s.organisation,
                               biography=s.biography) for s in model.speakers),
        syndicates=tuple(PlannedSyndicate(name=s.name, room=s.room, facilitator=s.facilitator,
                                          note_taker=s.note_taker, members=tuple(s.members))
                         for s in model.syndicates),
    )


def programme_document(programme: Programme) -> dict[str, Any]:
    """The ``programme`` object of a scenario file (also how a document stores it)."""
    return {
        "introduction": programme.introduction,
        "venue_details": programme.venue_details,
        "contact": programme.contact,
        "notes": programme.notes,
        "sessions": [
            {"title": s.title, "day": s.day.isoformat() if s.day else None, "location": s.location, "chair": s.chair,
             "items": [{"start": format_clock(i.start), "end": format_clock(i.end) if i.end else None,
                        "title": i.title, "kind": i.kind.value, "speakers": list(i.speakers),
                        "location": i.location, "description": i.description} for i in s.items]}
            for s in programme.sessions],
        "speakers": [{"key": s.key, "name": s.name, "role": s.role, "organisation": s.organisation,
                      "biography": s.biography} for s in programme.speakers],
        "syndicates": [{"name": s.name, "room": s.room, "facilitator": s.facilitator, "note_taker": s.note_taker,
                        "members": list(s.members)} for s in programme.syndicates],
    }


def parse_programme(data: object, source: str = "programme") -> Programme:
    """A programme object on its own (as a document stores it), checked like the one in a scenario file."""
    try:
        model = ProgrammeModel.model_validate(data)
    except ValidationError as error:
        raise ScenarioFormatError(source, [(f"programme.{path}", message)
                                           for path, message in _problems_from(error)]) from None
    problems = _programme_references(model)
    if problems:
        raise ScenarioFormatError(source, problems)
    return programme_of(model)


def from_scenario(scenario: Scenario, blobs: Mapping[str, bytes], *, with_ids: bool = True) -> dict[str, Any]:
    """The JSON document for a scenario; ``with_ids=False`` makes a template whose copies get fresh ids."""

    def ident(value: str) -> dict[str, str]:
        return {"id": value} if with_ids else {}

    ex = scenario.exercise
    objective_code = {o.id: o.code for o in scenario.objectives}
    org_key = {o.id: o.key for o in scenario.organisations}
    role_key = {r.id: r.key for o in scenario.organisations for r in o.roles}
    phase_key = {p.id: p.key for p in scenario.phases}
    number_of = {i.id: i.number for i in scenario.injects}
    exercise: dict[str, Any] = {
        "title": ex.title,
        "type": ex.exercise_type.value,
        "aim": ex.aim,
        "narrative": ex.narrative,
        "venue": ex.venue,
        "planned_date": ex.planned_date.isoformat() if ex.planned_date else None,
        "planned_duration_minutes": ex.planned_duration_minutes,
        "marking": ex.marking,
        "organiser": ex.organiser,
        "author": ex.author,
        "version": ex.version,
        "threat": ex.threat,
        "scope": ex.scope,
    }

    def recipient_text(r: Recipient) -> str:
        return org_key[r.organisation_id] + (f"/{role_key[r.role_id]}" if r.role_id else "")

    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exercise": exercise,
        "objectives": [
            {**ident(o.id), "code": o.code, "statement": o.statement, "capability": o.capability}
            for o in scenario.objectives
        ],
        "organisations": [
            {
                **ident(o.id),
                "key": o.key,
                "name": o.name,
                "short_name": o.short_name,
                "kind": o.kind.value,
                "roles": [
                    {**ident(r.id), "key": r.key, "name": r.name, "level": r.level.value} for r in o.roles
                ],
            }
            for o in scenario.organisations
        ],
        "phases": [
            {
                **ident(p.id),
                "key": p.key,
                "name": p.name,
                "start_offset": format_offset(p.start_offset_s),
                "scenario_start": p.scenario_start.isoformat() if p.scenario_start else None,
                "narrative": p.narrative,
                "discussion_questions": list(p.discussion_questions),
            }
            for p in scenario.phases
        ],
        "injects": [
            {
                **ident(i.id),
                "number": i.number,
                "phase": phase_key.get(i.phase_id) if i.phase_id else None,
                "planned_offset": format_offset(i.planned_offset_s),
                "scenario_time": i.scenario_time.isoformat() if i.scenario_time else None,
                "title": i.title,
                "content": i.content,
                "delivery_method": i.delivery_method.value,
                "event_type": i.event_type.value,
                "sender": i.sender,
                "recipients": [recipient_text(r) for r in i.recipients],
                "expected_actions": i.expected_actions,
                "objectives": [objective_code[o] for o in i.objective_ids if o in objective_code],
                "controller_notes": i.controller_notes,
                "storyline": i.storyline,
                "status": i.status.value,
                "depends_on": number_of.get(i.depends_on_id) if i.depends_on_id else None,
                "attachments": [
                    {
                        **ident(a.id),
                        "filename": a.filename,
                        "media_type": a.media_type,
                        "data_base64": base64.b64encode(blobs[a.id]).decode("ascii"),
                    }
                    for a in i.attachments
                ],
            }
            for i in scenario.injects
        ],
    }
    if not scenario.programme.is_empty:  # left out when empty, so such files still open in older versions
        document["programme"] = programme_document(scenario.programme)
    return document


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def json_schema() -> dict[str, Any]:
    schema = ScenarioFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "CTPN Desktop scenario, format version 1"
    return schema

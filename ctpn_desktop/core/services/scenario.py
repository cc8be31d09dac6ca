"""Reading and editing the scenario: exercise, objectives, organisations and roles, phases and the MSEL.

Edits are whole-entity "puts": the caller hands over the new value of an entity and gets back what was stored.
That makes every edit undoable by putting the previous value back, which is how the editor's undo stack works.
Each call is one transaction, committed before it returns.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from ctpn_desktop.core.entities import (
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
    Programme,
    Recipient,
    Role,
    Scenario,
)
from ctpn_desktop.core.errors import ScenarioFormatError, ValidationFailed
from ctpn_desktop.core.io.scenario_json import parse_programme, programme_document
from ctpn_desktop.core.memory import collector_paused
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.storage.orm import (
    AttachmentRow,
    ExerciseRow,
    InjectObjectiveRow,
    InjectRecipientRow,
    InjectRow,
    ObjectiveRow,
    OrganisationRow,
    PhaseRow,
    RoleRow,
)
from ctpn_desktop.storage.tracking import DirectWrite, Prepared


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def exercise_of(row: ExerciseRow) -> Exercise:
    return Exercise(
        id=row.id,
        title=row.title,
        exercise_type=ExerciseType(row.exercise_type),
        aim=row.aim,
        narrative=row.narrative,
        venue=row.venue,
        planned_date=date.fromisoformat(row.planned_date) if row.planned_date else None,
        planned_duration_minutes=row.planned_duration_minutes,
        marking=row.marking,
        organiser=row.organiser,
        author=row.author,
        version=row.version,
        threat=row.threat,
        scope=row.scope,
        updated_at=_dt(row.updated_at),
    )


def objective_of(row: ObjectiveRow) -> Objective:
    return Objective(
        id=row.id, code=row.code, statement=row.statement, capability=row.capability, position=row.position
    )


def role_of(row: RoleRow) -> Role:
    return Role(
        id=row.id,
        organisation_id=row.organisation_id,
        key=row.key,
        name=row.name,
        level=CommandLevel(row.level),
        position=row.position,
    )


def organisation_of(row: OrganisationRow) -> Organisation:
    return Organisation(
        id=row.id,
        key=row.key,
        name=row.name,
        short_name=row.short_name,
        kind=OrganisationKind(row.kind),
        position=row.position,
        roles=tuple(role_of(r) for r in row.roles),
    )


def phase_of(row: PhaseRow) -> Phase:
    return Phase(
        id=row.id,
        key=row.key,
        name=row.name,
        start_offset_s=row.start_offset_s,
        scenario_start=_dt(row.scenario_start),
        narrative=row.narrative,
        discussion_questions=tuple(json.loads(row.discussion_questions or "[]")),
        position=row.position,
    )


_INJECT_COLUMNS = (
    InjectRow.id, InjectRow.number, InjectRow.title, InjectRow.planned_offset_s, InjectRow.position,
    InjectRow.phase_id, InjectRow.scenario_time, InjectRow.content, InjectRow.delivery_method,
    InjectRow.event_type, InjectRow.sender, InjectRow.expected_actions, InjectRow.controller_notes,
    InjectRow.storyline, InjectRow.status, InjectRow.depends_on_id,
)


_INJECT_FIELDS = tuple(f.name for f in fields(Inject))
if _INJECT_FIELDS[:len(_INJECT_COLUMNS)] != tuple(c.key for c in _INJECT_COLUMNS) or _INJECT_FIELDS[len(
        _INJECT_COLUMNS):] != ("recipients", "objective_ids", "attachments"):
    raise RuntimeError("the inject columns read at open no longer follow the fields of Inject")

_DELIVERY_METHODS = {m.value: m for m in DeliveryMethod}
_EVENT_TYPES = {e.value: e for e in EventType}
_INJECT_STATUSES = {s.value: s for s in InjectStatus}


def _load_injects(session: Session, ids: Iterable[str] | None = None) -> list[Inject]:
    """Injects with their links, in MSEL order, in four plain-row queries however many there are.

    Plain column tuples through the session's connection rather than ORM instances or ORM rows: with thousands
    of injects, building tracked objects (or ORM rows) only to copy them into frozen entities was most of the
    time it took to open the MSEL. Stored enum values are looked up in a table (an unknown one still fails
    as the enum would).
    """
    id_list = list(ids) if ids is not None else None
    query = select(*_INJECT_COLUMNS).order_by(InjectRow.position, InjectRow.number)
    links_query = select(InjectRecipientRow.inject_id, InjectRecipientRow.organisation_id,
                         InjectRecipientRow.role_id).order_by(InjectRecipientRow.position, InjectRecipientRow.id)
    objective_query = select(InjectObjectiveRow.inject_id, InjectObjectiveRow.objective_id).order_by(
        InjectObjectiveRow.position)
    attachment_query = select(AttachmentRow.inject_id, AttachmentRow.id, AttachmentRow.filename,
                              AttachmentRow.media_type, AttachmentRow.size, AttachmentRow.sha256).order_by(
        AttachmentRow.position)
    if id_list is not None:
        query = query.where(InjectRow.id.in_(id_list))
        links_query = links_query.where(InjectRecipientRow.inject_id.in_(id_list))
        objective_query = objective_query.where(InjectObjectiveRow.inject_id.in_(id_list))
        attachment_query = attachment_query.where(AttachmentRow.inject_id.in_(id_list))
    connection = session.connection()
    recipients: dict[str, list[Recipient]] = defaultdict(list)
    addressed: dict[tuple[str, str | None], Recipient] = {}  # one value per organisation and role, shared
    for inject_id, organisation_id, role_id in connection.execute(links_query).all():
        recipient = addressed.get((organisation_id, role_id))
        if recipient is None:
            recipient = addressed[organisation_id, role_id] = Recipient(organisation_id, role_id)
        recipients[inject_id].append(recipient)
    objectives: dict[str, list[str]] = defaultdict(list)
    for inject_id, objective_id in connection.execute(objective_query).all():
        objectives[inject_id].append(objective_id)
    attachments: dict[str, list[AttachmentInfo]] = defaultdict(list)
    for inject_id, attachment_id, filename, media_type, size, sha256 in connection.execute(attachment_query).all():
        attachments[inject_id].append(AttachmentInfo(attachment_id, filename, media_type, size, sha256))
    empty: tuple[()] = ()
    methods, events, statuses = _DELIVERY_METHODS, _EVENT_TYPES, _INJECT_STATUSES
    # Positional, in the order of `Inject`'s fields (checked where `_INJECT_COLUMNS` is defined): keywords
    # take a quarter as long again for each of thousands of injects.
    return [
        Inject(
            inject_id, number, title, planned, position, phase_id, _dt(scenario_time), content,
            methods.get(method) or DeliveryMethod(method), events.get(event) or EventType(event),
            sender, expected, notes, storyline, statuses.get(status) or InjectStatus(status), depends_on_id,
            tuple(recipients.get(inject_id, empty)), tuple(objectives.get(inject_id, empty)),
            tuple(attachments.get(inject_id, empty)),
        )
        for (inject_id, number, title, planned, position, phase_id, scenario_time, content, method, event, sender,
             expected, notes, storyline, status, depends_on_id) in connection.execute(query).all()
    ]


def programme_of_row(row: ExerciseRow) -> Programme:
    """The stored programme; a damaged one is refused with what is wrong rather than shown half."""
    if not row.programme:
        return Programme()
    try:
        data = json.loads(row.programme)
    except json.JSONDecodeError as error:
        raise ValidationFailed(f"the exercise programme stored in the document is damaged ({error.msg})") from error
    try:
        return parse_programme(data, "the stored exercise programme")
    except ScenarioFormatError as error:
        raise ValidationFailed(str(error)) from error


def programme_text(programme: Programme) -> str | None:
    if programme.is_empty:
        return None
    return json.dumps(programme_document(programme), ensure_ascii=False, sort_keys=True)


@collector_paused()
def read_scenario(session: Session) -> Scenario:
    exercise_row = session.scalars(select(ExerciseRow)).first()
    if exercise_row is None:
        raise ValidationFailed("the document holds no exercise")
    return Scenario(
        exercise=exercise_of(exercise_row),
        objectives=tuple(
            objective_of(r) for r in session.scalars(select(ObjectiveRow).order_by(ObjectiveRow.position))
        ),
        organisations=tuple(
            organisation_of(r)
            for r in session.scalars(select(OrganisationRow).options(selectinload(OrganisationRow.roles))
                                     .order_by(OrganisationRow.position))
        ),
        phases=tuple(
            phase_of(r)
            for r in session.scalars(select(PhaseRow).order_by(PhaseRow.position, PhaseRow.start_offset_s))
        ),
        injects=tuple(_load_injects(session)),
        programme=programme_of_row(exercise_row),
    )


def _exercise_values(exercise: Exercise) -> dict[str, object]:
    return dict(
        title=exercise.title,
        exercise_type=exercise.exercise_type.value,
        aim=exercise.aim,
        narrative=exercise.narrative,
        venue=exercise.venue,
        planned_date=_iso(exercise.planned_date),
        planned_duration_minutes=exercise.planned_duration_minutes,
        marking=exercise.marking,
        organiser=exercise.organiser,
        author=exercise.author,
        version=exercise.version,
        threat=exercise.threat,
        scope=exercise.scope,
        updated_at=datetime.now(UTC).isoformat(),
    )


def _inject_values(inject: Inject) -> dict[str, object]:
    return dict(
        number=inject.number,
        position=inject.position,
        phase_id=inject.phase_id,
        planned_offset_s=inject.planned_offset_s,
        scenario_time=_iso(inject.scenario_time),
        title=inject.title,
        content=inject.content,
        delivery_method=inject.delivery_method.value,
        event_type=inject.event_type.value,
        sender=inject.sender,
        expected_actions=inject.expected_actions,
        controller_notes=inject.controller_notes,
        storyline=inject.storyline,
        status=inject.status.value,
        depends_on_id=inject.depends_on_id,
    )


def _write_inject_links(session: Session, inject: Inject, blobs: Mapping[str, bytes]) -> None:
    session.execute(delete(InjectRecipientRow).where(InjectRecipientRow.inject_id == inject.id))
    session.execute(delete(InjectObjectiveRow).where(InjectObjectiveRow.inject_id == inject.id))
    seen: set[tuple[str, str | None]] = set()
    for position, recipient in enumerate(inject.recipients):
        if (recipient.organisation_id, recipient.role_id) in seen:
            continue
        seen.add((recipient.organisation_id, recipient.role_id))
        session.add(
            InjectRecipientRow(
                inject_id=inject.id,
                organisation_id=recipient.organisation_id,
                role_id=recipient.role_id,
                position=position,
            )
        )
    for position, objective_id in enumerate(dict.fromkeys(inject.objective_ids)):
        session.add(InjectObjectiveRow(inject_id=inject.id, objective_id=objective_id, position=position))
    kept = {a.id for a in inject.attachments}
    session.execute(
        delete(AttachmentRow).where(AttachmentRow.inject_id == inject.id, AttachmentRow.id.not_in(kept))
    )
    existing = set(session.scalars(select(AttachmentRow.id).where(AttachmentRow.inject_id == inject.id)))
    for position, attachment in enumerate(inject.attachments):
        if attachment.id in existing:
            session.execute(
                update(AttachmentRow)
                .where(AttachmentRow.id == attachment.id)
                .values(position=position, filename=attachment.filename)
            )
            continue
        data = blobs.get(attachment.id)
        if data is None:
            raise ValidationFailed(f"attachment {attachment.filename!r} has no data")
        session.add(
            AttachmentRow(
                id=attachment.id,
                inject_id=inject.id,
                filename=attachment.filename,
                media_type=attachment.media_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                position=position,
            )
        )


def _insert_injects(session: Session, injects: Sequence[Inject], blobs: Mapping[str, bytes]) -> None:
    """Insert injects new to the document, with their links, in a few statements (an import of thousands):
    dependencies are set once every new inject exists, as one may depend on a later one."""
    session.execute(insert(InjectRow), [{"id": i.id, **_inject_values(replace(i, depends_on_id=None))}
                                        for i in injects])
    for inject in injects:
        if inject.depends_on_id:
            session.execute(
                update(InjectRow).where(InjectRow.id == inject.id).values(depends_on_id=inject.depends_on_id)
            )
    recipients: list[dict[str, object]] = []
    objectives: list[dict[str, object]] = []
    for inject in injects:
        if inject.attachments:
            _write_inject_links(session, inject, blobs)
            continue
        seen: set[tuple[str, str | None]] = set()
        for position, recipient in enumerate(inject.recipients):
            if (recipient.organisation_id, recipient.role_id) not in seen:
                seen.add((recipient.organisation_id, recipient.role_id))
                recipients.append({"inject_id": inject.id, "organisation_id": recipient.organisation_id,
                                   "role_id": recipient.role_id, "position": position})
        for position, objective_id in enumerate(dict.fromkeys(inject.objective_ids)):
            objectives.append({"inject_id": inject.id, "objective_id": objective_id, "position": position})
    if recipients:
        session.execute(insert(InjectRecipientRow), recipients)
    if objectives:
        session.execute(insert(InjectObjectiveRow), objectives)


def write_scenario(session: Session, scenario: Scenario, blobs: Mapping[str, bytes]) -> None:
    """Insert a whole scenario into an empty document (used on creation and import)."""
    session.add(ExerciseRow(id=scenario.exercise.id, programme=programme_text(scenario.programme),
                            **_exercise_values(scenario.exercise)))
    for index, objective in enumerate(scenario.objectives):
        session.add(
            ObjectiveRow(
                id=objective.id,
                code=objective.code,
                statement=objective.statement,
                capability=objective.capability,
                position=index,
            )
        )
    for index, organisation in enumerate(scenario.organisations):
        _put_organisation(session, replace(organisation, position=index))
    for index, phase in enumerate(scenario.phases):
        _put_phase(session, replace(phase, position=index))
    session.flush()
    for index, inject in enumerate(scenario.injects):
        session.add(
            InjectRow(id=inject.id, **_inject_values(replace(inject, position=index, depends_on_id=None)))
        )
    session.flush()
    for inject in scenario.injects:
        if inject.depends_on_id:
            session.execute(
                update(InjectRow).where(InjectRow.id == inject.id).values(depends_on_id=inject.depends_on_id)
            )
        _write_inject_links(session, inject, blobs)


def _put_organisation(session: Session, organisation: Organisation) -> None:
    row = session.get(OrganisationRow, organisation.id)
    if row is None:
        row = OrganisationRow(id=organisation.id)
        session.add(row)
    row.key, row.name, row.short_name = organisation.key, organisation.name, organisation.short_name
    row.kind, row.position = organisation.kind.value, organisation.position
    existing = {r.id: r for r in row.roles}
    wanted = []
    for index, role in enumerate(organisation.roles):
        role_row = existing.get(role.id) or RoleRow(id=role.id)
        role_row.key, role_row.name, role_row.level, role_row.position = (
            role.key,
            role.name,
            role.level.value,
            index,
        )
        wanted.append(role_row)
    row.roles = wanted


def _put_phase(session: Session, phase: Phase) -> None:
    row = session.get(PhaseRow, phase.id)
    if row is None:
        row = PhaseRow(id=phase.id)
        session.add(row)
    row.key, row.name, row.start_offset_s = phase.key, phase.name, phase.start_offset_s
    row.scenario_start, row.narrative = _iso(phase.scenario_start), phase.narrative
    row.discussion_questions = json.dumps(list(phase.discussion_questions), ensure_ascii=False)
    row.position = phase.position


class ScenarioService:
    """The scenario editor's operations; each is one committed transaction."""

    def __init__(self, document: Document) -> None:
        self._document = document
        self._sessions = document.sessions

    def load(self) -> Scenario:
        with collector_paused(), self._sessions() as session:
            return read_scenario(session)

    def exercise(self) -> Exercise:
        """Only the exercise's own fields (title, marking…): what the window frame shows, without the MSEL."""
        with self._sessions() as session:
            row = session.scalars(select(ExerciseRow)).first()
            if row is None:
                raise ValidationFailed("the document holds no exercise")
            return exercise_of(row)

    def injects(self, ids: Iterable[str]) -> list[Inject]:
        with self._sessions() as session:
            return _load_injects(session, ids)

    def attachment_data(self, attachment_id: str) -> bytes:
        with self._sessions() as session:
            row = session.get(AttachmentRow, attachment_id)
            if row is None:
                raise ValidationFailed("the attachment no longer exists")
            return row.data

    def attachment_blobs(self) -> dict[str, bytes]:
        with self._sessions() as session:
            return {row.id: row.data for row in session.scalars(select(AttachmentRow))}

    def put_exercise(self, exercise: Exercise) -> Exercise:
        if not exercise.title.strip():
            raise ValidationFailed("the exercise needs a title")
        if not exercise.marking.strip():
            raise ValidationFailed("the exercise needs a protective marking")
        with self._sessions() as session, session.begin():
            row = session.get(ExerciseRow, exercise.id)
            if row is None:
                raise ValidationFailed("the exercise does not exist in this document")
            for key, value in _exercise_values(exercise).items():
                setattr(row, key, value)
            session.flush()
            return exercise_of(row)

    def put_objective(self, objective: Objective) -> Objective:
        if not objective.code.strip() or not objective.statement.strip():
            raise ValidationFailed("an objective needs a code and a statement")
        with self._sessions() as session, session.begin():
            clash = session.scalar(
                select(ObjectiveRow).where(
                    ObjectiveRow.code == objective.code, ObjectiveRow.id != objective.id
                )
            )
            if clash is not None:
                raise ValidationFailed(f"objective code {objective.code} is already used")
            row = session.get(ObjectiveRow, objective.id) or ObjectiveRow(id=objective.id)
            row.code, row.statement, row.capability = (
                objective.code,
                objective.statement,
                objective.capability,
            )
            row.position = objective.position
            session.add(row)
            return objective

    def delete_objective(self, objective_id: str) -> None:
        with self._sessions() as session, session.begin():
            session.execute(delete(ObjectiveRow).where(ObjectiveRow.id == objective_id))

    def put_organisation(self, organisation: Organisation) -> Organisation:
        if not organisation.key.strip() or not organisation.name.strip():
            raise ValidationFailed("an organisation needs a key and a name")
        with self._sessions() as session, session.begin():
            clash = session.scalar(
                select(OrganisationRow).where(
                    OrganisationRow.key == organisation.key, OrganisationRow.id != organisation.id
                )
            )
            if clash is not None:
                raise ValidationFailed(f"organisation key {organisation.key} is already used")
            _put_organisation(session, organisation)
            return organisation

    def delete_organisation(self, organisation_id: str) -> None:
        with self._sessions() as session, session.begin():
            row = session.get(OrganisationRow, organisation_id)
            if row is not None:
                session.delete(row)

    def put_phase(self, phase: Phase) -> Phase:
        if not phase.key.strip() or not phase.name.strip():
            raise ValidationFailed("a phase needs a key and a name")
        with self._sessions() as session, session.begin():
            clash = session.scalar(select(PhaseRow).where(PhaseRow.key == phase.key, PhaseRow.id != phase.id))
            if clash is not None:
                raise ValidationFailed(f"phase key {phase.key} is already used")
            _put_phase(session, phase)
            return phase

    def delete_phase(self, phase_id: str) -> None:
        with self._sessions() as session, session.begin():
            session.execute(delete(PhaseRow).where(PhaseRow.id == phase_id))

    def put_programme(self, programme: Programme) -> Programme:
        """Store the whole exercise programme (the editor's edits and their undo put whole programmes)."""
        problems = programme_problems(programme)
        if problems:
            raise ValidationFailed(problems[0])
        with self._sessions() as session, session.begin():
            row = session.scalars(select(ExerciseRow)).first()
            if row is None:
                raise ValidationFailed("the document holds no exercise")
            row.programme = programme_text(programme)
            row.updated_at = datetime.now(UTC).isoformat()
        return programme

    def put_injects(
        self, injects: Sequence[Inject], blobs: Mapping[str, bytes] | None = None
    ) -> list[Inject]:
        """Insert or update several injects in one transaction (bulk re-time, reorder, paste, undo)."""
        for inject in injects:
            if not inject.title.strip():
                raise ValidationFailed(f"inject {inject.number} needs a title")
            if inject.number < 1:
                raise ValidationFailed("inject numbers start at 1")
        numbers = [i.number for i in injects]
        if len(numbers) != len(set(numbers)):
            raise ValidationFailed("two injects in the same edit have the same number")
        with self._sessions() as session, session.begin():
            ids = [i.id for i in injects]
            clash = session.scalar(
                select(InjectRow.number).where(InjectRow.number.in_(numbers), InjectRow.id.not_in(ids))
            )
            if clash is not None:
                raise ValidationFailed(f"inject number {clash} is already used")
            # Numbers are unique: park the edited rows on temporary numbers first so that swaps succeed.
            session.execute(
                update(InjectRow).where(InjectRow.id.in_(ids)).values(number=-InjectRow.number - 1)
            )
            existing = {
                row.id: row for row in session.scalars(select(InjectRow).where(InjectRow.id.in_(ids)))
            }
            for inject in injects:
                values = _inject_values(inject)
                row = existing.get(inject.id)
                if row is None:
                    session.add(InjectRow(id=inject.id, **values))
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
            session.flush()
            for inject in injects:
                _write_inject_links(session, inject, blobs or {})
            session.flush()
            return _load_injects(session, ids)

    def put_inject(self, inject: Inject, blobs: Mapping[str, bytes] | None = None) -> Inject:
        return self.put_injects([inject], blobs)[0]

    def merge_in(self, scenario: Scenario, blobs: Mapping[str, bytes] | None = None) -> Scenario:
        """Write everything of ``scenario`` that is new or changed, in one transaction (an import, confirmed)."""
        with self._sessions() as session, session.begin():
            for index, objective in enumerate(scenario.objectives):
                row = session.get(ObjectiveRow, objective.id) or ObjectiveRow(id=objective.id)
                row.code, row.statement, row.capability = objective.code, objective.statement, objective.capability
                row.position = index
                session.add(row)
            for index, organisation in enumerate(scenario.organisations):
                _put_organisation(session, replace(organisation, position=index))
            for index, phase in enumerate(scenario.phases):
                _put_phase(session, replace(phase, position=index))
            session.flush()
            existing = set(session.scalars(select(InjectRow.id)))
            new = [i for i in scenario.injects if i.id not in existing]
            if new:
                _insert_injects(session, new, blobs or {})
            return read_scenario(session)

    def take_back_merge(self, before: Scenario, after: Scenario) -> Scenario:
        """Undo a confirmed import in one transaction: the injects, organisations, roles, phases and objectives
        ``after`` added to ``before`` are removed, and organisations it changed are put back as they were, so
        a failure half-way leaves the import in place whole rather than half taken back."""
        kept = {i.id for i in before.injects}
        injects = [i.id for i in after.injects if i.id not in kept]
        old_organisations = {o.id: o for o in before.organisations}
        old_phases = {p.id for p in before.phases}
        old_objectives = {o.id for o in before.objectives}
        with self._sessions() as session, session.begin():
            if injects:
                session.execute(delete(InjectRow).where(InjectRow.id.in_(injects)))
            for organisation in after.organisations:
                old = old_organisations.get(organisation.id)
                if old is None:
                    row = session.get(OrganisationRow, organisation.id)
                    if row is not None:
                        session.delete(row)
                elif old != organisation:
                    _put_organisation(session, old)
            added_phases = [p.id for p in after.phases if p.id not in old_phases]
            if added_phases:
                session.execute(delete(PhaseRow).where(PhaseRow.id.in_(added_phases)))
            added_objectives = [o.id for o in after.objectives if o.id not in old_objectives]
            if added_objectives:
                session.execute(delete(ObjectiveRow).where(ObjectiveRow.id.in_(added_objectives)))
            session.flush()
            return read_scenario(session)

    def delete_injects(self, inject_ids: Sequence[str]) -> None:
        with self._sessions() as session, session.begin():
            session.execute(delete(InjectRow).where(InjectRow.id.in_(list(inject_ids))))

    def next_inject_number(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.max(InjectRow.number))) or 0) + 1

    def next_inject_position(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.max(InjectRow.position))) or 0) + 1

    def put_slots(self, slots: Sequence[InjectSlot], previous: Sequence[InjectSlot] = ()) -> list[InjectSlot]:
        """Store new numbers, positions and times of several injects in one transaction (re-time, reorder,
        renumber and their undo).

        ``previous``, the slots the injects are thought to be in now, lets a re-time write only the times;
        what the file really holds is checked either way."""
        if slots:
            with self._document.writing() as write:
                _put_slots(write, slots, previous)
        return list(slots)

    def attachment_blobs_of(self, injects: Iterable[Inject]) -> dict[str, bytes]:
        """The data of these injects' attachments: what a deleted inject needs to come back on undo."""
        ids = [a.id for i in injects for a in i.attachments]
        if not ids:
            return {}
        with self._sessions() as session:
            return dict(session.execute(
                select(AttachmentRow.id, AttachmentRow.data).where(AttachmentRow.id.in_(ids))).all())


def programme_problems(programme: Programme) -> list[str]:
    """What stops a programme from being stored, in words (the same rules as the scenario format)."""
    problems: list[str] = []
    keys = [s.key for s in programme.speakers]
    if len(keys) != len(set(keys)):
        problems.append("two speakers have the same key")
    if any(not s.name.strip() for s in programme.speakers):
        problems.append("a speaker needs a name")
    names = [s.name.strip().casefold() for s in programme.syndicates]
    if any(not n for n in names):
        problems.append("a syndicate needs a name")
    elif len(names) != len(set(names)):
        problems.append("two syndicates have the same name")
    for session in programme.sessions:
        if not session.title.strip():
            problems.append("a programme session needs a title")
        for item in session.items:
            if not item.title.strip():
                problems.append(f"the agenda item at {item.start:%H:%M} needs a title")
            if item.end is not None and item.end < item.start:
                problems.append(f"“{item.title}” ends at {item.end:%H:%M}, before it starts at {item.start:%H:%M}")
            unknown = [k for k in item.speakers if k not in keys]
            if unknown:
                problems.append(f"“{item.title}” names a speaker who is not in the programme ({unknown[0]})")
    return problems


# Schedule edits: re-time, reorder, renumber ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InjectSlot:
    """Where an inject sits in the MSEL: its number, order and times, and nothing else.

    Re-timing, reordering and renumbering touch only these columns, so they are stored as slots: a bulk
    re-time of a thousand injects is a thousand small updates instead of a thousand whole-inject rewrites,
    and undo puts the previous slots back.
    """

    id: str
    number: int
    position: int
    planned_offset_s: int
    scenario_time: datetime | None = None

    @classmethod
    def of(cls, inject: Inject) -> InjectSlot:
        return cls(inject.id, inject.number, inject.position, inject.planned_offset_s, inject.scenario_time)


def msel_order(injects: Iterable[Inject]) -> list[Inject]:
    """The MSEL as planners read it: by planned time, then by the order the designer gave, then by number."""
    return sorted(injects, key=lambda i: (i.planned_offset_s, i.position, i.number))


def in_slot(inject: Inject, slot: InjectSlot) -> bool:
    """Whether ``inject`` already has the number, order and times of ``slot`` (a scenario time the same instant
    at another UTC offset is another time here: it is stored as written)."""
    if (inject.planned_offset_s != slot.planned_offset_s or inject.position != slot.position
            or inject.number != slot.number):
        return False
    mine, theirs = inject.scenario_time, slot.scenario_time
    if mine is None or theirs is None:
        return mine is theirs
    return mine == theirs and mine.utcoffset() == theirs.utcoffset()


def with_slot(inject: Inject, slot: InjectSlot) -> Inject:
    """``inject`` in ``slot`` (itself when it is already there).

    Built field by field, by position (the order is checked where this module loads), rather than with
    `dataclasses.replace`, which takes twice as long: a re-time builds a thousand of these. A test checks that
    every field of `Inject` is carried over.
    """
    if in_slot(inject, slot):
        return inject
    return Inject(
        inject.id, slot.number, inject.title, slot.planned_offset_s, slot.position, inject.phase_id,
        slot.scenario_time, inject.content, inject.delivery_method, inject.event_type, inject.sender,
        inject.expected_actions, inject.controller_notes, inject.storyline, inject.status, inject.depends_on_id,
        inject.recipients, inject.objective_ids, inject.attachments,
    )


def retimed_slots(injects: Iterable[Inject], ids: Iterable[str], delta_s: int, *,
                  move_scenario_time: bool = True) -> list[InjectSlot]:
    """The slots of the injects ``ids`` shifted by ``delta_s`` seconds (their own scenario times too)."""
    wanted = set(ids)
    delta = timedelta(seconds=delta_s)
    return [
        InjectSlot(i.id, i.number, i.position, i.planned_offset_s + delta_s,
                   i.scenario_time + delta if move_scenario_time and i.scenario_time is not None
                   else i.scenario_time)
        for i in injects if i.id in wanted
    ]


def following_ids(injects: Iterable[Inject], inject_id: str) -> list[str]:
    """The inject ``inject_id`` and every inject after it in MSEL order ("shift everything after this")."""
    ordered = msel_order(injects)
    index = next((n for n, i in enumerate(ordered) if i.id == inject_id), None)
    if index is None:
        raise ValidationFailed("the inject no longer exists")
    return [i.id for i in ordered[index:]]


def moved_slots(injects: Iterable[Inject], ids: Sequence[str], before_id: str | None) -> list[InjectSlot]:
    """Slots that move the injects ``ids`` (kept in their order) to just before ``before_id`` (None: the end).

    The MSEL is ordered by time, so a moved inject also takes a planned time that fits between its new
    neighbours: kept when it already fits, otherwise the nearest neighbour's time. Positions are renumbered
    along the new order; only slots that change are returned.
    """
    ordered = msel_order(injects)
    moving_set = set(ids)
    moving = [i for i in ordered if i.id in moving_set]
    if not moving or (before_id is not None and before_id in moving_set):
        return []
    rest = [i for i in ordered if i.id not in moving_set]
    at = len(rest) if before_id is None else next((n for n, i in enumerate(rest) if i.id == before_id), None)
    if at is None:
        raise ValidationFailed("the inject to move before no longer exists")
    new_order = rest[:at] + moving + rest[at:]
    low = rest[at - 1].planned_offset_s if at > 0 else None
    high = rest[at].planned_offset_s if at < len(rest) else None
    slots = []
    for position, inject in enumerate(new_order):
        offset = inject.planned_offset_s
        if inject.id in moving_set:
            if low is not None and offset < low:
                offset = low
            if high is not None and offset > high:
                offset = high
        shift = timedelta(seconds=offset - inject.planned_offset_s)
        scenario_time = inject.scenario_time + shift if inject.scenario_time is not None else None
        if position != inject.position or offset != inject.planned_offset_s:
            slots.append(InjectSlot(inject.id, inject.number, position, offset, scenario_time))
    return slots


def renumbered_slots(injects: Iterable[Inject], first: int = 1) -> list[InjectSlot]:
    """Numbers 1, 2, 3 … in MSEL order; only slots that change are returned."""
    return [
        InjectSlot(i.id, number, i.position, i.planned_offset_s, i.scenario_time)
        for number, i in enumerate(msel_order(injects), start=first) if i.number != number
    ]


def duplicate_of(inject: Inject, number: int, blobs: Mapping[str, bytes]) -> tuple[Inject, dict[str, bytes]]:
    """A copy of ``inject`` under a new identity and number, placed just after it, with its attachments."""
    attachments = tuple(replace(a, id=str(uuid.uuid4())) for a in inject.attachments)
    copied = {new.id: blobs[old.id] for old, new in zip(inject.attachments, attachments, strict=True)}
    return replace(inject, id=str(uuid.uuid4()), number=number, position=inject.position,
                   attachments=attachments, depends_on_id=inject.depends_on_id), copied


@dataclass(frozen=True, slots=True)
class Links:
    """What refers to an objective, organisation or phase: shown before it is deleted."""

    injects: tuple[Inject, ...] = ()

    def describe(self, limit: int = 12) -> list[str]:
        lines = [f"inject {i.number}: {i.title}" for i in msel_order(self.injects)[:limit]]
        if len(self.injects) > limit:
            lines.append(f"… and {len(self.injects) - limit} more injects")
        return lines


def objective_links(scenario: Scenario, objective_id: str) -> Links:
    return Links(tuple(i for i in scenario.injects if objective_id in i.objective_ids))


def organisation_links(scenario: Scenario, organisation_id: str, role_id: str | None = None) -> Links:
    """Injects addressed to the organisation (to any of its roles), or to one role when ``role_id`` is given."""
    return Links(tuple(
        i for i in scenario.injects
        if any(r.organisation_id == organisation_id and (role_id is None or r.role_id == role_id)
               for r in i.recipients)
    ))


def phase_links(scenario: Scenario, phase_id: str) -> Links:
    return Links(tuple(i for i in scenario.injects if i.phase_id == phase_id))


def _slot_update(*, keeping_number: bool, keeping_position: bool = False) -> Prepared:
    """An update of one inject's slot; what it keeps is a condition instead of a value, so a row that no longer
    has it is not matched (and the row count says so)."""
    table = cast(Table, InjectRow.__table__)
    where = [table.c.id == bindparam("row_id")]
    values: dict[str, Any] = {"planned_offset_s": bindparam("new_offset"),
                              "scenario_time": bindparam("new_scenario_time")}
    if keeping_position:  # an indexed column left out of SET is an index SQLite does not touch
        where.append(table.c.position == bindparam("new_position"))
    else:
        values["position"] = bindparam("new_position")
    if keeping_number:
        where.append(table.c.number == bindparam("slot_number"))
    else:
        values["number"] = bindparam("slot_number")
    return Prepared(update(table).where(*where).values(**values))


_SLOT_TIMES_ONLY = _slot_update(keeping_number=True, keeping_position=True)
_SLOT_KEEPING_NUMBER = _slot_update(keeping_number=True)
_SLOT_WITH_NUMBER = _slot_update(keeping_number=False)
_PARK_NUMBER = Prepared(update(cast(Table, InjectRow.__table__)).where(
    cast(Table, InjectRow.__table__).c.id == bindparam("row_id")).values(number=bindparam("parked")))


def _put_slots(write: DirectWrite, slots: Sequence[InjectSlot], previous: Sequence[InjectSlot] = ()) -> None:
    """Write the slots as plain statements handed to the driver as they are (many small updates by key, no ORM
    objects to track), checked and announced like any other write.

    Most slot edits (a re-time, a reorder) keep every number, and a re-time every place in the order too. They
    are written first with what they keep as conditions: the slots ``previous`` says keep their place get
    their times only, the others their place and times. When every row matched, each inject exists and keeps
    its number, so nothing more is needed and the MSEL was not read. Otherwise (a renumber, an inject gone,
    a ``previous`` that was wrong) the numbers are checked against the document and every slot is written in
    full, the renumbered ones parked first so that swaps succeed.
    """
    numbers = [s.number for s in slots]
    if len(numbers) != len(set(numbers)):
        raise ValidationFailed("two injects in the same edit have the same number")
    if any(n < 1 for n in numbers):
        raise ValidationFailed("inject numbers start at 1")
    placed = {s.id: (s.number, s.position) for s in previous}
    kept: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for s in slots:
        (kept if placed.get(s.id) == (s.number, s.position) else moved).append(
            {"row_id": s.id, "new_position": s.position, "new_offset": s.planned_offset_s,
             "new_scenario_time": _iso(s.scenario_time), "slot_number": s.number})
    times = kept + moved
    connection = write.connection
    if connection.dialect.supports_sane_multi_rowcount:
        matched = 0
        if kept:
            matched += write.execute_many("inject", _SLOT_TIMES_ONLY, kept, keys=_row_ids(kept)).rowcount
        if moved:
            matched += write.execute_many("inject", _SLOT_KEEPING_NUMBER, moved, keys=_row_ids(moved)).rowcount
        if matched == len(slots):
            return
    current = dict(connection.execute(select(InjectRow.id, InjectRow.number)).all())
    if any(s.id not in current for s in slots):
        raise ValidationFailed("an inject of this edit no longer exists")
    changing = [s for s in slots if current[s.id] != s.number]
    if changing:
        moving = {s.id for s in changing}
        taken = {number for inject_id, number in current.items() if inject_id not in moving}
        clash = sorted({s.number for s in changing} & taken)
        if clash:
            raise ValidationFailed(f"inject number {clash[0]} is already used")
        write.execute_many("inject", _PARK_NUMBER, [{"row_id": s.id, "parked": -n - 1} for n, s in enumerate(changing)],
                           keys=[s.id for s in changing])
    write.execute_many("inject", _SLOT_WITH_NUMBER, times, keys=_row_ids(times))


def _row_ids(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [row["row_id"] for row in rows]


_SHIFT_RE = re.compile(
    r"^(?P<sign>[+\-−])?\s*(?:(?P<h>\d{1,3})\s*h(?:ours?|rs?)?\s*(?:(?P<hm>\d{1,2})\s*(?:m(?:in(?:utes?)?)?)?)?"
    r"|(?P<m>\d{1,5})\s*(?:m(?:in(?:utes?)?)?)?"
    r"|(?P<ch>\d{1,3}):(?P<cm>[0-5]\d)(?::(?P<cs>[0-5]\d))?)$", re.IGNORECASE)


def parse_shift(text: str) -> int:
    """Seconds of a duration as designers type it: ``15`` or ``+15 min`` (minutes), ``-1:30`` (H:MM),
    ``1:30:00``, ``2h``, ``1h30``. Raises ValueError with a message for anything else."""
    match = _SHIFT_RE.match(text.strip())
    if not match or not text.strip():
        raise ValueError(f"'{text.strip()}' is not a duration: type minutes (15, -10) or H:MM (1:30)")
    sign = -1 if match["sign"] in {"-", "−"} else 1
    if match["h"] is not None:
        seconds = int(match["h"]) * 3600 + int(match["hm"] or 0) * 60
    elif match["m"] is not None:
        seconds = int(match["m"]) * 60
    else:
        seconds = int(match["ch"]) * 3600 + int(match["cm"]) * 60 + int(match["cs"] or 0)
    return sign * seconds


def parse_planned(text: str) -> int:
    """A planned time from STARTEX as shown in the MSEL: ``H:MM:SS`` or ``H:MM``, ``-`` before STARTEX."""
    cleaned = text.strip().replace("−", "-")
    match = re.fullmatch(r"(-)?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?", cleaned)
    if not match:
        raise ValueError(f"'{text.strip()}' is not a planned time: type H:MM or H:MM:SS from STARTEX, e.g. 1:15")
    seconds = int(match[2]) * 3600 + int(match[3]) * 60 + int(match[4] or 0)
    return -seconds if match[1] else seconds

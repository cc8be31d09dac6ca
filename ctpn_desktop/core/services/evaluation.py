"""Evaluation of a run: observations against objectives, the hot wash and the improvement plan.

Every addition is committed before the method returns. Objectives are checked against the run's frozen
scenario, so an observation always points at an objective the run really had.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import select

from ctpn_desktop.core.clock import TimeSource
from ctpn_desktop.core.entities import (
    CapabilityElement,
    HotwashKind,
    HotwashNote,
    ImprovementAction,
    Observation,
    Rating,
)
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.storage.orm import HotwashNoteRow, ImprovementActionRow, ObservationRow, RunRow, next_seq

E = TypeVar("E", Rating, HotwashKind, CapabilityElement)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def observation_of(row: ObservationRow) -> Observation:
    return Observation(id=row.id, run_id=row.run_id, objective_id=row.objective_id, evaluator=row.evaluator,
                       rating=Rating(row.rating) if row.rating else None, text=row.text, strengths=row.strengths,
                       improvements=row.improvements, created_at=_dt(row.created_at), exercise_s=row.exercise_s,
                       device_id=row.device_id)


def hotwash_of(row: HotwashNoteRow) -> HotwashNote:
    return HotwashNote(id=row.id, run_id=row.run_id, kind=HotwashKind(row.kind), text=row.text,
                       objective_id=row.objective_id, author=row.author, created_at=_dt(row.created_at))


def improvement_of(row: ImprovementActionRow) -> ImprovementAction:
    return ImprovementAction(id=row.id, run_id=row.run_id, issue=row.issue, action=row.action,
                             capability_element=CapabilityElement(row.capability_element),
                             owner_organisation=row.owner_organisation, contact=row.contact,
                             start_date=_date(row.start_date), due_date=_date(row.due_date),
                             objective_id=row.objective_id, created_at=_dt(row.created_at))


def _enum(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(f"{what} must be one of {allowed}, not {value!r}") from None


class EvaluationService:
    def __init__(self, document: Document, source: TimeSource, device_id: str = "") -> None:
        self._document = document
        self._sessions = document.sessions
        self._source = source
        self._device_id = device_id

    def _now(self) -> str:
        return self._source.wall().astimezone(UTC).isoformat(timespec="microseconds")

    def _check(self, run_id: str, objective_id: str | None) -> None:
        with self._sessions() as session:
            if session.get(RunRow, run_id) is None:
                raise ValidationFailed("that run does not exist in this document")
        if objective_id is not None:
            from ctpn_desktop.core.services.runs import RunService

            objectives = {o.id for o in RunService(self._document, self._source).frozen_scenario(run_id).objectives}
            if objective_id not in objectives:
                raise ValidationFailed("that objective is not one of this run's objectives")

    # Observations -------------------------------------------------------------------------------------------

    def add_observation(self, run_id: str, *, objective_id: str | None, evaluator: str, rating: Rating | str | None,
                        text: str, strengths: str = "", improvements: str = "",
                        exercise_s: float = 0.0) -> Observation:
        if not text.strip():
            raise ValidationFailed("an observation needs some text")
        if not evaluator.strip():
            raise ValidationFailed("an observation needs the evaluator's name")
        if exercise_s < 0:
            raise ValidationFailed("the exercise time of an observation cannot be negative")
        checked = None if rating is None or rating == "" else _enum(Rating, str(rating).strip().upper(), "the rating")
        self._check(run_id, objective_id)
        row = ObservationRow(id=str(uuid.uuid4()), run_id=run_id, objective_id=objective_id, evaluator=evaluator,
                             rating=checked.value if checked else None, text=text, strengths=strengths,
                             improvements=improvements, created_at=self._now(), exercise_s=float(exercise_s),
                             device_id=self._device_id)
        with self._sessions() as session, session.begin():
            row.seq = next_seq(session, type(row), run_id)
            session.add(row)
        return observation_of(row)

    def observations(self, run_id: str, *, objective_id: str | None = None) -> list[Observation]:
        """In the order they were written (exercise time, then entry)."""
        with self._sessions() as session:
            query = select(ObservationRow).where(ObservationRow.run_id == run_id)
            if objective_id is not None:
                query = query.where(ObservationRow.objective_id == objective_id)
            query = query.order_by(ObservationRow.exercise_s, ObservationRow.created_at, ObservationRow.seq)
            return [observation_of(r) for r in session.scalars(query)]

    # Hot wash ---------------------------------------------------------------------------------------------

    def add_hotwash_note(self, run_id: str, kind: HotwashKind | str, text: str, *, objective_id: str | None = None,
                         author: str = "") -> HotwashNote:
        checked = _enum(HotwashKind, kind, "a hot wash note")
        if not text.strip():
            raise ValidationFailed("a hot wash note needs some text")
        self._check(run_id, objective_id)
        row = HotwashNoteRow(id=str(uuid.uuid4()), run_id=run_id, kind=checked.value, text=text,
                             objective_id=objective_id, author=author, created_at=self._now())
        with self._sessions() as session, session.begin():
            row.seq = next_seq(session, type(row), run_id)
            session.add(row)
        return hotwash_of(row)

    def hotwash_notes(self, run_id: str, *, kind: HotwashKind | None = None) -> list[HotwashNote]:
        with self._sessions() as session:
            query = select(HotwashNoteRow).where(HotwashNoteRow.run_id == run_id)
            if kind is not None:
                query = query.where(HotwashNoteRow.kind == HotwashKind(kind).value)
            query = query.order_by(HotwashNoteRow.created_at, HotwashNoteRow.seq)
            return [hotwash_of(r) for r in session.scalars(query)]

    # Improvement plan -------------------------------------------------------------------------------------

    def add_improvement_action(self, run_id: str, *, issue: str, action: str,
                               capability_element: CapabilityElement | str = CapabilityElement.PLANNING,
                               owner_organisation: str = "", contact: str = "", start_date: date | None = None,
                               due_date: date | None = None, objective_id: str | None = None) -> ImprovementAction:
        if not issue.strip():
            raise ValidationFailed("an improvement action needs the issue it addresses")
        if not action.strip():
            raise ValidationFailed("an improvement action needs the corrective action")
        element = _enum(CapabilityElement, capability_element, "the capability element")
        if start_date and due_date and due_date < start_date:
            raise ValidationFailed("the completion date is before the start date")
        self._check(run_id, objective_id)
        row = ImprovementActionRow(id=str(uuid.uuid4()), run_id=run_id, issue=issue, action=action,
                                   capability_element=element.value, owner_organisation=owner_organisation,
                                   contact=contact, start_date=start_date.isoformat() if start_date else None,
                                   due_date=due_date.isoformat() if due_date else None, objective_id=objective_id,
                                   created_at=self._now())
        with self._sessions() as session, session.begin():
            row.seq = next_seq(session, type(row), run_id)
            session.add(row)
        return improvement_of(row)

    def improvement_actions(self, run_id: str) -> list[ImprovementAction]:
        """The improvement plan, soonest due first (undated actions last)."""
        with self._sessions() as session:
            rows = session.scalars(select(ImprovementActionRow).where(ImprovementActionRow.run_id == run_id)
                                   .order_by(ImprovementActionRow.seq, ImprovementActionRow.created_at))
            actions = [improvement_of(r) for r in rows]
        return sorted(actions, key=lambda a: (a.due_date is None, a.due_date or date.min))

"""Evaluation of a run: observations against objectives, the hot wash, the improvement plan and the executive summary.

Every change is committed before the method returns. Objectives are checked against the run's frozen
scenario, so an observation always points at an objective the run really had.

Evaluators revise their notes all day, and an after-action report must be able to show what was changed, when
and why, so nothing here is ever overwritten: the first version of an observation, hot-wash note or improvement
action is its row in ``observation`` (``hotwash_note``, ``improvement_action``); each edit or withdrawal inserts
the whole new version, with its reason, as a revision row. The current version is the highest revision. An
observation's evidence (the log entries and injects it cites) belongs to a version too, so the history shows
when a citation was added or dropped. The executive summary of a run is kept the same way, one row per save.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ctpn_desktop.core.clock import TimeSource
from ctpn_desktop.core.entities import (
    CapabilityElement,
    Evidence,
    EvidenceKind,
    ExecutiveSummary,
    HotwashKind,
    HotwashNote,
    ImprovementAction,
    Observation,
    Rating,
)
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.storage.orm import (
    AdhocInjectRow,
    ExecutiveSummaryRow,
    HotwashNoteRevisionRow,
    HotwashNoteRow,
    ImprovementActionRevisionRow,
    ImprovementActionRow,
    LogRecordRow,
    ObservationEvidenceRow,
    ObservationRevisionRow,
    ObservationRow,
    ReplayBookmarkRow,
    RunRow,
    next_seq,
)

if TYPE_CHECKING:
    from ctpn_desktop.core.services.runs import RunService

E = TypeVar("E", Rating, HotwashKind, CapabilityElement, EvidenceKind)

SUMMARY_ITEMS = 5
"""How many strengths and areas for improvement a proposed executive summary offers (the most telling first)."""


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def observation_of(row: ObservationRow, evidence: tuple[Evidence, ...] = ()) -> Observation:
    return Observation(id=row.id, run_id=row.run_id, objective_id=row.objective_id, evaluator=row.evaluator,
                       rating=Rating(row.rating) if row.rating else None, text=row.text, strengths=row.strengths,
                       improvements=row.improvements, created_at=_dt(row.created_at), exercise_s=row.exercise_s,
                       device_id=row.device_id, evidence=evidence)


def _observation_version(first: Observation, row: ObservationRevisionRow,
                         evidence: tuple[Evidence, ...]) -> Observation:
    return replace(first, objective_id=row.objective_id, evaluator=row.evaluator,
                   rating=Rating(row.rating) if row.rating else None, text=row.text, strengths=row.strengths,
                   improvements=row.improvements, revision=row.revision, revised_at=_dt(row.created_at),
                   revision_reason=row.reason, withdrawn=row.withdrawn, evidence=evidence)


def hotwash_of(row: HotwashNoteRow) -> HotwashNote:
    return HotwashNote(id=row.id, run_id=row.run_id, kind=HotwashKind(row.kind), text=row.text,
                       objective_id=row.objective_id, author=row.author, created_at=_dt(row.created_at))


def _hotwash_version(first: HotwashNote, row: HotwashNoteRevisionRow) -> HotwashNote:
    return replace(first, kind=HotwashKind(row.kind), text=row.text, objective_id=row.objective_id,
                   author=row.author, revision=row.revision, revised_at=_dt(row.created_at),
                   revision_reason=row.reason, withdrawn=row.withdrawn)


def improvement_of(row: ImprovementActionRow) -> ImprovementAction:
    return ImprovementAction(id=row.id, run_id=row.run_id, issue=row.issue, action=row.action,
                             capability_element=CapabilityElement(row.capability_element),
                             owner_organisation=row.owner_organisation, contact=row.contact,
                             start_date=_date(row.start_date), due_date=_date(row.due_date),
                             objective_id=row.objective_id, created_at=_dt(row.created_at))


def _improvement_version(first: ImprovementAction, row: ImprovementActionRevisionRow) -> ImprovementAction:
    return replace(first, issue=row.issue, action=row.action,
                   capability_element=CapabilityElement(row.capability_element),
                   owner_organisation=row.owner_organisation, contact=row.contact,
                   start_date=_date(row.start_date), due_date=_date(row.due_date), objective_id=row.objective_id,
                   revision=row.revision, revised_at=_dt(row.created_at), revision_reason=row.reason,
                   withdrawn=row.withdrawn)


def _enum(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(f"{what} must be one of {allowed}, not {value!r}") from None


def _summary_lines(items: Iterable[str]) -> tuple[str, ...]:
    """Items as stored (one per line): each on one line, blank ones dropped, repeats kept out."""
    kept: list[str] = []
    for item in items:
        line = " ".join(item.split())
        if line and line not in kept:
            kept.append(line)
    return tuple(kept)


def _reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise ValidationFailed(f"{what} needs a reason; it is kept with the earlier version")
    return reason


class EvaluationService:
    def __init__(self, document: Document, source: TimeSource, device_id: str = "") -> None:
        self._document = document
        self._sessions = document.sessions
        self._source = source
        self._device_id = device_id
        self._runs: RunService | None = None

    def _now(self) -> str:
        return self._source.wall().astimezone(UTC).isoformat(timespec="microseconds")

    def _run_service(self) -> RunService:
        if self._runs is None:
            from ctpn_desktop.core.services.runs import RunService

            self._runs = RunService(self._document, self._source)
        return self._runs

    def _check(self, run_id: str, objective_id: str | None) -> None:
        with self._sessions() as session:
            if session.get(RunRow, run_id) is None:
                raise ValidationFailed("that run does not exist in this document")
        if objective_id is not None:
            objectives = {o.id for o in self._run_service().frozen_scenario(run_id).objectives}
            if objective_id not in objectives:
                raise ValidationFailed("that objective is not one of this run's objectives")

    # Observations -------------------------------------------------------------------------------------------

    @staticmethod
    def _checked_observation(evaluator: str, rating: Rating | str | None, text: str) -> Rating | None:
        if not text.strip():
            raise ValidationFailed("an observation needs some text")
        if not evaluator.strip():
            raise ValidationFailed("an observation needs the evaluator's name")
        return None if rating is None or rating == "" else _enum(Rating, str(rating).strip().upper(), "the rating")

    def _checked_evidence(self, run_id: str, evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
        """The evidence without repeats, each checked to be a log entry or an inject of this run."""
        wanted: list[Evidence] = []
        for item in evidence:
            checked = Evidence(_enum(EvidenceKind, str(item.kind), "the kind of evidence"), item.target_id)
            if checked not in wanted:
                wanted.append(checked)
        entries = {e.target_id for e in wanted if e.kind is EvidenceKind.LOG_ENTRY}
        injects = {e.target_id for e in wanted if e.kind is EvidenceKind.INJECT}
        bookmarks = {e.target_id for e in wanted if e.kind is EvidenceKind.BOOKMARK}
        with self._sessions() as session:
            if bookmarks:
                marked = set(session.scalars(select(ReplayBookmarkRow.id).where(
                    ReplayBookmarkRow.run_id == run_id, ReplayBookmarkRow.id.in_(bookmarks))))
                if bookmarks - marked:
                    raise ValidationFailed("a cited bookmark is not one of this run's replay bookmarks")
            if entries:
                known = set(session.scalars(select(LogRecordRow.entry_id).where(
                    LogRecordRow.run_id == run_id, LogRecordRow.entry_id.in_(entries))))
                if entries - known:
                    raise ValidationFailed("a cited log entry is not in this run's log")
            if injects:
                adhoc = set(session.scalars(select(AdhocInjectRow.id).where(
                    AdhocInjectRow.run_id == run_id, AdhocInjectRow.id.in_(injects))))
                planned = {i.id for i in self._run_service().frozen_scenario(run_id).injects}
                if injects - adhoc - planned:
                    raise ValidationFailed("a cited inject is not one of this run's injects")
        return tuple(wanted)

    @staticmethod
    def _add_evidence(session: Session, observation_id: str, run_id: str, revision: int,
                      evidence: Sequence[Evidence]) -> None:
        session.add_all(ObservationEvidenceRow(observation_id=observation_id, revision=revision, kind=item.kind.value,
                                               target_id=item.target_id, run_id=run_id, position=position)
                        for position, item in enumerate(evidence))

    def add_observation(self, run_id: str, *, objective_id: str | None, evaluator: str, rating: Rating | str | None,
                        text: str, strengths: str = "", improvements: str = "",
                        exercise_s: float = 0.0, evidence: Iterable[Evidence] = ()) -> Observation:
        checked = self._checked_observation(evaluator, rating, text)
        if exercise_s < 0:
            raise ValidationFailed("the exercise time of an observation cannot be negative")
        self._check(run_id, objective_id)
        cited = self._checked_evidence(run_id, evidence)
        row = ObservationRow(id=str(uuid.uuid4()), run_id=run_id, objective_id=objective_id, evaluator=evaluator,
                             rating=checked.value if checked else None, text=text, strengths=strengths,
                             improvements=improvements, created_at=self._now(), exercise_s=float(exercise_s),
                             device_id=self._device_id)
        with self._sessions() as session, session.begin():
            row.seq = next_seq(session, type(row), run_id)
            session.add(row)
            session.flush()
            self._add_evidence(session, row.id, run_id, 1, cited)
        return observation_of(row, cited)

    def revise_observation(self, observation_id: str, *, reason: str, objective_id: str | None, evaluator: str,
                           rating: Rating | str | None, text: str, strengths: str = "", improvements: str = "",
                           evidence: Iterable[Evidence] = ()) -> Observation:
        """Save a new version of the observation; the earlier one stays in its history."""
        _reason(reason, "a change to an observation")
        checked = self._checked_observation(evaluator, rating, text)
        current = self.observation(observation_id)
        self._check(current.run_id, objective_id)
        cited = self._checked_evidence(current.run_id, evidence)
        revised = replace(current, objective_id=objective_id, evaluator=evaluator, rating=checked, text=text,
                          strengths=strengths, improvements=improvements, evidence=cited)
        if revised == current:
            raise ValidationFailed("nothing was changed in the observation")
        return self._store_observation(revised, reason, withdrawn=False)

    def withdraw_observation(self, observation_id: str, reason: str) -> Observation:
        """Withdraw the observation with a reason; its text stays in the history and it no longer counts."""
        _reason(reason, "withdrawing an observation")
        return self._store_observation(self.observation(observation_id), reason, withdrawn=True)

    def _store_observation(self, version: Observation, reason: str, *, withdrawn: bool) -> Observation:
        with self._sessions() as session, session.begin():
            latest = self._observation_versions(session, [version.id])[version.id][-1]
            if latest.withdrawn:
                raise ValidationFailed("a withdrawn observation cannot be changed")
            number = latest.revision + 1
            row = ObservationRevisionRow(
                id=str(uuid.uuid4()), observation_id=version.id, revision=number, run_id=version.run_id,
                objective_id=version.objective_id, evaluator=version.evaluator,
                rating=version.rating.value if version.rating else None, text=version.text,
                strengths=version.strengths, improvements=version.improvements, reason=reason,
                withdrawn=withdrawn, created_at=self._now(), device_id=self._device_id)
            session.add(row)
            session.flush()
            self._add_evidence(session, version.id, version.run_id, number, version.evidence)
            return replace(version, revision=number, revised_at=_dt(row.created_at), revision_reason=reason,
                           withdrawn=withdrawn)

    @staticmethod
    def _observation_versions(session: Session, observation_ids: Sequence[str] | None = None, *,
                              bases: Sequence[ObservationRow] | None = None) -> dict[str, list[Observation]]:
        """Every version of the observations asked for (by id, or the rows given), oldest first."""
        if bases is None:
            bases = list(session.scalars(select(ObservationRow).where(ObservationRow.id.in_(observation_ids or ()))))
        ids = [row.id for row in bases]
        revisions: dict[str, list[ObservationRevisionRow]] = defaultdict(list)
        evidence: dict[tuple[str, int], list[ObservationEvidenceRow]] = defaultdict(list)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for revision in session.scalars(select(ObservationRevisionRow).where(
                    ObservationRevisionRow.observation_id.in_(chunk)).order_by(ObservationRevisionRow.revision)):
                revisions[revision.observation_id].append(revision)
            for cited in session.scalars(select(ObservationEvidenceRow).where(
                    ObservationEvidenceRow.observation_id.in_(chunk)).order_by(ObservationEvidenceRow.position)):
                evidence[(cited.observation_id, cited.revision)].append(cited)

        def cites(observation_id: str, revision: int) -> tuple[Evidence, ...]:
            return tuple(Evidence(EvidenceKind(row.kind), row.target_id)
                         for row in evidence.get((observation_id, revision), ()))

        versions: dict[str, list[Observation]] = {}
        for base in bases:
            first = observation_of(base, cites(base.id, 1))
            versions[base.id] = [first, *(_observation_version(first, row, cites(base.id, row.revision))
                                          for row in revisions.get(base.id, ()))]
        return versions

    def observation(self, observation_id: str) -> Observation:
        """The current version of one observation."""
        return self.observation_history(observation_id)[-1]

    def observation_history(self, observation_id: str) -> list[Observation]:
        """Every version of the observation, the first as written, the current one last."""
        with self._sessions() as session:
            versions = self._observation_versions(session, [observation_id]).get(observation_id)
        if not versions:
            raise ValidationFailed("that observation does not exist")
        return versions

    def observations(self, run_id: str, *, objective_id: str | None = None,
                     include_withdrawn: bool = False) -> list[Observation]:
        """The current version of each observation, in the order they were written (exercise time, then entry).

        ``objective_id`` keeps those whose current version is against that objective; withdrawn observations are
        left out unless asked for.
        """
        with self._sessions() as session:
            bases = list(session.scalars(
                select(ObservationRow).where(ObservationRow.run_id == run_id)
                .order_by(ObservationRow.exercise_s, ObservationRow.created_at, ObservationRow.seq)))
            versions = self._observation_versions(session, bases=bases)
        current = [versions[base.id][-1] for base in bases]
        return [o for o in current if (include_withdrawn or not o.withdrawn)
                and (objective_id is None or o.objective_id == objective_id)]

    def citations(self, run_id: str, kind: EvidenceKind, target_id: str) -> list[Observation]:
        """The observations whose current version cites this log entry or inject (withdrawn ones not)."""
        with self._sessions() as session:
            ids = sorted(set(session.scalars(select(ObservationEvidenceRow.observation_id).where(
                ObservationEvidenceRow.run_id == run_id, ObservationEvidenceRow.kind == EvidenceKind(kind).value,
                ObservationEvidenceRow.target_id == target_id))))
            versions = self._observation_versions(session, ids) if ids else {}
        wanted = Evidence(EvidenceKind(kind), target_id)
        current = [history[-1] for history in versions.values()]
        cited = [o for o in current if not o.withdrawn and wanted in o.evidence]
        return sorted(cited, key=lambda o: (o.exercise_s, o.created_at or datetime.min.replace(tzinfo=UTC), o.id))

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

    def revise_hotwash_note(self, note_id: str, *, reason: str, kind: HotwashKind | str, text: str,
                            objective_id: str | None = None, author: str = "") -> HotwashNote:
        _reason(reason, "a change to a hot wash note")
        checked = _enum(HotwashKind, kind, "a hot wash note")
        if not text.strip():
            raise ValidationFailed("a hot wash note needs some text")
        current = self.hotwash_note(note_id)
        self._check(current.run_id, objective_id)
        revised = replace(current, kind=checked, text=text, objective_id=objective_id, author=author)
        if revised == current:
            raise ValidationFailed("nothing was changed in the note")
        return self._store_hotwash(revised, reason, withdrawn=False)

    def withdraw_hotwash_note(self, note_id: str, reason: str) -> HotwashNote:
        _reason(reason, "withdrawing a hot wash note")
        return self._store_hotwash(self.hotwash_note(note_id), reason, withdrawn=True)

    def _store_hotwash(self, version: HotwashNote, reason: str, *, withdrawn: bool) -> HotwashNote:
        with self._sessions() as session, session.begin():
            latest = self._hotwash_versions(session, [version.id])[version.id][-1]
            if latest.withdrawn:
                raise ValidationFailed("a withdrawn hot wash note cannot be changed")
            row = HotwashNoteRevisionRow(
                id=str(uuid.uuid4()), note_id=version.id, revision=latest.revision + 1, run_id=version.run_id,
                kind=version.kind.value, text=version.text, objective_id=version.objective_id, author=version.author,
                reason=reason, withdrawn=withdrawn, created_at=self._now(), device_id=self._device_id)
            session.add(row)
            return replace(version, revision=row.revision, revised_at=_dt(row.created_at), revision_reason=reason,
                           withdrawn=withdrawn)

    @staticmethod
    def _hotwash_versions(session: Session, note_ids: Sequence[str] | None = None, *,
                          bases: Sequence[HotwashNoteRow] | None = None) -> dict[str, list[HotwashNote]]:
        if bases is None:
            bases = list(session.scalars(select(HotwashNoteRow).where(HotwashNoteRow.id.in_(note_ids or ()))))
        revisions: dict[str, list[HotwashNoteRevisionRow]] = defaultdict(list)
        ids = [row.id for row in bases]
        for start in range(0, len(ids), 500):
            for row in session.scalars(select(HotwashNoteRevisionRow).where(
                    HotwashNoteRevisionRow.note_id.in_(ids[start:start + 500]))
                    .order_by(HotwashNoteRevisionRow.revision)):
                revisions[row.note_id].append(row)
        versions: dict[str, list[HotwashNote]] = {}
        for base in bases:
            first = hotwash_of(base)
            versions[base.id] = [first, *(_hotwash_version(first, row) for row in revisions.get(base.id, ()))]
        return versions

    def hotwash_note(self, note_id: str) -> HotwashNote:
        return self.hotwash_history(note_id)[-1]

    def hotwash_history(self, note_id: str) -> list[HotwashNote]:
        with self._sessions() as session:
            versions = self._hotwash_versions(session, [note_id]).get(note_id)
        if not versions:
            raise ValidationFailed("that hot wash note does not exist")
        return versions

    def hotwash_notes(self, run_id: str, *, kind: HotwashKind | None = None,
                      include_withdrawn: bool = False) -> list[HotwashNote]:
        """The current version of each note, in the order they were written; ``kind`` is the current kind."""
        with self._sessions() as session:
            bases = list(session.scalars(select(HotwashNoteRow).where(HotwashNoteRow.run_id == run_id)
                                         .order_by(HotwashNoteRow.created_at, HotwashNoteRow.seq)))
            versions = self._hotwash_versions(session, bases=bases)
        current = [versions[base.id][-1] for base in bases]
        return [n for n in current if (include_withdrawn or not n.withdrawn)
                and (kind is None or n.kind is HotwashKind(kind))]

    # Improvement plan -------------------------------------------------------------------------------------

    @staticmethod
    def _checked_action(issue: str, action: str, capability_element: CapabilityElement | str,
                        start_date: date | None, due_date: date | None) -> CapabilityElement:
        if not issue.strip():
            raise ValidationFailed("an improvement action needs the issue it addresses")
        if not action.strip():
            raise ValidationFailed("an improvement action needs the corrective action")
        element = _enum(CapabilityElement, capability_element, "the capability element")
        if start_date and due_date and due_date < start_date:
            raise ValidationFailed("the completion date is before the start date")
        return element

    def add_improvement_action(self, run_id: str, *, issue: str, action: str,
                               capability_element: CapabilityElement | str = CapabilityElement.PLANNING,
                               owner_organisation: str = "", contact: str = "", start_date: date | None = None,
                               due_date: date | None = None, objective_id: str | None = None) -> ImprovementAction:
        element = self._checked_action(issue, action, capability_element, start_date, due_date)
        self._check(run_id, objective_id)
        row = ImprovementActionRow(id=str(uuid.uuid4()), run_id=run_id, issue=issue, action=action,
                                   capability_element=element.value, owner_organisation=owner_organisation,
                                   contact=contact, start_date=_iso(start_date), due_date=_iso(due_date),
                                   objective_id=objective_id, created_at=self._now())
        with self._sessions() as session, session.begin():
            row.seq = next_seq(session, type(row), run_id)
            session.add(row)
        return improvement_of(row)

    def revise_improvement_action(self, action_id: str, *, reason: str, issue: str, action: str,
                                  capability_element: CapabilityElement | str = CapabilityElement.PLANNING,
                                  owner_organisation: str = "", contact: str = "", start_date: date | None = None,
                                  due_date: date | None = None,
                                  objective_id: str | None = None) -> ImprovementAction:
        _reason(reason, "a change to an improvement action")
        element = self._checked_action(issue, action, capability_element, start_date, due_date)
        current = self.improvement_action(action_id)
        self._check(current.run_id, objective_id)
        revised = replace(current, issue=issue, action=action, capability_element=element,
                          owner_organisation=owner_organisation, contact=contact, start_date=start_date,
                          due_date=due_date, objective_id=objective_id)
        if revised == current:
            raise ValidationFailed("nothing was changed in the improvement action")
        return self._store_improvement(revised, reason, withdrawn=False)

    def withdraw_improvement_action(self, action_id: str, reason: str) -> ImprovementAction:
        _reason(reason, "withdrawing an improvement action")
        return self._store_improvement(self.improvement_action(action_id), reason, withdrawn=True)

    def _store_improvement(self, version: ImprovementAction, reason: str, *, withdrawn: bool) -> ImprovementAction:
        with self._sessions() as session, session.begin():
            latest = self._improvement_versions(session, [version.id])[version.id][-1]
            if latest.withdrawn:
                raise ValidationFailed("a withdrawn improvement action cannot be changed")
            row = ImprovementActionRevisionRow(
                id=str(uuid.uuid4()), action_id=version.id, revision=latest.revision + 1, run_id=version.run_id,
                issue=version.issue, action=version.action, capability_element=version.capability_element.value,
                owner_organisation=version.owner_organisation, contact=version.contact,
                start_date=_iso(version.start_date), due_date=_iso(version.due_date),
                objective_id=version.objective_id, reason=reason, withdrawn=withdrawn, created_at=self._now(),
                device_id=self._device_id)
            session.add(row)
            return replace(version, revision=row.revision, revised_at=_dt(row.created_at), revision_reason=reason,
                           withdrawn=withdrawn)

    @staticmethod
    def _improvement_versions(session: Session, action_ids: Sequence[str] | None = None, *,
                              bases: Sequence[ImprovementActionRow] | None = None
                              ) -> dict[str, list[ImprovementAction]]:
        if bases is None:
            bases = list(session.scalars(select(ImprovementActionRow).where(
                ImprovementActionRow.id.in_(action_ids or ()))))
        revisions: dict[str, list[ImprovementActionRevisionRow]] = defaultdict(list)
        ids = [row.id for row in bases]
        for start in range(0, len(ids), 500):
            for row in session.scalars(select(ImprovementActionRevisionRow).where(
                    ImprovementActionRevisionRow.action_id.in_(ids[start:start + 500]))
                    .order_by(ImprovementActionRevisionRow.revision)):
                revisions[row.action_id].append(row)
        versions: dict[str, list[ImprovementAction]] = {}
        for base in bases:
            first = improvement_of(base)
            versions[base.id] = [first, *(_improvement_version(first, row) for row in revisions.get(base.id, ()))]
        return versions

    def improvement_action(self, action_id: str) -> ImprovementAction:
        return self.improvement_history(action_id)[-1]

    def improvement_history(self, action_id: str) -> list[ImprovementAction]:
        with self._sessions() as session:
            versions = self._improvement_versions(session, [action_id]).get(action_id)
        if not versions:
            raise ValidationFailed("that improvement action does not exist")
        return versions

    def improvement_actions(self, run_id: str, *, include_withdrawn: bool = False) -> list[ImprovementAction]:
        """The improvement plan (current versions), soonest due first (undated actions last)."""
        with self._sessions() as session:
            bases = list(session.scalars(select(ImprovementActionRow).where(ImprovementActionRow.run_id == run_id)
                                         .order_by(ImprovementActionRow.seq, ImprovementActionRow.created_at)))
            versions = self._improvement_versions(session, bases=bases)
        actions = [versions[base.id][-1] for base in bases]
        actions = [a for a in actions if include_withdrawn or not a.withdrawn]
        return sorted(actions, key=lambda a: (a.due_date is None, a.due_date or date.min))

    # Executive summary ------------------------------------------------------------------------------------

    def propose_executive_summary(self, run_id: str) -> ExecutiveSummary:
        """Major strengths and primary areas for improvement drawn from the observations, for people to edit.

        Strengths come from the best-rated objectives first, areas for improvement from the most challenged
        (unrated observations after rated ones), each led by its objective's code.
        """
        self._check(run_id, None)
        codes = {o.id: (o.code, o.position) for o in self._run_service().frozen_scenario(run_id).objectives}
        order = list(Rating)
        observations = self.observations(run_id)

        def item(observation: Observation, text: str) -> str:
            code = codes.get(observation.objective_id or "", ("", 0))[0]
            return f"{code}: {text}" if code else text

        def place(observation: Observation) -> int:
            return codes.get(observation.objective_id or "", ("", len(codes)))[1]

        best_first = sorted((o for o in observations if o.strengths.strip()), key=lambda o: (
            order.index(o.rating) if o.rating else len(order), place(o)))
        worst_first = sorted((o for o in observations if o.improvements.strip()), key=lambda o: (
            -order.index(o.rating) if o.rating else 1, place(o)))
        return ExecutiveSummary(
            run_id=run_id,
            strengths=_summary_lines(item(o, o.strengths) for o in best_first)[:SUMMARY_ITEMS],
            improvements=_summary_lines(item(o, o.improvements) for o in worst_first)[:SUMMARY_ITEMS])

    def executive_summary(self, run_id: str) -> ExecutiveSummary:
        """The summary as last saved for the run, or one proposed from the observations if none was saved."""
        history = self.executive_summary_history(run_id)
        return history[-1] if history else self.propose_executive_summary(run_id)

    def executive_summary_history(self, run_id: str) -> list[ExecutiveSummary]:
        with self._sessions() as session:
            rows = session.scalars(select(ExecutiveSummaryRow).where(ExecutiveSummaryRow.run_id == run_id)
                                   .order_by(ExecutiveSummaryRow.revision))
            return [ExecutiveSummary(run_id=row.run_id, strengths=tuple(row.strengths.splitlines()),
                                     improvements=tuple(row.improvements.splitlines()), revision=row.revision,
                                     saved_at=_dt(row.created_at)) for row in rows]

    def save_executive_summary(self, run_id: str, *, strengths: Iterable[str],
                               improvements: Iterable[str]) -> ExecutiveSummary:
        """Keep the summary as edited, as a new version (earlier ones stay)."""
        self._check(run_id, None)
        kept_strengths, kept_improvements = _summary_lines(strengths), _summary_lines(improvements)
        with self._sessions() as session, session.begin():
            last = session.scalar(select(func.max(ExecutiveSummaryRow.revision))
                                  .where(ExecutiveSummaryRow.run_id == run_id)) or 0
            row = ExecutiveSummaryRow(id=str(uuid.uuid4()), run_id=run_id, revision=last + 1,
                                      strengths="\n".join(kept_strengths), improvements="\n".join(kept_improvements),
                                      created_at=self._now(), device_id=self._device_id)
            session.add(row)
        return ExecutiveSummary(run_id=run_id, strengths=kept_strengths, improvements=kept_improvements,
                                revision=row.revision, saved_at=_dt(row.created_at))

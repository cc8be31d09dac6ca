"""Syndicates: the parallel discussion groups of a run, their note-takers' laptops, answers and plenary read-backs.

A run's syndicates answer the same discussion questions (those of the run's frozen phases) and report back in
plenary. Their log entries stay in the one decision log: an entry names its syndicate, or — when it names none —
belongs to the syndicate whose note-taker's laptop wrote it (``syndicate_device``), which is how a note-taker's
merged log comes under its syndicate without a single stored record being changed.

Answers and read-backs are only ever added: a revised answer is a new one that replaces the old, and the old one
is kept. Every change is committed before the method returns.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ctpn_desktop.core.clock import TimeSource
from ctpn_desktop.core.entities import AnswerKind, Phase, Syndicate, SyndicateAnswer
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import syndicate_clause
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.storage.orm import LogRecordRow, RunRow, SyndicateAnswerRow, SyndicateDeviceRow, SyndicateRow

MAX_NAME = 200


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def syndicate_of(row: SyndicateRow, devices: Iterable[str] = ()) -> Syndicate:
    return Syndicate(id=row.id, run_id=row.run_id, name=row.name, members=tuple(json.loads(row.members or "[]")),
                     facilitator=row.facilitator, note_taker=row.note_taker, room=row.room, position=row.position,
                     devices=tuple(sorted(devices)))


def answer_of(row: SyndicateAnswerRow) -> SyndicateAnswer:
    return SyndicateAnswer(id=row.id, run_id=row.run_id, syndicate_id=row.syndicate_id, phase_id=row.phase_id,
                           question_index=row.question_index, question=row.question, kind=AnswerKind(row.kind),
                           text=row.text, author=row.author, created_at=_dt(row.created_at),
                           exercise_s=row.exercise_s, device_id=row.device_id, replaces_id=row.replaces_id)


def clean_members(members: Iterable[str]) -> tuple[str, ...]:
    """Names as typed, one each, blanks and repeats left out (in the order given)."""
    seen: dict[str, str] = {}
    for name in members:
        stripped = " ".join(name.split())
        if stripped and stripped.casefold() not in seen:
            seen[stripped.casefold()] = stripped
    return tuple(seen.values())


@dataclass(frozen=True)
class LogDevice:
    """A laptop that wrote in a run's log, and the syndicate it takes notes for (if any)."""

    device_id: str
    records: int
    loggists: tuple[str, ...]
    syndicate_id: str | None


class SyndicateService:
    def __init__(self, document: Document, source: TimeSource, device_id: str = "") -> None:
        self._document = document
        self._sessions = document.sessions
        self._source = source
        self._device_id = device_id
        self._frozen = RunService(document, source)
        """Reads the runs' frozen scenarios, which never change (its cached clocks are not used here)."""

    @property
    def device_id(self) -> str:
        return self._device_id

    def _now(self) -> str:
        return self._source.wall().astimezone(UTC).isoformat(timespec="microseconds")

    def _phases(self, run_id: str) -> tuple[Phase, ...]:
        return self._frozen.frozen_scenario(run_id).phases

    # Syndicates ------------------------------------------------------------------------------------------

    def syndicates(self, run_id: str) -> list[Syndicate]:
        """The run's syndicates in their order, each with the laptops that take notes for it."""
        with self._sessions() as session:
            return self._syndicates(session, run_id)

    @staticmethod
    def _syndicates(session: Session, run_id: str) -> list[Syndicate]:
        devices: dict[str, list[str]] = defaultdict(list)
        for syndicate_id, device in session.execute(select(SyndicateDeviceRow.syndicate_id,
                                                           SyndicateDeviceRow.device_id)
                                                    .where(SyndicateDeviceRow.run_id == run_id)):
            devices[syndicate_id].append(device)
        rows = session.scalars(select(SyndicateRow).where(SyndicateRow.run_id == run_id)
                               .order_by(SyndicateRow.position, SyndicateRow.created_at, SyndicateRow.id))
        return [syndicate_of(row, devices.get(row.id, ())) for row in rows]

    def syndicate(self, syndicate_id: str) -> Syndicate:
        with self._sessions() as session:
            row = self._row(session, syndicate_id)
            devices = session.scalars(select(SyndicateDeviceRow.device_id)
                                      .where(SyndicateDeviceRow.syndicate_id == syndicate_id))
            return syndicate_of(row, devices)

    @staticmethod
    def _row(session: Session, syndicate_id: str) -> SyndicateRow:
        row = session.get(SyndicateRow, syndicate_id)
        if row is None:
            raise ValidationFailed("that syndicate does not exist in this document")
        return row

    @staticmethod
    def _check_name(session: Session, run_id: str, name: str, syndicate_id: str | None) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValidationFailed("a syndicate needs a name")
        if len(name) > MAX_NAME:
            raise ValidationFailed(f"a syndicate's name can have at most {MAX_NAME} characters")
        others = session.scalars(select(SyndicateRow.name).where(SyndicateRow.run_id == run_id,
                                                                 SyndicateRow.id != (syndicate_id or "")))
        if name.casefold() in {other.casefold() for other in others}:
            raise ValidationFailed(f"this run already has a syndicate called {name!r}")
        return name

    def add(self, run_id: str, name: str, *, members: Iterable[str] = (), facilitator: str = "",
            note_taker: str = "", room: str = "") -> Syndicate:
        with self._sessions() as session, session.begin():
            if session.get(RunRow, run_id) is None:
                raise ValidationFailed("that run does not exist in this document")
            name = self._check_name(session, run_id, name, None)
            position = int(session.scalar(select(func.max(SyndicateRow.position))
                                          .where(SyndicateRow.run_id == run_id)) or 0) + 1
            row = SyndicateRow(id=str(uuid.uuid4()), run_id=run_id, name=name,
                               members=json.dumps(list(clean_members(members)), ensure_ascii=False),
                               facilitator=facilitator.strip(), note_taker=note_taker.strip(), room=room.strip(),
                               position=position, created_at=self._now())
            session.add(row)
            session.flush()
            return syndicate_of(row)

    def put(self, syndicate: Syndicate) -> Syndicate:
        """Store a syndicate's name, members, facilitator, note-taker, room and place in the order."""
        with self._sessions() as session, session.begin():
            row = self._row(session, syndicate.id)
            row.name = self._check_name(session, row.run_id, syndicate.name, syndicate.id)
            row.members = json.dumps(list(clean_members(syndicate.members)), ensure_ascii=False)
            row.facilitator, row.note_taker = syndicate.facilitator.strip(), syndicate.note_taker.strip()
            row.room, row.position = syndicate.room.strip(), syndicate.position
            session.flush()
            devices = session.scalars(select(SyndicateDeviceRow.device_id)
                                      .where(SyndicateDeviceRow.syndicate_id == row.id))
            return syndicate_of(row, devices)

    def delete(self, syndicate_id: str) -> None:
        """Remove a syndicate that nothing refers to yet; one with entries or answers is kept, and says why."""
        with self._sessions() as session, session.begin():
            row = self._row(session, syndicate_id)
            entries = session.scalar(select(func.count(func.distinct(LogRecordRow.entry_id))).where(
                LogRecordRow.run_id == row.run_id, syndicate_clause(LogRecordRow, row.run_id, syndicate_id)))
            answers = session.scalar(select(func.count()).select_from(SyndicateAnswerRow)
                                     .where(SyndicateAnswerRow.syndicate_id == syndicate_id))
            if entries or answers:
                raise ValidationFailed(f"{row.name} has {entries or 0} log entries and {answers or 0} answers; "
                                       "a syndicate with a record is kept")
            session.delete(row)

    def from_programme(self, run_id: str) -> list[Syndicate]:
        """Give the run the syndicates planned in its programme that it does not have yet (matched by name)."""
        planned = self._frozen.frozen_scenario(run_id).programme.syndicates
        have = {s.name.casefold() for s in self.syndicates(run_id)}
        added = []
        for plan in planned:
            if plan.name.strip().casefold() in have:
                continue
            added.append(self.add(run_id, plan.name, members=plan.members, facilitator=plan.facilitator,
                                  note_taker=plan.note_taker, room=plan.room))
            have.add(plan.name.strip().casefold())
        return added

    # Note-takers' laptops --------------------------------------------------------------------------------

    def assign_device(self, run_id: str, syndicate_id: str | None, device_id: str | None = None) -> None:
        """Count the entries of laptop ``device_id`` (this one by default) as ``syndicate_id``'s (None: as
        nobody's). Entries that name a syndicate keep it."""
        device = device_id or self._device_id
        if not device:
            raise ValidationFailed("this laptop has no device id to assign")
        with self._sessions() as session, session.begin():
            if syndicate_id is not None and self._row(session, syndicate_id).run_id != run_id:
                raise ValidationFailed("that syndicate belongs to another run")
            existing = session.scalars(select(SyndicateDeviceRow).where(SyndicateDeviceRow.run_id == run_id,
                                                                        SyndicateDeviceRow.device_id == device)).first()
            if existing is not None:
                if existing.syndicate_id == syndicate_id:
                    return
                session.delete(existing)
                session.flush()
            if syndicate_id is not None:
                session.add(SyndicateDeviceRow(id=str(uuid.uuid4()), run_id=run_id, syndicate_id=syndicate_id,
                                               device_id=device, assigned_at=self._now()))

    def syndicate_of_device(self, run_id: str, device_id: str | None = None) -> str | None:
        with self._sessions() as session:
            return session.scalar(select(SyndicateDeviceRow.syndicate_id).where(
                SyndicateDeviceRow.run_id == run_id, SyndicateDeviceRow.device_id == (device_id or self._device_id)))

    def log_devices(self, run_id: str) -> list[LogDevice]:
        """Every laptop that wrote in the run's log, with how much, who logged on it and its syndicate."""
        with self._sessions() as session:
            mapped = dict(session.execute(select(SyndicateDeviceRow.device_id, SyndicateDeviceRow.syndicate_id)
                                          .where(SyndicateDeviceRow.run_id == run_id)).all())
            counts: dict[str, int] = defaultdict(int)
            names: dict[str, set[str]] = defaultdict(set)
            for device, logged_by in session.execute(select(LogRecordRow.device_id, LogRecordRow.logged_by)
                                                     .where(LogRecordRow.run_id == run_id)):
                counts[device] += 1
                if logged_by.strip():
                    names[device].add(logged_by.strip())
        devices = set(counts) | set(mapped)
        return [LogDevice(d, counts.get(d, 0), tuple(sorted(names.get(d, ()), key=str.casefold)), mapped.get(d))
                for d in sorted(devices)]

    def resolver(self, run_id: str) -> Callable[[str | None, str], str | None]:
        """(the syndicate a record names, the laptop that wrote it) → the syndicate it belongs to, or None."""
        with self._sessions() as session:
            mapped = dict(session.execute(select(SyndicateDeviceRow.device_id, SyndicateDeviceRow.syndicate_id)
                                          .where(SyndicateDeviceRow.run_id == run_id)).all())

        def resolve(syndicate_id: str | None, device_id: str) -> str | None:
            return syndicate_id if syndicate_id is not None else mapped.get(device_id)

        return resolve

    # Answers and read-backs ------------------------------------------------------------------------------

    def answers(self, run_id: str, *, include_replaced: bool = False) -> list[SyndicateAnswer]:
        """In the order they were recorded; answers that a revision replaced are left out unless asked for."""
        with self._sessions() as session:
            rows = session.scalars(select(SyndicateAnswerRow).where(SyndicateAnswerRow.run_id == run_id)
                                   .order_by(SyndicateAnswerRow.created_at, SyndicateAnswerRow.id))
            answers = [answer_of(row) for row in rows]
        if include_replaced:
            return answers
        replaced = {a.replaces_id for a in answers if a.replaces_id}
        return [a for a in answers if a.id not in replaced]

    def add_answer(self, run_id: str, syndicate_id: str, *, phase_id: str | None, question_index: int | None,
                   text: str, kind: AnswerKind | str = AnswerKind.ANSWER, author: str = "",
                   exercise_s: float | None = None) -> SyndicateAnswer:
        """Record what a syndicate answered to a question of a phase (``question_index`` None: to the phase as a
        whole), or its read-back in plenary."""
        return self._insert(run_id, syndicate_id, phase_id=phase_id, question_index=question_index, text=text,
                            kind=kind, author=author, exercise_s=exercise_s, replaces=None)

    def revise_answer(self, answer_id: str, text: str, author: str = "") -> SyndicateAnswer:
        """A new answer in place of ``answer_id``; the old one is kept (and shown as replaced)."""
        with self._sessions() as session:
            old = session.get(SyndicateAnswerRow, answer_id)
            if old is None:
                raise ValidationFailed("that answer does not exist in this document")
            later = session.scalar(select(SyndicateAnswerRow.id).where(SyndicateAnswerRow.replaces_id == answer_id))
            if later is not None:
                raise ValidationFailed("that answer was already revised; revise the latest one")
            previous = answer_of(old)
        return self._insert(previous.run_id, previous.syndicate_id, phase_id=previous.phase_id,
                            question_index=previous.question_index, text=text, kind=previous.kind,
                            author=author or previous.author, exercise_s=None, replaces=previous.id)

    def _insert(self, run_id: str, syndicate_id: str, *, phase_id: str | None, question_index: int | None,
                text: str, kind: AnswerKind | str, author: str, exercise_s: float | None,
                replaces: str | None) -> SyndicateAnswer:
        if not text.strip():
            raise ValidationFailed("an answer needs some text")
        try:
            checked = AnswerKind(kind)
        except ValueError:
            raise ValidationFailed(f"an answer is an answer or a read-back, not {kind!r}") from None
        phases = {p.id: p for p in self._phases(run_id)}
        question = ""
        if phase_id is not None:
            phase = phases.get(phase_id)
            if phase is None:
                raise ValidationFailed("that phase is not part of this run")
            if question_index is not None:
                if not 0 <= question_index < len(phase.discussion_questions):
                    raise ValidationFailed(f"{phase.name} has no question {question_index + 1}")
                question = phase.discussion_questions[question_index]
        elif question_index is not None:
            raise ValidationFailed("a question belongs to a phase: choose the phase")
        if exercise_s is None:  # the clock as it stands now: a fresh reading of its anchors
            clock = RunService(self._document, self._source).clock(run_id)
            exercise_s = clock.elapsed() if clock.anchors else 0.0
        with self._sessions() as session, session.begin():
            if self._row(session, syndicate_id).run_id != run_id:
                raise ValidationFailed("that syndicate belongs to another run")
            row = SyndicateAnswerRow(id=str(uuid.uuid4()), run_id=run_id, syndicate_id=syndicate_id,
                                     phase_id=phase_id, question_index=question_index, question=question,
                                     kind=checked.value, text=text.strip(), author=author.strip(),
                                     created_at=self._now(), exercise_s=float(exercise_s),
                                     device_id=self._device_id, replaces_id=replaces)
            session.add(row)
            session.flush()
            return answer_of(row)


# Comparing syndicates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyndicateResponse:
    """What one syndicate said to one question: its answers and its read-backs, in the order recorded."""

    syndicate: Syndicate
    answers: tuple[SyndicateAnswer, ...] = ()
    readbacks: tuple[SyndicateAnswer, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.answers and not self.readbacks


@dataclass(frozen=True)
class QuestionComparison:
    """One discussion question (or a phase as a whole) with every syndicate's response side by side."""

    phase_id: str | None
    phase_name: str
    question_index: int | None
    question: str
    responses: tuple[SyndicateResponse, ...]

    @property
    def label(self) -> str:
        if self.question_index is None:
            return "The phase as a whole"
        return f"Question {self.question_index + 1}"

    @property
    def answered(self) -> int:
        return sum(not r.empty for r in self.responses)


def compare_syndicates(phases: Sequence[Phase], syndicates: Sequence[Syndicate],
                       answers: Sequence[SyndicateAnswer]) -> list[QuestionComparison]:
    """Every question of every phase in play order, each with each syndicate's answers and read-backs.

    A phase's "as a whole" line appears only when something was recorded against it; answers to a phase or
    question that the run does not have (which the service never stores) are not lost but shown last.
    """
    grouped: dict[tuple[str | None, int | None], list[SyndicateAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[(answer.phase_id, answer.question_index)].append(answer)

    def responses(key: tuple[str | None, int | None]) -> tuple[SyndicateResponse, ...]:
        given = grouped.pop(key, [])
        return tuple(SyndicateResponse(
            s, tuple(a for a in given if a.syndicate_id == s.id and a.kind is AnswerKind.ANSWER),
            tuple(a for a in given if a.syndicate_id == s.id and a.kind is AnswerKind.READBACK))
            for s in syndicates)

    lines: list[QuestionComparison] = []
    for phase in sorted(phases, key=lambda p: (p.start_offset_s, p.position)):
        for index, question in enumerate(phase.discussion_questions):
            lines.append(QuestionComparison(phase.id, phase.name, index, question, responses((phase.id, index))))
        if (phase.id, None) in grouped:
            lines.append(QuestionComparison(phase.id, phase.name, None, "", responses((phase.id, None))))
    for key in list(grouped):
        question = grouped[key][0].question
        lines.append(QuestionComparison(key[0], "General" if key[0] is None else "A phase not in this run", key[1],
                                        question, responses(key)))
    return lines

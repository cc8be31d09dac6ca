"""The tables of an exercise document (one SQLite file per exercise).

Everything that may later be merged between laptops has a UUID identity (stored as text). Run data refers to
the scenario through the run's frozen copy, never through foreign keys to the live scenario tables, so that a
designer's later edits can never rewrite what happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from ctpn_desktop.storage import fts

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Uuid = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentInfo(Base):
    """Key/value facts about the file itself (who created it, with which version)."""

    __tablename__ = "document_info"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ExerciseRow(Base):
    __tablename__ = "exercise"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    exercise_type: Mapped[str] = mapped_column(String(20))
    aim: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(Text, default="")
    planned_date: Mapped[str | None] = mapped_column(String(10))
    planned_duration_minutes: Mapped[int] = mapped_column(Integer, default=0)
    marking: Mapped[str] = mapped_column(Text, default="OFFICIAL")
    organiser: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(Text, default="1")
    threat: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(40))
    programme: Mapped[str | None] = mapped_column(Text)
    """The exercise programme as the JSON object of the scenario format; None when none is planned."""


class ObjectiveRow(Base):
    __tablename__ = "objective"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    capability: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class OrganisationRow(Base):
    __tablename__ = "organisation"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="agency")
    position: Mapped[int] = mapped_column(Integer, default=0)
    roles: Mapped[list[RoleRow]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="RoleRow.position"
    )


class RoleRow(Base):
    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20), default="other")
    position: Mapped[int] = mapped_column(Integer, default=0)
    organisation: Mapped[OrganisationRow] = relationship(back_populates="roles")


class PhaseRow(Base):
    __tablename__ = "phase"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    start_offset_s: Mapped[int] = mapped_column(Integer, default=0)
    scenario_start: Mapped[str | None] = mapped_column(String(40))
    narrative: Mapped[str] = mapped_column(Text, default="")
    discussion_questions: Mapped[str] = mapped_column(Text, default="[]")
    position: Mapped[int] = mapped_column(Integer, default=0)


class InjectRow(Base):
    __tablename__ = "inject"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    phase_id: Mapped[str | None] = mapped_column(ForeignKey("phase.id", ondelete="SET NULL"), index=True)
    planned_offset_s: Mapped[int] = mapped_column(Integer, index=True)
    scenario_time: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    delivery_method: Mapped[str] = mapped_column(String(32), default="verbal")
    event_type: Mapped[str] = mapped_column(String(32), default="inject")
    sender: Mapped[str] = mapped_column(Text, default="")
    expected_actions: Mapped[str] = mapped_column(Text, default="")
    controller_notes: Mapped[str] = mapped_column(Text, default="")
    storyline: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    depends_on_id: Mapped[str | None] = mapped_column(ForeignKey("inject.id", ondelete="SET NULL"))


class InjectRecipientRow(Base):
    __tablename__ = "inject_recipient"
    __table_args__ = (UniqueConstraint("inject_id", "organisation_id", "role_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inject_id: Mapped[str] = mapped_column(ForeignKey("inject.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[str | None] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class InjectObjectiveRow(Base):
    __tablename__ = "inject_objective"
    inject_id: Mapped[str] = mapped_column(ForeignKey("inject.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[str] = mapped_column(
        ForeignKey("objective.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class AttachmentRow(Base):
    __tablename__ = "attachment"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    inject_id: Mapped[str] = mapped_column(ForeignKey("inject.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RunRow(Base):
    """One conduct of the exercise; the scenario as it was frozen for it is its `RunScenarioRow`."""

    __tablename__ = "run"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(Text, default="")
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="ready")
    created_at: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[str | None] = mapped_column(String(40))
    ended_at: Mapped[str | None] = mapped_column(String(40))
    discarded: Mapped[bool] = mapped_column(Boolean, default=False)


class RunScenarioRow(Base):
    """The scenario frozen (scenario JSON v1) as it was when the run was made, apart from the run's row.

    The run's row changes with every press of the clock, and SQLite writes a whole row again when any of its
    columns changes: kept in the row, megabytes of frozen scenario were written with every pause."""

    __tablename__ = "run_scenario"
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), primary_key=True)
    frozen_scenario: Mapped[str] = mapped_column(Text)


class ClockAnchorRow(Base):
    __tablename__ = "clock_anchor"
    __table_args__ = (UniqueConstraint("run_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    wall_time: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float)
    running: Mapped[bool] = mapped_column(Boolean)
    compression: Mapped[float] = mapped_column(Float, default=1.0)
    reason: Mapped[str] = mapped_column(Text, default="")


class InjectEventRow(Base):
    __tablename__ = "inject_event"
    __table_args__ = (Index("ix_inject_event_run_seq", "run_id", "seq"),)
    """Also the index of ``run_id`` alone: a second one would cost every release a page write."""
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"))
    inject_id: Mapped[str] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    wall_time: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float)
    scenario_time: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    new_offset_s: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The order rows were written in (SQLite's rowid is not portable)."""


class AdhocInjectRow(Base):
    __tablename__ = "adhoc_inject"
    __table_args__ = (UniqueConstraint("run_id", "number"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, default="")
    delivery_method: Mapped[str] = mapped_column(String(32), default="verbal")
    recipients_text: Mapped[str] = mapped_column(Text, default="")
    phase_id: Mapped[str | None] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float)


class LogRecordRow(Base):
    """One revision of a decision-log entry. Rows are only ever inserted, never updated or deleted.

    Each row is chained by hash to the previous row of the same (run, device) chain, so the log that one
    laptop kept can be verified on its own and merged into another copy without re-chaining.
    """

    __tablename__ = "log_record"
    __table_args__ = (
        UniqueConstraint("run_id", "device_id", "chain_seq"),
        UniqueConstraint("entry_id", "revision"),
        Index("ix_log_record_run_logged", "run_id", "logged_at"),
        Index("ix_log_record_run_number", "run_id", "entry_number"),
    )
    """The (entry_id, revision) constraint's index is also the index of ``entry_id`` alone."""
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    entry_id: Mapped[str] = mapped_column(Uuid)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"))
    revision: Mapped[int] = mapped_column(Integer)
    entry_number: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[str] = mapped_column(String(64))
    chain_seq: Mapped[int] = mapped_column(Integer)
    logged_at: Mapped[str] = mapped_column(String(40))
    committed_at: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float)
    scenario_time: Mapped[str | None] = mapped_column(String(40))
    logged_by: Mapped[str] = mapped_column(Text, default="")
    decision_maker: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    options_considered: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="[]")
    inject_id: Mapped[str | None] = mapped_column(Uuid)
    objective_ids: Mapped[str] = mapped_column(Text, default="[]")
    jdm_stage: Mapped[int | None] = mapped_column(Integer)
    revision_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    syndicate_id: Mapped[str | None] = mapped_column(Uuid)
    """The syndicate the entry belongs to; hashed only when set, so records from before syndicates still verify."""


class SyndicateRow(Base):
    """A parallel discussion group of a run (name, members, facilitator, note-taker)."""

    __tablename__ = "syndicate"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(Text)
    members: Mapped[str] = mapped_column(Text, default="[]")
    facilitator: Mapped[str] = mapped_column(Text, default="")
    note_taker: Mapped[str] = mapped_column(Text, default="")
    room: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(40))


class SyndicateDeviceRow(Base):
    """A laptop that takes notes for a syndicate: its log entries without a syndicate of their own are the
    syndicate's. One syndicate per laptop and run."""

    __tablename__ = "syndicate_device"
    __table_args__ = (UniqueConstraint("run_id", "device_id"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"))
    syndicate_id: Mapped[str] = mapped_column(ForeignKey("syndicate.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[str] = mapped_column(String(40))


class SyndicateAnswerRow(Base):
    """A syndicate's answer to a discussion question, or its plenary read-back. Rows are only inserted: a
    revised answer is a new row that names the one it replaces."""

    __tablename__ = "syndicate_answer"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    syndicate_id: Mapped[str] = mapped_column(ForeignKey("syndicate.id", ondelete="RESTRICT"), index=True)
    phase_id: Mapped[str | None] = mapped_column(Uuid)
    question_index: Mapped[int | None] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float, default=0.0)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    replaces_id: Mapped[str | None] = mapped_column(Uuid)


class ObservationRow(Base):
    __tablename__ = "observation"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    evaluator: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(Text)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    exercise_s: Mapped[float] = mapped_column(Float, default=0.0)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The order rows were written in (SQLite's rowid is not portable)."""


class HotwashNoteRow(Base):
    __tablename__ = "hotwash_note"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The order rows were written in (SQLite's rowid is not portable)."""


class ImprovementActionRow(Base):
    __tablename__ = "improvement_action"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    issue: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    capability_element: Mapped[str] = mapped_column(String(20), default="planning")
    owner_organisation: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[str | None] = mapped_column(String(10))
    due_date: Mapped[str | None] = mapped_column(String(10))
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    created_at: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The order rows were written in (SQLite's rowid is not portable)."""


class RoomStationRow(Base):
    """A station that joined the shared room: who it is and the role it acts in (shared rooms only)."""

    __tablename__ = "room_station"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[str] = mapped_column(String(40))
    last_seen: Mapped[str] = mapped_column(String(40))


def next_seq(session: Session, model: type[Base], run_id: str) -> int:
    """The next ``seq`` of a run's rows of ``model``: one more than the highest so far."""
    column = model.seq  # type: ignore[attr-defined]
    highest = session.scalar(select(func.max(column)).where(model.run_id == run_id))  # type: ignore[attr-defined]
    return int(highest or 0) + 1


class ObservationRevisionRow(Base):
    """A later version of an observation (the `observation` row is version 1). Only ever inserted."""

    __tablename__ = "observation_revision"
    __table_args__ = (UniqueConstraint("observation_id", "revision"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    observation_id: Mapped[str] = mapped_column(ForeignKey("observation.id", ondelete="RESTRICT"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    evaluator: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(Text)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64), default="")


class ObservationEvidenceRow(Base):
    """A log entry or inject that one version of an observation cites as its evidence. Only ever inserted."""

    __tablename__ = "observation_evidence"
    observation_id: Mapped[str] = mapped_column(ForeignKey("observation.id", ondelete="RESTRICT"),
                                                primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    target_id: Mapped[str] = mapped_column(Uuid, primary_key=True, index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class HotwashNoteRevisionRow(Base):
    """A later version of a hot-wash note (the `hotwash_note` row is version 1). Only ever inserted."""

    __tablename__ = "hotwash_note_revision"
    __table_args__ = (UniqueConstraint("note_id", "revision"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("hotwash_note.id", ondelete="RESTRICT"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64), default="")


class ImprovementActionRevisionRow(Base):
    """A later version of an improvement action (the `improvement_action` row is version 1). Only ever inserted."""

    __tablename__ = "improvement_action_revision"
    __table_args__ = (UniqueConstraint("action_id", "revision"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("improvement_action.id", ondelete="RESTRICT"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    issue: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    capability_element: Mapped[str] = mapped_column(String(20), default="planning")
    owner_organisation: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[str | None] = mapped_column(String(10))
    due_date: Mapped[str | None] = mapped_column(String(10))
    objective_id: Mapped[str | None] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64), default="")


class ExecutiveSummaryRow(Base):
    """One saved version of a run's executive summary (major strengths, primary areas for improvement).

    Items are stored one per line. Only ever inserted: the latest revision is the one the debrief prints.
    """

    __tablename__ = "executive_summary"
    __table_args__ = (UniqueConstraint("run_id", "revision"),)
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64), default="")


class ReplayBookmarkRow(Base):
    """A moment of a run marked in its replay (at the debrief), to come back to and to cite in observations.

    Only ever inserted: an observation may cite it, so it stays as it was made."""

    __tablename__ = "replay_bookmark"
    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("run.id", ondelete="RESTRICT"), index=True)
    at_wall: Mapped[str] = mapped_column(String(40))
    """The moment marked, as the wall time on the run's record (exercise time alone can repeat)."""
    exercise_s: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(64), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The order rows were written in (SQLite's rowid is not portable)."""


def utc_text(moment: datetime) -> str:
    """Timestamps are stored as ISO text with microseconds so that they sort and survive round trips."""
    return moment.isoformat(timespec="microseconds")


fts.attach_to(Base.metadata)

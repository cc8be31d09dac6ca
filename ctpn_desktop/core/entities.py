"""Plain values that services hand to the UI, the CLI and the reports.

They are frozen so that a view can keep them without fearing that a later edit changes what it shows; a
mutation returns new values instead.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time


class ExerciseType(enum.StrEnum):
    TABLE_TOP = "table-top"
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    FUNCTIONAL = "functional"

    @property
    def label(self) -> str:
        return {
            "table-top": "Table-top",
            "workshop": "Workshop",
            "seminar": "Seminar",
            "functional": "Functional",
        }[self.value]


class DeliveryMethod(enum.StrEnum):
    VERBAL = "verbal"
    HANDOUT = "handout"
    PHONE = "phone"
    EMAIL = "email"
    RADIO = "radio"
    VIDEO = "video"
    NEWS = "news"
    SOCIAL_MEDIA = "social-media"
    MAP = "map"
    INCIDENT_SYSTEM = "incident-system"
    SIMCELL = "simcell"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self]


_DELIVERY_LABELS = {
    DeliveryMethod.VERBAL: "Verbal / in person",
    DeliveryMethod.HANDOUT: "Handout",
    DeliveryMethod.PHONE: "Phone",
    DeliveryMethod.EMAIL: "Email",
    DeliveryMethod.RADIO: "Radio",
    DeliveryMethod.VIDEO: "Video",
    DeliveryMethod.NEWS: "News broadcast",
    DeliveryMethod.SOCIAL_MEDIA: "Social media",
    DeliveryMethod.MAP: "Map",
    DeliveryMethod.INCIDENT_SYSTEM: "Incident-management system",
    DeliveryMethod.SIMCELL: "SimCell",
    DeliveryMethod.OTHER: "Other",
}


class EventType(enum.StrEnum):
    """HSEEP event types of an MSEL row."""

    INJECT = "inject"
    CONTINGENCY = "contingency"
    CONTROLLER_ACTION = "controller-action"
    PLAYER_ACTION = "player-action"
    ACTOR_ACTION = "actor-action"


class InjectStatus(enum.StrEnum):
    """Planning status of an MSEL row (not what happened in a run)."""

    DRAFT = "draft"
    READY = "ready"


class OrganisationKind(enum.StrEnum):
    AGENCY = "agency"
    CELL = "cell"


class CommandLevel(enum.StrEnum):
    STRATEGIC = "strategic"
    TACTICAL = "tactical"
    OPERATIONAL = "operational"
    OTHER = "other"


class RunStatus(enum.StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    HALTED = "halted"
    ENDED = "ended"


class ClockEventKind(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    ADJUST = "adjust"
    COMPRESSION = "compression"
    HALT = "halt"
    END = "end"


class InjectEventKind(enum.StrEnum):
    RELEASED = "released"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    RETIMED = "retimed"
    PHASE_STARTED = "phase-started"


class LogKind(enum.StrEnum):
    DECISION = "decision"
    ACTION = "action"
    INFORMATION = "information"
    OBSERVATION = "observation"
    ISSUE = "issue"


class JdmStage(enum.IntEnum):
    """The five stages of the JESIP Joint Decision Model."""

    GATHER_INFORMATION = 1
    ASSESS_RISKS = 2
    POWERS_POLICIES = 3
    OPTIONS = 4
    TAKE_ACTION = 5

    @property
    def label(self) -> str:
        return {
            1: "Gather information and intelligence",
            2: "Assess risks and develop a working strategy",
            3: "Consider powers, policies and procedures",
            4: "Identify options and contingencies",
            5: "Take action and review what happened",
        }[self.value]


class Rating(enum.StrEnum):
    """HSEEP ratings of performance against an objective."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"

    @property
    def label(self) -> str:
        return {
            "P": "Performed without challenges",
            "S": "Performed with some challenges",
            "M": "Performed with major challenges",
            "U": "Unable to be performed",
        }[self.value]


class HotwashKind(enum.StrEnum):
    STRENGTH = "strength"
    IMPROVEMENT = "improvement"
    LESSON = "lesson"


class CapabilityElement(enum.StrEnum):
    PLANNING = "planning"
    ORGANISATION = "organisation"
    EQUIPMENT = "equipment"
    TRAINING = "training"
    EXERCISE = "exercise"


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    title: str
    exercise_type: ExerciseType
    aim: str = ""
    narrative: str = ""
    venue: str = ""
    planned_date: date | None = None
    planned_duration_minutes: int = 0
    marking: str = "OFFICIAL"
    organiser: str = ""
    author: str = ""
    version: str = "1"
    threat: str = ""
    scope: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    code: str
    statement: str
    capability: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    organisation_id: str
    key: str
    name: str
    level: CommandLevel = CommandLevel.OTHER
    position: int = 0


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    key: str
    name: str
    short_name: str = ""
    kind: OrganisationKind = OrganisationKind.AGENCY
    position: int = 0
    roles: tuple[Role, ...] = ()

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
class Phase:
    id: str
    key: str
    name: str
    start_offset_s: int
    scenario_start: datetime | None = None
    narrative: str = ""
    discussion_questions: tuple[str, ...] = ()
    position: int = 0


@dataclass(frozen=True, slots=True)
class Recipient:
    """An organisation, optionally narrowed to one of its roles."""

    organisation_id: str
    role_id: str | None = None


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Inject:
    id: str
    number: int
    title: str
    planned_offset_s: int
    position: int = 0
    phase_id: str | None = None
    scenario_time: datetime | None = None
    content: str = ""
    delivery_method: DeliveryMethod = DeliveryMethod.VERBAL
    event_type: EventType = EventType.INJECT
    sender: str = ""
    expected_actions: str = ""
    controller_notes: str = ""
    storyline: str = ""
    status: InjectStatus = InjectStatus.DRAFT
    depends_on_id: str | None = None
    recipients: tuple[Recipient, ...] = ()
    objective_ids: tuple[str, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()


class AgendaKind(enum.StrEnum):
    """What an item of the exercise programme is, so the printed agenda can set breaks and play apart."""

    ARRIVAL = "arrival"
    WELCOME = "welcome"
    BRIEFING = "briefing"
    PRESENTATION = "presentation"
    EXERCISE = "exercise"
    SYNDICATE = "syndicate"
    PLENARY = "plenary"
    BREAK = "break"
    HOTWASH = "hotwash"
    CLOSE = "close"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _AGENDA_LABELS[self]


_AGENDA_LABELS = {
    AgendaKind.ARRIVAL: "Arrival and registration",
    AgendaKind.WELCOME: "Welcome",
    AgendaKind.BRIEFING: "Briefing",
    AgendaKind.PRESENTATION: "Presentation",
    AgendaKind.EXERCISE: "Exercise play",
    AgendaKind.SYNDICATE: "Syndicate discussion",
    AgendaKind.PLENARY: "Plenary",
    AgendaKind.BREAK: "Break",
    AgendaKind.HOTWASH: "Hot wash",
    AgendaKind.CLOSE: "Close",
    AgendaKind.OTHER: "Other",
}


@dataclass(frozen=True, slots=True)
class Speaker:
    """Someone named in the programme: a speaker, chair or facilitator of a session."""

    key: str
    name: str
    role: str = ""
    organisation: str = ""
    biography: str = ""


@dataclass(frozen=True, slots=True)
class AgendaItem:
    start: time
    title: str
    end: time | None = None
    kind: AgendaKind = AgendaKind.OTHER
    speakers: tuple[str, ...] = ()
    """Keys of `Programme.speakers`."""
    location: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class ProgrammeSession:
    """A block of the day (a morning, an afternoon, a second day), with its agenda items in time order."""

    title: str
    day: date | None = None
    location: str = ""
    chair: str = ""
    items: tuple[AgendaItem, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedSyndicate:
    """A syndicate as planned in the programme; a run's syndicates can be made from these."""

    name: str
    room: str = ""
    facilitator: str = ""
    note_taker: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Programme:
    """The exercise programme handed to participants: nothing in it is for controllers only."""

    introduction: str = ""
    venue_details: str = ""
    contact: str = ""
    notes: str = ""
    sessions: tuple[ProgrammeSession, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    syndicates: tuple[PlannedSyndicate, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == Programme()

    def speaker(self, key: str) -> Speaker | None:
        return next((s for s in self.speakers if s.key == key), None)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a designer edits, as one consistent snapshot."""

    exercise: Exercise
    objectives: tuple[Objective, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    phases: tuple[Phase, ...] = ()
    injects: tuple[Inject, ...] = ()
    programme: Programme = Programme()
    """What participants are handed before the day (agenda, speakers, syndicates); empty when not planned."""

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)

    def organisation(self, organisation_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == organisation_id), None)

    def phase(self, phase_id: str | None) -> Phase | None:
        return next((p for p in self.phases if p.id == phase_id), None)

    def role(self, role_id: str) -> Role | None:
        for organisation in self.organisations:
            for role in organisation.roles:
                if role.id == role_id:
                    return role
        return None

    def recipient_label(self, recipient: Recipient) -> str:
        organisation = self.organisation(recipient.organisation_id)
        name = organisation.display_name if organisation else "?"
        if recipient.role_id:
            role = self.role(recipient.role_id)
            return f"{name} – {role.name if role else '?'}"
        return name


@dataclass(frozen=True, slots=True)
class ClockAnchor:
    """A persisted point from which the exercise clock is computed, never accumulated."""

    seq: int
    kind: ClockEventKind
    wall_time: datetime
    exercise_s: float
    running: bool
    compression: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: str
    number: int
    label: str
    rehearsal: bool
    status: RunStatus
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InjectEvent:
    id: str
    run_id: str
    inject_id: str
    kind: InjectEventKind
    wall_time: datetime
    exercise_s: float
    scenario_time: datetime | None
    actor: str = ""
    note: str = ""
    new_offset_s: int | None = None
    pending: bool = False
    """Kept on this station while a shared room's server is away; sent, first release winning, when it is back."""
    seq: int = 0
    """The order the document recorded it in (its run's events are folded in this order); 0 while it is kept on
    this station."""


@dataclass(frozen=True, slots=True)
class ActionItem:
    action: str
    owner: str = ""


@dataclass(frozen=True, slots=True)
class LogRevision:
    """One stored version of a log entry; revision 1 is what was first typed."""

    id: str
    entry_id: str
    run_id: str
    revision: int
    entry_number: int
    device_id: str
    chain_seq: int
    logged_at: datetime
    committed_at: datetime
    exercise_s: float
    scenario_time: datetime | None
    logged_by: str
    decision_maker: str
    organisation: str
    kind: LogKind
    text: str
    rationale: str = ""
    options_considered: str = ""
    actions: tuple[ActionItem, ...] = ()
    inject_id: str | None = None
    objective_ids: tuple[str, ...] = ()
    jdm_stage: JdmStage | None = None
    revision_reason: str = ""
    withdrawn: bool = False
    prev_hash: str = ""
    hash: str = ""
    pending: bool = False
    """Kept on this station while a shared room's server is away: it gets its number when it reaches the room."""
    syndicate_id: str | None = None
    """The syndicate whose discussion this entry records; None for plenary (or a run without syndicates)."""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A log entry as people see it: its current revision and every earlier one."""

    current: LogRevision
    history: tuple[LogRevision, ...] = field(default=())

    @property
    def entry_id(self) -> str:
        return self.current.entry_id

    @property
    def corrected(self) -> bool:
        return self.current.revision > 1


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    path: str
    title: str
    marking: str
    schema_revision: str
    objectives: int
    organisations: int
    roles: int
    phases: int
    injects: int
    attachments: int
    runs: int
    log_entries: int
    observations: int
    improvement_actions: int


@dataclass(frozen=True, slots=True)
class AdhocInject:
    """An inject written live by the facilitator during a run."""

    id: str
    run_id: str
    number: int
    title: str
    content: str
    created_at: datetime
    exercise_s: float
    delivery_method: DeliveryMethod = DeliveryMethod.VERBAL
    recipients_text: str = ""
    phase_id: str | None = None
    author: str = ""


class EvidenceKind(enum.StrEnum):
    """What an observation can cite as its evidence."""

    LOG_ENTRY = "log-entry"
    INJECT = "inject"
    BOOKMARK = "bookmark"
    """A moment of the run's replay, bookmarked at the debrief."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A log entry (by entry id), an inject (planned or ad hoc, by id) or a replay bookmark that an observation
    cites."""

    kind: EvidenceKind
    target_id: str


@dataclass(frozen=True, slots=True)
class Observation:
    """One version of an observation; revision 1 is what was first written.

    ``created_at`` is when the observation was first written, ``revised_at`` when this version was saved (None for
    the first). A withdrawn version keeps the text it withdrew, with the reason.
    """

    id: str
    run_id: str
    objective_id: str | None
    evaluator: str
    rating: Rating | None
    text: str
    strengths: str = ""
    improvements: str = ""
    created_at: datetime | None = None
    exercise_s: float = 0.0
    device_id: str = ""
    revision: int = 1
    revised_at: datetime | None = None
    revision_reason: str = ""
    withdrawn: bool = False
    evidence: tuple[Evidence, ...] = ()

    @property
    def revised(self) -> bool:
        return self.revision > 1


@dataclass(frozen=True, slots=True)
class HotwashNote:
    id: str
    run_id: str
    kind: HotwashKind
    text: str
    objective_id: str | None = None
    author: str = ""
    created_at: datetime | None = None
    revision: int = 1
    revised_at: datetime | None = None
    revision_reason: str = ""
    withdrawn: bool = False

    @property
    def revised(self) -> bool:
        return self.revision > 1


@dataclass(frozen=True, slots=True)
class ImprovementAction:
    id: str
    run_id: str
    issue: str
    action: str
    capability_element: CapabilityElement = CapabilityElement.PLANNING
    owner_organisation: str = ""
    contact: str = ""
    start_date: date | None = None
    due_date: date | None = None
    objective_id: str | None = None
    created_at: datetime | None = None
    revision: int = 1
    revised_at: datetime | None = None
    revision_reason: str = ""
    withdrawn: bool = False

    @property
    def revised(self) -> bool:
        return self.revision > 1


@dataclass(frozen=True, slots=True)
class ExecutiveSummary:
    """The executive summary of a run: its major strengths and primary areas for improvement, one item each.

    ``revision`` 0 means nothing was saved yet and the items are proposed from the observations.
    """

    run_id: str
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    revision: int = 0
    saved_at: datetime | None = None

    @property
    def proposed(self) -> bool:
        return self.revision == 0


@dataclass(frozen=True, slots=True)
class Syndicate:
    """A parallel discussion group of one run, with its facilitator and note-taker."""

    id: str
    run_id: str
    name: str
    members: tuple[str, ...] = ()
    facilitator: str = ""
    note_taker: str = ""
    room: str = ""
    position: int = 0
    devices: tuple[str, ...] = ()
    """The laptops whose log entries count as this syndicate's unless an entry names another."""


class AnswerKind(enum.StrEnum):
    ANSWER = "answer"
    READBACK = "readback"

    @property
    def label(self) -> str:
        return "Answer" if self is AnswerKind.ANSWER else "Plenary read-back"


@dataclass(frozen=True, slots=True)
class SyndicateAnswer:
    """A syndicate's answer to a phase's discussion question, or its read-back of it in plenary.

    ``question_index`` is the question's place in the phase as frozen in the run (None: the phase as a whole);
    the question's text is kept beside it. A revised answer is a new one that ``replaces`` the old, which stays.
    """

    id: str
    run_id: str
    syndicate_id: str
    phase_id: str | None
    question_index: int | None
    question: str
    kind: AnswerKind
    text: str
    author: str = ""
    created_at: datetime | None = None
    exercise_s: float = 0.0
    device_id: str = ""
    replaces_id: str | None = None

"""The roles a station takes in a shared room, and what each may do.

A facilitator runs the clock and everything else; controllers deliver (release) injects; note-takers keep the
decision log; evaluators record the evaluation; observers only watch. Anyone but an observer may call a
real-world emergency halt: whoever hears the stop phrase must be able to stop play at once. A single exercise
file on one laptop is run by one person, who acts as facilitator.

The services refuse what a station's role does not allow (`Station.require`), and the window disables the
same commands, so a refusal is a second line of defence, not the way people find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ctpn_desktop.core.errors import PermissionRefused


class StationRole(StrEnum):
    FACILITATOR = "facilitator"
    CONTROLLER = "controller"
    NOTE_TAKER = "note-taker"
    EVALUATOR = "evaluator"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[StationRole, str] = {
    StationRole.FACILITATOR: "Facilitator",
    StationRole.CONTROLLER: "Controller",
    StationRole.NOTE_TAKER: "Note-taker",
    StationRole.EVALUATOR: "Evaluator",
    StationRole.OBSERVER: "Observer",
}


class Permission(StrEnum):
    EDIT_SCENARIO = "edit the scenario"
    MANAGE_RUNS = "create or discard runs"
    DRIVE_CLOCK = "run the exercise clock or move between phases"
    HALT = "halt play"
    RELEASE = "release, skip, defer or re-time injects"
    LOG = "write in the decision log"
    EVALUATE = "record observations, the hot wash or the improvement plan"
    MERGE = "merge another copy's log"
    PUBLISH = "write the room to a file or change the room itself"


ROLE_PERMISSIONS: dict[StationRole, frozenset[Permission]] = {
    StationRole.FACILITATOR: frozenset(Permission),
    StationRole.CONTROLLER: frozenset({Permission.RELEASE, Permission.LOG, Permission.HALT}),
    StationRole.NOTE_TAKER: frozenset({Permission.LOG, Permission.HALT}),
    StationRole.EVALUATOR: frozenset({Permission.EVALUATE, Permission.HALT}),
    StationRole.OBSERVER: frozenset(),
}

ROLE_DUTIES: dict[StationRole, str] = {
    StationRole.FACILITATOR: "runs the clock, releases injects and can do everything else",
    StationRole.CONTROLLER: "releases injects and writes in the log",
    StationRole.NOTE_TAKER: "writes in the decision log",
    StationRole.EVALUATOR: "records observations, the hot wash and the improvement plan",
    StationRole.OBSERVER: "watches: sees everything and changes nothing",
}


_SCENARIO_TABLES = ("exercise", "objective", "organisation", "role", "phase", "inject", "inject_recipient",
                    "inject_objective", "attachment")
TABLE_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    **{table: (Permission.EDIT_SCENARIO,) for table in _SCENARIO_TABLES},
    "run": (Permission.MANAGE_RUNS, Permission.DRIVE_CLOCK, Permission.HALT),
    "run_scenario": (Permission.MANAGE_RUNS,),
    "clock_anchor": (Permission.DRIVE_CLOCK, Permission.HALT),
    "inject_event": (Permission.RELEASE, Permission.DRIVE_CLOCK),
    "adhoc_inject": (Permission.RELEASE,),
    "log_record": (Permission.LOG,),
    "log_record_terms": (Permission.LOG,),
    "observation": (Permission.EVALUATE,),
    "hotwash_note": (Permission.EVALUATE,),
    "improvement_action": (Permission.EVALUATE,),
    "observation_revision": (Permission.EVALUATE,),
    "observation_evidence": (Permission.EVALUATE,),
    "hotwash_note_revision": (Permission.EVALUATE,),
    "improvement_action_revision": (Permission.EVALUATE,),
    "executive_summary": (Permission.EVALUATE,),
    "replay_bookmark": (Permission.EVALUATE, Permission.LOG),
    "syndicate": (Permission.MANAGE_RUNS,),
    "syndicate_device": (Permission.LOG, Permission.MANAGE_RUNS),
    "syndicate_answer": (Permission.LOG,),
    "document_info": (Permission.PUBLISH,),
    "room_station": (),
}
"""Who may write each table: any one of the permissions will do, and the first is the one a refusal names.
Every station may record itself in ``room_station``. A test checks that no table is missing."""


def roles_allowed(permission: Permission) -> list[StationRole]:
    return [role for role in StationRole if permission in ROLE_PERMISSIONS[role]]


@dataclass(frozen=True)
class Station:
    """This computer as the exercise sees it: its device id, the name people know it by, and its role."""

    id: str
    name: str = ""
    role: StationRole = StationRole.FACILITATOR

    @classmethod
    def solo(cls, device_id: str = "") -> Station:
        """One laptop with its own exercise file: one person does everything."""
        return cls(device_id, "", StationRole.FACILITATOR)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionRefused(self.role.label, permission.value,
                                    [role.label.lower() for role in roles_allowed(permission)])

    def check_write(self, table: str) -> None:
        """Refuse a write to ``table`` that this station's role does not allow (the services' last line)."""
        needed = TABLE_PERMISSIONS.get(table, (Permission.PUBLISH,))
        if needed and not set(needed) & ROLE_PERMISSIONS[self.role]:
            self.require(needed[0])

    @property
    def read_only(self) -> bool:
        return not ROLE_PERMISSIONS[self.role]

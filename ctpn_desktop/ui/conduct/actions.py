"""The commands of the Run menu and their shortcuts, declared once.

They use the same `ActionSpec` as the main window's registry; their keys avoid the main window's own. Function
keys drive the clock so that one hand can run it; the emergency halt has a key that is hard to press by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from ctpn_desktop.core.roles import Permission

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.actions import ActionSpec, build_action

# The conduct icons (qtawesome names), kept with the commands that use them.
NEW_RUN = "mdi6.plus-circle-outline"
PLAY = "mdi6.play"
PAUSE = "mdi6.pause"
STOP = "mdi6.stop"
RELEASE = "mdi6.send"
SKIP = "mdi6.skip-next"
DEFER = "mdi6.clock-plus-outline"
RETIME = "mdi6.clock-edit-outline"
ADHOC = "mdi6.pencil-plus-outline"
JUMP = "mdi6.skip-forward"
NEXT_PHASE = "mdi6.page-next-outline"
HALT = "mdi6.alert-octagon"
PRESENTER = "mdi6.projector-screen-outline"
STAND_BY = "mdi6.monitor-off"
SOUND = "mdi6.volume-high"
DISCARD = "mdi6.delete-outline"
REPLAY = "mdi6.history"


class RunAction(enum.Enum):
    NEW_RUN = enum.auto()
    START = enum.auto()
    PAUSE = enum.auto()
    RESUME = enum.auto()
    END = enum.auto()
    RELEASE = enum.auto()
    SKIP = enum.auto()
    DEFER = enum.auto()
    RETIME = enum.auto()
    ADHOC = enum.auto()
    NEXT_INJECT = enum.auto()
    NEXT_PHASE = enum.auto()
    SKIP_EARLIER_PHASES = enum.auto()
    ADJUST = enum.auto()
    HALT = enum.auto()
    PRESENTER = enum.auto()
    SHOW_ON_PRESENTER = enum.auto()
    STAND_BY = enum.auto()
    PLENARY = enum.auto()
    SOUND = enum.auto()
    DISCARD = enum.auto()
    REPLAY = enum.auto()


SPECS: dict[RunAction, ActionSpec] = {
    RunAction.NEW_RUN: ActionSpec("&New Run…", "Start a new run (real or rehearsal) with the scenario as it is now",
                                  NEW_RUN, keys=("Ctrl+Shift+N",), needs_document=True),
    RunAction.START: ActionSpec("&Start Clock (STARTEX)", "Start the exercise clock", PLAY, keys=("F5",)),
    RunAction.PAUSE: ActionSpec("&Pause Clock", "Pause the exercise clock", PAUSE, keys=("F6",)),
    RunAction.RESUME: ActionSpec("Res&ume Clock", "Run the exercise clock again", PLAY, keys=("F7",)),
    RunAction.END: ActionSpec("&End Run (ENDEX)…", "Stop the clock for good and close the run", STOP),
    RunAction.RELEASE: ActionSpec("&Release Inject", "Release the selected inject, or the first one due, to the "
                                  "players", RELEASE, keys=("Ctrl+R",)),
    RunAction.SKIP: ActionSpec("S&kip Inject…", "Skip the selected inject, with a note", SKIP,
                               keys=("Ctrl+K",)),
    RunAction.DEFER: ActionSpec("&Defer Inject…", "Move the selected inject later by a number of minutes",
                                DEFER, keys=("Ctrl+E",)),
    RunAction.RETIME: ActionSpec("Re-&time Inject…", "Give the selected inject a new exercise time", RETIME,
                                 keys=("Ctrl+Shift+T",)),
    RunAction.ADHOC: ActionSpec("&Ad-hoc Inject…", "Write an inject now and release it to the players", ADHOC,
                                keys=("Ctrl+Shift+A",)),
    RunAction.NEXT_INJECT: ActionSpec("Jump to Next &Inject", "Move the clock forward to the next inject's time",
                                      JUMP, keys=("Ctrl+Shift+J",)),
    RunAction.NEXT_PHASE: ActionSpec("Next P&hase", "Move play to the next phase and show it on the presenter "
                                     "display", NEXT_PHASE, keys=("Ctrl+Shift+P",)),
    RunAction.SKIP_EARLIER_PHASES: ActionSpec("Skip O&verdue of Earlier Phases…", "Skip, after a confirmation, "
                                              "every inject of the phases before this one that was never released",
                                              SKIP),
    RunAction.ADJUST: ActionSpec("Ad&just Clock…", "Set the exercise clock by hand, with a reason", icons.CLOCK),
    RunAction.HALT: ActionSpec("EMERGENCY &HALT", "Real-world emergency: stop play at once and record it",
                               HALT, keys=("Ctrl+Shift+H",)),
    RunAction.PRESENTER: ActionSpec("Presenter &Display", "Show the players' display full screen on the chosen "
                                    "screen", PRESENTER, keys=("Ctrl+Shift+F",), checkable=True),
    RunAction.SHOW_ON_PRESENTER: ActionSpec("Show Selected on Presenter", "Show the selected released inject on "
                                            "the presenter display again", PRESENTER, keys=("Ctrl+Shift+I",)),
    RunAction.STAND_BY: ActionSpec("Presenter Stand &By", "Blank the presenter display (stand by)", STAND_BY,
                                   keys=("Ctrl+B",)),
    RunAction.PLENARY: ActionSpec("&Plenary Read-back on Presenter", "Show the syndicates' read-back screen for the "
                                  "phase in play: its questions and the order in which syndicates report back",
                                  PRESENTER, keys=("Ctrl+Shift+Y",)),
    RunAction.SOUND: ActionSpec("S&ound When an Inject Is Due", "Play a chime when an inject falls due",
                                SOUND, checkable=True),
    RunAction.DISCARD: ActionSpec("Discard &Rehearsal…", "Discard the selected rehearsal run (real runs are kept)",
                                  DISCARD),
    RunAction.REPLAY: ActionSpec("Re&play Run…", "Open the selected run read-only at any moment: the queue, clock, "
                                 "decision log and presenter as they were, with bookmarks", REPLAY,
                                 keys=("Ctrl+Shift+R",)),
}


RUN_PERMISSIONS: dict[RunAction, Permission] = {
    RunAction.NEW_RUN: Permission.MANAGE_RUNS, RunAction.DISCARD: Permission.MANAGE_RUNS,
    **{action: Permission.DRIVE_CLOCK for action in (
        RunAction.START, RunAction.PAUSE, RunAction.RESUME, RunAction.END, RunAction.NEXT_INJECT,
        RunAction.NEXT_PHASE, RunAction.ADJUST)},
    **{action: Permission.RELEASE for action in (
        RunAction.RELEASE, RunAction.SKIP, RunAction.DEFER, RunAction.RETIME, RunAction.ADHOC,
        RunAction.SKIP_EARLIER_PHASES)},
    RunAction.HALT: Permission.HALT,
}
"""What a station's role must allow for each conduct command (the presenter and the chime are for everyone)."""


class RunActions:
    """The conduct workspace's actions, looked up by id."""

    def __init__(self, parent: QObject) -> None:
        self._actions: dict[RunAction, QAction] = {}
        for action_id, spec in SPECS.items():
            self._actions[action_id] = build_action(spec, parent, f"action_run_{action_id.name.lower()}")

    def __getitem__(self, action_id: RunAction) -> QAction:
        return self._actions[action_id]

    def __iter__(self) -> Iterator[tuple[RunAction, QAction]]:
        return iter(self._actions.items())

    def refresh_icons(self) -> None:
        for action_id, action in self._actions.items():
            name = SPECS[action_id].icon
            if name:
                action.setIcon(icons.icon(name))

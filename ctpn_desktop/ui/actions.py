"""Every QAction and keyboard shortcut of the main window, declared once (Picard's action registry idea).

Platform StandardKeys are used where Qt has them; where a platform leaves one empty (Quit on Windows) a
fallback is added so the command always has a key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ctpn_desktop.core.roles import Permission, Station

from ctpn_desktop.ui import icons

K = TypeVar("K")


class ActionId(enum.Enum):
    NEW_FROM_LIBRARY = enum.auto()
    OPEN = enum.auto()
    SAVE_COPY = enum.auto()
    CLOSE = enum.auto()
    QUIT = enum.auto()
    GO_START = enum.auto()
    GO_SCENARIO = enum.auto()
    GO_CONDUCT = enum.auto()
    GO_DECISION_LOG = enum.auto()
    GO_DEBRIEF = enum.auto()
    DARK_ROOM = enum.auto()
    ZOOM_IN = enum.auto()
    ZOOM_OUT = enum.auto()
    ZOOM_RESET = enum.auto()
    ABOUT = enum.auto()
    UNDO = enum.auto()
    REDO = enum.auto()
    ADD_INJECT = enum.auto()
    DUPLICATE_INJECT = enum.auto()
    DELETE_INJECT = enum.auto()
    MOVE_INJECT_UP = enum.auto()
    MOVE_INJECT_DOWN = enum.auto()
    RETIME_INJECTS = enum.auto()
    RENUMBER_INJECTS = enum.auto()
    JUMP_TO_INJECT = enum.auto()
    IMPORT_MSEL = enum.auto()
    EXPORT_MSEL = enum.auto()
    SAVE_AS_TEMPLATE = enum.auto()
    SAVE_TO_LIBRARY = enum.auto()
    INSERT_FROM_LIBRARY = enum.auto()
    LOG_ENTRY = enum.auto()
    LOG_CORRECT = enum.auto()
    LOG_WITHDRAW = enum.auto()
    LOG_FIND = enum.auto()
    LOG_OBSERVATIONS = enum.auto()
    LOG_HOTWASH = enum.auto()
    LOG_IMPROVEMENTS = enum.auto()
    LOG_VERIFY = enum.auto()
    LOG_MERGE = enum.auto()
    LOG_EXPORT_CSV = enum.auto()
    LOG_SYNDICATES = enum.auto()
    PREFERENCES = enum.auto()
    RESTORE_BACKUP = enum.auto()
    EXPORT_DEBRIEF = enum.auto()
    MSEL_HANDOUT = enum.auto()
    PUBLISH_ROOM = enum.auto()
    JOIN_ROOM = enum.auto()
    EXERCISE_PROGRAMME = enum.auto()
    ENCRYPT = enum.auto()
    CHANGE_PASSPHRASE = enum.auto()
    DECRYPT = enum.auto()


@dataclass(frozen=True, slots=True)
class ActionSpec:
    text: str
    tip: str
    icon: str | None = None
    standard: QKeySequence.StandardKey | None = None
    keys: tuple[str, ...] = ()
    checkable: bool = False
    needs_document: bool = False


SPECS: dict[ActionId, ActionSpec] = {
    ActionId.NEW_FROM_LIBRARY: ActionSpec(
        "&New from Library…", "Create a new exercise file from a scenario in the library", icons.NEW,
        QKeySequence.StandardKey.New, ("Ctrl+N",)),
    ActionId.OPEN: ActionSpec(
        "&Open…", "Open an exercise file", icons.OPEN, QKeySequence.StandardKey.Open, ("Ctrl+O",)),
    ActionId.SAVE_COPY: ActionSpec(
        "Save a &Copy…", "Write a consistent copy of the open exercise, for a USB stick or an archive",
        icons.SAVE_COPY, QKeySequence.StandardKey.SaveAs, ("Ctrl+Shift+S",), needs_document=True),
    ActionId.ENCRYPT: ActionSpec(
        "&Encrypt…", "Protect the exercise file, its copies and its backups with a passphrase", icons.ENCRYPTED,
        needs_document=True),
    ActionId.CHANGE_PASSPHRASE: ActionSpec(
        "Change &Passphrase…", "Encrypt the exercise file under a new passphrase, never writing it unencrypted",
        icons.ENCRYPTED, needs_document=True),
    ActionId.DECRYPT: ActionSpec(
        "Remove Encr&yption…", "Write the exercise file without encryption again", icons.DECRYPT,
        needs_document=True),
    ActionId.PUBLISH_ROOM: ActionSpec(
        "&Publish to Shared Room…", "Put the open exercise on the room's server so that every station works on it "
                                    "live", icons.SHARE_ROOM, needs_document=True),
    ActionId.JOIN_ROOM: ActionSpec(
        "&Join Shared Exercise…", "Join an exercise another station published on the room's server, in a role",
        icons.JOIN_ROOM, keys=("Ctrl+Shift+O",)),
    ActionId.CLOSE: ActionSpec(
        "&Close", "Close the open exercise (everything is already saved)", icons.CLOSE,
        QKeySequence.StandardKey.Close, ("Ctrl+W",), needs_document=True),
    ActionId.QUIT: ActionSpec(
        "&Quit", "Quit CTPN Desktop", icons.QUIT, QKeySequence.StandardKey.Quit, ("Ctrl+Q",)),
    ActionId.GO_START: ActionSpec("&Start", "Show the start page", icons.START, keys=("Ctrl+0",)),
    ActionId.GO_SCENARIO: ActionSpec("S&cenario", "Show the scenario workspace", icons.SCENARIO, keys=("Ctrl+1",)),
    ActionId.GO_CONDUCT: ActionSpec("C&onduct", "Show the conduct workspace", icons.CONDUCT, keys=("Ctrl+2",)),
    ActionId.GO_DECISION_LOG: ActionSpec(
        "&Decision Log", "Show the decision log workspace", icons.DECISION_LOG, keys=("Ctrl+3",)),
    ActionId.GO_DEBRIEF: ActionSpec("De&brief", "Show the debrief workspace", icons.DEBRIEF, keys=("Ctrl+4",)),
    ActionId.DARK_ROOM: ActionSpec(
        "&Dark Room Colours", "Dim, high-contrast colours for darkened control rooms", icons.DARK_ROOM,
        keys=("Ctrl+Shift+D",), checkable=True),
    ActionId.ZOOM_IN: ActionSpec(
        "&Larger Text", "Make all text larger", icons.ZOOM_IN, QKeySequence.StandardKey.ZoomIn, ("Ctrl++",)),
    ActionId.ZOOM_OUT: ActionSpec(
        "S&maller Text", "Make all text smaller", icons.ZOOM_OUT, QKeySequence.StandardKey.ZoomOut, ("Ctrl+-",)),
    ActionId.ZOOM_RESET: ActionSpec("&Normal Text Size", "Return to the normal text size", keys=("Ctrl+Shift+0",)),
    ActionId.ABOUT: ActionSpec("&About CTPN Desktop", "Version, offline statement and licences", icons.ABOUT),
    ActionId.UNDO: ActionSpec("&Undo", "Undo the last edit of the scenario", icons.UNDO,
                              QKeySequence.StandardKey.Undo, ("Ctrl+Z",), needs_document=True),
    ActionId.REDO: ActionSpec("&Redo", "Redo the edit just undone", icons.REDO, QKeySequence.StandardKey.Redo,
                              ("Ctrl+Shift+Z",), needs_document=True),
    ActionId.ADD_INJECT: ActionSpec("&Add Inject", "Add an inject after the current one", icons.ADD,
                                    keys=("Ins",), needs_document=True),
    ActionId.DUPLICATE_INJECT: ActionSpec("D&uplicate Injects", "Copy the selected injects under new numbers",
                                          icons.DUPLICATE, keys=("Ctrl+D",), needs_document=True),
    ActionId.DELETE_INJECT: ActionSpec("&Delete Injects", "Delete the selected injects (Undo brings them back)",
                                       icons.DELETE, keys=("Del",), needs_document=True),
    ActionId.MOVE_INJECT_UP: ActionSpec("Move &Up", "Move the selected injects one place earlier in the MSEL",
                                        icons.MOVE_UP, keys=("Alt+Up",), needs_document=True),
    ActionId.MOVE_INJECT_DOWN: ActionSpec("Move Do&wn", "Move the selected injects one place later in the MSEL",
                                          icons.MOVE_DOWN, keys=("Alt+Down",), needs_document=True),
    ActionId.RETIME_INJECTS: ActionSpec("Re-&time…", "Shift the selected injects, or all that follow, by a duration",
                                        icons.RETIME, keys=("Ctrl+T",), needs_document=True),
    ActionId.RENUMBER_INJECTS: ActionSpec("Re&number Injects", "Number the injects 1, 2, 3 … in MSEL order",
                                          icons.RENUMBER, needs_document=True),
    ActionId.JUMP_TO_INJECT: ActionSpec("&Jump to Inject…", "Go to an inject by its number", icons.JUMP,
                                        keys=("Ctrl+J",), needs_document=True),
    ActionId.IMPORT_MSEL: ActionSpec("&Import MSEL…", "Add the injects of an MSEL spreadsheet (CSV or XLSX)",
                                     icons.IMPORT, keys=("Ctrl+Shift+I",), needs_document=True),
    ActionId.EXPORT_MSEL: ActionSpec("E&xport MSEL…", "Write the MSEL as a CSV or XLSX spreadsheet", icons.EXPORT,
                                     keys=("Ctrl+Shift+E",), needs_document=True),
    ActionId.SAVE_AS_TEMPLATE: ActionSpec("Save as &Template…", "Write the scenario as a JSON template for the "
                                          "library", icons.TEMPLATE, needs_document=True),
    ActionId.SAVE_TO_LIBRARY: ActionSpec("Save to Inject &Library", "Keep the selected injects in your inject "
                                         "library, for other exercises", icons.LIBRARY_SAVE, keys=("Ctrl+Shift+B",),
                                         needs_document=True),
    ActionId.INSERT_FROM_LIBRARY: ActionSpec("Insert from Inject Li&brary…", "Search your inject library by threat, "
                                             "organisation and method and insert injects into the MSEL",
                                             icons.LIBRARY_INSERT, keys=("Ctrl+Shift+L",), needs_document=True),
    ActionId.PREFERENCES: ActionSpec(
        "Se&ttings…", "Backups, default marking, organisation, sound, text size and high contrast", icons.SETTINGS,
        QKeySequence.StandardKey.Preferences, ("Ctrl+,",)),
    ActionId.RESTORE_BACKUP: ActionSpec(
        "&Restore from Backup…", "Restore the open exercise from one of its automatic backups",
        icons.RESTORE_BACKUP, needs_document=True),
    ActionId.EXPORT_DEBRIEF: ActionSpec(
        "&Export Debrief…", "Write the post-exercise debrief of a run as PDF or accessible HTML", icons.REPORT,
        keys=("Ctrl+Shift+E",), needs_document=True),
    ActionId.MSEL_HANDOUT: ActionSpec(
        "MSEL &Handout…", "Print the MSEL as the controllers' landscape PDF handout", icons.INJECTS,
        keys=("Ctrl+Shift+M",), needs_document=True),
    ActionId.EXERCISE_PROGRAMME: ActionSpec(
        "Exercise &Programme…", "Write the participants' exercise programme (agenda, speakers, syndicates, venue) "
                                "as PDF or accessible HTML", icons.PROGRAMME, keys=("Ctrl+Shift+G",),
        needs_document=True),
}

WORKSPACE_ACTIONS: tuple[ActionId, ...] = (
    ActionId.GO_START,
    ActionId.GO_SCENARIO,
    ActionId.GO_CONDUCT,
    ActionId.GO_DECISION_LOG,
    ActionId.GO_DEBRIEF,
)

#: The commands the main window itself owns; the workspaces make their own from the same registry.
WINDOW_ACTIONS: tuple[ActionId, ...] = (
    ActionId.NEW_FROM_LIBRARY, ActionId.OPEN, ActionId.JOIN_ROOM, ActionId.SAVE_COPY, ActionId.PUBLISH_ROOM,
    ActionId.RESTORE_BACKUP, ActionId.CLOSE, ActionId.ENCRYPT, ActionId.CHANGE_PASSPHRASE, ActionId.DECRYPT,
    ActionId.PREFERENCES, ActionId.QUIT, *WORKSPACE_ACTIONS, ActionId.DARK_ROOM, ActionId.ZOOM_IN,
    ActionId.ZOOM_OUT, ActionId.ZOOM_RESET, ActionId.ABOUT,
)


ACTION_PERMISSIONS: dict[ActionId, Permission] = {
    **{action_id: Permission.EDIT_SCENARIO for action_id in (
        ActionId.UNDO, ActionId.REDO, ActionId.ADD_INJECT, ActionId.DUPLICATE_INJECT, ActionId.DELETE_INJECT,
        ActionId.MOVE_INJECT_UP, ActionId.MOVE_INJECT_DOWN, ActionId.RETIME_INJECTS, ActionId.RENUMBER_INJECTS,
        ActionId.IMPORT_MSEL)},
    ActionId.LOG_ENTRY: Permission.LOG,
    ActionId.LOG_CORRECT: Permission.LOG,
    ActionId.LOG_WITHDRAW: Permission.LOG,
    ActionId.LOG_MERGE: Permission.MERGE,
    ActionId.PUBLISH_ROOM: Permission.PUBLISH,
    ActionId.RESTORE_BACKUP: Permission.PUBLISH,
    ActionId.ENCRYPT: Permission.PUBLISH,
    ActionId.CHANGE_PASSPHRASE: Permission.PUBLISH,
    ActionId.DECRYPT: Permission.PUBLISH,
}
"""Commands a station's role must allow (see `core.roles`); the rest are open to every station."""


def gate(actions: Iterable[tuple[K, QAction]], permissions: Mapping[K, Permission], station: Station | None) -> None:
    """Disable the commands this station's role does not allow (after the page enabled what its state allows)."""
    for key, action in actions:
        permission = permissions.get(key)
        if permission is not None and station is not None and not station.can(permission):
            action.setEnabled(False)


def shortcuts_for(spec: ActionSpec) -> list[QKeySequence]:
    """The platform's standard keys first, then the fallbacks it does not already include."""
    sequences: list[QKeySequence] = []
    if spec.standard is not None:
        sequences.extend(QKeySequence.keyBindings(spec.standard))
    for key in spec.keys:
        sequence = QKeySequence(key)
        if all(sequence != existing for existing in sequences):
            sequences.append(sequence)
    return sequences


def build_action(spec: ActionSpec, parent: QObject, object_name: str) -> QAction:
    """A QAction from its declaration: the one place where text, tips, icon and keys are applied."""
    action = QAction(spec.text, parent)
    action.setObjectName(object_name)
    action.setStatusTip(spec.tip)
    action.setToolTip(spec.tip)
    if spec.icon:
        action.setIcon(icons.icon(spec.icon))
    action.setShortcuts(shortcuts_for(spec))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setCheckable(spec.checkable)
    return action


def make_action(action_id: ActionId, parent: QObject) -> QAction:
    """One action from the registry, for a workspace's own menu."""
    return build_action(SPECS[action_id], parent, f"action_{action_id.name.lower()}")


class Actions:
    """The main window's actions, looked up by id."""

    def __init__(self, parent: QObject) -> None:
        self._actions: dict[ActionId, QAction] = {}
        for action_id in WINDOW_ACTIONS:
            action = make_action(action_id, parent)
            if action_id is ActionId.QUIT:
                action.setMenuRole(QAction.MenuRole.QuitRole)
            elif action_id is ActionId.ABOUT:
                action.setMenuRole(QAction.MenuRole.AboutRole)
            self._actions[action_id] = action

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def __iter__(self) -> Iterator[tuple[ActionId, QAction]]:
        return iter(self._actions.items())

    def set_document_open(self, is_open: bool, station: Station | None = None) -> None:
        for action_id, action in self._actions.items():
            if SPECS[action_id].needs_document:
                action.setEnabled(is_open)
        gate(self._actions.items(), ACTION_PERMISSIONS, station)

    def refresh_icons(self) -> None:
        """Re-tint after a palette change so icons stay visible on dark backgrounds."""
        for action_id, action in self._actions.items():
            name = SPECS[action_id].icon
            if name:
                action.setIcon(icons.icon(name))


def recent_file_action(parent: QObject, index: int, label: str, tip: str) -> QAction:
    """An entry of File ▸ Open Recent; the first nine get Alt+digit style mnemonics."""
    prefix = f"&{index + 1} " if index < 9 else ""
    action = QAction(f"{prefix}{label}", parent)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    return action


LOG_SPECS: dict[ActionId, ActionSpec] = {
    ActionId.LOG_ENTRY: ActionSpec(
        "&Log an Entry", "Go to the quick-entry bar of the decision log from anywhere", icons.DECISION_LOG,
        keys=("Ctrl+L",), needs_document=True),
    ActionId.LOG_CORRECT: ActionSpec(
        "&Correct Selected Entry…", "Write a corrected revision of the selected entry; the original stays",
        needs_document=True),
    ActionId.LOG_WITHDRAW: ActionSpec(
        "&Withdraw Selected Entry…", "Withdraw the selected entry with a reason; it stays in the log, struck through",
        needs_document=True),
    ActionId.LOG_FIND: ActionSpec("&Find in Log", "Search the decision log", icons.FILTER, needs_document=True),
    ActionId.LOG_OBSERVATIONS: ActionSpec(
        "&Observations", "Observations against the objectives, with ratings", icons.OBJECTIVES, needs_document=True),
    ActionId.LOG_HOTWASH: ActionSpec("&Hot Wash", "Strengths, areas for improvement and lessons identified",
                                     needs_document=True),
    ActionId.LOG_IMPROVEMENTS: ActionSpec("&Improvement Plan", "Improvement actions with owners and due dates",
                                          needs_document=True),
    ActionId.LOG_SYNDICATES: ActionSpec(
        "S&yndicates and Read-backs", "The run's syndicates, their note-takers' laptops, answers and plenary "
                                      "read-backs", icons.ORGANISATIONS, needs_document=True),
    ActionId.LOG_VERIFY: ActionSpec(
        "Check Log &Integrity", "Check the hash chains of the decision log and name the first entry that does not "
                                "match", needs_document=True),
    ActionId.LOG_MERGE: ActionSpec(
        "&Merge Logs from Another Copy…", "Bring in the entries, corrections and observations kept on another "
                                          "laptop's copy of this exercise", needs_document=True),
    ActionId.LOG_EXPORT_CSV: ActionSpec("&Export Log as CSV…", "Write the decision log of the run as a CSV file",
                                        needs_document=True),
}
"""The Log menu's commands, made by the decision log workspace (`workspace_action`); like every workspace menu,
it is in the menu bar only while its page is shown, and quick entry (Ctrl+L) is also kept on the window."""


def workspace_action(parent: QObject, action_id: ActionId, spec: ActionSpec) -> QAction:
    """A QAction for a workspace's own menu, from a declaration kept beside its workspace's others."""
    return build_action(spec, parent, f"action_{action_id.name.lower()}")

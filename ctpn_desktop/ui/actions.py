"""Every QAction and keyboard shortcut of the main window, declared once (Picard's action registry idea).

Platform StandardKeys are used where Qt has them; where a platform leaves one empty (Quit on Windows) a
fallback is added so the command always has a key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from ctpn_desktop.ui import icons


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
    EXPORT_DEBRIEF = enum.auto()
    MSEL_HANDOUT = enum.auto()


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
    ActionId.EXPORT_DEBRIEF: ActionSpec(
        "&Export Debrief…", "Write the post-exercise debrief of a run as PDF or accessible HTML", icons.REPORT,
        keys=("Ctrl+Shift+E",), needs_document=True),
    ActionId.MSEL_HANDOUT: ActionSpec(
        "MSEL &Handout…", "Print the MSEL as the controllers' landscape PDF handout", icons.INJECTS,
        keys=("Ctrl+Shift+H",), needs_document=True),
}

WORKSPACE_ACTIONS: tuple[ActionId, ...] = (
    ActionId.GO_START,
    ActionId.GO_SCENARIO,
    ActionId.GO_CONDUCT,
    ActionId.GO_DECISION_LOG,
    ActionId.GO_DEBRIEF,
)


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


class Actions:
    """The main window's actions, looked up by id."""

    def __init__(self, parent: QObject) -> None:
        self._actions: dict[ActionId, QAction] = {}
        for action_id, spec in SPECS.items():
            action = QAction(spec.text, parent)
            action.setObjectName(f"action_{action_id.name.lower()}")
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
            if spec.icon:
                action.setIcon(icons.icon(spec.icon))
            action.setShortcuts(shortcuts_for(spec))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setCheckable(spec.checkable)
            if action_id is ActionId.QUIT:
                action.setMenuRole(QAction.MenuRole.QuitRole)
            elif action_id is ActionId.ABOUT:
                action.setMenuRole(QAction.MenuRole.AboutRole)
            self._actions[action_id] = action

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def __iter__(self) -> Iterator[tuple[ActionId, QAction]]:
        return iter(self._actions.items())

    def set_document_open(self, is_open: bool) -> None:
        for action_id, action in self._actions.items():
            if SPECS[action_id].needs_document:
                action.setEnabled(is_open)

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

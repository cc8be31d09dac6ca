"""The inject queue: every inject of the run in the order it falls due, with its state and countdown.

The rows (which injects, in which order) change only when an inject event is recorded; the clock only moves
each row between pending, due and overdue. So `set_run` rebuilds the rows and `tick` asks the timeline for
the states at the new exercise time and repaints what changed, without resetting the view or its selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ctpn_desktop.core.clock import format_countdown, format_elapsed
from ctpn_desktop.core.entities import AdhocInject, Scenario
from ctpn_desktop.core.timeline import InjectState, QueueRow, Timeline

Index = QModelIndex | QPersistentModelIndex

INJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("#", "Due at", "Countdown", "State", "Title", "Phase", "To", "Method")
NUMBER, DUE, COUNTDOWN, STATE, TITLE, PHASE, RECIPIENTS, METHOD = range(len(COLUMNS))
WIDTHS = {NUMBER: 4, DUE: 8, COUNTDOWN: 9, STATE: 10, TITLE: 50, PHASE: 16, RECIPIENTS: 24, METHOD: 12}

# The cue colours do not follow the theme: amber and red mean the same in a bright room and a dark one.
DUE_COLOURS = (QColor("#ffb300"), QColor("#ffe08a"))
OVERDUE_COLOURS = (QColor("#c62828"), QColor("#ef6c6c"))
DUE_TEXT = QColor("#1a1a1a")
OVERDUE_TEXT = QColor("#ffffff")
DONE_STATES = frozenset({InjectState.RELEASED, InjectState.SKIPPED})
_ADHOC_STATE = InjectState.RELEASED


@dataclass(frozen=True, slots=True)
class QueueItem:
    """What a row shows that does not depend on the clock."""

    inject_id: str
    number: str
    title: str
    phase: str
    recipients: str
    method: str
    timeline_index: int | None
    """Where the inject's state is in `Timeline.states_at`; None for an ad-hoc inject."""
    adhoc_at: float = 0.0


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._items: list[QueueItem] = []
        self._states: list[QueueRow] = []
        self._t = 0.0
        self._flash = False

    # Building --------------------------------------------------------------------------------------------
    def set_run(self, scenario: Scenario, timeline: Timeline, adhocs: list[AdhocInject], t: float) -> None:
        phases = {p.id: p.name for p in scenario.phases}
        self.beginResetModel()
        self._t = t
        self._states = timeline.states_at(t)
        keyed: list[tuple[float, int, QueueItem]] = []
        for index, row in enumerate(self._states):
            inject = row.inject
            recipients = "; ".join(scenario.recipient_label(r) for r in inject.recipients)
            item = QueueItem(inject.id, str(inject.number), inject.title, phases.get(inject.phase_id or "", ""),
                             recipients, inject.delivery_method.label, index)
            keyed.append((row.due_s, 0, item))
        for adhoc in adhocs:
            item = QueueItem(adhoc.id, f"A{adhoc.number}", adhoc.title, phases.get(adhoc.phase_id or "", ""),
                             adhoc.recipients_text, adhoc.delivery_method.label, None, adhoc.exercise_s)
            keyed.append((adhoc.exercise_s, 1, item))
        keyed.sort(key=lambda k: (k[0], k[1]))
        self._items = [k[2] for k in keyed]
        self.endResetModel()

    def tick(self, timeline: Timeline, t: float, flash: bool) -> None:
        """New states at exercise time ``t``; ``flash`` alternates the cue colours of due rows."""
        self._t = t
        self._flash = flash
        self._states = timeline.states_at(t)
        if self._items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole,
                                   Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole])

    # Questions -------------------------------------------------------------------------------------------
    def item(self, row: int) -> QueueItem:
        return self._items[row]

    def state(self, row: int) -> InjectState:
        item = self._items[row]
        return _ADHOC_STATE if item.timeline_index is None else self._states[item.timeline_index].state

    def queue_row(self, row: int) -> QueueRow | None:
        item = self._items[row]
        return None if item.timeline_index is None else self._states[item.timeline_index]

    def row_of(self, inject_id: str) -> int | None:
        for row, item in enumerate(self._items):
            if item.inject_id == inject_id:
                return row
        return None

    # Qt --------------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        item = self._items[row]
        state = self.state(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == INJECT_ID_ROLE:
            return item.inject_id
        if role == STATE_ROLE:
            return state.value
        if role == Qt.ItemDataRole.BackgroundRole:
            if state is InjectState.OVERDUE:
                return QBrush(OVERDUE_COLOURS[int(self._flash)])
            if state is InjectState.DUE:
                return QBrush(DUE_COLOURS[int(self._flash)])
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if state is InjectState.OVERDUE:
                return QBrush(OVERDUE_TEXT)
            if state is InjectState.DUE:
                return QBrush(DUE_TEXT)
            return None
        if role == Qt.ItemDataRole.FontRole:
            if state.actionable:
                font = QFont()
                font.setBold(True)
                return font
            if state is InjectState.SKIPPED:
                font = QFont()
                font.setStrikeOut(True)
                return font
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            queue_row = self.queue_row(row)
            reason = queue_row.reason if queue_row is not None else ""
            return f"{state.label}: {item.title}" + (f"\n{reason}" if reason else "")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (NUMBER, DUE, COUNTDOWN):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: int, column: int) -> str:
        item = self._items[row]
        queue_row = self.queue_row(row)
        if column == NUMBER:
            return item.number
        if column == DUE:
            return format_elapsed(queue_row.due_s if queue_row is not None else item.adhoc_at)
        if column == COUNTDOWN:
            if queue_row is None or queue_row.state in DONE_STATES or queue_row.state is InjectState.HELD:
                return ""
            return format_countdown(queue_row.seconds_until)
        if column == STATE:
            state = self.state(row)
            if queue_row is not None and state is InjectState.PENDING and queue_row.retimed:
                return "Re-timed"
            return "Ad-hoc, released" if queue_row is None else state.label
        return {TITLE: item.title, PHASE: item.phase, RECIPIENTS: item.recipients, METHOD: item.method}.get(column, "")


class QueueFilter(QSortFilterProxyModel):
    """Hides released and skipped injects unless asked to show them; keeps the queue's own order."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._show_done = False
        self.setDynamicSortFilter(False)  # rows change only on a reset, never on a tick

    @property
    def show_done(self) -> bool:
        return self._show_done

    def set_show_done(self, show: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._show_done = show
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._show_done = show
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._show_done:
            return True
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        return model.state(source_row) not in DONE_STATES

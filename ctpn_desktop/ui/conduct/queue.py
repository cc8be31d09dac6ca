"""The inject queue: every inject of the run in the order it falls due, with its state and countdown.

The rows (which injects, in which order) change only when an inject event is recorded; the clock only moves
each row between pending, due and overdue. So `set_run` builds the rows, `follow` takes in new events (it moves,
inserts and repaints only the rows they changed, keeping the view's selection and scroll position) and `tick`
asks the timeline for the states at the new exercise time and repaints, without resetting the view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
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
_PAINTED_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                  Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole, STATE_ROLE]


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
        self._scenario: Scenario | None = None
        self._static: dict[str, QueueItem] = {}
        """The scenario's injects as rows, without their place in the timeline: built once per scenario."""

    # Building --------------------------------------------------------------------------------------------
    def set_run(self, scenario: Scenario, timeline: Timeline, adhocs: list[AdhocInject], t: float) -> None:
        self.beginResetModel()
        self._t = t
        self._states, self._items = self._layout(scenario, timeline, adhocs, t)
        self.endResetModel()

    def follow(self, timeline: Timeline, adhocs: list[AdhocInject], t: float,
               changed: set[str] | None = None) -> bool:
        """Take in the run's new events (a new ``timeline``) and its ad-hoc injects: rows that moved are moved,
        new rows inserted and changed rows repainted, so the selection and the scroll position stay. Returns
        True when a row was released or skipped, or put back (a filter of done rows must look again).

        ``changed`` (`Timeline.changed_injects`) lets a change that moves no row and keeps the ad-hoc injects
        repaint those rows alone without laying out the queue again."""
        if self._scenario is None:
            return False
        if changed is not None and self._same_rows(timeline, adhocs, changed, t):
            rows = sorted(row for row, item in enumerate(self._items) if item.inject_id in changed)
            was_done = [self.state(row) in DONE_STATES for row in rows]
            self._t, self._states = t, timeline.states_at(t)
            for row in rows:
                self._repaint_rows(row, row)
            return any((self.state(row) in DONE_STATES) != done for row, done in zip(rows, was_done, strict=True))
        old_ids = [item.inject_id for item in self._items]
        old_lines = {item.inject_id: self._line(row) for row, item in enumerate(self._items)}
        states, items = self._layout(self._scenario, timeline, adhocs, t)
        new_ids = [item.inject_id for item in items]
        old_set = set(old_ids)
        kept = [item for item in items if item.inject_id in old_set]
        if len(kept) != len(old_ids):  # a row went away: only a new run or scenario does that
            self.beginResetModel()
            self._t, self._states, self._items = t, states, items
            self.endResetModel()
            return True
        if [item.inject_id for item in kept] != old_ids:
            self._move_rows(kept, states)
        else:
            self._items, self._states = kept, states
        self._t = t
        for row, item in enumerate(items):
            if item.inject_id not in old_set:
                self.beginInsertRows(QModelIndex(), row, row)
                self._items.insert(row, item)
                self.endInsertRows()
        assert [item.inject_id for item in self._items] == new_ids
        done_changed = False
        first: int | None = None
        for row, item in enumerate(self._items):
            before = old_lines.get(item.inject_id)
            line = self._line(row)
            changed = before is not None and before != line
            if changed and (before[0] in DONE_STATES) != (line[0] in DONE_STATES):  # type: ignore[index]
                done_changed = True
            if changed and first is None:
                first = row
            elif not changed and first is not None:
                self._repaint_rows(first, row - 1)
                first = None
        if first is not None:
            self._repaint_rows(first, len(self._items) - 1)
        return done_changed

    def _same_rows(self, timeline: Timeline, adhocs: list[AdhocInject], changed: set[str], t: float) -> bool:
        """Whether the queue keeps its rows in their order: no changed inject is due at another time, and the
        ad-hoc injects are the ones shown."""
        shown_adhocs = {item.inject_id for item in self._items if item.timeline_index is None}
        if shown_adhocs != {adhoc.id for adhoc in adhocs} or len(self._states) != len(timeline.injects):
            return False
        due = {row.inject_id: row.due_s for row in self._states}
        return all(inject_id in due and timeline.row(inject_id, t).due_s == due[inject_id] for inject_id in changed)

    def _move_rows(self, order: list[QueueItem], states: list[QueueRow]) -> None:
        """Put the rows in their new order as one layout change, the view's selection following its rows."""
        self.layoutAboutToBeChanged.emit()
        new_row = {item.inject_id: row for row, item in enumerate(order)}
        persistent = self.persistentIndexList()
        moved = [self.index(new_row[self._items[index.row()].inject_id], index.column())
                 if index.isValid() and index.row() < len(self._items) else QModelIndex() for index in persistent]
        self._items, self._states = order, states
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _repaint_rows(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1), _PAINTED_ROLES)

    def _line(self, row: int) -> tuple[object, ...]:
        """What the events decide about a row; the countdown alone is left to `tick`."""
        queue_row = self.queue_row(row)
        if queue_row is None:
            return (_ADHOC_STATE, self._items[row].adhoc_at)
        return (queue_row.state, queue_row.due_s, queue_row.released_at_s, queue_row.reason,
                queue_row.waiting_on_id)

    def _layout(self, scenario: Scenario, timeline: Timeline, adhocs: list[AdhocInject],
                t: float) -> tuple[list[QueueRow], list[QueueItem]]:
        """The states at ``t`` and the rows in queue order (by due time, an ad-hoc inject after the injects due
        at the same moment)."""
        phases = {p.id: p.name for p in scenario.phases}
        if scenario is not self._scenario:
            self._scenario = scenario
            self._static = {}
            for inject in scenario.injects:
                recipients = "; ".join(scenario.recipient_label(r) for r in inject.recipients)
                self._static[inject.id] = QueueItem(inject.id, str(inject.number), inject.title,
                                                    phases.get(inject.phase_id or "", ""), recipients,
                                                    inject.delivery_method.label, None)
        states = timeline.states_at(t)
        keyed: list[tuple[float, int, QueueItem]] = []
        for index, row in enumerate(states):
            static = self._static.get(row.inject_id)
            if static is None:  # a timeline of injects that are not the scenario's own
                inject = row.inject
                static = QueueItem(inject.id, str(inject.number), inject.title, phases.get(inject.phase_id or "", ""),
                                   "; ".join(scenario.recipient_label(r) for r in inject.recipients),
                                   inject.delivery_method.label, None)
            keyed.append((row.due_s, 0, replace(static, timeline_index=index)))
        for adhoc in adhocs:
            item = QueueItem(adhoc.id, f"A{adhoc.number}", adhoc.title, phases.get(adhoc.phase_id or "", ""),
                             adhoc.recipients_text, adhoc.delivery_method.label, None, adhoc.exercise_s)
            keyed.append((adhoc.exercise_s, 1, item))
        keyed.sort(key=lambda k: (k[0], k[1]))
        return states, [k[2] for k in keyed]

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
        self.setDynamicSortFilter(False)  # a tick never hides a row; `refilter` after new events does

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

    def refilter(self) -> None:
        """Look again at which rows are done (after `QueueModel.follow`): rows are hidden or shown, not reset."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._show_done:
            return True
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        return model.state(source_row) not in DONE_STATES

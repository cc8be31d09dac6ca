"""The decision log of one run as a table, lazy enough for 50,000 entries.

The model holds the light summaries `LogService.summaries` returns and works out a cell's text only when the
view asks for it (the view asks only for the rows it paints). Sorting is done here on plain Python keys, not
through a proxy, so a click on a header sorts 50,000 rows at once. Withdrawn entries are struck through;
corrected ones say so in the Revision column — nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogEntry
from ctpn_desktop.core.services.log import LogSummary

from ctpn_desktop.ui.formatting import format_wall_time
from ctpn_desktop.ui.models.msel import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 20

COLUMNS: tuple[str, ...] = (
    "No.", "Logged", "Exercise time", "Kind", "Decision maker", "Organisation", "Entry", "Rationale", "Logged by",
    "Revision",
)
NUMBER, LOGGED, EXERCISE_TIME, KIND, DECISION_MAKER, ORGANISATION, TEXT, RATIONALE, LOGGED_BY, REVISION = range(
    len(COLUMNS))


def logged_order(row: LogSummary) -> tuple[str, int, str, str]:
    """The order entries were logged in, whichever laptop logged them (as ``LogService`` returns them).

    Logged times are stored as ISO text in UTC with microseconds, so comparing the text compares the times."""
    return (row.logged_at, row.entry_number, row.device_id, row.entry_id)


def revision_label(row: LogSummary) -> str:
    if row.withdrawn:
        return f"{row.revision} (withdrawn)"
    if row.corrected:
        return f"{row.revision} (corrected)"
    return str(row.revision)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_CELLS: dict[int, Callable[[LogSummary], str]] = {
    NUMBER: lambda r: str(r.entry_number),
    LOGGED: lambda r: format_wall_time(datetime.fromisoformat(r.logged_at), with_date=False),
    EXERCISE_TIME: lambda r: format_elapsed(r.exercise_s),
    KIND: lambda r: r.kind.capitalize(),
    DECISION_MAKER: lambda r: r.decision_maker,
    ORGANISATION: lambda r: r.organisation,
    TEXT: lambda r: _one_line(r.text),
    RATIONALE: lambda r: _one_line(r.rationale),
    LOGGED_BY: lambda r: r.logged_by,
    REVISION: revision_label,
}

_SORT_KEYS: dict[int, Callable[[LogSummary], object]] = {
    NUMBER: lambda r: (r.entry_number, r.device_id, r.logged_at),
    LOGGED: logged_order,
    EXERCISE_TIME: lambda r: (r.exercise_s, r.logged_at),
    KIND: lambda r: (r.kind, r.logged_at),
    DECISION_MAKER: lambda r: (r.decision_maker.casefold(), r.logged_at),
    ORGANISATION: lambda r: (r.organisation.casefold(), r.logged_at),
    TEXT: lambda r: (r.text.casefold(), r.logged_at),
    RATIONALE: lambda r: (r.rationale.casefold(), r.logged_at),
    LOGGED_BY: lambda r: (r.logged_by.casefold(), r.logged_at),
    REVISION: lambda r: (r.revision, r.withdrawn, r.logged_at),
}


def _logged_with_date(row: LogSummary) -> str:
    return datetime.fromisoformat(row.logged_at).astimezone().strftime("%d %b %H:%M:%S")


def _spans_days(rows: Sequence[LogSummary]) -> bool:
    """Whether the entries were logged on more than one day (local time): then the Logged column shows dates,
    so that an entry of today is never mistaken for one logged at the same hour another day."""
    if len(rows) < 2:
        return False
    first, last = min(r.logged_at for r in rows), max(r.logged_at for r in rows)
    return datetime.fromisoformat(first).astimezone().date() != datetime.fromisoformat(last).astimezone().date()


class LogTableModel(QAbstractTableModel):
    def __init__(self, rows: Sequence[LogSummary | LogEntry] = (), parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._rows: list[LogSummary] = []
        self._sort_column = LOGGED
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._struck = QFont()
        self._struck.setStrikeOut(True)
        self._dated = False
        self.set_entries(rows)

    # Contents --------------------------------------------------------------------------------------------
    def set_entries(self, rows: Sequence[LogSummary | LogEntry]) -> None:
        """Show ``rows`` (summaries, or whole entries), in the model's current sort order."""
        self.beginResetModel()
        self._rows = [LogSummary.of(row) if isinstance(row, LogEntry) else row for row in rows]
        self._sort_rows()
        self._dated = _spans_days(self._rows)
        self.endResetModel()

    def replace_entries(self, entry_ids: set[str], rows: Sequence[LogSummary]) -> None:
        """Entries ``entry_ids`` were written (new, corrected or withdrawn): drop their rows and show ``rows``,
        the current revisions of those that still pass the filters, each where the order puts it."""
        fresh = {summary.entry_id: summary for summary in rows}
        shown = {summary.entry_id: number for number, summary in enumerate(self._rows)
                 if summary.entry_id in entry_ids}
        unchanged = {entry_id for entry_id, number in shown.items()
                     if entry_id in fresh and fresh[entry_id] == self._rows[number]}
        for row in sorted((number for entry_id, number in shown.items() if entry_id not in unchanged),
                          reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
        for entry_id, summary in fresh.items():
            if entry_id not in unchanged:
                self.add(summary)

    def add(self, row: LogSummary) -> int:
        """Insert one new entry where the current order puts it (after its equals); returns its row."""
        key = _SORT_KEYS[self._sort_column]
        target = key(row)
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        low, high = 0, len(self._rows)
        while low < high:
            middle = (low + high) // 2
            here = key(self._rows[middle])
            if (here >= target) if descending else (here <= target):  # type: ignore[operator]
                low = middle + 1
            else:
                high = middle
        self.beginInsertRows(QModelIndex(), low, low)
        self._rows.insert(low, row)
        self.endInsertRows()
        if not self._dated and len(self._rows) > 1 and _spans_days([self._rows[0 if low else 1], row]):
            self._dated = True
            self.dataChanged.emit(self.index(0, LOGGED), self.index(len(self._rows) - 1, LOGGED))
        return low

    def entry_at(self, row: int) -> LogSummary:
        return self._rows[row]

    def row_of(self, entry_id: str) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.entry_id == entry_id:
                return row
        return None

    @property
    def dated(self) -> bool:
        """The Logged column shows the date too: the entries were logged on more than one day."""
        return self._dated

    @property
    def rows(self) -> list[LogSummary]:
        return list(self._rows)

    # Qt --------------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = _logged_with_date(row) if column == LOGGED and self._dated else _CELLS[column](row)
            if role == Qt.ItemDataRole.AccessibleTextRole and row.withdrawn and column == TEXT:
                return f"Withdrawn: {text}"
            return text
        if role == SORT_ROLE:
            return _SORT_KEYS[column](row)
        if role == ENTRY_ID_ROLE:
            return row.entry_id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == LOGGED:
                return format_wall_time(datetime.fromisoformat(row.logged_at))
            if column == TEXT:
                return row.text or None
            if column == RATIONALE:
                return row.rationale or None
            if column == REVISION and row.withdrawn:
                return "Withdrawn: the entry stays in the log, struck through; its reason is in the detail pane."
        if role == Qt.ItemDataRole.FontRole and row.withdrawn:
            return self._struck
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column == NUMBER else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(
                COLUMNS):
            return COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            column = LOGGED
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        followed = [(index, self._rows[index.row()].entry_id) for index in persistent]
        self._sort_column, self._sort_order = column, order
        self._sort_rows()
        rows = {summary.entry_id: number for number, summary in enumerate(self._rows)}
        self.changePersistentIndexList(
            [index for index, _ in followed],
            [self.index(rows[entry_id], index.column()) for index, entry_id in followed])
        self.layoutChanged.emit()

    def _sort_rows(self) -> None:
        self._rows.sort(key=_SORT_KEYS[self._sort_column], reverse=self._sort_order == Qt.SortOrder.DescendingOrder)

    @property
    def sort_order(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

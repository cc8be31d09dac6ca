"""The decision log of one run as a table; display strings worked out once, corrections shown, never hidden."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogEntry

from ctpn_desktop.ui.formatting import format_wall_time
from ctpn_desktop.ui.models.msel import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[str, ...] = (
    "No.", "Logged", "Exercise time", "Kind", "Decision maker", "Organisation", "Entry", "Rationale", "Logged by",
    "Revision",
)
NUMBER, LOGGED, EXERCISE_TIME, KIND, DECISION_MAKER, ORGANISATION, TEXT, RATIONALE, LOGGED_BY, REVISION = range(
    len(COLUMNS))


class LogTableModel(QAbstractTableModel):
    def __init__(self, entries: Sequence[LogEntry] = (), parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._entries: list[LogEntry] = []
        self._display: list[tuple[str, ...]] = []
        self._sort: list[tuple[object, ...]] = []
        self.set_entries(entries)

    def set_entries(self, entries: Sequence[LogEntry]) -> None:
        self.beginResetModel()
        self._entries = sorted(entries, key=lambda e: e.current.entry_number)
        self._display = []
        self._sort = []
        for entry in self._entries:
            rev = entry.current
            if rev.withdrawn:
                revision = f"{rev.revision} (withdrawn)"
            elif entry.corrected:
                revision = f"{rev.revision} (corrected)"
            else:
                revision = str(rev.revision)
            row = (
                str(rev.entry_number),
                format_wall_time(rev.logged_at, with_date=False),
                format_elapsed(rev.exercise_s),
                rev.kind.value.capitalize(),
                rev.decision_maker,
                rev.organisation,
                rev.text,
                rev.rationale,
                rev.logged_by,
                revision,
            )
            self._display.append(row)
            self._sort.append((
                rev.entry_number, rev.logged_at.isoformat(), rev.exercise_s,
                *(text.casefold() for text in row[KIND:REVISION]), rev.revision,
            ))
        self.endResetModel()

    def entry_at(self, row: int) -> LogEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._display)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display[row][column]
        if role == SORT_ROLE:
            return self._sort[row][column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == LOGGED:
                return format_wall_time(self._entries[row].current.logged_at)
            if column in (TEXT, RATIONALE):
                return self._display[row][column] or None
        if role == Qt.ItemDataRole.FontRole and self._entries[row].current.withdrawn:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column == NUMBER else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(
                COLUMNS):
            return COLUMNS[section]
        return None

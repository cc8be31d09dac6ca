"""The MSEL as a table: one row per inject, display strings worked out once so that thousands of rows scroll
and sort without recomputing anything per paint."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Exercise, ExerciseType, Inject, Scenario

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""A value that sorts naturally (numbers as numbers, times as seconds)."""
INJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex

EMPTY_SCENARIO = Scenario(exercise=Exercise(id="", title="", exercise_type=ExerciseType.TABLE_TOP))
"""What a table shows before a document is open."""

COLUMNS: tuple[str, ...] = (
    "No.", "Phase", "Planned", "Scenario time", "Title", "From", "To", "Method", "Objectives",
)
NUMBER, PHASE, PLANNED, SCENARIO_TIME, TITLE, SENDER, RECIPIENTS, METHOD, OBJECTIVES = range(len(COLUMNS))
_RIGHT_ALIGNED = frozenset({NUMBER, PLANNED})


def format_scenario_time(value: datetime | None) -> str:
    """Story time as people say it in the room: weekday, day, month and clock time."""
    return value.strftime("%a %d %b %H:%M") if value is not None else ""


class MselTableModel(QAbstractTableModel):
    """Read-only MSEL over one Scenario snapshot."""

    def __init__(self, scenario: Scenario, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._scenario = scenario
        self._injects: tuple[Inject, ...] = ()
        self._display: list[tuple[str, ...]] = []
        self._sort: list[tuple[object, ...]] = []
        self._haystack: list[str] = []
        self._build(scenario)

    def _build(self, scenario: Scenario) -> None:
        phases = {p.id: p for p in scenario.phases}
        phase_order = {p.id: i for i, p in enumerate(sorted(scenario.phases, key=lambda p: (p.start_offset_s,
                                                                                            p.position)))}
        objectives = {o.id: o.code for o in scenario.objectives}
        organisations = {o.id: o.display_name for o in scenario.organisations}
        roles = {r.id: r.name for o in scenario.organisations for r in o.roles}
        injects = tuple(sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.position, i.number)))
        display: list[tuple[str, ...]] = []
        sort: list[tuple[object, ...]] = []
        haystack: list[str] = []
        for inject in injects:
            phase = phases.get(inject.phase_id or "")
            recipients = "; ".join(
                f"{organisations.get(r.organisation_id, '?')} – {roles.get(r.role_id, '?')}"
                if r.role_id else organisations.get(r.organisation_id, "?")
                for r in inject.recipients
            )
            codes = ", ".join(objectives.get(o, "?") for o in inject.objective_ids)
            row = (
                str(inject.number),
                phase.name if phase else "",
                format_elapsed(inject.planned_offset_s),
                format_scenario_time(inject.scenario_time),
                inject.title,
                inject.sender,
                recipients,
                inject.delivery_method.label,
                codes,
            )
            display.append(row)
            sort.append((
                inject.number,
                phase_order.get(inject.phase_id or "", len(phase_order)),
                inject.planned_offset_s,
                inject.scenario_time.isoformat() if inject.scenario_time else "",
                *(text.casefold() for text in row[TITLE:]),
            ))
            haystack.append("\n".join(row).casefold())
        self._injects = injects
        self._display = display
        self._sort = sort
        self._haystack = haystack

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    def inject_at(self, row: int) -> Inject:
        return self._injects[row]

    def matches(self, row: int, needle: str) -> bool:
        """Whether ``needle`` (already case-folded) appears in any column of ``row``."""
        return needle in self._haystack[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the precomputed keys with Python's own sort: one pass, no per-comparison calls into Qt.

        Column -1 restores the MSEL order (planned time). Selections survive through persistent indexes.
        """
        count = len(self._injects)
        if column < 0 or column >= len(COLUMNS):
            new_order = sorted(range(count), key=lambda r: (self._injects[r].planned_offset_s,
                                                            self._injects[r].position, self._injects[r].number))
        else:
            new_order = sorted(range(count), key=lambda r: self._sort[r][column],
                               reverse=order == Qt.SortOrder.DescendingOrder)
        if new_order == list(range(count)):
            return
        self.layoutAboutToBeChanged.emit()
        new_row_of = {old: new for new, old in enumerate(new_order)}
        self._injects = tuple(self._injects[r] for r in new_order)
        self._display = [self._display[r] for r in new_order]
        self._sort = [self._sort[r] for r in new_order]
        self._haystack = [self._haystack[r] for r in new_order]
        old = self.persistentIndexList()
        self.changePersistentIndexList(old, [self.index(new_row_of[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()

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
        if role == Qt.ItemDataRole.ToolTipRole and column in (TITLE, RECIPIENTS, SENDER, PHASE):
            return self._display[row][column] or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column in _RIGHT_ALIGNED else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == INJECT_ID_ROLE:
            return self._injects[row].id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                horizontal = (Qt.AlignmentFlag.AlignRight if section in _RIGHT_ALIGNED
                              else Qt.AlignmentFlag.AlignLeft)
                return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return str(section + 1)
        return None


class MselFilterProxy(QSortFilterProxyModel):
    """Sorts on the precomputed keys and filters on a precomputed text per row, so typing stays instant."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._needle = ""
        self.setSortRole(SORT_ROLE)

    def set_filter_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._needle = text.strip().casefold()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = text.strip().casefold()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        if isinstance(model, MselTableModel):
            return model.matches(source_row, self._needle)
        return super().filterAcceptsRow(source_row, source_parent)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the MSEL model sort itself (fast with thousands of rows); the proxy keeps its order and filters."""
        model = self.sourceModel()
        if isinstance(model, MselTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)

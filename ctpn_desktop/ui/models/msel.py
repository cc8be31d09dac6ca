"""The MSEL as a table: one row per inject, display strings worked out once so that thousands of rows scroll,
sort and filter without recomputing anything per paint.

The model filters and sorts itself (text, phase, organisation, method) rather than through a proxy: a
keystroke in the filter bar is one pass over precomputed strings and one reset, which stays fast at 5,000
rows. Edits never change the model directly: it asks its editor (the scenario editor's session), and is told
afterwards which injects changed, so what it shows is always what the document holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import DeliveryMethod, Exercise, ExerciseType, Inject, Scenario
from ctpn_desktop.core.memory import collector_paused

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""A value that sorts naturally (numbers as numbers, times as seconds)."""
INJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
PROBLEMS_ROLE = Qt.ItemDataRole.UserRole + 3
"""The validation messages of a row, as a list of strings."""

Index = QModelIndex | QPersistentModelIndex

EMPTY_SCENARIO = Scenario(exercise=Exercise(id="", title="", exercise_type=ExerciseType.TABLE_TOP))
"""What a table shows before a document is open."""

COLUMNS: tuple[str, ...] = (
    "No.", "Phase", "Planned", "Scenario time", "Title", "From", "To", "Method", "Objectives", "Check",
)
NUMBER, PHASE, PLANNED, SCENARIO_TIME, TITLE, SENDER, RECIPIENTS, METHOD, OBJECTIVES, VALIDATION = range(
    len(COLUMNS))
_RIGHT_ALIGNED = frozenset({NUMBER, PLANNED})
_ALIGNMENTS = tuple(int((Qt.AlignmentFlag.AlignRight if column in _RIGHT_ALIGNED else Qt.AlignmentFlag.AlignLeft)
                        | Qt.AlignmentFlag.AlignVCenter) for column in range(len(COLUMNS)))

# Roles as plain ints, looked up once: a paint asks for seven roles of every cell in view, so what `data` does
# per call is most of what painting the MSEL costs.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TEXT_ROLES = frozenset({_DISPLAY, _ACCESSIBLE})
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_UNUSED_ROLES = frozenset(int(r) for r in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole,
                                           Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.CheckStateRole,
                                           Qt.ItemDataRole.SizeHintRole))
"""Roles no cell of the MSEL sets: answered before anything else is looked at."""
_LAYOUT_SIGNATURE = ("QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint")
_ROWS_SORTED = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
"""Only rows changed places (columns did not): the header across the top has nothing to work out again."""
_TOOLTIP_COLUMNS = frozenset({TITLE, RECIPIENTS, SENDER, PHASE})
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_DRAGGABLE = Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
_FLAGS = {(editable, draggable): _SELECTABLE | (Qt.ItemFlag.ItemIsEditable if editable else Qt.ItemFlag.NoItemFlags)
          | (_DRAGGABLE if draggable else Qt.ItemFlag.NoItemFlags)
          for editable in (False, True) for draggable in (False, True)}
EDITABLE_COLUMNS = frozenset({NUMBER, PLANNED, TITLE, SENDER})
INJECT_IDS_MIME = "application/x-ctpn-inject-ids"

Editor = Callable[[str, int, str], bool]
"""(inject id, column, typed text) -> whether the edit was stored."""


def format_scenario_time(value: datetime | None) -> str:
    """Story time as people say it in the room: weekday, day, month and clock time."""
    return value.strftime("%a %d %b %H:%M") if value is not None else ""


def msel_key(inject: Inject) -> tuple[int, int, int]:
    return inject.planned_offset_s, inject.position, inject.number


_row_key = attrgetter("key")


@dataclass(frozen=True, slots=True)
class MselFilter:
    """What the filter bar asks for; empty values match everything."""

    text: str = ""
    phase_id: str | None = None
    organisation_id: str | None = None
    method: DeliveryMethod | None = None

    @property
    def active(self) -> bool:
        return bool(self.text.strip()) or any(v is not None for v in (self.phase_id, self.organisation_id,
                                                                      self.method))


class _Row:
    """One inject's row. What the table shows, sorts and searches is worked out when first asked for: opening
    a long MSEL formats only the rows in view (and all of them only once a filter or a sort needs them)."""

    __slots__ = ("_display", "_haystack", "_lookups", "_sort", "id", "inject", "key")

    def __init__(self, inject: Inject, lookups: _Lookups) -> None:
        self.inject = inject
        self.id = inject.id
        self.key = msel_key(inject)
        self._lookups = lookups
        self._display: tuple[str, ...] | None = None
        self._sort: tuple[object, ...] | None = None
        self._haystack: str | None = None

    @property
    def display(self) -> tuple[str, ...]:
        if self._display is None:
            self._display = self._lookups.display(self.inject)
        return self._display

    @property
    def sort(self) -> tuple[object, ...]:
        if self._sort is None:
            self._sort = self._lookups.sort_key(self.inject, self.display)
        return self._sort

    @property
    def haystack(self) -> str:
        if self._haystack is None:
            self._haystack = "\n".join(self.display).casefold()
        return self._haystack

    @property
    def organisations(self) -> frozenset[str]:
        return frozenset(r.organisation_id for r in self.inject.recipients)


class _Lookups:
    """Names of the scenario's phases, organisations, roles and objectives, gathered once per update."""

    def __init__(self, scenario: Scenario) -> None:
        self.phases = {p.id: p.name for p in scenario.phases}
        ordered = sorted(scenario.phases, key=lambda p: (p.start_offset_s, p.position))
        self.phase_order = {p.id: n for n, p in enumerate(ordered)}
        self.objectives = {o.id: o.code for o in scenario.objectives}
        self.organisations = {o.id: o.display_name for o in scenario.organisations}
        self.roles = {r.id: r.name for o in scenario.organisations for r in o.roles}

    def row(self, inject: Inject) -> _Row:
        return _Row(inject, self)

    def display(self, inject: Inject) -> tuple[str, ...]:
        recipients = "; ".join(
            f"{self.organisations.get(r.organisation_id, '?')} – {self.roles.get(r.role_id, '?')}"
            if r.role_id else self.organisations.get(r.organisation_id, "?")
            for r in inject.recipients
        )
        return (
            str(inject.number),
            self.phases.get(inject.phase_id or "", ""),
            format_elapsed(inject.planned_offset_s),
            format_scenario_time(inject.scenario_time),
            inject.title,
            inject.sender,
            recipients,
            inject.delivery_method.label,
            ", ".join(self.objectives.get(o, "?") for o in inject.objective_ids),
        )

    def sort_key(self, inject: Inject, display: tuple[str, ...]) -> tuple[object, ...]:
        return (
            inject.number,
            self.phase_order.get(inject.phase_id or "", len(self.phase_order)),
            inject.planned_offset_s,
            inject.scenario_time.isoformat() if inject.scenario_time else "",
            *(text.casefold() for text in display[TITLE:]),
        )


@collector_paused()
def _rows_of(scenario: Scenario) -> list[_Row]:
    lookups = _Lookups(scenario)
    return [lookups.row(i) for i in scenario.injects]


class MselTableModel(QAbstractTableModel):
    """The MSEL of one scenario snapshot; with ``validation`` a last column shows each row's problems."""

    move_requested = Signal(list, object)
    """Inject ids dragged (in MSEL order) and the id of the inject to put them before (None: the end)."""

    def __init__(self, scenario: Scenario, parent: object | None = None, *, validation: bool = False,
                 editor: Editor | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._validation = validation
        self._editor = editor
        self._scenario = scenario
        self._rows: list[_Row] = []
        self._shown: list[_Row] = []
        self._row_of: dict[str, int] = {}
        self._problems: dict[str, list[str]] = {}
        self._filter = MselFilter()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._msel_order = True
        self._columns = len(COLUMNS) if validation else VALIDATION
        self._rows = _rows_of(scenario)
        self._order_rows()
        self._apply_filter()

    # Reading --------------------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def total(self) -> int:
        return len(self._rows)

    @property
    def filter(self) -> MselFilter:
        return self._filter

    @property
    def in_msel_order(self) -> bool:
        """Rows are in planned-time order (no other column sorts them): drag to reorder makes sense."""
        return self._sort_column in (-1, PLANNED) and self._sort_order == Qt.SortOrder.AscendingOrder

    def inject_at(self, row: int) -> Inject:
        return self._shown[row].inject

    def injects_shown(self) -> list[Inject]:
        return [r.inject for r in self._shown]

    def row_of(self, inject_id: str) -> int | None:
        return self._row_of.get(inject_id)

    def matches(self, row: int, needle: str) -> bool:
        """Whether ``needle`` (already case-folded) appears in any column of ``row``."""
        return needle in self._shown[row].haystack

    # Changing what is shown -----------------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        self.beginResetModel()
        self._scenario = scenario
        self._rows = _rows_of(scenario)
        self._order_rows()
        self._apply_filter()
        self.endResetModel()

    def update_injects(self, scenario: Scenario, changed: Iterable[str], removed: Iterable[str] = ()) -> bool:
        """Take ``scenario`` as the new snapshot where only the injects ``changed`` and ``removed`` differ.

        Rows that stay where they were are repainted in place (one range from the first changed row to the
        last); rows that only move (a re-time, a reorder) are a layout change that keeps the selection and the
        current row on their injects; only when rows come or go (or a filter now hides or shows others) does
        the model reset, and then it returns True (the page puts the selection back, by inject id).
        """
        changed_ids, removed_ids = set(changed), set(removed)
        self._scenario = scenario
        if not changed_ids and not removed_ids:
            return False
        lookups = _Lookups(scenario)
        fresh = {i.id: i for i in scenario.injects if i.id in changed_ids}
        gone = removed_ids.union(fresh)
        rows = [r for r in self._rows if r.id not in gone]
        rows.extend([_Row(i, lookups) for i in fresh.values()])
        rows = self._ordered(rows)
        shown = self._filtered(rows)
        old_ids = [r.id for r in self._shown]
        new_ids = [r.id for r in shown]
        self._rows = rows
        if new_ids == old_ids:
            self._shown = shown
            places = [self._row_of[i] for i in fresh if i in self._row_of]
            if places:
                self.dataChanged.emit(self.index(min(places), 0), self.index(max(places), self._columns - 1))
            return False
        # The same injects, only moved: with no filter every inject has a row in view, and none came or went.
        same_injects = (not self._filter.active and all(i in self._row_of for i in fresh)
                        and not any(i in self._row_of for i in removed_ids))
        if same_injects or (len(new_ids) == len(old_ids) and set(new_ids) == set(old_ids)):
            self._relayout(shown, old_ids)
            return False
        self.beginResetModel()
        self._shown = shown
        self._row_of = {inject_id: n for n, inject_id in enumerate(new_ids)}
        self.endResetModel()
        return True

    def _relayout(self, shown: list[_Row], old_ids: list[str]) -> None:
        """Show the same rows in a new order: persistent indexes (selection, current row) follow their injects."""
        self.layoutAboutToBeChanged[_LAYOUT_SIGNATURE].emit([], _ROWS_SORTED)
        new_row_of = {r.id: n for n, r in enumerate(shown)}
        old = self.persistentIndexList()
        self._shown = shown
        self._row_of = new_row_of
        self.changePersistentIndexList(
            old, [self.index(new_row_of[old_ids[i.row()]], i.column()) for i in old])
        self.layoutChanged[_LAYOUT_SIGNATURE].emit([], _ROWS_SORTED)

    def refresh_names(self, scenario: Scenario) -> None:
        """Phases, organisations or objectives were renamed: every row's text is worked out again."""
        self.set_scenario(scenario)

    def set_filter(self, wanted: MselFilter) -> None:
        if wanted == self._filter:
            return
        self.beginResetModel()
        self._filter = wanted
        self._apply_filter()
        self.endResetModel()

    def set_problems(self, problems: Mapping[str, Sequence[str]]) -> None:
        self._problems = {k: list(v) for k, v in problems.items()}
        if self._validation and self._shown:
            self.dataChanged.emit(self.index(0, VALIDATION), self.index(len(self._shown) - 1, VALIDATION))

    def _order_rows(self) -> None:
        self._rows = self._ordered(self._rows)

    def _ordered(self, rows: list[_Row]) -> list[_Row]:
        column, descending = self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder
        if column == VALIDATION:
            return sorted(rows, key=lambda r: (len(self._problems.get(r.id, ())), r.key),
                          reverse=descending)
        if column < 0 or column >= VALIDATION:
            return sorted(rows, key=_row_key)
        return sorted(rows, key=lambda r: (r.sort[column], r.key), reverse=descending)

    def _filtered(self, rows: list[_Row] | None = None) -> list[_Row]:
        wanted = self._filter
        rows = self._rows if rows is None else rows
        needle = wanted.text.strip().casefold()
        if needle:
            rows = [r for r in rows if needle in r.haystack]
        if wanted.phase_id is not None:
            rows = [r for r in rows if r.inject.phase_id == wanted.phase_id]
        if wanted.organisation_id is not None:
            organisation = wanted.organisation_id
            rows = [r for r in rows if organisation in r.organisations]
        if wanted.method is not None:
            rows = [r for r in rows if r.inject.delivery_method is wanted.method]
        return list(rows)

    def _apply_filter(self) -> None:
        self._shown = self._filtered()
        self._row_of = {r.id: n for n, r in enumerate(self._shown)}

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort on the precomputed keys with Python's own sort: one pass, no per-comparison calls into Qt.

        Column -1 restores the MSEL order (planned time). Selections survive through persistent indexes.
        """
        self._sort_column, self._sort_order = column, order
        self._msel_order = self.in_msel_order
        before = [r.id for r in self._shown]
        self._order_rows()
        shown = self._filtered()
        if [r.id for r in shown] == before:
            return
        self._relayout(shown, before)

    # Qt's model contract --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if role in _UNUSED_ROLES or not index.isValid():
            return None
        column = index.column()
        item = self._shown[index.row()]
        if column == VALIDATION:
            return self._validation_data(item, role)
        if role in _TEXT_ROLES:
            return item.display[column]
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        if role == _FOREGROUND:
            return None
        if role == _EDIT:
            return item.inject.title if column == TITLE else item.display[column]
        if role == SORT_ROLE:
            return item.sort[column]
        if role == _TOOLTIP and column in _TOOLTIP_COLUMNS:
            return item.display[column] or None
        if role == INJECT_ID_ROLE:
            return item.id
        if role == PROBLEMS_ROLE:
            return self._problems.get(item.id, [])
        return None

    # What `PlainTextCells` paints: the strings `data` gives, without a role lookup per cell ----------------
    def cell_text(self, row: int, column: int) -> str:
        item = self._shown[row]
        if column == VALIDATION:
            return str(self._validation_data(item, _DISPLAY))
        return item.display[column]

    def cell_colour(self, row: int, column: int) -> QColor | None:
        if column != VALIDATION:
            return None
        colour = self._validation_data(self._shown[row], _FOREGROUND)
        return colour if isinstance(colour, QColor) else None

    def cell_right_aligned(self, column: int) -> bool:
        return column in _RIGHT_ALIGNED

    def _validation_data(self, item: _Row, role: int) -> object:
        problems = self._problems.get(item.id, [])
        if role in _TEXT_ROLES:
            if not problems:
                return "OK"
            return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        if role == _ALIGNMENT:
            return _ALIGNMENTS[VALIDATION]
        if role == _FOREGROUND:
            if not problems:
                return None
            from PySide6.QtGui import QGuiApplication, QPalette

            dark = QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
            return QColor("#ffb347" if dark else "#a04000")
        if role == _TOOLTIP:
            return "\n".join(problems) or "No problems found"
        if role == SORT_ROLE:
            return len(problems)
        if role == INJECT_ID_ROLE:
            return item.id
        if role == PROBLEMS_ROLE:
            return problems
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self._editor is not None else Qt.ItemFlag.NoItemFlags
        if self._editor is None:
            return _SELECTABLE
        return _FLAGS[index.column() in EDITABLE_COLUMNS, self._msel_order]

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if self._editor is None or not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if index.column() not in EDITABLE_COLUMNS:
            return False
        return self._editor(self._shown[index.row()].id, index.column(), str(value))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < self._columns:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == VALIDATION:
                return "Problems the validation found in this inject"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                horizontal = (Qt.AlignmentFlag.AlignRight if section in _RIGHT_ALIGNED
                              else Qt.AlignmentFlag.AlignLeft)
                return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and section >= 0:
            return str(section + 1)
        return None

    # Drag to reorder ------------------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [INJECT_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(INJECT_IDS_MIME, QByteArray("\n".join(self._shown[r].id for r in rows).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        return self._editor is not None and self.in_msel_order and data.hasFormat(INJECT_IDS_MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        """Ask for the move; the session stores it and tells the model. Returns False so the view never removes
        the dragged rows itself."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = [i for i in bytes(data.data(INJECT_IDS_MIME).data()).decode().split("\n") if i]
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._shown))
        before = self._shown[target].id if target < len(self._shown) else None
        if ids:
            self.move_requested.emit(ids, before)
        return False


class MselFilterProxy(QSortFilterProxyModel):
    """Sorts on the precomputed keys and filters on a precomputed text per row, so typing stays instant.

    For read-only MSEL tables (a run's frozen copy); the editor filters in the model itself.
    """

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

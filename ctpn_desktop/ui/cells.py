"""Painting the cells of a long table of plain text without laying their text out again on every paint.

Qt's own delegate asks the model for seven roles of every cell in view and lays each text out afresh (to elide
it) each time the table paints: with thousands of rows that is most of a repaint. `PlainTextCells` paints the
same cell from the model's own strings, with the text laid out once per text and width (`QStaticText`) and
the background, selection and keyboard focus drawn by the style, as Qt's delegate draws them. Editing, size
hints and everything else stay Qt's. The model's roles still answer screen readers, copying and tests.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
)

MAX_LAID_OUT = 20_000
"""Texts kept laid out; past this many (a long table scrolled end to end) they are laid out again as needed."""


class CellSource(Protocol):
    """What a table model tells the painter about a cell, without a role lookup."""

    def cell_text(self, row: int, column: int) -> str: ...

    def cell_colour(self, row: int, column: int) -> QColor | None:
        """A colour for the text other than the palette's (None: the palette's)."""
        ...

    def cell_right_aligned(self, column: int) -> bool: ...


class PlainTextCells(QStyledItemDelegate):
    """Paints one line of elided plain text per cell, as the style would; `forget` after a font or style
    change."""

    def __init__(self, source: CellSource, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._source = source
        self._view = view
        self._laid_out: dict[tuple[str, int], QStaticText] = {}
        self._measures: tuple[int, int] | None = None

    def forget(self) -> None:
        """Lay every text out again (the font, the style or the palette changed)."""
        self._laid_out.clear()
        self._measures = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        # The state is tested as plain bits: a paint tests it a few times for each of hundreds of cells.
        view = self._view
        style = view.style()
        style.drawPrimitive(_PANEL, option, painter, view)
        state = option.state
        bits = state.value
        group = _DISABLED if not bits & _ENABLED else _INACTIVE if not bits & _ACTIVE else _NORMAL
        row, column = index.row(), index.column()
        text = self._source.cell_text(row, column)
        if text:
            if self._measures is None:
                margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
                self._measures = (margin, option.fontMetrics.height())
            margin, line_height = self._measures
            rect = option.rect
            width = rect.width() - 2 * margin
            if width > 0:
                if bits & _SELECTED:
                    painter.setPen(option.palette.color(group, _HIGHLIGHTED_TEXT))
                else:
                    colour = self._source.cell_colour(row, column)
                    painter.setPen(colour if colour is not None else option.palette.color(group, _TEXT))
                shown = self._shown(text, width, option)
                top = rect.y() + (rect.height() - line_height) / 2
                if self._source.cell_right_aligned(column):
                    left = rect.x() + rect.width() - margin - shown.size().width()
                else:
                    left = rect.x() + margin
                painter.drawStaticText(QPointF(left, top), shown)
        if bits & _HAS_FOCUS:
            focus = QStyleOptionFocusRect()
            focus.initFrom(view)
            focus.rect = option.rect
            focus.state = state | QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item
            focus.backgroundColor = option.palette.color(group, _HIGHLIGHT if bits & _SELECTED else _WINDOW)
            style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, focus, painter, view)

    def _shown(self, text: str, width: int, option: QStyleOptionViewItem) -> QStaticText:
        key = (text, width)
        shown = self._laid_out.get(key)
        if shown is None:
            if len(self._laid_out) >= MAX_LAID_OUT:
                self._laid_out.clear()
            line = text.replace("\n", " ")
            shown = QStaticText(option.fontMetrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
            shown.setTextFormat(Qt.TextFormat.PlainText)
            self._laid_out[key] = shown
        return shown


_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected.value
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus.value
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_DISABLED = QPalette.ColorGroup.Disabled
_INACTIVE = QPalette.ColorGroup.Inactive
_NORMAL = QPalette.ColorGroup.Active
"""The palette group Qt's delegate paints a cell in: disabled, inactive when the window is not active, or
active."""
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_HIGHLIGHT = QPalette.ColorRole.Highlight
_WINDOW = QPalette.ColorRole.Window

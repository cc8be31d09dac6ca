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
        self._margin: int | None = None

    def forget(self) -> None:
        """Lay every text out again (the font, the style or the palette changed)."""
        self._laid_out.clear()
        self._margin = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        view = self._view
        style = view.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, view)
        state = option.state
        group = _colour_group(state)
        row, column = index.row(), index.column()
        text = self._source.cell_text(row, column)
        if text:
            if self._margin is None:
                self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
            margin = self._margin
            rect = option.rect
            width = rect.width() - 2 * margin
            if width > 0:
                if state & QStyle.StateFlag.State_Selected:
                    painter.setPen(option.palette.color(group, QPalette.ColorRole.HighlightedText))
                else:
                    colour = self._source.cell_colour(row, column)
                    painter.setPen(colour if colour is not None
                                   else option.palette.color(group, QPalette.ColorRole.Text))
                shown = self._shown(text, width, option)
                metrics = option.fontMetrics
                top = rect.y() + (rect.height() - metrics.height()) / 2
                if self._source.cell_right_aligned(column):
                    left = rect.x() + rect.width() - margin - shown.size().width()
                else:
                    left = rect.x() + margin
                painter.drawStaticText(QPointF(left, top), shown)
        if state & QStyle.StateFlag.State_HasFocus:
            focus = QStyleOptionFocusRect()
            focus.initFrom(view)
            focus.rect = option.rect
            focus.state = state | QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item
            selected = bool(state & QStyle.StateFlag.State_Selected)
            focus.backgroundColor = option.palette.color(
                group, QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window)
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


def _colour_group(state: QStyle.StateFlag) -> QPalette.ColorGroup:
    """The palette group Qt's delegate paints a cell in: disabled, or inactive when the window is not active."""
    if not state & QStyle.StateFlag.State_Enabled:
        return QPalette.ColorGroup.Disabled
    if not state & QStyle.StateFlag.State_Active:
        return QPalette.ColorGroup.Inactive
    return QPalette.ColorGroup.Active

"""Layouts that reflow instead of forcing the window wider, for 1280 × 720 laptops and projectors.

A bar of fields wraps onto a second row (`FlowLayout`), a block of equal buttons drops to fewer columns
(`ColumnsLayout`), and a row of tool buttons shows only icons, their names in tooltips, when its text no
longer fits (`ButtonStrip`). Each reports the narrow arrangement as its minimum and the roomy one as its
preferred size, so the window can shrink while a wide screen still shows everything on one line.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QToolButton,
    QWidget,
)


class _ItemsLayout(QLayout):
    """The bookkeeping every custom layout needs: a list of items, spacing, margins."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6, row_spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing
        if parent is None:
            self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self.invalidate()
            return item
        return None

    def horizontalSpacing(self) -> int:
        return self._spacing

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _inner(self, rect: QRect) -> QRect:
        margins = self.contentsMargins()
        return rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())

    def _margin_size(self) -> QSize:
        margins = self.contentsMargins()
        return QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        raise NotImplementedError


class FlowLayout(_ItemsLayout):
    """Items left to right at their preferred widths, wrapping onto a new row when the next does not fit.

    Items that expand horizontally share the space left at the end of their row, so a search field still
    grows on a wide screen. Keep a caption and its field together by putting both in one small widget."""

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def minimumSize(self) -> QSize:
        shown = self._shown()
        width = max((item.minimumSize().width() for item in shown), default=0)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(width, height) + self._margin_size()

    def sizeHint(self) -> QSize:
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self._spacing * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        return QSize(width, height) + self._margin_size()

    def one_row_width(self) -> int:
        """The width every item needs at its preferred size on a single row, margins included."""
        shown = self._shown()
        return (sum(item.sizeHint().width() for item in shown) + self._spacing * max(0, len(shown) - 1)
                + self._margin_size().width())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        area = self._inner(rect)
        rows: list[list[tuple[QLayoutItem, int]]] = [[]]
        used = 0
        for item in self._shown():
            width = max(item.minimumSize().width(), min(item.sizeHint().width(), area.width()))
            if rows[-1] and used + self._spacing + width > area.width():
                rows.append([])
                used = 0
            used += (self._spacing if rows[-1] else 0) + width
            rows[-1].append((item, width))
        y = area.y()
        for row in (r for r in rows if r):
            height = max(item.sizeHint().height() for item, _ in row)
            widths = _share_out(row, area.width() - sum(w for _, w in row) - self._spacing * (len(row) - 1))
            if apply:
                x = area.x()
                for (item, _), width in zip(row, widths, strict=True):
                    item_height = min(height, item.maximumSize().height())
                    if item.expandingDirections() & Qt.Orientation.Vertical:
                        item_height = height
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                    x += width + self._spacing
            y += height + self._row_spacing
        margins = self.contentsMargins()
        return max(0, y - self._row_spacing - area.y()) + margins.top() + margins.bottom()


def _share_out(row: list[tuple[QLayoutItem, int]], extra: int) -> list[int]:
    """The widths of a row once what is left over is shared by the items that expand, up to their maximum."""
    widths = [width for _, width in row]
    growing = [i for i, (item, _) in enumerate(row) if item.expandingDirections() & Qt.Orientation.Horizontal]
    while extra > 0 and growing:
        share = max(1, extra // len(growing))
        still_growing = []
        for i in growing:
            room = row[i][0].maximumSize().width() - widths[i]
            grant = min(share, room, extra)
            widths[i] += grant
            extra -= grant
            if room > grant:
                still_growing.append(i)
        growing = still_growing
    return widths


class ColumnsLayout(_ItemsLayout):
    """Equal cells, filled row by row, in as many columns as fit between ``min_columns`` and ``max_columns``."""

    def __init__(self, parent: QWidget | None = None, *, min_columns: int = 1, max_columns: int = 3,
                 spacing: int = 6) -> None:
        super().__init__(parent, spacing, spacing)
        self.min_columns = min_columns
        self.max_columns = max_columns

    def _cell(self) -> QSize:
        shown = self._shown()
        return QSize(max((item.sizeHint().width() for item in shown), default=0),
                     max((item.sizeHint().height() for item in shown), default=0))

    def _columns(self, width: int) -> int:
        cell = self._cell().width()
        fitting = (width + self._spacing) // (cell + self._spacing) if cell > 0 else self.max_columns
        return max(self.min_columns, min(self.max_columns, fitting, max(1, len(self._shown()))))

    def width_for(self, columns: int) -> int:
        """The width ``columns`` columns of buttons need at their preferred size, margins included."""
        return self._span(columns, 1).width()

    def set_max_columns(self, columns: int) -> None:
        if columns != self.max_columns:
            self.max_columns = columns
            self.invalidate()

    def columns_at(self, width: int) -> int:
        """How many columns the buttons take in a layout ``width`` pixels wide (margins included)."""
        return self._columns(self._inner(QRect(0, 0, width, 0)).width())

    def _span(self, columns: int, rows: int) -> QSize:
        cell = self._cell()
        return QSize(columns * cell.width() + (columns - 1) * self._spacing,
                     rows * cell.height() + (rows - 1) * self._spacing) + self._margin_size()

    def minimumSize(self) -> QSize:
        columns = min(self.min_columns, max(1, len(self._shown())))
        return self._span(columns, 1)

    def sizeHint(self) -> QSize:
        count = len(self._shown())
        columns = max(1, min(self.max_columns, count))
        return self._span(columns, -(-count // columns))

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        area = self._inner(rect)
        shown = self._shown()
        columns = self._columns(area.width())
        rows = -(-len(shown) // columns)
        height = self._cell().height()
        if apply and shown:
            width = max(1, (area.width() - (columns - 1) * self._spacing) // columns)
            for index, item in enumerate(shown):
                row, column = divmod(index, columns)
                item.setGeometry(QRect(area.x() + column * (width + self._spacing),
                                       area.y() + row * (height + self._spacing), width, height))
        margins = self.contentsMargins()
        return max(0, rows * height + (rows - 1) * self._spacing) + margins.top() + margins.bottom()


class ButtonStrip(QWidget):
    """Tool buttons in a row that show their text while it fits and only their icons when it does not.

    The button keeps its text, accessible name and tooltip in both forms, so screen readers, tests and the
    tooltip still say what it does."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self.buttons: list[QToolButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        self._layout = layout
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def add(self, button: QToolButton) -> QToolButton:
        button.setParent(self)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._layout.addWidget(button)
        self.buttons.append(button)
        self.updateGeometry()
        return button

    @property
    def compact(self) -> bool:
        return any(b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly for b in self.buttons)

    def _width(self, style: Qt.ToolButtonStyle) -> int:
        shown = [b for b in self.buttons if not b.isHidden()]
        return sum(_button_hint(b, style).width() for b in shown) + self._layout.spacing() * max(0, len(shown) - 1)

    def sizeHint(self) -> QSize:
        return QSize(self._width(Qt.ToolButtonStyle.ToolButtonTextBesideIcon), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._width(Qt.ToolButtonStyle.ToolButtonIconOnly), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit(event.size().width())
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()
            self._fit(self.width())

    def _fit(self, width: int) -> None:
        roomy = width >= self._width(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon if roomy else Qt.ToolButtonStyle.ToolButtonIconOnly
        for button in self.buttons:
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)


def _button_hint(button: QToolButton, style: Qt.ToolButtonStyle) -> QSize:
    """The size ``button`` asks for in ``style``, worked out the way QToolButton does, without switching it."""
    if button.toolButtonStyle() == style:
        return button.sizeHint()
    option = QStyleOptionToolButton()
    option.initFrom(button)
    option.toolButtonStyle = style
    option.iconSize = button.iconSize()
    option.icon = button.icon()
    option.text = button.text()
    metrics = button.fontMetrics()
    icon = button.iconSize()
    width, height = icon.width(), icon.height()
    if style != Qt.ToolButtonStyle.ToolButtonIconOnly:
        text = metrics.size(Qt.TextFlag.TextShowMnemonic, button.text())
        text_width = text.width() + 2 * metrics.horizontalAdvance(" ")
        width, height = width + 4 + text_width, max(height, text.height())
    option.rect = QRect(0, 0, width, height)
    size = button.style().sizeFromContents(QStyle.ContentsType.CT_ToolButton, option, QSize(width, height), button)
    return size


def side_by_side(parent: QWidget, *widgets: QWidget, spacing: int = 6, stretch: QWidget | None = None) -> QWidget:
    """``widgets`` side by side in one small widget, so a flowing bar never parts a caption from its field.

    ``stretch`` is the one that takes any extra width the group is given; without one the group keeps its
    preferred width."""
    holder = QWidget(parent)
    if stretch is None:
        holder.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for widget in widgets:
        widget.setParent(holder)
        layout.addWidget(widget, 1 if widget is stretch else 0)
    return holder


class VerticalScrollArea(QScrollArea):
    """Scrolls a tall form up and down on a short screen, never sideways: as wide as the form needs, as short
    as a few lines, so the form no longer sets the window's minimum height."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return QSize(width + bar + 2 * self.frameWidth(), 5 * self.fontMetrics().lineSpacing())

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return QSize(hint.width() + bar + 2 * self.frameWidth(), hint.height() + 2 * self.frameWidth())

"""Small building blocks shared by the pages: empty states, headings and tables that look alike everywhere."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollBar,
    QStackedWidget,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.ui import icons


class IconLabel(QWidget):
    """An icon of a fixed size, painted from the icon each time rather than kept as a picture, so an icon that
    was still loading when the widget was made appears as soon as it is ready (see `icons.hold`)."""

    def __init__(self, icon: QIcon, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self.setFixedSize(size, size)
        self.set_icon(icon)

    def set_icon(self, icon: QIcon) -> None:
        self._icon = icon
        self.update()

    def icon(self) -> QIcon:
        return self._icon

    def sizeHint(self) -> QSize:
        return QSize(self._size, self._size)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self._icon.paint(painter, self.rect())
        painter.end()


class Heading(QLabel):
    """A page or section title, scaled from the application font and re-scaled when the user changes text size."""

    SCALE = {1: 1.5, 2: 1.2, 3: 1.0}

    def __init__(self, text: str, level: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.level = level
        self.setProperty("heading", level)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._scale_font()

    def _scale_font(self) -> None:
        font = QFont(QApplication.font())
        font.setBold(True)
        base = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
        font.setPointSizeF(base * self.SCALE.get(self.level, 1.0))
        self.setFont(font)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._scale_font()
        return super().event(event)


def heading(text: str, level: int = 1, parent: QWidget | None = None) -> Heading:
    return Heading(text, level, parent)


def muted(text: str = "", parent: QWidget | None = None) -> QLabel:
    """Secondary text (paths, hints); dimmed by the palette, never so faint it cannot be read."""
    label = QLabel(text, parent)
    label.setProperty("muted", True)
    label.setWordWrap(True)
    return label


class EmptyState(QWidget):
    """A clear statement of why there is nothing to show and what to do about it."""

    def __init__(self, title: str, text: str, icon_name: str = icons.EMPTY, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addStretch(1)
        self._icon = IconLabel(icons.icon(icon_name), 48, self)
        self._icon_name = icon_name
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title_label = heading(title, 2, self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label = muted(text, self)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title_label.setWordWrap(True)
        self.text_label.setMaximumWidth(620)  # short lines read better than a sentence across the screen
        layout.addWidget(self.title_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text_label, 100)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self.refresh_icon()

    def set_text(self, title: str, text: str) -> None:
        self.title_label.setText(title)
        self.text_label.setText(text)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)

    def refresh_icon(self) -> None:
        self._icon.set_icon(icons.icon(self._icon_name))


class KeptScrollBar(QScrollBar):
    """A scroll bar that paints itself again only when what it shows changed.

    Fusion fills a tall scroll bar's groove with a gradient, a few milliseconds each time, and Qt's scroll areas
    ask their scroll bars to repaint whenever they lay out their children, even when nothing moved. The last
    picture is kept with the style option it was drawn from and painted again while that option is the same;
    while the pointer is over the bar or a part of it is pressed (or in a style whose scroll bars fade), it is
    drawn as usual.
    """

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._kept: tuple[tuple[object, ...], QPixmap] | None = None

    def _option_key(self, option: QStyleOptionSlider) -> tuple[object, ...]:
        return (option.rect.getRect(), option.state, option.direction, option.palette.cacheKey(),
                option.fontMetrics.height(),
                option.minimum, option.maximum, option.sliderPosition, option.sliderValue, option.singleStep,
                option.pageStep, option.orientation, option.upsideDown, option.subControls, option.activeSubControls,
                self.style(), self.devicePixelRatioF())

    def paintEvent(self, event: QPaintEvent) -> None:
        if (self.underMouse() or self.isSliderDown() or QApplication.mouseButtons() != Qt.MouseButton.NoButton
                or self.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, self)):
            self._kept = None
            super().paintEvent(event)
            return
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        option.subControls = QStyle.SubControl.SC_All
        option.activeSubControls = QStyle.SubControl.SC_None
        key = self._option_key(option)
        if self._kept is None or self._kept[0] != key:
            ratio = self.devicePixelRatioF()
            picture = QPixmap(self.size() * ratio)
            picture.setDevicePixelRatio(ratio)
            picture.fill(self.palette().color(self.backgroundRole()))  # what shows through its edges
            drawing = QPainter(picture)
            self.style().drawComplexControl(QStyle.ComplexControl.CC_ScrollBar, option, drawing, self)
            drawing.end()
            self._kept = (key, picture)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._kept[1])
        painter.end()


def keep_scroll_bars(area: QAbstractScrollArea) -> None:
    """Give ``area`` scroll bars that repaint only when they change (see `KeptScrollBar`)."""
    for orientation, setter in ((Qt.Orientation.Horizontal, area.setHorizontalScrollBar),
                                (Qt.Orientation.Vertical, area.setVerticalScrollBar)):
        setter(KeptScrollBar(orientation, area))


class SwitchStack(QStackedWidget):
    """Content or its empty state, one at a time."""

    def __init__(self, content: QWidget, empty: EmptyState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.empty = empty
        self.addWidget(content)
        self.addWidget(empty)

    def show_content(self, has_content: bool) -> None:
        self.setCurrentWidget(self.content if has_content else self.empty)


def setup_table(view: QTableView, name: str) -> None:
    """Uniform rows (fast with thousands of them), row selection, no grid clutter, sortable by header."""
    view.setAccessibleName(name)
    view.setObjectName(name.lower().replace(" ", "_"))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setSortingEnabled(True)
    view.setTabKeyNavigation(False)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(True)
    header.setStretchLastSection(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def set_column_widths(view: QTableView, widths: dict[int, int], stretch: int | None = None) -> None:
    """Widths in average characters, so columns grow with the text size instead of truncating."""
    char = max(view.fontMetrics().averageCharWidth(), 6)
    header = view.horizontalHeader()
    for column, chars in widths.items():
        header.resizeSection(column, chars * char + 16)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def setup_tree(tree: QTreeWidget, name: str, headers: list[str]) -> None:
    tree.setAccessibleName(name)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setWordWrap(False)

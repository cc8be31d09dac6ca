"""Small building blocks shared by the pages: empty states, headings and tables that look alike everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.ui import icons


def heading(text: str, level: int = 1, parent: QWidget | None = None) -> QLabel:
    """A page or section title; scaled from the application font so it follows text-size changes."""
    label = QLabel(text, parent)
    label.setProperty("heading", level)
    font = QFont(label.font())
    font.setBold(True)
    base = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(base * {1: 1.6, 2: 1.25}.get(level, 1.0))
    label.setFont(font)
    label.setAccessibleName(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


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
        self._icon = QLabel(self)
        self._icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._icon_name = icon_name
        layout.addWidget(self._icon)
        self.title_label = heading(title, 2, self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label = muted(text, self)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label.setMaximumWidth(560)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label, 0, Qt.AlignmentFlag.AlignHCenter)
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
        self._icon.setPixmap(icons.icon(self._icon_name).pixmap(48, 48))


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

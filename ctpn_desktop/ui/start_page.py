"""The start page: a new exercise from the library, open a file, or pick up a recent one.

The page only shows and asks; the main window does the creating and opening, so every way in (menu,
start page, command line) goes through the same code and reports errors the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, heading, muted, setup_tree

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class LibraryEntry(Protocol):
    """What the page shows of a library scenario (core.library.LibraryItem has these)."""

    @property
    def path(self) -> Path: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def marking(self) -> str: ...
    @property
    def injects(self) -> int: ...


LibraryFn = Callable[[], Sequence[LibraryEntry]]


class StartPage(QWidget):
    create_requested = Signal(object)  # Path of the library scenario
    open_requested = Signal()
    recent_requested = Signal(object)  # Path of the exercise file

    def __init__(self, library_items_fn: LibraryFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")
        self._library_items_fn = library_items_fn
        self._items: list[LibraryEntry] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.setSpacing(16)
        outer.addWidget(heading("Start", 1, self))
        outer.addWidget(muted(
            "Create an exercise from a library scenario, or open an exercise file you already have.", self))

        columns = QHBoxLayout()
        columns.setSpacing(32)
        outer.addLayout(columns, 1)

        # Library column
        library_column = QVBoxLayout()
        library_column.setSpacing(8)
        library_column.addWidget(heading("New exercise from the library", 2, self))
        self.library_tree = QTreeWidget(self)
        self.library_tree.setObjectName("libraryList")
        setup_tree(self.library_tree, "Library scenarios", ["Scenario", "Marking", "Injects"])
        header = self.library_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.setSectionResizeMode(1, header.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, header.ResizeMode.ResizeToContents)
        self.library_tree.currentItemChanged.connect(self._show_selected)
        self.library_tree.itemActivated.connect(lambda *_: self._request_create())

        detail = QFrame(self)
        detail.setObjectName("libraryDetail")
        detail.setFrameShape(QFrame.Shape.StyledPanel)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(16, 12, 16, 12)
        self.detail_title = heading("", 2, detail)
        self.detail_title.setWordWrap(True)
        self.detail_meta = muted("", detail)
        self.detail_summary = QLabel("", detail)
        self.detail_summary.setObjectName("librarySummary")
        self.detail_summary.setWordWrap(True)
        self.detail_summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_button = QPushButton(icons.icon(icons.NEW), "Create exercise from this scenario…", detail)
        self.create_button.setObjectName("createButton")
        self.create_button.setAccessibleName("Create exercise from this scenario")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._request_create)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail_meta)
        detail_layout.addWidget(self.detail_summary)
        detail_layout.addSpacing(8)
        detail_layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)

        library_content = QWidget(self)
        library_layout = QVBoxLayout(library_content)
        library_layout.setContentsMargins(0, 0, 0, 0)
        library_layout.addWidget(self.library_tree, 1)
        library_layout.addWidget(detail, 0)
        self.library_empty = EmptyState(
            "No scenarios in the library",
            "The scenario library is empty or could not be read. You can still open an exercise file.",
            icons.LIBRARY, self)
        self.library_stack = SwitchStack(library_content, self.library_empty, self)
        library_column.addWidget(self.library_stack, 1)
        columns.addLayout(library_column, 3)

        # Open and recent column
        side = QVBoxLayout()
        side.setSpacing(8)
        side.addWidget(heading("Open an exercise", 2, self))
        self.open_button = QPushButton(icons.icon(icons.OPEN), "Open exercise file…", self)
        self.open_button.setObjectName("openButton")
        self.open_button.setAccessibleName("Open exercise file")
        self.open_button.clicked.connect(self.open_requested)
        side.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addSpacing(16)
        side.addWidget(heading("Recent exercises", 2, self))
        self.recent_list = QListWidget(self)
        self.recent_list.setObjectName("recentList")
        self.recent_list.setAccessibleName("Recent exercises")
        self.recent_list.setUniformItemSizes(True)
        self.recent_list.itemActivated.connect(self._request_recent)
        self.recent_empty = EmptyState(
            "No recent exercises", "Exercises you create or open appear here.", icons.RECENT, self)
        self.recent_stack = SwitchStack(self.recent_list, self.recent_empty, self)
        side.addWidget(self.recent_stack, 1)
        columns.addLayout(side, 2)

        self.setTabOrder(self.library_tree, self.create_button)
        self.setTabOrder(self.create_button, self.open_button)
        self.setTabOrder(self.open_button, self.recent_list)
        self._library_read = False

    def showEvent(self, event: QShowEvent) -> None:
        # Read when first shown: a window started with a file paints without parsing every library scenario.
        self._read_library_once()
        super().showEvent(event)

    def _read_library_once(self) -> None:
        if not self._library_read:
            self.reload_library()

    # Library ---------------------------------------------------------------------------------------------
    def reload_library(self) -> None:
        self._library_read = True
        try:
            self._items = list(self._library_items_fn())
        except Exception as error:  # a broken library must not stop the app from opening files
            self._items = []
            self.library_empty.set_text("The scenario library could not be read", str(error))
        self.library_tree.clear()
        for entry in self._items:
            item = QTreeWidgetItem([entry.title, entry.marking.upper(), str(entry.injects)])
            item.setData(0, PATH_ROLE, entry.path)
            item.setToolTip(0, entry.summary)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.library_tree.addTopLevelItem(item)
        self.library_stack.show_content(bool(self._items))
        if self._items:
            self.library_tree.setCurrentItem(self.library_tree.topLevelItem(0))
        self._show_selected()

    def selected_library_path(self) -> Path | None:
        self._read_library_once()
        item = self.library_tree.currentItem()
        return item.data(0, PATH_ROLE) if item is not None else None

    def select_library_path(self, path: Path) -> None:
        self._read_library_once()
        for i in range(self.library_tree.topLevelItemCount()):
            item = self.library_tree.topLevelItem(i)
            if item.data(0, PATH_ROLE) == path:
                self.library_tree.setCurrentItem(item)
                return

    def focus_library(self) -> None:
        self._read_library_once()
        (self.library_tree if self._items else self.open_button).setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_selected(self, *_args: object) -> None:
        path = self.selected_library_path()
        entry = next((e for e in self._items if e.path == path), None)
        self.create_button.setEnabled(entry is not None)
        if entry is None:
            self.detail_title.setText("Choose a scenario")
            self.detail_meta.setText("")
            self.detail_summary.setText("")
            return
        self.detail_title.setText(entry.title)
        plural = "inject" if entry.injects == 1 else "injects"
        self.detail_meta.setText(f"{entry.marking.upper()}  ·  {entry.injects} {plural}  ·  {entry.path.name}")
        self.detail_summary.setText(entry.summary or "No summary.")

    def _request_create(self) -> None:
        path = self.selected_library_path()
        if path is not None:
            self.create_requested.emit(path)

    # Recent files ----------------------------------------------------------------------------------------
    def set_recent(self, paths: Sequence[Path]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(icons.icon(icons.DOCUMENT), f"{path.name}\n{path.parent}")
            item.setData(PATH_ROLE, path)
            item.setToolTip(str(path))
            self.recent_list.addItem(item)
        self.recent_stack.show_content(bool(paths))
        if paths:
            self.recent_list.setCurrentRow(0)

    def _request_recent(self, item: QListWidgetItem) -> None:
        self.recent_requested.emit(item.data(PATH_ROLE))

    def refresh_icons(self) -> None:
        self.create_button.setIcon(icons.icon(icons.NEW))
        self.open_button.setIcon(icons.icon(icons.OPEN))
        self.library_empty.refresh_icon()
        self.recent_empty.refresh_icon()
        for i in range(self.recent_list.count()):
            self.recent_list.item(i).setIcon(icons.icon(icons.DOCUMENT))

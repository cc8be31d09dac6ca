"""The main window: marking banner, navigation between the start page and the four workspaces, File menu.

It is the one place where documents are opened, created and closed, so the menu, the start page and the
command line share the same error reporting: a file that cannot be opened is explained and left untouched.
It also keeps the rolling backups going (one when a document opens, then on a timer), offers the newest good
backup of a damaged file, and shows a banner while a document is open read-only.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.errors import CtpnError, DamagedDocumentError
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services.backups import Backup, BackupService
from ctpn_desktop.core.time_source import SystemTimeSource, TimeSource
from ctpn_desktop.storage.cipher import DocumentKey

from ctpn_desktop.ui import icons, preferences, theme
from ctpn_desktop.ui.actions import WORKSPACE_ACTIONS, ActionId, Actions, recent_file_action
from ctpn_desktop.ui.banner import MarkingBanner, ReadOnlyBanner, RoomBanner
from ctpn_desktop.ui.dialogs.about import AboutDialog
from ctpn_desktop.ui.dialogs.passphrase import PassphrasePrompts
from ctpn_desktop.ui.dialogs.prompts import FileDialogs, QtFileDialogs, show_error
from ctpn_desktop.ui.dialogs.restore import RestoreDialog, confirm, describe
from ctpn_desktop.ui.dialogs.settings import SettingsDialog, backup_folder, backup_interval_min
from ctpn_desktop.ui.encryption import EncryptionCommands
from ctpn_desktop.ui.first_paint import when_first_painted
from ctpn_desktop.ui.preferences import RecentFiles
from ctpn_desktop.ui.start_page import LibraryFn, StartPage
from ctpn_desktop.ui.widgets import EmptyState
from ctpn_desktop.ui.workspaces.base import Workspace

from ctpn_desktop import APP_NAME

if TYPE_CHECKING:
    from ctpn_desktop.core.changes import Changes
    from ctpn_desktop.core.entities import Exercise, Scenario
    from ctpn_desktop.core.services.document import Document
    from ctpn_desktop.core.services.room import RoomAddress, RoomStatus

    from ctpn_desktop.ui.context import ContextFactory, DocumentContext
    from ctpn_desktop.ui.dialogs.room import JoinRoomDialog, PublishRoomDialog
    from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace
    from ctpn_desktop.ui.workspaces.debrief import DebriefWorkspace
    from ctpn_desktop.ui.workspaces.decision_log import DecisionLogWorkspace
    from ctpn_desktop.ui.workspaces.scenario import ScenarioWorkspace

log = logging.getLogger(__name__)

START, SCENARIO, CONDUCT, DECISION_LOG, DEBRIEF = range(5)
PAGES: tuple[tuple[str, str], ...] = (
    ("Start", icons.START),
    ("Scenario", icons.SCENARIO),
    ("Conduct", icons.CONDUCT),
    ("Decision log", icons.DECISION_LOG),
    ("Debrief", icons.DEBRIEF),
)
WORKSPACE_CLASSES: dict[int, tuple[str, str]] = {
    SCENARIO: ("ctpn_desktop.ui.workspaces.scenario", "ScenarioWorkspace"),
    CONDUCT: ("ctpn_desktop.ui.workspaces.conduct", "ConductWorkspace"),
    DECISION_LOG: ("ctpn_desktop.ui.workspaces.decision_log", "DecisionLogWorkspace"),
    DEBRIEF: ("ctpn_desktop.ui.workspaces.debrief", "DebriefWorkspace"),
}
"""Each workspace is imported and built when first needed (shown, or asked for), or in idle time after the
window has painted, so the first paint waits only for the page the user will see."""
MAX_ZOOM_STEPS = 12
SAVE_COPY_TEXT = "Save a &Copy…"
WRITE_BACK_TEXT = "&Write Room to File…"

DOCUMENT_SUFFIX = ".ctpn"
"""The suffix of an exercise file (the same as `core.services.document.DOCUMENT_SUFFIX`, which needs SQLAlchemy)."""
OpenFn = Callable[..., "Document"]
"""Opens a path; called with ``passphrase=`` too when the file is encrypted."""
CreateFn = Callable[..., "Document"]
ReadScenarioFn = Callable[[Path], tuple["Scenario", dict[str, bytes]]]


class MainWindow(QMainWindow):
    room_status_changed = Signal(object)
    """A shared room's `RoomStatus`, from whichever thread noticed; shown on the window's own thread."""

    def __init__(
        self,
        settings: QSettings,
        library_items_fn: LibraryFn,
        context_factory: ContextFactory,
        file_dialogs: FileDialogs | None = None,
        *,
        open_document_fn: OpenFn | None = None,
        create_document_fn: CreateFn | None = None,
        read_scenario_fn: ReadScenarioFn | None = None,
        default_directory: Path | None = None,
        device_id: str = "",
        time_source: TimeSource | None = None,
        journal_folder: Path | None = None,
        passphrase_prompts: PassphrasePrompts | None = None,
    ) -> None:
        super().__init__()
        self.device_id = device_id
        self.time_source: TimeSource = time_source or SystemTimeSource()
        self.journal_folder = journal_folder
        self.publish_dialog: PublishRoomDialog | None = None
        self.join_dialog: JoinRoomDialog | None = None
        self._stop_room_status: Callable[[], None] | None = None
        self.setObjectName("mainWindow")
        self.settings = settings
        self.recent = RecentFiles(settings)
        self.file_dialogs: FileDialogs = file_dialogs or QtFileDialogs()
        self._context_factory = context_factory
        self._open_document = open_document_fn or self._open_with_backups
        self._create_document = create_document_fn or _create_document
        self._read_scenario = read_scenario_fn or _read_scenario_file
        self._default_directory = default_directory or Path.home()
        self.context: DocumentContext | None = None
        self.about_dialog: AboutDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.backups = BackupService(backup_folder(settings))
        self.backup_timer = QTimer(self)
        self.backup_timer.setObjectName("backupTimer")
        self.backup_timer.timeout.connect(self.backup_now)
        self._backup_failed = False
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self._base_font = QFont(app.font())

        self.actions = Actions(self)
        self._build_ui(library_items_fn)
        self._build_menus()
        self._connect()
        self.actions.set_document_open(False)
        self.encryption = EncryptionCommands(self, passphrase_prompts)
        self._apply_view_preferences()
        self._refresh_recent()
        self._update_title()
        self.resize(1280, 820)
        self.restore_window_state()
        self.navigation.setCurrentRow(START)
        self._show_workspace_menu()

    # Construction ----------------------------------------------------------------------------------------
    def _build_ui(self, library_items_fn: LibraryFn) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = MarkingBanner("top", central)
        self.bottom_banner = MarkingBanner("bottom", central)
        outer.addWidget(self.banner)
        self.read_only_banner = ReadOnlyBanner(central)
        outer.addWidget(self.read_only_banner)
        self.room_banner = RoomBanner(central)
        outer.addWidget(self.room_banner)

        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        self.navigation = QListWidget(central)
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Workspaces")
        self.navigation.setAccessibleDescription("Choose a page: Start, Scenario, Conduct, Decision log or Debrief")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setUniformItemSizes(True)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        for (text, icon_name), action_id in zip(PAGES, WORKSPACE_ACTIONS, strict=True):
            shortcut = self.actions[action_id].shortcut().toString(
                self.actions[action_id].shortcut().SequenceFormat.NativeText)
            item = QListWidgetItem(icons.icon(icon_name), text)
            item.setToolTip(f"{text} ({shortcut})")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, f"Shortcut {shortcut}")
            self.navigation.addItem(item)
        self.navigation.setSpacing(2)
        self._fit_navigation()
        middle.addWidget(self.navigation)
        separator = QFrame(central)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        middle.addWidget(separator)

        self.stack = QStackedWidget(central)
        self.stack.setObjectName("pages")
        self.start_page = StartPage(library_items_fn, self.stack)
        self.stack.addWidget(self.start_page)
        self.opening_page = EmptyState("Opening the exercise…", "", icons.SCENARIO, self.stack)
        self.opening_page.setObjectName("openingPage")
        self._workspaces: dict[int, Workspace] = {}
        for index in WORKSPACE_CLASSES:
            slot = QWidget(self.stack)
            slot.setObjectName(f"workspaceSlot{index}")
            self.stack.addWidget(slot)
        self.stack.addWidget(self.opening_page)
        middle.addWidget(self.stack, 1)
        outer.addLayout(middle, 1)
        outer.addWidget(self.bottom_banner)
        self.setCentralWidget(central)
        self.statusBar().setSizeGripEnabled(True)
        self.room_indicator = QLabel("", self)
        self.room_indicator.setObjectName("roomIndicator")
        self.room_indicator.hide()
        self.statusBar().addPermanentWidget(self.room_indicator)
        self.setTabOrder(self.navigation, self.stack)

    def _fit_navigation(self) -> None:
        """Wide enough for the longest label at the current text size, never truncated; tall enough to aim at."""
        metrics = QFontMetrics(QApplication.font())
        widest = max(metrics.horizontalAdvance(text) for text, _ in PAGES)
        height = max(metrics.height(), self.navigation.iconSize().height()) + 18
        for index in range(self.navigation.count()):
            self.navigation.item(index).setSizeHint(QSize(0, height))
        self.navigation.setFixedWidth(widest + self.navigation.iconSize().width() + 64)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        a = self.actions
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a[ActionId.NEW_FROM_LIBRARY])
        file_menu.addAction(a[ActionId.OPEN])
        file_menu.addAction(a[ActionId.JOIN_ROOM])
        self.recent_menu = QMenu("Open &Recent", file_menu)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.setIcon(icons.icon(icons.RECENT))
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(a[ActionId.SAVE_COPY])
        file_menu.addAction(a[ActionId.ENCRYPT])
        file_menu.addAction(a[ActionId.CHANGE_PASSPHRASE])
        file_menu.addAction(a[ActionId.DECRYPT])
        file_menu.addAction(a[ActionId.PUBLISH_ROOM])
        file_menu.addAction(a[ActionId.RESTORE_BACKUP])
        file_menu.addAction(a[ActionId.CLOSE])
        file_menu.addSeparator()
        a[ActionId.PREFERENCES].setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addAction(a[ActionId.PREFERENCES])
        file_menu.addSeparator()
        file_menu.addAction(a[ActionId.QUIT])
        view_menu = bar.addMenu("&View")
        for action_id in WORKSPACE_ACTIONS:
            view_menu.addAction(a[action_id])
        view_menu.addSeparator()
        view_menu.addAction(a[ActionId.DARK_ROOM])
        view_menu.addAction(a[ActionId.ZOOM_IN])
        view_menu.addAction(a[ActionId.ZOOM_OUT])
        view_menu.addAction(a[ActionId.ZOOM_RESET])
        help_menu = bar.addMenu("&Help")
        self.workspace_menus: dict[QWidget, QMenu] = {}
        help_menu.addAction(a[ActionId.ABOUT])
        self.file_menu, self.view_menu, self.help_menu = file_menu, view_menu, help_menu

    def _connect(self) -> None:
        a = self.actions
        a[ActionId.NEW_FROM_LIBRARY].triggered.connect(self.new_from_library)
        a[ActionId.OPEN].triggered.connect(self.ask_open)
        a[ActionId.SAVE_COPY].triggered.connect(self.save_copy)
        a[ActionId.PUBLISH_ROOM].triggered.connect(self.ask_publish)
        a[ActionId.JOIN_ROOM].triggered.connect(self.ask_join)
        self.room_status_changed.connect(self._show_room_status, Qt.ConnectionType.QueuedConnection)
        a[ActionId.CLOSE].triggered.connect(self.close_document)
        a[ActionId.RESTORE_BACKUP].triggered.connect(self.show_restore)
        a[ActionId.PREFERENCES].triggered.connect(self.show_settings)
        self.read_only_banner.copy_button.clicked.connect(self.save_copy)
        a[ActionId.QUIT].triggered.connect(self.close)
        a[ActionId.ABOUT].triggered.connect(self.show_about)
        a[ActionId.DARK_ROOM].toggled.connect(self.set_dark_room)
        a[ActionId.ZOOM_IN].triggered.connect(lambda: self.zoom(+1))
        a[ActionId.ZOOM_OUT].triggered.connect(lambda: self.zoom(-1))
        a[ActionId.ZOOM_RESET].triggered.connect(lambda: self.zoom(None))
        for index, action_id in enumerate(WORKSPACE_ACTIONS):
            a[action_id].triggered.connect(lambda _checked=False, i=index: self.show_page(i))
            self.addAction(a[action_id])
        self.navigation.currentRowChanged.connect(self._page_changed)
        self.start_page.create_requested.connect(self.create_from_library)
        self.start_page.open_requested.connect(self.ask_open)
        self.start_page.recent_requested.connect(self.open_path)

    # Workspaces ------------------------------------------------------------------------------------------
    def workspace(self, index: int) -> Workspace:
        """The workspace at ``index``, imported and built on first use with the open document (if any)."""
        built = self._workspaces.get(index)
        if built is not None:
            return built
        module_name, class_name = WORKSPACE_CLASSES[index]
        page: Workspace = getattr(importlib.import_module(module_name), class_name)(self.stack)
        slot = self.stack.widget(index)
        showing = self.stack.currentIndex() == index
        self.stack.removeWidget(slot)
        slot.deleteLater()
        self.stack.insertWidget(index, page)
        if showing:
            self.stack.setCurrentIndex(index)
        self._workspaces[index] = page
        menu = page.menu()
        if menu is not None:
            self.workspace_menus[page] = menu
        for action in page.global_actions():
            self.addAction(action)
        if index == SCENARIO:  # the designer's own edits show in the title at once, before the feed delivers them
            page.exercise_changed.connect(self._update_title)  # type: ignore[attr-defined]
        if self.context is not None:
            page.set_context(self.context)
        self._show_workspace_menu()
        return page

    @property
    def workspaces(self) -> list[Workspace]:
        """The workspaces built so far, in navigation order; the others learn the document when built."""
        return [self._workspaces[index] for index in sorted(self._workspaces)]

    def build_remaining_workspaces(self, then: Callable[[], None] | None = None) -> None:
        """Build the workspaces not yet built, one per turn of the event loop, so their keys (the emergency
        halt, quick log entry) work from every page soon after start without delaying the first paint; then
        call ``then``."""
        missing = [index for index in WORKSPACE_CLASSES if index not in self._workspaces]
        if missing:
            self.workspace(missing[0])
            QTimer.singleShot(0, lambda: self.build_remaining_workspaces(then))
        elif then is not None:
            then()

    @property
    def scenario_page(self) -> ScenarioWorkspace:
        return self.workspace(SCENARIO)  # type: ignore[return-value]

    @property
    def conduct_page(self) -> ConductWorkspace:
        return self.workspace(CONDUCT)  # type: ignore[return-value]

    @property
    def decision_log_page(self) -> DecisionLogWorkspace:
        return self.workspace(DECISION_LOG)  # type: ignore[return-value]

    @property
    def debrief_page(self) -> DebriefWorkspace:
        return self.workspace(DEBRIEF)  # type: ignore[return-value]

    # Navigation ------------------------------------------------------------------------------------------
    def show_page(self, index: int) -> None:
        if self.navigation.currentRow() == index:
            self._page_changed(index)  # already chosen (while the exercise was opening): show it now
        else:
            self.navigation.setCurrentRow(index)

    def _page_changed(self, index: int) -> None:
        if index in WORKSPACE_CLASSES:
            self.workspace(index)
        if index >= 0:
            self.stack.setCurrentIndex(index)
        self._show_workspace_menu()

    def _show_workspace_menu(self) -> None:
        """Only the current workspace's menu is in the menu bar, so its keys cannot act on a page not in view:
        Ctrl+R typed in the decision log must never release an inject. Global commands stay on the window."""
        bar = self.menuBar()
        current = self.stack.currentWidget()
        for workspace, menu in self.workspace_menus.items():
            in_bar = menu.menuAction() in bar.actions()
            if workspace is current and not in_bar:
                bar.insertMenu(self.help_menu.menuAction(), menu)
            elif workspace is not current and in_bar:
                bar.removeAction(menu.menuAction())

    @property
    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    # Documents -------------------------------------------------------------------------------------------
    @property
    def document(self) -> Document | None:
        return self.context.document if self.context is not None else None

    def open_path(self, path: Path, passphrase: str | None = None) -> bool:
        """Open ``path`` as the current exercise; explain and keep the current one if it cannot be opened. An
        encrypted file opens with ``passphrase``, else its passphrase is asked for."""
        path = Path(path)
        current = self.document
        if current is not None and _same_file(current.path, path):
            self.show_page(SCENARIO)
            return True
        try:
            document = self.encryption.open(path, self._open_document, passphrase)
            if document is None:  # the passphrase was not given
                return False
        except DamagedDocumentError as error:
            if not self._offer_backup(path, error):
                self._report("Cannot open exercise", f"“{path.name}” could not be opened.", _problem(error))
            return False
        except (CtpnError, OSError) as error:
            if not path.exists():
                self.recent.remove(path)
                self._refresh_recent()
            self._report("Cannot open exercise", f"“{path.name}” could not be opened.", _problem(error))
            return False
        except Exception as error:  # the last line of defence: report, never crash the control room
            log.exception("opening %s", path)
            self._report("Cannot open exercise", f"“{path.name}” could not be opened.", str(error))
            return False
        return self._adopt(document)

    def open_when_painted(self, path: Path, then: Callable[[], None] | None = None) -> None:
        """At start: the window paints at once with the exercise's title and marking, then opens it (and calls
        ``then``), so the storage layer and the pages are loaded after the user already sees the window."""
        from ctpn_desktop.storage.peek import glance

        path = Path(path)
        seen = glance(path)
        title = seen.title if seen is not None else path.name
        if seen is not None:
            self.setWindowTitle(f"{seen.title} — {APP_NAME}")
            self.banner.set_marking(seen.marking)
            self.bottom_banner.set_marking(seen.marking)
        self.opening_page.set_text(f"Opening “{title}”…", str(path))
        self._point_navigation_at(SCENARIO)  # where the exercise will show, without building that page yet
        self.stack.setCurrentWidget(self.opening_page)

        def open_now() -> None:
            if not self.open_path(path):
                self._update_title()
                self._point_navigation_at(START)
                self.stack.setCurrentWidget(self.start_page)
            if then is not None:
                then()

        when_first_painted(self, open_now)

    def _point_navigation_at(self, index: int) -> None:
        blocked = self.navigation.blockSignals(True)
        self.navigation.setCurrentRow(index)
        self.navigation.blockSignals(blocked)

    def _adopt(self, document: Document) -> bool:
        context: DocumentContext | None = None
        try:
            context = self._context_factory(document)
            for workspace in self.workspaces:
                workspace.set_context(context)
        except Exception as error:
            log.exception("loading %s", document.path)
            for workspace in self.workspaces:
                workspace.set_context(self.context)
            if context is not None:
                context.live.close()
            document.close()
            self._report("Cannot open exercise", f"“{document.path.name}” could not be read.", _problem(error))
            return False
        previous, self.context = self.context, context
        if previous is not None:
            self._close_quietly(previous)
        context.live.changed.connect(self._document_changed)
        if document.room is None:
            self.recent.add(document.path)
            self.settings.setValue(preferences.LAST_DIRECTORY, str(document.path.parent))
        self._refresh_recent()
        self.actions.set_document_open(True, document.station)
        self.encryption.document_changed(document)
        self._follow_room(document)
        self._update_title()
        self.show_page(SCENARIO if document.station.role is StationRole.FACILITATOR else DECISION_LOG)
        if document.room is not None:
            self.read_only_banner.hide()
            self.actions[ActionId.SAVE_COPY].setText(WRITE_BACK_TEXT)
            self.actions[ActionId.PUBLISH_ROOM].setEnabled(False)
            self.statusBar().showMessage(f"Joined {document.location} as {document.station.role.label.lower()}",
                                         8000)
        elif document.read_only:
            self.read_only_banner.show_for(document.path.name)
            self.actions[ActionId.SAVE_COPY].setText("Save a Writable &Copy…")
            self.statusBar().showMessage(f"Opened {document.path} read-only", 8000)
        else:
            self.read_only_banner.hide()
            self.actions[ActionId.SAVE_COPY].setText(SAVE_COPY_TEXT)
            self.statusBar().showMessage(f"Opened {document.path}", 8000)
            self._backup_failed = False
            # After the window has shown the exercise: a large file takes a moment to copy.
            QTimer.singleShot(0, lambda: self.backup_now("open"))
        self._schedule_backups()
        return True

    def ask_open(self) -> None:
        path = self.file_dialogs.open_path(self, "Open exercise", self._last_directory())
        if path is not None:
            self.open_path(path)

    def new_from_library(self) -> None:
        self.show_page(START)
        self.start_page.focus_library()

    def create_from_library(self, library_path: Path) -> bool:
        """Ask where to save, then create a new exercise file from a library scenario and open it."""
        suggested = self._last_directory() / f"{Path(library_path).stem}{DOCUMENT_SUFFIX}"
        target = self.file_dialogs.save_path(self, "Save new exercise as", suggested)
        if target is None:
            return False
        if target.exists():
            self._report("File already exists", f"“{target.name}” already exists and was left as it was.",
                         "Choose another name for the new exercise.")
            return False
        try:
            scenario, blobs = self._read_scenario(Path(library_path))
            document = self._create_document(target, scenario, blobs)
        except (CtpnError, OSError) as error:
            self._report("Cannot create exercise", f"The exercise could not be created in “{target.name}”.",
                         _problem(error))
            return False
        return self._adopt(document)

    def save_copy(self) -> None:
        document = self.document
        if document is None:
            return
        if document.room is not None:
            suggested = self._last_directory() / f"{_safe_stem(document.room.name)}{DOCUMENT_SUFFIX}"
            title = "Write the shared room to a file"
        else:
            suggested = document.path.with_name(f"{document.path.stem} copy{DOCUMENT_SUFFIX}")
            title = "Save a copy of the exercise"
        target = self.file_dialogs.save_path(self, title, suggested)
        if target is None:
            return
        if target.exists():
            self._report("File already exists", f"“{target.name}” already exists and was left as it was.",
                         "Choose another name for the copy.")
            return
        key = None
        if document.room is not None:
            chosen = self.encryption.key_for_room_file(document, target)
            if chosen is None:
                return
            key = chosen.key
        try:
            written = document.save_copy(target, key)
        except (CtpnError, OSError) as error:
            self._report("Cannot save a copy", f"The copy could not be written to “{target.name}”.",
                         _problem(error))
            return
        if document.room is not None:
            sealed = ", encrypted with the passphrase you gave" if key is not None else ", not encrypted"
            self.statusBar().showMessage(f"Room written to {written}{sealed}", 12000)
            return
        self.statusBar().showMessage(f"Copy saved to {written}", 8000)

    def close_document(self) -> None:
        """Everything is saved as it happens, so closing only folds the write-ahead log back into the file."""
        context, self.context = self.context, None
        self._follow_room(None)
        for workspace in self.workspaces:
            workspace.set_context(None)
        if context is not None:
            self._close_quietly(context)
        self.backup_timer.stop()
        self.read_only_banner.hide()
        self.room_banner.hide()
        self.actions[ActionId.SAVE_COPY].setText(SAVE_COPY_TEXT)
        self.actions.set_document_open(False)
        self.encryption.document_changed(None)
        self._update_title()
        self._refresh_recent()
        self.show_page(START)

    # Shared rooms ----------------------------------------------------------------------------------------------
    def _room_server(self) -> str:
        return str(self.settings.value(preferences.ROOM_SERVER, "") or "")

    def ask_publish(self) -> None:
        document = self.document
        if document is None or document.room is not None:
            return
        exercise = self._exercise()
        title = exercise.title if exercise is not None else document.path.stem
        from ctpn_desktop.ui.dialogs.room import PublishRoomDialog

        dialog = PublishRoomDialog(self._room_server(), title, self.publish_room, self)
        dialog.destroyed.connect(lambda *_: setattr(self, "publish_dialog", None))
        self.publish_dialog = dialog
        dialog.open()

    def publish_room(self, address: RoomAddress, name: str, station_name: str) -> str | None:
        """Put the open file in a new room and work on the room from now on; the problem, or None."""
        document = self.document
        if document is None:
            return "No exercise is open."
        from ctpn_desktop.core.services import room
        from ctpn_desktop.core.services.document import Document

        station = Station(self.device_id, station_name or "Facilitator", StationRole.FACILITATOR)
        try:
            shared = room.publish(document, address, name, station, source=self.time_source,
                                  journal_folder=self._journals(), local_path=document.path)
        except CtpnError as error:
            return _problem(error)
        assert isinstance(shared, Document)
        self.settings.setValue(preferences.ROOM_SERVER, address.text)
        if not self._adopt(shared):
            return "The room was published but could not be shown; join it with File ▸ Join Shared Exercise."
        self.statusBar().showMessage(f"Published as {shared.location}: other stations can join it now", 10000)
        return None

    def ask_join(self) -> None:
        from ctpn_desktop.core.services import room

        from ctpn_desktop.ui.dialogs.room import JoinRoomDialog

        dialog = JoinRoomDialog(self._room_server(), str(self.settings.value(preferences.STATION_NAME, "") or ""),
                                room.list_rooms, self._join_from_dialog, self)
        dialog.destroyed.connect(lambda *_: setattr(self, "join_dialog", None))
        self.join_dialog = dialog
        dialog.open()

    def _join_from_dialog(self, address: RoomAddress, name: str, station_name: str) -> str | None:
        assert self.join_dialog is not None
        return self.join_room(address, name, Station(self.device_id, station_name, self.join_dialog.role))

    def join_room(self, address: RoomAddress, name: str, station: Station) -> str | None:
        """Work on a shared room as ``station``; the problem, or None."""
        from ctpn_desktop.core.services import room
        from ctpn_desktop.core.services.document import Document

        try:
            shared = room.join(address, name, station, source=self.time_source, journal_folder=self._journals(),
                               local_path=self._last_directory() / f"{_safe_stem(name)}{DOCUMENT_SUFFIX}")
        except CtpnError as error:
            return _problem(error)
        assert isinstance(shared, Document)
        self.settings.setValue(preferences.ROOM_SERVER, address.text)
        self.settings.setValue(preferences.STATION_NAME, station.name)
        return None if self._adopt(shared) else "The room could not be shown."

    def _journals(self) -> Path | None:
        return self.journal_folder

    def _follow_room(self, document: Document | None) -> None:
        """Show the room's connection (and what waits to be sent) while a shared room is open."""
        if self._stop_room_status is not None:
            self._stop_room_status()
            self._stop_room_status = None
        if document is None or document.room is None:
            self.room_indicator.hide()
            self.room_banner.hide()
            return
        self._stop_room_status = document.room.on_status(self.room_status_changed.emit)
        self._show_room_status(document.room.status)

    def _show_room_status(self, status: RoomStatus) -> None:
        document = self.document
        if document is None or document.room is None:
            return
        role = document.station.role.label
        who = f"{document.station.name} · {role}" if document.station.name else role
        if status.online:
            text = f"Room “{document.room.name}” · {who} · ● online"
            colour = "#2e7d32"
            self.room_banner.hide()
        else:
            waiting = f" · {status.waiting} waiting to be sent" if status.waiting else ""
            text = f"Room “{document.room.name}” · {who} · ● OFFLINE{waiting}"
            colour = "#b3261e"
            self.room_banner.show_offline(document.room.name, status.waiting, status.problem)
        if status.refused:
            text += f" · {len(status.refused)} not taken by the room"
            self.room_indicator.setToolTip("\n".join(item.outcome for item in status.refused))
        self.room_indicator.setText(text)
        self.room_indicator.setStyleSheet(f"color: {colour}; font-weight: 600; padding: 0 8px;")
        self.room_indicator.setAccessibleName(text)
        self.room_indicator.show()

    # Backups ---------------------------------------------------------------------------------------------------
    def _open_with_backups(self, path: Path, passphrase: str | None = None) -> Document:
        """The default way to open: a document that must be migrated is backed up into the backup folder first."""
        from ctpn_desktop.core.services.document import open_document

        return open_document(path, backups=self.backups, passphrase=passphrase)

    def _schedule_backups(self) -> None:
        minutes = backup_interval_min(self.settings)
        document = self.document
        if document is None or document.read_only or document.room is not None or minutes <= 0:
            self.backup_timer.stop()
            return
        self.backup_timer.start(minutes * 60_000)

    def backup_now(self, reason: str = "timer") -> Backup | None:
        """Back up the open document if it changed since the last backup; a failure is said once, not every time."""
        document = self.document
        if document is None or document.read_only or document.room is not None:
            return None  # a shared room lives on its server; Write Room to File keeps a copy
        try:
            backup = (self.backups.take(document.path, reason, document.key) if reason != "timer"
                      else self.backups.take_if_changed(document.path, reason, document.key))
        except (CtpnError, OSError) as error:
            log.warning("backup of %s failed: %s", document.path, error)
            self.statusBar().showMessage(f"Backup failed: {_problem(error)}", 15000)
            if not self._backup_failed:
                self._backup_failed = True
                self._report("Backup failed", f"“{document.path.name}” could not be backed up. The exercise itself "
                             "is unaffected and everything is still saved in it.",
                             f"{_problem(error)} Choose another backup folder in Settings.")
            return None
        self._backup_failed = False
        return backup

    def _offer_backup(self, path: Path, error: DamagedDocumentError) -> bool:
        """A damaged file: offer its newest backup that passes every check, restored into a new file."""
        key = self.encryption.key_of_damaged(path)
        good = self.backups.newest_good(path, key)
        if good is None:
            return False
        confirm(self, "Exercise damaged", f"“{path.name}” is damaged and cannot be opened.",
                f"{_problem(error)}\n\nA backup from {describe(good)} passed every check. Restore it into a new "
                "file? The damaged file is left as it is.", "Restore to New File…",
                lambda: self.restore_as_new(good, path, key))
        return True

    def show_restore(self) -> None:
        document = self.document
        if document is None:
            return
        if self.restore_dialog is not None:
            self.restore_dialog.close()
        dialog = RestoreDialog(document.path.name, self.backups.backups(document.path), self,
                               can_replace=not document.read_only)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restore_as_new.connect(lambda backup: self.restore_as_new(backup, document.path))
        dialog.replace_current.connect(self.ask_replace)
        dialog.destroyed.connect(lambda *_: setattr(self, "restore_dialog", None))
        self.restore_dialog = dialog
        dialog.open()

    def restore_as_new(self, backup: Backup, original: Path, key: DocumentKey | None = None) -> bool:
        """Write ``backup`` into a new file the user names, then open it; nothing existing is replaced."""
        stamp = backup.taken_at.astimezone().strftime("%Y-%m-%d %H%M")
        suggested = original.with_name(f"{original.stem} restored {stamp}{DOCUMENT_SUFFIX}")
        if not suggested.parent.is_dir() or not os.access(suggested.parent, os.W_OK):
            suggested = self._last_directory() / suggested.name
        target = self.file_dialogs.save_path(self, "Restore the backup as", suggested)
        if target is None:
            return False
        if target.exists():
            self._report("File already exists", f"“{target.name}” already exists and was left as it was.",
                         "Choose another name for the restored exercise.")
            return False
        try:
            key = key or (self.document.key if self.document is not None else None)
            self.backups.restore_to(backup, target, key)
        except (CtpnError, OSError) as error:
            self._report("Cannot restore backup", f"The backup could not be restored to “{target.name}”.",
                         _problem(error))
            return False
        opened = self.open_path(target)
        if opened:
            self.statusBar().showMessage(f"Restored the backup from {describe(backup)} to {target}", 10000)
        return opened

    def ask_replace(self, backup: Backup) -> None:
        document = self.document
        if document is None or document.read_only:
            return
        path = document.path
        confirm(self, "Replace exercise", f"Replace “{path.name}” with the backup from {describe(backup)}?",
                "The exercise is closed, its current state is kept as one more backup, and the chosen backup "
                "takes its place. Anything entered after that backup was taken is then only in the kept backup.",
                "Replace", lambda: self.replace_with_backup(backup, path))

    def replace_with_backup(self, backup: Backup, path: Path) -> bool:
        """Close ``path``, put ``backup`` in its place (keeping the replaced state), and reopen it."""
        key = self.document.key if self.document is not None else None
        if self.document is not None and _same_file(self.document.path, path):
            self.close_document()
        try:
            self.backups.replace_with(backup, path, key)
        except (CtpnError, OSError) as error:
            self._report("Cannot restore backup", f"“{path.name}” could not be replaced by the backup.",
                         _problem(error))
            self.open_path(path)
            return False
        opened = self.open_path(path)
        if opened:
            self.statusBar().showMessage(f"Restored the backup from {describe(backup)}", 10000)
        return opened

    # Settings ------------------------------------------------------------------------------------------------
    def show_settings(self) -> None:
        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.settings, self)
            self.settings_dialog.applied.connect(self.apply_settings)
        self.settings_dialog.load()
        self.settings_dialog.open()

    def apply_settings(self) -> None:
        """Follow what the settings dialog stored: backups, theme and text size."""
        folder = backup_folder(self.settings)
        if folder != self.backups.folder:
            self.backups = BackupService(folder)
            self.backup_now("open")
        self._schedule_backups()
        self._apply_theme()
        self._apply_font(preferences.read_int(self.settings, preferences.TEXT_SIZE))

    def _close_quietly(self, context: DocumentContext) -> None:
        document = context.document
        try:
            context.close()
        except Exception as error:
            log.exception("closing %s", document.path)
            self._report("Problem closing exercise", f"“{document.path.name}” was not closed cleanly.",
                         _problem(error))

    def _report(self, title: str, text: str, details: str = "") -> None:
        show_error(self, title, text, details)

    def _last_directory(self) -> Path:
        value = self.settings.value(preferences.LAST_DIRECTORY)
        directory = Path(str(value)) if value else self._default_directory
        return directory if directory.is_dir() else self._default_directory

    def _update_title(self) -> None:
        exercise = self._exercise()
        if exercise is None:
            self.setWindowTitle(APP_NAME)
            self.setWindowFilePath("")
            self.banner.set_marking(None)
            self.bottom_banner.set_marking(None)
            return
        document = self.document
        if document is not None and document.room is not None:
            self.setWindowTitle(f"{exercise.title} — room “{document.room.name}” — {APP_NAME}")
            self.setWindowFilePath("")
        else:
            self.setWindowTitle(f"{exercise.title} — {APP_NAME}")
            if document is not None:
                self.setWindowFilePath(str(document.path))
        self.banner.set_marking(exercise.marking)
        self.bottom_banner.set_marking(exercise.marking)

    def _document_changed(self, changes: Changes) -> None:
        """The title and the marking banners follow the exercise, whichever page or station changed it."""
        if "exercise" in changes.tables or not changes.tables:
            self._update_title()

    def _exercise(self) -> Exercise | None:
        """The open exercise's title and marking for the frame; None when none is open or it cannot be read."""
        if self.context is None:
            return None
        try:
            return self.context.scenario.exercise()
        except (CtpnError, OSError):
            log.exception("reading the exercise of %s", self.context.document.path)
            return None

    def _refresh_recent(self) -> None:
        paths = self.recent.paths()
        self.start_page.set_recent(paths)
        self.recent_menu.clear()
        for index, path in enumerate(paths):
            action = recent_file_action(self.recent_menu, index, path.name.replace("&", "&&"), str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
            self.recent_menu.addAction(action)
        if not paths:
            empty = self.recent_menu.addAction("No recent exercises")
            empty.setEnabled(False)

    # Help and view ---------------------------------------------------------------------------------------
    def show_about(self) -> None:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self)
        self.about_dialog.open()

    def set_dark_room(self, dark: bool) -> None:
        self.settings.setValue(preferences.DARK_ROOM, dark)
        self._apply_theme()

    def _apply_theme(self, refresh_icons: bool = True) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply_theme(app, preferences.read_bool(self.settings, preferences.DARK_ROOM),
                          preferences.read_bool(self.settings, preferences.HIGH_CONTRAST))
        if refresh_icons:
            self._refresh_icons()

    def zoom(self, step: int | None) -> None:
        """Larger or smaller text everywhere; None returns to the normal size."""
        delta = 0 if step is None else preferences.read_int(self.settings, preferences.TEXT_SIZE) + step
        delta = max(-2, min(MAX_ZOOM_STEPS, delta))
        self.settings.setValue(preferences.TEXT_SIZE, delta)
        self._apply_font(delta)

    def _apply_font(self, delta: int) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        font = QFont(self._base_font)
        size = font.pointSizeF() if font.pointSizeF() > 0 else theme.MIN_POINT_SIZE
        font.setPointSizeF(max(8.0, size + delta))
        app.setFont(font)
        # Widgets polished under the style sheet keep the font they had; setting the sheet again re-polishes them.
        sheet = app.styleSheet()
        if sheet:
            app.setStyleSheet("")
            app.setStyleSheet(sheet)
        self._fit_navigation()

    def _apply_view_preferences(self) -> None:
        dark = preferences.read_bool(self.settings, preferences.DARK_ROOM)
        self.actions[ActionId.DARK_ROOM].setChecked(dark)
        if not dark:
            self._apply_theme(refresh_icons=preferences.read_bool(self.settings, preferences.HIGH_CONTRAST))
        delta = preferences.read_int(self.settings, preferences.TEXT_SIZE)
        if delta:
            self._apply_font(delta)

    def _refresh_icons(self) -> None:
        self.actions.refresh_icons()
        self.encryption.indicator.refresh_icon()
        self.recent_menu.setIcon(icons.icon(icons.RECENT))
        for index, (_text, icon_name) in enumerate(PAGES):
            self.navigation.item(index).setIcon(icons.icon(icon_name))
        self.start_page.refresh_icons()
        for workspace in self.workspaces:
            workspace.refresh_icons()

    # Window state ----------------------------------------------------------------------------------------
    def restore_window_state(self) -> None:
        geometry = self.settings.value(preferences.GEOMETRY)
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        state = self.settings.value(preferences.WINDOW_STATE)
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))

    def save_window_state(self) -> None:
        self.settings.setValue(preferences.GEOMETRY, self.saveGeometry())
        self.settings.setValue(preferences.WINDOW_STATE, self.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_window_state()
        if self.context is not None:
            self._close_quietly(self.context)
            self.context = None
        self.backup_timer.stop()
        for dialog in (self.about_dialog, self.settings_dialog, self.restore_dialog):
            if dialog is not None:
                dialog.close()
        super().closeEvent(event)


def _safe_stem(name: str) -> str:
    """A room's name as a file name: no folder separators or characters file systems refuse."""
    cleaned = "".join("-" if c in '\\/:*?"<>|' else c for c in name).strip(" .")
    return cleaned or "shared exercise"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _problem(error: BaseException) -> str:
    """The part of an error message a person can act on."""
    problem = getattr(error, "problem", None)
    if isinstance(problem, str) and problem:
        return problem[:1].upper() + problem[1:] + ("" if problem.endswith(".") else ".")
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}."
    return str(error)


def _create_document(*args: object, **kwargs: object) -> Document:
    """Storage is imported when the first exercise is created or opened, not before the window has painted."""
    from ctpn_desktop.core.services.document import create_document

    return create_document(*args, **kwargs)  # type: ignore[arg-type]


def _read_scenario_file(path: Path) -> tuple[Scenario, dict[str, bytes]]:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file

    return read_scenario_file(path)

"""The composition root of the window: settings, services and the main window are wired here and nowhere else.

`main(argv)` receives the arguments after the program name (``ctpn-desktop [FILE] [--benchmark-startup]``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from ctpn_desktop.core.time_source import SystemTimeSource, TimeSource

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.dialogs.passphrase import NoPassphrases
from ctpn_desktop.ui.first_paint import when_first_painted
from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.theme import readable_font

from ctpn_desktop import APP_NAME, __version__, paths, runtime

if TYPE_CHECKING:
    from ctpn_desktop.core.library import LibraryItem
    from ctpn_desktop.core.services.document import Document

    from ctpn_desktop.ui.context import ContextFactory, DocumentContext

ORGANISATION = "CTPN"
T0_ENV = "CTPN_T0"
STARTUP_MODULES_ENV = "CTPN_STARTUP_MODULES"
"""With ``--benchmark-startup``: a file to list the modules imported by the first paint in (what to defer)."""
JOURNALS_FOLDER = "journals"
"""Where each station keeps what it writes in a shared room while the server is away (see `core.services.journal`)."""
_IMPORTED_AT = time.perf_counter()


def seconds_since_start() -> float:
    """Seconds since the process started: from ``CTPN_T0`` (``time.time()`` at launch) when a launcher
    or ``__main__`` set it, otherwise since this module was imported."""
    stamp = os.environ.get(T0_ENV)
    if stamp:
        try:
            return time.time() - float(stamp)
        except ValueError:
            pass
    return time.perf_counter() - _IMPORTED_AT


def make_settings() -> QSettings:
    """Settings in an INI file in the user's config folder (``CTPN_CONFIG_DIR`` overrides it)."""
    return QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)


def context_factory(device_id: str, source: TimeSource | None = None) -> ContextFactory:
    """How an opened document becomes the services the workspaces use."""
    clock_source = source or SystemTimeSource()

    def build(document: Document) -> DocumentContext:
        # The services (and SQLAlchemy under them) are imported with the first document, after the first paint.
        from ctpn_desktop.core.services.evaluation import EvaluationService
        from ctpn_desktop.core.services.log import LogService
        from ctpn_desktop.core.services.replay import ReplayService
        from ctpn_desktop.core.services.room import AlignedTimeSource
        from ctpn_desktop.core.services.runs import RunService
        from ctpn_desktop.core.services.scenario import ScenarioService
        from ctpn_desktop.core.services.syndicates import SyndicateService

        from ctpn_desktop.ui.context import DocumentContext
        from ctpn_desktop.ui.live import LiveDocument

        # In a shared room every station stamps what it does on the server's clock, whatever its own says.
        source: TimeSource = (AlignedTimeSource(clock_source, document.room.time_offset_s)
                              if document.room is not None else clock_source)
        runs = RunService(document, source)
        return DocumentContext(
            document=document,
            scenario=ScenarioService(document),
            runs=runs,
            log=LogService(document, device_id, source),
            evaluation=EvaluationService(document, source, device_id),
            time_source=source,
            device_id=device_id,
            syndicates=SyndicateService(document, clock_source, device_id),
            live=LiveDocument(document.changes),
            replay=ReplayService(document, source, runs, device_id=device_id),
        )

    return build


def application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, named so that QSettings and the desktop know who we are; reused if it exists."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0] if sys.argv else APP_NAME,
                                                                            *argv])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("ctpn-desktop")
    app.setStyle("Fusion")
    app.setFont(readable_font(app))
    icon_path = paths.app_icon_path()
    app.setWindowIcon(QIcon(str(icon_path)) if icon_path.is_file() else icons.icon(icons.MARKING))
    return app


def build_window(settings: QSettings | None = None, source: TimeSource | None = None) -> MainWindow:
    device = paths.device_id()
    return MainWindow(
        settings or make_settings(),
        _library_items,
        context_factory(device, source),
        default_directory=paths.documents_dir(),
        device_id=device,
        time_source=source,
        journal_folder=paths.data_dir() / JOURNALS_FOLDER,
    )


def _library_items() -> list[LibraryItem]:
    from ctpn_desktop.core.library import library_items

    return library_items()


class _FirstPaint(QObject):
    """Prints ``painted <seconds>`` at the first paint of the window (the startup benchmark); then quits, unless
    ``and_then_shown``: then it waits for the exercise to be opened and its page painted, and prints ``shown``."""

    def __init__(self, window: QWidget, and_then_shown: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self._done = False
        self._wait_for_shown = and_then_shown

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._done and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):
            self._done = True
            print(f"painted {seconds_since_start():.3f}", flush=True)
            modules_file = os.environ.get(STARTUP_MODULES_ENV)
            if modules_file:
                Path(modules_file).write_text("\n".join(sorted(sys.modules)), encoding="utf-8")
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
                if not self._wait_for_shown:
                    QTimer.singleShot(0, app.quit)
        return False


def _report_shown(window: MainWindow) -> None:
    """The benchmark's second figure: the exercise open and its page painted (after the window's first paint)."""
    page = window.stack.currentWidget()
    page.repaint()
    print(f"shown {seconds_since_start():.3f}", flush=True)
    QTimer.singleShot(0, QApplication.quit)


def _after_first_paint(window: MainWindow) -> None:
    """What the first paint did not wait for: the icons, then the workspaces not yet shown."""
    icons.release(window)
    window.build_remaining_workspaces(then=runtime.settle_after_start)


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ctpn-desktop", description=f"{APP_NAME}: open the window.")
    parser.add_argument("file", nargs="?", type=Path, help="an exercise file (.ctpn) to open")
    parser.add_argument("--benchmark-startup", action="store_true",
                        help="print the seconds from launch to the first paint, then quit")
    parser.add_argument("--join", nargs=2, metavar=("SERVER", "ROOM"), help="join a shared room (see 'room join')")
    parser.add_argument("--role", default="note-taker", help="this station's role in the room")
    parser.add_argument("--as", dest="station_name", default="", help="this station's name in the room")
    return parser.parse_args(list(argv))


def _join_at_start(window: MainWindow, args: argparse.Namespace) -> None:
    from ctpn_desktop.core.errors import CtpnError
    from ctpn_desktop.core.roles import Station, StationRole
    from ctpn_desktop.core.services.room import RoomAddress

    from ctpn_desktop.ui.dialogs.prompts import show_error

    server, name = args.join
    try:
        address = RoomAddress.parse(server, os.environ.get("CTPN_ROOM_PASSWORD") or None)
        station = Station(window.device_id, args.station_name, StationRole(args.role))
    except (CtpnError, ValueError) as error:
        show_error(window, "Cannot join the room", f"“{name}” on {server} could not be joined.", str(error))
        return
    problem = window.join_room(address, name, station)
    if problem:
        show_error(window, "Cannot join the room", f"“{name}” on {server} could not be joined.", problem)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(sys.argv[1:] if argv is None else argv)
    runtime.tune_garbage_collector()
    app = application()
    icons.hold()
    window = build_window()
    if args.benchmark_startup:
        app.installEventFilter(_FirstPaint(window, and_then_shown=args.file is not None))
        window.encryption.prompts = NoPassphrases()  # nobody is there to type one: an encrypted file stays shut
    if args.file is not None:
        window.open_when_painted(args.file, then=lambda: (_report_shown(window) if args.benchmark_startup
                                                           else _after_first_paint(window)))
    else:
        when_first_painted(window, lambda: _after_first_paint(window))
    window.show()
    if args.join is not None:
        _join_at_start(window, args)
    code = app.exec()
    if args.benchmark_startup:
        window.close()
        return 0
    return int(code)

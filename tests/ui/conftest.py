"""Fixtures for the window tests: temporary settings, injected file dialogs and real library documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_items
from ctpn_desktop.core.services.document import create_document

from ctpn_desktop.ui.main_window import MainWindow

from ctpn_desktop.app import context_factory

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "scenarios"
LIBRARY_SCENARIO = LIBRARY / "marathon-hostile-drone.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform warns that it cannot pass size hints to a window system it does not have."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def _application_look_restored(qapp: QApplication) -> Iterator[None]:
    """Text size, palette and style sheet belong to the one QApplication of the session: a test that zooms or
    switches theme must not change what the next test measures."""
    font, palette, sheet = qapp.font(), qapp.palette(), qapp.styleSheet()
    yield
    if qapp.font() != font or qapp.palette() != palette or qapp.styleSheet() != sheet:
        qapp.setFont(font)
        qapp.setPalette(palette)
        qapp.setStyleSheet("")
        qapp.setStyleSheet(sheet)


class ScriptedDialogs:
    """File dialogs that answer from a script and remember what they were asked."""

    def __init__(self) -> None:
        self.save_answers: list[Path | None] = []
        self.open_answers: list[Path | None] = []
        self.asked: list[tuple[str, str, Path]] = []

    def save_path(self, parent: QWidget, title: str, suggested: Path) -> Path | None:
        self.asked.append(("save", title, suggested))
        return self.save_answers.pop(0)

    def open_path(self, parent: QWidget, title: str, directory: Path) -> Path | None:
        self.asked.append(("open", title, directory))
        return self.open_answers.pop(0)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.ini"


@pytest.fixture
def settings(settings_path: Path) -> QSettings:
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


@pytest.fixture
def dialogs() -> ScriptedDialogs:
    return ScriptedDialogs()


@pytest.fixture
def time_source() -> FakeTimeSource:
    return FakeTimeSource()


@pytest.fixture
def make_window(
    qtbot, settings_path: Path, dialogs: ScriptedDialogs, time_source: FakeTimeSource, tmp_path: Path
) -> Iterator[Callable[[], MainWindow]]:
    """Build a main window on the test's own settings file; every window is closed at the end."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = MainWindow(
            QSettings(str(settings_path), QSettings.Format.IniFormat),
            library_items,
            context_factory("test-device", time_source),
            dialogs,
            default_directory=tmp_path,
            device_id="test-device",
            time_source=time_source,
            journal_folder=tmp_path / "journals",
            passphrase_prompts=ScriptedPassphrases([]),  # a test never waits on a modal passphrase dialog
        )
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()
    for window in windows:
        window.close()
        window.deleteLater()
    # Delete now, not at some later event loop: windows left alive slow every later test down.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(make_window: Callable[[], MainWindow]) -> MainWindow:
    return make_window()


@pytest.fixture
def document_path(tmp_path: Path) -> Path:
    """A real exercise file made from a library scenario, closed so the window opens it as a user would."""
    scenario, blobs = read_scenario_file(LIBRARY_SCENARIO)
    path = tmp_path / "docs" / "high-kestrel.ctpn"
    path.parent.mkdir()
    create_document(path, scenario, blobs).close()
    return path


class ScriptedPassphrases:
    """Answers the window's passphrase questions from a list and remembers what it was asked."""

    def __init__(self, answers: list[str | None], new: list[str | None] | None = None,
                 on_ask: Callable[[], None] | None = None, encrypt_copies: list[bool | None] | None = None) -> None:
        self.answers = list(answers)
        self.new = list(new or [])
        self.encrypt_copies = list(encrypt_copies or [])
        self.asked: list[tuple[str, str, str]] = []
        self.on_ask = on_ask

    def ask_passphrase(self, parent: QWidget, file_name: str, problem: str = "", *,
                       purpose: str = "open") -> str | None:
        self.asked.append((file_name, problem, purpose))
        if self.on_ask is not None:
            self.on_ask()
        return self.answers.pop(0) if self.answers else None

    def ask_new_passphrase(self, parent: QWidget, file_name: str, *, changing: bool = False) -> str | None:
        self.asked.append((file_name, "", "changed" if changing else "new"))
        return self.new.pop(0) if self.new else None

    def ask_encrypt_copy(self, parent: QWidget, file_name: str, *, recommended: bool,
                         available: bool) -> bool | None:
        self.asked.append((file_name, "recommended" if recommended else "", "encrypt copy"))
        return self.encrypt_copies.pop(0) if self.encrypt_copies else None


def error_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

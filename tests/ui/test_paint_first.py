"""The window paints before anything its first page does not need: workspaces, reports, importers and icon
fonts load when first used or once the window is on the screen."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from ctpn_desktop.core.roles import StationRole

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.main_window import CONDUCT, DEBRIEF, DECISION_LOG, SCENARIO, WORKSPACE_CLASSES, MainWindow
from ctpn_desktop.ui.widgets import IconLabel

REPO = Path(__file__).resolve().parents[2]
NOT_BEFORE_FIRST_PAINT = (
    "alembic", "openpyxl", "qtawesome", "reportlab", "typst", "psycopg", "sqlcipher3",
    "ctpn_desktop.core.report.pdf", "ctpn_desktop.core.report.accessible", "ctpn_desktop.core.io.msel_write",
    "ctpn_desktop.ui.workspaces.conduct", "ctpn_desktop.ui.workspaces.decision_log",
    "ctpn_desktop.ui.workspaces.debrief", "ctpn_desktop.ui.dialogs.msel_import",
    "sqlalchemy", "pydantic", "ctpn_desktop.storage.db", "ctpn_desktop.core.services.document",
    "ctpn_desktop.ui.workspaces.scenario",
)


def _modules_at_first_paint(document: Path, tmp_path: Path) -> tuple[set[str], list[str]]:
    listing = tmp_path / "modules.txt"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CTPN_CONFIG_DIR=str(tmp_path / "config"),
               CTPN_STARTUP_MODULES=str(listing), QT_LOGGING_RULES="qt.qpa.*=false")
    result = subprocess.run([sys.executable, "-m", "ctpn_desktop", "--benchmark-startup", str(document)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(listing.read_text(encoding="utf-8").split()), result.stdout.split()


def test_the_first_paint_waits_only_for_the_window_then_the_exercise_opens(
        document_path: Path, tmp_path: Path) -> None:
    modules, printed = _modules_at_first_paint(document_path, tmp_path)
    assert "ctpn_desktop.ui.main_window" in modules and "ctpn_desktop.storage.peek" in modules
    assert sorted(m for m in NOT_BEFORE_FIRST_PAINT if m in modules) == []
    assert printed[0] == "painted" and printed[2] == "shown"  # then the exercise opened and its page painted
    assert float(printed[1]) <= float(printed[3])


def test_the_window_shows_the_exercise_title_and_marking_while_it_opens(
        qtbot, window: MainWindow, document_path: Path) -> None:
    opened = []
    window.open_when_painted(document_path, then=lambda: opened.append(window.document))
    assert window.windowTitle().startswith("Exercise HIGH KESTREL")
    assert window.banner.isVisibleTo(window) and window.banner.marking == "OFFICIAL"
    assert window.stack.currentWidget() is window.opening_page
    assert "Opening “Exercise HIGH KESTREL”" in window.opening_page.title_label.text()
    assert window.document is None  # nothing opened before the first paint
    window.show()
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    assert opened[0] is not None and opened[0] is window.document
    assert window.current_page is window.scenario_page


def test_a_file_that_cannot_be_opened_at_start_leaves_the_start_page(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    reported = []
    monkeypatch.setattr(window, "_report", lambda *args: reported.append(args))
    damaged = tmp_path / "damaged.ctpn"
    damaged.write_bytes(b"not an exercise at all" * 100)
    done = []
    window.open_when_painted(damaged, then=lambda: done.append(True))
    assert "damaged.ctpn" in window.opening_page.title_label.text()
    assert not window.banner.isVisibleTo(window)  # nothing was read from it, so no marking is claimed
    window.show()
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert reported and window.document is None
    assert window.stack.currentWidget() is window.start_page
    assert window.windowTitle() == "CTPN Desktop"


def test_a_workspace_is_built_when_first_shown_and_gets_the_open_document(
        qtbot, window: MainWindow, document_path: Path) -> None:
    assert window.workspaces == []
    assert window.open_path(document_path)
    assert [type(w).__name__ for w in window.workspaces] == ["ScenarioWorkspace"]
    assert window.current_page is window.scenario_page and window.scenario_page.context is window.context
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page is window.decision_log_page
    assert window.decision_log_page.context is window.context
    assert window.stack.indexOf(window.decision_log_page) == DECISION_LOG
    assert len(window.workspaces) == 2


def test_the_remaining_workspaces_are_built_in_idle_time_with_their_keys(
        qtbot, window: MainWindow, document_path: Path) -> None:
    assert window.open_path(document_path)
    window.build_remaining_workspaces()
    qtbot.waitUntil(lambda: len(window.workspaces) == len(WORKSPACE_CLASSES), timeout=10000)
    assert [window.stack.indexOf(w) for w in window.workspaces] == [SCENARIO, CONDUCT, DECISION_LOG, DEBRIEF]
    assert all(w.context is window.context for w in window.workspaces)
    assert window.current_page is window.scenario_page  # building in the background never changes the page
    halt = window.conduct_page.global_actions()[0]
    assert halt in QWidget.actions(window)  # the emergency halt's keys work from every page
    assert window.document is not None and window.document.station.role is StationRole.FACILITATOR


def test_the_title_and_marking_follow_the_exercise_without_the_scenario_page(
        qtbot, window: MainWindow, document_path: Path) -> None:
    assert window.open_path(document_path)
    window.show_page(DEBRIEF)
    context = window.context
    assert context is not None
    exercise = context.scenario.exercise()
    other_window_service = type(context.scenario)(context.document)
    other_window_service.put_exercise(dataclasses.replace(exercise, title="Operation Night Owl"))
    qtbot.waitUntil(lambda: window.windowTitle().startswith("Operation Night Owl"), timeout=5000)
    assert window.banner.isVisible() or not window.isVisible()


def _painted(label: IconLabel) -> QImage:
    image = QImage(QSize(label.width(), label.height()), QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    label.render(image, renderFlags=label.RenderFlag.DrawChildren)
    return image


def _ink(image: QImage) -> int:
    return sum(1 for x in range(image.width()) for y in range(image.height()) if image.pixelColor(x, y).alpha())


def test_icons_held_back_paint_blank_then_appear_on_release(qtbot) -> None:
    icons.hold()
    try:
        label = IconLabel(icons.icon(icons.MARKING, "#000000"), 32)
        qtbot.addWidget(label)
        assert _ink(_painted(label)) == 0
    finally:
        icons.release(label)
    assert _ink(_painted(label)) > 20

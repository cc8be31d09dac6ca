"""A window with an exercise open and a started run, and helpers to drive the decision log by keyboard."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import Scenario

from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.workspaces.decision_log import DecisionLogWorkspace


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Completion lists are popups; the offscreen platform warns that it cannot raise them or grab the keyboard."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.qt_log_ignore(
                "This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)"))


@dataclass
class LiveRun:
    window: MainWindow
    page: DecisionLogWorkspace
    run_id: str
    scenario: Scenario
    source: FakeTimeSource
    path: Path

    def inject(self, number: int) -> str:
        return next(i.id for i in self.scenario.injects if i.number == number)

    def objective(self, code: str) -> str:
        return next(o.id for o in self.scenario.objectives if o.code == code)

    def stored(self, column: str = "text") -> list[object]:
        """What is on disk, read with plain sqlite3 beside the application."""
        with sqlite3.connect(self.path) as connection:
            return [row[0] for row in connection.execute(f"SELECT {column} FROM log_record ORDER BY rowid")]


class ScriptedLogFiles:
    def __init__(self) -> None:
        self.merge_answers: list[Path | None] = []
        self.csv_answers: list[Path | None] = []

    def merge_source(self, parent: QWidget, directory: Path) -> Path | None:
        return self.merge_answers.pop(0)

    def csv_target(self, parent: QWidget, suggested: Path) -> Path | None:
        return self.csv_answers.pop(0)


@pytest.fixture
def log_files() -> ScriptedLogFiles:
    return ScriptedLogFiles()


@pytest.fixture
def live(window: MainWindow, document_path: Path, time_source: FakeTimeSource, log_files: ScriptedLogFiles) -> LiveRun:
    """The exercise open, run 1 started 10 minutes ago, injects 1 and 2 released."""
    assert window.open_path(document_path)
    context = window.context
    assert context is not None
    run = context.runs.create_run("Main run")
    context.runs.start(run.id)
    scenario = context.runs.frozen_scenario(run.id)
    time_source.advance(240)
    context.runs.release(run.id, next(i.id for i in scenario.injects if i.number == 1))
    time_source.advance(300)
    context.runs.release(run.id, next(i.id for i in scenario.injects if i.number == 2))
    time_source.advance(60)
    page = window.decision_log_page
    page.files = log_files
    page.refresh()
    return LiveRun(window, page, run.id, scenario, time_source, document_path)


def message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

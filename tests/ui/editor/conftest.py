"""Fixtures for the scenario editor: an open library exercise and scripted answers to its file questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QWidget

from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.workspaces.scenario import ScenarioWorkspace


class ScriptedEditorFiles:
    def __init__(self) -> None:
        self.open_answers: list[Path | None] = []
        self.save_answers: list[Path | None] = []

    def open_spreadsheet(self, parent: QWidget) -> Path | None:
        return self.open_answers.pop(0)

    def save_spreadsheet(self, parent: QWidget, suggested: Path) -> Path | None:
        return self.save_answers.pop(0)

    def save_template(self, parent: QWidget, suggested: Path) -> Path | None:
        return self.save_answers.pop(0)


class Confirmations:
    """Answers to "delete this?" questions, remembering what was asked."""

    def __init__(self) -> None:
        self.answer = True
        self.asked: list[tuple[str, str, list[str]]] = []

    def __call__(self, parent: QWidget, title: str, question: str, details: list[str]) -> bool:
        self.asked.append((title, question, details))
        return self.answer


@pytest.fixture
def files() -> ScriptedEditorFiles:
    return ScriptedEditorFiles()


@pytest.fixture
def confirmations() -> Confirmations:
    return Confirmations()


@pytest.fixture
def editor(window: MainWindow, document_path: Path, files: ScriptedEditorFiles,
           confirmations: Confirmations, qtbot) -> ScenarioWorkspace:
    """The scenario workspace with the library exercise open, its window active for keyboard shortcuts."""
    assert window.open_path(document_path)
    page = window.scenario_page
    page.files = files
    page.confirm = confirmations
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    return page

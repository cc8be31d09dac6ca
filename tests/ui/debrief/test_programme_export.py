"""Debrief ▸ Exercise Programme…: the participants' programme written in the background as PDF or HTML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import create_document

from ctpn_desktop.ui.main_window import DEBRIEF

from tests.core.report.debrief_helpers import page_texts, squash
from tests.ui.conftest import LIBRARY

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


@pytest.fixture
def programme_document(tmp_path: Path) -> Path:
    scenario, blobs = read_scenario_file(LIBRARY / "city-recovery-consequence-management.json")
    path = tmp_path / "docs" / "common-ground.ctpn"
    path.parent.mkdir()
    create_document(path, scenario, blobs).close()
    return path


def test_the_programme_is_written_as_pdf_then_html_from_the_debrief_menu(qtbot, window, programme_document: Path,
                                                                        opened: list[QUrl], tmp_path: Path) -> None:
    assert window.open_path(programme_document)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    assert page.programme_button.isVisible()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = page.programme_dialog
    qtbot.waitExposed(dialog)
    assert "15 agenda items in 2 sessions, 5 speakers and 4 syndicates" in dialog.summary.text()
    grabs = Path(os.environ.get("CTPN_GRAB_DIR", tmp_path))
    assert dialog.grab().save(str(grabs / "programme-dialog.png"))
    target = Path(dialog.output_field.edit.text())
    assert target.name == "common-ground programme.pdf"
    dialog.organisation_edit.setText("Northbridge Resilience Forum")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    text = squash("".join(page_texts(target)))
    assert squash("Syndicate discussion — Module 1") in text and squash("Northbridge Resilience Forum") in text
    assert [url.toLocalFile() for url in opened] == [str(target)]

    page.last_export = None
    page.programme_action.trigger()
    dialog = page.programme_dialog
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.html_button, Qt.MouseButton.LeftButton)
    assert dialog.output_field.edit.text().endswith("programme.html")
    dialog.idea_box.setChecked(True)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    html = page.last_export.read_text(encoding="utf-8")
    assert "<h3>General idea</h3>" in html and "Exercise COMMON GROUND" in html


def test_a_missing_folder_is_refused_in_the_dialog(qtbot, window, programme_document: Path, tmp_path: Path) -> None:
    assert window.open_path(programme_document)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    page.programme_action.trigger()
    dialog = page.programme_dialog
    qtbot.waitExposed(dialog)
    dialog.output_field.edit.setText(str(tmp_path / "nowhere" / "p.pdf"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "does not exist" in dialog.problem.text()
    dialog.reject()

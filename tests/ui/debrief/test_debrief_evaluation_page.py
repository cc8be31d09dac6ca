"""The Debrief page shows the run's response times and its executive summary, which is reviewed there before
the export; the export dialog offers the tagged (accessible) PDF."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from ctpn_desktop.core.services.chain_code import chain_seal

from ctpn_desktop.ui.debrief.export import ReportFormat
from ctpn_desktop.ui.main_window import DEBRIEF

from tests.core.report.test_response_analytics import known_run
from tests.factories import library_document

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def known_document(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "known").mkdir()
    with library_document(tmp_path / "known") as document:
        run_id = known_run(document).run_id
        return document.path, chain_seal(document, run_id).code


def test_response_times_and_the_log_code_are_on_the_page(window, known_document: tuple[Path, str]) -> None:
    path, code = known_document
    assert window.open_path(path)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    assert "1 min 15 s" in page.responses_label.text() and "2 of 3 released injects" in page.responses_label.text()
    rows = [[page.response_tree.topLevelItem(r).text(c) for c in range(4)]
            for r in range(page.response_tree.topLevelItemCount())]
    assert rows == [["Council", "1", "1 min 00 s", "1 min 00 s"], ["Fire", "1", "1 min 30 s", "4 min 00 s"],
                    ["Police", "1", "2 min 30 s", "5 min 00 s"]]
    assert "2 First officers at scene" in page.unanswered_label.text()
    assert "Take action and review what happened: 2" in page.stages_label.text()
    assert code in page.chain_label.text()


def test_the_executive_summary_is_reviewed_and_saved_from_the_page(qtbot, window,
                                                                   known_document: tuple[Path, str]) -> None:
    path, _ = known_document
    assert window.open_path(path)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    context = window.context
    run_id = context.runs.list_runs()[-1].id
    context.evaluation.add_observation(run_id, objective_id=None, evaluator="E", rating="S", text="t",
                                       strengths="Fire control quick", improvements="Police slower")
    page.refresh()
    assert "proposed from the observations" in page.summary_label.text()
    qtbot.mouseClick(page.summary_button, Qt.MouseButton.LeftButton)
    dialog = page.summary_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.strengths.toPlainText() == "Fire control quick" and "Proposed" in dialog.state.text()
    dialog.strengths.setFocus()
    qtbot.keyClick(dialog.strengths, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.strengths, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.strengths, "Clear press line")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = context.evaluation.executive_summary(run_id)
    assert (saved.revision, saved.strengths, saved.improvements) == (1, ("Fire control quick", "Clear press line"),
                                                                     ("Police slower",))
    assert "version 1 saved" in page.summary_label.text()
    qtbot.mouseClick(page.summary_button, Qt.MouseButton.LeftButton)
    again = page.summary_dialog
    qtbot.waitExposed(again)
    assert "Clear press line" in again.strengths.toPlainText() and "Version 1" in again.state.text()
    again.reject()


def test_the_export_dialog_writes_the_tagged_pdf(qtbot, window, known_document: tuple[Path, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: isinstance(url, QUrl))
    path, _ = known_document
    assert window.open_path(path)
    window.show_page(DEBRIEF)
    page = window.debrief_page
    page.export_action.trigger()
    dialog = page.export_dialog
    qtbot.waitExposed(dialog)
    dialog.tagged_button.setFocus()
    qtbot.keyClick(dialog.tagged_button, Qt.Key.Key_Space)
    assert dialog.chosen_format is ReportFormat.TAGGED_PDF
    assert Path(dialog.output_field.edit.text()).suffix == ".pdf"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    with pikepdf.open(page.last_export) as pdf:
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "en-GB"

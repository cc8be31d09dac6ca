"""The Debrief workspace: the run summary, the export dialogs driven by keyboard and mouse, background exports."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from ctpn_desktop.core.changes import Changes
from ctpn_desktop.core.errors import RoomOffline
from ctpn_desktop.core.services.document import open_document

from ctpn_desktop.ui import preferences
from ctpn_desktop.ui.debrief.worker import BackgroundExport
from ctpn_desktop.ui.main_window import DEBRIEF

from tests.core.report.debrief_helpers import MARKUP, drive_run, page_texts, squash

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What the workspace asked the system to open (instead of starting a PDF viewer)."""
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


@pytest.fixture
def driven_document(document_path: Path) -> Path:
    with open_document(document_path) as document:
        drive_run(document)
    return document_path


def toggle(qtbot, button) -> None:
    """Space on the focused check box or radio button, as a keyboard user does."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def _debrief_page(window, path: Path):
    assert window.open_path(path)
    window.show_page(DEBRIEF)
    return window.debrief_page


def test_the_selected_run_is_summarised(window, driven_document: Path) -> None:
    page = _debrief_page(window, driven_document)
    summary = page.summary
    assert summary is not None
    assert page.run_figures["released"].value.text() == "2"  # two planned injects released
    assert page.run_figures["skipped"].value.text() == "1"
    assert page.run_figures["adhoc"].value.text() == "1"
    assert page.run_figures["log_entries"].value.text() == "4"
    assert "1 corrected, 1 withdrawn" in page.run_figures["log_entries"].detail.text()
    assert page.run_figures["observations"].value.text() == "2"
    assert page.run_figures["improvement_actions"].value.text() == "1"
    assert "Performed with some challenges: 1" in page.ratings_label.accessibleName()
    assert "Performed with major challenges: 1" in page.ratings_label.accessibleName()
    assert page.chain_label.text().count("Intact") == 1
    assert f"of {summary.planned_injects} planned" in page.run_figures["released"].detail.text()


def test_debrief_menu_holds_both_exports(window, driven_document: Path) -> None:
    _debrief_page(window, driven_document)
    menus = {m.title(): m for m in (a.menu() for a in window.menuBar().actions()) if m is not None}
    menu = menus["De&brief"]
    assert [a.text() for a in menu.actions()] == ["&Export Debrief…", "MSEL &Handout…", "Exercise &Programme…"]
    assert all(a.isEnabled() for a in menu.actions())
    assert menu.actions()[0].shortcut().toString() == "Ctrl+Shift+E"


def test_export_dialog_writes_the_pdf_in_the_background_and_opens_it(qtbot, window, driven_document: Path,
                                                                      settings, opened: list[QUrl],
                                                                      tmp_path: Path) -> None:
    settings.setValue(preferences.ORGANISATION_NAME, "Northbridge Resilience Forum")
    settings.sync()
    page = _debrief_page(window, driven_document)
    window.settings.setValue(preferences.ORGANISATION_NAME, "Northbridge Resilience Forum")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    dialog = page.export_dialog
    qtbot.waitExposed(dialog)
    assert dialog.organisation_edit.text() == "Northbridge Resilience Forum"
    assert dialog.marking_edit.text() == "OFFICIAL"
    assert dialog.output_field.edit.text().endswith("debrief.pdf")
    dialog.marking_edit.selectAll()
    qtbot.keyClicks(dialog.marking_edit, "official-sensitive")
    toggle(qtbot, dialog.section_boxes[next(iter(dialog.section_boxes))])
    toggle(qtbot, dialog.notes_box)
    assert not dialog.notes_box.isChecked()
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    dialog.output_field.edit.clear()
    qtbot.keyClicks(dialog.output_field.edit, str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    assert page.last_export == target
    assert [url.toLocalFile() for url in opened] == [str(target)]
    pages = page_texts(target)
    assert all(text.count("OFFICIAL-SENSITIVE") >= 2 for text in pages)
    whole = "\n".join(pages)
    assert "Exercise overview" not in whole and "Decision log" in whole and "Controller notes" not in whole
    assert squash(MARKUP) in squash(whole)
    assert PdfReader(target).metadata.author == "Northbridge Resilience Forum"
    assert window.statusBar().currentMessage() == f"Wrote {target}"


def test_export_dialog_writes_html_when_chosen(qtbot, window, driven_document: Path, opened: list[QUrl]) -> None:
    page = _debrief_page(window, driven_document)
    page.export_action.trigger()
    dialog = page.export_dialog
    qtbot.waitExposed(dialog)
    toggle(qtbot, dialog.html_button)
    suggested = Path(dialog.output_field.edit.text())
    assert suggested.suffix == ".html" and suggested.parent == driven_document.parent
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    assert page.last_export == suggested
    assert suggested.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert opened and opened[0].toLocalFile() == str(suggested)


def test_export_dialog_explains_what_is_wrong_and_writes_nothing(qtbot, window, driven_document: Path,
                                                                  opened: list[QUrl], tmp_path: Path) -> None:
    page = _debrief_page(window, driven_document)
    page.export_action.trigger()
    dialog = page.export_dialog
    qtbot.waitExposed(dialog)
    dialog.output_field.edit.clear()
    qtbot.keyClicks(dialog.output_field.edit, str(tmp_path / "no-such-folder" / "x.pdf"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "does not exist" in dialog.problem.text()
    dialog.output_field.edit.clear()
    qtbot.keyClicks(dialog.output_field.edit, str(tmp_path / "x.pdf"))
    qtbot.keyClicks(dialog.logo_field.edit, str(tmp_path / "missing-logo.png"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "logo" in dialog.problem.text()
    dialog.logo_field.edit.clear()
    for box in dialog.section_boxes.values():
        box.setChecked(False)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "at least one section" in dialog.problem.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert page.export is None and not (tmp_path / "x.pdf").exists() and opened == []


def test_msel_handout_from_the_menu(qtbot, window, document_path: Path, opened: list[QUrl]) -> None:
    page = _debrief_page(window, document_path)  # no runs yet: the handout is for before the day
    assert page.runs_stack.currentWidget() is page.no_runs
    page.handout_action.trigger()
    dialog = page.handout_dialog
    qtbot.waitExposed(dialog)
    toggle(qtbot, dialog.notes_box)
    target = Path(dialog.output_field.edit.text())
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=60_000)
    assert target.name.endswith("MSEL handout.pdf")
    reader = PdfReader(target)
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    assert "Controller notes" not in "\n".join(page_texts(target))
    assert [url.toLocalFile() for url in opened] == [str(target)]


def test_a_failed_export_is_reported_and_keeps_the_old_file(qtbot, window, driven_document: Path,
                                                            opened: list[QUrl], tmp_path: Path) -> None:
    page = _debrief_page(window, driven_document)
    page.export_action.trigger()
    dialog = page.export_dialog
    qtbot.waitExposed(dialog)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    target = tmp_path / "kept.pdf"
    target.write_bytes(b"earlier export")
    dialog.output_field.edit.clear()
    qtbot.keyClicks(dialog.output_field.edit, str(target))
    qtbot.keyClicks(dialog.logo_field.edit, str(broken))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.export is not None and not page.export.running and
                    any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=60_000)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "logo cannot be read" in box.informativeText()
    assert target.read_bytes() == b"earlier export" and opened == []
    box.close()


def test_cancelling_stops_the_export_and_the_window_keeps_working(qtbot, window, tmp_path: Path) -> None:
    started = threading.Event()
    target = tmp_path / "never.pdf"

    def slow(progress) -> Path:
        started.set()
        for step in range(10_000):
            progress(step / 10_000, f"step {step}")
            time.sleep(0.001)
        target.write_text("finished")
        return target

    export = BackgroundExport(window, "Exporting", slow, open_when_done=False)
    results: list[object] = []
    export.finished.connect(results.append)
    export.start()
    assert started.wait(10)
    ticks: list[int] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(export.dialog.value() if export.running else -1))
    timer.start(5)
    # the window's own timers keep firing and the progress keeps moving while the worker works
    qtbot.waitUntil(lambda: len(ticks) > 10 and len(set(ticks)) > 3, timeout=10_000)
    assert export.running
    qtbot.mouseClick(export.dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: results == [None], timeout=10_000)
    timer.stop()
    assert not target.exists() and export.error == "" and not export.running


def test_closing_the_document_stops_a_running_export(qtbot, window, driven_document: Path, tmp_path: Path) -> None:
    page = _debrief_page(window, driven_document)
    target = tmp_path / "slow.pdf"
    started = threading.Event()

    def slow(progress) -> Path:
        started.set()
        while True:  # only cancelling ends it
            progress(0.5, "working")
            time.sleep(0.002)

    page._run("Exporting the debrief", slow)
    assert started.wait(10) and page.export is not None and page.export.running
    window.close_document()
    assert not page.export.running and page.last_export is None and not target.exists()
    qtbot.wait(50)
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_a_recount_while_the_server_is_away_keeps_the_figures(qtbot, window, driven_document: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    page = _debrief_page(window, driven_document)
    before = page.run_figures["log_entries"].value.text()
    context = window.context
    assert context is not None

    def unreachable(*_args: object) -> object:
        raise RoomOffline("room", "the server cannot be reached")

    monkeypatch.setattr(type(context.document), "summary", unreachable)
    page.document_changed(Changes.everything(remote=True))  # a change heard just before the cable went
    qtbot.waitUntil(lambda: not page._follow_timer.isActive(), timeout=5000)
    assert page.run_figures["log_entries"].value.text() == before

"""Syndicates in the decision log, through the real widgets: managed in their tab, chosen in the entry bar with the
keyboard, kept apart by the filter, their answers and read-backs recorded, a note-taker's laptop merged."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.entities import AnswerKind, LogKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import PLENARY, LogDraft, LogService

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.log.syndicates import REVISE, WHOLE_PHASE
from ctpn_desktop.ui.models import log as columns
from ctpn_desktop.ui.workspaces.decision_log import SYNDICATES_TAB

from tests.ui.log.conftest import LiveRun

ALT = Qt.KeyboardModifier.AltModifier


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def add_syndicates(live: LiveRun, *names: str) -> list[str]:
    service = live.window.context.syndicates
    ids = [service.add(live.run_id, name, facilitator=f"Facilitator {name[-1]}").id for name in names]
    live.page.refresh()
    return ids


def test_a_syndicate_is_added_edited_and_kept_while_it_has_a_record(qtbot, live: LiveRun) -> None:
    page = live.page
    page.show_tab(SYNDICATES_TAB)
    pane = page.syndicates
    assert pane.tree.topLevelItemCount() == 0 and not pane.edit_button.isEnabled()
    assert "This run has no syndicates" in pane.view.toPlainText()
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.name.hasFocus)
    qtbot.keyClicks(dialog.name, "Syndicate Alpha")
    dialog.room.setText("Room R1")
    dialog.facilitator.setText("Dr Ines Moreau")
    for line in ("Ana Lopes, Porto", "Piet de Vries, Rotterdam", "", "ana lopes, porto"):
        qtbot.keyClicks(dialog.members, line)
        qtbot.keyClick(dialog.members, Qt.Key.Key_Return)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: pane.tree.topLevelItemCount() == 1)
    (alpha,) = live.window.context.syndicates.syndicates(live.run_id)
    assert (alpha.name, alpha.room, alpha.members) == ("Syndicate Alpha", "Room R1",
                                                       ("Ana Lopes, Porto", "Piet de Vries, Rotterdam"))
    assert pane.tree.topLevelItem(0).text(3) == "2"

    pane.open_dialog(None)
    pane.dialog.name.setText("syndicate alpha")
    pane.dialog.submit()
    assert pane.dialog is not None and "already has a syndicate" in pane.dialog.problem.text()
    pane.dialog.reject()

    pane.tree.setCurrentItem(pane.tree.topLevelItem(0))
    pane.open_dialog(pane.selected())
    pane.dialog.name.setText("Syndicate A")
    pane.dialog.submit()
    assert pane.tree.topLevelItem(0).text(0) == "Syndicate A"
    LogService(live.window.context.document, "laptop-x", live.source).append(
        live.run_id, LogDraft(kind=LogKind.DECISION, text="A decides", syndicate_id=alpha.id), exercise_s=1)
    qtbot.mouseClick(pane.delete_button, Qt.MouseButton.LeftButton)
    assert "a syndicate with a record is kept" in pane.status.text()
    assert pane.tree.topLevelItemCount() == 1


def test_the_syndicate_is_chosen_in_the_entry_bar_by_keyboard_and_stays_for_the_next_entry(qtbot,
                                                                                           live: LiveRun) -> None:
    page = live.page
    form = page.quick_entry.form
    assert not form.syndicate.isVisibleTo(page) and page.table.isColumnHidden(columns.SYNDICATE)
    alpha, bravo = add_syndicates(live, "Syndicate A", "Syndicate B")
    assert form.syndicate.isVisibleTo(page) and not page.table.isColumnHidden(columns.SYNDICATE)
    assert form.syndicate.currentData() is None  # plenary until a note-taker says otherwise
    live.window.activateWindow()
    page.focus_quick_entry()
    qtbot.waitUntil(form.text.hasFocus)
    qtbot.keyClick(page, Qt.Key.Key_D, ALT)  # Syn&dicate
    qtbot.waitUntil(form.syndicate.hasFocus)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert form.syndicate.currentData() == bravo
    assert page.quick_entry.started is None  # choosing the syndicate is not the entry's first keystroke
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.text
    qtbot.keyClicks(focused(), "B opens a second rest centre")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert form.syndicate.currentData() == bravo and form.text.toPlainText() == ""
    qtbot.keyClicks(form.text, "B asks the council for buses")
    qtbot.keyClick(form.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    form.select_syndicate(None)
    qtbot.keyClicks(form.text, "Plenary: chair sums up")
    qtbot.keyClick(form.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert live.stored("syndicate_id") == [bravo, bravo, None]
    assert [page.model.index(r, columns.SYNDICATE).data() for r in range(3)] == ["Syndicate B", "Syndicate B", ""]

    filters = page.filters
    assert filters.syndicate.isVisibleTo(page)
    filters.syndicate.setCurrentIndex(filters.syndicate.findData(bravo))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    filters.syndicate.setCurrentIndex(filters.syndicate.findData(PLENARY))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.entry_at(0).text == "Plenary: chair sums up"
    filters.syndicate.setCurrentIndex(filters.syndicate.findData(alpha))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.count_label.text() == "0 entries match"
    filters.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)


def test_a_note_takers_laptop_starts_on_its_syndicate_and_corrections_keep_it(qtbot, live: LiveRun) -> None:
    page = live.page
    alpha, _bravo = add_syndicates(live, "Syndicate A", "Syndicate B")
    page.show_tab(SYNDICATES_TAB)
    pane = page.syndicates
    pane.home.setCurrentIndex(pane.home.findData(alpha))
    pane.home.activated.emit(pane.home.currentIndex())
    assert live.window.context.syndicates.syndicate_of_device(live.run_id) == alpha
    assert page.quick_entry.form.syndicate.currentData() == alpha
    assert pane.laptops.topLevelItem(0).text(0) == "test-device (this laptop)"
    page.show_tab(0)
    form = page.quick_entry.form
    qtbot.keyClicks(form.text, "A: the rest centre at the leisure centre")
    qtbot.keyClick(form.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.select_entry(page.model.entry_at(0).entry_id)
    assert "Syndicate A" in page.detail.browser.toPlainText()
    page.correct_selected()
    dialog = page.revision_dialog
    assert dialog is not None and dialog.form.syndicate.currentData() == alpha
    dialog.form.text.setPlainText("A: the rest centre at Riverside Leisure Centre")
    dialog.reason.setPlainText("Venue named")
    dialog.submit()
    assert live.stored("syndicate_id") == [alpha, alpha]


def test_answers_and_read_backs_are_entered_compared_and_revised(qtbot, live: LiveRun) -> None:
    page = live.page
    alpha, bravo = add_syndicates(live, "Syndicate A", "Syndicate B")
    page.show_syndicates()
    pane = page.syndicates
    qtbot.waitUntil(pane.text.hasFocus)
    phase = live.scenario.phases[0]
    assert pane.phase.currentData() == phase.id  # the phase in play
    assert pane.question.count() == len(phase.discussion_questions) + 1
    pane.syndicate.setCurrentIndex(pane.syndicate.findData(alpha))
    qtbot.keyClicks(pane.text, "Stop the race at the 20 km point")
    qtbot.keyClick(pane.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(pane.answers) == 1)
    pane.syndicate.setCurrentIndex(pane.syndicate.findData(bravo))
    qtbot.keyClicks(pane.text, "Hold the runners, keep the finish open")
    qtbot.keyClick(pane.text, Qt.Key.Key_Return)
    pane.kind.setCurrentIndex(pane.kind.findData(AnswerKind.READBACK.value))
    pane.syndicate.setCurrentIndex(pane.syndicate.findData(alpha))
    qtbot.keyClicks(pane.text, "Read back: stop at 20 km, reopen by 11:00")
    qtbot.keyClick(pane.text, Qt.Key.Key_Return)
    pane.kind.setCurrentIndex(0)
    pane.question.setCurrentIndex(pane.question.findData(WHOLE_PHASE))
    qtbot.keyClicks(pane.text, "We needed the airport earlier")
    qtbot.keyClick(pane.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(pane.answers) == 4)
    shown = pane.view.toPlainText()
    for words in ("Question 1. " + phase.discussion_questions[0], "Stop the race at the 20 km point",
                  "Hold the runners, keep the finish open", "Read back: stop at 20 km, reopen by 11:00",
                  "The phase as a whole", "We needed the airport earlier"):
        assert words in shown, words
    first = next(a for a in pane.answers if a.text.startswith("Stop the race"))
    pane.view.anchorClicked.emit(QUrl(f"{REVISE}{first.id}"))
    assert pane.revising is first and pane.text.toPlainText() == first.text and not pane.syndicate.isEnabled()
    pane.text.setPlainText("Stop the race at 20 km and hold the finish")
    qtbot.keyClick(pane.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.revising is None)
    assert "Stop the race at 20 km and hold the finish" in pane.view.toPlainText()
    assert "Stop the race at the 20 km point" not in pane.view.toPlainText()
    every = live.window.context.syndicates.answers(live.run_id, include_replaced=True)
    assert len(every) == 5 and any(a.replaces_id == first.id for a in every)
    pane.text.setPlainText("   ")
    pane.submit()
    assert "needs some text" in pane.status.text()


def test_a_syndicate_note_takers_copy_is_merged_under_its_syndicate(qtbot, live: LiveRun, log_files,
                                                                     tmp_path: Path) -> None:
    page = live.page
    alpha, _bravo = add_syndicates(live, "Syndicate A", "Syndicate B")
    copy = live.window.context.document.save_copy(tmp_path / "note-taker.ctpn")
    with open_document(copy) as other:
        for number in range(3):
            LogService(other, "note-taker-a", live.source).append(
                live.run_id, LogDraft(kind=LogKind.INFORMATION, text=f"A's point {number + 1}", logged_by="Priya"),
                exercise_s=100 + number)
    page.show_tab(SYNDICATES_TAB)
    pane = page.syndicates
    pane.tree.setCurrentItem(pane.tree.topLevelItem(0))
    log_files.merge_answers.append(copy)
    report = pane.merge_note_taker()
    assert report is not None and report.laptops_assigned == 1 and "Syndicate A's" in pane.status.text()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert [page.model.index(r, columns.SYNDICATE).data() for r in range(3)] == ["Syndicate A"] * 3
    laptops = {pane.laptops.topLevelItem(i).text(0): pane.laptops.topLevelItem(i).text(3)
               for i in range(pane.laptops.topLevelItemCount())}
    assert laptops["note-taker-a"] == "Syndicate A"
    pane.laptops.setCurrentItem(pane.laptops.topLevelItem(0))
    qtbot.mouseClick(pane.unassign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.index(0, columns.SYNDICATE).data() == "")
    assert live.window.context.syndicates.syndicate_of_device(live.run_id, "note-taker-a") is None
    assert live.window.context.log.summaries(live.run_id, syndicate=alpha) == []


def test_the_syndicates_tab_fits_a_small_screen_and_is_drawn(qtbot, live: LiveRun, tmp_path: Path) -> None:
    grabs = Path(os.environ.get("CTPN_GRAB_DIR", tmp_path))
    page = live.page
    add_syndicates(live, "Syndicate A", "Syndicate B", "Syndicate C")
    live.window.context.syndicates.add_answer(live.run_id, live.window.context.syndicates.syndicates(live.run_id)[0].id,
                                              phase_id=live.scenario.phases[0].id, question_index=0,
                                              text="Close the finish area at once")
    page.refresh()
    page.show_tab(SYNDICATES_TAB)
    live.window.resize(1280, 720)
    QApplication.processEvents()
    assert live.window.minimumSizeHint().width() <= 1240 and live.window.minimumSizeHint().height() <= 700
    live.window.grab().save(str(grabs / "syndicates-tab.png"))
    live.window.actions[ActionId.DARK_ROOM].trigger()  # the comparison is drawn again in the dark-room colours
    QApplication.processEvents()
    muted = page.syndicates.view.palette().placeholderText().color().name()
    assert muted in page.syndicates.view.document().defaultStyleSheet()
    assert live.window.grab().save(str(grabs / "syndicates-tab-dark.png"))
    live.window.actions[ActionId.DARK_ROOM].trigger()
    page.show_tab(0)
    QApplication.processEvents()
    live.window.grab().save(str(grabs / "log-with-syndicates.png"))
    page.syndicates.open_dialog(None)
    QApplication.processEvents()
    assert page.syndicates.dialog.grab().save(str(grabs / "syndicate-dialog.png"))
    page.syndicates.dialog.reject()


def test_syndicates_written_elsewhere_in_the_window_are_shown_without_a_refresh(qtbot, live: LiveRun) -> None:
    page = live.page
    page.show_tab(SYNDICATES_TAB)
    pane = page.syndicates
    assert pane.tree.topLevelItemCount() == 0
    service = live.window.context.syndicates
    bravo = service.add(live.run_id, "Syndicate Bravo", facilitator="Facilitator B")
    qtbot.waitUntil(lambda: pane.tree.topLevelItemCount() == 1, timeout=3000)
    assert not page.table.isColumnHidden(columns.SYNDICATE)
    assert "Syndicate Bravo" in [page.quick_entry.form.syndicate.itemText(i)
                                 for i in range(page.quick_entry.form.syndicate.count())]
    service.delete(bravo.id)
    qtbot.waitUntil(lambda: pane.tree.topLevelItemCount() == 0, timeout=3000)
    assert page.table.isColumnHidden(columns.SYNDICATE)

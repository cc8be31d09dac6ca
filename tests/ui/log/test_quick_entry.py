"""Quick entry with the keyboard alone: one shortcut from anywhere, time at the first keystroke, Enter saves."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.entities import ActionItem, JdmStage, LogKind

from ctpn_desktop.ui.main_window import CONDUCT, DECISION_LOG, SCENARIO
from ctpn_desktop.ui.models import log as columns

from tests.ui.log.conftest import LiveRun

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_ctrl_l_from_any_page_focuses_the_entry_text(qtbot, live: LiveRun) -> None:
    window, page = live.window, live.page
    for other in (SCENARIO, CONDUCT):
        window.show_page(other)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
        assert window.navigation.currentRow() == DECISION_LOG
        qtbot.waitUntil(lambda: page.quick_entry.form.text.hasFocus())


def test_a_decision_logged_with_the_keyboard_alone(qtbot, live: LiveRun) -> None:
    window, page, source = live.window, live.page, live.source
    window.show_page(SCENARIO)
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: page.quick_entry.form.text.hasFocus())
    first_keystroke = source.wall()
    exercise_at_first_keystroke = window.context.runs.clock(live.run_id).elapsed()

    qtbot.keyClicks(focused(), "Close Civic Square to the public")
    qtbot.keyClick(focused(), Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(focused(), "and hold runners at 20 km")
    source.advance(75)  # the loggist takes a while to fill in the rest
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Drone seen over the finish")  # rationale
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Hold / divert / stop the race")  # options considered
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Stop the runners @ Race director")
    qtbot.keyClick(focused(), Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(focused(), "Tell the ambulance desk")
    for _ in range(4):  # back from actions to objectives
        qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is page.quick_entry.form.objectives
    qtbot.keyClicks(focused(), "o1, O3")
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is page.quick_entry.form.stage
    qtbot.keyClicks(focused(), "4")
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)  # inject: keeps its default, the last released
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert focused() is page.quick_entry.form.kind
    qtbot.keyClicks(focused(), "a")  # Action
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    maker = page.quick_entry.form.maker
    assert focused() is maker
    qtbot.keyClicks(maker, "silver")  # completed as you type: the suggestion carries the organisation
    popup = maker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: maker.text() == "Tactical Commander (Silver), event commander")
    assert page.quick_entry.form.organisation.text() == "Police"
    assert live.stored() == []

    qtbot.keyClick(maker, Qt.Key.Key_Return)

    assert live.stored() == ["Close Civic Square to the public\nand hold runners at 20 km"]  # on disk
    assert page.model.rowCount() == 1
    assert page.model.index(0, columns.TEXT).data() == "Close Civic Square to the public and hold runners at 20 km"
    [entry] = window.context.log.entries(live.run_id)
    current = entry.current
    assert current.kind is LogKind.ACTION
    assert current.logged_at == first_keystroke
    assert current.committed_at == first_keystroke + timedelta(seconds=75)
    assert current.exercise_s == exercise_at_first_keystroke
    assert current.rationale == "Drone seen over the finish"
    assert current.options_considered == "Hold / divert / stop the race"
    assert current.actions == (ActionItem("Stop the runners", "Race director"), ActionItem("Tell the ambulance desk"))
    assert current.objective_ids == (live.objective("O1"), live.objective("O3"))
    assert current.jdm_stage is JdmStage.OPTIONS
    assert current.inject_id == live.inject(2)
    assert (current.decision_maker, current.organisation) == ("Tactical Commander (Silver), event commander",
                                                              "Police")
    # Ready for the next entry: fields empty, focus back in the text, the new row selected.
    assert page.quick_entry.form.text.toPlainText() == ""
    assert window.focusWidget() is page.quick_entry.form.text
    assert "Entry 1 saved" in page.quick_entry.status.text()
    assert page.detail.entry is not None and page.detail.entry.entry_id == entry.entry_id
    assert json.loads(live.stored("objective_ids")[0]) == [live.objective("O1"), live.objective("O3")]


def test_each_entry_takes_its_own_first_keystroke_time(qtbot, live: LiveRun) -> None:
    page, source = live.page, live.source
    page.focus_quick_entry()
    text = page.quick_entry.form.text
    times = []
    for words in ("Gold group convened", "Road closures confirmed"):
        times.append(source.wall())
        qtbot.keyClicks(text, words)
        source.advance(40)
        qtbot.keyClick(text, Qt.Key.Key_Return)
        source.advance(100)
    entries = live.window.context.log.entries(live.run_id)
    assert [e.current.logged_at for e in entries] == times
    assert [e.current.entry_number for e in entries] == [1, 2]
    assert page.model.rowCount() == 2 and page.count_label.text() == "2 entries"


def test_nothing_typed_is_lost_when_an_entry_cannot_be_saved(qtbot, live: LiveRun) -> None:
    page = live.page
    page.focus_quick_entry()
    form = page.quick_entry.form
    qtbot.keyClick(form.text, Qt.Key.Key_Return)  # empty text
    assert "Type the entry first" in page.quick_entry.status.text()
    qtbot.keyClicks(form.text, "Cordon at the bridge")
    form.objectives.setFocus()
    qtbot.keyClicks(form.objectives, "O1 O99")
    qtbot.keyClick(form.objectives, Qt.Key.Key_Return)
    assert "Unknown objective O99" in page.quick_entry.status.text()
    assert form.text.toPlainText() == "Cordon at the bridge" and live.stored() == []
    for _ in "O99":
        qtbot.keyClick(form.objectives, Qt.Key.Key_Backspace)
    qtbot.keyClick(form.objectives, Qt.Key.Key_Return)
    assert live.stored() == ["Cordon at the bridge"]


def test_the_inject_defaults_to_the_last_released_one(qtbot, live: LiveRun) -> None:
    page, context = live.page, live.window.context
    page.focus_quick_entry()
    assert page.quick_entry.form.inject.currentData() == live.inject(2)
    context.runs.release(live.run_id, live.inject(3))  # released in the conduct workspace meanwhile
    qtbot.keyClicks(page.quick_entry.form.text, "Press line agreed")
    assert page.quick_entry.form.inject.currentData() == live.inject(3)
    qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    assert context.log.entries(live.run_id)[0].current.inject_id == live.inject(3)


def test_any_text_is_stored_and_shown_exactly(qtbot, live: LiveRun) -> None:
    page = live.page
    text = ("مرحبا بالعالم — القرار: إغلاق الساحة 🚒🚑👮‍♀️ שלום\n"
            "Zoë's «cordon» ✓ e\u0301 \u200d 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \t tab\n" + "very long line " * 4000)
    page.focus_quick_entry()
    form = page.quick_entry.form
    form.text.insertPlainText(text)  # as pasted
    qtbot.keyClick(form.text, Qt.Key.Key_Return)
    assert live.stored() == [text]
    row = page.model.entry_at(0)
    assert row.text == text
    assert page.model.index(0, columns.TEXT).data(Qt.ItemDataRole.ToolTipRole) == text
    assert text.splitlines()[0] in page.detail.browser.toPlainText()
    assert page.detail.entry is not None and page.detail.entry.current.text == text


def test_without_a_run_the_entry_bar_says_what_to_do(qtbot, window, document_path) -> None:
    window.open_path(document_path)
    page = window.decision_log_page
    assert page.runs_stack.currentWidget() is page.no_runs
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    assert "Start a run in Conduct first" in window.statusBar().currentMessage()

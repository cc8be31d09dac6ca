"""The timeline view (lanes, marks, hover, click to select, zoom) and the due chime."""

from __future__ import annotations

import wave

import pytest

from PySide6.QtCore import QPoint, Qt

from ctpn_desktop.core.timeline import DEFAULT_OVERDUE_AFTER_S, InjectState

from ctpn_desktop.ui import preferences
from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.conduct.sound import DueChime, chime_path, chime_wav
from ctpn_desktop.ui.conduct.timeline_view import TimelineMark, TimelineView

from tests.ui.conduct.helpers import new_run, open_conduct, press

CTRL = Qt.KeyboardModifier.ControlModifier


def _marks(count: int, lanes: int, span_s: float) -> list[TimelineMark]:
    return [TimelineMark(f"i{n}", n % lanes, f"#{n}", n * span_s / count, n * span_s / count, None, None, False,
                         f"Inject {n}") for n in range(count)]


def test_marks_are_found_under_the_mouse_and_clicks_select(qtbot) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    view.set_marks(["Lane A", "Lane B"], _marks(40, 2, 8 * 3600), 8 * 3600)
    view.set_zoom(0.05)
    position = view.mark_position("i7")
    assert position is not None
    assert view.mark_at(position).inject_id == "i7"
    assert view.mark_at(position + QPoint(0, 200)) is None
    with qtbot.waitSignal(view.inject_clicked) as clicked:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert clicked.args == ["i7"] and view.selected_id == "i7"


def test_zoom_keeps_the_time_under_the_pointer(qtbot) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    view.set_marks(["Only"], _marks(10, 1, 7200), 7200)
    view.set_zoom(0.1)
    before = view._t(500)
    view.zoom_by(2.0, 500)
    assert view.px_per_s == pytest.approx(0.2)
    assert view._t(500) == pytest.approx(before, abs=1 / view.px_per_s)
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.horizontalScrollBar().value() == 0
    assert view._x(0) >= view._gutter and view._x(7200) <= view.viewport().width()


def test_a_mark_turns_due_then_overdue_with_the_clock() -> None:
    mark = TimelineMark("x", 0, "#1", 600, 600, None, None, False, "")
    assert mark.state_at(599, DEFAULT_OVERDUE_AFTER_S) is InjectState.PENDING
    assert mark.state_at(600, DEFAULT_OVERDUE_AFTER_S) is InjectState.DUE
    assert mark.state_at(600 + DEFAULT_OVERDUE_AFTER_S + 1, DEFAULT_OVERDUE_AFTER_S) is InjectState.OVERDUE
    released = TimelineMark("y", 0, "#2", 600, 600, 650, InjectState.RELEASED, False, "")
    assert released.state_at(10_000, DEFAULT_OVERDUE_AFTER_S) is InjectState.RELEASED


def test_the_conduct_timeline_has_lanes_by_phase_or_organisation_and_selects_in_the_queue(
        qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Timeline")
    page.run_tabs.setCurrentIndex(page.timeline_tab)
    view = page.timeline_view
    phases = sorted(page.scenario.phases, key=lambda p: p.start_offset_s)
    assert view.lane_names[:len(phases)] == [p.name for p in phases]
    assert view.mark_count() == len(page.scenario.injects)
    page.lanes_combo.setCurrentIndex(1)
    assert page.scenario.organisations[0].display_name in view.lane_names
    assert view.mark_count() >= len(page.scenario.injects)
    page.lanes_combo.setCurrentIndex(0)

    press(qtbot, page, Qt.Key.Key_F5)
    target = sorted(page.scenario.injects, key=lambda i: i.planned_offset_s)[3]
    position = view.mark_position(target.id)
    assert target.title in view.mark_at(position).tooltip
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert page.selected_inject_id() == target.id

    time_source.advance(500)
    page.tick()
    assert view.now_s == pytest.approx(500)
    press(qtbot, page, Qt.Key.Key_R, CTRL)  # the selected inject, released early
    assert any(m.released_s == pytest.approx(500) for lane in view._lanes for m in lane.marks
               if m.inject_id == target.id)


def test_the_shipped_chime_is_the_one_the_code_makes() -> None:
    assert chime_path().read_bytes() == chime_wav()
    with wave.open(str(chime_path()), "rb") as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        assert 0.2 < sound.getnframes() / sound.getframerate() < 1.0


@pytest.mark.qt_log_ignore(".*")  # Qt Multimedia complains about missing audio libraries on a headless machine
def test_the_chime_never_fails_without_a_sound_device(qtbot, tmp_path) -> None:
    chime = DueChime(path=tmp_path / "missing.wav")
    assert chime.play() is False and "missing" in chime.unavailable_reason
    shipped = DueChime()
    played = shipped.play()
    assert played or shipped.unavailable_reason


@pytest.mark.qt_log_ignore(".*")
def test_the_sound_preference_is_kept(qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    assert not page.actions[RunAction.SOUND].isChecked()
    page.actions[RunAction.SOUND].setChecked(True)
    assert preferences.read_bool(window.settings, preferences.SOUND_ON)
    new_run(qtbot, page, "Sound")
    press(qtbot, page, Qt.Key.Key_F5)
    first = min(page.scenario.injects, key=lambda i: i.planned_offset_s)
    time_source.advance(first.planned_offset_s)
    cues = page.cues
    page.tick()
    assert page.cues == cues + 1  # the cue is given whether or not the laptop can play sound

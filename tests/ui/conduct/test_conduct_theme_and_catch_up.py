"""The conduct page follows the theme in its tab icons, and lets the facilitator skip, in one confirmed step, the
injects of earlier phases left unreleased when play moved on to a later phase."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from ctpn_desktop.core.entities import EventType, InjectEventKind
from ctpn_desktop.core.timeline import InjectState

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace

from tests.ui.conduct.helpers import dialog, new_run, open_conduct, press

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _tab_images(page: ConductWorkspace) -> list[QImage]:
    return [page.run_tabs.tabIcon(i).pixmap(16, 16).toImage() for i in range(page.run_tabs.count())]


def _mean_lightness(image: QImage) -> float:
    """How light the drawn strokes of an icon are (transparent pixels ignored)."""
    values = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    strokes = [c.lightness() for c in values if c.alpha() > 128]
    assert strokes, "the icon draws nothing"
    return sum(strokes) / len(strokes)


def test_run_tab_icons_are_drawn_again_for_the_dark_room(qtbot, window, document_path) -> None:
    page = open_conduct(qtbot, window, document_path)
    assert page.run_tabs.count() == 4
    light = _tab_images(page)
    window.actions[ActionId.DARK_ROOM].setChecked(True)
    dark = _tab_images(page)
    for index, (before, after) in enumerate(zip(light, dark, strict=True)):
        name = page.run_tabs.tabText(index)
        assert before != after, f"the {name} tab icon was not redrawn"
        assert _mean_lightness(after) > _mean_lightness(before) + 60, f"the {name} tab icon stays dark"


def test_after_next_phase_the_injects_left_in_earlier_phases_are_skipped_in_one_confirmed_step(
        qtbot, window, document_path, time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Day one")
    run_id = page.run.id
    runs = window.context.runs
    press(qtbot, page, Qt.Key.Key_F5)
    phases = sorted(page.scenario.phases, key=lambda p: (p.start_offset_s, p.position))
    first_phase = sorted((i for i in page.scenario.injects if i.phase_id == phases[0].id),
                         key=lambda i: (i.planned_offset_s, i.number))
    time_source.advance(first_phase[0].planned_offset_s + 5)
    page.tick()
    press(qtbot, page, Qt.Key.Key_R, CTRL)  # the first inject of the first phase goes out
    released = first_phase[0]
    press(qtbot, page, Qt.Key.Key_P, CTRL_SHIFT)  # next phase
    assert runs.clock(run_id).elapsed() == pytest.approx(phases[1].start_offset_s)
    left = {i.id for i in first_phase[1:] if i.event_type is not EventType.CONTINGENCY}
    assert len(left) >= 2
    overdue = {row.inject.id for row in page.timeline.overdue(runs.clock(run_id).elapsed())}
    assert left <= overdue

    action = page.actions[RunAction.SKIP_EARLIER_PHASES]
    assert action.isEnabled() and action in window.workspace_menus[page].actions()
    action.trigger()
    box = dialog(page)
    assert isinstance(box, QMessageBox) and f"Skip {len(left)} injects" in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not [e for e in runs.events(run_id) if e.kind is InjectEventKind.SKIPPED]

    action.trigger()
    box = dialog(page)
    confirm = next(b for b in box.buttons() if b.text() == f"Skip {len(left)} Injects")
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)

    skips = [e for e in runs.events(run_id) if e.kind is InjectEventKind.SKIPPED]
    assert {e.inject_id for e in skips} == left
    assert len(skips) == len(left)
    assert all(e.note == "skipped at phase change" for e in skips)
    assert released.id not in {e.inject_id for e in skips}
    elapsed = runs.clock(run_id).elapsed()
    assert not {row.inject.id for row in page.timeline.overdue(elapsed)} & left
    for inject_id in left:
        assert page.queue_model.state(page.queue_model.row_of(inject_id)) is InjectState.SKIPPED
    assert "Skipped" in page.feedback_label.text()

    action.trigger()  # nothing left behind now: nothing to confirm, nothing recorded
    assert page.active_dialog is None or not page.active_dialog.isVisible()
    assert len([e for e in runs.events(run_id) if e.kind is InjectEventKind.SKIPPED]) == len(left)

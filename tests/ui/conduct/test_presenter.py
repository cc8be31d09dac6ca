"""The presenter display shows players only what was released, always marked as exercise material."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QLabel

from ctpn_desktop.core.entities import AttachmentInfo
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop.ui import preferences
from ctpn_desktop.ui.banner import EXERCISE_TEXT
from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.conduct.presenter import STAND_BY, PresenterWindow, SlideKind, halt_slide, screen_names

from tests.ui.conduct.helpers import new_run, open_conduct, press

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
NOTES = "CONTROLLER ONLY: the van driver is the decoy"
EXPECTED = "EXPECTED: Police declare Operation Plato within ten minutes"
PHASE_SECRET = "controller-only"


def _png() -> bytes:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#2e7d32"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


@pytest.fixture
def secret_document(document_path):
    """The first inject carries controller notes, expected actions and a picture."""
    document = open_document(document_path)
    try:
        service = ScenarioService(document)
        first = min(service.load().injects, key=lambda i: i.planned_offset_s)
        data = _png()
        picture = AttachmentInfo(id="4f0c1e52-8a55-4d0f-a9a8-6c3f0c5e2b11", filename="cordon.png",
                                 media_type="image/png", size=len(data), sha256=hashlib.sha256(data).hexdigest())
        service.put_inject(replace(first, controller_notes=NOTES, expected_actions=EXPECTED,
                                   attachments=(picture,)), {picture.id: data})
    finally:
        document.close()
    return document_path


def _all_text(presenter: PresenterWindow) -> str:
    return "\n".join(label.text() for label in presenter.findChildren(QLabel))


def test_a_released_inject_shows_title_content_and_picture_never_notes_or_expected_actions(
        qtbot, window, secret_document, time_source) -> None:
    page = open_conduct(qtbot, window, secret_document)
    new_run(qtbot, page, "Presented")
    press(qtbot, page, Qt.Key.Key_F, CTRL_SHIFT)
    presenter = page.presenter
    assert presenter is not None and presenter.isVisible() and presenter.isFullScreen()
    qtbot.addWidget(presenter)
    press(qtbot, page, Qt.Key.Key_F5)
    first = min(page.scenario.injects, key=lambda i: i.planned_offset_s)
    time_source.advance(first.planned_offset_s)
    page.tick()
    press(qtbot, page, Qt.Key.Key_R, CTRL)

    assert presenter.slide.kind is SlideKind.INJECT
    shown = presenter.visible_text()
    assert first.title in shown and first.content[:40] in shown
    assert f"Inject {first.number}" in shown
    assert len(presenter.image_labels) == 1 and not presenter.image_labels[0].pixmap().isNull()
    everything = _all_text(presenter)
    for secret in (NOTES, EXPECTED, "CONTROLLER ONLY", "EXPECTED:"):
        assert secret not in everything
    # The facilitator's own screen does show them, so the test would catch a mix-up of the two.
    page.select_inject(first.id)
    assert NOTES in page.details.toPlainText() and EXPECTED in page.details.toPlainText()
    press(qtbot, page, Qt.Key.Key_I, CTRL_SHIFT)  # shown again on the presenter: still no notes
    assert NOTES not in _all_text(presenter)


def test_a_pending_inject_cannot_be_put_on_the_presenter(qtbot, window, secret_document, time_source) -> None:
    page = open_conduct(qtbot, window, secret_document)
    new_run(qtbot, page, "Not yet")
    press(qtbot, page, Qt.Key.Key_F5)
    later = max(page.scenario.injects, key=lambda i: i.planned_offset_s)
    page.select_inject(later.id)
    press(qtbot, page, Qt.Key.Key_I, CTRL_SHIFT)
    assert page.presenter_slide.kind is not SlideKind.INJECT
    assert "Only released injects" in page.feedback_label.text()


@pytest.mark.parametrize("dark", [False, True])
def test_every_state_carries_the_exercise_and_protective_markings(qtbot, window, document_path, time_source,
                                                                  dark) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Markings")
    presenter = page.ensure_presenter()
    qtbot.addWidget(presenter)
    presenter.set_dark(dark)
    presenter.show()
    marking = page.scenario.exercise.marking.upper()
    press(qtbot, page, Qt.Key.Key_F5)  # shows the first phase
    seen = [presenter.slide.kind]
    assert presenter.slide.kind is SlideKind.PHASE
    time_source.advance(400)
    press(qtbot, page, Qt.Key.Key_R, CTRL)
    seen.append(presenter.slide.kind)
    press(qtbot, page, Qt.Key.Key_B, CTRL)
    seen.append(presenter.slide.kind)
    press(qtbot, page, Qt.Key.Key_H, CTRL_SHIFT)
    seen.append(presenter.slide.kind)
    assert seen == [SlideKind.PHASE, SlideKind.INJECT, SlideKind.STAND_BY, SlideKind.HALT]
    for kind in seen:
        slide = {SlideKind.STAND_BY: STAND_BY, SlideKind.HALT: halt_slide()}.get(kind, presenter.slide)
        presenter.show_slide(slide)
        text = presenter.visible_text()
        assert text.count(EXERCISE_TEXT) >= 4, kind
        assert text.count(marking) >= 2, kind


def test_a_phase_change_shows_narrative_and_questions_without_controller_text(qtbot, window, document_path,
                                                                              time_source) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Phases")
    presenter = page.ensure_presenter()
    qtbot.addWidget(presenter)
    press(qtbot, page, Qt.Key.Key_F5)
    press(qtbot, page, Qt.Key.Key_P, CTRL_SHIFT)
    phase = sorted(page.scenario.phases, key=lambda p: p.start_offset_s)[1]
    shown = presenter.visible_text()
    assert phase.name in shown and phase.narrative[:40] in shown
    for question in phase.discussion_questions:
        assert question[:30] in presenter.questions_label.text()
    for inject in page.scenario.injects:
        if inject.controller_notes:
            assert inject.controller_notes not in _all_text(presenter)


def test_the_screen_choice_is_remembered(qtbot, window, document_path, settings_path) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Screens")
    menu = page.screen_menu
    menu.aboutToShow.emit()
    names = screen_names(QGuiApplication.screens())
    assert [a.text() for a in menu.actions()] == names
    menu.actions()[-1].trigger()
    assert window.settings.value(preferences.PRESENTER_SCREEN) == names[-1]
    page.actions[RunAction.PRESENTER].setChecked(True)
    assert page.presenter.screen() is QGuiApplication.screens()[-1]
    page.presenter.close()
    assert not page.actions[RunAction.PRESENTER].isChecked()

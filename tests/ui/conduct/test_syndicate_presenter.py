"""With syndicates, the presenter shows every syndicate the phase's questions, and a plenary read-back screen."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from ctpn_desktop.ui.conduct.presenter import SlideKind

from tests.ui.conduct.helpers import new_run, open_conduct, press

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_the_questions_go_to_every_syndicate_and_the_plenary_reads_back(qtbot, window, document_path,
                                                                        tmp_path: Path) -> None:
    page = open_conduct(qtbot, window, document_path)
    new_run(qtbot, page, "Syndicates")
    presenter = page.ensure_presenter()
    qtbot.addWidget(presenter)
    press(qtbot, page, Qt.Key.Key_F5)
    press(qtbot, page, Qt.Key.Key_Y, CTRL_SHIFT)
    assert "no syndicates" in page.feedback_label.text() and presenter.slide.kind is SlideKind.PHASE
    service = window.context.syndicates
    for name in ("Syndicate A", "Syndicate B", "Syndicate C"):
        service.add(page.run.id, name)
    press(qtbot, page, Qt.Key.Key_P, CTRL_SHIFT)
    phase = sorted(page.scenario.phases, key=lambda p: p.start_offset_s)[1]
    shown = presenter.visible_text()
    assert "discuss in your syndicates: Syndicate A, Syndicate B, Syndicate C" in shown
    assert all(question[:30] in presenter.questions_label.text() for question in phase.discussion_questions)
    press(qtbot, page, Qt.Key.Key_Y, CTRL_SHIFT)
    assert presenter.slide.kind is SlideKind.PLENARY
    shown = presenter.visible_text()
    assert f"Plenary read-back: {phase.name}" in shown
    assert "Syndicate A, then Syndicate B, then Syndicate C" in shown
    assert shown.count(window.context.scenario.load().exercise.marking) >= 2
    assert "plenary read-back" in page.presenter_state.text()
    assert "Decision log ▸ Syndicates" in page.feedback_label.text()
    for inject in page.scenario.injects:
        assert inject.controller_notes not in shown and inject.expected_actions not in shown
    presenter.resize(1280, 720)
    grabs = Path(os.environ.get("CTPN_GRAB_DIR", tmp_path))
    assert presenter.grab().save(str(grabs / "presenter-plenary.png"))

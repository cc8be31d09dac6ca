"""Replay bookmarks as the evidence of observations, through the real widgets: offered by the evidence picker as
soon as they are made (in a replay window here, or on another station), named by their citation wherever an
observation shows its evidence, and cited straight from the replay window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ctpn_desktop.core.entities import Evidence, EvidenceKind, LogKind
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft
from ctpn_desktop.core.services.replay import Bookmark, ReplayService

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.conduct.replay import ReplayWindow, open_replay
from ctpn_desktop.ui.log.evidence import GONE
from ctpn_desktop.ui.main_window import CONDUCT
from ctpn_desktop.ui.workspaces.decision_log import OBSERVATIONS_TAB

from tests.ui.log.conftest import LiveRun


def _offered(live: LiveRun) -> list[str]:
    return live.page.observations.evidence.completer.model().stringList()


def _replay(qtbot, live: LiveRun, run_id: str | None = None) -> ReplayWindow:
    context = live.window.context
    replay = open_replay(context, context.runs.run(run_id or live.run_id), live.window.conduct_page)
    assert replay is not None
    qtbot.waitExposed(replay)
    replay.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is replay)
    return replay


def _bookmark_by_keyboard(qtbot, replay: ReplayWindow, at_s: int, label: str) -> Bookmark:
    replay.scrubber.setValue(at_s)
    qtbot.keyClick(replay, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = replay.bookmark_dialog
    assert dialog is not None and dialog.isVisible()
    line = dialog.findChild(type(replay.goto_edit))
    qtbot.keyClicks(line, label)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    [mark] = [b for b in replay.bookmarks if b.label == label]
    return mark


def _write_observation(qtbot, live: LiveRun, text: str) -> None:
    pane = live.page.observations
    pane.evaluator.setFocus()
    pane.evaluator.selectAll()
    qtbot.keyClicks(pane.evaluator, "R. Okafor")
    pane.text.setFocus()
    qtbot.keyClicks(pane.text, text)


def test_a_bookmark_made_in_the_replay_is_offered_without_reopening_and_cited(qtbot, live: LiveRun) -> None:
    page, evaluation = live.page, live.window.context.evaluation
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    pane = page.observations
    assert not any(label.startswith("Replay ") for label in _offered(live))
    assert "replay bookmark" in pane.evidence.search.placeholderText()

    replay = _replay(qtbot, live)
    mark = _bookmark_by_keyboard(qtbot, replay, 300, "Cordon decided at Castle Street")
    assert mark.citation == "Replay 0:05:00 (Main run) — Cordon decided at Castle Street"
    qtbot.waitUntil(lambda: mark.citation in _offered(live))  # the change notification brought it
    replay.close()

    live.window.activateWindow()
    _write_observation(qtbot, live, "Cordon decided within five minutes")
    pane.evidence.search.setFocus()
    qtbot.keyClicks(pane.evidence.search, "replay 0:05 cordon")
    qtbot.keyClick(pane.evidence.search, Qt.Key.Key_Return)
    assert [pane.evidence.chosen.item(r).text() for r in range(pane.evidence.chosen.count())] == [mark.citation]
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)

    [observation] = evaluation.observations(live.run_id)
    assert observation.evidence == (Evidence(EvidenceKind.BOOKMARK, mark.id),)
    shown = pane.view.toPlainText()
    assert f"Evidence: {mark.citation}" in shown and GONE not in shown
    assert evaluation.citations(live.run_id, EvidenceKind.BOOKMARK, mark.id) == [observation]

    # editing it shows the bookmark under its citation, in the form and in the history
    pane.choose.setFocus()
    qtbot.keyClick(pane.choose, Qt.Key.Key_Down)
    assert pane.editing == observation.id
    assert pane.evidence.chosen.item(0).text() == mark.citation
    assert mark.citation in pane.history.toPlainText()


def test_bookmarks_and_observations_from_another_station_are_named_by_their_citation(qtbot, live: LiveRun) -> None:
    page = live.page
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    pane = page.observations
    context = live.window.context
    other = ReplayService(context.document, live.source, device_id="evaluator-laptop", author="J. Byrne")
    mark = other.add_bookmark(live.run_id, at_wall=live.source.wall(), exercise_s=540, label="Second inject out")
    EvaluationService(context.document, live.source, "evaluator-laptop").add_observation(
        live.run_id, objective_id=live.objective("O1"), evaluator="J. Byrne", rating="S",
        text="Inject 2 discussed at length", evidence=[Evidence(EvidenceKind.BOOKMARK, mark.id)])
    qtbot.waitUntil(lambda: "Inject 2 discussed at length" in pane.view.toPlainText())
    shown = pane.view.toPlainText()
    assert "Evidence: Replay 0:09:00 (Main run) — Second inject out" in shown and GONE not in shown
    assert mark.citation in _offered(live)


def test_a_cited_entry_withdrawn_later_is_still_named_but_no_longer_offered(qtbot, live: LiveRun) -> None:
    context = live.window.context
    entry = context.log.append(live.run_id, LogDraft(LogKind.DECISION, "RVP at the multi-storey",
                                                     organisation="Police"), exercise_s=420)
    page = live.page
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    pane = page.observations
    qtbot.waitUntil(lambda: any("RVP at the multi-storey" in label for label in _offered(live)))
    _write_observation(qtbot, live, "RVP chosen quickly")
    pane.evidence.search.setFocus()
    qtbot.keyClicks(pane.evidence.search, "multi-storey")
    qtbot.keyClick(pane.evidence.search, Qt.Key.Key_Return)
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    assert len(context.evaluation.observations(live.run_id)) == 1

    context.log.withdraw(entry.entry_id, "logged in the wrong run")
    qtbot.waitUntil(lambda: "(withdrawn)" in pane.view.toPlainText())
    assert "Entry 1 (withdrawn) · Police · RVP at the multi-storey" in pane.view.toPlainText()
    assert GONE not in pane.view.toPlainText()
    assert not any("RVP at the multi-storey" in label for label in _offered(live))


def test_cite_in_a_new_observation_from_the_replay_window(qtbot, live: LiveRun) -> None:
    """A replay of the first run, opened while a second run is live: the log page turns to the replayed run and
    starts a new observation citing the bookmark, with the cursor in its text (what was typed there stays)."""
    context = live.window.context
    context.runs.end(live.run_id)
    second = context.runs.create_run("Afternoon run")
    context.runs.start(second.id)
    page = live.page
    qtbot.waitUntil(lambda: page.run_id == second.id)
    page.show_tab(OBSERVATIONS_TAB)
    pane = page.observations
    _write_observation(qtbot, live, "Half-typed note on the afternoon")

    replay = _replay(qtbot, live, live.run_id)
    assert not replay.cite_button.isEnabled()  # nothing to cite yet
    mark = _bookmark_by_keyboard(qtbot, replay, 240, "First inject out")
    replay.bookmark_list.setFocus()
    replay.bookmark_list.setCurrentRow(0)
    assert replay.cite_button.isEnabled()
    live.window.show_page(CONDUCT)  # where the replay is opened from
    qtbot.mouseClick(replay.cite_button, Qt.MouseButton.LeftButton)
    assert "Citing" in replay.feedback.text()

    qtbot.waitUntil(lambda: QApplication.activeWindow() is live.window)
    assert live.window.current_page is page
    assert page.run_id == live.run_id and page.follow_notice.isVisible()  # the run chosen stays, and says so
    assert page.tabs.currentIndex() == OBSERVATIONS_TAB and pane.editing is None
    assert [pane.evidence.chosen.item(r).text() for r in range(pane.evidence.chosen.count())] == [mark.citation]
    assert pane.text.hasFocus() and pane.text.toPlainText() == "Half-typed note on the afternoon"  # nothing lost
    assert mark.label in pane.status.text()
    pane.text.selectAll()
    qtbot.keyClicks(pane.text, "Inject 1 read out on time")
    pane.evaluator.setFocus()
    qtbot.keyClicks(pane.evaluator, "R. Okafor")
    qtbot.keyClick(pane.evaluator, Qt.Key.Key_Return)
    [observation] = context.evaluation.observations(live.run_id)
    assert observation.text == "Inject 1 read out on time"
    assert observation.evidence == (Evidence(EvidenceKind.BOOKMARK, mark.id),)
    assert context.evaluation.observations(second.id) == []
    replay.close()


def test_citing_while_editing_an_observation_starts_a_new_one(qtbot, live: LiveRun) -> None:
    context = live.window.context
    existing = context.evaluation.add_observation(live.run_id, objective_id=None, evaluator="R. Okafor", rating=None,
                                                  text="Already recorded")
    page = live.page
    page.action(ActionId.LOG_OBSERVATIONS).trigger()
    pane = page.observations
    qtbot.waitUntil(lambda: pane.choose.count() == 2)
    pane.choose.setFocus()
    qtbot.keyClick(pane.choose, Qt.Key.Key_Down)
    assert pane.editing == existing.id

    replay = _replay(qtbot, live)
    mark = _bookmark_by_keyboard(qtbot, replay, 60, "Clock started")
    qtbot.keyClick(replay, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # the button's mnemonic
    qtbot.waitUntil(lambda: pane.editing is None)  # a mnemonic clicks the button after a short animation
    assert pane.editing is None and pane.choose.currentIndex() == 0 and pane.text.toPlainText() == ""
    assert [pane.evidence.chosen.item(r).text() for r in range(pane.evidence.chosen.count())] == [mark.citation]
    assert context.evaluation.observation(existing.id).evidence == ()
    replay.close()


def test_a_note_taker_bookmarks_but_is_not_offered_to_cite(qtbot, live: LiveRun) -> None:
    context = live.window.context
    context.document.station = Station("test-device", "Police table", StationRole.NOTE_TAKER)
    replay = _replay(qtbot, live)
    _bookmark_by_keyboard(qtbot, replay, 60, "Clock started")
    assert replay.bookmark_list.count() == 1 and replay.copy_citation_button.isEnabled()
    assert not replay.cite_button.isEnabled()
    replay.close()

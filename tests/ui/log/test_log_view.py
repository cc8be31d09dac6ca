"""The log view: filters and full-text search, order, detail, corrections and withdrawals without erasure."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ctpn_desktop.core.entities import ActionItem, LogKind
from ctpn_desktop.core.services.log import LogDraft

from ctpn_desktop.ui.main_window import DECISION_LOG
from ctpn_desktop.ui.models import log as columns
from ctpn_desktop.ui.models.log import LogTableModel

from tests.ui.log.conftest import LiveRun


def _fill(live: LiveRun) -> dict[str, str]:
    """Five entries by several organisations at different exercise times."""
    log, run, source = live.window.context.log, live.run_id, live.source
    drafts = [
        (700, LogDraft(kind=LogKind.DECISION, text="Set an inner cordon at Civic Square", organisation="Police",
                       rationale="Protect the finish area", objective_ids=(live.objective("O1"),),
                       inject_id=live.inject(1), decision_maker="Silver")),
        (900, LogDraft(kind=LogKind.ACTION, text="Hazardous area team deployed", organisation="Ambulance",
                       actions=(ActionItem("Open forward control", "HART lead"),),
                       objective_ids=(live.objective("O2"),), inject_id=live.inject(2))),
        (1300, LogDraft(kind=LogKind.INFORMATION, text="Drone battery estimated at 20 minutes", organisation="CTP",
                        objective_ids=(live.objective("O1"), live.objective("O2")))),
        (2000, LogDraft(kind=LogKind.ISSUE, text="Radio channel congested", organisation="police")),
        (2600, LogDraft(kind=LogKind.DECISION, text="Reopen the cordon north side", organisation="Police",
                        inject_id=live.inject(2))),
    ]
    ids = {}
    for exercise_s, draft in drafts:
        source.advance(30)
        ids[draft.text.split()[0]] = log.append(run, draft, exercise_s=exercise_s).entry_id
    live.page.refresh()
    live.window.show_page(DECISION_LOG)
    return ids


def _texts(live: LiveRun) -> list[str]:
    model = live.page.model
    return [model.index(row, columns.TEXT).data() for row in range(model.rowCount())]


def test_search_and_filters_narrow_the_log(qtbot, live: LiveRun) -> None:
    _fill(live)
    page = live.page
    filters = page.filters
    assert page.count_label.text() == "5 entries"

    qtbot.keyClicks(filters.search, "cord")  # a word start: cordon
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert _texts(live) == ["Set an inner cordon at Civic Square", "Reopen the cordon north side"]
    assert page.count_label.text() == "2 entries match"
    qtbot.keyClicks(filters.search, "on north")
    qtbot.keyClick(filters.search, Qt.Key.Key_Return)
    assert _texts(live) == ["Reopen the cordon north side"]
    filters.search.clear()
    qtbot.keyClicks(filters.search, "HART")  # actions and owners are searched too
    qtbot.keyClick(filters.search, Qt.Key.Key_Return)
    assert _texts(live) == ["Hazardous area team deployed"]
    filters.search.clear()
    qtbot.keyClicks(filters.search, '"NEAR( AND *')  # search syntax typed by people is only text
    qtbot.keyClick(filters.search, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0 and page.entries_stack.currentWidget() is page.entries_empty
    assert page.entries_empty.title_label.text() == "No entries match"
    filters.search.clear()
    qtbot.keyClick(filters.search, Qt.Key.Key_Return)

    filters.kind.setCurrentIndex(filters.kind.findText("Decision"))
    assert _texts(live) == ["Set an inner cordon at Civic Square", "Reopen the cordon north side"]
    filters.kind.setCurrentIndex(0)
    filters.organisation.setCurrentIndex(filters.organisation.findText("Police"))
    assert len(_texts(live)) == 3  # organisation matches without regard to case
    filters.organisation.setCurrentIndex(0)
    filters.objective.setCurrentIndex(filters.objective.findData(live.objective("O2")))
    assert _texts(live) == ["Hazardous area team deployed", "Drone battery estimated at 20 minutes"]
    filters.objective.setCurrentIndex(0)
    filters.inject.setCurrentIndex(filters.inject.findData(live.inject(2)))
    assert _texts(live) == ["Hazardous area team deployed", "Reopen the cordon north side"]
    filters.inject.setCurrentIndex(0)

    qtbot.keyClicks(filters.since, "0:16")
    qtbot.keyClicks(filters.until, "0:40")
    qtbot.keyClick(filters.until, Qt.Key.Key_Return)
    assert _texts(live) == ["Drone battery estimated at 20 minutes", "Radio channel congested"]
    filters.until.clear()
    qtbot.keyClicks(filters.until, "soon")
    qtbot.keyClick(filters.until, Qt.Key.Key_Return)
    assert page.filter_problem.isVisible() and "not an exercise time" in page.filter_problem.text()

    filters.clear_button.click()
    assert page.model.rowCount() == 5 and not page.filter_problem.isVisible()


def test_newest_first_and_sorting_by_column(qtbot, live: LiveRun) -> None:
    _fill(live)
    page = live.page
    page.filters.order.setCurrentIndex(1)
    assert _texts(live)[0] == "Reopen the cordon north side"
    qtbot.keyClicks(page.quick_entry.form.text, "Newest of all")
    qtbot.keyClick(page.quick_entry.form.text, Qt.Key.Key_Return)
    assert _texts(live)[0] == "Newest of all"  # a new row goes where the order puts it
    page.filters.order.setCurrentIndex(0)
    assert _texts(live)[-1] == "Newest of all"
    page.table.sortByColumn(columns.ORGANISATION, Qt.SortOrder.AscendingOrder)
    organisations = [page.model.index(r, columns.ORGANISATION).data() for r in range(page.model.rowCount())]
    assert organisations == sorted(organisations, key=str.casefold)


def test_a_correction_keeps_the_original_struck_through_with_its_reason(qtbot, live: LiveRun) -> None:
    ids = _fill(live)
    page = live.page
    page.select_entry(ids["Set"])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    dialog = page.revision_dialog
    assert dialog is not None and dialog.form.text.toPlainText() == "Set an inner cordon at Civic Square"
    qtbot.waitUntil(dialog.form.text.hasFocus)
    dialog.form.text.selectAll()
    qtbot.keyClicks(dialog.form.text, "Set an inner cordon at Civic Square and Bridge Street")
    qtbot.keyClick(dialog.form.text, Qt.Key.Key_Return)  # no reason yet: refused, nothing lost
    assert dialog.isVisible() and "reason" in dialog.problem.text()
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "Bridge Street was part of the decision")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.revision_dialog is None)

    row = page.model.row_of(ids["Set"])
    assert row is not None
    assert page.model.index(row, columns.TEXT).data() == "Set an inner cordon at Civic Square and Bridge Street"
    assert page.model.index(row, columns.REVISION).data() == "2 (corrected)"
    entry = live.window.context.log.entry(ids["Set"])
    assert [r.text for r in entry.history] == ["Set an inner cordon at Civic Square"]
    assert entry.current.revision_reason == "Bridge Street was part of the decision"
    assert entry.current.rationale == "Protect the finish area"  # fields not touched are kept
    html = page.detail.browser.toHtml()
    assert "line-through" in html and "Bridge Street was part of the decision" in page.detail.browser.toPlainText()
    assert "Set an inner cordon at Civic Square" in page.detail.browser.toPlainText()
    assert live.stored().count("Set an inner cordon at Civic Square") == 1  # the original is still on disk


def test_withdrawing_strikes_the_entry_through_and_never_deletes_it(qtbot, live: LiveRun) -> None:
    ids = _fill(live)
    page = live.page
    page.select_entry(ids["Radio"])
    page.action(page_action("LOG_WITHDRAW")).trigger()
    dialog = page.revision_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.reason, "Logged against the wrong run")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.revision_dialog is None)
    row = page.model.row_of(ids["Radio"])
    assert row is not None
    assert page.model.index(row, columns.TEXT).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert page.model.index(row, columns.REVISION).data() == "2 (withdrawn)"
    assert "Withdrawn" in page.detail.browser.toPlainText()
    assert not page.detail.correct_button.isEnabled() and not page.detail.withdraw_button.isEnabled()
    assert live.stored().count("Radio channel congested") == 2  # both revisions kept
    assert page.model.rowCount() == 5


def test_the_log_model_passes_the_model_tester_and_sorts(qtmodeltester, live: LiveRun) -> None:
    _fill(live)
    summaries = live.window.context.log.summaries(live.run_id)
    model = LogTableModel(summaries)
    qtmodeltester.check(model)
    model.sort(columns.EXERCISE_TIME, Qt.SortOrder.DescendingOrder)
    assert model.index(0, columns.EXERCISE_TIME).data() == "0:43:20"
    qtmodeltester.check(model)


def page_action(name: str):  # type: ignore[no-untyped-def]
    from ctpn_desktop.ui.actions import ActionId

    return ActionId[name]

"""The problems panel after each check: the same problems keep the designer's place, new ones are listed."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from ctpn_desktop.core.services.validation import InjectField, Problem, ProblemKind

from ctpn_desktop.ui.editor.msel_page import ProblemsPanel


def _clash(n: int, inject_id: str) -> Problem:
    return Problem(ProblemKind.RECIPIENT_CLASH,
                   f"Inject {n} reaches Police in the same minute (0:05) as inject {n + 1}",
                   inject_id=inject_id, field=InjectField.PLANNED, sort_key=(0, n))


def test_the_same_problems_again_keep_the_place_and_activate_the_new_ones(qtbot) -> None:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    panel.show()
    first = tuple(_clash(n, f"i{n}") for n in range(300))
    panel.set_problems(first, injects=301)
    assert panel.list.count() == 300
    panel.list.setCurrentRow(120)
    # Checked again after an edit that changed none of them (the injects are new snapshots, so new values).
    again = tuple(replace(p, inject_id=f"new-{p.inject_id}") for p in first)
    panel.set_problems(again, injects=301)
    assert panel.list.count() == 300 and panel.list.currentRow() == 120
    with qtbot.waitSignal(panel.activated) as told:
        rect = panel.list.visualItemRect(panel.list.currentItem())
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert told.args == [again[panel.list.currentRow()]]

    changed = (*again[:10], replace(again[10], message="Inject 10 has no recipients", kind=ProblemKind.NO_RECIPIENTS))
    panel.set_problems(changed, injects=301)
    assert [panel.list.item(n).text() for n in range(panel.list.count())] == [p.message for p in changed]
    assert panel.list.item(10).toolTip() == "Tick at least one organisation or role under To (recipients)."
    assert "11 problems" in panel.title.text()
    panel.set_problems((), injects=301)
    assert panel.list.count() == 0 and not panel.list.isVisible() and "No problems found" in panel.title.text()


def test_an_empty_msel_is_not_called_free_of_problems(qtbot) -> None:
    panel = ProblemsPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert "Nothing to check yet" in panel.title.text()
    panel.set_problems((), injects=0)
    assert "Nothing to check yet" in panel.title.text() and "No problems" not in panel.title.text()
    panel.set_problems((), injects=1)
    assert "No problems found" in panel.title.text()
    panel.set_problems((), injects=0)
    assert "Nothing to check yet" in panel.title.text()

"""The MSEL's inject form beside the table on a 1280 × 720 screen: every field is inside the pane, at the default
text size and with Larger Text, and the scenario time can be read whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QComboBox, QDateTimeEdit, QLineEdit, QWidget

from ctpn_desktop.core.demo import make_demo_document

from ctpn_desktop.ui.actions import ActionId


@pytest.fixture(scope="module")
def demo_original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_document(tmp_path_factory.mktemp("demo") / "winter-lantern.ctpn")


def _settle() -> None:
    QApplication.processEvents()
    QApplication.processEvents()


@pytest.mark.parametrize("larger_text", [False, True], ids=["default text", "larger text"])
def test_every_field_of_the_inject_form_is_inside_its_pane_at_1280_by_720(make_window, demo_original, tmp_path,
                                                                         larger_text) -> None:
    window = make_window()
    if larger_text:
        window.actions[ActionId.ZOOM_IN].trigger()
        _settle()
    assert window.open_path(Path(shutil.copy(demo_original, tmp_path / demo_original.name)))
    window.show_page(1)
    workspace = window.scenario_page
    workspace.tabs.setCurrentWidget(workspace.msel)
    window.resize(1280, 720)
    _settle()
    form = workspace.msel.form
    assert form.inject is not None and form.isVisible()
    pane = form.viewport()
    assert form.widget().width() <= pane.width(), "the form is wider than its pane"
    fields: list[QWidget] = [w for kind in (QLineEdit, QComboBox, QDateTimeEdit)
                             for w in form.widget().findChildren(kind) if w.isVisibleTo(form)]
    assert form.title in fields and form.scenario_time in fields and form.status in fields
    for field in fields:
        where = QRect(field.mapTo(pane, field.rect().topLeft()), field.size())
        assert where.left() >= 0 and where.right() < pane.width(), \
            f"{field.accessibleName() or type(field).__name__} reaches {where.right()} px in a {pane.width()} px pane"
    shown = form.scenario_time
    assert shown.text()
    inner = shown.contentsRect().width() - shown.textMargins().left() - shown.textMargins().right()
    assert shown.fontMetrics().horizontalAdvance(shown.text()) < inner, "the scenario time is cut short"

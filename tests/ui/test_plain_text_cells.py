"""The MSEL's cells painted from prepared text look exactly as Qt's own delegate paints them: the same pixels in
every theme, selected or not, with the keyboard focus, problems in the Check column, narrow columns that elide,
a disabled table and a window in the background; and after the text grows, laid out anew."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyledItemDelegate

from ctpn_desktop.core.io.scenario_json import read_scenario_file

from ctpn_desktop.ui import theme
from ctpn_desktop.ui.cells import PlainTextCells
from ctpn_desktop.ui.editor.fields import Typing
from ctpn_desktop.ui.editor.msel_page import MselPage
from ctpn_desktop.ui.models import msel

from tests.ui.conftest import LIBRARY_SCENARIO


@pytest.fixture
def page(qtbot) -> Iterator[MselPage]:
    scenario, _blobs = read_scenario_file(LIBRARY_SCENARIO)
    shown = MselPage(Typing(), lambda _i, _c, _t: False)
    qtbot.addWidget(shown)
    shown.resize(1500, 600)
    shown.set_scenario(scenario)
    model = shown.model
    shown.model.set_problems({model.inject_at(1).id: ["No recipient"], model.inject_at(3).id: ["a", "b"]})
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    theme.apply_theme(QApplication.instance(), False)


def _pixels(image: QImage) -> QImage:
    """Colours only: the unused fourth byte of a 32-bit image is not part of what people see."""
    return image.convertToFormat(QImage.Format.Format_RGB888)


def _both(qtbot, page: MselPage) -> tuple[QImage, QImage]:
    """The table as painted by `PlainTextCells` and by Qt's own delegate, each once the layout has settled."""
    view = page.view
    ours = view.itemDelegate()
    assert isinstance(ours, PlainTextCells)
    qtbot.wait(30)  # scroll bars that come or go after a resize, in Qt's delayed layout
    painted = _pixels(view.viewport().grab().toImage())
    view.setItemDelegate(QStyledItemDelegate(view))
    try:
        qtbot.wait(30)
        reference = _pixels(view.viewport().grab().toImage())
    finally:
        view.setItemDelegate(ours)
    return painted, reference


@pytest.mark.parametrize(("dark", "high_contrast"), [(False, False), (True, False), (False, True)])
def test_the_cells_look_exactly_as_qts_own_in_every_theme(qtbot, page: MselPage, dark: bool,
                                                           high_contrast: bool) -> None:
    theme.apply_theme(QApplication.instance(), dark, high_contrast)
    view = page.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.selectRow(2)
    view.setCurrentIndex(page.model.index(2, msel.TITLE))
    ours, reference = _both(qtbot, page)
    assert ours == reference
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())  # the Check column and its problems
    ours, reference = _both(qtbot, page)
    assert ours == reference


def test_narrow_columns_disabled_and_background_windows_look_the_same(qtbot, page: MselPage) -> None:
    view = page.view
    header = view.horizontalHeader()
    for column in (msel.NUMBER, msel.PLANNED, msel.TITLE, msel.VALIDATION):
        header.resizeSection(column, 28)  # elided, right-aligned numbers cut short
    view.selectRow(1)
    ours, reference = _both(qtbot, page)
    assert ours == reference
    view.setEnabled(False)
    ours, reference = _both(qtbot, page)
    assert ours == reference
    view.setEnabled(True)
    other = MselPage(Typing(), lambda _i, _c, _t: False)
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    ours, reference = _both(qtbot, page)
    assert ours == reference


def test_texts_are_laid_out_again_when_the_text_grows(qtbot, page: MselPage) -> None:
    view = page.view
    before = _pixels(view.viewport().grab().toImage())
    font = view.font()
    font.setPointSizeF(font.pointSizeF() + 4)
    view.setFont(font)
    ours, reference = _both(qtbot, page)
    assert ours == reference and ours != before

"""Exercise teams run the day on 1366 × 768 and 1280 × 720 laptops and projectors: with the demo exercise open,
every page and tab lets the window shrink to 1240 × 700, and what does not fit reflows instead of being clipped."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QTabWidget, QToolButton, QWidget

from ctpn_desktop.core.demo import make_demo_document

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.main_window import MainWindow
from ctpn_desktop.ui.reflow import ButtonStrip, ColumnsLayout, FlowLayout

MAX_WIDTH, MAX_HEIGHT = 1240, 700
PAGES = ("Start", "Scenario", "Conduct", "Decision log", "Debrief")


@pytest.fixture(scope="module")
def demo_original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_document(tmp_path_factory.mktemp("demo") / "winter-lantern.ctpn")


@pytest.fixture
def demo_path(demo_original: Path, tmp_path: Path) -> Path:
    """A fresh copy for each test: opening a document may write to it."""
    return Path(shutil.copy(demo_original, tmp_path / demo_original.name))


def _settle() -> None:
    QApplication.processEvents()
    QApplication.processEvents()


def _larger_text(window: MainWindow) -> None:
    """Larger Text once, as Ctrl++ does; every existing widget must take up the larger size."""
    before = window.conduct_page.queue_view.font().pointSizeF()
    window.actions[ActionId.ZOOM_IN].trigger()
    _settle()
    assert window.conduct_page.queue_view.font().pointSizeF() > before


def _every_page(window: MainWindow) -> Iterator[str]:
    """Show each page and each of its tabs in turn (the conduct page with its run selected)."""
    for index, name in enumerate(PAGES):
        window.show_page(index)
        page = window.current_page
        tabs: list[QTabWidget] = []
        if page is window.conduct_page:
            runs = window.conduct_page.runs_tree
            assert runs.topLevelItemCount() > 0
            runs.setCurrentItem(runs.topLevelItem(0))
            tabs = [window.conduct_page.run_tabs]
        elif page is not window.start_page:
            tabs = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(window)][:1]
        if not tabs:
            _settle()
            yield name
            continue
        for tab in range(tabs[0].count()):
            tabs[0].setCurrentIndex(tab)
            _settle()
            yield f"{name} / {tabs[0].tabText(tab)}"


@pytest.mark.parametrize("larger_text", [False, True], ids=["default text", "larger text"])
def test_every_page_lets_the_window_shrink_to_a_small_screen(make_window, demo_path, larger_text) -> None:
    window = make_window()
    if larger_text:
        _larger_text(window)
    assert window.open_path(demo_path)
    seen = []
    for where in _every_page(window):
        hint = window.minimumSizeHint()
        assert hint.width() <= MAX_WIDTH, f"{where}: the window cannot be narrower than {hint.width()} px"
        assert hint.height() <= MAX_HEIGHT, f"{where}: the window cannot be shorter than {hint.height()} px"
        seen.append(where)
    assert len(seen) == 1 + 6 + 4 + 5 + 1


def test_conduct_page_at_1280_by_720_keeps_the_halt_large_and_the_commands_named(make_window, demo_path) -> None:
    window = make_window()
    assert window.open_path(demo_path)
    window.show_page(PAGES.index("Conduct"))
    page = window.conduct_page
    page.runs_tree.setCurrentItem(page.runs_tree.topLevelItem(0))
    window.resize(1280, 720)
    _settle()
    halt = page.clock_panel.halt_button
    assert halt.isVisible()
    assert halt.width() >= 120 and halt.height() >= 56
    assert halt.visibleRegion().boundingRect().size() == halt.size()
    # At 1280 px there is room for every queue command's name.
    assert not page.queue_buttons.compact
    for button in page.queue_buttons.buttons:
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    for button in page.clock_panel.buttons.values():
        assert button.width() >= button.sizeHint().width()

    window.resize(window.minimumSizeHint().width(), 720)
    _settle()
    assert halt.width() >= 120 and halt.height() >= 56
    for button in page.queue_buttons.buttons:
        assert button.width() >= button.sizeHint().width()  # icon-only if need be, never cut off
        assert button.toolTip() and button.accessibleName()


def test_log_filter_bar_wraps_onto_a_second_row_rather_than_widening_the_window(make_window, demo_path) -> None:
    window = make_window()
    assert window.open_path(demo_path)
    window.show_page(PAGES.index("Decision log"))
    filters = window.decision_log_page.filters
    window.resize(1366, 768)
    _settle()
    one_row = filters.height()
    assert one_row < 2 * filters.search.height()
    window.resize(window.minimumSizeHint().width(), 720)
    _settle()
    assert filters.height() > one_row
    clear = filters.clear_button
    assert clear.isVisible()
    assert filters.rect().contains(QRect(clear.mapTo(filters, clear.rect().topLeft()), clear.size()))


def _show(qtbot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    _settle()


def test_flow_layout_wraps_without_overlap_and_shares_spare_room(qtbot) -> None:
    host = QWidget()
    flow = FlowLayout(host, spacing=6, row_spacing=6)
    flow.setContentsMargins(0, 0, 0, 0)
    buttons = [QPushButton(f"Button number {n}", host) for n in range(5)]
    for button in buttons:
        flow.addWidget(button)
    _show(qtbot, host)
    widest = max(b.sizeHint().width() for b in buttons)
    assert flow.minimumSize().width() == max(b.minimumSizeHint().width() for b in buttons)
    assert flow.heightForWidth(flow.sizeHint().width()) == flow.sizeHint().height()
    narrow = widest + 10
    assert flow.heightForWidth(narrow) > 4 * buttons[0].sizeHint().height()
    host.resize(narrow, flow.heightForWidth(narrow))
    _settle()
    rects = [b.geometry() for b in buttons]
    for i, rect in enumerate(rects):
        assert host.rect().contains(rect)
        assert not any(rect.intersects(other) for other in rects[i + 1:])


def test_columns_layout_drops_to_fewer_columns_when_narrow(qtbot) -> None:
    host = QWidget()
    columns = ColumnsLayout(host, min_columns=2, max_columns=3, spacing=6)
    columns.setContentsMargins(0, 0, 0, 0)
    for n in range(7):
        columns.addWidget(QPushButton(f"Command {n}", host))
    _show(qtbot, host)
    three, two = columns.width_for(3), columns.width_for(2)
    assert columns.columns_at(three) == 3
    assert columns.columns_at(three - 1) == 2
    assert columns.columns_at(10) == 2  # never fewer than asked for
    assert columns.minimumSize().width() == two
    assert columns.heightForWidth(two) > columns.heightForWidth(three)


def test_button_strip_shows_icons_only_when_the_names_do_not_fit(qtbot) -> None:
    from ctpn_desktop.ui import icons

    host = QWidget()
    strip = ButtonStrip(host)
    QHBoxLayout(host).addWidget(strip)
    for name in ("Release", "Skip…", "Defer…"):
        button = QToolButton()
        button.setText(name)
        button.setIcon(icons.icon(icons.CLOCK))
        button.setToolTip(f"{name} the inject")
        strip.add(button)
    _show(qtbot, host)
    assert strip.minimumSizeHint().width() < strip.sizeHint().width()
    host.resize(host.sizeHint())
    _settle()
    assert not strip.compact
    host.resize(host.minimumSizeHint())
    _settle()
    assert strip.compact
    assert strip.width() >= strip.minimumSizeHint().width()
    assert [b.text() for b in strip.buttons] == ["Release", "Skip…", "Defer…"]
    assert all(b.toolTip() for b in strip.buttons)
    host.resize(host.sizeHint())
    _settle()
    assert not strip.compact

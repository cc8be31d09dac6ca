"""The conduct page follows the theme in its tab icons, and lets the facilitator skip, in one confirmed step, the
injects of earlier phases left unreleased when play moved on to a later phase."""

from __future__ import annotations

from PySide6.QtGui import QImage

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.workspaces.conduct import ConductWorkspace

from tests.ui.conduct.helpers import open_conduct


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

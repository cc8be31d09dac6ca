"""Check boxes and radio buttons in the dim and high-contrast themes: an edge that can be seen, and a tick or a dot
that says which is chosen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from ctpn_desktop.ui.theme import apply_theme


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _near(pixel: QColor, colour: QColor) -> bool:
    return max(abs(pixel.red() - colour.red()), abs(pixel.green() - colour.green()),
               abs(pixel.blue() - colour.blue())) <= 40


def _indicator_pixels(button: QAbstractButton, inset: int = 0) -> list[QColor]:
    """The pixels of the button's box or circle, ``inset`` pixels in from its edge."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(button, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    rect = button.style().subElementRect(element, option, button).adjusted(inset, inset, -inset, -inset)
    image: QImage = button.grab().toImage()
    ratio = image.devicePixelRatio()
    return [image.pixelColor(int(x * ratio), int(y * ratio))
            for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)]


@pytest.fixture
def themed() -> Iterator[None]:
    yield
    apply_theme(QApplication.instance(), dark=False)


def _shown_pair(qtbot, kind: type[QCheckBox] | type[QRadioButton], chosen_text: str, other_text: str,
                high_contrast: bool) -> tuple[QWidget, QColor, QAbstractButton, QAbstractButton]:
    """A chosen and an unchosen button in the dim or high-contrast theme, the window colour behind them, and the
    widget that holds them (kept by the caller, or Python deletes it and them)."""
    apply_theme(QApplication.instance(), dark=True, high_contrast=high_contrast)
    box = QWidget()
    qtbot.addWidget(box)
    chosen, other = kind(chosen_text, box), kind(other_text, box)
    other.move(0, 40)
    chosen.setChecked(True)
    for button in (chosen, other):
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a focus ring is yellow too: keep it out of the picture
    box.show()
    qtbot.waitExposed(box)
    return box, box.palette().window().color(), chosen, other


@pytest.mark.parametrize("high_contrast", [False, True], ids=["dark", "high contrast"])
def test_radio_buttons_show_their_ring_and_their_choice(qtbot, themed: None, high_contrast: bool) -> None:
    _box, window, chosen, other = _shown_pair(qtbot, QRadioButton, "The selected inject",
                                              "The current inject and all that follow it", high_contrast)
    ring = max(_contrast(pixel, window) for pixel in _indicator_pixels(other))
    assert ring >= 3.0, f"the unchosen button's ring has contrast {ring:.2f}:1 with the window"
    accent = QColor("#ffff00" if high_contrast else "#ffb347")
    assert any(_near(pixel, accent) for pixel in _indicator_pixels(chosen))
    assert not any(_near(pixel, accent) for pixel in _indicator_pixels(other))


@pytest.mark.parametrize("high_contrast", [False, True], ids=["dark", "high contrast"])
def test_check_boxes_show_their_edge_and_a_tick_when_ticked(qtbot, themed: None, high_contrast: bool) -> None:
    _box, window, ticked, unticked = _shown_pair(qtbot, QCheckBox, "Move their scenario times too",
                                                 "Only the selected injects", high_contrast)
    edge = max(_contrast(pixel, window) for pixel in _indicator_pixels(unticked))
    assert edge >= 3.0, f"the unticked box's edge has contrast {edge:.2f}:1 with the window"
    accent = QColor("#ffff00" if high_contrast else "#ffb347")
    inside = _indicator_pixels(ticked, inset=3)
    assert any(_near(pixel, accent) for pixel in inside)
    tick = [pixel for pixel in inside if _contrast(pixel, accent) >= 3.0]
    assert len(tick) >= 5, "a ticked box shows a tick, not only a filled square"
    assert not any(_near(pixel, accent) for pixel in _indicator_pixels(unticked))

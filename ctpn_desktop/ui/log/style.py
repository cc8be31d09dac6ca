"""Colours the log screens add to the theme: problems and ratings, readable in the light and the dark room."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from ctpn_desktop.core.entities import Rating


def is_dark(widget: QWidget) -> bool:
    return widget.palette().window().color().lightness() < 128


def problem_colour(widget: QWidget) -> str:
    return "#ff9e80" if is_dark(widget) else "#b3261e"


def ok_colour(widget: QWidget) -> str:
    return "#8bd48f" if is_dark(widget) else "#1b6e20"


RATING_COLOURS: dict[Rating, tuple[str, str]] = {
    # (light room, dark room): green, amber, orange, red — never the only cue, the label is always written.
    Rating.P: ("#1b6e20", "#8bd48f"),
    Rating.S: ("#7a5d00", "#f2cc60"),
    Rating.M: ("#a34700", "#ffb074"),
    Rating.U: ("#b3261e", "#ff9e80"),
}


def rating_colour(widget: QWidget, rating: Rating) -> QColor:
    light, dark = RATING_COLOURS[rating]
    return QColor(dark if is_dark(widget) else light)

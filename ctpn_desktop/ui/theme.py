"""Colours: the platform's own palette by day, a dim high-contrast palette for darkened control rooms.

Fusion is used in both so the two look alike and the dark palette applies everywhere.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

MIN_POINT_SIZE = 10.0
"""Small default fonts are hard to read across a table; never start below this."""

_STYLE = """
QLabel[muted="true"] { color: palette(placeholder-text); }
QListWidget#navigation { border: none; padding: 8px 0; background: palette(base); }
QListWidget#navigation::item { padding-left: 14px; border: none; color: palette(text); }
QListWidget#navigation::item:selected { background: palette(highlight); color: palette(highlighted-text); }
QTreeView::item { padding: 3px 2px; }
QFrame#figure, QFrame#libraryDetail { border-radius: 6px; }
"""


def dark_palette() -> QPalette:
    """Low glare without low contrast: light grey text on near-black, amber for selection and focus."""
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#15171a",
        role.WindowText: "#e8e8e8",
        role.Base: "#1d2024",
        role.AlternateBase: "#23272c",
        role.ToolTipBase: "#2a2e33",
        role.ToolTipText: "#f0f0f0",
        role.Text: "#ececec",
        role.Button: "#24282d",
        role.ButtonText: "#ececec",
        role.BrightText: "#ffffff",
        role.Highlight: "#b36b00",
        role.HighlightedText: "#ffffff",
        role.Link: "#ffb347",
        role.PlaceholderText: "#a8adb3",
        role.Mid: "#3a3f45",
        role.Dark: "#0e0f11",
        role.Light: "#3a3f45",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, QColor("#7c8188"))
    return palette


_day_palette: QPalette | None = None


def apply_theme(app: QApplication, dark: bool) -> None:
    """Switch between the platform's palette (remembered before the first switch) and the dark one."""
    global _day_palette
    if _day_palette is None:
        _day_palette = QPalette(app.palette())
    palette = dark_palette() if dark else _day_palette
    changed = app.palette() != palette
    if changed:
        app.setPalette(palette)
    if changed or app.styleSheet() != _STYLE:
        # Style-sheet widgets keep the palette they were polished with; setting the sheet again re-polishes
        # them. Only on a real change, because re-polishing every widget is not free.
        app.setStyleSheet("")
        app.setStyleSheet(_STYLE)


def readable_font(app: QApplication, delta: int = 0) -> QFont:
    """The application font at a readable size, plus the user's larger/smaller text steps."""
    font = QFont(app.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else MIN_POINT_SIZE
    font.setPointSizeF(max(MIN_POINT_SIZE, size) + delta)
    return font

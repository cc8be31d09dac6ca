"""Colours: the platform's own palette by day, a dim palette for darkened control rooms, and a high-contrast
palette (white on black, yellow focus) for people who need the strongest contrast.

Fusion is used in all three so they look alike and the palettes apply everywhere.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ctpn_desktop.paths import resources_dir

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


def high_contrast_palette() -> QPalette:
    """The strongest contrast the screen can give (21:1): white on black, black on yellow for selection."""
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#000000",
        role.WindowText: "#ffffff",
        role.Base: "#000000",
        role.AlternateBase: "#1a1a1a",
        role.ToolTipBase: "#000000",
        role.ToolTipText: "#ffffff",
        role.Text: "#ffffff",
        role.Button: "#000000",
        role.ButtonText: "#ffffff",
        role.BrightText: "#ffff00",
        role.Highlight: "#ffff00",
        role.HighlightedText: "#000000",
        role.Link: "#00ffff",
        role.LinkVisited: "#ff80ff",
        role.PlaceholderText: "#d0d0d0",
        role.Mid: "#ffffff",
        role.Dark: "#ffffff",
        role.Light: "#ffffff",
        role.Midlight: "#ffffff",
        role.Shadow: "#ffffff",
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, QColor("#a0a0a0"))
    return palette


_HIGH_CONTRAST_STYLE = """
*:focus { outline: 2px solid #ffff00; }
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QSpinBox, QAbstractItemView, QPushButton, QToolButton {
    border: 1px solid #ffffff;
}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QSpinBox:focus,
QAbstractItemView:focus, QPushButton:focus, QToolButton:focus, QCheckBox:focus { border: 2px solid #ffff00; }
QPushButton { padding: 4px 12px; }
QPushButton:default { border: 2px solid #ffffff; }
QCheckBox::indicator, QRadioButton::indicator { width: 14px; height: 14px; border: 2px solid #ffffff;
                                                background: #000000; }
QCheckBox::indicator:checked { background: #ffff00; image: url("{tick_high_contrast}"); }
QRadioButton::indicator { border-radius: 9px; }
QRadioButton::indicator:checked { background: qradialgradient(cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5,
                                  stop: 0 #ffff00, stop: 0.55 #ffff00, stop: 0.6 #000000, stop: 1 #000000); }
QCheckBox::indicator:focus, QRadioButton::indicator:focus { border-color: #ffff00; }
"""

_DARK_STYLE = """
QCheckBox::indicator { width: 14px; height: 14px; border: 1px solid #a8adb3; border-radius: 2px;
                       background: #1d2024; }
QCheckBox::indicator:checked { background: #ffb347; border-color: #ffb347; image: url("{tick_dark}"); }
QCheckBox::indicator:focus { border-color: #ffb347; }
QRadioButton::indicator { width: 14px; height: 14px; border: 1px solid #a8adb3; border-radius: 8px;
                          background: #1d2024; }
QRadioButton::indicator:checked { background: qradialgradient(cx: 0.5, cy: 0.5, radius: 0.5, fx: 0.5, fy: 0.5,
                                  stop: 0 #ffb347, stop: 0.5 #ffb347, stop: 0.55 #1d2024, stop: 1 #1d2024); }
QRadioButton::indicator:focus { border-color: #ffb347; }
"""
"""Fusion outlines check boxes and radio buttons in the window colour made darker, which on a near-black window is
no outline at all: in the dark theme their edge is drawn in the muted text colour, the choice in the link amber."""

_day_palette: QPalette | None = None


def style_sheet(high_contrast: bool = False, dark: bool = False) -> str:
    if high_contrast:
        return _STYLE + _with_ticks(_HIGH_CONTRAST_STYLE)
    return _STYLE + (_with_ticks(_DARK_STYLE) if dark else "")


def _with_ticks(sheet: str) -> str:
    """Style sheets name images by path; the ticks ship in the resources folder, wherever it was installed."""
    icons_dir = resources_dir() / "icons"
    return (sheet.replace("{tick_dark}", (icons_dir / "tick-dark.svg").as_posix())
            .replace("{tick_high_contrast}", (icons_dir / "tick-high-contrast.svg").as_posix()))


def apply_theme(app: QApplication, dark: bool, high_contrast: bool = False) -> None:
    """Switch between the platform's palette (remembered before the first switch), the dark one and the high-
    contrast one, which wins over both."""
    global _day_palette
    if _day_palette is None:
        _day_palette = QPalette(app.palette())
    palette = high_contrast_palette() if high_contrast else dark_palette() if dark else _day_palette
    sheet = style_sheet(high_contrast, dark)
    changed = app.palette() != palette
    if changed:
        app.setPalette(palette)
    if changed or app.styleSheet() != sheet:
        # Style-sheet widgets keep the palette they were polished with; setting the sheet again re-polishes
        # them. Only on a real change, because re-polishing every widget is not free.
        app.setStyleSheet("")
        app.setStyleSheet(sheet)


def readable_font(app: QApplication, delta: int = 0) -> QFont:
    """The application font at a readable size, plus the user's larger/smaller text steps."""
    font = QFont(app.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else MIN_POINT_SIZE
    font.setPointSizeF(max(MIN_POINT_SIZE, size) + delta)
    return font

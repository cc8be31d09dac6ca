"""The Unicode font the reports are set in, shipped in ``resources/fonts`` so nothing is fetched or guessed.

DejaVu Sans covers Latin (all European languages), Greek and Cyrillic; the licence is beside the files.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ctpn_desktop.paths import resources_dir

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"

_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_ITALIC: "DejaVuSans-Oblique.ttf"}


def fonts_dir() -> Path:
    """``resources/fonts`` of the frozen bundle, the checkout or the installed data folder."""
    return resources_dir() / "fonts"


def register_fonts() -> str:
    """Register the family once; returns the name of the regular face."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    folder = fonts_dir()
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD)
    return FONT

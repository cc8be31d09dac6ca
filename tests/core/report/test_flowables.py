"""Plain-text cells: wrapped within their width, long words cut, nothing lost."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

from ctpn_desktop.core.report.flowables import Span, TextLines, wrap_blocks
from ctpn_desktop.core.report.fonts import FONT, FONT_BOLD, register_fonts


def _line_width(line) -> float:
    x, words, span = line[-1]
    return x + stringWidth(words, span.font, span.size)


def test_lines_fit_their_width_and_keep_every_character() -> None:
    register_fonts()
    text = "Łódź Straße Москва " * 12 + "https://example.org/" + "a" * 200 + " end"
    blocks = [[Span("Rationale: ", FONT, 8), Span(text, FONT_BOLD, 8)], [], [Span("second\nthird", FONT, 7)]]
    lines = wrap_blocks(blocks, 120)
    assert all(_line_width(line) <= 120.01 for line in lines if line)
    joined = "".join(words for line in lines for _x, words, _span in line)
    assert joined.replace(" ", "") == ("Rationale:" + text + "secondthird").replace(" ", "")
    assert [] in lines  # the empty block is an empty line
    assert any(words == "third" for line in lines for _x, words, _span in line)


def test_text_lines_split_between_lines() -> None:
    register_fonts()
    cell = TextLines([[Span("word " * 200, FONT, 8)]], 10)
    _width, height = cell.wrap(100, 10_000)
    parts = cell.split(100, 55)
    assert len(parts) == 2
    first, rest = parts
    assert first.wrap(100, 55)[1] == 50 and first.wrap(100, 55)[1] + rest.wrap(100, 10_000)[1] == height
    assert cell.split(100, 5) == [] and cell.split(100, height + 10) == []

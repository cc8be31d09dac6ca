"""Platypus pieces shared by the debrief and the MSEL handout, built for long documents.

Reportlab's own ``Table`` splits across pages by building a new table of *all* the remaining rows at every page
break, so a table of n rows costs O(n²) and a 5,000-entry decision log takes minutes. `LongTable` hands
reportlab only a window of rows at a time (more than any page can hold) and carries the rest forward, so the
cost grows with the number of rows. `WrapOnceParagraph` remembers its line breaks, because a table wraps every
cell when it measures the row and again when it draws it. `NumberedCanvas` holds pages back until the end so
that every page can say "Page x of y" and the contents page can be given its page numbers in a single layout
pass (no second `multiBuild` pass over the whole story).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

Row = list[Any]

#: Tables of up to this many rows are laid out whole, as reportlab does; longer ones a page at a time.
WINDOW = 40


class WrapOnceParagraph(Paragraph):
    """A paragraph that breaks its lines once per width: tables measure and then draw each cell."""

    _wrapped_width: float | None = None
    _wrapped_size: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_width != availWidth:
            self._wrapped_size = super().wrap(availWidth, availHeight)
            self._wrapped_width = availWidth
        return self._wrapped_size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self._wrapped_width = None  # splitting re-flows the lines it keeps
        return super().split(availWidth, availHeight)


@dataclass
class PlacedRows:
    """Counts the table rows laid out so far, for a progress bar over the slow part of an export."""

    total: int = 0
    placed: int = 0
    listeners: list[Callable[[int, int], None]] = field(default_factory=list)

    def add(self, count: int) -> None:
        self.placed += count
        for listener in self.listeners:
            listener(self.placed, self.total)


@dataclass(frozen=True)
class TableLook:
    """How a long table is drawn: the header row, column widths and the style commands of every window."""

    header: Row
    widths: Sequence[float]
    commands: Sequence[tuple[Any, ...]]
    frame_height: float
    """The height of a page's frame: a row taller than this is split across pages; others are kept whole."""
    leading: float
    """The line height of cells given as plain strings."""
    padding_x: float = 4.0
    padding_y: float = 3.0


class LongTable(Flowable):
    """A table of any length whose header row repeats on every page, laid out in linear time.

    At each page break it measures rows (each cell is wrapped once and remembers it) until the page is full and
    hands reportlab a ``Table`` of just those rows. A row taller than a whole page is split inside the row by
    reportlab, at the foot of the page, and its rest leads the next page.
    """

    def __init__(self, look: TableLook, rows: Sequence[Row], *, lead: Sequence[Row] = (),
                 progress: PlacedRows | None = None, continued: bool = False) -> None:
        super().__init__()
        self.look = look
        self._rows = [*lead, *rows]
        self._continued = continued
        """The first row is the rest of a row split at the foot of the previous page."""
        self._progress = progress
        self._table: Table | None = None
        self._header_h: float | None = None
        self.hAlign = "LEFT"

    def _make(self, rows: Sequence[Row], *, split_in_row: bool = False) -> Table:
        table = Table([self.look.header, *rows], colWidths=list(self.look.widths), repeatRows=1,
                      splitInRow=1 if split_in_row else 0, hAlign="LEFT")
        table.setStyle(TableStyle(list(self.look.commands)))
        return table

    def _row_height(self, row: Row) -> float:
        """The height reportlab will give the row: its tallest cell plus the padding (styles are uniform)."""
        look = self.look
        tallest = 0.0
        for cell, width in zip(row, look.widths, strict=False):
            inner = width - 2 * look.padding_x
            if isinstance(cell, str):
                height = look.leading * (cell.count("\n") + 1)
            else:
                height = 0.0
                for flowable in cell if isinstance(cell, (list, tuple)) else (cell,):
                    height += flowable.wrap(inner, 72000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
            tallest = max(tallest, height)
        return tallest + 2 * look.padding_y

    def _header_height(self) -> float:
        if self._header_h is None:
            self._header_h = self._row_height(self.look.header)
        return self._header_h

    @property
    def _short(self) -> bool:
        return len(self._rows) <= WINDOW

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._short:
            # Too long for any page: the frame asks for a split, which lays out only what the page holds.
            self.width = availWidth
            return availWidth, availHeight + 1_000_000
        if self._table is None:
            self._table = self._make(self._rows, split_in_row=self._continued)
        self.width, self.height = self._table.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        used = self._header_height()
        fitting = 0
        for row in self._rows:
            height = self._row_height(row)
            if used + height > availHeight:
                break
            used += height
            fitting += 1
        if fitting == len(self._rows):
            self._count(fitting)
            return [self._make(self._rows)]
        if fitting:
            self._count(fitting)
            return [self._make(self._rows[:fitting]),
                    LongTable(self.look, self._rows[fitting:], progress=self._progress)]
        first_h = self._row_height(self._rows[0])
        if self._header_height() + first_h <= self.look.frame_height and not self._continued:
            return []  # the row fits on a fresh page: move it there whole
        # Taller than a page: reportlab splits it inside the row, at the foot of this page.
        parts = self._make(self._rows[:1], split_in_row=True).split(availWidth, availHeight)
        if len(parts) != 2 or not isinstance(parts[1], Table):
            return list(parts)
        rest = [list(row) for row in parts[1]._cellvalues[1:]]
        return [parts[0], LongTable(self.look, self._rows[1:], lead=rest, progress=self._progress,
                                    continued=True)]

    def _count(self, rows: int) -> None:
        if self._progress is not None and rows:
            self._progress.add(rows)

    def draw(self) -> None:
        if self._table is None:
            raise RuntimeError("a long table is drawn only after it was measured")
        self._table.drawOn(self.canv, 0, 0)
        self._count(len(self._rows))


def ruled_commands(head_fill: colors.Color, rule: colors.Color, zebra: colors.Color,
                   font: str, font_size: float) -> list[tuple[Any, ...]]:
    """The house table style: filled header, hairlines under rows, alternate rows shaded."""
    return [
        ("BACKGROUND", (0, 0), (-1, 0), head_fill),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, zebra]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, rule),
        ("BOX", (0, 0), (-1, -1), 0.6, rule),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEADING", (0, 0), (-1, -1), font_size + 2),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]


# ----------------------------------------------------------------------------------------------- plain text


@dataclass(frozen=True)
class Span:
    """A stretch of text in one font, size and colour; struck through when it has been superseded."""

    text: str
    font: str
    size: float
    color: colors.Color = colors.black
    strike: bool = False


@lru_cache(maxsize=1 << 16)
def _width(text: str, font: str, size: float) -> float:
    """Words repeat: measuring each once per font saves most of the time spent wrapping a long log."""
    return stringWidth(text, font, size)


Block = Sequence[Span]
"""Spans that flow on from one another and start on a new line, like a paragraph without mark-up."""

_Segment = tuple[float, str, Span]


def _pieces(word: str, span: Span, width: float) -> list[str]:
    """A word too wide for the column, cut into pieces that fit (long URLs and references must wrap)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and _width(current + char, span.font, span.size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap_blocks(blocks: Sequence[Block], width: float) -> list[list[_Segment]]:
    """Break blocks into lines no wider than ``width``: at spaces, inside a word only when it cannot fit."""
    lines: list[list[_Segment]] = []
    for block in blocks:
        line: list[_Segment] = []
        x = 0.0
        for span in block:
            for number, paragraph in enumerate(span.text.split("\n")):
                if number:
                    lines.append(line)
                    line, x = [], 0.0
                space = _width(" ", span.font, span.size)
                for word in paragraph.split():
                    word_w = _width(word, span.font, span.size)
                    gap = space if line else 0.0
                    if x + gap + word_w > width and line:
                        lines.append(line)
                        line, x, gap = [], 0.0, 0.0
                    if word_w > width:
                        for piece in _pieces(word, span, width):
                            if line:
                                lines.append(line)
                            line = [(0.0, piece, span)]
                            x = _width(piece, span.font, span.size)
                        continue
                    if line and line[-1][2] is span and gap:
                        start, words, _ = line[-1]
                        line[-1] = (start, f"{words} {word}", span)
                    else:
                        line.append((x + gap, word, span))
                    x += gap + word_w
        lines.append(line)
    return lines


class TextLines(Flowable):
    """Plain text in a few styles, wrapped and drawn directly: a fraction of a `Paragraph`'s cost per word.

    The decision log of a long run holds hundreds of thousands of words; parsing mark-up for each of them is
    what made a 5,000-entry debrief slow. Nothing here is mark-up, so anything typed prints exactly as typed.
    """

    def __init__(self, blocks: Sequence[Block], leading: float, *,
                 lines: list[list[_Segment]] | None = None) -> None:
        super().__init__()
        self.blocks = blocks
        self.leading = leading
        self._lines = lines
        self._wrapped_width: float | None = None if lines is None else -1.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped_width is None or (self._wrapped_width >= 0 and self._wrapped_width != availWidth):
            self._lines = wrap_blocks(self.blocks, availWidth)
            self._wrapped_width = availWidth
        self.width = availWidth
        self.height = self.leading * len(self._lines or ())
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._lines is None:  # keep the lines as measured: a table splits cells at a slightly other width
            self.wrap(availWidth, availHeight)
        lines = self._lines or []
        fit = int(availHeight // self.leading)
        if fit <= 0 or fit >= len(lines):
            return []
        return [TextLines(self.blocks, self.leading, lines=lines[:fit]),
                TextLines(self.blocks, self.leading, lines=lines[fit:])]

    def plain_text(self) -> str:
        return "\n".join(" ".join(words for _x, words, _span in line) for line in self._lines or ())

    def draw(self) -> None:
        canvas = self.canv
        strikes: list[tuple[float, float, float, Span]] = []
        writer = canvas.beginText()
        font: tuple[str, float] | None = None
        colour: colors.Color | None = None
        baseline = self.height
        for line in self._lines or ():
            baseline -= self.leading
            for x, words, span in line:
                y = baseline + (self.leading - span.size) * 0.4
                if font != (span.font, span.size):
                    font = (span.font, span.size)
                    writer.setFont(span.font, span.size)
                if colour is not span.color:
                    colour = span.color
                    writer.setFillColor(span.color)
                writer.setTextOrigin(x, y)
                writer.textOut(words)
                if span.strike:
                    strikes.append((x, y + span.size * 0.3, _width(words, span.font, span.size), span))
        canvas.drawText(writer)
        for x, y, width, span in strikes:
            canvas.setStrokeColor(span.color)
            canvas.setLineWidth(0.5)
            canvas.line(x, y, x + width, y)


# --------------------------------------------------------------------------------------------- the canvas


class NumberedCanvas(Canvas):
    """Holds every page back until the end, then writes "Page x of y" and the contents page's numbers.

    ``footer`` draws the page numbering (it is given the canvas, the page number and the page count);
    `Contents` records where its page numbers go and `heading_pages` maps each bookmark to its page.
    """

    footer: Callable[[Canvas, int, int], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self.heading_pages: dict[str, int] = {}
        self.contents_slots: dict[int, list[tuple[str, float, float, str, float]]] = {}

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        pages = self.heading_pages
        slots = self.contents_slots
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            for key, x, y, font, size in slots.get(number, ()):
                self.setFont(font, size)
                self.setFillColor(colors.black)
                self.drawRightString(x, y, str(pages.get(key, "")))
            if self.footer is not None:
                self.footer(self, number, total)
            super().showPage()
        super().save()


def numbered_canvas(footer: Callable[[Canvas, int, int], None]) -> type[NumberedCanvas]:
    """A canvas class for ``doc.build(canvasmaker=…)`` that writes page numbers with ``footer``."""
    return type("Numbered", (NumberedCanvas,), {"footer": staticmethod(footer)})


class Contents(Flowable):
    """The contents page: one line per heading with dotted leaders, linked to the heading; numbers come last."""

    def __init__(self, entries: Sequence[tuple[str, str]], style: ParagraphStyle) -> None:
        super().__init__()
        self.entries = list(entries)
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.style.leading * len(self.entries)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        number_w = canvas.stringWidth("0000", style.fontName, style.fontSize)
        page = canvas.getPageNumber()
        slots = getattr(canvas, "contents_slots", None)
        for index, (title, key) in enumerate(self.entries):
            y = self.height - style.leading * (index + 1) + (style.leading - style.fontSize) / 2
            canvas.setFont(style.fontName, style.fontSize)
            canvas.setFillColor(style.textColor)
            canvas.drawString(style.leftIndent, y, title)
            start = style.leftIndent + canvas.stringWidth(title, style.fontName, style.fontSize) + 6
            end = self.width - number_w - 4
            dot = canvas.stringWidth(". ", style.fontName, style.fontSize)
            if end > start:
                canvas.setFillColor(colors.HexColor("#888888"))
                canvas.drawString(start, y, ". " * int((end - start) / dot))
            canvas.linkRect("", key, (0, y - 3, self.width, y + style.fontSize), relative=1)
            if slots is not None:
                absolute_x, absolute_y = canvas.absolutePosition(self.width, y)
                slots.setdefault(page, []).append((key, absolute_x, absolute_y, style.fontName, style.fontSize))


__all__ = ["WINDOW", "Block", "Contents", "LongTable", "NumberedCanvas", "PlacedRows", "Span", "TableLook", "TextLines",
           "WrapOnceParagraph", "numbered_canvas", "ruled_commands", "wrap_blocks"]

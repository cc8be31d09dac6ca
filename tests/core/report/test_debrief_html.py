"""The accessible HTML debrief, read back with a parser as assistive technology would read it."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ctpn_desktop.core.report.debrief_data import DebriefOptions, Section, assemble_debrief
from ctpn_desktop.core.report.html import debrief_html, render_debrief_html
from ctpn_desktop.core.report.pdf import EXERCISE_BANNER

from tests.core.report.debrief_helpers import (
    ADHOC_TITLE,
    EUROPEAN,
    HALT_REASON,
    LONG_TOKEN,
    MARKUP,
    URL,
    drive_run,
    squash,
)
from tests.factories import LIBRARY, library_document

SCENARIOS = sorted(p.name for p in LIBRARY.glob("*.json"))


@dataclass
class Cell:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class Outline(HTMLParser):
    """What a screen reader gets: headings, tables with their header cells, images with their alternatives."""

    headings: list[tuple[str, str]] = field(default_factory=list)
    tables: list[list[list[Cell]]] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _heading: str | None = None
    _heading_text: list[str] = field(default_factory=list)
    _in_del: int = 0
    _del_text: list[str] = field(default_factory=list)
    _in_note: int = 0
    _note_text: list[str] = field(default_factory=list)
    _in_style: bool = False

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag in {"h1", "h2", "h3"}:
            self._heading, self._heading_text = tag, []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"th", "td"}:
            self.tables[-1][-1].append(Cell(tag, values))
        elif tag == "img":
            self.images.append(values)
        elif tag == "del":
            self._in_del += 1
        elif tag == "style":
            self._in_style = True
        if tag == "div" and values.get("role") == "note":
            self._in_note += 1
            self._note_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, "".join(self._heading_text).strip()))
            self._heading = None
        elif tag == "del":
            self._in_del -= 1
            self.deleted.append("".join(self._del_text))
            self._del_text = []
        elif tag == "style":
            self._in_style = False
        elif tag == "div" and self._in_note:
            self._in_note -= 1
            self.notes.append("".join(self._note_text))

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if self._heading:
            self._heading_text.append(data)
        if self._in_del:
            self._del_text.append(data)
        if self._in_note:
            self._note_text.append(data)


def outline_of(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", SCENARIOS)
def test_html_debrief_of_a_library_run_is_complete_and_accessible(tmp_path: Path, name: str) -> None:
    with library_document(tmp_path, name) as document:
        driven = drive_run(document)
        data = assemble_debrief(document, driven.run_id, DebriefOptions(organisation_name="Forum <Nord> & Süd"))
    progress: list[float] = []
    out = render_debrief_html(data, tmp_path / "debrief.html", progress=lambda f, _m: progress.append(f))
    assert progress == sorted(progress) and progress[-1] == 1.0
    html = out.read_text(encoding="utf-8")
    outline = outline_of(html)

    assert [level for level, _ in outline.headings].count("h1") == 1
    titles = [title for _, title in outline.headings]
    for section in Section:
        assert section.heading in titles, section
    assert "Contents" in titles

    # every table has header cells, and every column header says what it heads
    assert outline.tables
    for rows in outline.tables:
        cells = [cell for row in rows for cell in row]
        assert any(cell.tag == "th" for cell in cells)
        for cell in cells:
            if cell.tag == "th":
                assert cell.attrs.get("scope") in {"col", "row"}
    decision_table = next(t for t in outline.tables if [c.attrs.get("scope") for c in t[0]] == ["col"] * 4
                          and len(t) == len(driven.entries) + 1)
    assert all(row[0].tag == "th" and row[0].attrs["scope"] == "row" for row in decision_table[1:])

    # charts are images with words for those who cannot see them, and self-contained
    assert len(outline.images) >= 3
    for image in outline.images:
        assert image["alt"] and len(image["alt"] or "") > 40
        source = image["src"] or ""
        assert source.startswith("data:image/svg+xml;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).lstrip().startswith(b"<?xml")
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html

    # the marking at the top and the bottom
    assert len(outline.notes) == 2
    assert all(data.marking in note and EXERCISE_BANNER in note for note in outline.notes)
    assert html.index(data.marking) < html.index("<main")
    assert html.rindex(data.marking) > html.index("</main>")

    # every word people typed, exactly, and nothing they typed became mark-up
    flat = squash("".join(outline.text))
    for entry in driven.entries:
        for revision in (*entry.history, entry.current):
            assert squash(revision.text) in flat
            if revision.revision_reason:
                assert squash(revision.revision_reason) in flat
    for tricky in (MARKUP, EUROPEAN, LONG_TOKEN, URL, HALT_REASON, ADHOC_TITLE, "Forum <Nord> & Süd",
                   "Read aloud <twice> & handed out", "Radio discipline & call signs"):
        assert squash(tricky) in flat, tricky
    assert "b" not in outline.tags  # MARKUP holds "<b>": it must stay text
    corrected = next(e for e in driven.entries if e.entry_id == driven.corrected_id)
    assert any(squash(corrected.history[0].text) in squash(text) for text in outline.deleted)
    assert "WITHDRAWN" in flat


def test_html_options_choose_sections_and_marking(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        data = assemble_debrief(document, driven.run_id, DebriefOptions(
            sections={Section.OVERVIEW, Section.DECISIONS}, include_controller_notes=False,
            marking_override='secret "</style><script>x</script>', draft=True))
    html = debrief_html(data)
    outline = outline_of(html)
    titles = [title for _, title in outline.headings]
    assert Section.DECISIONS.heading in titles and Section.INJECTS.heading not in titles
    assert "script" not in outline.tags
    assert "DRAFT" in "".join(outline.text)
    assert all('SECRET "</STYLE><SCRIPT>X</SCRIPT>' in note for note in outline.notes)
    assert "Controller notes" not in html


def test_html_export_replaces_the_file_only_when_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "debrief.html"
    target.write_text("previous export")
    with library_document(tmp_path) as document:
        data = assemble_debrief(document, drive_run(document).run_id)

    def cancelled(_fraction: float, _message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render_debrief_html(data, target, progress=cancelled)
    assert target.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []

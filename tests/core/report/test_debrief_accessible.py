"""The accessible debrief: a tagged PDF (PDF/UA-1) whose structure tree a screen reader follows."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pdfua import validate
from pypdf import PdfReader

from ctpn_desktop.core.report.accessible import render_debrief_accessible
from ctpn_desktop.core.report.debrief_data import DebriefData, DebriefOptions, Section, assemble_debrief
from ctpn_desktop.core.report.pdf import EXERCISE_BANNER, LOG_CODE_LABEL

from ctpn_desktop.cli import main
from tests.core.report.debrief_helpers import EUROPEAN, LONG_TOKEN, MARKUP, URL, drive_run, page_texts, squash
from tests.factories import library_document


def structure(pdf: pikepdf.Pdf) -> list[tuple[str, dict[str, str], str]]:
    """Every element of the structure tree in reading order: its type, attributes that matter, and its kids."""
    found: list[tuple[str, dict[str, str], str]] = []

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            kind = node.get("/S")
            if kind is not None:
                found.append((str(kind), {key: str(node[key]) for key in ("/Alt", "/T") if key in node},
                              str(node.get("/A", ""))))
            if "/K" in node:
                walk(node["/K"])

    walk(pdf.Root.StructTreeRoot)
    return found


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[DebriefData, Path]:
    folder = tmp_path_factory.mktemp("tagged")
    with library_document(folder) as document:
        data = assemble_debrief(document, drive_run(document).run_id, DebriefOptions(draft=True))
    progress: list[float] = []
    out = render_debrief_accessible(data, folder / "debrief.pdf", progress=lambda f, _m: progress.append(f))
    assert progress == sorted(progress) and progress[-1] == 1.0
    return data, out


def test_the_pdf_is_tagged_with_headings_tables_figures_and_a_language(tagged: tuple[DebriefData, Path]) -> None:
    _, out = tagged
    with pikepdf.open(out) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert "pdfuaid:part" in str(pdf.open_metadata())  # identifies itself as PDF/UA-1
        elements = structure(pdf)
    kinds = [kind for kind, _, _ in elements]
    assert kinds.count("/H1") == 1
    headings = [attributes.get("/T", "") for kind, attributes, _ in elements if kind == "/H2"]
    for section in Section:
        assert section.heading in headings, section
    assert headings.index(Section.SUMMARY.heading) < headings.index(Section.OBSERVATIONS.heading) < headings.index(
        Section.IMPROVEMENT.heading) < headings.index(Section.PARTICIPANTS.heading)
    assert "/H3" in kinds and "/TOC" in kinds
    assert kinds.count("/Table") >= 10
    column_headers = [a for kind, _, a in elements if kind == "/TH"]
    assert column_headers and all("/Column" in a for a in column_headers)
    figures = [attributes for kind, attributes, _ in elements if kind == "/Figure"]
    assert len(figures) >= 4  # timeline, decisions, ratings, QR code of the log seal
    assert all(len(f.get("/Alt", "")) > 40 for f in figures)


def test_every_page_and_every_word_is_there(tagged: tuple[DebriefData, Path]) -> None:
    data, out = tagged
    pages = page_texts(out)
    for number, page in enumerate(pages, start=1):
        flat = squash(page)
        assert flat.count(squash(data.marking)) >= 2 and squash(EXERCISE_BANNER) in flat
        assert squash(f"Page {number} of {len(pages)}") in flat
        assert squash(f"{LOG_CODE_LABEL} {data.code}") in flat, f"page {number} lacks the log code"
    whole = squash("\n".join(pages))
    for tricky in (MARKUP, EUROPEAN, URL[:60], LONG_TOKEN[:40], "Time & street added <after> ENDEX check"):
        assert squash(tricky) in whole, tricky
    metadata = PdfReader(out).metadata
    assert metadata is not None and metadata.title == f"{data.title} — debrief"


def test_a_pdf_ua_checker_finds_nothing_and_fails_the_plain_pdf(tagged: tuple[DebriefData, Path],
                                                                 tmp_path: Path) -> None:
    _, out = tagged
    report = validate(str(out))
    assert not report.findings, [f.message for f in report.findings]
    from ctpn_desktop.core.report.pdf import render_debrief

    with library_document(tmp_path) as document:
        plain = render_debrief(assemble_debrief(document, drive_run(document).run_id), tmp_path / "plain.pdf")
    assert any(f.rule_id == "UA-01-005" for f in validate(str(plain)).findings)  # the check can fail


def test_the_command_writes_the_tagged_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with library_document(tmp_path) as document:
        drive_run(document)
        path = document.path
    out = tmp_path / "out.pdf"
    assert main(["debrief", str(path), "-o", str(out), "--format", "pdf-ua"]) == 0
    assert "tagged PDF/UA-1" in capsys.readouterr().out
    with pikepdf.open(out) as pdf:
        assert "/StructTreeRoot" in pdf.Root

"""``ctpn-desktop debrief``: the PDF from the command line, with clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.report.debrief_data import Section

from ctpn_desktop.cli import DEBRIEF_SECTIONS, main
from tests.core.report.debrief_helpers import drive_run, page_texts
from tests.factories import library_document


def test_section_names_match_the_report() -> None:
    assert tuple(s.value for s in Section) == DEBRIEF_SECTIONS


def test_debrief_command_writes_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with library_document(tmp_path, "marathon-hostile-drone.json") as document:
        drive_run(document)
        path = document.path
    out = tmp_path / "debrief.pdf"
    assert main(["debrief", str(path), "--run", "1", "-o", str(out), "--no-controller-notes",
                 "--marking", "official", "--organisation", "Resilience Forum", "--sections", "overview",
                 "decisions", "integrity"]) == 0
    assert "Wrote the debrief" in capsys.readouterr().out
    pages = page_texts(out)
    assert all("OFFICIAL" in page for page in pages)
    whole = "\n".join(pages)
    assert "Decision log" in whole and "Inject log" not in whole and "Controller notes" not in whole
    assert main(["debrief", str(path), "-o", str(tmp_path / "latest.pdf")]) == 0


def test_debrief_command_refuses_what_it_cannot_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with library_document(tmp_path) as document:
        path = document.path
    assert main(["debrief", str(path), "-o", str(tmp_path / "x.pdf")]) == 1
    assert "no runs" in capsys.readouterr().err
    second = tmp_path / "second"
    second.mkdir()
    with library_document(second) as document:
        drive_run(document)
        other = document.path
    assert main(["debrief", str(other), "--run", "7", "-o", str(tmp_path / "x.pdf")]) == 1
    assert "no run 7" in capsys.readouterr().err
    assert main(["debrief", str(other), "-o", str(tmp_path / "x.txt")]) == 2
    assert not (tmp_path / "x.pdf").exists()


def test_debrief_command_writes_html_by_suffix_or_format(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        drive_run(document)
        path = document.path
    page = tmp_path / "debrief.html"
    assert main(["debrief", str(path), "-o", str(page), "--marking", "official <sensitive>"]) == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "OFFICIAL &lt;SENSITIVE&gt;" in html
    other = tmp_path / "report.txt"
    assert main(["debrief", str(path), "-o", str(other), "--format", "html"]) == 0
    assert other.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["debrief", str(path), "-o", str(tmp_path / "forced.html"), "--format", "pdf"]) == 0
    assert (tmp_path / "forced.html").read_bytes().startswith(b"%PDF")

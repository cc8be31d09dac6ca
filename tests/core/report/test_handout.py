"""The controller's MSEL handout, read back from the PDF."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pypdf import PdfReader

from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.report.handout import COLUMNS, HandoutOptions, render_handout

from ctpn_desktop.cli import main
from tests.core.report.debrief_helpers import EUROPEAN, LONG_TOKEN, MARKUP, URL, page_texts, squash
from tests.factories import LIBRARY, library_document

SCENARIOS = sorted(p.name for p in LIBRARY.glob("*.json"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_handout_lists_every_inject_on_marked_landscape_pages(tmp_path: Path, name: str) -> None:
    scenario, _blobs = read_scenario_file(LIBRARY / name)
    first, *rest = sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.position))
    tricky = dataclasses.replace(first, title=f"Caller: {MARKUP}", content=f"{EUROPEAN}\n\nSee {URL}",
                                 expected_actions=f"Quote reference {LONG_TOKEN}", sender="Κέντρο ελέγχου <SimCell>")
    scenario = dataclasses.replace(scenario, injects=(tricky, *rest))
    progress: list[float] = []
    out = render_handout(scenario, tmp_path / "msel.pdf", progress=lambda f, _m: progress.append(f))
    assert progress == sorted(progress) and progress[-1] == 1.0
    reader = PdfReader(out)
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)  # landscape
    pages = page_texts(out)
    marking = (scenario.exercise.marking or "OFFICIAL").upper()
    for number, page in enumerate(pages, start=1):
        assert page.count(marking) >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {len(pages)}" in page
        assert "Expected actions" in page and "Controller notes" in page, f"page {number} lacks the header row"
    flat = squash("\n".join(pages))
    for inject in scenario.injects:
        assert squash(inject.title) in flat, inject.title
        assert squash(inject.content) in flat
        if inject.controller_notes.strip():
            assert squash(inject.controller_notes) in flat
    for text in (MARKUP, EUROPEAN, URL, LONG_TOKEN, "Κέντρο ελέγχου <SimCell>"):
        assert squash(text) in flat, text
    assert "&lt;" not in "".join(pages) and "&amp;amp;" not in "".join(pages)
    assert reader.metadata is not None and reader.metadata.title == f"{scenario.exercise.title} — MSEL handout"


def test_handout_without_controller_notes_and_with_another_marking(tmp_path: Path) -> None:
    scenario, _ = read_scenario_file(LIBRARY / "christmas-market-mta.json")
    notes = next(i.controller_notes for i in scenario.injects if i.controller_notes.strip())
    out = render_handout(scenario, tmp_path / "msel.pdf",
                         HandoutOptions(include_controller_notes=False, marking_override="official-sensitive"))
    pages = page_texts(out)
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)
    whole = "\n".join(pages)
    assert "Controller notes" not in whole.replace("controller notes left out", "")
    assert squash(notes[:50]) not in squash(whole)
    assert [name for name, _ in COLUMNS][-1] == "Controller notes"


def test_a_long_msel_repeats_its_header_and_keeps_every_row(tmp_path: Path) -> None:
    scenario, _ = read_scenario_file(LIBRARY / "christmas-market-mta.json")
    template = scenario.injects[0]
    injects = tuple(dataclasses.replace(template, id=f"inject-{n}", number=n, position=n, planned_offset_s=n * 60,
                                        title=f"Row marker {n:04d}") for n in range(1, 401))
    out = render_handout(dataclasses.replace(scenario, injects=injects), tmp_path / "long.pdf")
    pages = page_texts(out)
    assert len(pages) > 20
    assert all("Expected actions" in page for page in pages)
    flat = squash("\n".join(pages))
    positions = [flat.index(f"Rowmarker{n:04d}") for n in range(1, 401)]
    assert positions == sorted(positions)  # every row, once each, in planned order


def test_handout_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with library_document(tmp_path, "marathon-hostile-drone.json") as document:
        path = document.path
    out = tmp_path / "handout.pdf"
    assert main(["handout", str(path), "-o", str(out), "--marking", "official", "--no-controller-notes"]) == 0
    assert "Wrote the MSEL handout" in capsys.readouterr().out
    pages = page_texts(out)
    assert all(page.count("OFFICIAL") >= 2 for page in pages)
    assert main(["handout", str(path), "-o", str(tmp_path / "handout.txt")]) == 2
    assert main(["handout", str(tmp_path / "missing.ctpn"), "-o", str(out)]) == 1

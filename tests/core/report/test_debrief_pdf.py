"""The debrief PDF of a real run of every library scenario, read back as a person (or a screen reader) would."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from ctpn_desktop.core.clock import FakeTimeSource, SystemTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.report.debrief_data import DebriefOptions, InjectOutcome, Section, assemble_debrief
from ctpn_desktop.core.report.pdf import EXERCISE_BANNER, DebriefError, render_debrief
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from tests.core.report.debrief_helpers import (
    ADHOC_TITLE,
    EUROPEAN,
    HALT_REASON,
    LONG_TOKEN,
    MARKUP,
    URL,
    drive_run,
    page_texts,
    squash,
)
from tests.factories import LIBRARY, library_document

SCENARIOS = sorted(p.name for p in LIBRARY.glob("*.json"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_debrief_of_a_library_run_keeps_every_word(tmp_path: Path, name: str) -> None:
    with library_document(tmp_path, name) as document:
        driven = drive_run(document)
        data = assemble_debrief(document, driven.run_id, DebriefOptions(organisation_name="City Resilience Forum"))
        progress: list[float] = []
        out = render_debrief(data, tmp_path / "debrief.pdf", progress=lambda f, _m: progress.append(f))
    assert progress[-1] == 1.0 and progress == sorted(progress)
    pages = page_texts(out)
    whole = "\n".join(pages)
    flat = squash(whole)
    total = len(pages)
    assert total >= 6
    for number, page in enumerate(pages, start=1):
        assert page.count(data.marking) >= 2, f"page {number} lacks the marking top and bottom"
        assert page.count(EXERCISE_BANNER) >= 2, f"page {number} lacks the exercise banner"
        assert f"Page {number} of {total}" in page
    for section in Section:
        assert whole.count(section.heading) >= 2, f"{section.heading} missing from the contents or the body"
    for entry in driven.entries:
        for revision in (*entry.history, entry.current):
            assert squash(revision.text) in flat
            if revision.revision_reason:
                assert squash(revision.revision_reason) in flat
    for tricky in (MARKUP, EUROPEAN, LONG_TOKEN, URL, "Time & street added <after> ENDEX check",
                   "Read aloud <twice> & handed out", "Shared picture formed late <15 min>", HALT_REASON):
        assert squash(tricky) in flat, tricky
    assert "&amp;amp;" not in whole and "&lt;" not in whole
    for phrase in ("WITHDRAWN", "Logged against the wrong run", ADHOC_TITLE, "Train first crews on M/ETHANE",
                   "Radio discipline & call signs", "none has been changed", "STARTEX", "ENDEX", "HALTED",
                   "Performed with major challenges"):
        assert squash(phrase) in flat, phrase
    assert "Rationale:—" in flat  # the empty rationale is shown as a dash
    assert data.integrity is not None and squash(data.integrity.document_sha256) in flat
    metadata = PdfReader(out).metadata
    assert metadata is not None
    assert metadata.title == f"{data.title} — debrief"
    assert metadata.author == "City Resilience Forum"
    assert metadata.subject is not None and data.marking in metadata.subject


def test_the_data_tells_what_happened_to_each_inject(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        data = assemble_debrief(document, driven.run_id)
    by_outcome = {line.outcome for line in data.injects}
    assert {InjectOutcome.RELEASED, InjectOutcome.SKIPPED, InjectOutcome.DEFERRED} <= by_outcome
    adhoc = [line for line in data.injects if line.adhoc]
    assert [a.number for a in adhoc] == ["A1"] and adhoc[0].outcome is InjectOutcome.RELEASED
    deferred = next(line for line in data.injects if line.outcome is InjectOutcome.DEFERRED)
    assert deferred.due_s is not None and deferred.planned_s is not None and deferred.due_s > deferred.planned_s
    assert [e.current.entry_number for e in data.log] == [1, 2, 3, 4]
    rated = [g for g in data.observations if g.observations]
    assert [g.overall.value for g in rated if g.overall] == ["S", "M"]
    assert data.integrity is not None and data.integrity.ok
    assert data.marking == data.marking.upper()


def test_options_choose_sections_notes_marking_and_draft(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        frozen = RunService(document, SystemTimeSource()).frozen_scenario(driven.run_id)
        notes = next(i.controller_notes for i in frozen.injects if i.controller_notes.strip())
        options = DebriefOptions(sections={"overview", Section.INJECTS, "decisions"}, include_controller_notes=False,
                                 marking_override="official-sensitive personal", draft=True)
        data = assemble_debrief(document, driven.run_id, options)
        out = render_debrief(data, tmp_path / "draft.pdf")
    pages = page_texts(out)
    whole = "\n".join(pages)
    assert all(page.count("OFFICIAL-SENSITIVE PERSONAL") >= 2 for page in pages)
    assert "DRAFT" in whole
    assert Section.INJECTS.heading in whole and Section.DECISIONS.heading in whole
    assert Section.HOTWASH.heading not in whole and Section.IMPROVEMENT.heading not in whole
    assert squash(notes[:60]) not in squash(whole)
    assert "Controller notes" not in whole


def test_a_tampered_log_is_reported_in_the_debrief(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        path = document.path
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE log_record SET text = 'Nothing was decided' WHERE entry_number = 2")
    with open_document(path) as reopened:
        data = assemble_debrief(reopened, driven.run_id)
        out = render_debrief(data, tmp_path / "tampered.pdf")
    assert "LOG INTEGRITY FAILURE" in "\n".join(page_texts(out))


def test_export_replaces_the_file_only_when_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "debrief.pdf"
    target.write_bytes(b"previous export")
    with library_document(tmp_path) as document:
        data = assemble_debrief(document, drive_run(document).run_id)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    from ctpn_desktop.core.report import pdf

    monkeypatch.setattr(pdf._DebriefDoc, "build", broken)
    with pytest.raises(RuntimeError):
        render_debrief(data, target)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []
    monkeypatch.undo()
    render_debrief(data, target)
    assert target.read_bytes().startswith(b"%PDF")


def test_an_entry_longer_than_a_page_flows_over_pages(tmp_path: Path) -> None:
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    paragraphs = "\n".join(f"Paragraph {i}: the strategic coordinating group reviewed the casualty figures." for i
                           in range(120))
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        LogService(document, "laptop-a", source).append(
            run.id, LogDraft(kind=LogKind.INFORMATION, text=paragraphs, organisation="SCG"), exercise_s=60)
        data = assemble_debrief(document, run.id, DebriefOptions(sections={Section.DECISIONS}))
        out = render_debrief(data, tmp_path / "long.pdf")
    flat = squash("\n".join(page_texts(out)))
    assert squash("Paragraph 0:") in flat and squash("Paragraph 119: the strategic") in flat


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_every_page_rasterises(tmp_path: Path) -> None:
    """A second PDF reader (poppler) opens every page; the PNGs are kept for people to look at."""
    with library_document(tmp_path) as document:
        data = assemble_debrief(document, drive_run(document).run_id, DebriefOptions(draft=True))
        out = render_debrief(data, tmp_path / "debrief.pdf")
    shots = tmp_path / "shots"
    shots.mkdir()
    result = subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(shots / "page")], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and "Error" not in result.stderr, result.stderr
    assert len(list(shots.glob("page-*.png"))) == len(PdfReader(out).pages)


def test_a_logo_is_placed_on_the_cover_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    def png(width: int, height: int) -> bytes:
        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        raw = b"".join(b"\x00" + b"\x1f\x3a\x5f" * width for _ in range(height))
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

    logo = tmp_path / "logo.png"
    logo.write_bytes(png(120, 40))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with library_document(tmp_path) as document:
        run_id = drive_run(document).run_id
        good = assemble_debrief(document, run_id, DebriefOptions(logo_path=logo))
        bad = assemble_debrief(document, run_id, DebriefOptions(logo_path=broken))
    out = render_debrief(good, tmp_path / "logo.pdf")
    assert PdfReader(out).pages[0].images
    with pytest.raises(DebriefError, match="logo cannot be read"):
        render_debrief(bad, tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()


def test_a_long_log_keeps_every_entry_in_order_with_its_header_on_every_page(tmp_path: Path) -> None:
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        log = LogService(document, "laptop-a", source)
        for number in range(1, 181):
            words = " ".join(["cordon"] * (number % 23 * 9 + 1))
            log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"Marker{number:04d} {words}",
                                        rationale="Ελληνικά & кириллица <ok>" if number % 7 == 0 else "",
                                        decision_maker="Gold", organisation="Police"), exercise_s=number * 20)
            source.advance(5)
        data = assemble_debrief(document, run.id, DebriefOptions(sections={Section.DECISIONS}))
        out = render_debrief(data, tmp_path / "long-log.pdf")
    pages = page_texts(out)
    log_pages = [page for page in pages if "Marker" in page]
    assert len(log_pages) > 5
    assert all("Decision maker" in page for page in log_pages)  # the header row repeats on every page
    flat = squash("\n".join(pages))
    positions = [flat.index(f"Marker{n:04d}") for n in range(1, 181)]
    assert positions == sorted(positions)
    assert all(flat.count(f"Marker{n:04d}") == 1 for n in range(1, 181))
    assert flat.count(squash("Ελληνικά & кириллица <ok>")) == 180 // 7

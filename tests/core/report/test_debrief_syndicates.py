"""The debrief compares a run's syndicates question by question, in the PDF and in the accessible HTML."""

from __future__ import annotations

from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.report.debrief_data import DebriefOptions, Section, assemble_debrief
from ctpn_desktop.core.report.html import debrief_html
from ctpn_desktop.core.report.pdf import render_debrief
from ctpn_desktop.core.services.runs import RunService

from tests.core.report.debrief_helpers import (
    ANSWER_A,
    ANSWER_B,
    READBACK_A,
    SYNDICATE_A,
    SYNDICATE_B,
    drive_run,
    page_texts,
    squash,
)
from tests.core.report.test_debrief_html import outline_of
from tests.factories import library_document


def test_the_syndicates_section_sets_each_syndicates_answers_side_by_side(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        data = assemble_debrief(document, driven.run_id)
        first = RunService(document, FakeTimeSource()).frozen_scenario(driven.run_id).phases[0]
        out = render_debrief(data, tmp_path / "debrief.pdf")
    assert [line.name for line in data.syndicates] == [SYNDICATE_A, SYNDICATE_B]
    assert [(line.entries, line.answers, line.readbacks) for line in data.syndicates] == [(1, 1, 1), (1, 1, 0)]
    assert sorted(data.entry_syndicates.values()) == sorted([SYNDICATE_A, SYNDICATE_B])
    question = data.syndicate_questions[0]
    assert question.question == first.discussion_questions[0] and question.answered == 2
    pages = page_texts(out)
    whole = "\n".join(pages)
    start = next(n for n, page in enumerate(pages) if "Facilitator and note-taker" in page)
    section = squash("".join(pages[start:start + 3]))
    for words in (SYNDICATE_A, SYNDICATE_B, ANSWER_A, ANSWER_B, READBACK_A, first.discussion_questions[0],
                  "Dr Ines Moreau", "Ζωή Παπαδοπούλου", "Plenary read-back", "1 entry, 1 answer, 1 read-back"):
        assert squash(words) in section, words
    assert squash(first.discussion_questions[1]) in section  # an unanswered question is listed, and says so
    assert "Norecordedsyndicate" not in section and squash("No syndicate recorded an answer") in section
    assert whole.count(Section.SYNDICATES.heading) >= 2  # in the contents and as the heading
    assert squash(f"Syndicate: {SYNDICATE_A}") in squash(whole)  # beside its entry in the decision log
    assert "&lt;Athína" not in whole and "&amp; Bruges" not in whole and "<Athína>" in whole


def test_the_html_compares_syndicates_in_captioned_tables(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        driven = drive_run(document)
        html = debrief_html(assemble_debrief(document, driven.run_id))
    outline = outline_of(html)
    assert Section.SYNDICATES.heading in [title for _, title in outline.headings]
    assert "Question 1. " in html and "<caption>The syndicates</caption>" in html
    assert "Syndicate Α &lt;Athína&gt;" in html and "Syndicate B &amp; Bruges" in html
    assert "&lt;after M/ETHANE&gt;" in html and "<after" not in html
    assert '<span class="label">Syndicate:</span> Syndicate Α &lt;Athína&gt;' in html


def test_a_run_without_syndicates_has_no_syndicates_section(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        run = RunService(document, FakeTimeSource()).create_run("Live")
        data = assemble_debrief(document, run.id, DebriefOptions())
        html = debrief_html(data)
    assert Section.SYNDICATES not in data.sections and Section.DECISIONS in data.sections
    assert Section.SYNDICATES.heading not in [title for _, title in outline_of(html).headings]

"""The exercise programme for participants: agenda, speakers, syndicates, venue and the marking on every page,
and nothing that only controllers may see."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest

from ctpn_desktop.core.entities import AgendaItem, AgendaKind, Programme, ProgrammeSession, Speaker
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.report.programme import (
    EXERCISE_BANNER,
    ProgrammeOptions,
    programme_data,
    programme_html,
    render_programme,
    render_programme_html,
)
from ctpn_desktop.core.services.document import create_document
from ctpn_desktop.core.services.scenario import ScenarioService

from ctpn_desktop.cli import main
from tests.core.report.debrief_helpers import page_texts, squash
from tests.core.report.test_debrief_html import outline_of
from tests.factories import LIBRARY

SCENARIO = LIBRARY / "city-recovery-consequence-management.json"
SECRETS = {
    "controller_notes": "SECRET-NOTE-🚫-controllers only",
    "expected_actions": "SECRET-EXPECTED-players should",
    "content": "SECRET-CONTENT-of the inject",
    "title": "SECRET-INJECT-TITLE",
    "sender": "SECRET-SENDER",
}


def scenario_with_secrets() -> tuple:
    """The library scenario with every controller-only or not-yet-released field marked, so a leak shows."""
    scenario, blobs = read_scenario_file(SCENARIO)
    injects = tuple(replace(i, **{k: f"{v} {i.number}" for k, v in SECRETS.items()}) for i in scenario.injects)
    phases = tuple(replace(p, name=f"SECRET-PHASE {p.key}", narrative="SECRET-NARRATIVE of the phase",
                           discussion_questions=("SECRET-QUESTION for the syndicates",)) for p in scenario.phases)
    exercise = replace(scenario.exercise, threat="SECRET-THREAT vehicle bomb", scope="SECRET-SCOPE of play",
                       narrative="SECRET-GENERAL-IDEA read on the day")
    return replace(scenario, injects=injects, phases=phases, exercise=exercise), blobs


def test_the_pdf_has_the_agenda_speakers_syndicates_and_venue_and_the_marking_on_every_page(tmp_path: Path) -> None:
    scenario, _ = read_scenario_file(SCENARIO)
    data = programme_data(scenario, ProgrammeOptions(organisation_name="Northbridge Resilience Forum"))
    out = render_programme(data, tmp_path / "programme.pdf")
    pages = page_texts(out)
    flat = squash("".join(pages))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL") >= 2, f"page {number} lacks the marking top and bottom"
        assert page.count(EXERCISE_BANNER) >= 2 and f"Page {number} of {len(pages)}" in page
    programme = scenario.programme
    for session in programme.sessions:
        for item in session.items:
            assert squash(item.title) in flat
            assert squash(f"{item.start:%H:%M}–{item.end:%H:%M}") in flat
    for speaker in programme.speakers:
        assert squash(speaker.name) in flat and squash(speaker.biography) in flat
    for syndicate in programme.syndicates:
        assert squash(syndicate.name) in flat and squash(syndicate.facilitator) in flat
        assert all(squash(member) in flat for member in syndicate.members)
    for words in ("Wednesday 06 October 2027", "Riverside Conference Centre", "NB3 4QT", "NO DUPLICITY",
                  "Northbridge Resilience Forum", scenario.objectives[0].statement, "Participating organisations",
                  "Office of HM Senior Coroner for Northbridge"):
        assert squash(words) in flat, words
    assert "Exercise Control" not in flat and "Evaluation Team" not in flat  # cells are not participants


@pytest.mark.parametrize("render", ["pdf", "html"])
def test_nothing_that_only_controllers_may_see_reaches_the_programme(tmp_path: Path, render: str) -> None:
    scenario, _ = scenario_with_secrets()
    data = programme_data(scenario)
    if render == "pdf":
        text = "\n".join(page_texts(render_programme(data, tmp_path / "programme.pdf")))
    else:
        text = render_programme_html(data, tmp_path / "programme.html").read_text(encoding="utf-8")
    assert "SECRET" not in text
    assert squash(scenario.programme.sessions[0].items[0].title) in squash(text)
    with_idea = programme_data(scenario, ProgrammeOptions(include_general_idea=True))
    assert "SECRET-GENERAL-IDEA" in programme_html(with_idea)  # only when asked for, and then only the idea
    assert "SECRET-NOTE" not in programme_html(with_idea) and "SECRET-THREAT" not in programme_html(with_idea)


def test_the_html_is_accessible_and_escapes_what_was_typed() -> None:
    scenario, _ = read_scenario_file(SCENARIO)
    tricky = Programme(
        introduction="Bring <your> plans & ID", speakers=(Speaker("k", "Zoë <Müller>", "Chair & host"),),
        sessions=(ProgrammeSession("Day <one>", items=(AgendaItem(time(9, 0), "Welcome & <intro>",
                                                                  time(9, 30), AgendaKind.WELCOME, ("k",)),)),))
    html = programme_html(programme_data(replace(scenario, programme=tricky),
                                         ProgrammeOptions(marking_override="official-sensitive </style>")))
    outline = outline_of(html)
    assert [level for level, _ in outline.headings].count("h1") == 1
    titles = [title for _, title in outline.headings]
    assert {"Welcome", "About the exercise", "Agenda", "Speakers and facilitators", "Contents"} <= set(titles)
    assert "Syndicates" not in titles  # none planned in this programme
    assert "Bring &lt;your&gt; plans &amp; ID" in html and "Welcome &amp; &lt;intro&gt;" in html
    assert "Zoë &lt;Müller&gt;" in html and "<your>" not in html
    assert html.count('role="note"') == 2 and "OFFICIAL-SENSITIVE &lt;/STYLE&gt;" in html
    assert "</style>;" not in html.split("</head>")[0].split("<style>")[1]
    assert outline.tables
    for rows in outline.tables:
        cells = [cell for row in rows for cell in row]
        assert any(cell.tag == "th" for cell in cells)
        assert all(cell.attrs.get("scope") in {"col", "row"} for cell in cells if cell.tag == "th")


def test_an_empty_programme_still_prints_with_an_empty_state(tmp_path: Path) -> None:
    scenario, _ = read_scenario_file(LIBRARY / "metro-chemical-release.json")
    assert scenario.programme.is_empty
    pages = page_texts(render_programme(programme_data(scenario), tmp_path / "programme.pdf"))
    assert squash("The agenda has not been published yet.") in squash("".join(pages))


def test_the_command_line_writes_both_formats_from_a_document_or_a_scenario_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    document = tmp_path / "exercise.ctpn"
    create_document(document, scenario, blobs).close()
    assert main(["programme", str(document), "-o", str(tmp_path / "p.pdf"), "--marking", "OFFICIAL-SENSITIVE"]) == 0
    assert "15 agenda items, 4 syndicates" in capsys.readouterr().out
    assert "OFFICIAL-SENSITIVE" in page_texts(tmp_path / "p.pdf")[0]
    assert main(["programme", str(SCENARIO), "-o", str(tmp_path / "p.html")]) == 0
    assert "<h1>Exercise COMMON GROUND</h1>" in (tmp_path / "p.html").read_text(encoding="utf-8")
    assert main(["programme", str(SCENARIO), "-o", str(tmp_path / "p.txt")]) == 2
    assert "must end in .pdf or .html" in capsys.readouterr().err


def test_the_programme_round_trips_through_a_document_and_the_json_format(tmp_path: Path) -> None:
    scenario, blobs = read_scenario_file(SCENARIO)
    with create_document(tmp_path / "exercise.ctpn", scenario, blobs) as document:
        service = ScenarioService(document)
        assert service.load().programme == scenario.programme
        changed = replace(scenario.programme, notes="Lanyards at the door")
        service.put_programme(changed)
        assert service.load().programme.notes == "Lanyards at the door"
    original = json.loads(SCENARIO.read_text(encoding="utf-8"))
    assert original["programme"]["sessions"][0]["items"][0]["start"] == "08:30"

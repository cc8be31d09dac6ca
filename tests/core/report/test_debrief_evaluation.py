"""The debrief as an after-action report: HSEEP order, executive summary, response times, revised and evidenced
observations, and the log code on every page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import Evidence, EvidenceKind
from ctpn_desktop.core.report.debrief_data import DebriefData, Section, assemble_debrief
from ctpn_desktop.core.report.html import debrief_html
from ctpn_desktop.core.report.pdf import LOG_CODE_LABEL, render_debrief
from ctpn_desktop.core.services.chain_code import chain_seal
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService

from tests.core.report.debrief_helpers import page_texts, squash
from tests.core.report.test_response_analytics import known_run
from tests.factories import library_document


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[DebriefData, Path]:
    """The run with known response figures, evaluated: an observation citing entries, then revised; another
    withdrawn; a reviewed executive summary."""
    folder = tmp_path_factory.mktemp("evaluated")
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 19, 0, tzinfo=UTC))
    with library_document(folder) as document:
        run_id = known_run(document).run_id
        objectives = RunService(document, source).frozen_scenario(run_id).objectives
        entries = LogService(document, "reader", source).entries(run_id)
        evaluation = EvaluationService(document, source, "laptop-e")
        cited = [Evidence(EvidenceKind.LOG_ENTRY, entries[1].entry_id)]
        observation = evaluation.add_observation(run_id, objective_id=objectives[0].id, evaluator="R. Okafor",
                                                 rating="S", text="Fire answered first", strengths="Quick fire",
                                                 improvements="Police slower", evidence=cited)
        source.advance(900)
        evaluation.revise_observation(observation.id, reason="Timings checked against the log",
                                      objective_id=objectives[0].id, evaluator="R. Okafor", rating="M",
                                      text="Fire answered first; police 60 s later", strengths="Quick fire",
                                      improvements="Police slower", evidence=[
                                          *cited, Evidence(EvidenceKind.LOG_ENTRY, entries[2].entry_id)])
        dropped = evaluation.add_observation(run_id, objective_id=None, evaluator="E", rating=None,
                                             text="Duplicate remark")
        evaluation.withdraw_observation(dropped.id, "Same as R. Okafor's")
        evaluation.save_executive_summary(run_id, strengths=["Fire control answered within 90 s"],
                                          improvements=["Police decisions came five minutes after the release"])
        data = assemble_debrief(document, run_id, source=source)
        assert data.seal is not None and data.seal == chain_seal(document, run_id)
    return data, render_debrief(data, folder / "debrief.pdf")


def test_every_page_carries_the_log_code(evaluated: tuple[DebriefData, Path]) -> None:
    data, pdf = evaluated
    pages = page_texts(pdf)
    assert len(data.code) == 14 and len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert f"{LOG_CODE_LABEL} {data.code}" in page, f"page {number} lacks the log code"


def test_the_sections_follow_the_after_action_report_order(evaluated: tuple[DebriefData, Path]) -> None:
    _, pdf = evaluated
    body = squash("\n".join(page_texts(pdf)[2:]))  # after the cover and the contents
    order = [Section.OVERVIEW, Section.SUMMARY, Section.OBSERVATIONS, Section.IMPROVEMENT, Section.PARTICIPANTS]
    positions = [body.index(squash(section.heading)) for section in order]
    assert positions == sorted(positions)
    assert Section.IMPROVEMENT.heading.startswith("Appendix A") and Section.PARTICIPANTS.heading.startswith(
        "Appendix B")


def test_the_executive_summary_and_the_analysis_show_the_current_text(evaluated: tuple[DebriefData, Path]) -> None:
    _, pdf = evaluated
    flat = squash("\n".join(page_texts(pdf)))
    for phrase in ("Major strengths", "Fire control answered within 90 s", "Primary areas for improvement",
                   "Police decisions came five minutes after the release", "Ratings at a glance",
                   "Fire answered first; police 60 s later", "Evidence: entry 2, entry 3",
                   "Revised 12 Dec 2027 19:15 UTC (version 2). Reason: Timings checked against the log",
                   "Withdrawn after review", "Same as R. Okafor's"):
        assert squash(phrase) in flat, phrase
    assert squash("Fire answered first Quick fire") not in flat  # the first wording is not the analysis


def test_the_response_tables_give_the_known_figures(evaluated: tuple[DebriefData, Path]) -> None:
    _, pdf = evaluated
    flat = squash("\n".join(page_texts(pdf)))
    section = flat[flat.index(squash("Response times by organisation")):]
    for row in ("Council 1 1 min 00 s 1 min 00 s 1 min 00 s 1", "Fire 1 1 min 30 s 1 min 30 s 4 min 00 s 1",
                "Police 1 2 min 30 s 2 min 30 s 5 min 00 s 1"):
        assert squash(row) in section, row
    unanswered = section[section.index(squash("Injects that drew no response")):]
    assert squash("2 First officers at scene") in unanswered[:200]
    for line in ("Fire entry 1 min 30 s · decision 4 min 00 s", "Police entry 2 min 30 s · decision 5 min 00 s",
                 "No response logged: Ambulance", "Council entry 1 min 00 s · decision 1 min 00 s"):
        assert squash(line) in section, line
    stages = section[section.index(squash("Decisions by stage of the Joint Decision Model")):]
    assert squash("5 – Take action and review what happened 2 50 %") in stages
    assert squash("Stage not recorded 1 25 %") in stages


def test_the_html_has_the_same_summary_figures_and_code(evaluated: tuple[DebriefData, Path]) -> None:
    data, _ = evaluated
    html = debrief_html(data)
    for phrase in ("Executive summary", "Fire control answered within 90 s", "Response analysis",
                   "Injects that drew no response", "1 min 30 s", f"{LOG_CODE_LABEL} {data.code}",
                   "Timings checked against the log", "QR code of the log seal"):
        assert phrase in html, phrase

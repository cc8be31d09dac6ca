"""Response times of a run built here with known figures: inject by inject, organisation by organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import JdmStage, LogKind
from ctpn_desktop.core.report.analytics import ResponseAnalytics, format_delay, response_analytics
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document


@dataclass(frozen=True)
class KnownRun:
    run_id: str
    analytics: ResponseAnalytics


def known_run(document: Document) -> KnownRun:
    """Inject 1 out at 0:04:00 (answered by Fire after 90 s and Police after 150 s, decisions after 240 s and
    300 s); inject 2 out at 0:09:00 (only an entry logged before it and a withdrawn one: no response); inject 3
    skipped; ad-hoc A1 at 0:20:00 answered by the Council after 60 s with a decision."""
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    runs = RunService(document, source)
    run = runs.create_run("Known figures")
    injects = {i.number: i.id for i in runs.frozen_scenario(run.id).injects}
    log = LogService(document, "laptop-a", source)

    def at(seconds: float) -> None:
        source.advance(seconds - runs.clock(run.id).elapsed())

    def entry(seconds: float, kind: LogKind, organisation: str, inject: str | None, stage: JdmStage | None = None,
              ) -> str:
        at(seconds)
        return log.append(run.id, LogDraft(kind=kind, text=f"{organisation} at {seconds}", organisation=organisation,
                                           inject_id=inject, jdm_stage=stage), exercise_s=seconds).entry_id

    runs.start(run.id)
    entry(200, LogKind.INFORMATION, "Police", injects[2])  # before inject 2 went out: not a response
    at(240)
    runs.release(run.id, injects[1])
    entry(330, LogKind.INFORMATION, "Fire", injects[1], JdmStage.GATHER_INFORMATION)
    entry(390, LogKind.ACTION, "Police", injects[1])
    entry(480, LogKind.DECISION, "fire", injects[1], JdmStage.TAKE_ACTION)  # the same organisation, other case
    at(540)
    runs.release(run.id, injects[2])
    entry(540, LogKind.DECISION, "Police", injects[1], JdmStage.TAKE_ACTION)
    withdrawn = entry(600, LogKind.DECISION, "Police", injects[2])
    log.withdraw(withdrawn, "Logged against the wrong inject")
    runs.skip(run.id, injects[3])
    entry(700, LogKind.DECISION, "Ambulance", None, JdmStage.OPTIONS)
    at(1200)
    adhoc, _ = runs.add_adhoc(run.id, "Consulate calls", "Who informs the families?")
    entry(1260, LogKind.DECISION, "Council", adhoc.id)
    scenario = runs.frozen_scenario(run.id)
    analytics = response_analytics(scenario, runs.events(run.id), runs.adhoc_injects(run.id), log.entries(run.id))
    return KnownRun(run.id, analytics)


@pytest.fixture
def known(tmp_path: Path) -> KnownRun:
    with library_document(tmp_path) as document:
        return known_run(document)


def test_each_released_inject_has_its_first_entry_and_decision_per_organisation(known: KnownRun) -> None:
    analytics = known.analytics
    assert [(i.number, i.released_s) for i in analytics.injects] == [("1", 240), ("2", 540), ("A1", 1200)]
    first, second, adhoc = analytics.injects
    assert [(o.organisation, o.first_entry_s, o.first_decision_s, o.entries, o.decisions)
            for o in first.organisations] == [("Fire", 90, 240, 2, 1), ("Police", 150, 300, 2, 1)]
    assert (first.first_entry_s, first.first_decision_s, first.first_responder) == (90, 240, "Fire")
    assert first.silent_recipients == ("Ambulance",)  # a recipient that logged nothing about it
    assert not second.responded and second.first_entry_s is None and second.silent_recipients == ("Police",)
    assert (adhoc.adhoc, adhoc.first_entry_s, adhoc.first_decision_s, adhoc.first_decider) == (True, 60, 60,
                                                                                               "Council")
    assert analytics.unanswered == (second,)
    assert analytics.median_first_entry_s == 75 and analytics.median_first_decision_s == 150


def test_figures_per_organisation_and_per_decision_model_stage(known: KnownRun) -> None:
    analytics = known.analytics
    assert [(f.organisation, f.injects_answered, f.median_first_entry_s, f.median_first_decision_s, f.decisions)
            for f in analytics.organisations] == [("Council", 1, 60, 60, 1), ("Fire", 1, 90, 240, 1),
                                                  ("Police", 1, 150, 300, 1)]
    assert analytics.decisions == 4  # the withdrawn decision does not count
    counts = {s.stage: s.decisions for s in analytics.stages}
    assert counts == {JdmStage.GATHER_INFORMATION: 0, JdmStage.ASSESS_RISKS: 0, JdmStage.POWERS_POLICIES: 0,
                      JdmStage.OPTIONS: 1, JdmStage.TAKE_ACTION: 2, None: 1}
    assert analytics.stages[-1].label == "Stage not recorded"


def test_a_run_with_nothing_released_has_no_figures(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        runs = RunService(document, FakeTimeSource(wall=datetime(2027, 12, 12, tzinfo=UTC)))
        run = runs.create_run()
        analytics = response_analytics(runs.frozen_scenario(run.id), [], [], [])
    assert analytics.injects == () and analytics.median_first_entry_s is None and analytics.decisions == 0


@pytest.mark.parametrize(("seconds", "text"), [(None, "—"), (0, "0 s"), (59.6, "1 min 00 s"), (245, "4 min 05 s"),
                                               (3720, "1 h 02 min")])
def test_delays_read_as_minutes_and_seconds(seconds: float | None, text: str) -> None:
    assert format_delay(seconds) == text

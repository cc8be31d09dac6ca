"""Export then import: every scenario comes back with the same injects, through CSV and through XLSX."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctpn_desktop.core.entities import DeliveryMethod, EventType, Inject, InjectStatus, Recipient, Scenario
from ctpn_desktop.core.io.msel_read import is_placeholder
from ctpn_desktop.core.io.msel_write import write_msel_csv, write_msel_xlsx
from ctpn_desktop.core.io.scenario_json import read_scenario_file

from tests.conftest import LIBRARY
from tests.core.io.msel_helpers import (
    empty_scenario,
    preview_file,
    reimport,
    sample_scenario,
    signatures,
    without_injects,
)

WRITERS = {"csv": write_msel_csv, "xlsx": write_msel_xlsx}
LIBRARY_FILES = sorted(LIBRARY.glob("*.json"))


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_sample_scenario_round_trips_into_its_own_structure(tmp_path: Path, kind: str) -> None:
    scenario = sample_scenario()
    path = tmp_path / f"msel.{kind}"
    WRITERS[kind](scenario, path)
    preview = preview_file(path)
    assert preview.errors == () and preview.warnings == ()
    back = reimport(path, without_injects(scenario))
    assert signatures(back) == signatures(scenario)
    assert back.organisations == scenario.organisations
    assert back.phases == scenario.phases
    assert back.objectives == scenario.objectives


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_sample_scenario_round_trips_into_an_empty_scenario(tmp_path: Path, kind: str) -> None:
    scenario = sample_scenario()
    path = tmp_path / f"msel.{kind}"
    WRITERS[kind](scenario, path)
    back = reimport(path, empty_scenario())
    assert signatures(back) == signatures(scenario)
    assert {p.name for p in back.phases} == {p.name for p in scenario.phases}
    assert {o.code for o in back.objectives} == {"O1", "O2"}


@pytest.mark.skipif(not LIBRARY_FILES, reason="the scenario library (scenarios/*.json) is empty")
@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("library_file", LIBRARY_FILES, ids=[p.stem for p in LIBRARY_FILES])
def test_every_library_scenario_round_trips(tmp_path: Path, library_file: Path, kind: str) -> None:
    scenario, _ = read_scenario_file(library_file)
    path = tmp_path / f"{library_file.stem}.{kind}"
    WRITERS[kind](scenario, path)
    preview = preview_file(path)
    assert [str(p) for p in preview.errors + preview.warnings] == []
    back = reimport(path, without_injects(scenario))
    assert signatures(back) == signatures(scenario)
    assert back.organisations == scenario.organisations and back.phases == scenario.phases


def _plain_text(min_size: int = 0) -> st.SearchStrategy[str]:
    """Text as designers type it: any printable characters, no blanks around it, never just a placeholder."""
    alphabet = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85") | \
        st.sampled_from(list("=+-@'\";,\n" + string.punctuation))
    prefixes = st.sampled_from(["", "", "", "'", "''", "'=", "''+", "=", "+", "-", "@", "-1", "'tis "])
    texts = st.tuples(prefixes, st.text(alphabet, max_size=60)).map(lambda parts: "".join(parts).strip())
    return texts.filter(
        lambda t: (len(t) >= min_size) and not is_placeholder(t) and "\r" not in t
    )


@st.composite
def _scenarios(draw: st.DrawFn) -> Scenario:
    base = sample_scenario()
    count = draw(st.integers(min_value=1, max_value=8))
    numbers = draw(st.lists(st.integers(min_value=1, max_value=999_999), min_size=count, max_size=count,
                            unique=True))
    injects = []
    org_ids = [o.id for o in base.organisations]
    for index, number in enumerate(numbers):
        title = draw(_plain_text(1))
        injects.append(Inject(
            id=f"h-{index}", number=number, title=title, position=index,
            planned_offset_s=draw(st.integers(min_value=-86400, max_value=10 * 86400)),
            phase_id=draw(st.sampled_from([None, "p-1", "p-2"])),
            scenario_time=draw(st.none() | st.datetimes(min_value=datetime(1990, 1, 1),
                                                      max_value=datetime(2090, 1, 1)).map(
                lambda d: d.replace(microsecond=0))),
            content=draw(_plain_text()), delivery_method=draw(st.sampled_from(list(DeliveryMethod))),
            event_type=draw(st.sampled_from(list(EventType))), sender=draw(_plain_text()),
            expected_actions=draw(_plain_text()), controller_notes=draw(_plain_text()),
            storyline=draw(_plain_text().filter(lambda t: "\n" not in t)),
            status=draw(st.sampled_from(list(InjectStatus))),
            recipients=tuple(Recipient(o) for o in draw(st.lists(st.sampled_from(org_ids), unique=True,
                                                                  max_size=3))),
            objective_ids=tuple(draw(st.lists(st.sampled_from(["obj-1", "obj-2"]), unique=True))),
        ))
    return Scenario(base.exercise, base.objectives, base.organisations, base.phases, tuple(injects))


@settings(max_examples=40, deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=_scenarios())
def test_any_injects_round_trip_through_csv(tmp_path: Path, scenario: Scenario) -> None:
    path = tmp_path / "msel.csv"
    write_msel_csv(scenario, path)
    assert signatures(reimport(path, without_injects(scenario))) == signatures(scenario)


@settings(max_examples=15, deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=_scenarios())
def test_any_injects_round_trip_through_xlsx(tmp_path: Path, scenario: Scenario) -> None:
    path = tmp_path / "msel.xlsx"
    write_msel_xlsx(scenario, path)
    assert signatures(reimport(path, without_injects(scenario))) == signatures(scenario)

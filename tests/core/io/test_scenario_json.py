"""Scenario format v1: the library round-trips exactly; bad files are refused with field paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctpn_desktop.core.errors import ScenarioFormatError
from ctpn_desktop.core.io.scenario_json import (
    dumps,
    from_scenario,
    json_schema,
    parse_scenario_text,
    read_scenario_file,
    to_scenario,
)
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.scenario import ScenarioService

from tests.factories import LIBRARY

LIBRARY_FILES = sorted(LIBRARY.glob("*.json"))
MINIMAL = {"format": "ctpn-scenario", "version": 1, "exercise": {"title": "Exercise TEST"},
           "objectives": [{"code": "O1", "statement": "Share information"}],
           "organisations": [{"key": "police", "name": "Police", "roles": [{"key": "gold", "name": "Gold"}]}],
           "phases": [{"key": "p1", "name": "Phase 1"}],
           "injects": [{"number": 1, "phase": "p1", "planned_offset": "0:05", "title": "Call",
                        "recipients": ["police/gold"], "objectives": ["O1"]}]}


def problems_of(document: object) -> dict[str, str]:
    text = document if isinstance(document, (str, bytes)) else json.dumps(document)
    with pytest.raises(ScenarioFormatError) as caught:
        parse_scenario_text(text)
    return dict(caught.value.problems)


def test_the_library_has_four_full_scenarios() -> None:
    assert len(LIBRARY_FILES) >= 4
    for path in LIBRARY_FILES:
        scenario, _ = read_scenario_file(path)
        assert scenario.exercise.aim
        assert 3 <= len(scenario.objectives) <= 6
        assert len([o for o in scenario.organisations if o.kind.value == "agency"]) >= 5
        assert len(scenario.phases) >= 3 and all(p.discussion_questions for p in scenario.phases)
        assert len(scenario.injects) >= 15
        for inject in scenario.injects:
            assert inject.content and inject.expected_actions and inject.recipients and inject.objective_ids
            assert inject.sender and inject.controller_notes and inject.phase_id


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.stem)
def test_library_scenarios_import_export_and_reimport_identically(tmp_path: Path, path: Path) -> None:
    scenario, blobs = read_scenario_file(path)
    with create_document(tmp_path / "first.ctpn", scenario, blobs) as first:
        service = ScenarioService(first)
        exported = dumps(from_scenario(service.load(), service.attachment_blobs()))
    again, again_blobs = to_scenario(parse_scenario_text(exported))
    with create_document(tmp_path / "second.ctpn", again, again_blobs) as second:
        service = ScenarioService(second)
        reexported = dumps(from_scenario(service.load(), service.attachment_blobs()))
    assert reexported == exported
    assert ScenarioService(open_document(tmp_path / "second.ctpn")).load().injects == again.injects
    template = from_scenario(again, again_blobs, with_ids=False)
    original = json.loads(path.read_text(encoding="utf-8"))
    assert [i["title"] for i in template["injects"]] == [i["title"] for i in original["injects"]]


def test_attachments_survive_the_round_trip(tmp_path: Path) -> None:
    document = json.loads(json.dumps(MINIMAL))
    document["injects"][0]["attachments"] = [{"filename": "map.png", "media_type": "image/png",
                                              "data_base64": "iVBORw0KGgo="}]
    scenario, blobs = to_scenario(parse_scenario_text(json.dumps(document)))
    with create_document(tmp_path / "a.ctpn", scenario, blobs) as created:
        service = ScenarioService(created)
        attachment = service.load().injects[0].attachments[0]
        assert service.attachment_data(attachment.id) == b"\x89PNG\r\n\x1a\n"


def test_wrong_types_and_missing_fields_name_their_paths() -> None:
    broken = json.loads(json.dumps(MINIMAL))
    broken["injects"][0]["number"] = "first"
    del broken["injects"][0]["title"]
    broken["exercise"]["planned_duration_minutes"] = -5
    problems = problems_of(broken)
    assert "injects[0].number" in problems
    assert "injects[0].title" in problems
    assert "exercise.planned_duration_minutes" in problems


def test_unknown_references_are_refused_with_their_paths() -> None:
    broken = json.loads(json.dumps(MINIMAL))
    broken["injects"][0]["objectives"] = ["O1", "O9"]
    broken["injects"][0]["recipients"] = ["police/silver", "fire"]
    broken["injects"][0]["phase"] = "p7"
    problems = problems_of(broken)
    assert problems["injects[0].objectives[1]"] == "unknown objective 'O9'"
    assert "unknown role 'silver'" in problems["injects[0].recipients[0]"]
    assert "unknown organisation 'fire'" in problems["injects[0].recipients[1]"]
    assert "unknown phase" in problems["injects[0].phase"]


def test_duplicates_and_unknown_fields_are_refused() -> None:
    broken = json.loads(json.dumps(MINIMAL))
    broken["injects"].append(dict(broken["injects"][0]))
    assert "duplicate number 1" in problems_of(broken)["injects[1].number"]
    broken["exercise"]["tilte"] = "typo"
    assert "exercise.tilte" in problems_of(broken)


def test_bytes_that_are_not_utf8_are_refused() -> None:
    problems = problems_of(json.dumps(MINIMAL).replace("Call", "Caf\u00e9").encode("latin-1"))
    assert "not UTF-8" in problems["(document)"]


def test_syntax_errors_give_line_and_column() -> None:
    problems = problems_of('{"format": "ctpn-scenario",\n "version": 1,,}')
    assert "line 2" in problems["(document)"]


def test_other_formats_and_newer_versions_are_refused() -> None:
    assert "not a CTPN scenario" in problems_of({"format": "something-else", "version": 1})["format"]
    assert "newer" in problems_of({**MINIMAL, "version": 2})["version"]
    assert "JSON object" in problems_of("[1, 2, 3]")["(document)"]


def test_bad_offsets_and_hostile_attachment_names_are_refused() -> None:
    broken = json.loads(json.dumps(MINIMAL))
    broken["injects"][0]["planned_offset"] = "9:99"
    broken["injects"][0]["attachments"] = [{"filename": "../../etc/passwd", "data_base64": "aGk="},
                                           {"filename": "ok.txt", "data_base64": "***"}]
    problems = problems_of(broken)
    assert "time offset" in problems["injects[0].planned_offset"]
    assert "plain file name" in problems["injects[0].attachments[0].filename"]
    assert "base64" in problems["injects[0].attachments[1].data_base64"]


def test_deeply_nested_json_is_refused_cleanly() -> None:
    assert problems_of("[" * 100_000 + "]" * 100_000)["(document)"]


def test_the_published_schema_matches_the_models() -> None:
    published = LIBRARY.parent / "docs" / "scenario-v1.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == json_schema()

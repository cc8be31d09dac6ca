"""The inject library: saved as scenario JSON, searched by threat, organisation and method, put into other exercises."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ctpn_desktop.core.entities import AttachmentInfo, DeliveryMethod, InjectStatus
from ctpn_desktop.core.inject_library import InjectLibrary, LibraryError, facets, prepare_insertion, search
from ctpn_desktop.core.io.scenario_json import read_scenario_file

from ctpn_desktop.cli import main
from tests.factories import LIBRARY

METRO = LIBRARY / "metro-chemical-release.json"
CYBER = LIBRARY / "city-services-cyber-attack.json"
DRONE = LIBRARY / "marathon-hostile-drone.json"


@pytest.fixture
def library(tmp_path: Path) -> InjectLibrary:
    library = InjectLibrary(tmp_path / "inject-library")
    for path, numbers in ((METRO, (1, 14)), (CYBER, (2, 7)), (DRONE, (3,))):
        scenario, blobs = read_scenario_file(path)
        library.save(scenario, [i for i in scenario.injects if i.number in numbers], blobs)
    return library


def test_each_saved_inject_is_a_valid_scenario_file(library: InjectLibrary, capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    items, problems = library.load()
    assert len(items) == 5 and problems == []
    metro, _ = read_scenario_file(METRO)
    first = next(i for i in items if i.inject.title == metro.injects[0].title)
    assert first.threat == metro.exercise.threat and first.saved_from == "Exercise STILL AIR"
    assert first.marking == "OFFICIAL" and first.organisations == ("Northbridge Metro (transport operator)",)
    assert [o.code for o in first.source.objectives] == ["O1", "O3"]
    assert first.inject.phase_id is None and first.inject.depends_on_id is None
    document = json.loads(first.path.read_text(encoding="utf-8"))
    assert "id" not in document["injects"][0] and document["format"] == "ctpn-scenario"
    assert main(["validate", str(first.path)]) == 0
    assert main(["new", "--from", str(first.path), str(tmp_path / "from-library.ctpn")]) == 0
    capsys.readouterr()


def test_search_by_words_threat_organisation_and_method(library: InjectLibrary) -> None:
    items, _ = library.load()
    titles = lambda found: sorted(i.title for i in found)  # noqa: E731
    assert len(search(items)) == 5
    assert titles(search(items, threat="chemical")) == titles(i for i in items if i.saved_from == "Exercise STILL AIR")
    assert titles(search(items, threat="cyber water")) == titles(search(items, threat="DARK RELAY"))
    assert {i.saved_from for i in search(items, organisation="metro")} == {"Exercise STILL AIR"}
    assert titles(search(items, organisation="water")) == ["Fellside treatment works: a dosing set-point changed"]
    assert all(i.method is DeliveryMethod.PHONE for i in search(items, method=DeliveryMethod.PHONE))
    assert titles(search(items, "GAS attack")) == ["National news: 'gas attack' and mixed messages"]
    assert search(items, "gas", method=DeliveryMethod.EMAIL) == []
    assert search(items, "kingsgate", threat="drone") == []
    threats, organisations = facets(items)
    assert len(threats) == 3 and "Northbridge Water (water company)" in organisations


def test_broken_and_foreign_files_are_reported_and_the_rest_still_load(library: InjectLibrary) -> None:
    (library.folder / "broken.json").write_text('{"format": "ctpn-scenario", "version": 1, "exe', encoding="utf-8")
    (library.folder / "whole.json").write_bytes(METRO.read_bytes())
    (library.folder / "notes.txt").write_text("not a library file", encoding="utf-8")
    items, problems = library.load()
    assert len(items) == 5
    assert any(p.startswith("broken.json: (document): not valid JSON") for p in problems)
    assert any(p.startswith("whole.json: holds 23 injects") for p in problems)
    assert not any("notes.txt" in p for p in problems)
    assert InjectLibrary(library.folder / "missing").load() == ([], [])


def test_inserting_maps_recipients_adds_what_is_missing_and_keeps_only_the_same_objectives(
        library: InjectLibrary) -> None:
    items, _ = library.load()
    target, _ = read_scenario_file(LIBRARY / "christmas-market-mta.json")
    chosen = [i for i in items if i.saved_from in {"Exercise STILL AIR", "Exercise DARK RELAY"}]
    phase = target.phases[1]
    insertion = prepare_insertion(target, chosen, first_number=100, planned_offset_s=phase.start_offset_s + 60,
                                  phase_id=phase.id, position=7)
    assert [i.number for i in insertion.injects] == [100, 101, 102, 103]
    assert all(i.phase_id == phase.id and i.planned_offset_s == phase.start_offset_s + 60
               and i.status is InjectStatus.DRAFT and i.scenario_time is None for i in insertion.injects)
    assert {i.id for i in insertion.injects}.isdisjoint({i.inject.id for i in chosen})
    police = next(o for o in target.organisations if o.key == "police")
    news = next(i for i in insertion.injects if "gas attack" in i.title)
    assert any(r.organisation_id == police.id for r in news.recipients)  # matched by key: no new Police
    added = {o.name for o in insertion.added_organisations}
    assert {"Northbridge Metro (transport operator)", "Northbridge Water (water company)"} <= added
    assert "Northbridge Police Service" not in added
    known_roles = {r.id for o in (*target.organisations, *insertion.grown_organisations,
                                  *insertion.added_organisations) for r in o.roles}
    assert all(r.role_id in known_roles for i in insertion.injects for r in i.recipients if r.role_id)
    assert len(insertion.injects[0].recipients) == len(chosen[0].inject.recipients)
    assert all(i.objective_ids == () for i in insertion.injects)  # other exercises' O1 is not this one's O1
    assert any("is not one of this exercise's" in note for note in insertion.notes)
    back = prepare_insertion(chosen[0].source, chosen[:1], first_number=2, planned_offset_s=0, phase_id=None,
                             position=0)
    assert back.injects[0].objective_ids == chosen[0].inject.objective_ids and back.added_organisations == ()


def test_attachments_travel_with_the_inject_under_new_identities(library: InjectLibrary) -> None:
    scenario, _ = read_scenario_file(DRONE)
    picture = AttachmentInfo("a1", "map.png", "image/png", 4, "x")
    inject = replace(scenario.injects[5], attachments=(picture,))
    (path,) = library.save(replace(scenario, injects=(inject,)), [inject], {"a1": b"\x89PNG"})
    item = next(i for i in library.load()[0] if i.path == path)
    assert item.inject.attachments[0].filename == "map.png" and list(item.blobs.values()) == [b"\x89PNG"]
    insertion = prepare_insertion(scenario, [item], first_number=99, planned_offset_s=0, phase_id=None, position=0)
    (copied,) = insertion.injects[0].attachments
    assert copied.id not in item.blobs and insertion.blobs == {copied.id: b"\x89PNG"}


def test_export_makes_one_scenario_of_the_chosen_items_and_remove_deletes_their_files(
        library: InjectLibrary, tmp_path: Path) -> None:
    items, _ = library.load()
    out = InjectLibrary.export(items, tmp_path / "export.json", title="Northbridge injects")
    scenario, _ = read_scenario_file(out)
    assert scenario.exercise.title == "Northbridge injects" and scenario.exercise.marking == "OFFICIAL-SENSITIVE"
    assert [i.number for i in scenario.injects] == [1, 2, 3, 4, 5]
    assert sorted(i.title for i in scenario.injects) == sorted(i.title for i in items)
    assert len({o.code for o in scenario.objectives}) == len(scenario.objectives)
    assert library.remove(items[:2]) == 2 and len(library.load()[0]) == 3
    assert library.remove(items[:2]) == 0


def test_an_unwritable_library_says_so_and_keeps_nothing_half_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    scenario, blobs = read_scenario_file(METRO)
    with pytest.raises(LibraryError, match="cannot be made"):
        InjectLibrary(blocker / "library").save(scenario, list(scenario.injects[:2]), blobs)

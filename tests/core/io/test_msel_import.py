"""Applying a preview: a new scenario with the injects appended; the old one untouched until confirmed."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

from ctpn_desktop.core.entities import Scenario
from ctpn_desktop.core.io.msel_import import apply_preview, make_key, merge_preview
from ctpn_desktop.core.io.msel_mapping import detect_header
from ctpn_desktop.core.io.msel_parse import ImportPreview, ParsedInject, Severity, parse_rows
from ctpn_desktop.core.io.msel_read import SourceSheet
from ctpn_desktop.core.io.scenario_json import dumps, from_scenario, parse_scenario_text

from tests.core.io.msel_helpers import empty_scenario, preview_file, sample_scenario
from tests.core.io.test_msel_parse import messy_workbook


def preview_of(*rows: tuple[object, ...]) -> ImportPreview:
    sheet = SourceSheet("MSEL", tuple(rows))
    return parse_rows(sheet, detect_header(sheet))


def only(scenario: Scenario, before: Scenario) -> list:
    return list(scenario.injects[len(before.injects):])


def test_injects_are_appended_with_fresh_ids_and_the_original_is_untouched() -> None:
    scenario = sample_scenario()
    snapshot = copy.deepcopy(scenario)
    preview = preview_of(("No.", "Time", "Title"), (20, "09:00", "A"), (21, "09:30", "B"))
    result = apply_preview(scenario, preview)
    assert scenario == snapshot
    assert result is not scenario and result.injects[:5] == scenario.injects
    added = only(result, scenario)
    assert [(i.number, i.title, i.planned_offset_s) for i in added] == [(20, "A", 0), (21, "B", 1800)]
    assert all(uuid.UUID(i.id).version == 4 for i in added)
    assert [i.position for i in added] == [5, 6]


def test_numbers_in_use_are_renumbered_after_the_highest_with_a_note() -> None:
    scenario = sample_scenario()
    preview = preview_of(("No.", "Time", "Title"), (7, "09:00", "Taken"), (14, "09:10", "Free"),
                         ("2-1", "09:20", "Not a number"), (None, "09:30", "No number"),
                         (1, "09:40", "Taken too"))
    outcome = merge_preview(scenario, preview)
    assert [(i.title, i.number) for i in outcome.added] == [
        ("Taken", 15), ("Free", 14), ("Not a number", 16), ("No number", 17), ("Taken too", 18)]
    messages = [(n.row, n.severity, n.message) for n in outcome.notes if n.row is not None]
    assert messages == [
        (2, Severity.WARNING, "number 7 is already used; imported as 15"),
        (4, Severity.INFO, "reference '2-1' imported as number 16"),
        (6, Severity.WARNING, "number 1 is already used; imported as 18"),
    ]


def test_names_match_existing_organisations_roles_phases_and_objectives_regardless_of_case() -> None:
    scenario = sample_scenario()
    preview = preview_of(
        ("Time", "Title", "To", "Phase", "Objectives"),
        ("09:00", "A", "city police;  FIRE ; la", "phase 1 - initial response", "o1, Obj 2"),
        ("09:10", "B", "Police – strategic commander (gold); Tactical Commander", "P2",
         "Agree a joint working strategy."),
        ("09:20", "C", "Fire/silver; Police - Gold", "", "2"),
    )
    outcome = merge_preview(scenario, preview)
    assert (outcome.created_organisations, outcome.created_roles, outcome.created_phases,
            outcome.created_objectives) == ((), (), (), ())
    a, b, c = outcome.added
    labels = [outcome.scenario.recipient_label(r) for r in a.recipients]
    assert labels == ["Police", "Fire", "Local Authority"]
    assert a.phase_id == "p-1" and a.objective_ids == ("obj-1", "obj-2")
    assert [outcome.scenario.recipient_label(r) for r in b.recipients] == [
        "Police – Strategic Commander (Gold)", "Fire – Tactical Commander"]
    assert b.phase_id == "p-2" and b.objective_ids == ("obj-2",)
    assert [outcome.scenario.recipient_label(r) for r in c.recipients] == [
        "Fire – Tactical Commander", "Police – Strategic Commander (Gold)"]
    assert c.phase_id is None and c.objective_ids == ("obj-2",)
    assert outcome.scenario.organisations == scenario.organisations


def test_unknown_names_are_created_and_reported() -> None:
    scenario = sample_scenario()
    preview = preview_of(
        ("Time", "Title", "To", "Phase", "Objectives"),
        ("09:00", "A", "Ambulance Service – Duty Officer; Police – Bronze", "Phase 3 – Recovery",
         "O3, Restore trust"),
        ("09:30", "B", "Ambulance Service; Voluntary sector", "Phase 3 – recovery", "O3"),
        ("10:00", "C", "Police/Gold", None, "Restore trust"),
    )
    outcome = merge_preview(scenario, preview)
    assert outcome.created_organisations == ("Ambulance Service", "Voluntary sector")
    assert outcome.created_roles == ("Ambulance Service – Duty Officer", "Police – Bronze")
    assert outcome.created_phases == ("Phase 3 – Recovery",)
    assert outcome.created_objectives == ("O3", "O4")
    new = outcome.scenario
    ambulance = next(o for o in new.organisations if o.name == "Ambulance Service")
    assert (ambulance.key, ambulance.position, [r.key for r in ambulance.roles]) == (
        "ambulance-service", 4, ["duty-officer"])
    recovery = next(p for p in new.phases if p.name == "Phase 3 – Recovery")
    assert (recovery.key, recovery.start_offset_s, recovery.position) == ("phase-3-recovery", 0, 2)
    o3, o4 = new.objectives[2:]
    assert (o3.code, o4.code, o4.statement) == ("O3", "O4", "Restore trust")
    assert "write its statement" in o3.statement
    a, b, c = outcome.added
    assert a.phase_id == b.phase_id == recovery.id and a.objective_ids == (o3.id, o4.id)
    assert c.objective_ids == (o4.id,)
    assert [new.recipient_label(r) for r in c.recipients] == ["Police – Strategic Commander (Gold)"]
    notes = [n.message for n in outcome.notes]
    assert "organisation 'Voluntary sector' will be created" in notes
    assert "phase 'Phase 3 – Recovery' will be created" in notes
    assert sum("objective" in n for n in notes) == 2


def test_a_phase_title_row_with_a_time_sets_the_new_phase_start() -> None:
    preview = preview_of(("Time", "Title"), ("09:00", "A"), ("10:30", "PHASE 2 – ESCALATION"), ("10:45", "B"))
    outcome = merge_preview(empty_scenario(), preview)
    [phase] = outcome.scenario.phases
    assert (phase.name, phase.start_offset_s) == ("PHASE 2 – ESCALATION", 90 * 60)
    assert [i.phase_id for i in outcome.added] == [None, phase.id]


def test_dependencies_follow_renumbering_and_missing_ones_are_kept_in_notes() -> None:
    scenario = sample_scenario()
    preview = preview_of(("No.", "Time", "Title", "Depends on"), (7, "09:00", "A", None),
                         (8, "09:10", "B", 7), (9, "09:20", "C", 12), (10, "09:30", "D", 99),
                         (11, "09:40", "E", 11))
    outcome = merge_preview(scenario, preview)
    a, b, c, d, e = outcome.added
    assert a.number == 14 and b.depends_on_id == a.id
    assert c.depends_on_id == "i-4"
    assert d.depends_on_id is None and d.controller_notes == "Depends on: 99"
    assert e.depends_on_id is None
    assert any(n.row == 5 and "99" in n.message for n in outcome.notes)


def test_an_empty_preview_changes_nothing() -> None:
    scenario = sample_scenario()
    assert apply_preview(scenario, preview_of(("Time", "Title"))) == scenario


def test_the_messy_workbook_lands_in_an_empty_scenario(tmp_path: Path) -> None:
    preview = preview_file(messy_workbook(tmp_path / "m.xlsx"))
    outcome = merge_preview(empty_scenario(), preview)
    new = outcome.scenario
    assert len(new.injects) == 10
    assert [p.name for p in new.phases] == ["PHASE 1 – INITIAL RESPONSE", "Phase 2 – Escalation"]
    assert [p.start_offset_s for p in new.phases] == [300, 2700]
    assert {o.name for o in new.organisations} == {"Police", "Fire", "Local Authority", "Health"}
    assert [r.name for o in new.organisations for r in o.roles] == ["Gold"]
    assert [o.code for o in new.objectives] == ["O1", "O2", "O3"]
    assert sorted(i.number for i in new.injects) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_keys_are_unique_and_valid() -> None:
    taken = {"police"}
    assert make_key("Police", taken, "org") == "police-2"
    assert make_key("  ***  ", taken, "org") == "org"
    assert make_key("_hidden", taken, "org") == "hidden"
    assert make_key("Émergence Santé / Île-de-France", taken, "org") == "emergence-sante-ile-de-france"
    assert make_key("O 3", set(), "O", lower=False) == "O-3"
    assert len(make_key("x" * 200, set(), "org")) <= 64


def test_parsed_injects_can_be_built_by_hand_for_a_dialog() -> None:
    preview = ImportPreview("hand", "S", detect_header(SourceSheet("S", (("Title",),))),
                            (ParsedInject("S", 2, "Hand-made", 60, recipients=("Police",)),), ())
    [inject] = apply_preview(sample_scenario(), preview).injects[5:]
    assert (inject.title, inject.number) == ("Hand-made", 14)
    assert inject.recipients[0].organisation_id == "o-police"


def test_the_imported_scenario_is_valid_in_the_scenario_format(tmp_path: Path) -> None:
    preview = preview_file(messy_workbook(tmp_path / "m.xlsx"))
    imported = apply_preview(sample_scenario(), preview)
    document = parse_scenario_text(dumps(from_scenario(imported, {}, with_ids=False)))
    assert len(document.injects) == 15
    assert {o.key for o in document.organisations} >= {"health", "police", "fire", "la", "control"}

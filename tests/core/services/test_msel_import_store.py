"""An MSEL import as the document sees it: stored whole or not at all, taken back whole, and imported injects
whose time could not be read flagged by validation until they are re-timed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from ctpn_desktop.core.io.msel_import import merge_preview
from ctpn_desktop.core.io.msel_mapping import detect_header
from ctpn_desktop.core.io.msel_parse import parse_rows
from ctpn_desktop.core.io.msel_read import SourceSheet
from ctpn_desktop.core.io.msel_values import unread_time_in, unread_time_note
from ctpn_desktop.core.services import scenario as scenario_service
from ctpn_desktop.core.services.scenario import ScenarioService
from ctpn_desktop.core.services.validation import InjectField, ProblemKind, validate

from tests.factories import library_document

SHEET = SourceSheet("MSEL", (
    ("No.", "Time", "Title", "To", "Phase", "Objectives"),
    (101, "09:00", "Smoke at gate C", "Stadium Security – Duty Manager", "Phase 9 – Stadium", "O9"),
    (102, "around half time", "Media call", "Press Office", None, None),
    (103, "09:40", "Second device", "Police", None, None),
))


def preview():
    return parse_rows(SHEET, detect_header(SHEET))


def test_an_unreadable_time_is_imported_and_flagged_until_the_inject_is_re_timed(tmp_path: Path) -> None:
    document = library_document(tmp_path)
    service = ScenarioService(document)
    outcome = merge_preview(service.load(), preview())
    stored = service.merge_in(outcome.scenario)
    media = next(i for i in stored.injects if i.title == "Media call")
    assert media.planned_offset_s == 0
    assert "Time in the spreadsheet: around half time (not read; placed at +0:00:00)" in media.controller_notes
    [problem] = [p for p in validate(stored) if p.kind is ProblemKind.UNREAD_TIME]
    assert (problem.inject_id, problem.field) == (media.id, InjectField.PLANNED)
    assert problem.message == (f"Inject {media.number}: its time in the imported spreadsheet, 'around half time', "
                               "could not be read, so it was placed at 0:00; set its planned time (or, if that "
                               "time is right, remove the line 'Time in the spreadsheet: …' from its controller "
                               "notes)")
    retimed = service.put_injects([replace(media, planned_offset_s=45 * 60)])[0]
    after = replace(stored, injects=tuple(retimed if i.id == media.id else i for i in stored.injects))
    assert not [p for p in validate(after) if p.kind is ProblemKind.UNREAD_TIME]
    document.close()


def test_the_note_reads_back_exactly() -> None:
    note = unread_time_note("  after   the\nbriefing ", -930)
    assert note == "Time in the spreadsheet: after the briefing (not read; placed at -0:15:30)"
    assert unread_time_in(f"Location: Gate C\n{note}\nSheet: Day 2") == ("after the briefing", -930)
    assert unread_time_in("Time in the spreadsheet: 09:00") is None


def test_a_failure_half_way_through_storing_an_import_leaves_the_document_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = library_document(tmp_path)
    service = ScenarioService(document)
    before = service.load()
    outcome = merge_preview(before, preview())
    # The last new inject links to an objective the document does not have: the database refuses it after
    # the injects and the new organisations, phases and objectives are written.
    last = outcome.added[-1]
    broken = replace(outcome.scenario, injects=tuple(
        replace(i, objective_ids=("no-such-objective",)) if i.id == last.id else i for i in outcome.scenario.injects))
    with pytest.raises(IntegrityError):
        service.merge_in(broken)
    assert service.load() == before
    original = scenario_service._insert_injects

    def then_the_disk_fails(session, injects, blobs):
        original(session, injects, blobs)
        raise OSError("disk I/O error")

    monkeypatch.setattr(scenario_service, "_insert_injects", then_the_disk_fails)
    with pytest.raises(OSError):
        service.merge_in(outcome.scenario)
    assert service.load() == before
    document.close()


def test_taking_back_an_import_removes_all_it_added_in_one_transaction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = library_document(tmp_path)
    service = ScenarioService(document)
    before = service.load()
    outcome = merge_preview(before, preview())
    assert outcome.created_phases and outcome.created_objectives and outcome.created_organisations
    after = service.merge_in(outcome.scenario)
    assert len(after.injects) == len(before.injects) + 3
    assert service.take_back_merge(before, after) == before
    assert service.load() == before
    again = service.merge_in(outcome.scenario)

    def failing(session, organisation):
        raise OSError("disk I/O error")

    monkeypatch.setattr(scenario_service, "_put_organisation", failing)
    grown = next(o for o in again.organisations if o.name == "Stadium Security")
    assert grown.roles
    with pytest.raises(OSError):
        service.take_back_merge(replace(before, organisations=before.organisations), replace(
            again, organisations=tuple(replace(o, name=o.name + " (changed)") if o.id != grown.id else o
                                       for o in again.organisations)))
    assert service.load() == again
    document.close()

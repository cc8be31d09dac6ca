"""The editor's schedule edits (re-time, reorder, renumber, duplicate) and link lookups, stored and undone."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.entities import (
    AttachmentInfo,
    DeliveryMethod,
    EventType,
    Inject,
    InjectStatus,
    Recipient,
)
from ctpn_desktop.core.errors import ValidationFailed
from ctpn_desktop.core.services.scenario import (
    InjectSlot,
    ScenarioService,
    duplicate_of,
    following_ids,
    moved_slots,
    msel_order,
    objective_links,
    organisation_links,
    parse_planned,
    parse_shift,
    phase_links,
    renumbered_slots,
    retimed_slots,
    with_slot,
)

from tests.factories import library_document, reopen


def _numbers(injects: list[Inject]) -> list[int]:
    return [i.number for i in msel_order(injects)]


def test_retime_of_all_following_injects_is_stored_and_undone(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        before = service.load().injects
        pivot = msel_order(before)[5]
        ids = following_ids(before, pivot.id)
        assert len(ids) == len(before) - 5
        slots = retimed_slots(before, ids, 15 * 60)
        service.put_slots(slots)
        after = {i.id: i for i in ScenarioService(document).load().injects}
        for inject in before:
            shift = 900 if inject.id in ids else 0
            assert after[inject.id].planned_offset_s == inject.planned_offset_s + shift
            if inject.scenario_time is not None:
                assert after[inject.id].scenario_time == inject.scenario_time + timedelta(seconds=shift)
        service.put_slots([InjectSlot.of(i) for i in before if i.id in ids])
        assert ScenarioService(document).load().injects == before


def test_the_previous_slots_narrow_the_write_but_never_decide_what_is_stored(tmp_path: Path) -> None:
    """A re-time told where its injects were writes only their times; told wrongly (the order changed
    meanwhile, a number is not what it says), every inject still ends in exactly the slot it was given."""
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        before = msel_order(service.load().injects)
        block = before[1:5]
        previous = [InjectSlot.of(i) for i in block]
        slots = retimed_slots(block, [i.id for i in block], 20 * 60)
        service.put_slots(slots, previous)
        stored = {i.id: InjectSlot.of(i) for i in service.load().injects}
        assert [stored[s.id] for s in slots] == slots

        moved = replace(InjectSlot.of(before[1]), position=before[1].position + 1000)
        service.put_slots([moved])  # another station moves one of them in the order
        wrong = [replace(p, number=p.number + 500) if n == 2 else p for n, p in enumerate(previous)]
        back = [InjectSlot.of(i) for i in block]
        service.put_slots(back, [*previous[:1], *wrong[1:]])
        stored = {i.id: InjectSlot.of(i) for i in service.load().injects}
        assert [stored[s.id] for s in back] == back
        assert msel_order(service.load().injects) == before


def test_a_retime_changes_only_its_injects_and_every_page_is_told(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        before = {i.id: i for i in service.load().injects}
        block = [i.id for i in msel_order(before.values())[2:6]]
        told: list[Changes] = []
        document.changes.subscribe(told.append)
        service.put_slots(retimed_slots(before.values(), block, -10 * 60))
        assert any(c.touches(Topic.SCENARIO) and "inject" in c.tables for c in told)
        assert [c.row_ids("inject") for c in told] == [frozenset(block)]  # a page can look up just these
        after = {i.id: i for i in ScenarioService(document).load().injects}
        assert {i for i in after if after[i] != before[i]} == set(block)
        for inject_id in block:
            assert after[inject_id] == replace(
                before[inject_id], planned_offset_s=before[inject_id].planned_offset_s - 600,
                scenario_time=before[inject_id].scenario_time - timedelta(minutes=10)
                if before[inject_id].scenario_time else None)
        told.clear()
        service.put_slots(renumbered_slots(list(after.values()), first=100))
        assert any("inject" in c.tables for c in told)


def test_slots_from_an_older_snapshot_are_checked_against_the_document(tmp_path: Path) -> None:
    """Slots that keep numbers the document no longer has are not written blindly: the numbers are checked as
    for a renumber, and a refusal leaves every inject as it was, times included."""
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        first, second, third = msel_order(service.load().injects)[:3]
        service.put_slots([replace(InjectSlot.of(first), number=second.number),
                           replace(InjectSlot.of(second), number=first.number)])
        swapped = msel_order(service.load().injects)
        stale = retimed_slots([first, second], [first.id, second.id], 60)
        with pytest.raises(ValidationFailed, match=f"inject number {first.number} is already used"):
            service.put_slots([*retimed_slots([third], [third.id], 60), stale[0]])
        assert msel_order(service.load().injects) == swapped
        service.put_slots(stale)
        again = {i.id: i for i in service.load().injects}
        assert (again[first.id].number, again[first.id].planned_offset_s) == (first.number,
                                                                             first.planned_offset_s + 60)
        assert (again[second.id].number, again[second.id].planned_offset_s) == (second.number,
                                                                               second.planned_offset_s + 60)


def test_an_inject_put_in_a_slot_keeps_every_other_field() -> None:
    full = Inject(
        id="full", number=7, title="Title", planned_offset_s=600, position=3, phase_id="phase",
        scenario_time=datetime(2027, 12, 10, 18, 30), content="Content", delivery_method=DeliveryMethod.EMAIL,
        event_type=EventType.CONTINGENCY, sender="Sender", expected_actions="Actions", controller_notes="Notes",
        storyline="Story", status=InjectStatus.READY, depends_on_id="other", recipients=(Recipient("org", "role"),),
        objective_ids=("obj",), attachments=(AttachmentInfo("att", "a.txt", "text/plain", 2, "hash"),))
    defaults = Inject(id="", number=0, title="", planned_offset_s=0)
    assert all(getattr(full, f.name) != getattr(defaults, f.name) for f in fields(Inject)), \
        "give every field of the inject above a value of its own"
    slot = InjectSlot("full", 8, 1, 1200, datetime(2027, 12, 10, 18, 40))
    assert with_slot(full, slot) == replace(full, number=8, position=1, planned_offset_s=1200,
                                            scenario_time=datetime(2027, 12, 10, 18, 40))
    assert with_slot(full, InjectSlot.of(full)) is full
    aware = replace(full, scenario_time=datetime(2027, 12, 10, 18, 30, tzinfo=UTC))
    same_instant = datetime(2027, 12, 10, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    moved = with_slot(aware, replace(InjectSlot.of(aware), scenario_time=same_instant))
    assert moved.scenario_time is same_instant


def test_retime_can_leave_scenario_times_alone(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        injects = ScenarioService(document).load().injects
        timed = next(i for i in injects if i.scenario_time is not None)
        (slot,) = retimed_slots(injects, [timed.id], -120, move_scenario_time=False)
        assert slot.planned_offset_s == timed.planned_offset_s - 120
        assert slot.scenario_time == timed.scenario_time


def test_moving_an_inject_takes_a_time_between_its_new_neighbours(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        ordered = msel_order(service.load().injects)
        last = ordered[-1]
        slots = moved_slots(ordered, [last.id], ordered[2].id)
        service.put_slots(slots)
        reloaded = msel_order(service.load().injects)
        assert reloaded[2].id == last.id
        assert reloaded[1].planned_offset_s <= reloaded[2].planned_offset_s <= reloaded[3].planned_offset_s
        assert reloaded[2].planned_offset_s == ordered[2].planned_offset_s
        assert [i.id for i in reloaded if i.id != last.id] == [i.id for i in ordered if i.id != last.id]


def test_moving_within_the_same_minute_only_changes_positions() -> None:
    a = Inject("a", 1, "A", 60, position=0)
    b = Inject("b", 2, "B", 60, position=1)
    c = Inject("c", 3, "C", 60, position=2)
    slots = moved_slots([a, b, c], ["c"], "a")
    moved = [with_slot(i, next((s for s in slots if s.id == i.id), InjectSlot.of(i))) for i in (a, b, c)]
    assert [i.id for i in msel_order(moved)] == ["c", "a", "b"]
    assert all(i.planned_offset_s == 60 for i in moved)
    assert moved_slots([a, b, c], ["a"], "a") == []
    with pytest.raises(ValidationFailed):
        moved_slots([a, b, c], ["a"], "gone")


def test_moving_to_the_end_keeps_a_later_time() -> None:
    a = Inject("a", 1, "A", 60, position=0)
    b = Inject("b", 2, "B", 120, position=1)
    slots = moved_slots([a, b], ["a"], None)
    assert {s.id: (s.position, s.planned_offset_s) for s in slots} == {"a": (1, 120), "b": (0, 120)}


def test_renumber_follows_the_msel_order_and_survives_swaps(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        injects = service.load().injects
        first, second = msel_order(injects)[:2]
        service.put_slots([replace(InjectSlot.of(first), number=second.number),
                           replace(InjectSlot.of(second), number=first.number)])
        swapped = service.load().injects
        assert _numbers(list(swapped))[:2] == [second.number, first.number]
        service.put_slots(renumbered_slots(swapped))
        assert _numbers(list(service.load().injects)) == list(range(1, len(injects) + 1))


def test_slots_refuse_a_number_that_another_inject_keeps(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        injects = msel_order(service.load().injects)
        with pytest.raises(ValidationFailed, match=f"inject number {injects[1].number} is already used"):
            service.put_slots([replace(InjectSlot.of(injects[0]), number=injects[1].number)])
        with pytest.raises(ValidationFailed, match="no longer exists"):
            service.put_slots([InjectSlot("gone", 999, 0, 0)])
        assert msel_order(service.load().injects) == injects


def test_duplicate_copies_attachments_under_new_identities(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        inject = msel_order(service.load().injects)[0]
        inject = service.put_inject(replace(inject, attachments=(AttachmentInfo("att-1", "map.png", "image/png", 3,
                                                                               ""),)), {"att-1": b"png"})
        blobs = service.attachment_blobs_of([inject])
        assert blobs == {"att-1": b"png"}
        copy, copied = duplicate_of(inject, service.next_inject_number(), blobs)
        stored = service.put_inject(copy, copied)
        assert stored.id != inject.id and stored.title == inject.title
        assert stored.attachments[0].id != "att-1"
        assert service.attachment_data(stored.attachments[0].id) == b"png"
        assert stored.recipients == inject.recipients and stored.objective_ids == inject.objective_ids


def test_deleted_inject_comes_back_whole_with_its_attachment(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        service = ScenarioService(document)
        inject = msel_order(service.load().injects)[3]
        inject = service.put_inject(replace(inject, attachments=(AttachmentInfo("att-9", "a.txt", "text/plain", 2,
                                                                               ""),)), {"att-9": b"hi"})
        blobs = service.attachment_blobs_of([inject])
        service.delete_injects([inject.id])
        service.put_injects([inject], blobs)
    with reopen(document) as reopened:
        restored = next(i for i in ScenarioService(reopened).load().injects if i.id == inject.id)
        assert restored == inject
        assert ScenarioService(reopened).attachment_data("att-9") == b"hi"


def test_links_name_what_refers_to_objectives_organisations_and_phases(tmp_path: Path) -> None:
    with library_document(tmp_path) as document:
        scenario = ScenarioService(document).load()
        objective = scenario.objectives[0]
        linked = objective_links(scenario, objective.id)
        assert linked.injects and all(objective.id in i.objective_ids for i in linked.injects)
        assert linked.describe(limit=2)[0].startswith(f"inject {msel_order(linked.injects)[0].number}: ")
        if len(linked.injects) > 2:
            assert linked.describe(limit=2)[-1] == f"… and {len(linked.injects) - 2} more injects"
        organisation = scenario.organisations[0]
        assert all(any(r.organisation_id == organisation.id for r in i.recipients)
                   for i in organisation_links(scenario, organisation.id).injects)
        phase = scenario.phases[0]
        assert {i.id for i in phase_links(scenario, phase.id).injects} == {
            i.id for i in scenario.injects if i.phase_id == phase.id}


@pytest.mark.parametrize(("text", "seconds"), [
    ("15", 900), ("+15", 900), ("-10", -600), ("−10 min", -600), ("1:30", 5400), ("-1:30:15", -5415),
    ("2h", 7200), ("1h30", 5400), ("1 h 30 min", 5400), ("90 minutes", 5400),
])
def test_shift_durations_as_designers_type_them(text: str, seconds: int) -> None:
    assert parse_shift(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "1:75", "15 sec"])
def test_shift_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_shift(text)


def test_planned_time_as_shown_in_the_msel() -> None:
    assert parse_planned("0:05:00") == 300
    assert parse_planned("1:15") == 4500
    assert parse_planned("-0:15") == -900
    with pytest.raises(ValueError, match="is not a planned time"):
        parse_planned("quarter past")

"""Syndicates of a run: their log entries and answers kept apart, hash chains kept whole, merged note-takers' logs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import AnswerKind, LogKind
from ctpn_desktop.core.errors import MergeRefused, ValidationFailed
from ctpn_desktop.core.services.log import PLENARY, LogDraft, LogService, record_hash
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.syndicates import SyndicateService, compare_syndicates

from ctpn_desktop.cli import main
from tests.factories import library_document, make_older, open_file, raw_sql

PREVIOUS_REVISION = "0004"
"""The schema revision before syndicates and the programme (revision 0005 follows it)."""
#: The hash the application computed, before syndicates existed, for the record in `test_a_record_without_…`.
HASH_BEFORE_SYNDICATES = "867a41dd7966730a9c074cbcc7351cb51d0697026973702fcaed94e2df755711"


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def draft(text: str, syndicate_id: str | None = None, organisation: str = "Police") -> LogDraft:
    return LogDraft(kind=LogKind.DECISION, text=text, organisation=organisation, logged_by="Loggist",
                    syndicate_id=syndicate_id)


def record(**changes: object) -> SimpleNamespace:
    values: dict[str, object] = dict(
        id="11111111-1111-4111-8111-111111111111", entry_id="22222222-2222-4222-8222-222222222222",
        run_id="33333333-3333-4333-8333-333333333333", revision=1, entry_number=7, device_id="laptop-a", chain_seq=3,
        logged_at="2027-12-12T17:05:00.000000+00:00", committed_at="2027-12-12T17:05:02.500000+00:00",
        exercise_s=300.0, scenario_time="2027-12-12T18:47:00", logged_by="Zoë Müller",
        decision_maker="Tactical Commander (Silver)", organisation="Police", kind="decision",
        text="Declare a major incident — Ζωή", rationale="M/ETHANE", options_considered="",
        actions='[{"action": "Inform partners", "owner": "Police"}]', inject_id=None, objective_ids="[]",
        jdm_stage=5, revision_reason="", withdrawn=False, prev_hash="0" * 64)
    values.update(changes)
    return SimpleNamespace(**values)


def test_a_record_without_a_syndicate_hashes_exactly_as_before() -> None:
    assert record_hash(record()) == HASH_BEFORE_SYNDICATES
    assert record_hash(record(syndicate_id=None)) == HASH_BEFORE_SYNDICATES
    assert record_hash(record(syndicate_id="44444444-4444-4444-8444-444444444444")) != HASH_BEFORE_SYNDICATES


@pytest.mark.file_only  # copies, merges or edits files beside the application
def test_changing_the_syndicate_of_a_stored_entry_breaks_the_chain(tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    syndicates = SyndicateService(document, source, "laptop-a")
    alpha = syndicates.add(run.id, "Syndicate A")
    bravo = syndicates.add(run.id, "Syndicate B")
    log = LogService(document, device_id="laptop-a", source=source)
    log.append(run.id, draft("Plenary opens"), exercise_s=10)
    entry = log.append(run.id, draft("A: close the square", alpha.id), exercise_s=20)
    log.append(run.id, draft("A: warn the hospitals", alpha.id), exercise_s=30)
    assert log.verify().ok and entry.current.syndicate_id == alpha.id
    document.close()
    with raw_sql(document.path) as connection:  # someone moves the entry to another syndicate
        connection.execute("UPDATE log_record SET syndicate_id = ? WHERE entry_id = ?", (bravo.id, entry.entry_id))
    with open_file(document.path) as reopened:
        report = LogService(reopened, device_id="laptop-a", source=source).verify()
    assert not report.ok and report.first_bad_entry_number == 2


def test_entries_and_corrections_keep_their_syndicate_and_filter_apart(tmp_path: Path,
                                                                        source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    syndicates = SyndicateService(document, source, "laptop-a")
    alpha = syndicates.add(run.id, "Syndicate A", members=["Ana Lopes", " ana lopes", "Piet de Vries", ""])
    bravo = syndicates.add(run.id, "Syndicate B")
    log = LogService(document, device_id="laptop-a", source=source)
    plenary = log.append(run.id, draft("Briefing by the chair"), exercise_s=5)
    a_entry = log.append(run.id, draft("Open a rest centre", alpha.id), exercise_s=60)
    b_entry = log.append(run.id, draft("Open a rest centre at the school", bravo.id), exercise_s=70)
    corrected = log.correct(a_entry.entry_id, draft("Open a rest centre at the leisure centre", alpha.id),
                            reason="Venue named")
    withdrawn = log.withdraw(b_entry.entry_id, "Logged twice")
    assert alpha.members == ("Ana Lopes", "Piet de Vries")
    assert corrected.current.syndicate_id == alpha.id and withdrawn.current.syndicate_id == bravo.id
    assert [s.entry_id for s in log.summaries(run.id, syndicate=alpha.id)] == [a_entry.entry_id]
    assert [s.entry_id for s in log.summaries(run.id, syndicate=bravo.id)] == [b_entry.entry_id]
    assert [e.entry_id for e in log.search(run.id, "centre", syndicate=alpha.id)] == [a_entry.entry_id]
    assert [s.entry_id for s in log.summaries(run.id, syndicate=PLENARY)] == [plenary.entry_id]
    assert log.summaries(run.id, syndicate=alpha.id)[0].syndicate_id == alpha.id
    assert log.verify().ok


def test_a_note_takers_laptop_brings_its_entries_under_its_syndicate(tmp_path: Path,
                                                                      source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    syndicates = SyndicateService(document, source, "laptop-a")
    alpha = syndicates.add(run.id, "Syndicate A")
    bravo = syndicates.add(run.id, "Syndicate B")
    log_b = LogService(document, device_id="laptop-b", source=source)
    untagged = log_b.append(run.id, draft("Members agree the rest centre"), exercise_s=40)
    tagged = log_b.append(run.id, draft("A visitor from B", bravo.id), exercise_s=50)
    assert [s.entry_id for s in log_b.summaries(run.id, syndicate=PLENARY)] == [untagged.entry_id]
    syndicates.assign_device(run.id, alpha.id, "laptop-b")
    assert syndicates.syndicate_of_device(run.id, "laptop-b") == alpha.id
    assert [s.entry_id for s in log_b.summaries(run.id, syndicate=alpha.id)] == [untagged.entry_id]
    assert [s.entry_id for s in log_b.summaries(run.id, syndicate=bravo.id)] == [tagged.entry_id]
    assert log_b.summaries(run.id, syndicate=PLENARY) == []
    resolve = syndicates.resolver(run.id)
    assert resolve(None, "laptop-b") == alpha.id and resolve(bravo.id, "laptop-b") == bravo.id
    assert resolve(None, "laptop-a") is None
    (device,) = syndicates.log_devices(run.id)
    assert (device.device_id, device.records, device.loggists, device.syndicate_id) == (
        "laptop-b", 2, ("Loggist",), alpha.id)
    with pytest.raises(ValidationFailed, match="1 log entries"):
        syndicates.delete(alpha.id)
    syndicates.assign_device(run.id, None, "laptop-b")
    assert syndicates.syndicate_of_device(run.id, "laptop-b") is None


def test_answers_and_read_backs_compare_question_by_question(tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    runs = RunService(document, source)
    run = runs.create_run("Live")
    phases = runs.frozen_scenario(run.id).phases
    first = phases[0]
    service = SyndicateService(document, source, "laptop-a")
    alpha = service.add(run.id, "Syndicate A")
    bravo = service.add(run.id, "Syndicate B")
    answer = service.add_answer(run.id, alpha.id, phase_id=first.id, question_index=1, text="Within 10 minutes",
                                author="Note-taker A", exercise_s=600)
    source.advance(5)
    service.add_answer(run.id, bravo.id, phase_id=first.id, question_index=1, text="At the first RVP meeting")
    source.advance(5)
    service.add_answer(run.id, alpha.id, phase_id=first.id, question_index=1, kind=AnswerKind.READBACK,
                       text="Silver declares; Gold confirms")
    source.advance(5)
    service.add_answer(run.id, bravo.id, phase_id=first.id, question_index=None, text="We lacked a map")
    source.advance(5)
    revised = service.revise_answer(answer.id, "Within 10 minutes, by Police Silver")
    assert answer.question == first.discussion_questions[1] and revised.replaces_id == answer.id
    assert next(a.text for a in service.answers(run.id, include_replaced=True)) == "Within 10 minutes"
    assert "Within 10 minutes" not in [a.text for a in service.answers(run.id)]
    with pytest.raises(ValidationFailed, match="already revised"):
        service.revise_answer(answer.id, "again")
    with pytest.raises(ValidationFailed, match="no question 99"):
        service.add_answer(run.id, alpha.id, phase_id=first.id, question_index=98, text="x")
    with pytest.raises(ValidationFailed, match="needs some text"):
        service.add_answer(run.id, alpha.id, phase_id=first.id, question_index=0, text="  ")
    lines = compare_syndicates(phases, service.syndicates(run.id), service.answers(run.id))
    assert len(lines) == sum(len(p.discussion_questions) for p in phases) + 1
    second = next(line for line in lines if line.phase_id == first.id and line.question_index == 1)
    assert second.answered == 2 and second.question == first.discussion_questions[1]
    a_response, b_response = second.responses
    assert [a.text for a in a_response.answers] == ["Within 10 minutes, by Police Silver"]
    assert [a.text for a in a_response.readbacks] == ["Silver declares; Gold confirms"]
    assert [a.text for a in b_response.answers] == ["At the first RVP meeting"] and not b_response.readbacks
    whole = next(line for line in lines if line.phase_id == first.id and line.question_index is None)
    assert whole.label == "The phase as a whole" and whole.responses[1].answers[0].text == "We lacked a map"
    with pytest.raises(ValidationFailed, match="answers"):
        service.delete(bravo.id)


def test_syndicate_names_are_checked_and_planned_ones_come_from_the_programme(
        tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path, "city-recovery-consequence-management.json")
    run = RunService(document, source).create_run("Live")
    service = SyndicateService(document, source, "laptop-a")
    planned = RunService(document, source).frozen_scenario(run.id).programme.syndicates
    assert len(planned) >= 3
    first = service.add(run.id, planned[0].name)
    added = service.from_programme(run.id)
    assert [s.name for s in service.syndicates(run.id)] == [p.name for p in planned]
    assert len(added) == len(planned) - 1 and added[0].members == planned[1].members
    assert service.from_programme(run.id) == []
    with pytest.raises(ValidationFailed, match="already has a syndicate"):
        service.add(run.id, f"  {planned[0].name.upper()} ")
    with pytest.raises(ValidationFailed, match="needs a name"):
        service.put(first.__class__(**{**{f: getattr(first, f) for f in first.__slots__}, "name": " "}))
    service.delete(first.id)
    assert planned[0].name not in [s.name for s in service.syndicates(run.id)]


@pytest.fixture
def syndicate_laptop(tmp_path: Path, source: FakeTimeSource) -> tuple[Path, Path, str, str]:
    """The control laptop sets up syndicates and logs; syndicate A's note-taker logs on a copy."""
    a_folder, b_folder = tmp_path / "control", tmp_path / "note-taker"
    a_folder.mkdir()
    b_folder.mkdir()
    document = library_document(a_folder)
    run = RunService(document, source).create_run("Live")
    syndicates = SyndicateService(document, source, "control")
    alpha = syndicates.add(run.id, "Syndicate A", facilitator="Dr Ines Moreau")
    control_log = LogService(document, device_id="control", source=source)
    control_log.append(run.id, draft("Plenary opens"), exercise_s=30)
    copy = document.save_copy(b_folder / "exercise.ctpn")
    with open_file(copy) as other:
        note_taker = LogService(other, device_id="note-taker-a", source=source)
        for index in range(3):
            source.advance(60)
            note_taker.append(run.id, draft(f"A discusses point {index + 1}"), exercise_s=100 + index)
        SyndicateService(other, source, "note-taker-a").add_answer(
            run.id, alpha.id, phase_id=RunService(other, source).frozen_scenario(run.id).phases[0].id,
            question_index=0, text="Three indicators named")
    control_log.append(run.id, draft("Control notes the time"), exercise_s=200)
    document.close()
    return document.path, copy, run.id, alpha.id


@pytest.mark.file_only  # copies, merges or edits files beside the application
def test_merging_a_note_takers_laptop_brings_its_log_under_its_syndicate(
        syndicate_laptop: tuple[Path, Path, str, str], source: FakeTimeSource) -> None:
    control, copy, run_id, alpha_id = syndicate_laptop
    with open_file(control) as document:
        report = merge_from(document, copy, syndicate_id=alpha_id)
        assert (report.entries_added, report.laptops_assigned, report.syndicate) == (3, 1, "Syndicate A")
        assert report.syndicate_rows_added == 1 and "Syndicate A's" in report.describe()
        log = LogService(document, device_id="control", source=source)
        assert [s.text for s in log.summaries(run_id, syndicate=alpha_id)] == [
            "A discusses point 1", "A discusses point 2", "A discusses point 3"]
        assert [s.text for s in log.summaries(run_id, syndicate=PLENARY)] == ["Plenary opens",
                                                                            "Control notes the time"]
        assert log.verify().ok and log.verify().chains == 2
        answers = SyndicateService(document, source, "control").answers(run_id)
        assert [a.text for a in answers] == ["Three indicators named"]
        again = merge_from(document, copy, syndicate_id=alpha_id)
        assert not again.changed and again.laptops_assigned == 0


@pytest.mark.file_only  # copies, merges or edits files beside the application
def test_a_laptop_taking_notes_for_another_syndicate_refuses_the_merge(
        syndicate_laptop: tuple[Path, Path, str, str], source: FakeTimeSource) -> None:
    control, copy, run_id, alpha_id = syndicate_laptop
    with open_file(control) as document:
        service = SyndicateService(document, source, "control")
        bravo = service.add(run_id, "Syndicate B")
        service.assign_device(run_id, bravo.id, "note-taker-a")
        with pytest.raises(MergeRefused, match="already takes notes for Syndicate B"):
            merge_from(document, copy, syndicate_id=alpha_id)
        assert LogService(document, device_id="control", source=source).summaries(run_id, syndicate=alpha_id) == []


@pytest.mark.file_only  # copies, merges or edits files beside the application
def test_the_command_line_merges_for_a_syndicate_by_name(syndicate_laptop: tuple[Path, Path, str, str],
                                                         source: FakeTimeSource,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    control, copy, run_id, alpha_id = syndicate_laptop
    assert main(["merge", str(control), str(copy), "--syndicate", "syndicate b"]) == 1
    assert "no syndicate" in capsys.readouterr().err
    assert main(["merge", str(control), str(copy), "--syndicate", "syndicate a"]) == 0
    assert "Syndicate A's" in capsys.readouterr().out
    with open_file(control) as document:
        assert len(LogService(document, "control", source).summaries(run_id, syndicate=alpha_id)) == 3


@pytest.mark.file_only  # copies, merges or edits files beside the application
def test_an_older_document_migrates_with_its_chains_intact(tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    log = LogService(document, device_id="laptop-a", source=source)
    first = log.append(run.id, draft("Declare a major incident"), exercise_s=60)
    log.correct(first.entry_id, draft("Declare a major incident at 18:12"), reason="time")
    hashes = [e.current.hash for e in log.entries(run.id)]
    document.close()
    make_older(document.path, PREVIOUS_REVISION)  # as the version before syndicates left its files
    with open_file(document.path) as migrated:
        assert migrated.migrated_from == PREVIOUS_REVISION
        log = LogService(migrated, device_id="laptop-a", source=source)
        assert log.verify().ok and [e.current.hash for e in log.entries(run.id)] == hashes
        service = SyndicateService(migrated, source, "laptop-a")
        alpha = service.add(run.id, "Syndicate A")
        log.append(run.id, draft("A meets", alpha.id), exercise_s=90)
        assert log.verify().ok


def test_a_note_takers_entry_revised_on_another_laptop_stays_with_its_syndicate(
        tmp_path: Path, source: FakeTimeSource) -> None:
    document = library_document(tmp_path)
    run = RunService(document, source).create_run("Live")
    service = SyndicateService(document, source, "control")
    alpha = service.add(run.id, "Syndicate A")
    service.assign_device(run.id, alpha.id, "note-taker")
    entry = LogService(document, "note-taker", source).append(run.id, draft("A agrees a plan"), exercise_s=5)
    other = LogService(document, "note-taker-2", source).append(run.id, draft("A's second point"), exercise_s=6)
    control = LogService(document, "control", source)
    corrected = control.correct(entry.entry_id, draft("A agrees the rest centre plan"), reason="wording")
    withdrawn = control.withdraw(other.entry_id, "not A's")
    assert corrected.current.syndicate_id == alpha.id and corrected.current.device_id == "control"
    assert withdrawn.current.syndicate_id is None  # its laptop takes notes for nobody
    assert [s.entry_id for s in control.summaries(run.id, syndicate=alpha.id)] == [entry.entry_id]
    assert control.verify().ok

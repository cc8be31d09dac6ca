"""Merging the logs of two laptops' copies of one exercise document."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind, Rating
from ctpn_desktop.core.errors import DamagedDocumentError, MergeRefused
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.merge import merge_from
from ctpn_desktop.core.services.runs import RunService

from ctpn_desktop.cli import main
from tests import backends
from tests.factories import library_document, open_file, raw_sql

pytestmark = pytest.mark.file_only  # copies and files of their own: a shared room is tested apart


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def draft(text: str, organisation: str = "Police") -> LogDraft:
    return LogDraft(kind=LogKind.DECISION, text=text, organisation=organisation, logged_by="Loggist")


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


@pytest.fixture
def two_laptops(tmp_path: Path, source: FakeTimeSource) -> tuple[Path, Path, str]:
    """Laptop A logs, the file is copied to laptop B, then both log in turn."""
    a_folder, b_folder = tmp_path / "a", tmp_path / "b"
    a_folder.mkdir()
    b_folder.mkdir()
    document = library_document(a_folder)
    run = RunService(document, source).create_run("Live")
    a_log = LogService(document, device_id="laptop-a", source=source)
    first = a_log.append(run.id, draft("Gold group convened"), exercise_s=60)
    b_path = document.save_copy(b_folder / "exercise.ctpn")
    other = open_file(b_path)
    b_log = LogService(other, device_id="laptop-b", source=source)
    for index in range(3):
        source.advance(30)
        a_log.append(run.id, draft(f"A decision {index + 2}"), exercise_s=90 + 60 * index)
        source.advance(30)
        b_log.append(run.id, draft(f"B note {index + 1} — شاهد 🚒", "Fire"), exercise_s=120 + 60 * index)
    b_log.correct(first.entry_id, draft("Gold group convened at 17:05"), reason="time from the chair")
    EvaluationService(other, source, "laptop-b").add_observation(run.id, objective_id=None, evaluator="E",
                                                                 rating=Rating.P, text="Good")
    other.close()
    document.close()
    return document.path, b_path, run.id


def test_merge_brings_in_the_other_laptops_log_and_never_changes_it(
        two_laptops: tuple[Path, Path, str], source: FakeTimeSource) -> None:
    a_path, b_path, run_id = two_laptops
    before = digest(b_path)
    with open_file(a_path) as document:
        report = merge_from(document, b_path)
        assert (report.entries_added, report.entries_revised, report.records_added) == (3, 1, 4)
        assert report.observations_added == 1 and report.runs == ("1 Live",)
        log = LogService(document, device_id="laptop-a", source=source)
        entries = log.entries(run_id)
        assert [e.current.text for e in entries] == [
            "Gold group convened at 17:05", "A decision 2", "B note 1 — شاهد 🚒", "A decision 3",
            "B note 2 — شاهد 🚒", "A decision 4", "B note 3 — شاهد 🚒"]
        assert [e.current.entry_number for e in entries] == [1, 2, 2, 3, 3, 4, 4]  # numbers kept, per laptop
        assert {e.current.device_id for e in entries[2::2]} == {"laptop-b"}
        assert entries[0].history[0].text == "Gold group convened"
        assert log.verify().ok and log.verify().chains == 2
        assert len(log.search(run_id, "🚒")) == 3  # the search index follows merged records
        again = merge_from(document, b_path)
        assert not again.changed and again.records_added == 0 and "Nothing new" in again.describe()
        assert len(log.entries(run_id)) == 7
        assert len(EvaluationService(document, source).observations(run_id)) == 1
        assert log.append(run_id, draft("After the merge"), exercise_s=600).current.entry_number == 5
    assert digest(b_path) == before


def test_merging_the_other_way_gives_the_same_log(two_laptops: tuple[Path, Path, str],
                                                  source: FakeTimeSource) -> None:
    a_path, b_path, run_id = two_laptops
    with open_file(a_path) as a:
        merge_from(a, b_path)
        a_hashes = sorted(e.current.hash for e in LogService(a, "x", source).entries(run_id))
    with open_file(b_path) as b:
        report = merge_from(b, a_path)
        assert report.entries_added == 3 and report.entries_revised == 0
        assert sorted(e.current.hash for e in LogService(b, "x", source).entries(run_id)) == a_hashes


def test_a_tampered_copy_is_refused_naming_the_entry(two_laptops: tuple[Path, Path, str]) -> None:
    a_path, b_path, _ = two_laptops
    with raw_sql(b_path) as connection:
        connection.execute("UPDATE log_record SET text = 'Nothing' WHERE text LIKE 'B note 2%'")
    before_b = digest(b_path)
    with open_file(a_path) as document, pytest.raises(MergeRefused, match="entry 3 revision 1 was changed"):
        merge_from(document, b_path)
    with open_file(a_path) as document:
        assert document.summary().log_entries == 4
    assert digest(b_path) == before_b


def test_a_conflicting_chain_is_refused(tmp_path: Path, two_laptops: tuple[Path, Path, str],
                                        source: FakeTimeSource) -> None:
    a_path, b_path, run_id = two_laptops
    with open_file(b_path) as b:  # someone set laptop B up with laptop A's device name
        LogService(b, device_id="laptop-a", source=source).append(run_id, draft("Same seat"), exercise_s=900)
    with open_file(a_path) as a:
        LogService(a, device_id="laptop-a", source=source).append(run_id, draft("Other seat"), exercise_s=900)
        with pytest.raises(MergeRefused, match="two different ways"):
            merge_from(a, b_path)
        assert len(LogService(a, "x", source).entries(run_id)) == 5


def test_a_correction_made_on_both_laptops_is_refused(two_laptops: tuple[Path, Path, str],
                                                      source: FakeTimeSource) -> None:
    a_path, b_path, run_id = two_laptops
    with open_file(a_path) as a:
        log = LogService(a, device_id="laptop-a", source=source)
        log.correct(log.entries(run_id)[0].entry_id, draft("Gold group at 17:04"), reason="mine")
        with pytest.raises(MergeRefused, match="corrected on both"):
            merge_from(a, b_path)


def test_other_exercises_and_bad_files_are_refused(tmp_path: Path, two_laptops: tuple[Path, Path, str],
                                                   source: FakeTimeSource) -> None:
    a_path, b_path, _ = two_laptops
    with open_file(b_path) as b:  # a run started on laptop B alone: this document does not have it
        run = RunService(b, source).create_run("B only")
        LogService(b, "laptop-b", source).append(run.id, draft("Elsewhere"), exercise_s=1)
    (tmp_path / "c").mkdir()
    other_exercise = library_document(tmp_path / "c", "marathon-hostile-drone.json")
    other_exercise.close()
    (tmp_path / "d").mkdir()
    same_scenario = library_document(tmp_path / "d")  # made separately from the same library file
    same_scenario.close()
    truncated = tmp_path / "truncated.ctpn"
    truncated.write_bytes(a_path.read_bytes()[:5000])
    with open_file(a_path) as document:
        with pytest.raises(MergeRefused, match="another exercise"):
            merge_from(document, other_exercise.path, passphrase=backends.passphrase())
        with pytest.raises(MergeRefused, match="another exercise"):
            merge_from(document, same_scenario.path, passphrase=backends.passphrase())
        with pytest.raises(MergeRefused, match="'B only' \\(run 2\\), which this document does not have"):
            merge_from(document, b_path)
        with pytest.raises(DamagedDocumentError, match="truncated"):
            merge_from(document, truncated)
        with pytest.raises(MergeRefused, match="itself"):
            merge_from(document, a_path)


def test_the_merge_command(two_laptops: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    a_path, b_path, _ = two_laptops
    assert main(["merge", str(a_path), str(b_path)]) == 0
    assert "3 new log entries" in capsys.readouterr().out
    assert main(["merge", str(a_path), str(b_path)]) == 0
    assert "Nothing new" in capsys.readouterr().out
    assert main(["merge", str(a_path), str(a_path)]) == 1
    assert "itself" in capsys.readouterr().err

"""The log code a printed debrief carries: the heads of the run's hash chains, checked with ``verify --code``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.services.chain_code import chain_seal, check_code, normalise_code
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from ctpn_desktop.cli import main
from tests.factories import library_document, open_file, raw_sql

pytestmark = pytest.mark.file_only  # the code is checked on files, as `verify --code` does


@pytest.fixture
def logged(tmp_path: Path) -> tuple[Path, str]:
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run("Live")
        for device in ("laptop-a", "laptop-b"):
            log = LogService(document, device, source)
            for number in range(3):
                log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"{device} {number}"), exercise_s=number)
        return document.path, run.id


def test_the_code_names_the_chain_heads_and_changes_with_any_record(logged: tuple[Path, str]) -> None:
    path, run_id = logged
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 18, 0, tzinfo=UTC))
    with open_file(path) as document:
        seal = chain_seal(document, run_id)
        assert [(h.device_id, h.records) for h in seal.heads] == [("laptop-a", 3), ("laptop-b", 3)]
        assert len(seal.code) == 14 and seal.code.count("-") == 2 and seal.records == 6
        assert not set(seal.code) & set("ILOU")
        assert chain_seal(document, run_id).code == seal.code  # the same log, the same code
        assert check_code(document, seal.code.lower().replace("-", " ")).matches
        assert check_code(document, seal.code.replace("0", "O")).matches
        payload = seal.payload()
        LogService(document, "laptop-a", source).append(run_id, LogDraft(kind=LogKind.ACTION, text="Later"),
                                                        exercise_s=99)
        grown = chain_seal(document, run_id)
        assert grown.code != seal.code
        stale = check_code(document, seal.code)
        assert not stale.matches and "does not match" in stale.message and grown.code in stale.message
        from_qr = check_code(document, payload)  # the QR code names every head: the printed part still holds
        assert from_qr.matches and "1 record(s) were logged or merged after it" in from_qr.message
        assert not check_code(document, "not a code").matches


def test_a_record_changed_behind_the_applications_back_breaks_the_match(logged: tuple[Path, str],
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path, run_id = logged
    with open_file(path) as document:
        seal = chain_seal(document, run_id)
    assert main(["verify", str(path), "--code", seal.code]) == 0
    assert "matches run 1 (Live)" in capsys.readouterr().out
    with raw_sql(path) as connection:
        connection.execute("UPDATE log_record SET text = 'nothing' WHERE text = 'laptop-a 0'")
    connection.close()
    assert main(["verify", str(path), "--code", seal.code]) == 1
    assert "DOES NOT MATCH" in capsys.readouterr().err
    with open_file(path) as document:
        assert not check_code(document, seal.payload()).matches


def test_codes_are_read_as_people_type_them() -> None:
    assert normalise_code("7qk4 m2xd 9fja") == "7QK4-M2XD-9FJA"
    assert normalise_code("7QK4-M2XD-9FJO") == "7QK4-M2XD-9FJ0"
    assert normalise_code("short") == "SH0RT"

"""The command line on encrypted exercises: encrypt, decrypt, and every command that opens one."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctpn_desktop.storage import db

from ctpn_desktop import cli
from ctpn_desktop.cli import main
from tests.factories import LIBRARY, REPO

SCENARIO = LIBRARY / "metro-chemical-release.json"
PASSPHRASE = "amber tunnel nine ravens"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def exercise(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "metro.ctpn"
    assert main(["new", "--from", str(SCENARIO), str(path)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@pytest.fixture
def encrypted(exercise: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["encrypt", str(exercise), "--passphrase-file", str(passphrase_file)]) == 0
    capsys.readouterr()
    return exercise


def test_encrypt_with_a_passphrase_file_then_every_command_needs_it(exercise: Path, passphrase_file: Path,
                                                                    tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["encrypt", str(exercise), "--passphrase-file", str(passphrase_file)]) == 0
    assert "metro.ctpn is encrypted" in capsys.readouterr().out
    assert db.is_encrypted(exercise) and b"STILL AIR" not in exercise.read_bytes()
    before = digest(exercise)
    assert main(["info", str(exercise)]) == 1
    error = capsys.readouterr().err
    assert "encrypted" in error and "--passphrase-file" in error and "CTPN_PASSPHRASE" in error
    assert main(["info", str(exercise), "--passphrase-file", str(passphrase_file)]) == 0
    assert "Exercise STILL AIR" in capsys.readouterr().out
    assert main(["verify", str(exercise), "--passphrase-file", str(passphrase_file)]) == 0
    assert "log intact" in capsys.readouterr().out
    out = tmp_path / "msel.csv"
    assert main(["msel", "export", str(exercise), str(out), "--passphrase-file", str(passphrase_file)]) == 0
    assert "gas attack on the Metro" in out.read_text(encoding="utf-8")
    assert digest(exercise) == before


def test_the_passphrase_can_come_from_the_environment(encrypted: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    assert main(["info", "--json", str(encrypted)]) == 0
    assert json.loads(capsys.readouterr().out)["injects"] == 23
    assert main(["export-json", str(encrypted), str(tmp_path / "out.json")]) == 0
    assert "STILL AIR" in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_a_wrong_passphrase_is_refused_with_a_clear_message_and_nothing_is_written(
        encrypted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = (digest(encrypted), encrypted.stat().st_mtime_ns)
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "amber tunnel nine raven")
    for command in (["info", str(encrypted)], ["decrypt", str(encrypted)], ["verify", str(encrypted)]):
        assert main(command) == 1
        assert "the passphrase does not open this exercise" in capsys.readouterr().err
    assert (digest(encrypted), encrypted.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metro.ctpn", "passphrase.txt"]


def test_the_terminal_is_asked_without_echo_and_a_few_tries_are_allowed(
        encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    typed = iter(["amber tunnel", PASSPHRASE])
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(cli, "_can_ask", lambda: True)
    monkeypatch.setattr(cli, "_ask_passphrase", getpass)
    assert main(["info", str(encrypted)]) == 0
    captured = capsys.readouterr()
    assert "Exercise STILL AIR" in captured.out and "does not open this exercise" in captured.err
    assert prompts == ["Passphrase for metro.ctpn: "] * 2
    typed = iter(["wrong"] * cli.PASSPHRASE_ATTEMPTS)
    assert main(["info", str(encrypted)]) == 1


def test_encrypting_at_the_terminal_asks_twice_warns_and_hints(exercise: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(exercise)
    typed = iter(["short", "shorter"])
    monkeypatch.setattr(cli, "_can_ask", lambda: True)
    monkeypatch.setattr(cli, "_ask_passphrase", lambda _prompt: next(typed))
    assert main(["encrypt", str(exercise)]) == 1
    error = capsys.readouterr().err
    assert "cannot be opened again by anyone" in error and "Very weak" in error and "differ" in error
    assert digest(exercise) == before
    typed = iter([PASSPHRASE, PASSPHRASE])
    assert main(["encrypt", str(exercise)]) == 0
    assert "Strength: Strong." in capsys.readouterr().err
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    assert main(["encrypt", str(exercise)]) == 1
    assert "encrypted already" in capsys.readouterr().err


def test_decrypt_gives_back_a_plain_file(encrypted: Path, passphrase_file: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decrypt", str(encrypted), "--passphrase-file", str(passphrase_file)]) == 0
    assert "no longer encrypted" in capsys.readouterr().out
    assert main(["info", str(encrypted)]) == 0


def test_merge_opens_an_encrypted_other_copy_with_its_own_passphrase(
        exercise: Path, tmp_path: Path, passphrase_file: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "laptop-b.ctpn"
    other.write_bytes(exercise.read_bytes())
    other_passphrase = tmp_path / "other.txt"
    other_passphrase.write_text("laptop b, its own words\n", encoding="utf-8")
    assert main(["encrypt", str(other), "--passphrase-file", str(other_passphrase)]) == 0
    assert main(["encrypt", str(exercise), "--passphrase-file", str(passphrase_file)]) == 0
    capsys.readouterr()
    assert main(["merge", str(exercise), str(other), "--passphrase-file", str(passphrase_file)]) == 1
    assert "other copy is encrypted" in capsys.readouterr().err
    assert main(["merge", str(exercise), str(other), "--passphrase-file", str(passphrase_file),
                 "--other-passphrase-file", str(other_passphrase)]) == 0
    assert "Nothing new" in capsys.readouterr().out
    monkeypatch.setenv(cli.OTHER_PASSPHRASE_ENV, "laptop b, its own words")
    assert main(["merge", str(exercise), str(other), "--passphrase-file", str(passphrase_file)]) == 0


def test_a_non_exercise_is_refused_before_a_passphrase_is_asked(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.ctpn"
    text.write_text("not an exercise\n" * 100, encoding="utf-8")
    assert main(["encrypt", str(text)]) == 1
    assert "not an exercise file" in capsys.readouterr().err
    assert text.read_text(encoding="utf-8") == "not an exercise\n" * 100


def test_the_installed_command_reads_a_passphrase_file(encrypted: Path, passphrase_file: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ctpn_desktop", "info", str(encrypted), "--passphrase-file",
                             str(passphrase_file)], capture_output=True, text=True, cwd=REPO, check=False,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "Exercise STILL AIR" in result.stdout
    result = subprocess.run([sys.executable, "-m", "ctpn_desktop", "info", str(encrypted)], capture_output=True,
                            text=True, cwd=REPO, check=False, stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and "passphrase" in result.stderr


def test_the_passphrase_is_changed_from_files_and_the_old_one_no_longer_opens(
        encrypted: Path, passphrase_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new_file = tmp_path / "new.txt"
    new_file.write_text("copper kite over the estuary\n", encoding="utf-8")
    assert main(["passphrase", str(encrypted), "--passphrase-file", str(passphrase_file),
                 "--new-passphrase-file", str(new_file)]) == 0
    assert "new passphrase" in capsys.readouterr().out
    assert db.is_encrypted(encrypted)
    assert main(["info", str(encrypted), "--passphrase-file", str(passphrase_file)]) == 1
    assert "does not open this exercise" in capsys.readouterr().err
    assert main(["info", str(encrypted), "--passphrase-file", str(new_file)]) == 0
    assert "Exercise STILL AIR" in capsys.readouterr().out


def test_changing_the_passphrase_at_the_terminal_asks_the_current_then_the_new_twice(
        encrypted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(encrypted)
    typed = iter(["not it", PASSPHRASE, "copper kite", "copper kit"])
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr(cli, "_can_ask", lambda: True)
    monkeypatch.setattr(cli, "_ask_passphrase", getpass)
    assert main(["passphrase", str(encrypted)]) == 1  # the new one typed differently the second time
    assert "differ" in capsys.readouterr().err and digest(encrypted) == before
    assert prompts == ["Passphrase for metro.ctpn: "] * 2 + ["New passphrase for metro.ctpn: ",
                                                              "The same passphrase again: "]
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setenv(cli.NEW_PASSPHRASE_ENV, "copper kite over the estuary")
    assert main(["passphrase", str(encrypted)]) == 0
    monkeypatch.setenv(cli.PASSPHRASE_ENV, "copper kite over the estuary")
    assert main(["info", str(encrypted)]) == 0


def test_a_plain_file_has_no_passphrase_to_change(exercise: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(exercise)
    assert main(["passphrase", str(exercise)]) == 1
    assert "not encrypted" in capsys.readouterr().err and digest(exercise) == before

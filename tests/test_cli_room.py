"""`ctpn-desktop room …`: publish, list, write back and drop a shared room from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services import room
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.storage import cipher, db

from ctpn_desktop.cli import PASSPHRASE_ENV, main
from tests import backends
from tests.factories import library_document


@pytest.fixture
def server() -> Iterator[str]:
    url = room.RoomAddress.parse(backends.pg_address())
    yield url.text
    backends.drop_test_rooms()


def test_publish_list_write_back_and_drop(tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str]) -> None:
    with library_document(tmp_path) as document:
        path = document.path
    name = backends.new_room_name("cli")
    assert main(["room", "publish", str(path), server, "--name", name]) == 0
    assert f"room join {server}" in capsys.readouterr().out
    assert main(["room", "publish", str(path), server, "--name", name]) == 1
    assert "already on the server" in capsys.readouterr().err

    joined = room.join(room.RoomAddress.parse(server), name, Station("cli-notes", "Police table",
                                                                     StationRole.NOTE_TAKER),
                       source=SystemTimeSource())
    joined.close()  # type: ignore[attr-defined]
    assert main(["room", "list", server]) == 0
    listing = capsys.readouterr().out
    assert f"{name}: Exercise WINTER LANTERN [OFFICIAL-SENSITIVE]" in listing
    assert "Police table (note-taker)" in listing

    out = tmp_path / "back.ctpn"
    assert main(["room", "write-back", server, name, str(out)]) == 0
    assert main(["verify", str(out)]) == 0
    assert main(["room", "drop", server, name]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["room", "drop", server, name, "--yes"]) == 0
    assert main(["room", "write-back", server, name, str(tmp_path / "again.ctpn")]) == 1
    assert "no room of that name" in capsys.readouterr().err


def test_bad_server_addresses_are_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["room", "list", "ctpn@127.0.0.1:1/ctpn"]) == 1
    assert "cannot be reached" in capsys.readouterr().err
    assert main(["room", "list", "127.0.0.1:5432"]) == 1
    assert "which database" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["room", "join", "ctpn@127.0.0.1:1/ctpn", "X", "--role", "general"])
    assert stopped.value.code == 2


@pytest.mark.skipif(not cipher.available(), reason="SQLCipher is not installed")
def test_a_room_from_an_encrypted_file_is_written_back_encrypted_or_not_only_when_asked(
        tmp_path: Path, server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, blobs = read_scenario_file(library_folder() / "christmas-market-mta.json")
    sealed = tmp_path / "sealed.ctpn"
    create_document(sealed, scenario, blobs, passphrase="gold group only").close()
    monkeypatch.setenv(PASSPHRASE_ENV, "gold group only")
    name = backends.new_room_name("cli-sealed")
    assert main(["room", "publish", str(sealed), server, "--name", name]) == 0
    capsys.readouterr()

    out = tmp_path / "back.ctpn"
    assert main(["room", "write-back", server, name, str(out)]) == 2
    assert "published from an encrypted file. Add --encrypt" in capsys.readouterr().err
    assert not out.exists()
    secret = tmp_path / "new-passphrase.txt"
    secret.write_text("a passphrase for the written file\n", encoding="utf-8")
    assert main(["room", "write-back", server, name, str(out), "--encrypt", "--new-passphrase-file",
                 str(secret)]) == 0
    assert capsys.readouterr().out.strip().endswith("back.ctpn, encrypted.")
    assert db.is_encrypted(out)
    with open_document(out, passphrase="a passphrase for the written file") as back:
        assert back.summary().title == "Exercise WINTER LANTERN"
    plain = tmp_path / "plain.ctpn"
    assert main(["room", "write-back", server, name, str(plain), "--unencrypted"]) == 0
    assert not db.is_encrypted(plain)
    with pytest.raises(SystemExit):
        main(["room", "write-back", server, name, str(tmp_path / "x.ctpn"), "--encrypt", "--unencrypted"])

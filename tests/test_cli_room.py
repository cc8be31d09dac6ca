"""`ctpn-desktop room …`: publish, list, write back and drop a shared room from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services import room

from ctpn_desktop.cli import main
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

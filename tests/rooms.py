"""What the shared-room tests share: joining a room as a station, waiting for the room to get somewhere, a
decision to log, and a station whose network cable runs through a `NetworkCut`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ctpn_desktop.core.clock import SystemTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.roles import Station
from ctpn_desktop.core.services import room
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import LogDraft

from tests.netcut import NetworkCut


def join(address: room.RoomAddress, name: str, station: Station, folder: Path) -> Document:
    """``station`` joins the room, keeping its journal in ``folder``."""
    document = room.join(address, name, station, source=SystemTimeSource(), journal_folder=folder)
    assert isinstance(document, Document)
    return document


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "the room did not get there") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} in {timeout:g} s")
        time.sleep(0.02)


def decision(text: str) -> LogDraft:
    return LogDraft(kind=LogKind.DECISION, text=text, decision_maker="Gold", organisation="Police")


def cable_to(address: room.RoomAddress) -> tuple[NetworkCut, room.RoomAddress]:
    """A relay to the room's server, and the address that reaches the server through it."""
    url = address.url
    cable = NetworkCut(url.host or "127.0.0.1", url.port or 5432)
    return cable, room.RoomAddress(url.set(host="127.0.0.1", port=cable.port))

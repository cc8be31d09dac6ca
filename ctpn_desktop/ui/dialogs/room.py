"""Sharing an exercise in the room: publishing the open file to the room's server, and joining it from another
station in a role. Both dialogs stay open with the reason when the server says no, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.roles import ROLE_DUTIES, StationRole
from ctpn_desktop.core.services.room import RoomAddress, RoomSummary

from ctpn_desktop.ui.conduct.dialogs import FormDialog

SERVER_HINT = "host:port/database, e.g. control@192.168.10.2:5432/ctpn"

Attempt = Callable[[RoomAddress, str, str], str | None]
"""Does the work (publish or join) with the address, room name and station name; the problem, or None."""
RoomLister = Callable[[RoomAddress], list[RoomSummary]]


def _problem(error: BaseException) -> str:
    text = str(getattr(error, "problem", "") or error)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class _RoomDialog(FormDialog):
    def __init__(self, title: str, text: str, ok_text: str, server: str, parent: QWidget | None) -> None:
        super().__init__(title, text, ok_text, parent)
        self.setMinimumWidth(620)
        self.server_edit = QLineEdit(server, self)
        self.server_edit.setObjectName("roomServer")
        self.server_edit.setPlaceholderText(SERVER_HINT)
        self.add_row("&Server:", self.server_edit)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("roomPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("only if the server asks for one; never stored")
        self.add_row("Pass&word:", self.password_edit)

    def address(self) -> RoomAddress:
        return RoomAddress.parse(self.server_edit.text(), self.password_edit.text() or None)

    def _busy(self, work: Callable[[], str | None]) -> str | None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return work()
        except CtpnError as error:
            return _problem(error)
        finally:
            QGuiApplication.restoreOverrideCursor()


class PublishRoomDialog(_RoomDialog):
    """Put the open exercise file on the room's server; this station then works on the room as facilitator."""

    def __init__(self, server: str, exercise_title: str, attempt: Attempt, parent: QWidget | None = None) -> None:
        super().__init__("Publish to shared room",
                         "The exercise is copied to a PostgreSQL server on the room's own network. Every station "
                         "that joins it then sees the same runs, clock, releases, log and evaluation as they happen. "
                         "This file is left as it is; at the end, File ▸ Write Room to File makes one file again.",
                         "Publish", server, parent)
        self.setObjectName("publishRoomDialog")
        self.name_edit = QLineEdit(exercise_title, self)
        self.name_edit.setObjectName("roomName")
        self.add_row("&Room name:", self.name_edit)
        self.station_edit = QLineEdit("Facilitator", self)
        self.station_edit.setObjectName("stationName")
        self.add_row("This &station:", self.station_edit)
        self._attempt = attempt
        self.server_edit.setFocus() if not server else self.name_edit.setFocus()

    def problem(self) -> str:
        if not self.name_edit.text().strip():
            return "Give the room a name: the other stations choose it by its name."
        try:
            address = self.address()
        except CtpnError as error:
            return _problem(error)
        return self._busy(lambda: self._attempt(address, self.name_edit.text().strip(),
                                                self.station_edit.text().strip())) or ""


class JoinRoomDialog(_RoomDialog):
    """Find the rooms on a server and join one, as a station in a role."""

    def __init__(self, server: str, station_name: str, lister: RoomLister, attempt: Attempt,
                 parent: QWidget | None = None) -> None:
        super().__init__("Join shared exercise",
                         "Join an exercise that the facilitator published on the room's server. Everything you do "
                         "is seen at once on every station; if the network fails, what you log is kept on this "
                         "laptop and sent when it is back.", "Join", server, parent)
        self.setObjectName("joinRoomDialog")
        self._lister, self._attempt = lister, attempt
        find_row = QHBoxLayout()
        self.find_button = QPushButton("&Find Rooms", self)
        self.find_button.setObjectName("findRooms")
        self.find_button.clicked.connect(self.find_rooms)
        self.found_label = QLabel("", self)
        self.found_label.setObjectName("roomsFound")
        self.found_label.setWordWrap(True)
        find_row.addWidget(self.find_button)
        find_row.addWidget(self.found_label, 1)
        self.form.addRow("", find_row)
        self.rooms = QListWidget(self)
        self.rooms.setObjectName("roomList")
        self.rooms.setMinimumHeight(120)
        self.rooms.setWordWrap(True)
        self.rooms.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.rooms.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rooms.setSpacing(2)
        self.add_row("R&oom:", self.rooms)
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("stationRole")
        for role in StationRole:
            self.role_combo.addItem(role.label, role.value)
            self.role_combo.setItemData(self.role_combo.count() - 1, ROLE_DUTIES[role], Qt.ItemDataRole.ToolTipRole)
        self.role_combo.setCurrentIndex(self.role_combo.findData(StationRole.NOTE_TAKER.value))
        self.add_row("Ro&le:", self.role_combo)
        self.duty_label = QLabel("", self)
        self.duty_label.setObjectName("roleDuty")
        self.duty_label.setWordWrap(True)
        self.form.addRow("", self.duty_label)
        self.role_combo.currentIndexChanged.connect(self._show_duty)
        self._show_duty()
        self.station_edit = QLineEdit(station_name, self)
        self.station_edit.setObjectName("stationName")
        self.station_edit.setPlaceholderText("e.g. Police table, Evaluator 2")
        self.add_row("This &station:", self.station_edit)
        self.server_edit.returnPressed.connect(self.find_rooms)

    @property
    def role(self) -> StationRole:
        return StationRole(self.role_combo.currentData())

    def _show_duty(self, *_args: object) -> None:
        self.duty_label.setText(f"A {self.role.label.lower()} station {ROLE_DUTIES[self.role]}.")

    def find_rooms(self) -> None:
        self.rooms.clear()
        try:
            address = self.address()
        except CtpnError as error:
            self.found_label.setText(_problem(error))
            return
        found: list[RoomSummary] = []

        def work() -> str | None:
            found.extend(self._lister(address))
            return None

        problem = self._busy(work)
        if problem:
            self.found_label.setText(problem)
            return
        for summary in found:
            runs = f"{summary.runs} run" + ("" if summary.runs == 1 else "s")
            stations = len(summary.stations)
            text = (f"{summary.name}\n{summary.title} [{summary.marking}] · {runs} · {stations} station"
                    + ("" if stations == 1 else "s"))
            item = QListWidgetItem(text if summary.usable else f"{text}\nCannot be joined: {summary.problem}")
            item.setData(Qt.ItemDataRole.UserRole, summary.name)
            item.setToolTip("\n".join(f"{name or '(unnamed)'}: {role.label}" for name, role in summary.stations)
                            or "Nobody has joined yet")
            if not summary.usable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            self.rooms.addItem(item)
        usable = [i for i in range(self.rooms.count())
                  if self.rooms.item(i).flags() & Qt.ItemFlag.ItemIsEnabled]
        self.found_label.setText(f"{len(found)} room(s) on the server." if found else "No rooms on this server yet.")
        if usable:
            self.rooms.setCurrentRow(usable[0])
            self.rooms.setFocus()

    def chosen_room(self) -> str | None:
        item = self.rooms.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def problem(self) -> str:
        name = self.chosen_room()
        if name is None:
            return "Find the rooms on the server, then choose one."
        if not self.station_edit.text().strip():
            return "Give this station a name, so that the others know who logged what."
        try:
            address = self.address()
        except CtpnError as error:
            return _problem(error)
        return self._busy(lambda: self._attempt(address, name, self.station_edit.text().strip())) or ""

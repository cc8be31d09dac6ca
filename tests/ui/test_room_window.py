"""A shared room seen through the real windows of several stations: publishing and joining by the dialogs,
commands a role may not use disabled, the pages following another station live, and a station that loses
the server and gets it back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import RunInfo
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder, library_items
from ctpn_desktop.core.roles import Station, StationRole
from ctpn_desktop.core.services.document import create_document, open_document
from ctpn_desktop.core.services.room import RoomAddress
from ctpn_desktop.storage import cipher, db

from ctpn_desktop.ui.actions import ActionId
from ctpn_desktop.ui.conduct.actions import RunAction
from ctpn_desktop.ui.dialogs.passphrase import EncryptCopyQuestion
from ctpn_desktop.ui.main_window import DECISION_LOG, MainWindow

from ctpn_desktop.app import context_factory
from tests import backends
from tests.netcut import NetworkCut
from tests.ui.conftest import ScriptedDialogs, ScriptedPassphrases

CTRL = Qt.KeyboardModifier.ControlModifier

Maker = Callable[..., MainWindow]


@pytest.fixture
def server() -> Iterator[RoomAddress]:
    yield RoomAddress.parse(backends.pg_address())
    backends.drop_test_rooms()


@pytest.fixture
def station_window(qtbot, tmp_path: Path, time_source: FakeTimeSource) -> Iterator[Maker]:
    """A main window of its own station (its own device id, settings and journal folder)."""
    windows: list[MainWindow] = []

    def make(device: str, passphrases: ScriptedPassphrases | None = None) -> MainWindow:
        folder = tmp_path / device
        window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat), library_items,
                            context_factory(device, time_source), ScriptedDialogs(), default_directory=tmp_path,
                            device_id=device, time_source=time_source, journal_folder=folder / "journals",
                            passphrase_prompts=passphrases or ScriptedPassphrases([]))
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()
    for window in windows:
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _publish(qtbot, window: MainWindow, server: RoomAddress, name: str) -> None:
    window.actions[ActionId.PUBLISH_ROOM].trigger()
    dialog = window.publish_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.server_edit.setText(server.text)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.document is not None and window.document.room is not None, timeout=10000)


def _join(qtbot, window: MainWindow, server: str, name: str, role: StationRole, station_name: str) -> None:
    window.actions[ActionId.JOIN_ROOM].trigger()
    dialog = window.join_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.server_edit.setText(server)
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    names = [dialog.rooms.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.rooms.count())]
    assert name in names
    dialog.rooms.setCurrentRow(names.index(name))
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(role.value))
    dialog.station_edit.setText(station_name)
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.document is not None and window.document.room is not None, timeout=10000)


def _room_with_a_live_run(qtbot, station_window: Maker, document_path: Path, server: RoomAddress,
                          prefix: str) -> tuple[MainWindow, str, RunInfo]:
    """The facilitator's window with the exercise published to a new room and a run started in it."""
    facilitator = station_window("station-lead")
    assert facilitator.open_path(document_path)
    name = backends.new_room_name(prefix)
    _publish(qtbot, facilitator, server, name)
    context = facilitator.context
    assert context is not None
    run = context.runs.create_run("Day one")
    context.runs.start(run.id)
    return facilitator, name, run


def test_publish_join_roles_and_live_pages(qtbot, station_window: Maker, document_path: Path,
                                           server: RoomAddress, time_source: FakeTimeSource) -> None:
    facilitator = station_window("station-lead")
    assert facilitator.open_path(document_path)
    name = backends.new_room_name("window")
    _publish(qtbot, facilitator, server, name)
    assert "room “" in facilitator.windowTitle()
    assert facilitator.room_indicator.isVisible() and "online" in facilitator.room_indicator.text()
    assert facilitator.actions[ActionId.SAVE_COPY].text() == "&Write Room to File…"

    notes = station_window("station-police")
    _join(qtbot, notes, server.text, name, StationRole.NOTE_TAKER, "Police table")
    assert notes.current_page is notes.decision_log_page
    assert "Police table · Note-taker" in notes.room_indicator.text()
    conduct = notes.conduct_page
    for action in (RunAction.NEW_RUN, RunAction.START, RunAction.RELEASE, RunAction.ADHOC):
        assert not conduct.actions[action].isEnabled(), action
    assert not notes.actions[ActionId.PUBLISH_ROOM].isEnabled()
    assert not notes.scenario_page.overview.isEnabled()
    assert "only the facilitator edits" in notes.scenario_page.save_state.text()
    assert not notes.decision_log_page.observations.isEnabled()

    context = facilitator.context
    assert context is not None
    run = context.runs.create_run("Day one")
    context.runs.start(run.id)
    log_page = notes.decision_log_page
    qtbot.waitUntil(lambda: log_page.run_id == run.id, timeout=5000)  # heard from the other station
    assert log_page.quick_entry.isEnabled()
    assert conduct.actions[RunAction.HALT].isEnabled()  # anyone but an observer may halt

    time_source.advance(30)
    notes.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is notes)
    notes.show_page(DECISION_LOG)
    qtbot.keyClick(notes, Qt.Key.Key_L, CTRL)
    entry = log_page.quick_entry.form.text
    qtbot.waitUntil(entry.hasFocus)
    qtbot.keyClicks(entry, "Police cordon at 400 m")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    assert log_page.model.rowCount() == 1
    lead_log = facilitator.decision_log_page
    qtbot.waitUntil(lambda: lead_log.model.rowCount() == 1, timeout=5000)
    assert lead_log.model.entry_at(0).text == "Police cordon at 400 m"
    assert lead_log.model.entry_at(0).device_id == "station-police"
    facilitator.grab().save(str(document_path.parent / "room-facilitator.png"))
    notes.grab().save(str(document_path.parent / "room-notes.png"))


def test_an_observer_changes_nothing(qtbot, station_window: Maker, document_path: Path, server: RoomAddress) -> None:
    facilitator, name, run = _room_with_a_live_run(qtbot, station_window, document_path, server, "observer")
    context = facilitator.context
    assert context is not None
    watcher = station_window("station-gallery")
    _join(qtbot, watcher, server.text, name, StationRole.OBSERVER, "Gallery")
    qtbot.waitUntil(lambda: watcher.decision_log_page.run_id == run.id, timeout=5000)
    assert not watcher.decision_log_page.quick_entry.isEnabled()
    assert not watcher.decision_log_page.action(ActionId.LOG_ENTRY).isEnabled()
    assert all(not watcher.conduct_page.actions[a].isEnabled() for a in RunAction
               if a not in (RunAction.PRESENTER, RunAction.SHOW_ON_PRESENTER, RunAction.STAND_BY, RunAction.PLENARY,
                            RunAction.SOUND, RunAction.REPLAY))  # a replay is read-only, for everyone


def test_a_station_that_loses_the_server_says_so_keeps_entries_and_sends_them(
        qtbot, station_window: Maker, document_path: Path, server: RoomAddress, time_source: FakeTimeSource) -> None:
    facilitator, name, run = _room_with_a_live_run(qtbot, station_window, document_path, server, "offline")
    context = facilitator.context
    assert context is not None
    url = server.url
    cable = NetworkCut(url.host or "127.0.0.1", url.port or 5432)
    try:
        notes = station_window("station-health")
        problem = notes.join_room(RoomAddress(url.set(host="127.0.0.1", port=cable.port)), name,
                                  Station("station-health", "Health table", StationRole.NOTE_TAKER))
        assert problem is None
        page = notes.decision_log_page
        qtbot.waitUntil(lambda: page.run_id == run.id, timeout=5000)
        cable.cut()
        qtbot.waitUntil(lambda: notes.room_banner.isVisible(), timeout=5000)
        assert "OFFLINE" in notes.room_indicator.text()
        for text in ("Casualty clearing station at the fire station", "Second ambulance loggist arrives"):
            page.quick_entry.form.text.setPlainText(text)
            page.quick_entry.commit()
        assert page.model.rowCount() == 2
        assert [page.model.index(r, 0).data() for r in range(2)] == ["…", "…"]
        assert "Saved on this laptop" in page.quick_entry.status.text()
        qtbot.waitUntil(lambda: "2 waiting to be sent" in notes.room_indicator.text(), timeout=5000)
        notes.grab().save(str(document_path.parent / "room-offline.png"))

        cable.restore()
        qtbot.waitUntil(lambda: not notes.room_banner.isVisible(), timeout=15000)
        qtbot.waitUntil(lambda: sorted(page.model.index(r, 0).data() for r in range(page.model.rowCount()))
                        == ["1", "2"], timeout=5000)
        lead = facilitator.decision_log_page
        qtbot.waitUntil(lambda: lead.model.rowCount() == 2, timeout=5000)
        assert "online" in notes.room_indicator.text()
    finally:
        cable.close()


def test_a_controller_offline_releases_on_the_laptop_and_the_room_gets_it_later(
        qtbot, station_window: Maker, document_path: Path, server: RoomAddress, time_source: FakeTimeSource) -> None:
    facilitator, name, run = _room_with_a_live_run(qtbot, station_window, document_path, server, "controller")
    context = facilitator.context
    assert context is not None
    url = server.url
    cable = NetworkCut(url.host or "127.0.0.1", url.port or 5432)
    try:
        control = station_window("station-control")
        assert control.join_room(RoomAddress(url.set(host="127.0.0.1", port=cable.port)), name,
                                 Station("station-control", "Control desk", StationRole.CONTROLLER)) is None
        page = control.conduct_page
        qtbot.waitUntil(lambda: page.run is not None and page.run.id == run.id, timeout=5000)
        assert page.actions[RunAction.RELEASE].isEnabled() and not page.actions[RunAction.PAUSE].isEnabled()
        first = sorted(page.scenario.injects, key=lambda i: (i.planned_offset_s, i.number))[0]
        cable.cut()
        qtbot.waitUntil(lambda: control.room_banner.isVisible(), timeout=5000)
        page.select_inject(first.id)
        page.release()
        assert "saved on this laptop" in page.feedback_label.text()
        assert any(e.inject_id == first.id and e.pending for e in page.events)
        cable.restore()
        qtbot.waitUntil(lambda: not control.room_banner.isVisible(), timeout=15000)
        lead = facilitator.conduct_page
        qtbot.waitUntil(lambda: any(e.inject_id == first.id for e in lead.events), timeout=5000)
        qtbot.waitUntil(lambda: all(not e.pending for e in page.events), timeout=5000)
        assert [e.actor for e in context.runs.events(run.id) if e.inject_id == first.id] == ["Control desk"]
    finally:
        cable.close()


@pytest.mark.skipif(not cipher.available(), reason="SQLCipher is not installed")
def test_a_room_from_an_encrypted_file_is_written_back_encrypted_by_default(
        qtbot, station_window: Maker, tmp_path: Path, server: RoomAddress) -> None:
    scenario, blobs = read_scenario_file(library_folder() / "christmas-market-mta.json")
    sealed = tmp_path / "sealed.ctpn"
    create_document(sealed, scenario, blobs, passphrase="silver command passphrase").close()
    passphrases = ScriptedPassphrases(["silver command passphrase"], new=["the written file's own passphrase"],
                                      encrypt_copies=[None, True, False])
    facilitator = station_window("station-lead", passphrases)
    assert facilitator.open_path(sealed)
    _publish(qtbot, facilitator, server, backends.new_room_name("sealed"))
    dialogs = facilitator.file_dialogs
    assert isinstance(dialogs, ScriptedDialogs)

    cancelled, encrypted, plain = tmp_path / "cancelled.ctpn", tmp_path / "after.ctpn", tmp_path / "plain.ctpn"
    dialogs.save_answers.extend([cancelled, encrypted, plain])
    for _ in range(3):
        facilitator.actions[ActionId.SAVE_COPY].trigger()
    assert [a for a in passphrases.asked if a[2] == "encrypt copy"] == [
        ("cancelled.ctpn", "recommended", "encrypt copy"), ("after.ctpn", "recommended", "encrypt copy"),
        ("plain.ctpn", "recommended", "encrypt copy")]
    assert ("after.ctpn", "", "new") in passphrases.asked
    assert not cancelled.exists()
    assert db.is_encrypted(encrypted) and not db.is_encrypted(plain)
    assert facilitator.statusBar().currentMessage().endswith("plain.ctpn, not encrypted")
    with open_document(encrypted, passphrase="the written file's own passphrase") as back:
        assert back.summary().title == "Exercise WINTER LANTERN"


def test_the_question_encrypts_by_default_only_for_a_room_from_an_encrypted_file(qtbot) -> None:
    recommended = EncryptCopyQuestion("after.ctpn", recommended=True, available=True)
    qtbot.addWidget(recommended)
    assert recommended.defaultButton() is recommended.encrypt_button
    assert "encrypted when it was published" in recommended.informativeText()
    plain = EncryptCopyQuestion("after.ctpn", recommended=False, available=True)
    qtbot.addWidget(plain)
    assert plain.defaultButton() is plain.plain_button
    missing = EncryptCopyQuestion("after.ctpn", recommended=True, available=False)
    qtbot.addWidget(missing)
    assert missing.encrypt_button is None and "SQLCipher is missing" in missing.informativeText()
    recommended.show()
    qtbot.waitExposed(recommended)
    qtbot.keyClick(recommended, Qt.Key.Key_Return)
    assert recommended.answer() is True

"""Merging a copy of the exercise that was encrypted on the other laptop, from the decision log."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ctpn_desktop.core.services.encryption import encrypt_file

from ctpn_desktop.ui.actions import ActionId

from tests.ui.conftest import ScriptedPassphrases
from tests.ui.log.conftest import LiveRun, ScriptedLogFiles, message_boxes
from tests.ui.log.test_evaluation_merge_integrity import _other_laptop


def state(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_merging_an_encrypted_copy_asks_for_its_own_passphrase(qtbot, live: LiveRun, log_files: ScriptedLogFiles,
                                                               tmp_path: Path) -> None:
    other = _other_laptop(live, tmp_path)
    encrypt_file(other, "laptop b keeps its own words")
    before = state(other)
    prompts = ScriptedPassphrases(["laptop a's words", "laptop b keeps its own words"])
    live.page.passphrases = prompts
    log_files.merge_answers.append(other)
    live.page.action(ActionId.LOG_MERGE).trigger()
    assert prompts.asked[0][1] == "" and "does not open" in prompts.asked[1][1]
    [box] = message_boxes()
    assert box.windowTitle() == "Logs merged" and "2 new log entries" in box.text()
    box.close()
    assert state(other) == before  # the other copy is only ever read
    prompts.answers = [None]
    log_files.merge_answers.append(other)
    live.page.action(ActionId.LOG_MERGE).trigger()  # cancelled: nothing merged, nothing said
    assert message_boxes() == []

"""Any text people type is stored exactly, read back exactly, searched and verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import ActionItem, LogKind
from ctpn_desktop.core.io.log_csv import log_rows
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

from tests.factories import library_document, reopen

TEXTS = [
    "مرحبا بالعالم — قرار: إغلاق الساحة",  # right-to-left
    "שלום, mixed with English and 123",  # right-to-left with left-to-right runs
    "🚒🚑👮‍♀️🏳️‍🌈 emoji, sequences with joiners",
    "e\u0301 vs é, ﬁ ligature, \u200b zero width, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "  leading and trailing spaces, \ttabs\r\nand Windows line ends  ",
    "Zoë Müller, Łódź, Ἀθῆναι, Кириллица, 中文, 日本語, 한국어",
    "x" * 1_000_000,
]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_text_is_stored_exactly(tmp_path: Path, text: str) -> None:
    source = FakeTimeSource()
    with library_document(tmp_path) as document:
        run = RunService(document, source).create_run()
        log = LogService(document, "laptop", source)
        entry = log.append(run.id, LogDraft(kind=LogKind.DECISION, text=text, rationale=text[::-1][:500],
                                            actions=(ActionItem(text[:200], text[-50:]),), decision_maker=text[:80]),
                           exercise_s=1.5)
    with reopen(document) as reopened:
        log = LogService(reopened, "other", source)
        [read] = log.entries(run.id)
        assert read.current.text == text and read.entry_id == entry.entry_id
        assert read.current.rationale == text[::-1][:500]
        assert read.current.actions == (ActionItem(text[:200], text[-50:]),)
        assert log.summaries(run.id)[0].text == text
        assert log.verify().ok
        assert log_rows([read])[0][8] == text
        words = [w for w in text.split() if w.isalpha() and len(w) > 2]
        if words:
            assert [e.entry_id for e in log.search(run.id, words[0])] == [entry.entry_id]

"""A document with one conducted run, so a debrief has something to report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.services.document import open_document
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

LOGGED_TEXT = "Cordon set at 400 m; Łódź liaison informed"


def conduct_a_run(document: Path) -> None:
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    with open_document(document) as opened:
        runs = RunService(opened, source, actor="Lead facilitator")
        conduct = runs.create_run("Live conduct")
        runs.start(conduct.id)
        source.advance(600)
        LogService(opened, "laptop-1", source).append(
            conduct.id, LogDraft(kind=LogKind.DECISION, text=LOGGED_TEXT, logged_by="Loggist"), exercise_s=600)
        runs.end(conduct.id)

"""What a workspace needs from an open document: the services, typed by the few calls the UI makes.

Protocols rather than concrete classes keep the workspaces independent of how `app.py` builds the services
and let tests hand in small fakes for run data that only a live exercise would produce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ctpn_desktop.core.entities import DocumentSummary, InjectEvent, LogEntry, RunInfo, Scenario
from ctpn_desktop.core.services.document import Document


class ScenarioSource(Protocol):
    def load(self) -> Scenario: ...


class RunsSource(Protocol):
    def list_runs(self) -> list[RunInfo]: ...

    def frozen_scenario(self, run_id: str) -> Scenario: ...

    def events(self, run_id: str) -> list[InjectEvent]: ...


class LogSource(Protocol):
    def entries(self, run_id: str) -> list[LogEntry]: ...


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """One open document and its services; built by the composition root."""

    document: Document
    scenario: ScenarioSource
    runs: RunsSource
    log: LogSource

    def summary(self) -> DocumentSummary:
        return self.document.summary()


ContextFactory = Callable[[Document], DocumentContext]

"""What a workspace needs from an open document: the document and the services built on it.

The composition root (`app.py`) builds one context per opened document; workspaces call the services and never
touch storage. Tests build a context with a fake time source through `app.context_factory`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the services bring SQLAlchemy; the window is built before they are needed
    from ctpn_desktop.core.clock import TimeSource
    from ctpn_desktop.core.entities import DocumentSummary
    from ctpn_desktop.core.services.document import Document
    from ctpn_desktop.core.services.evaluation import EvaluationService
    from ctpn_desktop.core.services.log import LogService
    from ctpn_desktop.core.services.replay import ReplayService
    from ctpn_desktop.core.services.runs import RunService
    from ctpn_desktop.core.services.scenario import ScenarioService
    from ctpn_desktop.core.services.syndicates import SyndicateService

    from ctpn_desktop.ui.live import LiveDocument


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """One open document and its services."""

    document: Document
    scenario: ScenarioService
    runs: RunService
    log: LogService
    evaluation: EvaluationService
    time_source: TimeSource
    device_id: str
    syndicates: SyndicateService
    live: LiveDocument
    """What changed in the document, after each commit, for every page (see `ui.live`)."""
    replay: ReplayService
    """Replays of runs and their bookmarks (the evaluation cites bookmarks as evidence)."""

    def summary(self) -> DocumentSummary:
        return self.document.summary()

    def close(self) -> None:
        """Stop following the document, then close it."""
        self.live.close()
        self.document.close()


ContextFactory = Callable[["Document"], DocumentContext]

"""Filters over the log: words (full-text search in the document), kind, organisation, objective, inject, syndicate
(when the run has syndicates) and an exercise-time range. The bar only collects what is chosen;
`LogService.summaries` does the finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

from ctpn_desktop.core.entities import LogKind
from ctpn_desktop.core.io.scenario_json import parse_offset
from ctpn_desktop.core.services.log import PLENARY

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.log.choices import KIND_LABELS, RunChoices
from ctpn_desktop.ui.reflow import FlowLayout, side_by_side

SEARCH_PAUSE_MS = 180
"""Search once typing pauses, not on every keystroke."""


@dataclass(frozen=True)
class LogFilter:
    query: str = ""
    kind: LogKind | None = None
    organisation: str | None = None
    objective_id: str | None = None
    inject_id: str | None = None
    since_s: float | None = None
    until_s: float | None = None
    syndicate: str | None = None
    """A syndicate's id, `PLENARY` for entries of no syndicate, None for all."""

    @property
    def active(self) -> bool:
        return self != LogFilter(query=self.query) or bool(self.query.strip())


def _combo(name: str, parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


class LogFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = FlowLayout(self, spacing=6, row_spacing=6)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setObjectName("logSearch")
        self.search.setPlaceholderText("Search entries…")
        self.search.setAccessibleName("Search log entries")
        self.search.setToolTip("Words in the text, rationale, options, actions, decision maker or loggist; "
                               "word starts match (cord → cordon)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon(icons.FILTER), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("Search entries…") + 56)
        self.kind = _combo("Filter by kind", self)
        self.kind.setObjectName("filterKind")
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.kind.addItem("All kinds", None)
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.organisation = _combo("Filter by organisation", self)
        self.organisation.setObjectName("filterOrganisation")
        self.organisation.setMinimumContentsLength(8)
        self.objective = _combo("Filter by objective", self)
        self.objective.setObjectName("filterObjective")
        self.objective.setMinimumContentsLength(6)
        self.inject = _combo("Filter by inject", self)
        self.inject.setObjectName("filterInject")
        self.inject.setMinimumContentsLength(6)
        self.syndicate = _combo("Filter by syndicate", self)
        self.syndicate.setObjectName("filterSyndicate")
        self.syndicate.setMinimumContentsLength(8)
        self.syndicate.hide()
        self.since = QLineEdit(self)
        self.since.setObjectName("filterSince")
        self.since.setAccessibleName("From exercise time")
        self.since.setPlaceholderText("0:00")
        self.until = QLineEdit(self)
        self.until.setObjectName("filterUntil")
        self.until.setAccessibleName("Until exercise time")
        self.until.setPlaceholderText("9:59")
        for edit in (self.since, self.until):
            edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("0:00:00") + 20)
            edit.setToolTip("Exercise time as H:MM or H:MM:SS")
        self.order = _combo("Order", self)
        self.order.setObjectName("logOrder")
        self.order.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.order.addItem("Oldest first", False)
        self.order.addItem("Newest first", True)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Clear the search and every filter")
        self.clear_button.setObjectName("clearFilters")

        caption = QLabel("Find &text", self)
        caption.setBuddy(self.search)
        for combo in (self.organisation, self.objective, self.inject, self.syndicate):
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        time_range = side_by_side(self, QLabel("Time", self), self.since, QLabel("–", self), self.until)
        # One row on a wide window; on a narrow one the bar wraps rather than widening the window.
        search = side_by_side(self, caption, self.search, stretch=self.search)
        search.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)  # the lists get the spare room
        layout.addWidget(search)
        for widget in (self.kind, self.organisation, self.objective, self.inject, self.syndicate, time_range,
                       side_by_side(self, self.order, self.clear_button)):
            widget.setParent(self)
            layout.addWidget(widget)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self.changed)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.apply_now)
        for combo in (self.kind, self.organisation, self.objective, self.inject, self.syndicate, self.order):
            combo.currentIndexChanged.connect(self.apply_now)
        for edit in (self.since, self.until):
            edit.editingFinished.connect(self.apply_now)
        self.clear_button.clicked.connect(self.clear)
        self._quiet = False

    def apply_now(self, *_args: object) -> None:
        if self._quiet:
            return
        self._timer.stop()
        self.changed.emit()

    def set_choices(self, choices: RunChoices) -> None:
        """Offer the run's organisations, objectives and injects; keep what is chosen where it still exists."""
        self._quiet = True
        try:
            self._refill(self.organisation, "All organisations", [(name, name) for name in choices.organisations])
            self._refill(self.objective, "All objectives", [(f"{code} {statement[:50]}", objective_id)
                                                            for objective_id, code, statement in choices.objectives])
            self._refill(self.inject, "All injects", [(c.label, c.id) for c in choices.injects])
            self._refill(self.syndicate, "All syndicates", [("Plenary (no syndicate)", PLENARY),
                                                            *((name, sid) for sid, name in choices.syndicates)])
            self.syndicate.setVisible(bool(choices.syndicates))
            if not choices.syndicates:
                self.syndicate.setCurrentIndex(0)
        finally:
            self._quiet = False

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        combo.clear()
        combo.addItem(everything, None)
        for label, value in items:
            combo.addItem(label, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))

    def clear(self) -> None:
        self._quiet = True
        try:
            self.search.clear()
            for combo in (self.kind, self.organisation, self.objective, self.inject, self.syndicate):
                combo.setCurrentIndex(0)
            self.since.clear()
            self.until.clear()
        finally:
            self._quiet = False
        self.apply_now()

    @property
    def newest_first(self) -> bool:
        return bool(self.order.currentData())

    def problem(self) -> str | None:
        for edit, what in ((self.since, "From"), (self.until, "To")):
            try:
                _time(edit.text())
            except ValueError:
                return f"{what}: “{edit.text()}” is not an exercise time like 1:15 or 1:15:30."
        return None

    def values(self) -> LogFilter:
        kind = self.kind.currentData()
        return LogFilter(
            query=self.search.text(), kind=LogKind(kind) if kind else None,
            organisation=self.organisation.currentData(), objective_id=self.objective.currentData(),
            inject_id=self.inject.currentData(), since_s=_time(self.since.text(), quiet=True),
            until_s=_time(self.until.text(), quiet=True), syndicate=self.syndicate.currentData())


def _time(text: str, *, quiet: bool = False) -> float | None:
    if not text.strip():
        return None
    try:
        return float(parse_offset(text))
    except ValueError:
        if quiet:
            return None
        raise

"""The detail pane of one log entry: every field of its current revision and its whole history.

Earlier revisions are shown struck through with the reason that replaced them; a withdrawn entry keeps its
text, struck through, with the reason for withdrawing it. Everything people typed is escaped and shown with
its line breaks, in any script and direction.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import LogEntry, LogRevision, Observation

from ctpn_desktop.ui.formatting import format_wall_time
from ctpn_desktop.ui.log.choices import KIND_LABELS, RunChoices, stage_label
from ctpn_desktop.ui.log.style import problem_colour


def _text(value: str) -> str:
    """Typed text as HTML: escaped, line breaks kept, direction taken from the text itself."""
    return f'<span style="white-space: pre-wrap">{html.escape(value)}</span>'


def _row(label: str, value: str) -> str:
    """A field as a small heading over its value: reads well however narrow the pane is."""
    return f'<p class="field"><span class="label">{html.escape(label)}</span><br>{value}</p>'



def entry_html(entry: LogEntry, choices: RunChoices, *, muted: str, problem: str,
               citations: Sequence[Observation] = ()) -> str:
    current = entry.current
    title = f"Entry {current.entry_number} · {KIND_LABELS[current.kind]}"
    state = ""
    if current.withdrawn:
        state = (f'<p style="color:{problem}"><b>Withdrawn</b> ({html.escape(_when(current))}). Reason: '
                 f"{_text(current.revision_reason)}</p>")
    elif entry.corrected:
        state = (f'<p style="color:{muted}">Corrected in revision {current.revision} '
                 f"({html.escape(_when(current))}). Reason: {_text(current.revision_reason)}</p>")
    body = _text(current.text)
    if current.withdrawn:
        body = f"<s>{body}</s>"
    rows = [
        _row("Logged", html.escape(f"{format_wall_time(current.logged_at)} · exercise time "
                                   f"{format_elapsed(current.exercise_s)}"
                                   + (f" · scenario time {current.scenario_time:%a %d %b %H:%M}"
                                      if current.scenario_time else ""))),
        _row("Decision maker", _text(" · ".join(v for v in (current.decision_maker, current.organisation) if v)
                                     or "—")),
    ]
    if current.rationale:
        rows.append(_row("Rationale", _text(current.rationale)))
    if current.options_considered:
        rows.append(_row("Options considered", _text(current.options_considered)))
    if current.actions:
        items = "".join(f"<li>{_text(a.action)}" + (f" — <i>{_text(a.owner)}</i>" if a.owner else "") + "</li>"
                        for a in current.actions)
        rows.append(_row("Actions", f'<ul style="margin:0; -qt-list-indent: 0; margin-left: 14px">{items}</ul>'))
    if current.inject_id:
        rows.append(_row("Inject", _text(choices.inject_labels.get(current.inject_id, "an inject not in this run"))))
    if current.objective_ids:
        statements = {objective_id: f"{code} {statement}" for objective_id, code, statement in choices.objectives}
        rows.append(_row("Objectives", "<br>".join(_text(statements.get(o, "unknown objective"))
                                                   for o in current.objective_ids)))
    if current.jdm_stage:
        rows.append(_row("JDM stage", html.escape(stage_label(current.jdm_stage))))
    rows.append(_row("Logged by", _text(current.logged_by or "—") + html.escape(f" · device {current.device_id}")))
    rows.append(_row("Hash", f'<span style="color:{muted}">{current.hash[:16]}…</span>'))
    history = ""
    if entry.history:
        items = []
        revisions = (*entry.history, current)
        for older, newer in itertools.pairwise(revisions):
            items.append(
                f'<li><span style="color:{muted}">Revision {older.revision}, {html.escape(_when(older))}:</span><br>'
                f"<s>{_text(older.text)}</s>"
                + (f"<br><s>Rationale: {_text(older.rationale)}</s>" if older.rationale != current.rationale
                   and older.rationale else "")
                + f'<br><span style="color:{muted}">replaced by revision {newer.revision}: '
                  f"{_text(newer.revision_reason)}</span></li>")
        history = "<h4>History</h4><ul>" + "".join(items) + "</ul>"
    cited = ""
    if citations:
        codes = {objective_id: code for objective_id, code, _ in choices.objectives}
        items = [f"<li><b>{html.escape(codes.get(o.objective_id or '', 'General'))}"
                 + (f" · {o.rating.value}" if o.rating else "") + f"</b> — {_text(o.evaluator)}: {_text(o.text)}</li>"
                 for o in citations]
        cited = (f"<h4>Cited as evidence by {len(citations)} observation{'s' if len(citations) != 1 else ''}</h4>"
                 f"<ul>{''.join(items)}</ul>")
    return f"<h3>{html.escape(title)}</h3>{state}<p>{body}</p>{cited}{''.join(rows)}{history}"


def _when(revision: LogRevision) -> str:
    return f"saved {format_wall_time(revision.committed_at)}"


class EntryDetail(QWidget):
    correct_requested = Signal()
    withdraw_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: LogEntry | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("entryDetail")
        self.browser.setAccessibleName("Entry details")
        self.browser.setOpenLinks(False)
        layout.addWidget(self.browser, 1)
        buttons = QHBoxLayout()
        self.correct_button = QPushButton("Correct…", self)
        self.correct_button.setObjectName("correctEntry")
        self.correct_button.setToolTip("Write a corrected revision; the original stays, struck through (F2)")
        self.withdraw_button = QPushButton("&Withdraw…", self)
        self.withdraw_button.setObjectName("withdrawEntry")
        self.withdraw_button.setToolTip("Withdraw the entry with a reason; it stays in the log, struck through")
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.correct_button.clicked.connect(self.correct_requested)
        self.withdraw_button.clicked.connect(self.withdraw_requested)
        self.show_entry(None, RunChoices())

    def show_entry(self, entry: LogEntry | None, choices: RunChoices,
                   citations: Sequence[Observation] = ()) -> None:
        self.entry = entry
        self.citations = tuple(citations)
        editable = entry is not None and not entry.current.withdrawn
        self.correct_button.setEnabled(editable)
        self.withdraw_button.setEnabled(editable)
        if entry is None:
            self.browser.setHtml(f'<p style="color:{self._muted()}">Select an entry to see all its fields and its '
                                 "history.</p>")
            return
        self.browser.document().setDefaultStyleSheet(
            "p.field { margin-top: 8px; margin-bottom: 0; } "
            f"span.label {{ font-weight: 600; color: {self._muted()}; }}")
        self.browser.setHtml(entry_html(entry, choices, muted=self._muted(), problem=problem_colour(self),
                                        citations=citations))

    def _muted(self) -> str:
        return self.palette().placeholderText().color().name()

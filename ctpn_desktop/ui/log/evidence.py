"""The evidence of an observation: log entries, injects and replay bookmarks picked by typing, kept in a list.

Keyboard first: type a few words of an entry's text, its number, an organisation, an inject's title, or a
bookmark's label or time ("replay 1:12"); the suggestions narrow as you type and Enter adds the highlighted (or the
only, or the first) match. Delete removes the selected item from the list. Nothing is stored until the observation
is added or saved.

A bookmark is offered under its citation, ``Replay 1:12:00 (Run 1) — label``, the words the replay window copies.
Withdrawn entries are not offered, but an observation that cited one before still names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ctpn_desktop.core.entities import Evidence, EvidenceKind
from ctpn_desktop.core.services.log import LogSummary
from ctpn_desktop.core.services.replay import Bookmark

from ctpn_desktop.ui.log.choices import RunChoices

ROLE = Qt.ItemDataRole.UserRole
GONE = "A record no longer in this run"


def entry_label(summary: LogSummary) -> str:
    text = " ".join(summary.text.split())
    who = summary.organisation.strip() or summary.decision_maker.strip()
    withdrawn = " (withdrawn)" if summary.withdrawn else ""
    label = f"Entry {summary.entry_number}{withdrawn}" + (f" · {who}" if who else "") + f" · {text}"
    return label if len(label) <= 110 else label[:109] + "…"


class _EvidenceList(QListWidget):
    removed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentItem() is not None:
            self.takeItem(self.currentRow())
            self.removed.emit()
            return
        super().keyPressEvent(event)


class EvidencePicker(QWidget):
    """A search field with suggestions over the run's log entries, injects and replay bookmarks, and the list of
    what is cited."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: dict[Evidence, str] = {}
        """How every citable record is named, withdrawn entries included (older versions may cite them)."""
        self._by_label: dict[str, Evidence] = {}
        """What may be cited now, by the label offered."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.search = QLineEdit(self)
        self.search.setObjectName("evidenceSearch")
        self.search.setAccessibleName("Find a log entry, inject or replay bookmark to cite")
        self.search.setPlaceholderText("Type to find a log entry, inject or replay bookmark; Enter adds it")
        self.search.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(12)
        self.search.setCompleter(self.completer)
        self.completer.activated.connect(self._add_label)
        self.search.returnPressed.connect(self._add_typed)
        self.chosen = _EvidenceList(self)
        self.chosen.setObjectName("evidenceList")
        self.chosen.setAccessibleName("Cited evidence (Delete removes the selected item)")
        self.chosen.setMaximumHeight(90)
        self.chosen.removed.connect(self.changed)
        layout.addWidget(self.search)
        layout.addWidget(self.chosen)

    def set_choices(self, entries: Sequence[LogSummary], choices: RunChoices,
                    bookmarks: Sequence[Bookmark] = ()) -> None:
        """What may be cited: the run's log entries (current wording), its injects and its replay bookmarks.

        What is already in the list is named again, so a correction or a bookmark that has just arrived shows."""
        offered = {Evidence(EvidenceKind.LOG_ENTRY, s.entry_id): entry_label(s) for s in entries if not s.withdrawn}
        offered |= {Evidence(EvidenceKind.INJECT, i.id): f"Inject {i.label}" for i in choices.injects}
        offered |= {Evidence(EvidenceKind.BOOKMARK, b.id): b.citation for b in bookmarks}
        self._labels = offered | {Evidence(EvidenceKind.LOG_ENTRY, s.entry_id): entry_label(s) for s in entries
                                  if s.withdrawn}
        self._by_label = {label: evidence for evidence, label in offered.items()}
        self._model.setStringList(list(offered.values()))
        for row in range(self.chosen.count()):
            item = self.chosen.item(row)
            item.setText(self.label(item.data(ROLE)))
            item.setToolTip(item.text())

    def label(self, evidence: Evidence) -> str:
        return self._labels.get(evidence, GONE)

    def _add_label(self, label: str) -> None:
        evidence = self._by_label.get(label)
        if evidence is not None:
            self.add(evidence)
        self.search.clear()

    def _add_typed(self) -> None:
        typed = self.search.text().strip()
        if not typed:
            return
        popup = self.completer.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer's own activation adds it
        if typed in self._by_label:
            self._add_label(typed)
            return
        words = typed.casefold().split()
        matches = [label for label in self._by_label if all(word in label.casefold() for word in words)]
        if matches:
            self._add_label(matches[0])

    def add(self, evidence: Evidence) -> None:
        if evidence in self.evidence():
            return
        item = QListWidgetItem(self.label(evidence), self.chosen)
        item.setData(ROLE, evidence)
        item.setToolTip(self.label(evidence))
        self.changed.emit()

    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(self.chosen.item(row).data(ROLE) for row in range(self.chosen.count()))

    def set_evidence(self, evidence: Iterable[Evidence]) -> None:
        self.chosen.clear()
        for item in evidence:
            self.add(item)
        self.search.clear()

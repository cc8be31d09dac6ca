"""The syndicates of a run: who is in each, which laptops take notes for them, their answers to each discussion
question and their read-backs in plenary, compared side by side.

Everything goes through `SyndicateService`, which commits before the pane shows it; a refused change keeps what was
typed and says why. Keyboard first: in the answer box Enter saves and Shift+Enter starts a new line; the phase,
question, syndicate and kind lists answer to Alt+letter and to typing.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import AnswerKind, Syndicate, SyndicateAnswer
from ctpn_desktop.core.errors import CtpnError, MergeRefused
from ctpn_desktop.core.services.merge import MergeReport, merge_from
from ctpn_desktop.core.services.syndicates import compare_syndicates

from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.dialogs.passphrase import PassphrasePrompts, QtPassphrasePrompts
from ctpn_desktop.ui.encryption import with_passphrase
from ctpn_desktop.ui.log.choices import RunChoices
from ctpn_desktop.ui.log.form import EntryTextEdit
from ctpn_desktop.ui.log.style import ok_colour, problem_colour
from ctpn_desktop.ui.reflow import VerticalScrollArea
from ctpn_desktop.ui.widgets import heading, muted, setup_tree

WHOLE_PHASE = -1
"""The question list's entry for an answer about the phase as a whole."""
REVISE = "revise:"


def _esc(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


class SyndicateDialog(QDialog):
    """A syndicate's name, room, facilitator, note-taker and members (one per line). It stores the syndicate itself
    and stays open, saying why, if the service refuses."""

    saved = Signal(object)
    """The stored `Syndicate`."""

    def __init__(self, context: DocumentContext, run_id: str, syndicate: Syndicate | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syndicateDialog")
        self.setWindowTitle("Edit syndicate" if syndicate else "Add a syndicate")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._context, self._run_id, self.syndicate = context, run_id, syndicate
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name = QLineEdit(syndicate.name if syndicate else "", self)
        self.name.setObjectName("syndicateName")
        self.room = QLineEdit(syndicate.room if syndicate else "", self)
        self.facilitator = QLineEdit(syndicate.facilitator if syndicate else "", self)
        self.note_taker = QLineEdit(syndicate.note_taker if syndicate else "", self)
        self.members = QPlainTextEdit("\n".join(syndicate.members) if syndicate else "", self)
        self.members.setObjectName("syndicateMembers")
        self.members.setTabChangesFocus(True)
        self.members.setPlaceholderText("One member per line: name, organisation")
        self.members.setFixedHeight(self.fontMetrics().lineSpacing() * 7 + 12)
        for caption, widget, name in (("&Name", self.name, "Syndicate name"), ("&Room", self.room, "Room"),
                                      ("&Facilitator", self.facilitator, "Facilitator"),
                                      ("N&ote-taker", self.note_taker, "Note-taker"),
                                      ("&Members", self.members, "Members, one per line")):
            widget.setAccessibleName(name)
            form.addRow(caption, widget)
        layout.addLayout(form)
        self.problem = QLabel("", self)
        self.problem.setObjectName("syndicateProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.setFocus()
        self.resize(520, self.sizeHint().height())

    def submit(self) -> None:
        members = tuple(line for line in self.members.toPlainText().splitlines() if line.strip())
        service = self._context.syndicates
        try:
            if self.syndicate is None:
                stored = service.add(self._run_id, self.name.text(), members=members,
                                     facilitator=self.facilitator.text(), note_taker=self.note_taker.text(),
                                     room=self.room.text())
            else:
                stored = service.put(replace(self.syndicate, name=self.name.text(), members=members,
                                             facilitator=self.facilitator.text(),
                                             note_taker=self.note_taker.text(), room=self.room.text()))
        except CtpnError as error:
            self.problem.setText(f"Not saved: {error}.")
            self.problem.setStyleSheet(f"color: {problem_colour(self)};")
            self.problem.show()
            return
        self.saved.emit(stored)
        self.accept()


class SyndicatesPane(QWidget):
    """Syndicates on the left (with the laptops that take notes for them); answers and read-backs on the right."""

    changed = Signal()
    """Syndicates or laptops changed: the log's entry bar, filters and table must be told."""
    merged = Signal(object)
    """A `MergeReport`, after a note-taker's copy was merged for a syndicate."""

    def __init__(self, merge_source: Callable[[QWidget, Path], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syndicatesPane")
        self.context: DocumentContext | None = None
        self.run_id: str | None = None
        self.choices = RunChoices()
        self.syndicates: list[Syndicate] = []
        self.answers: list[SyndicateAnswer] = []
        self.dialog: SyndicateDialog | None = None
        self.revising: SyndicateAnswer | None = None
        self._merge_source = merge_source
        self.passphrases: PassphrasePrompts = QtPassphrasePrompts()
        """Asks for the passphrase of an encrypted note-taker's copy."""
        self._question_phase: str | None = None
        """The phase whose questions the question list holds."""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(heading("Syndicates of this run", 3, left))
        buttons = QGridLayout()
        self.add_button = QPushButton("&Add…", left)
        self.edit_button = QPushButton("&Edit…", left)
        self.delete_button = QPushButton("Delete", left)
        self.programme_button = QPushButton("From the &programme", left)
        self.programme_button.setToolTip("Add the syndicates planned in the exercise programme")
        for index, button in enumerate((self.add_button, self.edit_button, self.delete_button,
                                        self.programme_button)):
            button.setAutoDefault(False)
            buttons.addWidget(button, index // 2, index % 2)
        for button, name in ((self.add_button, "addSyndicate"), (self.edit_button, "editSyndicate"),
                             (self.delete_button, "deleteSyndicate"),
                             (self.programme_button, "syndicatesFromProgramme")):
            button.setObjectName(name)
        left_layout.addLayout(buttons)
        self.tree = QTreeWidget(left)
        self.tree.setObjectName("syndicateList")
        setup_tree(self.tree, "Syndicates", ["Syndicate", "Facilitator", "Note-taker", "Members"])
        left_layout.addWidget(self.tree, 1)
        laptop_caption = QLabel("This &laptop takes notes for", left)
        self.home = QComboBox(left)
        self.home.setObjectName("homeSyndicate")
        self.home.setAccessibleName("This laptop takes notes for")
        self.home.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.home.setMinimumContentsLength(16)
        laptop_caption.setBuddy(self.home)
        left_layout.addWidget(laptop_caption)
        left_layout.addWidget(self.home)
        left_layout.addWidget(muted("Laptops that wrote in this run's log. An entry that names no syndicate counts "
                                    "as its laptop's syndicate.", left))
        self.laptops = QTreeWidget(left)
        self.laptops.setObjectName("syndicateLaptops")
        setup_tree(self.laptops, "Laptops", ["Laptop", "Records", "Logged by", "Syndicate"])
        left_layout.addWidget(self.laptops, 1)
        laptop_buttons = QHBoxLayout()
        self.assign_button = QPushButton("A&ssign to syndicate", left)
        self.assign_button.setObjectName("assignLaptop")
        self.assign_button.setToolTip("The selected laptop's entries count as the selected syndicate's")
        self.unassign_button = QPushButton("&Nobody's", left)
        self.unassign_button.setObjectName("unassignLaptop")
        self.unassign_button.setToolTip("The selected laptop's entries count as no syndicate's")
        laptop_buttons.addWidget(self.assign_button)
        laptop_buttons.addWidget(self.unassign_button)
        laptop_buttons.addStretch(1)
        left_layout.addLayout(laptop_buttons)
        self.merge_button = QPushButton("&Merge note-taker's log…", left)
        self.merge_button.setObjectName("mergeSyndicateLog")
        self.merge_button.setToolTip("Bring in the log kept on the note-taker's copy of this exercise; its laptop's "
                                     "entries become the syndicate's")
        left_layout.addWidget(self.merge_button)
        self.left_scroll = VerticalScrollArea(left, self.splitter)

        right = QWidget(self.splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(heading("Answers and plenary read-backs", 3, right))
        grid = QGridLayout()
        self.phase = QComboBox(right)
        self.phase.setObjectName("answerPhase")
        self.question = QComboBox(right)
        self.question.setObjectName("answerQuestion")
        self.question.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.question.setMinimumContentsLength(14)
        self.phase.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.phase.setMinimumContentsLength(14)
        self.syndicate = QComboBox(right)
        self.syndicate.setObjectName("answerSyndicate")
        self.kind = QComboBox(right)
        self.kind.setObjectName("answerKind")
        for kind in AnswerKind:
            self.kind.addItem(kind.label, kind.value)
        # (caption, widget, accessible name, row, column, columns spanned): the question gets a row of its own.
        fields = (("P&hase", self.phase, "Phase", 0, 0, 1), ("S&yndicate", self.syndicate, "Syndicate", 0, 2, 1),
                  ("&Question", self.question, "Question", 1, 0, 3),
                  ("&Kind", self.kind, "Answer or read-back", 2, 0, 1))
        for caption, widget, name, row, column, span in fields:
            label = QLabel(caption, right)
            label.setBuddy(widget)
            widget.setAccessibleName(name)
            grid.addWidget(label, row, column)
            grid.addWidget(widget, row, column + 1, 1, span)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        right_layout.addLayout(grid)
        text_caption = QLabel("&What the syndicate said", right)
        self.text = EntryTextEdit(3, right)
        self.text.setObjectName("answerText")
        self.text.setAccessibleName("What the syndicate said")
        self.text.setPlaceholderText("Enter saves; Shift+Enter starts a new line")
        text_caption.setBuddy(self.text)
        right_layout.addWidget(text_caption)
        right_layout.addWidget(self.text)
        save_row = QHBoxLayout()
        self.status = QLabel("", right)
        self.status.setObjectName("answerStatus")
        self.status.setWordWrap(True)
        self.cancel_revision = QPushButton("Cancel revision", right)
        self.cancel_revision.setAutoDefault(False)
        self.cancel_revision.hide()
        self.save_button = QPushButton("Save &answer", right)
        self.save_button.setObjectName("saveAnswer")
        self.save_button.setAutoDefault(False)
        save_row.addWidget(self.status, 1)
        save_row.addWidget(self.cancel_revision)
        save_row.addWidget(self.save_button)
        right_layout.addLayout(save_row)
        self.view = QTextBrowser(right)
        self.view.setObjectName("syndicateComparison")
        self.view.setAccessibleName("Each syndicate's answers and read-backs, question by question")
        self.view.setOpenLinks(False)
        right_layout.addWidget(self.view, 1)
        self.splitter.addWidget(self.left_scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([480, 760])

        self.add_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button.clicked.connect(lambda: self.open_dialog(self.selected()))
        self.delete_button.clicked.connect(self.delete_selected)
        self.programme_button.clicked.connect(self.from_programme)
        self.tree.itemActivated.connect(lambda *_: self.open_dialog(self.selected()))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.home.activated.connect(self._home_chosen)
        self.assign_button.clicked.connect(lambda: self._assign(self.selected()))
        self.unassign_button.clicked.connect(lambda: self._assign(None))
        self.laptops.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.merge_button.clicked.connect(self.merge_note_taker)
        self.phase.currentIndexChanged.connect(self._phase_chosen)
        self.text.submitted.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        self.cancel_revision.clicked.connect(self._stop_revising)
        self.view.anchorClicked.connect(self._anchor)
        self.setTabOrder(self.phase, self.question)
        self.setTabOrder(self.question, self.syndicate)
        self.setTabOrder(self.syndicate, self.kind)
        self.setTabOrder(self.kind, self.text)
        self.setTabOrder(self.text, self.save_button)
        self._update_buttons()

    # Run -------------------------------------------------------------------------------------------------
    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self.context, self.run_id, self.choices = context, run_id, choices
        self.setEnabled(context is not None and run_id is not None)
        self._fill_phases()
        self.reload()

    def _phases(self) -> list:
        if self.context is None or self.run_id is None:
            return []
        return sorted(self.context.runs.frozen_scenario(self.run_id).phases,
                      key=lambda p: (p.start_offset_s, p.position))

    def _fill_phases(self) -> None:
        chosen = self.phase.currentData()
        self.phase.blockSignals(True)
        self.phase.clear()
        for phase in self._phases():
            self.phase.addItem(phase.name, phase.id)
        current = self._current_phase_id()
        index = self.phase.findData(chosen or current)
        self.phase.setCurrentIndex(max(index, 0))
        self.phase.blockSignals(False)
        self._phase_chosen()

    def _current_phase_id(self) -> str | None:
        if self.context is None or self.run_id is None:
            return None
        phase = self.context.runs.current_phase(self.run_id)
        return phase.id if phase is not None else None

    def _phase_chosen(self, *_args: object) -> None:
        same_phase = self._question_phase == self.phase.currentData()
        chosen = self.question.currentData() if same_phase else None
        self._question_phase = self.phase.currentData()
        self.question.clear()
        phase = next((p for p in self._phases() if p.id == self.phase.currentData()), None)
        if phase is not None:
            for index, question in enumerate(phase.discussion_questions):
                label = f"{index + 1}. {question}"
                self.question.addItem(label, index)
                self.question.setItemData(index, question, Qt.ItemDataRole.ToolTipRole)
        self.question.addItem("The phase as a whole", WHOLE_PHASE)
        index = self.question.findData(chosen) if chosen is not None else 0
        self.question.setCurrentIndex(max(index, 0))
        self._show_comparison()

    def reload(self) -> None:
        """Read the syndicates, laptops and answers again and show them."""
        context, run_id = self.context, self.run_id
        self.syndicates = context.syndicates.syndicates(run_id) if context and run_id else []
        self.answers = context.syndicates.answers(run_id) if context and run_id else []
        keep = self.selected()
        self.tree.clear()
        for syndicate in self.syndicates:
            item = QTreeWidgetItem([syndicate.name, syndicate.facilitator, syndicate.note_taker,
                                    str(len(syndicate.members))])
            item.setData(0, Qt.ItemDataRole.UserRole, syndicate.id)
            item.setToolTip(3, "\n".join(syndicate.members) or "No members yet")
            self.tree.addTopLevelItem(item)
            if keep is not None and keep.id == syndicate.id:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        for column in range(1, 4):
            self.tree.resizeColumnToContents(column)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        names = {s.id: s.name for s in self.syndicates}
        self._refill(self.home, "No syndicate (plenary or control)", names,
                     context.syndicates.syndicate_of_device(run_id) if context and run_id else None)
        self._refill(self.syndicate, "", names, self.syndicate.currentData() or
                     (context.syndicates.syndicate_of_device(run_id) if context and run_id else None))
        self.laptops.clear()
        if context and run_id:
            for device in context.syndicates.log_devices(run_id):
                mine = " (this laptop)" if device.device_id == context.device_id else ""
                item = QTreeWidgetItem([device.device_id + mine, str(device.records), ", ".join(device.loggists),
                                        names.get(device.syndicate_id or "", "—")])
                item.setData(0, Qt.ItemDataRole.UserRole, device.device_id)
                self.laptops.addTopLevelItem(item)
        self._show_comparison()
        self._update_buttons()

    @staticmethod
    def _refill(combo: QComboBox, nobody: str, names: dict[str, str], chosen: str | None) -> None:
        combo.blockSignals(True)
        combo.clear()
        if nobody:
            combo.addItem(nobody, None)
        for syndicate_id, name in names.items():
            combo.addItem(name, syndicate_id)
        index = combo.findData(chosen) if chosen else -1
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    def selected(self) -> Syndicate | None:
        item = self.tree.currentItem()
        wanted = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((s for s in self.syndicates if s.id == wanted), None)

    def _update_buttons(self) -> None:
        has_run = self.context is not None and self.run_id is not None
        chosen = self.selected() is not None
        for button in (self.edit_button, self.delete_button, self.merge_button):
            button.setEnabled(has_run and chosen)
        self.add_button.setEnabled(has_run)
        planned = bool(self._phases()) and has_run and bool(
            self.context.runs.frozen_scenario(self.run_id).programme.syndicates)  # type: ignore[union-attr]
        self.programme_button.setEnabled(planned)
        laptop = self.laptops.currentItem() is not None
        self.assign_button.setEnabled(has_run and chosen and laptop)
        self.unassign_button.setEnabled(has_run and laptop)
        answering = has_run and bool(self.syndicates)
        for widget in (self.phase, self.question, self.syndicate, self.kind, self.text, self.save_button):
            widget.setEnabled(answering)
        self.home.setEnabled(has_run and bool(self.syndicates))

    # Managing syndicates ---------------------------------------------------------------------------------
    def open_dialog(self, syndicate: Syndicate | None) -> SyndicateDialog | None:
        if self.context is None or self.run_id is None:
            return None
        dialog = SyndicateDialog(self.context, self.run_id, syndicate, self)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, syndicate: Syndicate) -> None:
        self.reload()
        for index in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(index).data(0, Qt.ItemDataRole.UserRole) == syndicate.id:
                self.tree.setCurrentItem(self.tree.topLevelItem(index))
        self.changed.emit()

    def delete_selected(self) -> None:
        syndicate = self.selected()
        if self.context is None or syndicate is None:
            return
        try:
            self.context.syndicates.delete(syndicate.id)
        except CtpnError as error:
            self._say(f"{error}.".capitalize(), error=True)
            return
        self._say(f"{syndicate.name} deleted.", error=False)
        self.reload()
        self.changed.emit()

    def from_programme(self) -> None:
        if self.context is None or self.run_id is None:
            return
        try:
            added = self.context.syndicates.from_programme(self.run_id)
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        self._say(f"{len(added)} syndicates added from the programme." if added else
                  "Every syndicate of the programme is already here.", error=False)
        self.reload()
        self.changed.emit()

    def _home_chosen(self, *_args: object) -> None:
        if self.context is None or self.run_id is None:
            return
        try:
            self.context.syndicates.assign_device(self.run_id, self.home.currentData())
        except CtpnError as error:
            self._say(f"Not changed: {error}.", error=True)
            return
        chosen = self.home.currentText() if self.home.currentData() else "no syndicate"
        self._say(f"This laptop now takes notes for {chosen}.", error=False)
        self.reload()
        self.changed.emit()

    def _assign(self, syndicate: Syndicate | None) -> None:
        item = self.laptops.currentItem()
        if self.context is None or self.run_id is None or item is None:
            return
        device = item.data(0, Qt.ItemDataRole.UserRole)
        try:
            self.context.syndicates.assign_device(self.run_id, syndicate.id if syndicate else None, device)
        except CtpnError as error:
            self._say(f"Not changed: {error}.", error=True)
            return
        self._say(f"Laptop {device}: its entries count as {syndicate.name if syndicate else 'nobody'}'s.",
                  error=False)
        self.reload()
        self.changed.emit()

    def merge_note_taker(self) -> MergeReport | None:
        syndicate = self.selected()
        if self.context is None or syndicate is None:
            return None
        document = self.context.document
        other = self._merge_source(self, document.path.parent)
        if other is None:
            return None
        try:
            report = with_passphrase(self.passphrases, self, Path(other), lambda passphrase: merge_from(
                document, Path(other), syndicate_id=syndicate.id, passphrase=passphrase))
            if report is None:  # the copy's passphrase was not given
                return None
        except (MergeRefused, CtpnError) as error:
            reason = getattr(error, "reason", None) or getattr(error, "problem", str(error))
            self._say(f"Nothing was merged from “{Path(other).name}”: {reason}.", error=True)
            return None
        self._say(report.describe(), error=False)
        self.reload()
        self.merged.emit(report)
        return report

    # Answers ---------------------------------------------------------------------------------------------
    def submit(self) -> SyndicateAnswer | None:
        if self.context is None or self.run_id is None:
            return None
        text = self.text.toPlainText()
        service = self.context.syndicates
        try:
            if self.revising is not None:
                stored = service.revise_answer(self.revising.id, text)
            else:
                index = self.question.currentData()
                stored = service.add_answer(
                    self.run_id, self.syndicate.currentData(), phase_id=self.phase.currentData(),
                    question_index=None if index in (None, WHOLE_PHASE) else int(index), text=text,
                    kind=AnswerKind(self.kind.currentData()),
                    exercise_s=max(self.context.runs.clock(self.run_id).elapsed(), 0.0))
        except CtpnError as error:
            self._say(f"Not saved: {error}. Nothing you typed was lost.", error=True)
            return None
        except (TypeError, ValueError):
            self._say("Choose the syndicate first.", error=True)
            return None
        name = dict((s.id, s.name) for s in self.syndicates).get(stored.syndicate_id, "")
        self._say(f"{stored.kind.label} of {name} saved.", error=False)
        self.text.clear()
        self._stop_revising()
        self.reload()
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
        return stored

    def revise(self, answer_id: str) -> None:
        """Load an answer into the box: saving then stores a new answer in its place (the old one is kept)."""
        answer = next((a for a in self.answers if a.id == answer_id), None)
        if answer is None:
            return
        self.revising = answer
        self.text.setPlainText(answer.text)
        self.cancel_revision.show()
        self.save_button.setText("Save &revision")
        for combo, value in ((self.phase, answer.phase_id), (self.syndicate, answer.syndicate_id),
                             (self.kind, answer.kind.value)):
            combo.setCurrentIndex(max(combo.findData(value), 0))
        self.question.setCurrentIndex(max(self.question.findData(
            WHOLE_PHASE if answer.question_index is None else answer.question_index), 0))
        for combo in (self.phase, self.question, self.syndicate, self.kind):
            combo.setEnabled(False)
        self._say("Revising: the earlier answer is kept and shown as replaced.", error=False)
        self.text.setFocus()

    def _stop_revising(self) -> None:
        self.revising = None
        self.cancel_revision.hide()
        self.save_button.setText("Save &answer")
        self._update_buttons()

    def _anchor(self, url: QUrl) -> None:
        link = url.toString()
        if link.startswith(REVISE):
            self.revise(link[len(REVISE):])

    def _show_comparison(self) -> None:
        palette = self.view.palette()
        muted_colour, rule = palette.placeholderText().color().name(), palette.mid().color().name()
        self.view.document().setDefaultStyleSheet(
            f".muted {{ color: {muted_colour}; }} td {{ padding: 4px 8px 4px 0; vertical-align: top; "
            f"border-bottom: 1px solid {rule}; }} th {{ text-align: left; padding: 4px 8px 4px 0; }}")
        if not self.syndicates:
            self.view.setHtml('<p class="muted">This run has no syndicates. Add them on the left — or from the '
                              "exercise programme — and their answers and read-backs are compared here, question "
                              "by question.</p>")
            return
        phase_id = self.phase.currentData()
        phases = [p for p in self._phases() if p.id == phase_id]
        lines = compare_syndicates(phases, self.syndicates, [a for a in self.answers if a.phase_id == phase_id])
        parts = []
        for line in lines:
            caption = f"{line.label}. {line.question}" if line.question else line.label
            parts.append(f"<p><b>{_esc(caption)}</b></p><table width='100%'><tr><th width='22%'>Syndicate</th>"
                         "<th width='39%'>Answers</th><th width='39%'>Plenary read-back</th></tr>")
            for response in line.responses:
                parts.append(f"<tr><td><b>{_esc(response.syndicate.name)}</b></td>"
                             f"<td>{self._answers(response.answers)}</td>"
                             f"<td>{self._answers(response.readbacks)}</td></tr>")
            parts.append("</table>")
        self.view.setHtml("".join(parts) or '<p class="muted">This phase has no discussion questions.</p>')

    @staticmethod
    def _answers(answers: tuple[SyndicateAnswer, ...]) -> str:
        if not answers:
            return '<span class="muted">—</span>'
        return "<br>".join(f"{_esc(a.text)} <a href='{REVISE}{a.id}'>revise</a>" for a in answers)

    def _say(self, text: str, *, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {problem_colour(self) if error else ok_colour(self)};")

"""Evaluation of a run: observations against objectives with their ratings, the hot wash and the improvement plan.

Each pane lists what is recorded and has a form beside the list to add more; the evaluation service checks and
commits every change before the list shows it. A refused change keeps what was typed and says why.

To edit, choose the note in the form's Edit list (keyboard: Alt+E, then the arrow keys): the form fills with its
current version, a reason is asked for, and saving stores a new version — the earlier one stays, and the history
under the form shows every version with its reason. Withdraw (with the reason) takes a note out of the analysis
without deleting it. Observations cite log entries, injects and replay bookmarks as their evidence, picked by
typing; the replay window's *Cite in a new observation…* starts one with its bookmark already cited.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import (
    CapabilityElement,
    Evidence,
    HotwashKind,
    HotwashNote,
    ImprovementAction,
    Observation,
    Rating,
)
from ctpn_desktop.core.errors import CtpnError

from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.formatting import format_wall_time
from ctpn_desktop.ui.log.choices import RunChoices
from ctpn_desktop.ui.log.evidence import EvidencePicker
from ctpn_desktop.ui.log.form import EntryTextEdit, SubmitLineEdit
from ctpn_desktop.ui.log.style import ok_colour, problem_colour, rating_colour
from ctpn_desktop.ui.reflow import VerticalScrollArea
from ctpn_desktop.ui.widgets import heading, muted

HOTWASH_LABELS: dict[HotwashKind, str] = {
    HotwashKind.STRENGTH: "Strengths",
    HotwashKind.IMPROVEMENT: "Areas for improvement",
    HotwashKind.LESSON: "Lessons identified",
}
HOTWASH_NOTE_LABELS: dict[HotwashKind, str] = {
    HotwashKind.STRENGTH: "Strength",
    HotwashKind.IMPROVEMENT: "Area for improvement",
    HotwashKind.LESSON: "Lesson identified",
}
ELEMENT_LABELS: dict[CapabilityElement, str] = {
    CapabilityElement.PLANNING: "Planning",
    CapabilityElement.ORGANISATION: "Organisation",
    CapabilityElement.EQUIPMENT: "Equipment",
    CapabilityElement.TRAINING: "Training",
    CapabilityElement.EXERCISE: "Exercise",
}
NO_DATE = QDate(2000, 1, 1)


def rating_text(rating: Rating | None) -> str:
    return f"{rating.value} – {rating.label}" if rating else "Not rated"


class _Pane(QWidget):
    """What is recorded, as a readable document on the left; the form to add more on the right."""

    added = Signal()

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: DocumentContext | None = None
        self.run_id: str | None = None
        self.choices = RunChoices()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.splitter, 1)
        self.view = QTextBrowser(self.splitter)
        self.view.setOpenLinks(False)
        right = QWidget()
        # The form scrolls on a short screen rather than setting the window's minimum height.
        self.form_scroll = VerticalScrollArea(right, self.splitter)
        self.form_layout = QVBoxLayout(right)
        self.form_layout.setContentsMargins(12, 0, 0, 0)
        self.title_label = heading(title, 3, right)
        self._titles = (title, title.replace("Add an ", "Edit the ").replace("Add a ", "Edit the "))
        self.form_layout.addWidget(self.title_label)
        self.form_layout.addWidget(muted(hint, right))
        chooser = QFormLayout()
        chooser.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.choose = QComboBox(right)
        self.choose.setObjectName("editChooser")
        self.choose.setAccessibleName("Choose what to edit, or a new one")
        self.choose.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choose.setMinimumContentsLength(30)
        chooser.addRow("&Edit", self.choose)
        self.form_layout.addLayout(chooser)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_layout.addLayout(self.form)
        self.reason_form = QFormLayout()
        self.reason_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.reason = SubmitLineEdit(right)
        self.reason.setObjectName("changeReason")
        self.reason.setAccessibleName("Reason for the change or the withdrawal")
        self.reason.setPlaceholderText("Why this is changed or withdrawn (kept with the earlier version)")
        self.reason.submitted.connect(self.submit)
        self.reason_form.addRow("Rea&son (required)", self.reason)
        self.form_layout.addLayout(self.reason_form)
        row = QHBoxLayout()
        self.status = QLabel("", right)
        self.status.setWordWrap(True)
        self.withdraw_button = QPushButton("&Withdraw…", right)
        self.withdraw_button.setObjectName("withdrawNote")
        self.withdraw_button.setAutoDefault(False)
        self.withdraw_button.setToolTip("Take it out of the analysis with the reason above; it stays in the history")
        self.add_button = QPushButton("", right)
        self.add_button.setAutoDefault(False)
        row.addWidget(self.status, 1)
        row.addWidget(self.withdraw_button)
        row.addWidget(self.add_button)
        self.form_layout.addLayout(row)
        self.history = QTextBrowser(right)
        self.history.setObjectName("historyView")
        self.history.setAccessibleName("Every version of the chosen note")
        self.history.setMinimumHeight(120)
        self.form_layout.addWidget(self.history)
        self.form_layout.addStretch(1)
        self.editing: str | None = None
        self._add_text = ""
        self.choose.currentIndexChanged.connect(self._chosen)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 480])
        self.add_button.clicked.connect(self.submit)
        self._show_editing(False)

    def _colours(self) -> tuple[str, str]:
        """Muted text and rule colours of the current palette, for the HTML documents."""
        palette = self.view.palette()
        return palette.placeholderText().color().name(), palette.mid().color().name()

    def _show_html(self, body: str) -> None:
        muted_colour, rule = self._colours()
        self.view.document().setDefaultStyleSheet(
            "h3 { margin-top: 14px; margin-bottom: 4px; } p.head { margin-top: 16px; } "
            f".muted {{ color: {muted_colour}; }} "
            f"td {{ padding: 4px 8px 4px 0; vertical-align: top; border-bottom: 1px solid {rule}; }} "
            "th { text-align: left; padding: 4px 8px 4px 0; }")
        self.view.setHtml(body)

    def _objective_combo(self, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(30)
        combo.addItem(everything, None)
        return combo

    @staticmethod
    def _fill_objectives(combo: QComboBox, everything: str, choices: RunChoices) -> None:
        chosen = combo.currentData()
        combo.clear()
        combo.addItem(everything, None)
        for objective_id, code, statement in choices.objectives:
            label = f"{code} – {statement}"
            combo.addItem(label if len(label) <= 90 else label[:89] + "…", objective_id)
            combo.setItemData(combo.count() - 1, f"{code} – {statement}", Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen else 0)

    def _code(self, objective_id: str | None) -> str:
        for candidate, code, _ in self.choices.objectives:
            if candidate == objective_id:
                return code
        return "General" if objective_id is None else "?"

    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self.context, self.run_id, self.choices = context, run_id, choices
        self.setEnabled(context is not None and run_id is not None)
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError

    def submit(self) -> None:
        if self.context is None or self.run_id is None:
            return
        if self.editing is None:
            self.add()
            return
        try:
            self.revise(self.editing, self.reason.text())
        except CtpnError as error:
            self._say(f"Not saved: {error}.", error=True)
            return
        self._say("Saved as a new version; the earlier one is kept in the history.", error=False)
        self._after_change()

    def withdraw(self) -> None:
        if self.context is None or self.editing is None:
            return
        if not self.reason.text().strip():
            self._say("Give the reason for withdrawing it in the Reason field; it is kept with it.", error=True)
            self.reason.setFocus()
            return
        try:
            self.withdraw_item(self.editing, self.reason.text())
        except CtpnError as error:
            self._say(f"Not withdrawn: {error}.", error=True)
            return
        self._say("Withdrawn: it no longer counts, and stays in the history with your reason.", error=False)
        self.choose.setCurrentIndex(0)
        self._after_change()

    def _after_change(self) -> None:
        chosen = self.editing
        self.reload()
        self.reason.clear()
        if chosen is not None:
            self._show_history(chosen)
        self.added.emit()

    def add(self) -> None:
        raise NotImplementedError

    def revise(self, item_id: str, reason: str) -> None:
        raise NotImplementedError

    def withdraw_item(self, item_id: str, reason: str) -> None:
        raise NotImplementedError

    def current_items(self) -> list[Any]:
        """The notes that can be edited (current versions, not withdrawn), in the Edit list's order."""
        raise NotImplementedError

    def item_label(self, item: Any) -> str:
        raise NotImplementedError

    def fill(self, item: Any) -> None:
        """Put an item's current version into the form."""
        raise NotImplementedError

    def clear_form(self) -> None:
        raise NotImplementedError

    def versions(self, item_id: str) -> list[Any]:
        raise NotImplementedError

    def version_html(self, version: Any) -> str:
        raise NotImplementedError

    def _fill_chooser(self) -> None:
        """The Edit list: "new" first, then every current note; the one being edited stays chosen."""
        editing = self.editing
        self.choose.blockSignals(True)
        self.choose.clear()
        self.choose.addItem(self._new_label, None)
        items = self.current_items() if self.context is not None and self.run_id is not None else []
        for item in items:
            label = self.item_label(item)
            self.choose.addItem(label if len(label) <= 80 else label[:79] + "…", item.id)
            self.choose.setItemData(self.choose.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        index = self.choose.findData(editing) if editing else 0
        self.choose.setCurrentIndex(max(index, 0))
        self.choose.blockSignals(False)
        if editing and index < 0:
            self._chosen()

    @property
    def _new_label(self) -> str:
        return "New (add one)"

    def _chosen(self, *_args: object) -> None:
        item_id = self.choose.currentData()
        self.editing = str(item_id) if item_id else None
        self._show_editing(self.editing is not None)
        if self.editing is None:
            self.clear_form()
            return
        item = next((i for i in self.current_items() if i.id == self.editing), None)
        if item is None:
            return
        self.fill(item)
        self._show_history(self.editing)
        self._say("Change what needs changing and give the reason; saving keeps the earlier version.",
                  error=False)

    def _show_editing(self, editing: bool) -> None:
        self.title_label.setText(self._titles[1] if editing else self._titles[0])
        self.reason_form.setRowVisible(self.reason, editing)
        self.withdraw_button.setVisible(editing)
        self.history.setVisible(editing)
        if not self._add_text:
            self._add_text = self.add_button.text()
        self.add_button.setText("&Save changes" if editing else self._add_text)
        if not editing:
            self.reason.clear()

    def _show_history(self, item_id: str) -> None:
        versions = self.versions(item_id)
        muted_colour, _ = self._colours()
        parts = [f'<p style="color:{muted_colour}"><b>History</b> — {len(versions)} version'
                 f"{'s' if len(versions) != 1 else ''}, the current one first</p>"]
        for version in reversed(versions):
            when = (f"version {version.revision}, saved {format_wall_time(version.revised_at)}"
                    if version.revision > 1 else f"version 1, written {format_wall_time(version.created_at)}")
            state = " — <b>withdrawn</b>" if version.withdrawn else ""
            reason = (f'<br><span style="color:{muted_colour}">Reason: {_esc(version.revision_reason)}</span>'
                      if version.revision > 1 else "")
            body = self.version_html(version)
            if version is not versions[-1] or version.withdrawn:
                body = f"<s>{body}</s>"
            parts.append(f'<p><span style="color:{muted_colour}">{_esc(when)}</span>{state}{reason}<br>{body}</p>')
        self.history.setHtml("".join(parts))

    @staticmethod
    def _revised_html(item: Any, muted_colour: str) -> str:
        if item.revision <= 1:
            return ""
        return (f' <span style="color:{muted_colour}">(revised {_esc(format_wall_time(item.revised_at))}, version '
                f"{item.revision}: {_esc(item.revision_reason)})</span>")

    def _say(self, text: str, *, error: bool) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {problem_colour(self) if error else ok_colour(self)};")

    def _edit(self, lines: int, name: str) -> EntryTextEdit:
        edit = EntryTextEdit(lines, self)
        edit.setAccessibleName(name)
        edit.submitted.connect(self.submit)
        return edit

    def _line(self, name: str) -> SubmitLineEdit:
        line = SubmitLineEdit(self)
        line.setAccessibleName(name)
        line.submitted.connect(self.submit)
        return line


class ObservationsPane(_Pane):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add an observation", "What an evaluator saw against an objective, with its rating. "
                         "Enter adds it; Shift+Enter starts a new line.", parent)
        self.view.setObjectName("observationsList")
        self.view.setAccessibleName("Observations by objective")
        self.objective = self._objective_combo("General (no objective)")
        self.objective.setObjectName("observationObjective")
        self.objective.setAccessibleName("Objective")
        self.rating = QComboBox(self)
        self.rating.setObjectName("observationRating")
        self.rating.setAccessibleName("Rating")
        self.rating.addItem("Not rated", None)
        for rating in Rating:
            self.rating.addItem(rating_text(rating), rating.value)
        self.evaluator = self._line("Evaluator")
        self.evaluator.setObjectName("observationEvaluator")
        self.text = self._edit(2, "Observation")
        self.text.setObjectName("observationText")
        self.strengths = self._edit(2, "Strengths")
        self.strengths.setObjectName("observationStrengths")
        self.improvements = self._edit(2, "Areas for improvement")
        self.improvements.setObjectName("observationImprovements")
        self.evidence = EvidencePicker(self)
        self.form.addRow("Ob&jective", self.objective)
        self.form.addRow("Ra&ting", self.rating)
        self.form.addRow("Evaluat&or", self.evaluator)
        self.form.addRow("O&bservation", self.text)
        self.form.addRow("Stre&ngths", self.strengths)
        self.form.addRow("Areas for &improvement", self.improvements)
        self.form.addRow("E&vidence (log entries, injects, replay bookmarks)", self.evidence)
        self.add_button.setText("&Add observation")
        self.add_button.setObjectName("addObservation")

    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self._fill_objectives(self.objective, "General (no objective)", choices)
        self.editing = None
        if run_id != self.run_id:
            self.evidence.set_evidence(())  # another run's records cannot be cited here
        super().set_run(context, run_id, choices)

    def refresh_evidence(self) -> None:
        """What may be cited: the run's log and bookmarks as they are now (those added since included)."""
        context, run_id = self.context, self.run_id
        if context is None or run_id is None:
            self.evidence.set_choices([], self.choices)
            return
        self.evidence.set_choices(context.log.summaries(run_id), self.choices, context.replay.bookmarks(run_id))

    def cite_in_new_observation(self, evidence: Evidence) -> None:
        """Start a new observation citing ``evidence``; a new one already being typed keeps its words and gains it."""
        if self.editing is not None:
            self.choose.setCurrentIndex(0)
        self.refresh_evidence()
        self.evidence.add(evidence)
        self._say(f"Citing {self.evidence.label(evidence)}. Write the observation and add it.", error=False)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def reload(self) -> None:
        self.refresh_evidence()
        self._fill_chooser()
        if self.context is None or self.run_id is None:
            self._show_html("")
            return
        everything = self.context.evaluation.observations(self.run_id, include_withdrawn=True)
        observations = [o for o in everything if not o.withdrawn]
        parts: list[str] = []
        order: list[str | None] = [objective_id for objective_id, _, _ in self.choices.objectives]
        for objective_id in [*order, None]:
            mine = [o for o in observations if o.objective_id == objective_id]
            if objective_id is None and not mine:
                continue
            statement = next((s for i, _c, s in self.choices.objectives if i == objective_id), "")
            code = self._code(objective_id) if objective_id else "General observations"
            parts.append(f'<p class="head"><b>{_esc(code)}</b>' + (f" – {_esc(statement)}" if statement else "")
                         + "</p>")
            if not mine:
                parts.append('<p class="muted">No observation yet.</p>')
            for observation in mine:
                rating = observation.rating
                colour = rating_colour(self, rating).name() if rating else self._colours()[0]
                parts.append(
                    f'<p><b style="color:{colour}">{_esc(rating_text(rating))}</b>'
                    f' <span class="muted">— {_esc(observation.evaluator)}</span>'
                    f"{self._revised_html(observation, self._colours()[0])}<br>{_esc(observation.text)}</p>")
                if observation.strengths:
                    parts.append(f"<p><i>Strengths:</i> {_esc(observation.strengths)}</p>")
                if observation.improvements:
                    parts.append(f"<p><i>Areas for improvement:</i> {_esc(observation.improvements)}</p>")
                if observation.evidence:
                    cited = "; ".join(self.evidence.label(e) for e in observation.evidence)
                    parts.append(f'<p class="muted"><i>Evidence:</i> {_esc(cited)}</p>')
        rated = {o.objective_id for o in observations if o.rating is not None}
        missing = [code for objective_id, code, _ in self.choices.objectives if objective_id not in rated]
        summary = (f"{len(observations)} observation{'s' if len(observations) != 1 else ''}; "
                   + (f"not yet rated: {', '.join(missing)}" if missing else "every objective rated"))
        withdrawn = [o for o in everything if o.withdrawn]
        if withdrawn:
            parts.append('<p class="head"><b>Withdrawn after review</b></p>')
            parts += [f'<p class="muted"><s>{_esc(o.text)}</s> — {_esc(o.revision_reason)}</p>' for o in withdrawn]
        self._show_html(f'<p class="muted">{_esc(summary)}</p>' + "".join(parts))

    def add(self) -> None:
        assert self.context is not None and self.run_id is not None
        try:
            self.context.evaluation.add_observation(
                self.run_id, objective_id=self.objective.currentData(), evaluator=self.evaluator.text().strip(),
                rating=self.rating.currentData(), text=self.text.toPlainText(),
                strengths=self.strengths.toPlainText(), improvements=self.improvements.toPlainText(),
                exercise_s=max(self.context.runs.clock(self.run_id).elapsed(), 0.0), evidence=self.evidence.evidence())
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        for edit in (self.text, self.strengths, self.improvements):
            edit.clear()
        self.evidence.set_evidence(())
        self._say(f"Observation added for {self._code(self.objective.currentData())}.", error=False)
        self.reload()
        self.text.setFocus()
        self.added.emit()

    def revise(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        self.context.evaluation.revise_observation(
            item_id, reason=reason, objective_id=self.objective.currentData(), evaluator=self.evaluator.text().strip(),
            rating=self.rating.currentData(), text=self.text.toPlainText(), strengths=self.strengths.toPlainText(),
            improvements=self.improvements.toPlainText(), evidence=self.evidence.evidence())

    def withdraw_item(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        self.context.evaluation.withdraw_observation(item_id, reason)

    def current_items(self) -> list[Observation]:
        assert self.context is not None and self.run_id is not None
        return self.context.evaluation.observations(self.run_id)

    def item_label(self, item: Observation) -> str:
        code = self._code(item.objective_id)
        rating = item.rating.value if item.rating else "–"
        return f"{code} · {rating} · {' '.join(item.text.split())}"

    def fill(self, item: Observation) -> None:
        self.objective.setCurrentIndex(max(self.objective.findData(item.objective_id), 0))
        self.rating.setCurrentIndex(max(self.rating.findData(item.rating.value if item.rating else None), 0))
        self.evaluator.setText(item.evaluator)
        self.text.setPlainText(item.text)
        self.strengths.setPlainText(item.strengths)
        self.improvements.setPlainText(item.improvements)
        self.evidence.set_evidence(item.evidence)

    def clear_form(self) -> None:
        for edit in (self.text, self.strengths, self.improvements):
            edit.clear()
        self.evidence.set_evidence(())

    def versions(self, item_id: str) -> list[Observation]:
        assert self.context is not None
        return self.context.evaluation.observation_history(item_id)

    def version_html(self, version: Observation) -> str:
        parts = [f"<b>{_esc(self._code(version.objective_id))} · {_esc(rating_text(version.rating))}</b> — "
                 f"{_esc(version.evaluator)}", _esc(version.text)]
        if version.strengths:
            parts.append(f"<i>Strengths:</i> {_esc(version.strengths)}")
        if version.improvements:
            parts.append(f"<i>Areas for improvement:</i> {_esc(version.improvements)}")
        if version.evidence:
            parts.append("<i>Evidence:</i> " + _esc("; ".join(self.evidence.label(e) for e in version.evidence)))
        return "<br>".join(parts)


class HotwashPane(_Pane):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add a hot wash note", "Straight after the exercise: what went well, what to improve and "
                         "the lessons identified.", parent)
        self.view.setObjectName("hotwashList")
        self.view.setAccessibleName("Hot wash notes")
        self.kind = QComboBox(self)
        self.kind.setObjectName("hotwashKind")
        self.kind.setAccessibleName("Kind of note")
        for kind, label in HOTWASH_NOTE_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.objective = self._objective_combo("No particular objective")
        self.objective.setObjectName("hotwashObjective")
        self.objective.setAccessibleName("Objective")
        self.author = self._line("Author")
        self.author.setObjectName("hotwashAuthor")
        self.text = self._edit(2, "Note")
        self.text.setObjectName("hotwashText")
        self.form.addRow("&Kind", self.kind)
        self.form.addRow("Ob&jective", self.objective)
        self.form.addRow("B&y", self.author)
        self.form.addRow("&Note", self.text)
        self.add_button.setText("&Add note")
        self.add_button.setObjectName("addHotwash")

    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self._fill_objectives(self.objective, "No particular objective", choices)
        self.editing = None
        super().set_run(context, run_id, choices)

    def reload(self) -> None:
        self._fill_chooser()
        if self.context is None or self.run_id is None:
            self._show_html("")
            return
        notes = self.context.evaluation.hotwash_notes(self.run_id)
        parts: list[str] = []
        for kind, label in HOTWASH_LABELS.items():
            mine = [n for n in notes if n.kind is kind]
            parts.append(f"<h3>{_esc(label)}</h3>")
            if not mine:
                parts.append('<p class="muted">None recorded yet.</p>')
                continue
            items = []
            for note in mine:
                extra = " · ".join(v for v in (self._code(note.objective_id) if note.objective_id else "",
                                               note.author) if v)
                items.append(f"<li>{_esc(note.text)}" + (f' <span class="muted">({_esc(extra)})</span>' if extra
                                                          else "") + self._revised_html(note, self._colours()[0])
                             + "</li>")
            parts.append("<ul>" + "".join(items) + "</ul>")
        self._show_html("".join(parts))

    def add(self) -> None:
        assert self.context is not None and self.run_id is not None
        try:
            self.context.evaluation.add_hotwash_note(
                self.run_id, str(self.kind.currentData()), self.text.toPlainText(),
                objective_id=self.objective.currentData(), author=self.author.text().strip())
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        self.text.clear()
        self._say(f"{self.kind.currentText()} added.", error=False)
        self.reload()
        self.text.setFocus()
        self.added.emit()

    def revise(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        self.context.evaluation.revise_hotwash_note(
            item_id, reason=reason, kind=str(self.kind.currentData()), text=self.text.toPlainText(),
            objective_id=self.objective.currentData(), author=self.author.text().strip())

    def withdraw_item(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        self.context.evaluation.withdraw_hotwash_note(item_id, reason)

    def current_items(self) -> list[HotwashNote]:
        assert self.context is not None and self.run_id is not None
        return self.context.evaluation.hotwash_notes(self.run_id)

    def item_label(self, item: HotwashNote) -> str:
        return f"{HOTWASH_NOTE_LABELS[item.kind]} · {' '.join(item.text.split())}"

    def fill(self, item: HotwashNote) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(item.kind.value), 0))
        self.objective.setCurrentIndex(max(self.objective.findData(item.objective_id), 0))
        self.author.setText(item.author)
        self.text.setPlainText(item.text)

    def clear_form(self) -> None:
        self.text.clear()

    def versions(self, item_id: str) -> list[HotwashNote]:
        assert self.context is not None
        return self.context.evaluation.hotwash_history(item_id)

    def version_html(self, version: HotwashNote) -> str:
        about = " · ".join(v for v in (self._code(version.objective_id) if version.objective_id else "",
                                       version.author) if v)
        return (f"<b>{_esc(HOTWASH_NOTE_LABELS[version.kind])}</b>" + (f" ({_esc(about)})" if about else "")
                + f"<br>{_esc(version.text)}")


class ImprovementPlanPane(_Pane):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add an improvement action", "What will be done about an issue, by which organisation "
                         "and by when.", parent)
        self.view.setObjectName("improvementList")
        self.view.setAccessibleName("Improvement plan")
        self.issue = self._line("Issue")
        self.issue.setObjectName("improvementIssue")
        self.action = self._edit(2, "Corrective action")
        self.action.setObjectName("improvementAction")
        self.element = QComboBox(self)
        self.element.setObjectName("improvementElement")
        self.element.setAccessibleName("Capability element")
        for element, label in ELEMENT_LABELS.items():
            self.element.addItem(label, element.value)
        self.owner = self._line("Owner organisation")
        self.owner.setObjectName("improvementOwner")
        self._owners = QCompleter(self)
        self._owners.setModel(QStringListModel(self))
        self._owners.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._owners.setFilterMode(Qt.MatchFlag.MatchContains)
        self.owner.setCompleter(self._owners)
        self.contact = self._line("Contact")
        self.contact.setObjectName("improvementContact")
        self.due = QDateEdit(self)
        self.due.setObjectName("improvementDue")
        self.due.setAccessibleName("Due date")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("No due date")
        self.objective = self._objective_combo("No particular objective")
        self.objective.setObjectName("improvementObjective")
        self.objective.setAccessibleName("Objective")
        self.form.addRow("&Issue", self.issue)
        self.form.addRow("Corrective &action", self.action)
        self.form.addRow("Capa&bility element", self.element)
        self.form.addRow("&Owner organisation", self.owner)
        self.form.addRow("Con&tact", self.contact)
        self.form.addRow("D&ue", self.due)
        self.form.addRow("Ob&jective", self.objective)
        self.add_button.setText("Add actio&n")
        self.add_button.setObjectName("addImprovement")

    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self._fill_objectives(self.objective, "No particular objective", choices)
        model = self._owners.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(list(choices.organisations))
        if context is not None:
            self.due.setDate(_qdate(context.time_source.wall().date() + timedelta(days=90)))
        self.editing = None
        super().set_run(context, run_id, choices)

    def reload(self) -> None:
        self._fill_chooser()
        if self.context is None or self.run_id is None:
            self._show_html("")
            return
        actions = self.context.evaluation.improvement_actions(self.run_id)
        if not actions:
            self._show_html('<h3>Improvement plan</h3><p class="muted">No improvement action yet. Add what will be '
                            "done about each area for improvement, by whom and by when.</p>")
            return
        rows = []
        for action in actions:
            rows.append(
                f"<tr><td><b>{_esc(self._code(action.objective_id) if action.objective_id else '—')}</b></td>"
                f"<td>{_esc(action.issue)}</td><td>{_esc(action.action)}"
                f"{self._revised_html(action, self._colours()[0])}</td>"
                f"<td>{_esc(ELEMENT_LABELS[action.capability_element])}</td>"
                f"<td>{_esc(action.owner_organisation)}"
                + (f'<br><span class="muted">{_esc(action.contact)}</span>' if action.contact else "")
                + f"</td><td>{_esc(_date_text(action.due_date) or '—')}</td></tr>")
        self._show_html(
            f"<h3>Improvement plan</h3><p class=\"muted\">{len(actions)} action{'s' if len(actions) != 1 else ''},"
            " soonest due first</p>"
            '<table width="100%" cellspacing="0"><tr><th>Obj.</th><th>Issue</th><th>Corrective action</th>'
            "<th>Element</th><th>Owner</th><th>Due</th></tr>" + "".join(rows) + "</table>")

    def _due(self) -> date | None:
        due = self.due.date()
        return None if due == NO_DATE else date(due.year(), due.month(), due.day())

    def add(self) -> None:
        assert self.context is not None and self.run_id is not None
        try:
            self.context.evaluation.add_improvement_action(
                self.run_id, issue=self.issue.text(), action=self.action.toPlainText(),
                capability_element=str(self.element.currentData()), owner_organisation=self.owner.text().strip(),
                contact=self.contact.text().strip(), due_date=self._due(), objective_id=self.objective.currentData())
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        self.issue.clear()
        self.action.clear()
        self._say("Improvement action added.", error=False)
        self.reload()
        self.issue.setFocus()
        self.added.emit()

    def revise(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        current = self.context.evaluation.improvement_action(item_id)
        self.context.evaluation.revise_improvement_action(
            item_id, reason=reason, issue=self.issue.text(), action=self.action.toPlainText(),
            capability_element=str(self.element.currentData()), owner_organisation=self.owner.text().strip(),
            contact=self.contact.text().strip(), start_date=current.start_date, due_date=self._due(),
            objective_id=self.objective.currentData())

    def withdraw_item(self, item_id: str, reason: str) -> None:
        assert self.context is not None
        self.context.evaluation.withdraw_improvement_action(item_id, reason)

    def current_items(self) -> list[ImprovementAction]:
        assert self.context is not None and self.run_id is not None
        return self.context.evaluation.improvement_actions(self.run_id)

    def item_label(self, item: ImprovementAction) -> str:
        return f"{' '.join(item.issue.split())} → {' '.join(item.action.split())}"

    def fill(self, item: ImprovementAction) -> None:
        self.issue.setText(item.issue)
        self.action.setPlainText(item.action)
        self.element.setCurrentIndex(max(self.element.findData(item.capability_element.value), 0))
        self.owner.setText(item.owner_organisation)
        self.contact.setText(item.contact)
        self.due.setDate(_qdate(item.due_date) if item.due_date else NO_DATE)
        self.objective.setCurrentIndex(max(self.objective.findData(item.objective_id), 0))

    def clear_form(self) -> None:
        self.issue.clear()
        self.action.clear()

    def versions(self, item_id: str) -> list[ImprovementAction]:
        assert self.context is not None
        return self.context.evaluation.improvement_history(item_id)

    def version_html(self, version: ImprovementAction) -> str:
        due = _date_text(version.due_date) or "no due date"
        return (f"<b>{_esc(version.issue)}</b><br>{_esc(version.action)}<br>"
                f"{_esc(ELEMENT_LABELS[version.capability_element])} · {_esc(version.owner_organisation or '—')}"
                f" · {_esc(version.contact or '—')} · due {_esc(due)}")


def _esc(text: str) -> str:
    return f'<span style="white-space: pre-wrap">{html.escape(text)}</span>'


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _date_text(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""

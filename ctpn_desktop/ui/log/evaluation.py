"""Evaluation of a run: observations against objectives with their ratings, the hot wash and the improvement plan.

Each pane lists what is recorded and has a form below the list to add more; the evaluation service checks and
commits every addition before the list shows it. A refused addition keeps what was typed and says why.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

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

from ctpn_desktop.core.entities import CapabilityElement, HotwashKind, Rating
from ctpn_desktop.core.errors import CtpnError

from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.log.choices import RunChoices
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
        self.form_layout.addWidget(heading(title, 3, right))
        self.form_layout.addWidget(muted(hint, right))
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_layout.addLayout(self.form)
        row = QHBoxLayout()
        self.status = QLabel("", right)
        self.status.setWordWrap(True)
        self.add_button = QPushButton("", right)
        self.add_button.setAutoDefault(False)
        row.addWidget(self.status, 1)
        row.addWidget(self.add_button)
        self.form_layout.addLayout(row)
        self.form_layout.addStretch(1)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 480])
        self.add_button.clicked.connect(self.submit)

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
        raise NotImplementedError

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
        self.form.addRow("Ob&jective", self.objective)
        self.form.addRow("Ra&ting", self.rating)
        self.form.addRow("Evaluat&or", self.evaluator)
        self.form.addRow("O&bservation", self.text)
        self.form.addRow("Stre&ngths", self.strengths)
        self.form.addRow("Areas for &improvement", self.improvements)
        self.add_button.setText("&Add observation")
        self.add_button.setObjectName("addObservation")

    def set_run(self, context: DocumentContext | None, run_id: str | None, choices: RunChoices) -> None:
        self._fill_objectives(self.objective, "General (no objective)", choices)
        super().set_run(context, run_id, choices)

    def reload(self) -> None:
        if self.context is None or self.run_id is None:
            self._show_html("")
            return
        observations = self.context.evaluation.observations(self.run_id)
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
                    f' <span class="muted">— {_esc(observation.evaluator)}</span><br>{_esc(observation.text)}</p>')
                if observation.strengths:
                    parts.append(f"<p><i>Strengths:</i> {_esc(observation.strengths)}</p>")
                if observation.improvements:
                    parts.append(f"<p><i>Areas for improvement:</i> {_esc(observation.improvements)}</p>")
        rated = {o.objective_id for o in observations if o.rating is not None}
        missing = [code for objective_id, code, _ in self.choices.objectives if objective_id not in rated]
        summary = (f"{len(observations)} observation{'s' if len(observations) != 1 else ''}; "
                   + (f"not yet rated: {', '.join(missing)}" if missing else "every objective rated"))
        self._show_html(f'<p class="muted">{_esc(summary)}</p>' + "".join(parts))

    def submit(self) -> None:
        if self.context is None or self.run_id is None:
            return
        try:
            self.context.evaluation.add_observation(
                self.run_id, objective_id=self.objective.currentData(), evaluator=self.evaluator.text().strip(),
                rating=self.rating.currentData(), text=self.text.toPlainText(),
                strengths=self.strengths.toPlainText(), improvements=self.improvements.toPlainText(),
                exercise_s=max(self.context.runs.clock(self.run_id).elapsed(), 0.0))
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        for edit in (self.text, self.strengths, self.improvements):
            edit.clear()
        self._say(f"Observation added for {self._code(self.objective.currentData())}.", error=False)
        self.reload()
        self.text.setFocus()
        self.added.emit()


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
        super().set_run(context, run_id, choices)

    def reload(self) -> None:
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
                                                          else "") + "</li>")
            parts.append("<ul>" + "".join(items) + "</ul>")
        self._show_html("".join(parts))

    def submit(self) -> None:
        if self.context is None or self.run_id is None:
            return
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
        super().set_run(context, run_id, choices)

    def reload(self) -> None:
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
                f"<td>{_esc(action.issue)}</td><td>{_esc(action.action)}</td>"
                f"<td>{_esc(ELEMENT_LABELS[action.capability_element])}</td>"
                f"<td>{_esc(action.owner_organisation)}"
                + (f'<br><span class="muted">{_esc(action.contact)}</span>' if action.contact else "")
                + f"</td><td>{_esc(_date_text(action.due_date) or '—')}</td></tr>")
        self._show_html(
            f"<h3>Improvement plan</h3><p class=\"muted\">{len(actions)} action{'s' if len(actions) != 1 else ''},"
            " soonest due first</p>"
            '<table width="100%" cellspacing="0"><tr><th>Obj.</th><th>Issue</th><th>Corrective action</th>'
            "<th>Element</th><th>Owner</th><th>Due</th></tr>" + "".join(rows) + "</table>")

    def submit(self) -> None:
        if self.context is None or self.run_id is None:
            return
        due = self.due.date()
        try:
            self.context.evaluation.add_improvement_action(
                self.run_id, issue=self.issue.text(), action=self.action.toPlainText(),
                capability_element=str(self.element.currentData()), owner_organisation=self.owner.text().strip(),
                contact=self.contact.text().strip(),
                due_date=None if due == NO_DATE else date(due.year(), due.month(), due.day()),
                objective_id=self.objective.currentData())
        except CtpnError as error:
            self._say(f"Not added: {error}.", error=True)
            return
        self.issue.clear()
        self.action.clear()
        self._say("Improvement action added.", error=False)
        self.reload()
        self.issue.setFocus()
        self.added.emit()


def _esc(text: str) -> str:
    return f'<span style="white-space: pre-wrap">{html.escape(text)}</span>'


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _date_text(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""

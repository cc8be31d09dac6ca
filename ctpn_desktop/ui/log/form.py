"""The fields of a log entry, shared by the quick-entry bar and the correction dialog.

Every field is reachable with Tab and with its Alt mnemonic; in the text fields Enter submits and Shift+Enter
starts a new line, so a loggist never reaches for the mouse. `edited` fires on the first change a person makes
(not on changes made by code), which is when the quick-entry bar takes the entry's time.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from ctpn_desktop.core.entities import ActionItem, JdmStage, LogKind, LogRevision
from ctpn_desktop.core.services.log import LogDraft

from ctpn_desktop.ui.log.choices import KIND_LABELS, MAKER_SEPARATOR, RunChoices, stage_label

ACTION_OWNER_MARK = "@"


class EntryTextEdit(QPlainTextEdit):
    """Plain text where Enter submits and Shift+Enter is a new line; Tab moves on instead of typing a tab."""

    submitted = Signal()

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._lines = lines
        self._fit()

    def _fit(self) -> None:
        margins = self.contentsMargins()
        height = self.fontMetrics().lineSpacing() * self._lines + 2 * self.document().documentMargin()
        self.setFixedHeight(int(height + margins.top() + margins.bottom() + 2))

    def changeEvent(self, event: object) -> None:  # type: ignore[override]
        super().changeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SubmitLineEdit(QLineEdit):
    """A line edit whose Enter submits the form, unless its completer's list is open (Enter picks from it)."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        completer = self.completer()
        popup_open = completer is not None and completer.popup() is not None and completer.popup().isVisible()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not popup_open:
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SubmitComboBox(QComboBox):
    """A combo box whose Enter submits the form (its list still opens with Alt+Down or F4)."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def parse_actions(text: str) -> tuple[ActionItem, ...]:
    """One action per line; the owner follows the last ``@`` ("Open the CCS @ Ambulance")."""
    actions = []
    for line in text.splitlines():
        if not line.strip():
            continue
        action, mark, owner = line.rpartition(ACTION_OWNER_MARK)
        if not mark or not action.strip():
            actions.append(ActionItem(line.strip()))
        else:
            actions.append(ActionItem(action.strip(), owner.strip()))
    return tuple(actions)


def format_actions(actions: tuple[ActionItem, ...]) -> str:
    return "\n".join(f"{a.action} {ACTION_OWNER_MARK} {a.owner}" if a.owner else a.action for a in actions)


class EntryForm(QWidget):
    """Kind, decision maker, organisation, inject, JDM stage, objectives, the syndicate (when the run has some),
    text, rationale, options, actions."""

    submitted = Signal()
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = RunChoices()
        self._quiet = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)

        self.kind = SubmitComboBox(self)
        self.kind.setObjectName("entryKind")
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.maker = SubmitLineEdit(self)
        self.maker.setObjectName("entryMaker")
        self.maker.setPlaceholderText("Role, e.g. Tactical Commander")
        self.organisation = SubmitLineEdit(self)
        self.organisation.setObjectName("entryOrganisation")
        self.organisation.setPlaceholderText("e.g. Police")
        self.inject = SubmitComboBox(self)
        self.inject.setObjectName("entryInject")
        self.inject.setMinimumContentsLength(14)
        self.inject.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.stage = SubmitComboBox(self)
        self.stage.setObjectName("entryStage")
        self.stage.addItem("No stage", None)
        for stage in JdmStage:
            self.stage.addItem(stage_label(stage), int(stage))
        self.stage.setMinimumContentsLength(10)
        self.stage.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.objectives = SubmitLineEdit(self)
        self.objectives.setObjectName("entryObjectives")
        self.objectives.setPlaceholderText("e.g. O1 O3")
        self.text = EntryTextEdit(2, self)
        self.text.setObjectName("entryText")
        self.text.setPlaceholderText("What was decided, done or reported — Enter saves, Shift+Enter for a new line")
        self.rationale = EntryTextEdit(2, self)
        self.rationale.setObjectName("entryRationale")
        self.rationale.setPlaceholderText("Why")
        self.options = EntryTextEdit(2, self)
        self.options.setObjectName("entryOptions")
        self.options.setPlaceholderText("Options considered")
        self.actions = EntryTextEdit(2, self)
        self.actions.setObjectName("entryActions")
        self.actions.setPlaceholderText(f"One per line, owner after {ACTION_OWNER_MARK}")

        self.syndicate = SubmitComboBox(self)
        self.syndicate.setObjectName("entrySyndicate")
        self.syndicate.setMinimumContentsLength(10)
        self.syndicate.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.syndicate.setToolTip("The syndicate whose discussion this entry records; it stays chosen for the next "
                                  "entry (Alt+D, then type the first letter)")

        top = [("&Kind", self.kind, 1), ("Decision &maker", self.maker, 3), ("&Organisation", self.organisation, 2),
               ("In&ject", self.inject, 3), ("JDM sta&ge", self.stage, 2), ("O&bjectives", self.objectives, 1),
               ("Syn&dicate", self.syndicate, 2)]
        for column, (caption, widget, stretch) in enumerate(top):
            label = self._label(caption, widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
            grid.setColumnStretch(column, stretch)
        self._syndicate_label = label
        self._show_syndicates(False)
        text_label = self._label("E&ntry", self.text)
        grid.addWidget(text_label, 2, 0, 1, 7)
        grid.addWidget(self.text, 3, 0, 1, 7)
        lower = [("Rat&ionale", self.rationale, 0, 2), ("O&ptions considered", self.options, 2, 2),
                 ("&Actions and owners", self.actions, 4, 3)]
        for caption, widget, first, span in lower:
            grid.addWidget(self._label(caption, widget), 4, first, 1, span)
            grid.addWidget(widget, 5, first, 1, span)

        for widget in (self.maker, self.organisation, self.objectives):
            widget.submitted.connect(self.submitted)
            widget.textEdited.connect(self._changed)
        for combo in (self.kind, self.inject, self.stage):
            combo.submitted.connect(self.submitted)
            combo.activated.connect(self._changed)
        self.syndicate.submitted.connect(self.submitted)  # choosing the syndicate is not the entry's first keystroke
        for edit in (self.text, self.rationale, self.options, self.actions):
            edit.submitted.connect(self.submitted)
            edit.textChanged.connect(self._changed)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self._maker_completer = QCompleter(self)
        self._maker_completer.setModel(QStringListModel(self))
        self._maker_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._maker_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._maker_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        # Queued: the completer writes the whole suggestion into the field after this signal; split it after that.
        self._maker_completer.activated.connect(self._maker_chosen, Qt.ConnectionType.QueuedConnection)
        self.maker.setCompleter(self._maker_completer)
        self._organisation_completer = QCompleter(self)
        self._organisation_completer.setModel(QStringListModel(self))
        self._organisation_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._organisation_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.organisation.setCompleter(self._organisation_completer)

        self.setTabOrder(self.kind, self.maker)
        self.setTabOrder(self.maker, self.organisation)
        self.setTabOrder(self.organisation, self.inject)
        self.setTabOrder(self.inject, self.stage)
        self.setTabOrder(self.stage, self.objectives)
        self.setTabOrder(self.objectives, self.syndicate)
        self.setTabOrder(self.syndicate, self.text)
        self.setTabOrder(self.text, self.rationale)
        self.setTabOrder(self.rationale, self.options)
        self.setTabOrder(self.options, self.actions)
        self._set_names()

    def _label(self, caption: str, buddy: QWidget) -> QLabel:
        label = QLabel(caption, self)
        label.setBuddy(buddy)
        label.setProperty("fieldLabel", True)
        return label

    def _set_names(self) -> None:
        for widget, name in ((self.kind, "Kind of entry"), (self.maker, "Decision maker"),
                             (self.organisation, "Organisation"), (self.inject, "Linked inject"),
                             (self.stage, "Joint Decision Model stage"), (self.objectives, "Objectives"),
                             (self.text, "Entry text"), (self.rationale, "Rationale"),
                             (self.options, "Options considered"), (self.actions, "Actions and owners"),
                             (self.syndicate, "Syndicate")):
            widget.setAccessibleName(name)
        self.objectives.setToolTip("Objective codes separated by spaces, e.g. O1 O3")
        self.actions.setToolTip(f"One action per line; put the owner after {ACTION_OWNER_MARK}, "
                                f"e.g. Open the casualty clearing station {ACTION_OWNER_MARK} Ambulance")

    # Choices -----------------------------------------------------------------------------------------------
    def set_choices(self, choices: RunChoices) -> None:
        self.choices = choices
        self._quiet = True
        try:
            model = self._maker_completer.model()
            assert isinstance(model, QStringListModel)
            model.setStringList(list(choices.makers))
            organisations = self._organisation_completer.model()
            assert isinstance(organisations, QStringListModel)
            organisations.setStringList(list(choices.organisations))
            self.objectives.setToolTip("Objective codes separated by spaces: " + "; ".join(
                f"{code} {statement[:60]}…" if len(statement) > 60 else f"{code} {statement}"
                for _, code, statement in choices.objectives))
            self._fill_syndicates(choices)
            current = self.inject.currentData()
            self.inject.clear()
            self.inject.addItem("No inject", None)
            for choice in choices.injects:
                self.inject.addItem(choice.label, choice.id)
                self.inject.setItemData(self.inject.count() - 1, choice.label, Qt.ItemDataRole.ToolTipRole)
            self._select_inject(current)
        finally:
            self._quiet = False

    def _fill_syndicates(self, choices: RunChoices) -> None:
        """The run's syndicates; the one chosen stays chosen, else this laptop's own syndicate."""
        chosen = self.syndicate.currentData() if self.syndicate.count() else choices.home_syndicate
        self.syndicate.clear()
        self.syndicate.addItem("Plenary", None)
        for syndicate_id, name in choices.syndicates:
            self.syndicate.addItem(name, syndicate_id)
        index = self.syndicate.findData(chosen) if chosen else -1
        if index < 0 and choices.home_syndicate:
            index = self.syndicate.findData(choices.home_syndicate)
        self.syndicate.setCurrentIndex(max(index, 0))
        self._show_syndicates(bool(choices.syndicates))

    def _show_syndicates(self, shown: bool) -> None:
        self.syndicate.setVisible(shown)
        self._syndicate_label.setVisible(shown)

    def select_syndicate(self, syndicate_id: str | None) -> None:
        index = self.syndicate.findData(syndicate_id) if syndicate_id else 0
        self.syndicate.setCurrentIndex(max(index, 0))

    def _select_inject(self, inject_id: str | None) -> None:
        index = self.inject.findData(inject_id) if inject_id else 0
        self.inject.setCurrentIndex(max(index, 0))

    def _maker_chosen(self, text: str) -> None:
        """A suggestion carries its organisation: the role goes in this field and the organisation in its own."""
        role, separator, organisation = text.rpartition(MAKER_SEPARATOR)
        if separator:
            self.maker.setText(role)
            self.organisation.setText(organisation)
        self._changed()

    def _changed(self, *_args: object) -> None:
        if not self._quiet:
            self.edited.emit()

    # Values --------------------------------------------------------------------------------------------------
    def clear(self, *, inject_id: str | None = None) -> None:
        """Empty every field for the next entry; the kind goes back to Decision. The syndicate stays: a
        note-taker logs for one syndicate entry after entry."""
        self._quiet = True
        try:
            self.kind.setCurrentIndex(0)
            for line in (self.maker, self.organisation, self.objectives):
                line.clear()
            for edit in (self.text, self.rationale, self.options, self.actions):
                edit.clear()
            self.stage.setCurrentIndex(0)
            self._select_inject(inject_id)
        finally:
            self._quiet = False

    def load(self, revision: LogRevision) -> None:
        """Fill the fields from a stored revision (for a correction)."""
        self._quiet = True
        try:
            self.kind.setCurrentIndex(max(self.kind.findData(revision.kind.value), 0))
            self.maker.setText(revision.decision_maker)
            self.organisation.setText(revision.organisation)
            self._select_inject(revision.inject_id)
            self.stage.setCurrentIndex(max(self.stage.findData(int(revision.jdm_stage)), 0)
                                       if revision.jdm_stage else 0)
            self.objectives.setText(self.choices.objective_codes(revision.objective_ids))
            self.select_syndicate(self.choices.syndicate_of(revision.syndicate_id, revision.device_id))
            self.text.setPlainText(revision.text)
            self.rationale.setPlainText(revision.rationale)
            self.options.setPlainText(revision.options_considered)
            self.actions.setPlainText(format_actions(revision.actions))
        finally:
            self._quiet = False

    def problem(self) -> str | None:
        """What stops these fields from being saved, in words, or None."""
        if not self.text.toPlainText().strip():
            return "Type the entry first: what was decided, done or reported."
        _ids, unknown = self.choices.objective_ids(self.objectives.text())
        if unknown:
            known = ", ".join(code for _, code, _ in self.choices.objectives) or "none"
            return f"Unknown objective {', '.join(unknown)}; this run's objectives are {known}."
        return None

    def draft(self, logged_by: str) -> LogDraft:
        objective_ids, _unknown = self.choices.objective_ids(self.objectives.text())
        stage = self.stage.currentData()
        return LogDraft(
            kind=LogKind(self.kind.currentData() or LogKind.DECISION.value), text=self.text.toPlainText(),
            rationale=self.rationale.toPlainText(), options_considered=self.options.toPlainText(),
            actions=parse_actions(self.actions.toPlainText()), decision_maker=self.maker.text().strip(),
            organisation=self.organisation.text().strip(), logged_by=logged_by, inject_id=self.inject.currentData(),
            objective_ids=objective_ids, jdm_stage=JdmStage(stage) if stage else None,
            syndicate_id=self.syndicate.currentData() if self.choices.syndicates else None)

"""The MSEL page: filter bar, the table of injects and the detail pane of the current one, plus the problems
the validation found. Commands (add, duplicate, delete, move, renumber, re-time, jump) live in the
workspace's menu and act on the selection here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import DeliveryMethod, Inject, Scenario
from ctpn_desktop.core.services.scenario import parse_shift
from ctpn_desktop.core.services.validation import Problem, ProblemKind

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.cells import PlainTextCells
from ctpn_desktop.ui.editor.fields import Typing, add_row, form_layout
from ctpn_desktop.ui.editor.inject_form import InjectForm
from ctpn_desktop.ui.models import msel
from ctpn_desktop.ui.models.msel import EMPTY_SCENARIO, MselFilter, MselTableModel
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, keep_scroll_bars, muted, set_column_widths, setup_table

MSEL_WIDTHS = {
    msel.NUMBER: 5, msel.PHASE: 22, msel.PLANNED: 9, msel.SCENARIO_TIME: 15, msel.TITLE: 38, msel.SENDER: 18,
    msel.RECIPIENTS: 26, msel.METHOD: 13, msel.OBJECTIVES: 10, msel.VALIDATION: 11,
}


_RELAYOUT_TEXT = frozenset({QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.PaletteChange})
"""Changes after which the cells' texts are laid out again."""


class MselView(QTableView):
    """The MSEL table: rows dragged onto other rows move there (the model asks the session)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        setup_table(self, "MSEL")
        keep_scroll_bars(self)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self._laid_out: tuple[object, ...] | None = None

    def _geometry(self) -> tuple[object, ...]:
        """Everything the table's geometry is worked out from, and what it sets: equal means nothing to redo."""
        across, down = self.horizontalHeader(), self.verticalHeader()
        bars = tuple((b.minimum(), b.maximum(), b.pageStep(), b.singleStep(), b.value(), b.isVisible())
                     for b in (self.horizontalScrollBar(), self.verticalScrollBar()))
        headers = tuple((h.isHidden(), h.count(), h.length(), h.hiddenSectionCount(),
                         None if h.isHidden() else h.sizeHint(), h.offset(), h.geometry(), h.minimumSize(),
                         h.maximumSize(), h.defaultSectionSize())
                        for h in (across, down))
        columns = tuple((across.logicalIndex(n), across.sectionSize(n), across.isSectionHidden(n))
                        for n in range(across.count()))
        return (self.size(), self.viewport().geometry(), self.maximumViewportSize(), self.viewportMargins(),
                self.isRightToLeft(), self.horizontalScrollMode(), self.verticalScrollMode(), bars, headers, columns)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _RELAYOUT_TEXT:
            delegate = self.itemDelegate()
            if isinstance(delegate, PlainTextCells):
                delegate.forget()
        super().changeEvent(event)

    def updateGeometries(self) -> None:
        """Lay out headers and scroll bars only when something they depend on changed.

        Qt lays them out again after every layout change of the model, even one that only moved rows (a
        re-time, a reorder), and doing so repaints the scroll bars and the frame though nothing moved there.
        """
        if self._laid_out is not None and self._geometry() == self._laid_out:
            self.updateEditorGeometries()
            return
        super().updateGeometries()
        self._laid_out = self._geometry()


class MselPage(QWidget):
    selection_changed = Signal()

    def __init__(self, typing: Typing, editor: msel.Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario = EMPTY_SCENARIO
        self._selections_shown = 0
        """How many times the detail pane was given the selection (so that it is not given the same one twice)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.filter_text = QLineEdit(self)
        self.filter_text.setObjectName("mselFilter")
        self.filter_text.setPlaceholderText("Filter injects by any column…")
        self.filter_text.setAccessibleName("Filter injects")
        self.filter_text.setClearButtonEnabled(True)
        self.filter_text.addAction(icons.icon(icons.FILTER), QLineEdit.ActionPosition.LeadingPosition)
        self.filter_text.textChanged.connect(lambda _t: self.apply_filter())
        self.phase_filter = self._filter_combo("All phases", "Filter by phase")
        self.organisation_filter = self._filter_combo("All organisations", "Filter by recipient organisation")
        self.method_filter = self._filter_combo("All methods", "Filter by delivery method")
        for method in DeliveryMethod:
            self.method_filter.addItem(method.label, method)
        self.jump = QLineEdit(self)
        self.jump.setObjectName("jumpToInject")
        self.jump.setPlaceholderText("Go to No.")
        self.jump.setAccessibleName("Jump to inject number")
        self.jump.setToolTip("Type an inject number and press Enter (Ctrl+J)")
        self.jump.setMaximumWidth(self.fontMetrics().averageCharWidth() * 11 + 24)
        self.jump.returnPressed.connect(self._jump_entered)
        self.count = muted("", self)
        self.count.setObjectName("mselCount")
        self.count.setWordWrap(False)
        bar.addWidget(self.filter_text, 3)
        for combo in (self.phase_filter, self.organisation_filter, self.method_filter):
            bar.addWidget(combo, 1)
        bar.addWidget(self.jump)
        bar.addWidget(self.count)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("mselSplitter")
        self.view = MselView(splitter)
        self.model = MselTableModel(EMPTY_SCENARIO, self, validation=True, editor=editor)
        self.view.setModel(self.model)
        self.view.setItemDelegate(PlainTextCells(self.model, self.view))
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().sortIndicatorChanged.connect(
            lambda _c, _o: self.view.horizontalHeader().setSortIndicatorShown(True))
        set_column_widths(self.view, MSEL_WIDTHS)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.form = InjectForm(typing, splitter)
        splitter.addWidget(self.view)
        splitter.addWidget(self.form)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        self.empty = EmptyState("No injects", "The MSEL is empty: add an inject (Insert) or import an MSEL "
                                "spreadsheet (Scenario ▸ Import MSEL…).", icons.INJECTS)
        self.stack = SwitchStack(splitter, self.empty, self)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.filter_text, self.view)
        self.setTabOrder(self.view, self.form)

    def _filter_combo(self, everything: str, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        return combo

    # Filling ---------------------------------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        """A whole new snapshot (document opened, names changed, import)."""
        selected = self.selected_ids()
        self.scenario = scenario
        self._fill_filter_lists(scenario)
        self.model.set_scenario(scenario)
        self.form.set_scenario(scenario)
        self._after_model_change(selected)

    def update_injects(self, scenario: Scenario, changed: frozenset[str], removed: frozenset[str]) -> None:
        selected = self.selected_ids()
        current = self.current_id()
        self.scenario = scenario
        reset = self.model.update_injects(scenario, changed, removed)
        self.form.scenario = scenario
        if reset or not self.view.selectionModel().hasSelection():
            self._after_model_change(selected, current)
            return
        # The rows kept their selection (they were repainted or only moved): the detail pane is shown again
        # only if its inject, or the inject it depends on (whose number it shows), changed.
        self.stack.show_content(bool(self.scenario.injects))
        self._update_count()
        shown = self.form.inject
        if shown is not None and (shown.id in changed or shown.id in removed or shown.depends_on_id in changed):
            self._selection_changed()

    def _after_model_change(self, selected: list[str], current: str | None = None) -> None:
        self.stack.show_content(bool(self.scenario.injects))
        self._update_count()
        wanted = [i for i in selected if self.model.row_of(i) is not None]
        shown = self._selections_shown
        if wanted:
            self.select_ids(wanted, current if current in wanted else wanted[0], scroll=False)
        elif self.model.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        if self._selections_shown == shown:  # selecting changed nothing, so the detail pane was not told
            self._selection_changed()

    def _fill_filter_lists(self, scenario: Scenario) -> None:
        for combo, items in (
                (self.phase_filter, [(p.name, p.id) for p in sorted(scenario.phases,
                                                                   key=lambda p: (p.start_offset_s, p.position))]),
                (self.organisation_filter, [(o.name, o.id) for o in sorted(scenario.organisations,
                                                                          key=lambda o: o.position)])):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for text, data in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    # Filtering, selection and jumping --------------------------------------------------------------------
    def apply_filter(self) -> None:
        selected = self.selected_ids()
        current = self.current_id()
        method = self.method_filter.currentData()
        self.model.set_filter(MselFilter(self.filter_text.text(), self.phase_filter.currentData(),
                                         self.organisation_filter.currentData(),
                                         DeliveryMethod(method) if method else None))
        self._update_count()
        wanted = [i for i in selected if self.model.row_of(i) is not None]
        if wanted:
            self.select_ids(wanted, current if current in wanted else wanted[0], scroll=True)
        self._selection_changed()

    def _update_count(self) -> None:
        total, shown = self.model.total, self.model.rowCount()
        noun = "inject" if total == 1 else "injects"
        text = f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} shown"
        if text != self.count.text():  # the same text again would still repaint the bar
            self.count.setText(text)

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.inject_at(r).id for r in rows if r < self.model.rowCount()]

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.inject_at(index.row()).id if index.isValid() else None

    def select_ids(self, ids: list[str], current: str | None = None, *, scroll: bool = True) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for inject_id in ids:
            row = self.model.row_of(inject_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        model = self.view.selectionModel()
        focus = self.model.row_of(current) if current else None
        if focus is not None:
            model.setCurrentIndex(self.model.index(focus, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if scroll and focus is not None:
            self.view.scrollTo(self.model.index(focus, 0))

    def show_inject(self, inject_id: str) -> bool:
        """Select one inject, clearing the filters if they hide it."""
        if self.model.row_of(inject_id) is None:
            for combo in (self.phase_filter, self.organisation_filter, self.method_filter):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.filter_text.blockSignals(True)
            self.filter_text.clear()
            self.filter_text.blockSignals(False)
            self.apply_filter()
        if self.model.row_of(inject_id) is None:
            return False
        self.select_ids([inject_id], inject_id)
        return True

    def jump_to_number(self, number: int) -> Inject | None:
        inject = next((i for i in self.scenario.injects if i.number == number), None)
        if inject is not None and self.show_inject(inject.id):
            self.view.setFocus()
            return inject
        return None

    def _jump_entered(self) -> None:
        text = self.jump.text().strip().lstrip("#")
        if not text.isdigit() or self.jump_to_number(int(text)) is None:
            self.jump.selectAll()
            self.count.setText(f"No inject {text} in the MSEL")
            return
        self.jump.clear()

    def _selection_changed(self, _selected: QItemSelection | None = None, _deselected: object = None) -> None:
        self._selections_shown += 1
        current = self.current_id()
        ids = self.selected_ids()
        if current not in ids:
            current = ids[0] if ids else None
        inject = next((i for i in self.scenario.injects if i.id == current), None) if current else None
        self.form.show_inject(inject)
        self.selection_changed.emit()

    def focus_problem(self, problem: Problem) -> None:
        if problem.inject_id and self.show_inject(problem.inject_id):
            self.form.focus_field(problem.field)


class ProblemsPanel(QWidget):
    """The live list of problems; activating one takes the designer to it."""

    activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel(self)
        self.title.setObjectName("problemsTitle")
        layout.addWidget(self.title)
        self.list = QListWidget(self)
        self.list.setObjectName("problems")
        self.list.setAccessibleName("Validation problems")
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        layout.addWidget(self.list, 1)
        self.problems: tuple[Problem, ...] = ()
        self.injects = 0
        self._fill(())

    def set_problems(self, problems: tuple[Problem, ...], *, injects: int) -> None:
        """Show ``problems`` found among ``injects`` injects; the list is built again only when what it says changed
        (most edits change none of thousands of clashes, and building their rows is most of what checking the
        scenario costs)."""
        shown, self.problems = self.problems, problems
        had_injects, self.injects = self.injects, injects
        list_changed = len(shown) != len(problems) or any(
            a.message != b.message or a.kind != b.kind for a, b in zip(shown, problems, strict=True))
        if list_changed or (not problems and bool(had_injects) != bool(injects)):
            self._fill(problems)

    def _fill(self, problems: tuple[Problem, ...]) -> None:
        self.list.clear()
        warning = icons.icon(icons.WARNING)
        for problem in problems:
            item = QListWidgetItem(warning, problem.message)
            item.setToolTip(_hint(problem))
            self.list.addItem(item)
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            self.title.setText(f"<b>{len(problems)} {noun}</b> — click one to go to it")
        elif self.injects == 0:
            # "No problems" over an empty MSEL would read as a clean bill of health for nothing.
            self.title.setText("<b>Nothing to check yet</b> — add injects or import an MSEL, and they are checked "
                               "as you go")
        else:
            self.title.setText("<b>No problems found</b> — every inject has recipients, fits its phase and "
                               "every objective is exercised")
        self.list.setVisible(bool(problems))

    def _activated(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self.problems):
            self.activated.emit(self.problems[row])


_HINTS = {
    ProblemKind.NO_RECIPIENTS: "Tick at least one organisation or role under To (recipients).",
    ProblemKind.RECIPIENT_CLASH: "Players cannot take in two injects at once: move one by a minute or more.",
    ProblemKind.OUTSIDE_PHASE: "Change the planned time, or move the inject to the phase it falls in.",
    ProblemKind.EMPTY_PHASE: "Give the phase injects, or delete it.",
    ProblemKind.UNEXERCISED_OBJECTIVE: "Link the objective to the injects that test it.",
    ProblemKind.UNREAD_TIME: "Set the planned time the spreadsheet meant; its original text is in the controller "
                             "notes.",
}


def _hint(problem: Problem) -> str:
    return _HINTS.get(problem.kind, "Open the inject and correct the link.")


class RetimeDialog(QDialog):
    """Shift the selected injects, or one inject and everything after it, by a duration."""

    def __init__(self, selected: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Re-time injects")
        self.setObjectName("retimeDialog")
        layout = QVBoxLayout(self)
        form_widget = QWidget(self)
        form = form_layout(form_widget)
        self.shift = QLineEdit(self)
        self.shift.setPlaceholderText("+15, -10, 1:30 …")
        add_row(form, "&Shift by", self.shift, "Minutes (15, -10) or H:MM (1:30); a minus moves earlier")
        layout.addWidget(form_widget)
        self.selected_only = QRadioButton(f"The &selected {'inject' if selected == 1 else f'{selected} injects'}",
                                          self)
        self.following = QRadioButton("The current inject and &all that follow it", self)
        self.following.setChecked(selected <= 1)
        self.selected_only.setChecked(selected > 1)
        self.move_scenario_time = QCheckBox("Move their scenario times &too", self)
        self.move_scenario_time.setChecked(True)
        for widget in (self.selected_only, self.following, self.move_scenario_time):
            layout.addWidget(widget)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setObjectName("retimeError")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Re-time")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        self.seconds = 0

    def _accept(self) -> None:
        try:
            self.seconds = parse_shift(self.shift.text())
        except ValueError as error:
            self.error.setText(str(error))
            self.shift.setFocus()
            return
        if self.seconds == 0:
            self.error.setText("A shift of zero changes nothing.")
            return
        self.accept()


def connect_jump(page: MselPage, focus: Callable[[], None]) -> None:
    """Ctrl+J: focus the jump box (after making the MSEL visible)."""
    focus()
    page.jump.setFocus()
    page.jump.selectAll()

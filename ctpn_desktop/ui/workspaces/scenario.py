"""The scenario workspace: the editor of the exercise, its objectives, organisations, phases and MSEL.

Everything shown comes from the editor session's snapshot; every change goes through the session, which
commits it through the scenario service before anything on screen says it is saved. There is no save
button: the status beside the tabs tells the truth about what is in the file.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFileDialog,
    QLabel,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.changes import Changes, Topic
from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Inject, Scenario
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.inject_library import InjectLibrary, prepare_insertion
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.scenario import parse_planned
from ctpn_desktop.core.services.validation import Problem, problems_by_inject, validate

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.actions import ACTION_PERMISSIONS, ActionId, gate, make_action
from ctpn_desktop.ui.dialogs.prompts import show_error
from ctpn_desktop.ui.editor.fields import Typing
from ctpn_desktop.ui.editor.msel_page import MSEL_WIDTHS as EDITOR_WIDTHS
from ctpn_desktop.ui.editor.msel_page import MselPage, ProblemsPanel, RetimeDialog
from ctpn_desktop.ui.editor.pages import (
    Confirm,
    ObjectivesEditor,
    OrganisationsEditor,
    OverviewEditor,
    PhasesEditor,
    ask_confirm,
)
from ctpn_desktop.ui.editor.programme_page import ProgrammeEditor
from ctpn_desktop.ui.editor.session import Change, EditorSession
from ctpn_desktop.ui.elided import ElidedLabel
from ctpn_desktop.ui.models import msel
from ctpn_desktop.ui.models.msel import format_scenario_time
from ctpn_desktop.ui.workspaces.base import Workspace

from ctpn_desktop import paths

if TYPE_CHECKING:
    from ctpn_desktop.ui.dialogs.msel_import import MselImportDialog
    from ctpn_desktop.ui.editor.library_picker import LibraryPicker

VALIDATION_DELAY_MS = 150
"""Validation runs this long after the last edit, so a burst of edits is checked once."""
SAVED_AS_YOU_GO = "Every change is saved as you make it"
"""The save state the designer sees most: short enough to stand whole beside the tabs on a 1366-pixel screen."""
SPREADSHEET_FILTER = "MSEL spreadsheets (*.xlsx *.xlsm *.csv *.tsv *.txt);;All files (*)"
EXPORT_FILTER = "Excel workbook (*.xlsx);;CSV, comma-separated (*.csv)"
TEMPLATE_FILTER = "Scenario template (*.json)"
OVERVIEW, OBJECTIVES, ORGANISATIONS, PHASES, MSEL = range(5)
PROGRAMME = 5
MSEL_WIDTHS = {column: width for column, width in EDITOR_WIDTHS.items() if column != msel.VALIDATION}
"""Column widths of read-only MSEL tables (a run's frozen copy), in average characters."""


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip())


def inject_html(scenario: Scenario, inject: Inject) -> str:
    """The full text of one inject, as a controller reads it before releasing it."""
    phase = scenario.phase(inject.phase_id)
    recipients = "; ".join(scenario.recipient_label(r) for r in inject.recipients) or "—"
    objectives = ", ".join(
        f"{o.code}" for o in (scenario.objective(i) for i in inject.objective_ids) if o is not None) or "—"
    meta = [
        ("Planned", format_elapsed(inject.planned_offset_s)),
        ("Scenario time", format_scenario_time(inject.scenario_time) or "—"),
        ("Phase", phase.name if phase else "—"),
        ("Method", inject.delivery_method.label),
        ("From", inject.sender or "—"),
        ("To", recipients),
        ("Objectives", objectives),
    ]
    rows = "".join(
        f"<tr><td style='padding-right:12px'><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
        for k, v in meta)
    parts = [f"<h3>{inject.number}. {html.escape(inject.title)}</h3><table>{rows}</table>"]
    for label, text in (("Content", inject.content), ("Expected player actions", inject.expected_actions),
                        ("Controller notes", inject.controller_notes)):
        if text.strip():
            parts.append(f"<h4>{label}</h4>{_paragraphs(text)}")
    return "".join(parts)


class EditorFiles(Protocol):
    """Where to read and write files; tests answer from a script."""

    def open_spreadsheet(self, parent: QWidget) -> Path | None: ...

    def save_spreadsheet(self, parent: QWidget, suggested: Path) -> Path | None: ...

    def save_template(self, parent: QWidget, suggested: Path) -> Path | None: ...


class QtEditorFiles:
    def open_spreadsheet(self, parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Import MSEL spreadsheet", str(Path.home()), SPREADSHEET_FILTER)
        return Path(name) if name else None

    def save_spreadsheet(self, parent: QWidget, suggested: Path) -> Path | None:
        name, chosen = QFileDialog.getSaveFileName(parent, "Export MSEL", str(suggested), EXPORT_FILTER)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() not in {".csv", ".xlsx"}:
            path = path.with_suffix(".csv" if "csv" in chosen.lower() else ".xlsx")
        return path

    def save_template(self, parent: QWidget, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Save scenario as template", str(suggested), TEMPLATE_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".json" else path.with_suffix(".json")


class ScenarioWorkspace(Workspace):
    title = "Scenario"
    icon_name = icons.SCENARIO
    subtitle = "The exercise as designed: overview, objectives, participants, phases and the MSEL."

    exercise_changed = Signal()
    """Title or marking may have changed: the window title and banners follow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: EditorSession | None = None
        self.files: EditorFiles = QtEditorFiles()
        self.confirm: Confirm = ask_confirm
        self.typing = Typing(self)
        self.typing.changed.connect(self._typing_changed)
        self._last_saved_text = ""
        self._menu: QMenu | None = None
        self.retime_dialog: RetimeDialog | None = None
        self.import_dialog: MselImportDialog | None = None
        self.library_picker: LibraryPicker | None = None
        self.inject_library = InjectLibrary(paths.inject_library_dir())
        self._validation_timer = QTimer(self)
        self._validation_timer.setSingleShot(True)
        self._validation_timer.setInterval(VALIDATION_DELAY_MS)
        self._validation_timer.timeout.connect(self.run_validation)
        self.problems: tuple[Problem, ...] = ()

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)
        self.save_state = ElidedLabel("", self.body, widest=40)
        self.save_state.setObjectName("saveState")
        self.save_state.setAccessibleName("Save state")
        self.save_state.setProperty("muted", True)
        self.save_state.setContentsMargins(12, 0, 4, 0)
        splitter = QSplitter(Qt.Orientation.Vertical, self.body)
        self.tabs = QTabWidget(splitter)
        self.tabs.setObjectName("scenarioTabs")
        self.tabs.setAccessibleName("Scenario sections")
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.overview = OverviewEditor(lambda: self.session, self.typing, self.report, self.tabs)
        self.objectives = ObjectivesEditor(lambda: self.session, self.typing, self.report,
                                           lambda *a: self.confirm(*a), self.tabs)
        self.organisations = OrganisationsEditor(lambda: self.session, self.typing, self.report,
                                                 lambda *a: self.confirm(*a), self.tabs)
        self.phases = PhasesEditor(lambda: self.session, self.typing, self.report, lambda *a: self.confirm(*a),
                                   self.tabs)
        self.msel = MselPage(self.typing, self._edit_cell, self.tabs)
        self.tabs.addTab(self.overview, icons.icon(icons.SCENARIO), "Overview")
        self.tabs.addTab(self.objectives, icons.icon(icons.OBJECTIVES), "Objectives")
        self.tabs.addTab(self.organisations, icons.icon(icons.ORGANISATIONS), "Organisations && roles")
        self.tabs.addTab(self.phases, icons.icon(icons.TIMELINE), "Phases")
        self.msel_tab = self.tabs.addTab(self.msel, icons.icon(icons.INJECTS), "MSEL")
        self.programme = ProgrammeEditor(lambda: self.session, self.typing, self.report, self.tabs)
        self.tabs.addTab(self.programme, icons.icon(icons.PROGRAMME), "Programme")
        self.tabs.setCornerWidget(self.save_state, Qt.Corner.TopRightCorner)
        self.problems_panel = ProblemsPanel(splitter)
        self.problems_panel.activated.connect(self.go_to_problem)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.problems_panel)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        layout.addWidget(splitter, 1)
        self.msel.model.move_requested.connect(self._move_requested)
        self.msel.form.edited.connect(self._inject_edited)
        self.msel.form.refused.connect(self.report)
        self.msel.selection_changed.connect(self._update_actions)
        self._build_actions()

    # Legacy names some views and tests use -------------------------------------------------------------
    @property
    def scenario(self) -> Scenario | None:
        return self.session.scenario if self.session is not None else None

    @property
    def msel_view(self) -> QWidget:
        return self.msel.view

    @property
    def msel_model(self) -> msel.MselTableModel:
        return self.msel.model

    @property
    def msel_filter(self) -> QWidget:
        return self.msel.filter_text

    @property
    def msel_count(self) -> QLabel:
        return self.msel.count

    # Actions and menu ------------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.actions: dict[ActionId, QAction] = {}
        for action_id in (ActionId.UNDO, ActionId.REDO, ActionId.ADD_INJECT, ActionId.DUPLICATE_INJECT,
                          ActionId.DELETE_INJECT, ActionId.MOVE_INJECT_UP, ActionId.MOVE_INJECT_DOWN,
                          ActionId.RETIME_INJECTS, ActionId.RENUMBER_INJECTS, ActionId.JUMP_TO_INJECT,
                          ActionId.IMPORT_MSEL, ActionId.EXPORT_MSEL, ActionId.SAVE_AS_TEMPLATE,
                          ActionId.SAVE_TO_LIBRARY, ActionId.INSERT_FROM_LIBRARY):
            action = make_action(action_id, self)
            self.actions[action_id] = action
        a = self.actions
        # Keys that mean something in text fields act only where the MSEL table has focus.
        for action_id in (ActionId.DELETE_INJECT, ActionId.MOVE_INJECT_UP, ActionId.MOVE_INJECT_DOWN):
            a[action_id].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.msel.view.addAction(a[action_id])
        for action_id in (ActionId.UNDO, ActionId.REDO, ActionId.ADD_INJECT, ActionId.DUPLICATE_INJECT,
                          ActionId.RETIME_INJECTS, ActionId.JUMP_TO_INJECT, ActionId.IMPORT_MSEL,
                          ActionId.EXPORT_MSEL, ActionId.SAVE_TO_LIBRARY, ActionId.INSERT_FROM_LIBRARY):
            a[action_id].setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a[action_id])
        a[ActionId.UNDO].triggered.connect(self.undo)
        a[ActionId.REDO].triggered.connect(self.redo)
        a[ActionId.ADD_INJECT].triggered.connect(self.add_inject)
        a[ActionId.DUPLICATE_INJECT].triggered.connect(self.duplicate_injects)
        a[ActionId.DELETE_INJECT].triggered.connect(self.delete_injects)
        a[ActionId.MOVE_INJECT_UP].triggered.connect(lambda: self.move_selected(-1))
        a[ActionId.MOVE_INJECT_DOWN].triggered.connect(lambda: self.move_selected(+1))
        a[ActionId.RETIME_INJECTS].triggered.connect(self.ask_retime)
        a[ActionId.RENUMBER_INJECTS].triggered.connect(self.renumber)
        a[ActionId.JUMP_TO_INJECT].triggered.connect(self.focus_jump)
        a[ActionId.IMPORT_MSEL].triggered.connect(self.ask_import)
        a[ActionId.EXPORT_MSEL].triggered.connect(self.ask_export)
        a[ActionId.SAVE_AS_TEMPLATE].triggered.connect(self.ask_save_template)
        a[ActionId.SAVE_TO_LIBRARY].triggered.connect(self.save_to_library)
        a[ActionId.INSERT_FROM_LIBRARY].triggered.connect(self.ask_insert_from_library)
        self._update_actions()

    def menu(self) -> QMenu:
        if self._menu is None:
            menu = QMenu("&Scenario", self)
            menu.setObjectName("scenarioMenu")
            a = self.actions
            groups = ((ActionId.UNDO, ActionId.REDO),
                      (ActionId.ADD_INJECT, ActionId.DUPLICATE_INJECT, ActionId.DELETE_INJECT,
                       ActionId.MOVE_INJECT_UP, ActionId.MOVE_INJECT_DOWN),
                      (ActionId.RETIME_INJECTS, ActionId.RENUMBER_INJECTS, ActionId.JUMP_TO_INJECT),
                      (ActionId.SAVE_TO_LIBRARY, ActionId.INSERT_FROM_LIBRARY),
                      (ActionId.IMPORT_MSEL, ActionId.EXPORT_MSEL, ActionId.SAVE_AS_TEMPLATE))
            for n, group in enumerate(groups):
                if n:
                    menu.addSeparator()
                for action_id in group:
                    menu.addAction(a[action_id])
            self._menu = menu
        return self._menu

    def _update_actions(self) -> None:
        session = self.session
        has_document = session is not None
        selected = bool(self.msel.selected_ids()) if has_document else False
        stack = session.stack if session is not None else None
        a = self.actions
        a[ActionId.UNDO].setEnabled(bool(stack and stack.canUndo()))
        a[ActionId.REDO].setEnabled(bool(stack and stack.canRedo()))
        a[ActionId.UNDO].setText(f"&Undo {stack.undoText()}" if stack and stack.canUndo() else "&Undo")
        a[ActionId.REDO].setText(f"&Redo {stack.redoText()}" if stack and stack.canRedo() else "&Redo")
        for action_id in (ActionId.DUPLICATE_INJECT, ActionId.DELETE_INJECT, ActionId.MOVE_INJECT_UP,
                          ActionId.MOVE_INJECT_DOWN, ActionId.RETIME_INJECTS, ActionId.SAVE_TO_LIBRARY):
            a[action_id].setEnabled(selected)
        for action_id in (ActionId.ADD_INJECT, ActionId.RENUMBER_INJECTS, ActionId.JUMP_TO_INJECT,
                          ActionId.IMPORT_MSEL, ActionId.EXPORT_MSEL, ActionId.SAVE_AS_TEMPLATE,
                          ActionId.INSERT_FROM_LIBRARY):
            a[action_id].setEnabled(has_document)
        gate(a.items(), ACTION_PERMISSIONS, self.station)
        editable = not has_document or self.allows(Permission.EDIT_SCENARIO)
        for editor in (self.overview, self.objectives, self.organisations, self.phases, self.msel.form):
            editor.setEnabled(editable)

    def refresh_icons(self) -> None:
        super().refresh_icons()
        from ctpn_desktop.ui.actions import SPECS

        for action_id, action in self.actions.items():
            name = SPECS[action_id].icon
            if name:
                action.setIcon(icons.icon(name))
        # Buttons keep the colour their icon was drawn in: draw them again for the new palette.
        for button in self.findChildren(QAbstractButton):
            icon_name = button.property("iconName")
            if isinstance(icon_name, str) and icon_name:
                button.setIcon(icons.icon(icon_name))
        tab_icons = (icons.SCENARIO, icons.OBJECTIVES, icons.ORGANISATIONS, icons.TIMELINE, icons.INJECTS,
                     icons.PROGRAMME)
        for index, icon_name in enumerate(tab_icons):
            self.tabs.setTabIcon(index, icons.icon(icon_name))
        self.msel.empty.refresh_icon()
        for editor in (self.objectives, self.organisations, self.phases):
            editor.empty.refresh_icon()
        self.problems_panel.set_problems(self.problems, injects=self._inject_count())

    # Document --------------------------------------------------------------------------------------------
    def set_context(self, context: object) -> None:
        self.flush()
        super().set_context(context)  # type: ignore[arg-type]

    def refresh(self) -> None:
        if self.session is not None:
            old, self.session = self.session, None
            old.changed.disconnect(self._changed)
            old.stack.indexChanged.disconnect(self._stack_changed)
            old.deleteLater()
        if self.context is None:
            self.problems = ()
            self.problems_panel.set_problems((), injects=0)
            self.save_state.clear()
            self._update_actions()
            return
        session = EditorSession(self.context.scenario, self)
        session.changed.connect(self._changed)
        session.saved.connect(self._saved)
        session.failed.connect(self.report)
        session.stack.indexChanged.connect(self._stack_changed)
        self.session = session
        self._fill_all(session.scenario)
        if self.allows(Permission.EDIT_SCENARIO):
            self.save_state.setText(SAVED_AS_YOU_GO)
        else:
            self.save_state.setText("In a shared room only the facilitator edits the scenario; this station reads "
                                    "it as it is now")
        self._update_actions()
        self.run_validation()

    def document_changed(self, changes: Changes) -> None:
        """Another station changed the scenario: show it as it is now. The undo history is cleared, because
        undoing an edit made before theirs would put back what they changed."""
        session = self.session
        if session is None or not changes.remote or not changes.touches(Topic.SCENARIO):
            return
        self.flush()
        session.stack.clear()
        session.reload()
        self.run_validation()
        self.save_state.setText("The scenario was changed on another station and is shown as it is now; "
                                "the undo history was cleared")

    def _tab_changed(self, _index: int) -> None:
        self.flush()

    def _stack_changed(self, _index: int) -> None:
        self._update_actions()

    def _fill_all(self, scenario: Scenario) -> None:
        self.overview.fill(scenario.exercise)
        self.objectives.refill(scenario)
        self.organisations.refill(scenario)
        self.phases.refill(scenario)
        self.msel.set_scenario(scenario)
        self.programme.refill(scenario.programme)
        self._update_msel_tab()

    def _inject_count(self) -> int:
        scenario = self.scenario
        return len(scenario.injects) if scenario is not None else 0

    def _update_msel_tab(self) -> None:
        self.tabs.setTabText(self.msel_tab, f"MSEL ({self._inject_count()})")

    def _changed(self, change: Change) -> None:
        session = self.session
        if session is None:
            return
        scenario = session.scenario
        if change.everything:
            self._fill_all(scenario)
        else:
            if change.exercise:
                self.overview.fill(scenario.exercise)
            if change.objectives or change.injects or change.removed:
                self.objectives.refill(scenario)
            if change.organisations:
                self.organisations.refill(scenario)
            if change.phases or change.injects or change.removed:
                self.phases.refill(scenario)
            if change.programme:
                self.programme.refill(scenario.programme)
            if change.names_changed():
                self.msel.set_scenario(scenario)
            elif change.injects or change.removed:
                self.msel.update_injects(scenario, change.injects, change.removed)
            self._update_msel_tab()
        if change.exercise or change.everything:
            self.exercise_changed.emit()
        self._validation_timer.start()
        self._update_actions()

    def _saved(self, text: str) -> None:
        self._last_saved_text = text
        if not self.typing.pending:
            self.save_state.setText(text)

    def _typing_changed(self, label: str) -> None:
        if label:
            self.save_state.setText(f"Not saved yet: {label} — saved when you pause typing or leave the field")
        else:
            self.save_state.setText(self._last_saved_text or SAVED_AS_YOU_GO)

    def flush(self) -> None:
        """Commit everything typed but not stored yet (before undo, switching tabs, closing)."""
        if self.session is None:
            return
        self.overview.flush()
        self.objectives.flush()
        self.organisations.flush()
        self.phases.flush()
        self.msel.form.flush()
        self.programme.flush()

    def report(self, title: str, message: str) -> None:
        self.save_state.setText(f"Not saved: {title}")
        show_error(self, title, message)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        window = self.window()
        if window is not self:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and watched is self.window():
            self.flush()
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)

    # Validation ------------------------------------------------------------------------------------------
    def run_validation(self) -> None:
        scenario = self.scenario
        self.problems = validate(scenario) if scenario is not None else ()
        self.problems_panel.set_problems(self.problems, injects=self._inject_count())
        self.msel.model.set_problems({k: [p.message for p in v]
                                      for k, v in problems_by_inject(self.problems).items()})

    def go_to_problem(self, problem: Problem) -> None:
        if problem.inject_id:
            self.tabs.setCurrentIndex(self.msel_tab)
            self.msel.focus_problem(problem)
        elif problem.phase_id:
            self.tabs.setCurrentIndex(PHASES)
            self.phases.select(problem.phase_id)
            self.phases.tree.setFocus()
        elif problem.objective_id:
            self.tabs.setCurrentIndex(OBJECTIVES)
            self.objectives.select(problem.objective_id)
            self.objectives.tree.setFocus()

    # Undo ------------------------------------------------------------------------------------------------
    def undo(self) -> None:
        if self.session is not None:
            self.flush()
            self.session.stack.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.flush()
            self.session.stack.redo()

    # MSEL commands ---------------------------------------------------------------------------------------
    def _inject_edited(self, inject: Inject, text: str, blobs: dict[str, bytes]) -> None:
        if self.session is None:
            return
        if not self.session.put_inject(inject, text, blobs):
            self.msel.form.show_inject(self.session.inject(inject.id))

    def _edit_cell(self, inject_id: str, column: int, text: str) -> bool:
        session = self.session
        inject = session.inject(inject_id) if session else None
        if session is None or inject is None:
            return False
        try:
            if column == msel.TITLE:
                if not text.strip():
                    raise ValueError("An inject needs a title.")
                changed = replace(inject, title=text.strip())
            elif column == msel.SENDER:
                changed = replace(inject, sender=text.strip())
            elif column == msel.PLANNED:
                changed = replace(inject, planned_offset_s=parse_planned(text))
            elif column == msel.NUMBER:
                if not text.strip().isdigit():
                    raise ValueError(f"'{text.strip()}' is not an inject number.")
                changed = replace(inject, number=int(text.strip()))
            else:
                return False
        except ValueError as error:
            self.report(msel.COLUMNS[column], str(error))
            return False
        return session.put_inject(changed)

    def _current_inject(self) -> Inject | None:
        current = self.msel.current_id()
        return self.session.inject(current) if self.session and current else None

    def add_inject(self) -> None:
        session = self.session
        if session is None:
            return
        self.flush()
        self.tabs.setCurrentIndex(self.msel_tab)
        current = self._current_inject()
        number = session.next_number()
        if current is not None:
            inject = Inject(str(uuid.uuid4()), number, "New inject", current.planned_offset_s,
                            position=current.position, phase_id=current.phase_id,
                            delivery_method=current.delivery_method)
        else:
            last = max(session.scenario.injects, key=lambda i: (i.planned_offset_s, i.position), default=None)
            inject = Inject(str(uuid.uuid4()), number, "New inject", last.planned_offset_s if last else 0,
                            position=(last.position + 1) if last else 0, phase_id=last.phase_id if last else None)
        if session.add_inject(inject):
            self.msel.show_inject(inject.id)
            self.msel.form.title.setFocus()
            self.msel.form.title.selectAll()

    def duplicate_injects(self) -> None:
        if self.session is None:
            return
        self.flush()
        copies = self.session.duplicate_injects(self.msel.selected_ids())
        if copies:
            self.msel.select_ids([c.id for c in copies], copies[0].id)

    def delete_injects(self) -> None:
        if self.session is None:
            return
        ids = self.msel.selected_ids()
        if not ids:
            return
        ordered = self.msel.model.injects_shown()
        rows = [self.msel.model.row_of(i) for i in ids]
        after = max(r for r in rows if r is not None) + 1
        neighbour = ordered[after].id if after < len(ordered) else (ordered[min(rows) - 1].id
                                                                     if rows and min(rows) > 0 else None)
        if self.session.delete_injects(ids) and neighbour is not None:
            self.msel.select_ids([neighbour], neighbour)

    def move_selected(self, step: int) -> None:
        if self.session is None:
            return
        if not self.msel.model.in_msel_order:
            self.report("Move injects", "Injects can be moved while the MSEL is in planned-time order: click the "
                                        "Planned column header first.")
            return
        ids = self.msel.selected_ids()
        if ids and self.session.move_step(ids, step):
            self.msel.select_ids(ids, ids[0])

    def _move_requested(self, ids: list[str], before: str | None) -> None:
        if self.session is not None and self.session.move_injects(ids, before):
            self.msel.select_ids(ids, ids[0])

    def renumber(self) -> None:
        if self.session is not None:
            self.flush()
            self.session.renumber()

    def ask_retime(self) -> RetimeDialog | None:
        ids = self.msel.selected_ids()
        if self.session is None or not ids:
            return None
        self.flush()
        dialog = RetimeDialog(len(ids), self)
        dialog.accepted.connect(lambda: self._retime(dialog, ids))
        dialog.finished.connect(dialog.deleteLater)
        self.retime_dialog = dialog
        dialog.open()
        return dialog

    def _retime(self, dialog: RetimeDialog, ids: list[str]) -> None:
        session = self.session
        if session is None:
            return
        move_story = dialog.move_scenario_time.isChecked()
        if dialog.following.isChecked():
            current = self.msel.current_id() or ids[0]
            session.retime_following(current, dialog.seconds, move_scenario_time=move_story)
        else:
            session.retime(ids, dialog.seconds, move_scenario_time=move_story)
        self.msel.select_ids(ids, ids[0])

    def focus_jump(self) -> None:
        self.tabs.setCurrentIndex(self.msel_tab)
        self.msel.jump.setFocus()
        self.msel.jump.selectAll()

    # Files -----------------------------------------------------------------------------------------------
    def ask_import(self) -> MselImportDialog | None:
        if self.session is None:
            return None
        self.flush()
        path = self.files.open_spreadsheet(self)
        if path is None:
            return None
        from ctpn_desktop.core.io.msel_memory import MappingMemory
        from ctpn_desktop.core.io.msel_read import read_table

        from ctpn_desktop.ui.dialogs.msel_import import MselImportDialog

        try:
            workbook = read_table(path)
        except (CtpnError, OSError) as error:
            self.report("Cannot import MSEL", f"“{path.name}” could not be read. {getattr(error, 'problem', error)}")
            return None
        dialog = MselImportDialog(workbook, self.session.scenario, self,
                                  memory=MappingMemory(paths.msel_layouts_dir()))
        dialog.accepted.connect(lambda: self._import_confirmed(dialog, path))
        dialog.finished.connect(dialog.deleteLater)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _import_confirmed(self, dialog: MselImportDialog, path: Path) -> None:
        session = self.session
        outcome = dialog.outcome
        if session is None or outcome is None:
            return
        if session.import_outcome(outcome, path.name):
            self.tabs.setCurrentIndex(self.msel_tab)
            if outcome.added:
                self.msel.show_inject(outcome.added[0].id)
            if dialog.remember_problem:
                self.save_state.setText(f"{self.save_state.text()} — {dialog.remember_problem}")

    def _suggested(self, suffix: str) -> Path:
        document = self.context.document.path if self.context is not None else Path.home() / "exercise.ctpn"
        return document.with_name(f"{document.stem}{suffix}")

    def ask_export(self) -> Path | None:
        if self.session is None:
            return None
        self.flush()
        path = self.files.save_spreadsheet(self, self._suggested("-msel.xlsx"))
        if path is None:
            return None
        from ctpn_desktop.core.io.msel_write import write_msel_csv, write_msel_xlsx

        writer = write_msel_csv if path.suffix.lower() == ".csv" else write_msel_xlsx
        try:
            warnings = writer(self.session.scenario, path)
        except (CtpnError, OSError) as error:
            self.report("Cannot export MSEL", f"The MSEL could not be written to “{path.name}”. "
                                              f"{getattr(error, 'problem', error)}")
            return None
        note = f" ({len(warnings)} cell(s) adjusted: {warnings[0]})" if warnings else ""
        self.save_state.setText(f"Exported {len(self.session.scenario.injects)} injects to {path.name}{note}")
        return path

    def ask_save_template(self) -> Path | None:
        if self.session is None:
            return None
        self.flush()
        path = self.files.save_template(self, self._suggested("-template.json"))
        if path is None:
            return None
        from ctpn_desktop.core.io.scenario_json import dumps, from_scenario

        try:
            text = dumps(from_scenario(self.session.scenario, self.session.service.attachment_blobs(),
                                       with_ids=False))
            temporary = path.with_name(f".{path.name}.partial")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)
        except (CtpnError, OSError) as error:
            self.report("Cannot save template", f"The template could not be written to “{path.name}”. {error}")
            return None
        self.save_state.setText(f"Template written to {path}")
        return path


    # The inject library -----------------------------------------------------------------------------------
    def save_to_library(self) -> list[Path]:
        """Keep the selected injects in the designer's inject library (one scenario file each)."""
        session = self.session
        ids = self.msel.selected_ids()
        if session is None or not ids:
            return []
        self.flush()
        chosen = [i for i in session.scenario.injects if i.id in set(ids)]
        try:
            written = self.inject_library.save(session.scenario, chosen,
                                               session.service.attachment_blobs_of(chosen))
        except CtpnError as error:
            self.report("Cannot save to the inject library", str(error))
            return []
        noun = "inject" if len(written) == 1 else "injects"
        self.save_state.setText(f"Saved {len(written)} {noun} to the inject library ({self.inject_library.folder})")
        return written

    def ask_insert_from_library(self) -> LibraryPicker | None:
        if self.session is None:
            return None
        self.flush()
        from ctpn_desktop.ui.editor.library_picker import LibraryPicker

        picker = LibraryPicker(self.inject_library, lambda *a: self.confirm(*a),
                               lambda parent, suggested: self.files.save_template(parent, suggested), self)
        picker.inserted.connect(self.insert_from_library)
        picker.finished.connect(picker.deleteLater)
        self.library_picker = picker
        picker.open()
        return picker

    def insert_from_library(self, items: list) -> bool:
        """Put library injects at the current inject's time and phase (or after the last one), as one edit."""
        session = self.session
        if session is None or not items:
            return False
        current = self._current_inject()
        last = max(session.scenario.injects, key=lambda i: (i.planned_offset_s, i.position), default=None)
        anchor = current or last
        insertion = prepare_insertion(session.scenario, items, first_number=session.next_number(),
                                      planned_offset_s=anchor.planned_offset_s if anchor else 0,
                                      phase_id=anchor.phase_id if anchor else None,
                                      position=(anchor.position + (0 if current else 1)) if anchor else 0)
        if not session.insert_from_library(insertion):
            return False
        self.tabs.setCurrentIndex(self.msel_tab)
        ids = [i.id for i in insertion.injects]
        self.msel.select_ids(ids, ids[0])
        noun = "inject" if len(ids) == 1 else "injects"
        notes = f" Note: {'; '.join(insertion.notes)}." if insertion.notes else ""
        self.save_state.setText(f"Inserted {len(ids)} {noun} from the library as drafts.{notes}")
        return True

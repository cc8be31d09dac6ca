"""The exercise overview, objectives, organisations and roles (with the exercise's own cells) and phases, each
edited in place; every change goes through the editor session as one undoable edit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import (
    CommandLevel,
    Exercise,
    ExerciseType,
    Organisation,
    OrganisationKind,
    Phase,
    Role,
    Scenario,
)
from ctpn_desktop.core.keys import make_key
from ctpn_desktop.core.services.scenario import (
    Links,
    objective_links,
    organisation_links,
    parse_planned,
    phase_links,
)

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.editor.fields import CommitLine, CommitText, Typing, add_row, form_layout
from ctpn_desktop.ui.editor.inject_form import SCENARIO_TIME_FORMAT, parse_scenario_time
from ctpn_desktop.ui.editor.session import EditorSession
from ctpn_desktop.ui.models.msel import format_scenario_time
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, muted, setup_tree

Confirm = Callable[[QWidget, str, str, list[str]], bool]
"""(parent, title, question, what links to it) -> whether to go ahead."""
Report = Callable[[str, str], None]

MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
CELLS = ("Exercise control", "Players", "Evaluators", "Observers", "SimCell")
LEVEL_LABELS = {CommandLevel.STRATEGIC: "Strategic (Gold)", CommandLevel.TACTICAL: "Tactical (Silver)",
                CommandLevel.OPERATIONAL: "Operational (Bronze)", CommandLevel.OTHER: "Other"}


def ask_confirm(parent: QWidget, title: str, question: str, details: list[str]) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if details:
        box.setInformativeText("Linked to it:\n" + "\n".join(f"• {line}" for line in details)
                               + "\n\nThe links are removed with it. Undo (Ctrl+Z) brings everything back.")
    return box.exec() == QMessageBox.StandardButton.Yes


def _delete_question(what: str, links: Links) -> tuple[str, list[str]]:
    count = len(links.injects)
    if not count:
        return f"Delete {what}? Nothing links to it.", []
    noun = "inject links" if count == 1 else "injects link"
    return f"Delete {what}? {count} {noun} to it.", links.describe()


def _button(icon_name: str, text: str, tip: str, parent: QWidget) -> QPushButton:
    button = QPushButton(icons.icon(icon_name), text, parent)
    button.setProperty("iconName", icon_name)
    button.setToolTip(tip)
    button.setAccessibleName(text or tip)
    return button


def _duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


class OverviewEditor(QScrollArea):
    """Title, type, aim, narrative, venue, date, duration, protective marking and the authoring details."""

    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session_fn
        self._report = report
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        page = QWidget(self)
        page.setObjectName("overviewPage")
        page.setMaximumWidth(1000)
        form = form_layout(page)
        self.title = CommitLine("Title", typing, page)
        self.title.commit.connect(lambda t: self._put("title", t.strip(), "Edit title"))
        add_row(form, "&Title", self.title)
        self.exercise_type = QComboBox(page)
        for kind in ExerciseType:
            self.exercise_type.addItem(kind.label, kind)
        self.exercise_type.activated.connect(
            lambda _i: self._put("exercise_type", ExerciseType(self.exercise_type.currentData()),
                                 "Change exercise type"))
        add_row(form, "T&ype", self.exercise_type)
        self.marking = QComboBox(page)
        self.marking.setEditable(True)
        self.marking.addItems(MARKINGS)
        self.marking.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.marking.activated.connect(lambda _i: self._marking_committed())
        line = self.marking.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._marking_committed)
        add_row(form, "Protective &marking", self.marking,
                "Shown on every screen banner and PDF page, e.g. OFFICIAL-SENSITIVE or a custom caveat")
        when = QHBoxLayout()
        when.setContentsMargins(0, 0, 0, 0)
        self.planned_date = CommitLine("Planned date", typing, page)
        self.planned_date.setPlaceholderText("YYYY-MM-DD")
        self.planned_date.setMaximumWidth(self.fontMetrics().averageCharWidth() * 14 + 24)
        self.planned_date.commit.connect(self._date_committed)
        self.duration = QSpinBox(page)
        self.duration.setRange(0, 14 * 24 * 60)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setSpecialValueText("Not set")
        self.duration.setAccessibleName("Planned duration in minutes")
        self.duration.editingFinished.connect(
            lambda: self._put("planned_duration_minutes", self.duration.value(), "Change duration"))
        self.duration_text = muted("", page)
        when.addWidget(self.planned_date)
        duration_label = QLabel("&Duration", page)
        duration_label.setBuddy(self.duration)
        when.addSpacing(16)
        when.addWidget(duration_label)
        when.addWidget(self.duration)
        when.addWidget(self.duration_text, 1)
        when_widget = QWidget(page)
        when_widget.setLayout(when)
        date_label = QLabel("Planned d&ate", page)
        date_label.setBuddy(self.planned_date)
        form.addRow(date_label, when_widget)
        self.lines: dict[str, CommitLine] = {}
        for key, label, hint in (("venue", "&Venue", ""), ("organiser", "&Organiser", "Sponsoring organisation"),
                                 ("author", "Aut&hor", ""), ("version", "Versio&n", ""),
                                 ("threat", "Th&reat / hazard", ""), ("scope", "S&cope", "")):
            plain = label.replace("&", "")
            field = CommitLine(plain, typing, page)
            field.commit.connect(lambda t, k=key, n=plain: self._put(k, t.strip(), f"Edit {n.lower()}"))
            add_row(form, label, field, hint)
            self.lines[key] = field
        self.aim = CommitText("Aim", typing, page, lines=3)
        self.aim.setMaximumHeight(self.fontMetrics().lineSpacing() * 7 + 12)
        self.aim.commit.connect(lambda t: self._put("aim", t, "Edit aim"))
        add_row(form, "A&im", self.aim)
        self.narrative = CommitText("Narrative (general idea)", typing, page, lines=10)
        self.narrative.commit.connect(lambda t: self._put("narrative", t, "Edit narrative"))
        add_row(form, "Narrati&ve", self.narrative, "The general idea of the scenario, read to all participants")
        self.setWidget(page)

    def fill(self, exercise: Exercise) -> None:
        self.title.set_value(exercise.title)
        self.exercise_type.setCurrentIndex(self.exercise_type.findData(exercise.exercise_type))
        self.marking.setCurrentText(exercise.marking)
        self.planned_date.set_value(exercise.planned_date.isoformat() if exercise.planned_date else "")
        self.duration.setValue(exercise.planned_duration_minutes)
        self.duration_text.setText(_duration_text(exercise.planned_duration_minutes)
                                   if exercise.planned_duration_minutes >= 60 else "")
        for key, field in self.lines.items():
            field.set_value(str(getattr(exercise, key)))
        self.aim.set_value(exercise.aim)
        self.narrative.set_value(exercise.narrative)

    def flush(self) -> None:
        for field in (self.title, self.planned_date, *self.lines.values()):
            field.flush()
        self.aim.flush()
        self.narrative.flush()

    def _put(self, key: str, value: object, text: str) -> None:
        session = self._session()
        if session is None:
            return
        exercise = session.scenario.exercise
        if getattr(exercise, key) == value:
            return
        if not session.put_exercise(replace(exercise, **{key: value}), text):
            self.fill(session.scenario.exercise)

    def _marking_committed(self) -> None:
        text = self.marking.currentText().strip().upper()
        session = self._session()
        if session is None or text == session.scenario.exercise.marking:
            return
        if not text:
            self._report("Protective marking", "The exercise needs a protective marking, e.g. OFFICIAL.")
            self.marking.setCurrentText(session.scenario.exercise.marking)
            return
        self._put("marking", text, "Change protective marking")

    def _date_committed(self, text: str) -> None:
        try:
            value = date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            self._report("Planned date", f"'{text.strip()}' is not a date: type YYYY-MM-DD, e.g. 2026-12-12.")
            self.planned_date.revert()
            return
        self._put("planned_date", value, "Change planned date")


class _ListEditor(QWidget):
    """A list on the left with its commands above, the selected item's form on the right."""

    empty_title = ""
    empty_text = ""
    empty_icon = icons.EMPTY

    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 confirm: Confirm, headers: list[str], name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session_fn
        self.typing = typing
        self._report = report
        self.confirm = confirm
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.bar = QHBoxLayout()
        layout.addLayout(self.bar)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeWidget(splitter)
        setup_tree(self.tree, name, headers)
        self.tree.header().setStretchLastSection(False)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.empty = EmptyState(self.empty_title, self.empty_text, self.empty_icon)
        self.list_stack = SwitchStack(self.tree, self.empty, splitter)
        splitter.addWidget(self.list_stack)
        self.form_area = QScrollArea(splitter)
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter.addWidget(self.form_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    @property
    def session(self) -> EditorSession | None:
        return self._session()

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, item_id: str | None) -> None:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == item_id:
                self.tree.setCurrentItem(item)
                return

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            found.append(top)
            found.extend(top.child(c) for c in range(top.childCount()))
        return found

    def refill(self, scenario: Scenario) -> None:
        keep = self.current_id()
        self._filling = True
        try:
            self.tree.clear()
            self._fill_tree(scenario)
        finally:
            self._filling = False
        self.list_stack.show_content(self.tree.topLevelItemCount() > 0)
        self.select(keep)
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._current_changed(self.tree.currentItem())

    def _fill_tree(self, scenario: Scenario) -> None:
        raise NotImplementedError

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        if not self._filling:
            self.flush()
            self._show_current(current)

    def _show_current(self, current: QTreeWidgetItem | None) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Commit what is typed in the form."""


class ObjectivesEditor(_ListEditor):
    empty_title = "No objectives"
    empty_text = "Add the objectives the exercise tests (Insert or the Add button)."
    empty_icon = icons.OBJECTIVES

    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(session_fn, typing, report, confirm, ["Code", "Objective", "Capability", "Injects"],
                         "Objectives", parent)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.Stretch)
        self.add_button = _button(icons.ADD, "Add objective", "Add an objective", self)
        self.add_button.clicked.connect(self.add)
        self.up_button = _button(icons.MOVE_UP, "", "Move the objective up", self)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = _button(icons.MOVE_DOWN, "", "Move the objective down", self)
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.delete_button = _button(icons.DELETE, "Delete…", "Delete the objective", self)
        self.delete_button.clicked.connect(self.delete)
        for button in (self.add_button, self.up_button, self.down_button, self.delete_button):
            self.bar.addWidget(button)
        self.bar.addStretch(1)
        page = QWidget(self.form_area)
        form = form_layout(page)
        self.code = CommitLine("Code", typing, page)
        self.code.commit.connect(lambda t: self._put("code", t.strip()))
        add_row(form, "&Code", self.code, "Short code that injects, decisions and observations refer to, e.g. O3")
        self.statement = CommitText("Objective", typing, page, lines=4)
        self.statement.commit.connect(lambda t: self._put("statement", t.strip()))
        add_row(form, "Ob&jective", self.statement)
        self.capability = CommitLine("Capability", typing, page)
        self.capability.commit.connect(lambda t: self._put("capability", t.strip()))
        add_row(form, "Ca&pability", self.capability, "Capability area, e.g. Operational coordination")
        self.form_page = page
        self.form_area.setWidget(page)

    def _fill_tree(self, scenario: Scenario) -> None:
        counts: dict[str, int] = {}
        for inject in scenario.injects:
            for objective_id in inject.objective_ids:
                counts[objective_id] = counts.get(objective_id, 0) + 1
        for objective in sorted(scenario.objectives, key=lambda o: o.position):
            item = QTreeWidgetItem([objective.code, objective.statement, objective.capability,
                                    str(counts.get(objective.id, 0))])
            item.setData(0, Qt.ItemDataRole.UserRole, objective.id)
            item.setToolTip(1, objective.statement)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(3)

    def _show_current(self, current: QTreeWidgetItem | None) -> None:
        session = self.session
        objective = session.scenario.objective(self.current_id() or "") if session else None
        self.form_page.setEnabled(objective is not None)
        for button in (self.up_button, self.down_button, self.delete_button):
            button.setEnabled(objective is not None)
        self.code.set_value(objective.code if objective else "")
        self.statement.set_value(objective.statement if objective else "")
        self.capability.set_value(objective.capability if objective else "")

    def flush(self) -> None:
        self.code.flush()
        self.statement.flush()
        self.capability.flush()

    def _put(self, key: str, value: str) -> None:
        session = self.session
        objective = session.scenario.objective(self.current_id() or "") if session else None
        if session is None or objective is None or getattr(objective, key) == value:
            return
        if not session.put_objective(replace(objective, **{key: value})):
            self._show_current(self.tree.currentItem())

    def add(self) -> None:
        session = self.session
        if session is None:
            return
        self.flush()
        codes = {o.code.casefold() for o in session.scenario.objectives}
        number = len(session.scenario.objectives) + 1
        while f"o{number}" in codes:
            number += 1
        objective = session.add_objective(f"O{number}", "New objective: say what the players must show")
        if objective is not None:
            self.select(objective.id)
            self.statement.setFocus()
            self.statement.selectAll()

    def delete(self) -> None:
        session = self.session
        objective = session.scenario.objective(self.current_id() or "") if session else None
        if session is None or objective is None:
            return
        question, details = _delete_question(f"objective {objective.code}", objective_links(session.scenario,
                                                                                          objective.id))
        if self.confirm(self, "Delete objective", question, details):
            session.delete_objective(objective.id)

    def _move(self, step: int) -> None:
        session, current = self.session, self.current_id()
        if session is not None and current is not None:
            session.move_objective(current, step)


class OrganisationsEditor(_ListEditor):
    empty_title = "No organisations"
    empty_text = "Add the participating agencies and the exercise's own cells (control, players, evaluators)."
    empty_icon = icons.ORGANISATIONS

    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(session_fn, typing, report, confirm, ["Organisation or role", "Kind or level"],
                         "Organisations and roles", parent)
        self.tree.setRootIsDecorated(True)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.add_button = _button(icons.ADD_ORGANISATION, "Add organisation", "Add a participating agency", self)
        self.add_button.clicked.connect(lambda: self.add_organisation(OrganisationKind.AGENCY))
        self.cell_combo = QComboBox(self)
        self.cell_combo.setAccessibleName("Exercise cell to add")
        self.cell_combo.addItems(CELLS)
        self.add_cell_button = _button(icons.CELL, "Add cell", "Add one of the exercise's own cells", self)
        self.add_cell_button.clicked.connect(lambda: self.add_organisation(OrganisationKind.CELL,
                                                                           self.cell_combo.currentText()))
        self.add_role_button = _button(icons.ADD, "Add role", "Add a role to the selected organisation", self)
        self.add_role_button.clicked.connect(self.add_role)
        self.up_button = _button(icons.MOVE_UP, "", "Move up", self)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = _button(icons.MOVE_DOWN, "", "Move down", self)
        self.down_button.clicked.connect(lambda: self._move(+1))
        self.delete_button = _button(icons.DELETE, "Delete…", "Delete the organisation or role", self)
        self.delete_button.clicked.connect(self.delete)
        for widget in (self.add_button, self.cell_combo, self.add_cell_button, self.add_role_button,
                       self.up_button, self.down_button, self.delete_button):
            self.bar.addWidget(widget)
        self.bar.addStretch(1)
        self.forms = QStackedWidget(self.form_area)
        org_page = QWidget(self.forms)
        form = form_layout(org_page)
        self.org_name = CommitLine("Organisation name", typing, org_page)
        self.org_name.commit.connect(lambda t: self._put_org(name=t.strip()))
        add_row(form, "&Name", self.org_name)
        self.org_short = CommitLine("Short name", typing, org_page)
        self.org_short.commit.connect(lambda t: self._put_org(short_name=t.strip()))
        add_row(form, "&Short name", self.org_short, "Shown in the MSEL's To column, e.g. NFRS")
        self.org_kind = QComboBox(org_page)
        self.org_kind.addItem("Participating agency", OrganisationKind.AGENCY)
        self.org_kind.addItem("Exercise cell (control, players, evaluators …)", OrganisationKind.CELL)
        self.org_kind.activated.connect(lambda _i: self._put_org(kind=OrganisationKind(self.org_kind.currentData())))
        add_row(form, "&Kind", self.org_kind)
        role_page = QWidget(self.forms)
        role_form = form_layout(role_page)
        self.role_name = CommitLine("Role name", typing, role_page)
        self.role_name.commit.connect(lambda t: self._put_role(name=t.strip()))
        add_row(role_form, "&Role", self.role_name)
        self.role_level = QComboBox(role_page)
        for level, label in LEVEL_LABELS.items():
            self.role_level.addItem(label, level)
        self.role_level.activated.connect(lambda _i: self._put_role(level=CommandLevel(self.role_level.currentData())))
        add_row(role_form, "Command &level", self.role_level)
        self.forms.addWidget(org_page)
        self.forms.addWidget(role_page)
        self.forms.addWidget(QWidget(self.forms))
        self.form_area.setWidget(self.forms)

    def _fill_tree(self, scenario: Scenario) -> None:
        for organisation in sorted(scenario.organisations, key=lambda o: o.position):
            name = organisation.name
            if organisation.short_name and organisation.short_name != organisation.name:
                name = f"{organisation.name} ({organisation.short_name})"
            kind = "Exercise cell" if organisation.kind is OrganisationKind.CELL else "Agency"
            item = QTreeWidgetItem([name, kind])
            item.setData(0, Qt.ItemDataRole.UserRole, organisation.id)
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            for role in sorted(organisation.roles, key=lambda r: r.position):
                child = QTreeWidgetItem([role.name, LEVEL_LABELS[role.level] if role.level is not CommandLevel.OTHER
                                         else ""])
                child.setData(0, Qt.ItemDataRole.UserRole, role.id)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        self.tree.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 22)

    def _selected(self) -> tuple[Organisation | None, Role | None]:
        session = self.session
        item = self.tree.currentItem()
        if session is None or item is None:
            return None, None
        item_id = item.data(0, Qt.ItemDataRole.UserRole)
        if item.parent() is None:
            return session.scenario.organisation(item_id), None
        organisation = session.scenario.organisation(item.parent().data(0, Qt.ItemDataRole.UserRole))
        role = next((r for r in organisation.roles if r.id == item_id), None) if organisation else None
        return organisation, role

    def _show_current(self, current: QTreeWidgetItem | None) -> None:
        organisation, role = self._selected()
        for button in (self.add_role_button, self.up_button, self.down_button, self.delete_button):
            button.setEnabled(organisation is not None)
        if role is not None:
            self.forms.setCurrentIndex(1)
            self.role_name.set_value(role.name)
            self.role_level.setCurrentIndex(self.role_level.findData(role.level))
        elif organisation is not None:
            self.forms.setCurrentIndex(0)
            self.org_name.set_value(organisation.name)
            self.org_short.set_value(organisation.short_name)
            self.org_kind.setCurrentIndex(self.org_kind.findData(organisation.kind))
        else:
            self.forms.setCurrentIndex(2)

    def flush(self) -> None:
        for field in (self.org_name, self.org_short, self.role_name):
            field.flush()

    def _put_org(self, **values: object) -> None:
        session = self.session
        organisation, role = self._selected()
        if session is None or organisation is None or role is not None:
            return
        if values.get("name") == "":
            self._report("Organisation name", "An organisation needs a name.")
            self.org_name.revert()
            return
        changed = replace(organisation, **values)  # type: ignore[arg-type]
        if changed != organisation and not session.put_organisation(changed):
            self._show_current(self.tree.currentItem())

    def _put_role(self, **values: object) -> None:
        session = self.session
        organisation, role = self._selected()
        if session is None or organisation is None or role is None:
            return
        if values.get("name") == "":
            self._report("Role name", "A role needs a name.")
            self.role_name.revert()
            return
        new_role = replace(role, **values)  # type: ignore[arg-type]
        if new_role == role:
            return
        roles = tuple(new_role if r.id == role.id else r for r in organisation.roles)
        if not session.put_organisation(replace(organisation, roles=roles), f"Edit role {new_role.name}"):
            self._show_current(self.tree.currentItem())

    def add_organisation(self, kind: OrganisationKind, name: str = "") -> None:
        session = self.session
        if session is None:
            return
        self.flush()
        taken = {o.key for o in session.scenario.organisations}
        names = {o.name for o in session.scenario.organisations}
        name = name or "New organisation"
        base, counter = name, 2
        while name in names:
            name = f"{base} {counter}"
            counter += 1
        organisation = Organisation(str(uuid.uuid4()), make_key(name, taken, "org"), name, kind=kind)
        if session.add_organisation(organisation):
            self.select(organisation.id)
            if kind is OrganisationKind.AGENCY:
                self.org_name.setFocus()
                self.org_name.selectAll()

    def add_role(self) -> None:
        session = self.session
        organisation, _role = self._selected()
        if session is None or organisation is None:
            return
        self.flush()
        keys = {r.key for r in organisation.roles}
        role = Role(str(uuid.uuid4()), organisation.id, make_key("new role", keys, "role"), "New role",
                    position=len(organisation.roles))
        if session.put_organisation(replace(organisation, roles=(*organisation.roles, role)),
                                    f"Add role to {organisation.name}"):
            self.select(role.id)
            self.role_name.setFocus()
            self.role_name.selectAll()

    def delete(self) -> None:
        session = self.session
        organisation, role = self._selected()
        if session is None or organisation is None:
            return
        if role is not None:
            links = organisation_links(session.scenario, organisation.id, role.id)
            question, details = _delete_question(f"the role {role.name} of {organisation.name}", links)
            if self.confirm(self, "Delete role", question, details):
                roles = tuple(r for r in organisation.roles if r.id != role.id)
                session.put_organisation(replace(organisation, roles=roles), f"Delete role {role.name}")
            return
        question, details = _delete_question(organisation.name, organisation_links(session.scenario,
                                                                                   organisation.id))
        if self.confirm(self, "Delete organisation", question, details):
            session.delete_organisation(organisation.id)

    def _move(self, step: int) -> None:
        session = self.session
        organisation, role = self._selected()
        if session is None or organisation is None:
            return
        if role is None:
            session.move_organisation(organisation.id, step)
            return
        roles = list(organisation.roles)
        index = roles.index(role)
        if 0 <= index + step < len(roles):
            roles.insert(index + step, roles.pop(index))
            roles = [replace(r, position=n) for n, r in enumerate(roles)]
            session.put_organisation(replace(organisation, roles=tuple(roles)), "Reorder roles")


class PhasesEditor(_ListEditor):
    empty_title = "No phases"
    empty_text = "Divide the story into phases (modules), each with its narrative and discussion questions."
    empty_icon = icons.TIMELINE

    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(session_fn, typing, report, confirm, ["Starts", "Phase", "Scenario time", "Injects"],
                         "Phases", parent)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.Stretch)
        self.add_button = _button(icons.ADD, "Add phase", "Add a phase after the last one", self)
        self.add_button.clicked.connect(self.add)
        self.delete_button = _button(icons.DELETE, "Delete…", "Delete the phase (its injects stay)", self)
        self.delete_button.clicked.connect(self.delete)
        self.bar.addWidget(self.add_button)
        self.bar.addWidget(self.delete_button)
        self.bar.addStretch(1)
        page = QWidget(self.form_area)
        form = form_layout(page)
        self.name = CommitLine("Phase name", typing, page)
        self.name.commit.connect(lambda t: self._put(name=t.strip()))
        add_row(form, "&Name", self.name)
        self.start = CommitLine("Start offset", typing, page)
        self.start.setPlaceholderText("H:MM")
        self.start.commit.connect(self._start_committed)
        add_row(form, "&Starts at", self.start, "Time from STARTEX when the phase begins, H:MM")
        self.scenario_start = CommitLine("Scenario time at the start", typing, page)
        self.scenario_start.setPlaceholderText("YYYY-MM-DD HH:MM (a jump in story time)")
        self.scenario_start.commit.connect(self._scenario_start_committed)
        add_row(form, "Scenario &time", self.scenario_start,
                "Story time when the phase opens, e.g. 2026-12-12 18:30; leave empty to continue the story clock")
        self.narrative = CommitText("Phase narrative", typing, page, lines=8)
        self.narrative.commit.connect(lambda t: self._put(narrative=t))
        add_row(form, "Na&rrative", self.narrative)
        self.questions = CommitText("Discussion questions, one per line", typing, page, lines=6)
        self.questions.commit.connect(
            lambda t: self._put(discussion_questions=tuple(q.strip() for q in t.splitlines() if q.strip())))
        add_row(form, "&Discussion\nquestions", self.questions, "One question per line")
        self.form_page = page
        self.form_area.setWidget(page)

    def _fill_tree(self, scenario: Scenario) -> None:
        counts: dict[str | None, int] = {}
        for inject in scenario.injects:
            counts[inject.phase_id] = counts.get(inject.phase_id, 0) + 1
        for phase in sorted(scenario.phases, key=lambda p: (p.start_offset_s, p.position)):
            item = QTreeWidgetItem([format_elapsed(phase.start_offset_s), phase.name,
                                    format_scenario_time(phase.scenario_start), str(counts.get(phase.id, 0))])
            item.setData(0, Qt.ItemDataRole.UserRole, phase.id)
            item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(1, phase.name)
            self.tree.addTopLevelItem(item)
        for column in (0, 2, 3):
            self.tree.resizeColumnToContents(column)

    def _phase(self) -> Phase | None:
        session = self.session
        return session.scenario.phase(self.current_id()) if session else None

    def _show_current(self, current: QTreeWidgetItem | None) -> None:
        phase = self._phase()
        self.form_page.setEnabled(phase is not None)
        self.delete_button.setEnabled(phase is not None)
        self.name.set_value(phase.name if phase else "")
        self.start.set_value(format_elapsed(phase.start_offset_s) if phase else "")
        self.scenario_start.set_value(phase.scenario_start.strftime(SCENARIO_TIME_FORMAT)
                                      if phase and phase.scenario_start else "")
        self.narrative.set_value(phase.narrative if phase else "")
        self.questions.set_value("\n".join(phase.discussion_questions) if phase else "")

    def flush(self) -> None:
        for field in (self.name, self.start, self.scenario_start):
            field.flush()
        self.narrative.flush()
        self.questions.flush()

    def _put(self, **values: object) -> None:
        session, phase = self.session, self._phase()
        if session is None or phase is None:
            return
        if values.get("name") == "":
            self._report("Phase name", "A phase needs a name.")
            self.name.revert()
            return
        changed = replace(phase, **values)  # type: ignore[arg-type]
        if changed != phase and not session.put_phase(changed):
            self._show_current(self.tree.currentItem())

    def _start_committed(self, text: str) -> None:
        try:
            seconds = parse_planned(text)
        except ValueError as error:
            self._report("Phase start", str(error))
            self.start.revert()
            return
        self._put(start_offset_s=seconds)

    def _scenario_start_committed(self, text: str) -> None:
        try:
            moment = parse_scenario_time(text)
        except ValueError as error:
            self._report("Scenario time", str(error))
            self.scenario_start.revert()
            return
        self._put(scenario_start=moment)

    def add(self) -> None:
        session = self.session
        if session is None:
            return
        self.flush()
        phases = session.scenario.phases
        last_start = max((p.start_offset_s for p in phases), default=-1800)
        latest_inject = max((i.planned_offset_s for i in session.scenario.injects), default=0)
        start = max(last_start + 1800, latest_inject + 60 if phases else 0)
        name = f"Phase {len(phases) + 1}"
        phase = Phase(str(uuid.uuid4()), make_key(name, {p.key for p in phases}, "phase"), name, start)
        if session.add_phase(phase):
            self.select(phase.id)
            self.name.setFocus()
            self.name.selectAll()

    def delete(self) -> None:
        session, phase = self.session, self._phase()
        if session is None or phase is None:
            return
        question, details = _delete_question(f"the phase {phase.name}", phase_links(session.scenario, phase.id))
        if details:
            question += " Its injects stay in the MSEL without a phase."
        if self.confirm(self, "Delete phase", question, details):
            session.delete_phase(phase.id)

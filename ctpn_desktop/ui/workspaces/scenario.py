"""The scenario workspace: overview, objectives, organisations, phases and the MSEL, read-only for now.

Everything shown comes from `ScenarioService.load()`: the editor will replace these views, not their data.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import Inject, Scenario

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.models import msel
from ctpn_desktop.ui.models.msel import EMPTY_SCENARIO, MselFilterProxy, MselTableModel, format_scenario_time
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, muted, set_column_widths, setup_table, setup_tree
from ctpn_desktop.ui.workspaces.base import Workspace

MSEL_WIDTHS = {
    msel.NUMBER: 5, msel.PHASE: 28, msel.PLANNED: 9, msel.SCENARIO_TIME: 16, msel.TITLE: 40, msel.SENDER: 22,
    msel.RECIPIENTS: 30, msel.METHOD: 14, msel.OBJECTIVES: 10,
}


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


class ScenarioWorkspace(Workspace):
    title = "Scenario"
    icon_name = icons.SCENARIO
    subtitle = "The exercise as designed: overview, objectives, participants, phases and the MSEL."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scenario: Scenario | None = None
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)
        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("scenarioTabs")
        self.tabs.setAccessibleName("Scenario sections")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs)
        self._build_overview()
        self._build_objectives()
        self._build_organisations()
        self._build_phases()
        self._build_msel()

    # Overview --------------------------------------------------------------------------------------------
    def _build_overview(self) -> None:
        scroll = QScrollArea(self.tabs)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        page = QWidget(scroll)
        page.setObjectName("overviewPage")
        self.overview_form = QFormLayout(page)
        self.overview_form.setContentsMargins(8, 16, 24, 16)
        self.overview_form.setHorizontalSpacing(24)
        self.overview_form.setVerticalSpacing(10)
        self.overview_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.overview_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.overview_fields: dict[str, QLabel] = {}
        for key, label in (("title", "Title"), ("type", "Type"), ("marking", "Protective marking"),
                           ("date", "Planned date"), ("duration", "Duration"), ("venue", "Venue"),
                           ("organiser", "Organiser"), ("author", "Author and version"), ("threat", "Threat"),
                           ("scope", "Scope"), ("aim", "Aim"), ("narrative", "Narrative")):
            value = QLabel(page)
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.RichText if key == "narrative" else Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setMaximumWidth(900)
            value.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            value.setAccessibleName(label)
            caption = QLabel(f"<b>{label}</b>", page)
            caption.setBuddy(value)
            self.overview_form.addRow(caption, value)
            self.overview_fields[key] = value
        scroll.setWidget(page)
        self.tabs.addTab(scroll, icons.icon(icons.SCENARIO), "Overview")

    def _fill_overview(self, scenario: Scenario) -> None:
        ex = scenario.exercise
        hours, minutes = divmod(ex.planned_duration_minutes, 60)
        duration = (f"{hours} h {minutes:02d} min" if hours else f"{minutes} min") if ex.planned_duration_minutes \
            else ""
        values = {
            "title": ex.title,
            "type": ex.exercise_type.label,
            "marking": ex.marking.upper(),
            "date": ex.planned_date.strftime("%A %d %B %Y") if ex.planned_date else "",
            "duration": duration,
            "venue": ex.venue,
            "organiser": ex.organiser,
            "author": ", ".join(v for v in (ex.author, f"version {ex.version}" if ex.version else "") if v),
            "threat": ex.threat,
            "scope": ex.scope,
            "aim": ex.aim,
            "narrative": _paragraphs(ex.narrative),
        }
        for key, label in self.overview_fields.items():
            text = values[key]
            label.setText(text or "—")
            self.overview_form.setRowVisible(label, bool(text) or key in {"title", "marking", "aim"})

    # Objectives ------------------------------------------------------------------------------------------
    def _build_objectives(self) -> None:
        # Rich text rather than a tree: objective statements are long and must wrap, not be cut off.
        self.objectives_text = QTextBrowser(self.tabs)
        self.objectives_text.setObjectName("objectives")
        self.objectives_text.setAccessibleName("Objectives")
        self.objectives_text.setOpenLinks(False)
        self.objectives_empty = EmptyState("No objectives", "This scenario has no objectives yet.", icons.OBJECTIVES)
        self.objectives_stack = SwitchStack(self.objectives_text, self.objectives_empty, self.tabs)
        self.tabs.addTab(self.objectives_stack, icons.icon(icons.OBJECTIVES), "Objectives")

    def _fill_objectives(self, scenario: Scenario) -> None:
        rows = "".join(
            "<tr>"
            f"<td style='padding:6px 16px 6px 4px; font-weight:bold'>{html.escape(o.code)}</td>"
            f"<td style='padding:6px 16px 6px 0'>{html.escape(o.statement)}</td>"
            f"<td style='padding:6px 4px 6px 0'><i>{html.escape(o.capability)}</i></td>"
            "</tr>"
            for o in sorted(scenario.objectives, key=lambda o: o.position)
        )
        header = ("<tr><th align='left' style='padding:4px 16px 4px 4px'>Code</th>"
                  "<th align='left' style='padding:4px 16px 4px 0'>Objective</th>"
                  "<th align='left' style='padding:4px 4px 4px 0'>Capability</th></tr>")
        self.objectives_text.setHtml(f"<table width='100%' cellspacing='0'>{header}{rows}</table>")
        self.objectives_stack.show_content(bool(scenario.objectives))

    # Organisations ---------------------------------------------------------------------------------------
    def _build_organisations(self) -> None:
        self.organisations_tree = QTreeWidget(self.tabs)
        setup_tree(self.organisations_tree, "Organisations and roles", ["Organisation or role", "Kind or level"])
        self.organisations_tree.setRootIsDecorated(True)
        self.organisations_tree.header().setStretchLastSection(False)
        self.organisations_tree.header().setSectionResizeMode(0, self.organisations_tree.header().ResizeMode.Stretch)
        self.organisations_empty = EmptyState(
            "No organisations", "This scenario names no participating organisations yet.", icons.ORGANISATIONS)
        self.organisations_stack = SwitchStack(self.organisations_tree, self.organisations_empty, self.tabs)
        self.tabs.addTab(self.organisations_stack, icons.icon(icons.ORGANISATIONS), "Organisations && roles")

    def _fill_organisations(self, scenario: Scenario) -> None:
        tree = self.organisations_tree
        tree.clear()
        for organisation in sorted(scenario.organisations, key=lambda o: o.position):
            name = organisation.name
            if organisation.short_name and organisation.short_name != organisation.name:
                name = f"{organisation.name} ({organisation.short_name})"
            kind = "Exercise cell" if organisation.kind.value == "cell" else "Agency"
            item = QTreeWidgetItem([name, kind])
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            for role in sorted(organisation.roles, key=lambda r: r.position):
                level = role.level.value.capitalize() if role.level.value != "other" else ""
                item.addChild(QTreeWidgetItem([role.name, level]))
            tree.addTopLevelItem(item)
        tree.expandAll()
        tree.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 18)
        self.organisations_stack.show_content(bool(scenario.organisations))

    # Phases ----------------------------------------------------------------------------------------------
    def _build_phases(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self.tabs)
        self.phases_tree = QTreeWidget(splitter)
        setup_tree(self.phases_tree, "Phases", ["Starts", "Phase", "Scenario time", "Injects"])
        self.phases_tree.header().setStretchLastSection(False)
        self.phases_tree.header().setSectionResizeMode(1, self.phases_tree.header().ResizeMode.Stretch)
        self.phases_tree.currentItemChanged.connect(self._show_phase)
        self.phase_text = QTextBrowser(splitter)
        self.phase_text.setAccessibleName("Phase narrative and discussion questions")
        self.phase_text.setOpenLinks(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.phases_empty = EmptyState("No phases", "This scenario is not divided into phases yet.", icons.TIMELINE)
        self.phases_stack = SwitchStack(splitter, self.phases_empty, self.tabs)
        self.tabs.addTab(self.phases_stack, icons.icon(icons.TIMELINE), "Phases")

    def _fill_phases(self, scenario: Scenario) -> None:
        tree = self.phases_tree
        tree.clear()
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
            tree.addTopLevelItem(item)
        for column in (0, 2, 3):
            tree.resizeColumnToContents(column)
        self.phases_stack.show_content(bool(scenario.phases))
        if tree.topLevelItemCount():
            tree.setCurrentItem(tree.topLevelItem(0))
        else:
            self.phase_text.clear()

    def _show_phase(self, current: QTreeWidgetItem | None, _previous: object = None) -> None:
        if current is None or self.scenario is None:
            self.phase_text.clear()
            return
        phase = self.scenario.phase(current.data(0, Qt.ItemDataRole.UserRole))
        if phase is None:
            return
        parts = [f"<h3>{html.escape(phase.name)}</h3>", _paragraphs(phase.narrative) or "<p>No narrative.</p>"]
        if phase.discussion_questions:
            items = "".join(f"<li>{html.escape(q)}</li>" for q in phase.discussion_questions)
            parts.append(f"<h4>Discussion questions</h4><ol>{items}</ol>")
        self.phase_text.setHtml("".join(parts))

    # MSEL ------------------------------------------------------------------------------------------------
    def _build_msel(self) -> None:
        page = QWidget(self.tabs)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.msel_filter = QLineEdit(page)
        self.msel_filter.setObjectName("mselFilter")
        self.msel_filter.setPlaceholderText("Filter injects by any column…")
        self.msel_filter.setAccessibleName("Filter injects")
        self.msel_filter.setClearButtonEnabled(True)
        self.msel_filter.addAction(icons.icon(icons.FILTER), QLineEdit.ActionPosition.LeadingPosition)
        self.msel_filter.setMaximumWidth(420)
        self.msel_filter.textChanged.connect(self._filter_msel)
        self.msel_count = muted("", page)
        self.msel_count.setObjectName("mselCount")
        self.msel_count.setWordWrap(False)
        bar.addWidget(self.msel_filter, 1)
        bar.addStretch(0)
        bar.addWidget(self.msel_count)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.msel_view = QTableView(splitter)
        setup_table(self.msel_view, "MSEL")
        self.msel_model = MselTableModel(EMPTY_SCENARIO)
        self.msel_proxy = MselFilterProxy(self)
        self.msel_proxy.setSourceModel(self.msel_model)
        self.msel_view.setModel(self.msel_proxy)
        self.msel_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        set_column_widths(self.msel_view, MSEL_WIDTHS)
        self.msel_view.selectionModel().selectionChanged.connect(self._show_inject)
        self.inject_text = QTextBrowser(splitter)
        self.inject_text.setObjectName("injectDetail")
        self.inject_text.setAccessibleName("Selected inject")
        self.inject_text.setOpenLinks(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.msel_empty = EmptyState("No injects", "The MSEL of this scenario is empty.", icons.INJECTS)
        self.msel_stack = SwitchStack(page, self.msel_empty, self.tabs)
        self.msel_tab = self.tabs.addTab(self.msel_stack, icons.icon(icons.INJECTS), "MSEL")
        self.setTabOrder(self.msel_filter, self.msel_view)
        self.setTabOrder(self.msel_view, self.inject_text)

    def _fill_msel(self, scenario: Scenario) -> None:
        self.msel_model = MselTableModel(scenario)
        self.msel_proxy.setSourceModel(self.msel_model)
        self.msel_view.selectionModel().selectionChanged.connect(self._show_inject)
        self.msel_stack.show_content(bool(scenario.injects))
        self.tabs.setTabText(self.msel_tab, f"MSEL ({len(scenario.injects)})")
        self._update_count()
        if self.msel_proxy.rowCount():
            self.msel_view.selectRow(0)
        else:
            self.inject_text.clear()

    def _filter_msel(self, text: str) -> None:
        self.msel_proxy.set_filter_text(text)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.msel_model.rowCount(), self.msel_proxy.rowCount()
        noun = "inject" if total == 1 else "injects"
        self.msel_count.setText(f"{total} {noun}" if shown == total else f"{shown} of {total} {noun} shown")

    def _show_inject(self, _selected: QItemSelection | None = None, _deselected: object = None) -> None:
        rows = self.msel_view.selectionModel().selectedRows()
        if not rows or self.scenario is None:
            self.inject_text.clear()
            return
        source = self.msel_proxy.mapToSource(rows[0])
        self.inject_text.setHtml(inject_html(self.scenario, self.msel_model.inject_at(source.row())))

    # Workspace -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.context is None:
            self.scenario = None
            self._fill_msel(EMPTY_SCENARIO)
            return
        scenario = self.context.scenario.load()
        self.scenario = scenario
        self._fill_overview(scenario)
        self._fill_objectives(scenario)
        self._fill_organisations(scenario)
        self._fill_phases(scenario)
        self._fill_msel(scenario)

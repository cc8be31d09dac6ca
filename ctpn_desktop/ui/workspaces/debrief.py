"""The debrief workspace: what the document holds, how the chosen run went, and the exports made from it.

The summary of the selected run counts injects released, skipped and written ad hoc, log entries (corrected and
withdrawn), observations by rating and improvement actions, and checks the log's hash chains. The debrief (PDF or
accessible HTML) and the controller's MSEL handout are written on a worker thread behind a progress dialog and
opened with the system viewer when they are ready.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.changes import Changes
from ctpn_desktop.core.report.accessible import render_debrief_accessible
from ctpn_desktop.core.report.analytics import ResponseAnalytics, format_delay, response_analytics
from ctpn_desktop.core.report.debrief_data import assemble_debrief
from ctpn_desktop.core.report.handout import render_handout
from ctpn_desktop.core.report.html import render_debrief_html
from ctpn_desktop.core.report.pdf import render_debrief
from ctpn_desktop.core.report.programme import programme_data, render_programme, render_programme_html
from ctpn_desktop.core.report.run_summary import RunSummary, run_summary
from ctpn_desktop.core.services.chain_code import chain_seal

from ctpn_desktop.ui import icons, preferences
from ctpn_desktop.ui.actions import ActionId, make_action
from ctpn_desktop.ui.context import DocumentContext
from ctpn_desktop.ui.debrief.export import (
    DebriefExportDialog,
    DebriefRequest,
    HandoutDialog,
    HandoutRequest,
    ReportFormat,
    safe_file_name,
)
from ctpn_desktop.ui.debrief.programme_dialog import ProgrammeDialog, ProgrammeRequest
from ctpn_desktop.ui.debrief.summary import ExecutiveSummaryDialog
from ctpn_desktop.ui.debrief.worker import BackgroundExport, Job, Progress
from ctpn_desktop.ui.dialogs.prompts import show_error
from ctpn_desktop.ui.formatting import RUN_STATUS_LABELS, format_wall_time, run_label
from ctpn_desktop.ui.widgets import EmptyState, SwitchStack, heading, muted, setup_tree
from ctpn_desktop.ui.workspaces.base import Workspace

FIGURES: tuple[tuple[str, str], ...] = (
    ("objectives", "Objectives"),
    ("organisations", "Organisations"),
    ("roles", "Roles"),
    ("phases", "Phases"),
    ("injects", "Injects"),
    ("attachments", "Attachments"),
    ("runs", "Runs"),
    ("log_entries", "Log entries"),
    ("observations", "Observations"),
    ("improvement_actions", "Improvement actions"),
)

RUN_FIGURES: tuple[tuple[str, str], ...] = (
    ("released", "Injects released"),
    ("skipped", "Injects skipped"),
    ("adhoc", "Ad-hoc injects"),
    ("log_entries", "Log entries"),
    ("observations", "Observations"),
    ("improvement_actions", "Improvement actions"),
)


class Figure(QFrame):
    """One count with its caption, large enough to read across a room."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.value = heading("0", 1, self)
        self.caption = muted(caption, self)
        self.caption.setWordWrap(True)
        self.detail = muted("", self)
        self.detail.hide()
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addWidget(self.detail)
        layout.addStretch(1)  # numbers line up across a row whatever the captions below them
        self.setAccessibleName(caption)

    def set_value(self, value: int, detail: str = "") -> None:
        self.value.setText(str(value))
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.setAccessibleDescription(f"{value} {self.caption.text().lower()}" + (f"; {detail}" if detail else ""))



FOLLOW_DELAY_MS = 600
"""How long the page waits after a change before it counts again, so a burst of changes costs one count."""


class DebriefWorkspace(Workspace):
    title = "Debrief"
    icon_name = icons.DEBRIEF
    subtitle = ("How each run went, and the debrief report, MSEL handout and exercise programme made from this "
                "exercise file.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.export: BackgroundExport | None = None
        self.last_export: Path | None = None
        self.summary: RunSummary | None = None
        self.responses = ResponseAnalytics()
        self.summary_dialog: ExecutiveSummaryDialog | None = None
        self._watched_window: QWidget | None = None
        self._follow_timer = QTimer(self)
        self._follow_timer.setObjectName("debriefFollowTimer")
        self._follow_timer.setSingleShot(True)
        self._follow_timer.setInterval(FOLLOW_DELAY_MS)
        self._follow_timer.timeout.connect(self.refresh_following)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(12)
        self.file_label = muted("", self.body)
        self.file_label.setObjectName("debriefFile")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.file_label)
        layout.addWidget(heading("In this exercise file", 2, self.body))
        grid = QGridLayout()
        grid.setSpacing(12)
        self.figures: dict[str, Figure] = {}
        for i, (key, caption) in enumerate(FIGURES):
            figure = Figure(caption, self.body)
            self.figures[key] = figure
            grid.addWidget(figure, i // 5, i % 5)
        layout.addLayout(grid)

        self.export_action = make_action(ActionId.EXPORT_DEBRIEF, self)
        self.handout_action = make_action(ActionId.MSEL_HANDOUT, self)
        self.programme_action = make_action(ActionId.EXERCISE_PROGRAMME, self)
        self.export_action.triggered.connect(self.ask_export)
        self.handout_action.triggered.connect(self.ask_handout)
        self.programme_action.triggered.connect(self.ask_programme)
        self.addActions([self.export_action, self.handout_action, self.programme_action])

        runs_row = QHBoxLayout()
        runs_row.addWidget(heading("Runs", 2, self.body))
        runs_row.addStretch(1)
        self.handout_button = QPushButton(icons.icon(icons.INJECTS), "MSEL Handout…", self.body)
        self.handout_button.setObjectName("handoutButton")
        self.handout_button.setToolTip(self.handout_action.toolTip())
        self.handout_button.clicked.connect(self.ask_handout)
        self.programme_button = QPushButton(icons.icon(icons.PROGRAMME), "Programme…", self.body)
        self.programme_button.setObjectName("programmeButton")
        self.programme_button.setToolTip(self.programme_action.toolTip())
        self.programme_button.clicked.connect(self.ask_programme)
        self.export_button = QPushButton(icons.icon(icons.REPORT), "Export Debrief…", self.body)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip(self.export_action.toolTip())
        self.export_button.clicked.connect(self.ask_export)
        runs_row.addWidget(self.programme_button)
        runs_row.addWidget(self.handout_button)
        runs_row.addWidget(self.export_button)
        layout.addLayout(runs_row)

        content = QWidget(self.body)
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(16)
        self.runs_tree = QTreeWidget(content)
        self.runs_tree.setObjectName("debriefRuns")
        setup_tree(self.runs_tree, "Runs", ["Run", "Status", "Started", "Ended", "Log entries"])
        self.runs_tree.header().setStretchLastSection(False)
        self.runs_tree.currentItemChanged.connect(lambda *_: self._show_selected_run())
        columns.addWidget(self.runs_tree, 3)
        self.run_panel = self._build_run_panel(content)
        # The run's figures scroll on a short screen rather than making the whole window taller than it.
        panel_scroll = QScrollArea(content)
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel_scroll.setWidget(self.run_panel)
        panel_scroll.setMinimumWidth(self.run_panel.minimumSizeHint().width())
        columns.addWidget(panel_scroll, 2)
        self.no_runs = EmptyState(
            "No runs yet", "Once the exercise has been conducted, each run and its log appear here for the debrief. "
            "The MSEL handout can be printed now.", icons.REPORT)
        self.runs_stack = SwitchStack(content, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)

    def _build_run_panel(self, parent: QWidget) -> QFrame:
        panel = QFrame(parent)
        panel.setObjectName("runSummary")
        panel.setFrameShape(QFrame.Shape.StyledPanel)
        panel.setAccessibleName("Summary of the selected run")
        box = QVBoxLayout(panel)
        box.setContentsMargins(16, 12, 16, 12)
        self.run_title = heading("", 3, panel)
        box.addWidget(self.run_title)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.run_figures: dict[str, Figure] = {}
        for i, (key, caption) in enumerate(RUN_FIGURES):
            figure = Figure(caption, panel)
            self.run_figures[key] = figure
            grid.addWidget(figure, i // 2, i % 2)
        box.addLayout(grid)
        self.ratings_label = QLabel(panel)
        self.ratings_label.setObjectName("runRatings")
        self.ratings_label.setWordWrap(True)
        box.addWidget(self.ratings_label)
        self.chain_label = QLabel(panel)
        self.chain_label.setObjectName("runChain")
        self.chain_label.setWordWrap(True)
        self.chain_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.chain_label)
        summary_row = QHBoxLayout()
        self.summary_label = QLabel(panel)
        self.summary_label.setObjectName("runExecutiveSummary")
        self.summary_label.setWordWrap(True)
        self.summary_button = QPushButton("E&xecutive Summary…", panel)
        self.summary_button.setObjectName("executiveSummaryButton")
        self.summary_button.setToolTip("Review the major strengths and primary areas for improvement the debrief "
                                       "opens with")
        self.summary_button.clicked.connect(self.ask_summary)
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.summary_button)
        box.addLayout(summary_row)
        box.addWidget(heading("Response times", 3, panel))
        self.responses_label = QLabel(panel)
        self.responses_label.setObjectName("runResponses")
        self.responses_label.setWordWrap(True)
        box.addWidget(self.responses_label)
        self.response_tree = QTreeWidget(panel)
        self.response_tree.setObjectName("responseTable")
        setup_tree(self.response_tree, "Response times by organisation",
                   ["Organisation", "Injects", "First entry", "First decision"])
        self.response_tree.setMinimumHeight(140)
        box.addWidget(self.response_tree)
        self.unanswered_label = QLabel(panel)
        self.unanswered_label.setObjectName("runUnanswered")
        self.unanswered_label.setWordWrap(True)
        box.addWidget(self.unanswered_label)
        self.stages_label = QLabel(panel)
        self.stages_label.setObjectName("runStages")
        self.stages_label.setWordWrap(True)
        box.addWidget(self.stages_label)
        box.addStretch(1)
        return panel

    def _show_responses(self, figures: ResponseAnalytics) -> None:
        self.responses = figures
        if not figures.injects:
            self.responses_label.setText("No inject released yet: nothing to measure.")
        else:
            self.responses_label.setText(
                f"Median from release to the first linked entry <b>{format_delay(figures.median_first_entry_s)}</b>,"
                f" to the first decision <b>{format_delay(figures.median_first_decision_s)}</b>; "
                f"{len(figures.answered)} of {len(figures.injects)} released injects drew a response.")
        self.responses_label.setAccessibleName(self.responses_label.text().replace("<b>", "").replace("</b>", ""))
        self.response_tree.clear()
        for row in figures.organisations:
            item = QTreeWidgetItem([row.organisation, str(row.injects_answered), format_delay(row.median_first_entry_s),
                                    format_delay(row.median_first_decision_s)])
            for column in (1, 2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.response_tree.addTopLevelItem(item)
        for column in range(1, 4):
            self.response_tree.resizeColumnToContents(column)
        self.response_tree.setVisible(bool(figures.organisations))
        unanswered = figures.unanswered
        self.unanswered_label.setText(
            ("<b>No response logged to:</b> " + "; ".join(escape(f"{i.number} {i.title}") for i in unanswered))
            if unanswered else ("Every released inject drew a response." if figures.injects else ""))
        stages = [s for s in figures.stages if s.decisions]
        self.stages_label.setText(
            ("<b>Decisions by JDM stage:</b> " + "; ".join(escape(f"{s.label}: {s.decisions}") for s in stages))
            if stages else "")

    def ask_summary(self) -> None:
        run_id = self._selected_run_id()
        if self.context is None or run_id is None:
            return
        dialog = ExecutiveSummaryDialog(self.context.evaluation, run_id, run_label(self.context.runs.run(run_id)),
                                        self)
        dialog.saved.connect(lambda _summary: self._show_selected_run())
        dialog.finished.connect(dialog.deleteLater)
        self.summary_dialog = dialog
        dialog.open()

    # Document changes -------------------------------------------------------------------------------------
    def set_context(self, context: DocumentContext | None) -> None:
        if context is not self.context:
            self.stop_export()  # the export reads the document that is about to be closed
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window
        super().set_context(context)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched_window and event.type() == QEvent.Type.Close:
            self.stop_export()  # before the window closes the document under the worker
        return False

    def stop_export(self) -> None:
        """Cancel a running export and wait for its worker; nothing half-written is left behind."""
        if self.export is not None and self.export.running:
            self.export.cancel()
            self.export.wait()

    # Menu ------------------------------------------------------------------------------------------------
    def menu(self) -> QMenu | None:
        menu = QMenu("De&brief", self)
        menu.setObjectName("debriefMenu")
        menu.addAction(self.export_action)
        menu.addAction(self.handout_action)
        menu.addAction(self.programme_action)
        return menu

    # Refresh ---------------------------------------------------------------------------------------------
    def document_changed(self, changes: Changes) -> None:
        """Count again shortly after the document changed: a burst of entries costs one recount."""
        self._follow_timer.start()

    def refresh(self) -> None:
        self._follow_timer.stop()
        has_document = self.context is not None
        self.export_action.setEnabled(has_document)
        self.handout_action.setEnabled(has_document)
        self.programme_action.setEnabled(has_document)
        selected = self._selected_run_id()
        self.runs_tree.clear()
        if self.context is None:
            self.summary = None
            return
        summary = self.context.summary()
        self.file_label.setText(f"{summary.title}  ·  {summary.path}")
        for key, figure in self.figures.items():
            figure.set_value(int(getattr(summary, key)))
        runs = self.context.runs.list_runs()
        counts = self.context.log.entry_counts()
        current: QTreeWidgetItem | None = None
        for run in runs:  # the run chosen before stays chosen; otherwise the latest
            item = QTreeWidgetItem([run_label(run), RUN_STATUS_LABELS.get(run.status, run.status.value),
                                    format_wall_time(run.started_at), format_wall_time(run.ended_at),
                                    str(counts.get(run.id, 0))])
            item.setData(0, Qt.ItemDataRole.UserRole, run.id)
            item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.runs_tree.addTopLevelItem(item)
            if run.id == selected or (current is None or current.data(0, Qt.ItemDataRole.UserRole) != selected):
                current = item
        for column in range(1, 5):
            self.runs_tree.resizeColumnToContents(column)
        self.runs_tree.header().setSectionResizeMode(0, self.runs_tree.header().ResizeMode.Stretch)
        self.runs_stack.show_content(bool(runs))
        if current is not None:
            self.runs_tree.setCurrentItem(current)
        self._show_selected_run()

    def _selected_run_id(self) -> str | None:
        item = self.runs_tree.currentItem()
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def _show_selected_run(self) -> None:
        run_id = self._selected_run_id()
        if self.context is None or run_id is None:
            self.summary = None
            return
        context = self.context
        summary = run_summary(context.runs, context.log, context.evaluation, run_id)
        self.summary = summary
        self.run_title.setText(f"{run_label(summary.run)} · {RUN_STATUS_LABELS.get(summary.run.status, '')}")
        details = {
            "released": f"of {summary.planned_injects} planned",
            "skipped": f"{summary.not_released} not released", "adhoc": "written live",
            "log_entries": f"{summary.corrected} corrected, {summary.withdrawn} withdrawn",
            "observations": f"{summary.unrated} unrated" if summary.unrated else "",
            "improvement_actions": f"{summary.hotwash_notes} hot-wash notes",
        }
        for key, figure in self.run_figures.items():
            figure.set_value(int(getattr(summary, key)), details[key])
        if summary.observations:
            lines = [f"<b>{rating.value}</b> {escape(rating.label)}: <b>{count}</b>"
                     for rating, count in summary.ratings.items()]
            self.ratings_label.setText("<b>Ratings</b><br>" + "<br>".join(lines))
            self.ratings_label.setAccessibleName("Ratings: " + "; ".join(
                f"{rating.label}: {count}" for rating, count in summary.ratings.items()))
        else:
            self.ratings_label.setText("No observations rated yet.")
            self.ratings_label.setAccessibleName(self.ratings_label.text())
        dark = self.palette().window().color().lightness() < 128
        colour = ("#81c784" if dark else "#2e7d32") if summary.chain_ok else ("#ff8a80" if dark else "#b00020")
        code = chain_seal(context.document, run_id).code
        self.chain_label.setText(f"<b style='color:{colour}'>Log chain:</b> {summary.chain_message}<br>"
                                 f"Log code for printed copies: <b>{code}</b>")
        self.chain_label.setAccessibleName(f"Log chain: {summary.chain_message} Log code {code}")
        executive = context.evaluation.executive_summary(run_id)
        self.summary_label.setText(
            "<b>Executive summary:</b> " + (f"proposed from the observations ({len(executive.strengths)} strengths, "
                                           f"{len(executive.improvements)} areas for improvement); not reviewed yet"
                                           if executive.proposed else
                                           f"reviewed, version {executive.revision} saved "
                                           f"{escape(format_wall_time(executive.saved_at))}"))
        self._show_responses(response_analytics(context.runs.frozen_scenario(run_id), context.runs.events(run_id),
                                                context.runs.adhoc_injects(run_id), context.log.entries(run_id)))

    # Exports ---------------------------------------------------------------------------------------------
    def _settings(self) -> QSettings:
        """The main window's settings (tests give it its own file); the application's otherwise."""
        settings = getattr(self.window(), "settings", None)
        return settings if isinstance(settings, QSettings) else QSettings()

    def _marking(self) -> str:
        assert self.context is not None
        marking = self.context.scenario.load().exercise.marking.strip()
        fallback = str(self._settings().value(preferences.DEFAULT_MARKING, "") or "").strip()
        return marking or fallback or "OFFICIAL"

    def _folder(self) -> Path:
        assert self.context is not None
        return self.context.document.path.parent

    def ask_export(self) -> None:
        if self.context is None or self._busy():
            return
        settings = self._settings()
        dialog = DebriefExportDialog(
            self.context.runs.list_runs(), selected_run_id=self._selected_run_id(), marking=self._marking(),
            organisation=str(settings.value(preferences.ORGANISATION_NAME, "") or ""),
            logo=str(settings.value(preferences.ORGANISATION_LOGO, "") or ""), folder=self._folder(),
            document_stem=self.context.document.path.stem, parent=self)
        dialog.finished.connect(lambda result: self._export_chosen(dialog) if result else None)
        dialog.open()
        self.export_dialog = dialog

    def _export_chosen(self, dialog: DebriefExportDialog) -> None:
        request = dialog.request
        dialog.deleteLater()
        if request is not None:
            self.start_debrief(request)

    def start_debrief(self, request: DebriefRequest) -> None:
        """Write the debrief in the background; the file opens with the system viewer when it is ready."""
        if self.context is None or self._busy():
            return
        settings = self._settings()
        settings.setValue(preferences.ORGANISATION_NAME, request.options.organisation_name)
        settings.setValue(preferences.ORGANISATION_LOGO, str(request.options.logo_path or ""))
        document = self.context.document
        source = self.context.time_source

        def job(progress: Progress) -> Path:
            progress(0.01, "Reading the run and checking the log")
            data = assemble_debrief(document, request.run.id, request.options, source=source)
            renders = {ReportFormat.HTML: render_debrief_html, ReportFormat.PDF: render_debrief,
                       ReportFormat.TAGGED_PDF: render_debrief_accessible}
            return renders[request.format](data, request.path, progress)

        self._run("Exporting the debrief", job)

    def ask_handout(self) -> None:
        if self.context is None or self._busy():
            return
        stem = safe_file_name(self.context.document.path.stem)
        dialog = HandoutDialog(marking=self._marking(),
                               organisation=str(self._settings().value(preferences.ORGANISATION_NAME, "") or ""),
                               suggested=self._folder() / f"{stem} MSEL handout.pdf", parent=self)
        dialog.finished.connect(lambda result: self._handout_chosen(dialog) if result else None)
        dialog.open()
        self.handout_dialog = dialog

    def _handout_chosen(self, dialog: HandoutDialog) -> None:
        request = dialog.request
        dialog.deleteLater()
        if request is not None:
            self.start_handout(request)

    def start_handout(self, request: HandoutRequest) -> None:
        if self.context is None or self._busy():
            return
        scenario_service = self.context.scenario
        when = self.context.time_source.wall()

        def job(progress: Progress) -> Path:
            progress(0.01, "Reading the MSEL")
            return render_handout(scenario_service.load(), request.path, request.options, progress,
                                  generated_at=when)

        self._run("Printing the MSEL handout", job)

    def ask_programme(self) -> None:
        if self.context is None or self._busy():
            return
        programme = self.context.scenario.load().programme
        stem = safe_file_name(self.context.document.path.stem)
        items = sum(len(s.items) for s in programme.sessions)
        summary = (f"The programme has {items} agenda items in {len(programme.sessions)} sessions, "
                   f"{len(programme.speakers)} speakers and {len(programme.syndicates)} syndicates."
                   if not programme.is_empty else "No programme has been written yet: it will print the exercise's "
                                                  "aim and objectives and say that the agenda is to follow.")
        dialog = ProgrammeDialog(marking=self._marking(),
                                 organisation=str(self._settings().value(preferences.ORGANISATION_NAME, "") or ""),
                                 suggested=self._folder() / f"{stem} programme.pdf", summary=summary, parent=self)
        dialog.finished.connect(lambda result: self._programme_chosen(dialog) if result else None)
        dialog.open()
        self.programme_dialog = dialog

    def _programme_chosen(self, dialog: ProgrammeDialog) -> None:
        request = dialog.request
        dialog.deleteLater()
        if request is not None:
            self.start_programme(request)

    def start_programme(self, request: ProgrammeRequest) -> None:
        """Write the participants' programme in the background; it opens with the system viewer when ready."""
        if self.context is None or self._busy():
            return
        scenario_service = self.context.scenario
        when = self.context.time_source.wall()

        def job(progress: Progress) -> Path:
            progress(0.01, "Reading the programme")
            data = programme_data(scenario_service.load(), request.options, generated_at=when)
            render = render_programme_html if request.format is ReportFormat.HTML else render_programme
            return render(data, request.path, progress)

        self._run("Writing the exercise programme", job)

    def _busy(self) -> bool:
        return self.export is not None and self.export.running

    def _run(self, title: str, job: Job) -> None:
        export = BackgroundExport(self, title, job)
        export.finished.connect(lambda path: self._export_finished(export, title, path))
        self.export = export
        self.export_action.setEnabled(False)
        self.handout_action.setEnabled(False)
        self.programme_action.setEnabled(False)
        export.start()

    def _export_finished(self, export: BackgroundExport, title: str, path: Path | None) -> None:
        self.export_action.setEnabled(self.context is not None)
        self.handout_action.setEnabled(self.context is not None)
        self.programme_action.setEnabled(self.context is not None)
        if path is not None:
            self.last_export = path
            window = self.window()
            status = getattr(window, "statusBar", None)
            if callable(status):
                status().showMessage(f"Wrote {path}", 10_000)
        elif export.error:
            show_error(self, f"{title} failed", "Nothing was written; any earlier file of that name is unchanged.",
                       export.error)

    def refresh_icons(self) -> None:
        super().refresh_icons()
        self.no_runs.refresh_icon()
        self.export_button.setIcon(icons.icon(icons.REPORT))
        self.handout_button.setIcon(icons.icon(icons.INJECTS))
        self.export_action.setIcon(icons.icon(icons.REPORT))
        self.handout_action.setIcon(icons.icon(icons.INJECTS))
        self.programme_button.setIcon(icons.icon(icons.PROGRAMME))
        self.programme_action.setIcon(icons.icon(icons.PROGRAMME))


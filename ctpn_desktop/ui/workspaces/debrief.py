"""The debrief workspace: what the document holds and how each run went, the raw material of the report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ctpn_desktop.ui import icons
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
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)

    def set_value(self, value: int) -> None:
        self.value.setText(str(value))
        self.setAccessibleDescription(f"{value} {self.caption.text().lower()}")


class DebriefWorkspace(Workspace):
    title = "Debrief"
    icon_name = icons.DEBRIEF
    subtitle = "What this exercise file holds and how each run went: the material for the hot wash and report."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        layout.addWidget(heading("Runs", 2, self.body))
        self.runs_tree = QTreeWidget(self.body)
        self.runs_tree.setObjectName("debriefRuns")
        setup_tree(self.runs_tree, "Runs", ["Run", "Status", "Started", "Ended", "Log entries"])
        self.runs_tree.header().setStretchLastSection(False)
        self.no_runs = EmptyState(
            "No runs yet", "Once the exercise has been conducted, each run and its log appear here for the debrief.",
            icons.REPORT)
        self.runs_stack = SwitchStack(self.runs_tree, self.no_runs, self.body)
        layout.addWidget(self.runs_stack, 1)

    def refresh(self) -> None:
        self.runs_tree.clear()
        if self.context is None:
            return
        summary = self.context.summary()
        self.file_label.setText(f"{summary.title}  ·  {summary.path}")
        for key, figure in self.figures.items():
            figure.set_value(int(getattr(summary, key)))
        runs = self.context.runs.list_runs()
        for run in runs:
            entries = len(self.context.log.entries(run.id))
            item = QTreeWidgetItem([run_label(run), RUN_STATUS_LABELS.get(run.status, run.status.value),
                                    format_wall_time(run.started_at), format_wall_time(run.ended_at), str(entries)])
            item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.runs_tree.addTopLevelItem(item)
        for column in range(1, 5):
            self.runs_tree.resizeColumnToContents(column)
        self.runs_tree.header().setSectionResizeMode(0, self.runs_tree.header().ResizeMode.Stretch)
        self.runs_stack.show_content(bool(runs))

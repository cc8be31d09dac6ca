"""The clock panel: exercise time and scenario time in large figures, the run's state, and the clock controls.

It shows what it is given and holds no time of its own: the conduct workspace reads the clock (anchors and
a monotonic source) on every refresh and hands the panel the texts, so the label can never drift from the
clock, however irregular the timer that triggers the refresh.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontDatabase, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import COMPRESSION_PRESETS
from ctpn_desktop.core.entities import RunStatus

from ctpn_desktop.ui.reflow import ColumnsLayout, FlowLayout

CUSTOM = "Custom…"
STATUS_STYLES: dict[RunStatus, tuple[str, str, str]] = {
    # status: (text, background, foreground)
    RunStatus.READY: ("NOT STARTED", "#5f6b76", "#ffffff"),
    RunStatus.RUNNING: ("RUNNING", "#1e7d3a", "#ffffff"),
    RunStatus.PAUSED: ("PAUSED", "#ffb300", "#1a1a1a"),
    RunStatus.HALTED: ("HALTED", "#b00000", "#ffffff"),
    RunStatus.ENDED: ("ENDEX", "#37474f", "#ffffff"),
}
HALT_STYLE = """
QPushButton#haltButton { background: #c62828; color: #ffffff; border: 2px solid #7f0000; border-radius: 6px;
    padding: 10px 18px; font-weight: bold; }
QPushButton#haltButton:hover { background: #d84343; }
QPushButton#haltButton:focus { border: 3px solid #ffbf00; }
QPushButton#haltButton:disabled { background: #8c5a5a; color: #e8d6d6; border-color: #6b4444; }
"""


def _caption(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setProperty("muted", True)
    font = QFont(label.font())
    font.setBold(True)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
    label.setFont(font)
    return label


def action_button(action: QAction, text: str, parent: QWidget) -> QToolButton:
    """A button for ``action`` with a shorter text than the menu's; it follows the action's state."""
    button = QToolButton(parent)
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAccessibleName(action.text().replace("&", "").rstrip("…"))

    def follow() -> None:
        button.setEnabled(action.isEnabled())
        button.setIcon(action.icon())
        shortcut = action.shortcut().toString()
        button.setToolTip(action.toolTip() + (f" ({shortcut})" if shortcut else ""))

    action.changed.connect(follow)
    button.clicked.connect(action.trigger)
    follow()
    return button


class ClockPanel(QFrame):
    compression_chosen = Signal(float)
    custom_compression_requested = Signal()

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        """``actions`` maps start, pause, resume, end, next_inject, next_phase, adjust and halt to their actions."""
        super().__init__(parent)
        self.setObjectName("clockPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Exercise clock")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 10)
        outer.setSpacing(16)
        self._outer = outer

        # The two times sit side by side when there is room and one above the other on a narrow window.
        self.elapsed_label = QLabel("0:00:00", self)
        self.elapsed_label.setObjectName("elapsedLabel")
        self.elapsed_label.setAccessibleName("Exercise time")
        self.scenario_label = QLabel("—", self)
        self.scenario_label.setObjectName("scenarioLabel")
        self.scenario_label.setAccessibleName("Scenario time")
        clocks = FlowLayout(spacing=24, row_spacing=4)
        self._clocks = clocks
        for caption, label in (("Exercise time", self.elapsed_label), ("Scenario time", self.scenario_label)):
            column = QWidget(self)
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.setSpacing(0)
            column_layout.addWidget(_caption(caption, column))
            label.setParent(column)
            column_layout.addWidget(label)
            clocks.addWidget(column)
        times = QVBoxLayout()
        times.setSpacing(2)
        times.addLayout(clocks)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("runStatus")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.phase_label = QLabel("", self)
        self.phase_label.setObjectName("phaseLabel")
        self.phase_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        status_row = QHBoxLayout()
        status_row.setSpacing(10)
        status_row.addWidget(self.status_label)
        status_row.addWidget(self.phase_label, 1)
        times.addLayout(status_row)
        outer.addLayout(times, 1)

        self.next_inject_label = QLabel("", self)
        self.next_inject_label.setObjectName("nextInject")
        self.next_inject_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.next_phase_label = QLabel("", self)
        self.next_phase_label.setObjectName("nextPhase")
        self.next_phase_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.next_phase_label.setProperty("muted", True)
        next_row = QGridLayout()
        next_row.setHorizontalSpacing(10)
        next_row.setVerticalSpacing(0)
        next_row.addWidget(_caption("Next", self), 0, 0)
        next_row.addWidget(self.next_inject_label, 0, 1)
        next_row.addWidget(_caption("Phase", self), 1, 0)
        next_row.addWidget(self.next_phase_label, 1, 1)
        next_row.setColumnStretch(1, 1)
        times.addLayout(next_row)

        # Three columns of controls when the times also fit side by side; two columns before the times stack,
        # because stacked times make the panel taller and height is what a 720-pixel screen lacks.
        self.controls = QWidget(self)
        self.controls.setObjectName("clockControls")
        controls = ColumnsLayout(self.controls, min_columns=2, max_columns=3)
        self._controls_layout = controls
        controls.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QToolButton] = {}
        texts = {"start": "Start", "pause": "Pause", "resume": "Resume", "end": "End…", "adjust": "Adjust…"}
        for name, text in texts.items():
            self.buttons[name] = self._control(actions[name], name, text)
            controls.addWidget(self.buttons[name])
        self.compression_combo = QComboBox(self.controls)
        self.compression_combo.setObjectName("compressionCombo")
        self.compression_combo.setAccessibleName("Time compression")
        self.compression_combo.setToolTip("Time compression: exercise seconds per real second")
        for factor in COMPRESSION_PRESETS:
            self.compression_combo.addItem(f"×{factor:g}", factor)
        self.compression_combo.addItem(CUSTOM, None)
        self.compression_combo.activated.connect(self._compression_activated)
        controls.addWidget(self.compression_combo)
        for name, text in (("next_inject", "Next inject"), ("next_phase", "Next phase")):
            self.buttons[name] = self._control(actions[name], name, text)
            controls.addWidget(self.buttons[name])
        outer.addWidget(self.controls, 0, Qt.AlignmentFlag.AlignVCenter)

        self.halt_button = QPushButton("EMERGENCY\nHALT", self)
        self.halt_button.setObjectName("haltButton")
        self.halt_button.setStyleSheet(HALT_STYLE)
        self.halt_button.setAccessibleName("Emergency halt")
        halt = actions["halt"]
        self.halt_button.setToolTip(f"{halt.toolTip()} ({halt.shortcut().toString()})")
        self.halt_button.clicked.connect(halt.trigger)
        halt.changed.connect(lambda: self.halt_button.setEnabled(halt.isEnabled()))
        self.halt_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        outer.addWidget(self.halt_button)
        self._apply_fonts()

    def _control(self, action: QAction, name: str, text: str) -> QToolButton:
        button = action_button(action, text, self.controls)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.setObjectName(f"{name}Button")
        return button

    def _apply_fonts(self) -> None:
        base = QFont(QApplication.font())
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        big = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        big.setPointSizeF(size * 3.4)
        big.setBold(True)
        self.elapsed_label.setFont(big)
        story = QFont(base)
        story.setPointSizeF(size * 1.8)
        story.setBold(True)
        self.scenario_label.setFont(story)
        self.scenario_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        emphasis = QFont(base)
        emphasis.setBold(True)
        emphasis.setPointSizeF(size * 1.1)
        self.next_inject_label.setFont(emphasis)
        self.phase_label.setFont(emphasis)
        halt = QFont(base)
        halt.setBold(True)
        halt.setPointSizeF(size * 1.2)
        self.halt_button.setFont(halt)
        chip = QFont(base)
        chip.setBold(True)
        self.status_label.setFont(chip)
        self._fit_controls(self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_controls(event.size().width())
        super().resizeEvent(event)

    def _fit_controls(self, width: int) -> None:
        """Only preferred sizes and heights change here, never the minimum width, so the window can always
        shrink. Side by side, the scenario time is as tall as the exercise time so the two share a baseline."""
        margins = self._outer.contentsMargins()
        fixed = (self.halt_button.sizeHint().width() + 2 * self._outer.spacing() + margins.left()
                 + margins.right() + 2 * self.frameWidth())
        times = self._clocks.one_row_width()
        self._controls_layout.set_max_columns(3 if times + self._controls_layout.width_for(3) + fixed <= width else 2)
        side_by_side = times + self._controls_layout.width_for(2) + fixed <= width
        self.scenario_label.setMinimumHeight(self.elapsed_label.sizeHint().height() if side_by_side else 0)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_fonts()
        return super().event(event)

    def _compression_activated(self, index: int) -> None:
        factor = self.compression_combo.itemData(index)
        if factor is None:
            self.custom_compression_requested.emit()
        else:
            self.compression_chosen.emit(float(factor))

    # Showing ---------------------------------------------------------------------------------------------
    def show_times(self, elapsed: str, scenario: str) -> None:
        if self.elapsed_label.text() != elapsed:
            self.elapsed_label.setText(elapsed)
        if self.scenario_label.text() != scenario:
            self.scenario_label.setText(scenario)

    def show_state(self, status: RunStatus, compression: float, phase: str) -> None:
        text, background, foreground = STATUS_STYLES[status]
        if status is RunStatus.RUNNING and compression != 1.0:
            text = f"{text} ×{compression:g}"
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"QLabel {{ background: {background}; color: {foreground}; "
                                        "border-radius: 4px; padding: 3px 10px; }")
        self.phase_label.setText(phase)
        index = self.compression_combo.findData(compression)
        if index < 0:
            label = f"×{compression:g}"
            self.compression_combo.setItemText(self.compression_combo.count() - 1, f"{label} (custom)")
            index = self.compression_combo.count() - 1
        else:
            self.compression_combo.setItemText(self.compression_combo.count() - 1, CUSTOM)
        self.compression_combo.setCurrentIndex(index)
        self.compression_combo.setEnabled(status is not RunStatus.ENDED)

    def show_next(self, inject: str, phase: str) -> None:
        self.next_inject_label.setText(inject)
        self.next_phase_label.setText(phase)

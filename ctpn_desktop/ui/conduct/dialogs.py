"""The small forms of the conduct screen: new run, reasons, defer, re-time, ad-hoc inject, compression.

Each is opened window-modal without a nested event loop (`open()`), so the clock keeps ticking behind it and
a test can fill it in with the keyboard. `accept()` checks the values and says what is wrong next to the form
instead of closing; what the caller reads afterwards is always valid.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import MAX_COMPRESSION, format_elapsed
from ctpn_desktop.core.entities import DeliveryMethod
from ctpn_desktop.core.io.scenario_json import parse_offset


class FormDialog(QDialog):
    """A titled form with an explanation, an error line and OK/Cancel; subclasses add rows and `problem()`."""

    def __init__(self, title: str, text: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        self.text_label = QLabel(text, self)
        self.text_label.setWordWrap(True)
        self.text_label.setVisible(bool(text))
        layout.addWidget(self.text_label)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d32f2f; font-weight: bold;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text)
        ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def add_row(self, label: str, field: QWidget) -> None:
        field.setAccessibleName(label.replace("&", "").rstrip(":"))
        self.form.addRow(label, field)

    def problem(self) -> str:
        """What stops the form from being accepted, in words; empty when all is well."""
        return ""

    def show_problem(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def accept(self) -> None:
        problem = self.problem()
        if problem:
            self.show_problem(problem)
            return
        super().accept()


class NewRunDialog(FormDialog):
    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__("New run", "The scenario is frozen into the run as it is now; later edits in the "
                         "scenario editor do not change it.", "Create Run", parent)
        self.label_edit = QLineEdit(self)
        self.label_edit.setPlaceholderText(f"Run {number}")
        self.add_row("&Label:", self.label_edit)
        self.real_button = QRadioButton("&Real exercise (kept for the record, cannot be discarded)", self)
        self.rehearsal_button = QRadioButton("Re&hearsal (can be discarded afterwards)", self)
        self.real_button.setChecked(True)
        self.form.addRow("Kind:", self.real_button)
        self.form.addRow("", self.rehearsal_button)

    @property
    def label(self) -> str:
        return self.label_edit.text().strip()

    @property
    def rehearsal(self) -> bool:
        return self.rehearsal_button.isChecked()


class ReasonDialog(FormDialog):
    """A free-text reason or note; ``required`` refuses an empty one."""

    def __init__(self, title: str, text: str, ok_text: str, label: str = "&Reason:", *, required: bool = True,
                 initial: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, text, ok_text, parent)
        self.required = required
        self.reason_edit = QLineEdit(initial, self)
        self.add_row(label, self.reason_edit)

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def problem(self) -> str:
        return "A reason is needed." if self.required and not self.reason else ""


class DeferDialog(FormDialog):
    def __init__(self, title: str, minutes: int = 5, parent: QWidget | None = None) -> None:
        super().__init__("Defer inject", title, "Defer", parent)
        self.minutes_spin = QSpinBox(self)
        self.minutes_spin.setRange(1, 24 * 60)
        self.minutes_spin.setValue(minutes)
        self.minutes_spin.setSuffix(" min")
        self.add_row("&Defer by:", self.minutes_spin)
        self.note_edit = QLineEdit(self)
        self.add_row("&Note:", self.note_edit)
        self.minutes_spin.selectAll()

    @property
    def minutes(self) -> int:
        return self.minutes_spin.value()

    @property
    def note(self) -> str:
        return self.note_edit.text().strip()


class TimeDialog(FormDialog):
    """An exercise time typed as H:MM or H:MM:SS, with a reason (re-time an inject, adjust the clock)."""

    def __init__(self, title: str, text: str, ok_text: str, initial_s: float, *, reason_required: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, text, ok_text, parent)
        self.reason_required = reason_required
        self.time_edit = QLineEdit(format_elapsed(max(0.0, initial_s)), self)
        self.time_edit.setPlaceholderText("H:MM:SS")
        self.add_row("Exercise &time:", self.time_edit)
        self.reason_edit = QLineEdit(self)
        self.add_row("&Reason:" if reason_required else "&Note:", self.reason_edit)
        self.time_edit.selectAll()

    @property
    def seconds(self) -> int:
        return parse_offset(self.time_edit.text())

    @property
    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def problem(self) -> str:
        try:
            seconds = self.seconds
        except ValueError:
            return f"“{self.time_edit.text().strip()}” is not an exercise time; type it like 1:15 or 1:15:30."
        if seconds < 0:
            return "The exercise time cannot be before STARTEX."
        if self.reason_required and not self.reason:
            return "A reason is needed."
        return ""


class AdhocDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Ad-hoc inject", "Written now and released to the players at once; it is kept with "
                         "this run, not added to the scenario.", "Release", parent)
        self.setMinimumWidth(560)
        self.title_edit = QLineEdit(self)
        self.add_row("&Title:", self.title_edit)
        self.content_edit = QPlainTextEdit(self)
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setMinimumHeight(120)
        self.add_row("&Content:", self.content_edit)
        self.method_combo = QComboBox(self)
        for method in DeliveryMethod:
            self.method_combo.addItem(method.label, method.value)
        self.add_row("&Delivered by:", self.method_combo)
        self.recipients_edit = QLineEdit(self)
        self.recipients_edit.setPlaceholderText("e.g. Police tactical commander")
        self.add_row("T&o:", self.recipients_edit)
        self.present_check = QCheckBox("Show on the &presenter display", self)
        self.present_check.setChecked(True)
        self.form.addRow("", self.present_check)

    @property
    def title(self) -> str:
        return self.title_edit.text().strip()

    @property
    def content(self) -> str:
        return self.content_edit.toPlainText().strip()

    @property
    def method(self) -> DeliveryMethod:
        return DeliveryMethod(self.method_combo.currentData())

    @property
    def recipients(self) -> str:
        return self.recipients_edit.text().strip()

    def problem(self) -> str:
        return "" if self.title else "An ad-hoc inject needs a title."


class CompressionDialog(FormDialog):
    def __init__(self, current: float, parent: QWidget | None = None) -> None:
        super().__init__("Time compression", "How many seconds of exercise time pass in each real second.",
                         "Set", parent)
        self.factor_spin = QDoubleSpinBox(self)
        self.factor_spin.setRange(0.1, MAX_COMPRESSION)
        self.factor_spin.setDecimals(1)
        self.factor_spin.setSingleStep(0.5)
        self.factor_spin.setPrefix("×")
        self.factor_spin.setValue(current)
        self.add_row("&Factor:", self.factor_spin)

    @property
    def factor(self) -> float:
        return round(self.factor_spin.value(), 1)

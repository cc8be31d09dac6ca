"""The MSEL's detail pane: every field of one inject, each committed as its own undoable edit.

The form never stores anything itself: it emits the inject as it should become, and the page hands that to
the editor session, which stores it and tells the form (and the table) what the file now holds.
"""

from __future__ import annotations

import mimetypes
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.clock import format_elapsed
from ctpn_desktop.core.entities import (
    AttachmentInfo,
    DeliveryMethod,
    EventType,
    Inject,
    InjectStatus,
    Recipient,
    Scenario,
)
from ctpn_desktop.core.services.scenario import parse_planned
from ctpn_desktop.core.services.validation import InjectField

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.editor.fields import CommitLine, CommitText, RichText, Typing, add_row, form_layout
from ctpn_desktop.ui.widgets import heading, keep_scroll_bars, muted

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
"""Attachments live inside the exercise file, which travels on USB sticks: keep each one reasonable."""

EVENT_TYPE_LABELS = {
    EventType.INJECT: "Inject", EventType.CONTINGENCY: "Contingency (held back)",
    EventType.CONTROLLER_ACTION: "Controller action", EventType.PLAYER_ACTION: "Player action",
    EventType.ACTOR_ACTION: "Actor action",
}
STATUS_LABELS = {InjectStatus.DRAFT: "Draft", InjectStatus.READY: "Ready to inject"}
SCENARIO_TIME_FORMAT = "%Y-%m-%d %H:%M"


class AttachmentFiles(Protocol):
    def choose(self, parent: QWidget) -> list[Path]: ...


class QtAttachmentFiles:
    def choose(self, parent: QWidget) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, "Attach files to the inject", str(Path.home()),
                                                "All files (*)")
        return [Path(n) for n in names]


def parse_scenario_time(text: str) -> datetime | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::(\d{2}))?", cleaned)
    if not match:
        raise ValueError(f"'{cleaned}' is not a scenario time: type YYYY-MM-DD HH:MM, e.g. 2026-12-12 18:30, "
                         "or leave it empty to follow the phase")
    return datetime.fromisoformat(f"{match[1]} {match[2].zfill(5)}:{match[3] or '00'}")


def safe_file_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip(" .") or "attachment"
    return cleaned[:120]


class InjectForm(QScrollArea):
    """Every field of the current inject."""

    edited = Signal(object, str, dict)
    """(the inject as it should become, what was done, blobs of new attachments)."""
    refused = Signal(str, str)
    """(what was typed, why it cannot be stored): shown to the designer, nothing stored."""

    def __init__(self, typing: Typing, parent: QWidget | None = None, *,
                 attachment_files: AttachmentFiles | None = None,
                 attachment_data: Callable[[str], bytes] | None = None,
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl) -> None:
        super().__init__(parent)
        self.setObjectName("injectForm")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        keep_scroll_bars(self)
        self.typing = typing
        self.attachment_files: AttachmentFiles = attachment_files or QtAttachmentFiles()
        self.attachment_data = attachment_data
        self.open_url = open_url
        self.inject: Inject | None = None
        self.scenario: Scenario | None = None
        self._temp_dir: Path | None = None
        self._loading = False
        page = QWidget(self)
        page.setObjectName("injectFormPage")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(4, 4, 12, 12)
        self.heading = heading("No inject selected", 2, page)
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.empty_hint = muted("Select an inject in the MSEL, or add one with Insert.", page)
        outer.addWidget(self.empty_hint)
        self.fields = QWidget(page)
        outer.addWidget(self.fields, 1)
        self._build_fields()
        self.setWidget(page)
        self.show_inject(None)

    # Construction ----------------------------------------------------------------------------------------
    def _build_fields(self) -> None:
        layout = QVBoxLayout(self.fields)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QWidget(self.fields)
        form = form_layout(top)
        # One field a row, every field free to shrink: the pane beside the MSEL is narrow on a 1280 px screen
        # (narrower still with Larger Text), and a field past its right edge is cut off, not scrolled to.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.number = QSpinBox(top)
        self.number.setRange(1, 999_999)
        self.number.setAccessibleName("Inject number")
        self.number.editingFinished.connect(self._number_finished)
        add_row(form, "&Number", self.number, "Unique number of the inject in the MSEL")
        self.title = CommitLine("Title", self.typing, top)
        self.title.commit.connect(lambda t: self._set("title", t.strip(), "Edit title"))
        add_row(form, "&Title", self.title)
        self.planned = CommitLine("Planned time", self.typing, top)
        self.planned.setPlaceholderText("H:MM:SS")
        self.planned.commit.connect(self._planned_committed)
        add_row(form, "&Planned", self.planned, "Time from STARTEX, H:MM:SS; a leading minus for before STARTEX")
        self.scenario_time = CommitLine("Scenario time", self.typing, top)
        self.scenario_time.setPlaceholderText("YYYY-MM-DD HH:MM (empty: follows the phase)")
        self.scenario_time.commit.connect(self._scenario_time_committed)
        add_row(form, "&Scenario time", self.scenario_time,
                "The time in the story, YYYY-MM-DD HH:MM; empty: follows the phase's scenario time")
        self.phase = self._combo(top, "Phase")
        self.phase.activated.connect(lambda _i: self._set("phase_id", self.phase.currentData(), "Change phase"))
        add_row(form, "P&hase", self.phase)
        self.event_type = self._combo(top, "Event type")
        for value, label in EVENT_TYPE_LABELS.items():
            self.event_type.addItem(label, value)
        self.event_type.activated.connect(
            lambda _i: self._set("event_type", EventType(self.event_type.currentData()), "Change event type"))
        add_row(form, "&Event type", self.event_type)
        self.status = self._combo(top, "Status")
        for status, label in STATUS_LABELS.items():
            self.status.addItem(label, status)
        self.status.activated.connect(
            lambda _i: self._set("status", InjectStatus(self.status.currentData()), "Change status"))
        add_row(form, "Stat&us", self.status)
        self.method = self._combo(top, "Delivery method")
        for method in DeliveryMethod:
            self.method.addItem(method.label, method)
        self.method.activated.connect(
            lambda _i: self._set("delivery_method", DeliveryMethod(self.method.currentData()),
                                 "Change delivery method"))
        add_row(form, "&Method", self.method)
        self.sender = CommitLine("From (simulated sender)", self.typing, top)
        self.sender.commit.connect(lambda t: self._set("sender", t.strip(), "Edit sender"))
        add_row(form, "&From", self.sender, "Who the inject appears to come from, e.g. 999 call handler")
        self.storyline = CommitLine("Storyline", self.typing, top)
        self.storyline.commit.connect(lambda t: self._set("storyline", t.strip(), "Edit storyline"))
        add_row(form, "Stor&yline", self.storyline, "The thread of the story this inject belongs to")
        self.depends_on = QSpinBox(top)
        self.depends_on.setRange(0, 999_999)
        self.depends_on.setSpecialValueText("None")
        self.depends_on.setAccessibleName("Depends on inject number")
        self.depends_on.editingFinished.connect(self._depends_finished)
        add_row(form, "&Depends on", self.depends_on, "Number of the inject that must be released first")
        layout.addWidget(top)

        self.content = RichText("Content", self.typing, self.fields)
        self.content.commit.connect(lambda t: self._set("content", t, "Edit content"))
        layout.addWidget(self._group("Content (what the players receive)", self.content))
        self.recipients = QTreeWidget(self.fields)
        self.recipients.setHeaderHidden(True)
        self.recipients.setAccessibleName("Recipients")
        self.recipients.setUniformRowHeights(True)
        self.recipients.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        self.recipients.itemChanged.connect(self._recipients_changed)
        self.objectives = QListWidget(self.fields)
        self.objectives.setAccessibleName("Linked objectives")
        self.objectives.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        self.objectives.itemChanged.connect(self._objectives_changed)
        layout.addWidget(self._group("To (recipients)", self.recipients))
        layout.addWidget(self._group("Objectives", self.objectives))
        self.expected = CommitText("Expected player actions", self.typing, self.fields)
        self.expected.commit.connect(lambda t: self._set("expected_actions", t, "Edit expected actions"))
        layout.addWidget(self._group("Expected player actions", self.expected))
        self.notes = CommitText("Controller notes", self.typing, self.fields)
        self.notes.commit.connect(lambda t: self._set("controller_notes", t, "Edit controller notes"))
        layout.addWidget(self._group("Controller notes (staff only)", self.notes))
        layout.addWidget(self._build_attachments())
        for line in (self.title, self.planned, self.scenario_time, self.sender, self.storyline):
            line.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            line.setMinimumWidth(0)
        self._fit_to_font()

    @staticmethod
    def _combo(parent: QWidget, name: str) -> QComboBox:
        """A choice that can shrink with the pane: long names are elided, the list shows them whole."""
        combo = QComboBox(parent)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        combo.setAccessibleName(name)
        return combo

    def _fit_to_font(self) -> None:
        """Short fields stay short, measured in the current text size so Larger Text does not cut them off."""
        char = self.fontMetrics().averageCharWidth()
        self.number.setMaximumWidth(char * 12 + 40)
        self.depends_on.setMaximumWidth(char * 12 + 40)
        self.planned.setMaximumWidth(char * 14 + 24)
        for combo in (self.event_type, self.status, self.method):
            combo.setMaximumWidth(char * 34 + 40)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "depends_on"):
            self._fit_to_font()

    def _group(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title, self.fields)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(8, 8, 8, 8)
        inner.addWidget(widget)
        return box

    def _build_attachments(self) -> QGroupBox:
        box = QGroupBox("Attachments", self.fields)
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.attachments = QListWidget(box)
        self.attachments.setAccessibleName("Attachments")
        self.attachments.setIconSize(QSize(20, 20))
        self.attachments.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.attachments.currentRowChanged.connect(self._preview_attachment)
        self.attachments.itemActivated.connect(lambda _item: self.open_attachment())
        buttons = QVBoxLayout()
        self.add_attachment_button = QPushButton(icons.icon(icons.ATTACH), "Add…", box)
        self.add_attachment_button.clicked.connect(self.add_attachments)
        self.remove_attachment_button = QPushButton(icons.icon(icons.DELETE), "Remove", box)
        self.remove_attachment_button.clicked.connect(self.remove_attachment)
        self.open_attachment_button = QPushButton(icons.icon(icons.OPEN_EXTERNAL), "Open", box)
        self.open_attachment_button.setToolTip("Open the file with the program this computer uses for it")
        self.open_attachment_button.clicked.connect(self.open_attachment)
        for button, icon_name in ((self.add_attachment_button, icons.ATTACH),
                                  (self.remove_attachment_button, icons.DELETE),
                                  (self.open_attachment_button, icons.OPEN_EXTERNAL)):
            button.setProperty("iconName", icon_name)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addWidget(self.attachments, 1)
        row.addLayout(buttons)
        layout.addLayout(row)
        self.preview = QLabel(box)
        self.preview.setObjectName("attachmentPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.preview.setAccessibleName("Attachment preview")
        layout.addWidget(self.preview)
        return box

    # Showing ---------------------------------------------------------------------------------------------
    def set_scenario(self, scenario: Scenario) -> None:
        """New names of phases, organisations and objectives (the lists the inject picks from)."""
        self.scenario = scenario
        self._loading = True
        self.phase.clear()
        self.phase.addItem("No phase", None)
        for phase in sorted(scenario.phases, key=lambda p: (p.start_offset_s, p.position)):
            self.phase.addItem(f"{format_elapsed(phase.start_offset_s)}  {phase.name}", phase.id)
        self.recipients.clear()
        for organisation in sorted(scenario.organisations, key=lambda o: o.position):
            item = QTreeWidgetItem([organisation.name])
            item.setData(0, Qt.ItemDataRole.UserRole, (organisation.id, None))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            for role in sorted(organisation.roles, key=lambda r: r.position):
                child = QTreeWidgetItem([role.name])
                child.setData(0, Qt.ItemDataRole.UserRole, (organisation.id, role.id))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                item.addChild(child)
            self.recipients.addTopLevelItem(item)
        self.objectives.clear()
        for objective in sorted(scenario.objectives, key=lambda o: o.position):
            item = QListWidgetItem(f"{objective.code}  {objective.statement}")
            item.setToolTip(objective.statement)
            item.setData(Qt.ItemDataRole.UserRole, objective.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.objectives.addItem(item)
        self._loading = False
        self.show_inject(self.inject)

    def show_inject(self, inject: Inject | None) -> None:
        """Show ``inject`` (None: nothing selected). Fields being typed into are committed first."""
        if self.inject is not None and inject is not None and inject.id != self.inject.id:
            self.flush()
        self.inject = inject
        self.fields.setVisible(inject is not None)
        self.empty_hint.setVisible(inject is None)
        if inject is None:
            self.heading.setText("No inject selected")
            return
        self._loading = True
        try:
            self.heading.setText(f"Inject {inject.number}: {inject.title}")
            self.number.setValue(inject.number)
            self.title.set_value(inject.title)
            self.planned.set_value(format_elapsed(inject.planned_offset_s))
            self.scenario_time.set_value(inject.scenario_time.strftime(SCENARIO_TIME_FORMAT)
                                         if inject.scenario_time else "")
            self.phase.setCurrentIndex(max(0, self.phase.findData(inject.phase_id)))
            self.event_type.setCurrentIndex(self.event_type.findData(inject.event_type))
            self.method.setCurrentIndex(self.method.findData(inject.delivery_method))
            self.status.setCurrentIndex(self.status.findData(inject.status))
            self.sender.set_value(inject.sender)
            self.storyline.set_value(inject.storyline)
            depends = self.scenario.injects if self.scenario is not None else ()
            target = next((i.number for i in depends if i.id == inject.depends_on_id), 0)
            self.depends_on.setValue(target)
            self.content.set_value(inject.content)
            self.expected.set_value(inject.expected_actions)
            self.notes.set_value(inject.controller_notes)
            wanted = set(inject.recipients)
            for n in range(self.recipients.topLevelItemCount()):
                top = self.recipients.topLevelItem(n)
                organisation_id, _ = top.data(0, Qt.ItemDataRole.UserRole)
                top.setCheckState(0, Qt.CheckState.Checked if Recipient(organisation_id) in wanted
                                  else Qt.CheckState.Unchecked)
                any_role = False
                for c in range(top.childCount()):
                    child = top.child(c)
                    org_id, role_id = child.data(0, Qt.ItemDataRole.UserRole)
                    checked = Recipient(org_id, role_id) in wanted
                    any_role |= checked
                    child.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                top.setExpanded(any_role)
            linked = set(inject.objective_ids)
            for n in range(self.objectives.count()):
                item = self.objectives.item(n)
                item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in linked
                                   else Qt.CheckState.Unchecked)
            self._fill_attachments(inject)
        finally:
            self._loading = False

    def _fill_attachments(self, inject: Inject) -> None:
        current = self.attachments.currentRow()
        self.attachments.clear()
        for attachment in inject.attachments:
            is_image = attachment.media_type.startswith("image/")
            item = QListWidgetItem(icons.icon(icons.IMAGE if is_image else icons.FILE),
                                   f"{attachment.filename}  ({_size(attachment.size)})")
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            item.setToolTip(f"{attachment.filename}\n{attachment.media_type}, {_size(attachment.size)}")
            self.attachments.addItem(item)
        if self.attachments.count():
            self.attachments.setCurrentRow(min(max(current, 0), self.attachments.count() - 1))
        else:
            self._preview_attachment(-1)
        has = bool(inject.attachments)
        self.remove_attachment_button.setEnabled(has)
        self.open_attachment_button.setEnabled(has)

    def flush(self) -> None:
        """Commit whatever is typed but not yet stored."""
        for field in (self.title, self.planned, self.scenario_time, self.sender, self.storyline):
            field.flush()
        for text_field in (self.content, self.expected, self.notes):
            text_field.flush()

    def focus_field(self, field: InjectField | None) -> None:
        widget = {
            InjectField.RECIPIENTS: self.recipients, InjectField.OBJECTIVES: self.objectives,
            InjectField.PHASE: self.phase, InjectField.PLANNED: self.planned,
            InjectField.DEPENDS_ON: self.depends_on,
        }.get(field) if field is not None else self.title
        if widget is not None:
            self.ensureWidgetVisible(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # Committing ------------------------------------------------------------------------------------------
    def _set(self, name: str, value: object, text: str) -> None:
        if self._loading or self.inject is None:
            return
        if getattr(self.inject, name) == value:
            return
        if name == "title" and not str(value):
            self.refused.emit("Title", "An inject needs a title.")
            self.title.revert()
            return
        self.edited.emit(replace(self.inject, **{name: value}), f"{text} of inject {self.inject.number}", {})

    def _number_finished(self) -> None:
        if self.inject is not None and self.number.value() != self.inject.number:
            self._set("number", self.number.value(), "Renumber")

    def _depends_finished(self) -> None:
        if self.inject is None or self.scenario is None or self._loading:
            return
        number = self.depends_on.value()
        target = next((i for i in self.scenario.injects if i.number == number), None) if number else None
        if number and target is None:
            self.refused.emit("Depends on", f"There is no inject {number}.")
            self.show_inject(self.inject)
            return
        if target is not None and target.id == self.inject.id:
            self.refused.emit("Depends on", "An inject cannot depend on itself.")
            self.show_inject(self.inject)
            return
        self._set("depends_on_id", target.id if target else None, "Change dependency")

    def _planned_committed(self, text: str) -> None:
        try:
            seconds = parse_planned(text)
        except ValueError as error:
            self.planned.revert()
            self.refused.emit("Planned time", str(error))
            return
        self.planned.set_value(format_elapsed(seconds))
        self._set("planned_offset_s", seconds, "Re-time")

    def _scenario_time_committed(self, text: str) -> None:
        try:
            moment = parse_scenario_time(text)
        except ValueError as error:
            self.scenario_time.revert()
            self.refused.emit("Scenario time", str(error))
            return
        self._set("scenario_time", moment, "Change scenario time")

    def _recipients_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        if self._loading or self.inject is None:
            return
        chosen: list[Recipient] = []
        for n in range(self.recipients.topLevelItemCount()):
            top = self.recipients.topLevelItem(n)
            organisation_id, _ = top.data(0, Qt.ItemDataRole.UserRole)
            if top.checkState(0) == Qt.CheckState.Checked:
                chosen.append(Recipient(organisation_id))
            for c in range(top.childCount()):
                child = top.child(c)
                if child.checkState(0) == Qt.CheckState.Checked:
                    org_id, role_id = child.data(0, Qt.ItemDataRole.UserRole)
                    chosen.append(Recipient(org_id, role_id))
        # Keep the order the inject had, new recipients after.
        kept = [r for r in self.inject.recipients if r in chosen]
        self._set("recipients", tuple(kept + [r for r in chosen if r not in kept]), "Change recipients")

    def _objectives_changed(self, _item: QListWidgetItem) -> None:
        if self._loading or self.inject is None:
            return
        chosen = [self.objectives.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.objectives.count())
                  if self.objectives.item(n).checkState() == Qt.CheckState.Checked]
        self._set("objective_ids", tuple(chosen), "Change objectives")

    # Attachments -----------------------------------------------------------------------------------------
    def add_attachments(self) -> None:
        if self.inject is None:
            return
        paths = self.attachment_files.choose(self)
        if not paths:
            return
        added: list[AttachmentInfo] = []
        blobs: dict[str, bytes] = {}
        for path in paths:
            try:
                size = path.stat().st_size
                if size > MAX_ATTACHMENT_BYTES:
                    self.refused.emit(path.name, f"“{path.name}” is {_size(size)}; attachments can be at most "
                                                 f"{_size(MAX_ATTACHMENT_BYTES)}.")
                    continue
                data = path.read_bytes()
            except OSError as error:
                self.refused.emit(path.name, f"“{path.name}” could not be read: {error.strerror or error}.")
                continue
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            attachment = AttachmentInfo(str(uuid.uuid4()), safe_file_name(path.name), media_type, len(data), "")
            added.append(attachment)
            blobs[attachment.id] = data
        if added:
            names = ", ".join(a.filename for a in added)
            self.edited.emit(replace(self.inject, attachments=self.inject.attachments + tuple(added)),
                             f"Attach {names} to inject {self.inject.number}", blobs)

    def _current_attachment(self) -> AttachmentInfo | None:
        item = self.attachments.currentItem()
        if item is None or self.inject is None:
            return None
        wanted = item.data(Qt.ItemDataRole.UserRole)
        return next((a for a in self.inject.attachments if a.id == wanted), None)

    def remove_attachment(self) -> None:
        attachment = self._current_attachment()
        if attachment is None or self.inject is None:
            return
        kept = tuple(a for a in self.inject.attachments if a.id != attachment.id)
        self.edited.emit(replace(self.inject, attachments=kept),
                         f"Remove {attachment.filename} from inject {self.inject.number}", {})

    def open_attachment(self) -> Path | None:
        """Write the attachment to a private temporary folder and open it with the system's program."""
        attachment = self._current_attachment()
        if attachment is None or self.attachment_data is None:
            return None
        try:
            data = self.attachment_data(attachment.id)
            if self._temp_dir is None:
                self._temp_dir = Path(tempfile.mkdtemp(prefix="ctpn-attachments-"))
            target = self._temp_dir / attachment.id[:8] / safe_file_name(attachment.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except Exception as error:
            self.refused.emit(attachment.filename, f"“{attachment.filename}” could not be opened: {error}")
            return None
        if not self.open_url(QUrl.fromLocalFile(str(target))):
            self.refused.emit(attachment.filename, f"No program on this computer opens “{attachment.filename}”. "
                                                   f"It was written to {target}.")
        return target

    def _preview_attachment(self, _row: int) -> None:
        attachment = self._current_attachment()
        if attachment is None or not attachment.media_type.startswith("image/") or self.attachment_data is None:
            self.preview.clear()
            self.preview.setVisible(False)
            return
        try:
            image = QImage.fromData(self.attachment_data(attachment.id))
        except Exception:
            image = QImage()
        if image.isNull():
            self.preview.setText(f"“{attachment.filename}” cannot be shown as an image.")
        else:
            width = min(image.width(), 360)
            self.preview.setPixmap(QPixmap.fromImage(image).scaledToWidth(
                width, Qt.TransformationMode.SmoothTransformation))
        self.preview.setVisible(True)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"

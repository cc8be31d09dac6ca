"""Edit fields that commit on their own: a line when Enter is pressed or focus leaves it, a text when the
designer pauses typing or leaves it. While something is typed but not yet committed the field says so
through `typing`, so the window never claims "saved" for text that is not in the file yet.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QTextCharFormat, QTextDocument, QTextListFormat
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.ui import icons

IDLE_COMMIT_MS = 1200
"""A pause in typing this long commits a text field: long enough not to commit mid-word, short enough that a
crash loses at most a few words."""


class Typing(QObject):
    """Shared by the fields of one page: who is holding uncommitted text."""

    changed = Signal(str)
    """The label of a field typed into but not committed yet, or "" when everything is committed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[int, str] = {}

    def start(self, field: QObject, label: str) -> None:
        if id(field) not in self._pending:
            self._pending[id(field)] = label
            self.changed.emit(label)

    def stop(self, field: QObject) -> None:
        if self._pending.pop(id(field), None) is not None:
            self.changed.emit(next(iter(self._pending.values()), ""))

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def holds(self, field: QObject) -> bool:
        return id(field) in self._pending


class CommitLine(QLineEdit):
    """A line that emits `commit` with its text on Enter or focus-out, only when the text changed."""

    commit = Signal(str)

    def __init__(self, label: str, typing: Typing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._typing = typing
        self._stored = ""
        self._previous = ""
        self.setAccessibleName(label)
        self.textEdited.connect(lambda _t: self._typing.start(self, self._label))
        self.editingFinished.connect(self.flush)

    def set_value(self, text: str) -> None:
        self._stored = text
        if self.hasFocus() and self._typing.holds(self):
            return  # the designer is typing here: their text is committed when they leave the field
        if self.text() != text:
            self.blockSignals(True)
            self.setText(text)
            self.setCursorPosition(0)
            self.blockSignals(False)
        self._typing.stop(self)

    def flush(self) -> None:
        self._typing.stop(self)
        if self.text() != self._stored:
            self._previous, self._stored = self._stored, self.text()
            self.commit.emit(self.text())

    def revert(self) -> None:
        """Show the value stored before the last commit again (the commit was refused)."""
        self.set_value(self._previous)


class _IdleCommit:
    """Commit a multi-line field after a pause in typing and when focus leaves it."""

    def _setup_idle(self, widget: QWidget, label: str, typing: Typing) -> None:
        self._label = label
        self._typing = typing
        self._timer = QTimer(widget)
        self._timer.setSingleShot(True)
        self._timer.setInterval(IDLE_COMMIT_MS)
        widget.setAccessibleName(label)

    def _edited(self) -> None:
        self._typing.start(self, self._label)  # type: ignore[arg-type]
        self._timer.start()


class CommitText(QPlainTextEdit, _IdleCommit):
    """Plain multi-line text, committed after a pause or on focus-out."""

    commit = Signal(str)

    def __init__(self, label: str, typing: Typing, parent: QWidget | None = None, *, lines: int = 4) -> None:
        super().__init__(parent)
        self._setup_idle(self, label, typing)
        self._stored = ""
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._maybe_edited)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * lines + 12)

    def _maybe_edited(self) -> None:
        if self.toPlainText() != self._stored:
            self._edited()

    def set_value(self, text: str) -> None:
        self._stored = text
        if self.hasFocus() and self._typing.holds(self):
            return  # the designer is typing here: their text is committed when they pause or leave
        self._timer.stop()
        if self.toPlainText() != text:
            self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(False)
        self._typing.stop(self)

    def flush(self) -> None:
        self._timer.stop()
        self._typing.stop(self)
        if self.toPlainText() != self._stored:
            self._stored = self.toPlainText()
            self.commit.emit(self._stored)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.flush()
        super().focusOutEvent(event)


_EMPHASIS = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__|(?<![\w*])\*[^*\s][^*\n]*\*(?!\w)")
_LIST_ITEM_WRAP = re.compile(r"^(\s*(?:[-*+]|\d+[.)]))\s{2,}", re.MULTILINE)
_BLOCK_START = re.compile(r"^(\s*([-*+]|\d+[.)])\s|#|>|```)")


def looks_formatted(text: str) -> bool:
    """Whether stored content carries Markdown emphasis (written by this editor's formatting buttons)."""
    return bool(_EMPHASIS.search(text))


def unwrap_markdown(markdown: str) -> str:
    """Qt writes Markdown wrapped at 80 columns; join the wrapped lines back so stored text reads naturally."""
    lines: list[str] = []
    for line in markdown.split("\n"):
        previous = lines[-1] if lines else ""
        if previous.strip() and line.strip() and not _BLOCK_START.match(line) \
                and not previous.endswith(("  ", "\\")):
            lines[-1] = f"{previous} {line.strip()}"
        else:
            lines.append(line)
    return _LIST_ITEM_WRAP.sub(r"\1 ", "\n".join(lines)).strip("\n")


class RichText(QWidget, _IdleCommit):
    """Inject content with bold, italic and lists. Plain text stays plain text, byte for byte; once the
    designer formats something, the content is stored as Markdown, which every other view and export can
    still read as text."""

    commit = Signal(str)

    def __init__(self, label: str, typing: Typing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setup_idle(self, label, typing)
        self._stored = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        bar.setSpacing(2)
        self.edit = QTextEdit(self)
        self.edit.setAcceptRichText(False)  # pasted text arrives plain; formatting comes from the buttons
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName(label)
        self.edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 7 + 12)
        self.buttons: dict[str, QToolButton] = {}
        for key, icon_name, tip in (("bold", icons.BOLD, "Bold (Ctrl+B)"), ("italic", icons.ITALIC, "Italic (Ctrl+I)"),
                                    ("list", icons.BULLETS, "Bulleted list")):
            button = QToolButton(self)
            button.setIcon(icons.icon(icon_name))
            button.setProperty("iconName", icon_name)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.setCheckable(key != "list")
            button.setAutoRaise(True)
            bar.addWidget(button)
            self.buttons[key] = button
        bar.addStretch(1)
        layout.addLayout(bar)
        layout.addWidget(self.edit, 1)
        self.buttons["bold"].clicked.connect(self._bold)
        self.buttons["italic"].clicked.connect(self._italic)
        self.buttons["list"].clicked.connect(self._bullets)
        self.edit.textChanged.connect(self._maybe_edited)
        self.edit.currentCharFormatChanged.connect(self._show_format)
        self.edit.installEventFilter(self)
        self._timer.timeout.connect(self.flush)
        self._formatted = False

    def _show_format(self, char_format: QTextCharFormat) -> None:
        self.buttons["bold"].setChecked(char_format.fontWeight() >= QFont.Weight.Bold)
        self.buttons["italic"].setChecked(char_format.fontItalic())

    def _bold(self, on: bool) -> None:
        char_format = QTextCharFormat()
        char_format.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
        self.edit.mergeCurrentCharFormat(char_format)
        self._formatted = True
        self._maybe_edited()

    def _italic(self, on: bool) -> None:
        char_format = QTextCharFormat()
        char_format.setFontItalic(on)
        self.edit.mergeCurrentCharFormat(char_format)
        self._formatted = True
        self._maybe_edited()

    def _bullets(self) -> None:
        self.edit.textCursor().createList(QTextListFormat.Style.ListDisc)
        self._formatted = True
        self._maybe_edited()

    def value(self) -> str:
        if self._formatted:
            dialect = QTextDocument.MarkdownFeature.MarkdownDialectCommonMark
            return unwrap_markdown(self.edit.document().toMarkdown(dialect))
        return self.edit.toPlainText()

    def _maybe_edited(self) -> None:
        if self.value() != self._stored:
            self._edited()

    def set_value(self, text: str) -> None:
        self._stored = text
        if self.edit.hasFocus() and self._typing.holds(self):
            return  # the designer is typing here: their text is committed when they pause or leave
        self._timer.stop()
        self._formatted = looks_formatted(text)
        self.edit.blockSignals(True)
        if self._formatted:
            self.edit.setMarkdown(text)
        else:
            self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        self._typing.stop(self)

    def flush(self) -> None:
        self._timer.stop()
        self._typing.stop(self)
        value = self.value()
        if value != self._stored:
            self._stored = value
            self.commit.emit(value)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.FocusOut:
            self.flush()
        if watched is self.edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() in (Qt.Key.Key_B,
                                                                                                   Qt.Key.Key_I):
            button = self.buttons["bold" if event.key() == Qt.Key.Key_B else "italic"]
            button.click()
            return True
        return False


def form_layout(parent: QWidget) -> QFormLayout:
    form = QFormLayout(parent)
    form.setContentsMargins(8, 12, 16, 12)
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(8)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


def add_row(form: QFormLayout, label: str, field: QWidget, hint: str = "") -> QLabel:
    """A labelled row whose label is the field's buddy (Alt+letter) and its accessible name."""
    caption = QLabel(label, form.parentWidget())
    caption.setBuddy(field)
    if hint:
        field.setToolTip(hint)
        field.setAccessibleDescription(hint)
    if not field.accessibleName():
        field.setAccessibleName(label.replace("&", ""))
    form.addRow(caption, field)
    return caption

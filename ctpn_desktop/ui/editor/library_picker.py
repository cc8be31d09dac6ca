"""Pick injects from the inject library: search by words, threat, organisation and delivery method, see each one,
insert the chosen ones into the MSEL, remove them from the library or export them as one scenario file.

Keyboard first: the search box has the focus; typing filters at once, Down moves into the list, Enter inserts the
selected injects (or the first one found), Delete removes the selected ones from the library after a question.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import DeliveryMethod
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.inject_library import InjectLibrary, LibraryInject, facets, search

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.keyed_tree import KeyedTree
from ctpn_desktop.ui.widgets import muted, setup_tree

Confirm = Callable[[QWidget, str, str, list[str]], bool]
ChooseExport = Callable[[QWidget, Path], Path | None]


def item_html(item: LibraryInject) -> str:
    """One library inject as a designer reads it before inserting it."""
    inject = item.inject
    rows = [("From exercise", f"{item.saved_from} ({item.marking})"), ("Threat", item.threat or "—"),
            ("Method", inject.delivery_method.label), ("From", inject.sender or "—"),
            ("To", item.recipients_text or "—"), ("Storyline", inject.storyline or "—")]
    table = "".join(f"<tr><td style='padding-right:10px'><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    parts = [f"<h3>{html.escape(inject.title)}</h3><table>{table}</table>"]
    for label, text in (("Content", inject.content), ("Expected player actions", inject.expected_actions),
                        ("Controller notes", inject.controller_notes)):
        if text.strip():
            parts.append(f"<h4>{label}</h4><p>{html.escape(text).replace(chr(10), '<br>')}</p>")
    if inject.attachments:
        parts.append("<p><i>Attachments:</i> " + html.escape(", ".join(a.filename for a in inject.attachments))
                     + "</p>")
    return "".join(parts)


class _KeysToList(QObject):
    """Down and Enter in the search box act on the list, so the hands stay on the keys."""

    def __init__(self, picker: LibraryPicker) -> None:
        super().__init__(picker)
        self._picker = picker

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._picker.tree.setFocus()
                if self._picker.tree.currentItem() is None and self._picker.tree.topLevelItemCount():
                    self._picker.tree.setCurrentItem(self._picker.tree.topLevelItem(0))
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._picker.insert()
                return True
        return False


class LibraryPicker(QDialog):
    inserted = Signal(list)
    """The `LibraryInject`s chosen, in list order."""

    def __init__(self, library: InjectLibrary, confirm: Confirm, choose_export: ChooseExport,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("injectLibraryPicker")
        self.setWindowTitle("Insert from the inject library")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.library = library
        self._confirm = confirm
        self._choose_export = choose_export
        self.items: list[LibraryInject] = []
        self.shown: list[LibraryInject] = []
        layout = QVBoxLayout(self)
        layout.addWidget(muted(f"Injects saved for reuse, kept as scenario files in {library.folder}. Inserted "
                               "injects are put at the current inject's time and phase, as drafts to review.", self))
        grid = QGridLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Words in the title, content, sender or storyline…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon(icons.FILTER), QLineEdit.ActionPosition.LeadingPosition)
        self.threat = self._combo("Any threat", "libraryThreat", "Threat (the exercise it came from)")
        self.organisation = self._combo("Any organisation", "libraryOrganisation", "Organisation it is sent to")
        self.method = QComboBox(self)
        self.method.setObjectName("libraryMethod")
        self.method.setAccessibleName("Delivery method")
        self.method.addItem("Any method", None)
        for method in DeliveryMethod:
            self.method.addItem(method.label, method.value)
        for column, (caption, widget) in enumerate((("&Search", self.search), ("T&hreat", self.threat),
                                                   ("&Organisation", self.organisation), ("&Method", self.method))):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            grid.addWidget(label, 0, column)
            grid.addWidget(widget, 1, column)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = KeyedTree(splitter)
        self.tree.setObjectName("libraryList")
        setup_tree(self.tree, "Library injects", ["Inject", "Method", "To", "From exercise"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        for column in (1, 3):
            header.setSectionResizeMode(column, header.ResizeMode.ResizeToContents)
        header.resizeSection(2, self.fontMetrics().averageCharWidth() * 18)
        self.preview = QTextBrowser(splitter)
        self.preview.setObjectName("libraryPreview")
        self.preview.setAccessibleName("The selected inject")
        splitter.addWidget(self.tree)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.count = muted("", self)
        self.count.setObjectName("libraryCount")
        self.problems = QLabel("", self)
        self.problems.setObjectName("libraryProblems")
        self.problems.setWordWrap(True)
        self.problems.hide()
        layout.addWidget(self.count)
        layout.addWidget(self.problems)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.insert_button = QPushButton(icons.icon(icons.LIBRARY_INSERT), "&Insert", self)
        self.insert_button.setObjectName("libraryInsert")
        self.remove_button = QPushButton(icons.icon(icons.DELETE), "&Remove from library…", self)
        self.remove_button.setObjectName("libraryRemove")
        self.export_button = QPushButton(icons.icon(icons.EXPORT), "&Export…", self)
        self.export_button.setObjectName("libraryExport")
        self.export_button.setToolTip("Write the injects shown (those the search finds) as one scenario JSON file")
        for button in (self.remove_button, self.export_button):
            button.setAutoDefault(False)
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.insert_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.search.textChanged.connect(lambda _t: self.apply())
        for combo in (self.threat, self.organisation):
            combo.editTextChanged.connect(lambda _t: self.apply())
        self.method.currentIndexChanged.connect(lambda _i: self.apply())
        self.tree.currentItemChanged.connect(lambda *_: self._show_preview())
        self.tree.itemActivated.connect(lambda *_: self.insert())
        self.insert_button.clicked.connect(self.insert)
        self.remove_button.clicked.connect(self.remove_selected)
        self.export_button.clicked.connect(self.export)
        self.search.installEventFilter(_KeysToList(self))
        self.tree.keys = {(Qt.Key.Key_Delete, False): self.remove_selected}
        self.reload()
        self.search.setFocus()
        self.resize(1100, 620)

    def _combo(self, everything: str, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setAccessibleName(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        line = combo.lineEdit()
        assert line is not None
        line.setPlaceholderText(everything)
        return combo

    def reload(self) -> None:
        self.items, problems = self.library.load()
        threats, organisations = facets(self.items)
        for combo, values in ((self.threat, threats), (self.organisation, organisations)):
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            for value in values:
                combo.addItem(value if len(value) <= 80 else value[:79] + "…", value)
                combo.setItemData(combo.count() - 1, value, Qt.ItemDataRole.ToolTipRole)
            combo.setEditText(text)
            combo.blockSignals(False)
        self.problems.setVisible(bool(problems))
        if problems:
            shown = problems[:3] + ([f"… and {len(problems) - 3} more"] if len(problems) > 3 else [])
            self.problems.setText("Some library files could not be read and were left as they are:\n"
                                  + "\n".join(shown))
        self.apply()

    def _threat_text(self) -> str:
        index = self.threat.currentIndex()
        if index >= 0 and self.threat.currentText() == self.threat.itemText(index):
            return str(self.threat.itemData(index))
        return self.threat.currentText()

    def apply(self) -> None:
        method = self.method.currentData()
        self.shown = search(self.items, self.search.text(), threat=self._threat_text(),
                            organisation=self.organisation.currentText(),
                            method=DeliveryMethod(method) if method else None)
        self.tree.clear()
        for number, item in enumerate(self.shown):
            row = QTreeWidgetItem([item.title, item.method.label, ", ".join(item.organisations), item.saved_from])
            row.setData(0, Qt.ItemDataRole.UserRole, number)
            row.setToolTip(0, item.title)
            self.tree.addTopLevelItem(row)
        if self.shown:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        total = len(self.items)
        if not total:
            self.count.setText("The inject library is empty: select injects in the MSEL and use Save to Inject "
                               "Library to keep them for other exercises.")
        elif len(self.shown) == total:
            self.count.setText(f"{total} injects in the library")
        else:
            self.count.setText(f"{len(self.shown)} of {total} injects match")
        self.insert_button.setEnabled(bool(self.shown))
        self.remove_button.setEnabled(bool(self.shown))
        self.export_button.setEnabled(bool(self.shown))
        self._show_preview()

    def chosen(self) -> list[LibraryInject]:
        rows = sorted(self.tree.indexOfTopLevelItem(i) for i in self.tree.selectedItems())
        if not rows and self.tree.currentItem() is not None:
            rows = [self.tree.indexOfTopLevelItem(self.tree.currentItem())]
        return [self.shown[r] for r in rows if 0 <= r < len(self.shown)]

    def _show_preview(self) -> None:
        item = self.tree.currentItem()
        index = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        self.preview.setHtml(item_html(self.shown[index]) if 0 <= index < len(self.shown) else "")

    def _problem(self, text: str) -> None:
        self.problems.setText(text)
        self.problems.show()

    def insert(self) -> None:
        chosen = self.chosen()
        if not chosen:
            return
        self.inserted.emit(chosen)
        self.accept()

    def remove_selected(self) -> None:
        chosen = self.chosen()
        if not chosen:
            return
        noun = "inject" if len(chosen) == 1 else f"{len(chosen)} injects"
        if not self._confirm(self, "Remove from the library", f"Remove {noun} from the inject library? Their "
                             "files are deleted; exercises they were inserted into keep their copies.",
                             [item.title for item in chosen]):
            return
        try:
            self.library.remove(chosen)
        except CtpnError as error:
            self.reload()
            self._problem(f"Not removed: {error}")
            return
        self.reload()

    def export(self) -> Path | None:
        chosen = list(self.shown)
        if not chosen:
            return None
        target = self._choose_export(self, self.library.folder.parent / "inject-library-export.json")
        if target is None:
            return None
        try:
            path = InjectLibrary.export(chosen, target)
        except CtpnError as error:
            self._problem(f"Not exported: {error}")
            return None
        self.count.setText(f"Exported {len(chosen)} injects to {path}")
        return path

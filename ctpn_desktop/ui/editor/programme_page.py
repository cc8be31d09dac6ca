"""The exercise programme in the scenario editor: the welcome and practical notes, the agenda (sessions and their
items with times and speakers), the speakers and the planned syndicates.

The programme is stored whole: every change here builds the new programme and hands it to the editor session as
one undoable edit (`EditorSession.put_programme`), which the scenario service commits before anything on screen
says it is saved. The tree on the left is navigated with the keyboard; Insert adds an item of the selected kind,
Delete removes it, Alt+Up and Alt+Down move it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ctpn_desktop.core.entities import (
    AgendaItem,
    AgendaKind,
    PlannedSyndicate,
    Programme,
    ProgrammeSession,
    Speaker,
)
from ctpn_desktop.core.io.scenario_json import parse_clock
from ctpn_desktop.core.keys import make_key

from ctpn_desktop.ui import icons
from ctpn_desktop.ui.editor.fields import CommitLine, CommitText, Typing, add_row, form_layout
from ctpn_desktop.ui.editor.session import EditorSession
from ctpn_desktop.ui.keyed_tree import KeyedTree
from ctpn_desktop.ui.widgets import muted, setup_tree

Report = Callable[[str, str], None]
GENERAL, SESSIONS, SPEAKERS, SYNDICATES = "general", "sessions", "speakers", "syndicates"
SESSION, ITEM, SPEAKER, SYNDICATE = "session", "item", "speaker", "syndicate"
ROLE = Qt.ItemDataRole.UserRole
Node = tuple[str, int, int]
"""(kind, index, sub-index): what a tree row stands for."""


def _button(icon_name: str, text: str, tip: str, parent: QWidget) -> QPushButton:
    button = QPushButton(icons.icon(icon_name), text, parent)
    button.setProperty("iconName", icon_name)
    button.setToolTip(tip)
    button.setAccessibleName(text or tip)
    return button


def _scroll(page: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(page)
    return area


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class ProgrammeEditor(QWidget):
    def __init__(self, session_fn: Callable[[], EditorSession | None], typing: Typing, report: Report,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("programmeEditor")
        self._session = session_fn
        self._report = report
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.add_session_button = _button(icons.ADD, "Session", "Add a session (a morning, an afternoon, a day)", self)
        self.add_item_button = _button(icons.ADD, "Agenda item", "Add an agenda item to the selected session", self)
        self.add_speaker_button = _button(icons.ADD, "Speaker", "Add a speaker or facilitator", self)
        self.add_syndicate_button = _button(icons.ADD, "Syndicate", "Add a planned syndicate", self)
        self.up_button = _button(icons.MOVE_UP, "", "Move up (Alt+Up)", self)
        self.down_button = _button(icons.MOVE_DOWN, "", "Move down (Alt+Down)", self)
        self.delete_button = _button(icons.DELETE, "Delete", "Delete the selected session, item, speaker or "
                                                           "syndicate (Undo brings it back)", self)
        for name, button in (("addProgrammeSession", self.add_session_button),
                             ("addAgendaItem", self.add_item_button), ("addSpeaker", self.add_speaker_button),
                             ("addPlannedSyndicate", self.add_syndicate_button), ("moveProgrammeUp", self.up_button),
                             ("moveProgrammeDown", self.down_button), ("deleteProgrammePart", self.delete_button)):
            button.setObjectName(name)
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = KeyedTree(splitter)
        self.tree.setObjectName("programmeTree")
        setup_tree(self.tree, "Programme", ["Programme", "When"])
        self.tree.setRootIsDecorated(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, self.tree.header().ResizeMode.ResizeToContents)
        self.forms = QStackedWidget(splitter)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.forms)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter, 1)

        # General ------------------------------------------------------------------------------------------
        general = QWidget()
        form = form_layout(general)
        form.addRow(muted("What participants are handed before the day. Nothing here is for controllers only: "
                          "injects, notes and expected actions never reach the programme.", general))
        self.introduction = CommitText("Welcome and introduction", typing, general, lines=5)
        self.introduction.commit.connect(lambda t: self._put_general(introduction=t, text="Edit programme welcome"))
        add_row(form, "&Welcome", self.introduction, "Read first: what the exercise is for and how the day runs")
        self.venue_details = CommitText("Venue details", typing, general, lines=4)
        self.venue_details.commit.connect(lambda t: self._put_general(venue_details=t, text="Edit venue details"))
        add_row(form, "&Venue details", self.venue_details, "Address, rooms, access, parking and transport")
        self.contact = CommitLine("Point of contact", typing, general)
        self.contact.commit.connect(lambda t: self._put_general(contact=t.strip(), text="Edit point of contact"))
        add_row(form, "Point of &contact", self.contact)
        self.notes = CommitText("Notes for participants", typing, general, lines=4)
        self.notes.commit.connect(lambda t: self._put_general(notes=t, text="Edit notes for participants"))
        add_row(form, "&Notes", self.notes, "What to bring, welfare, the stop phrase, catering")
        self.forms.addWidget(_scroll(general, self.forms))

        # Session ------------------------------------------------------------------------------------------
        session_page = QWidget()
        form = form_layout(session_page)
        self.session_title = CommitLine("Session title", typing, session_page)
        self.session_title.commit.connect(lambda t: self._put_session(title=t.strip()))
        add_row(form, "&Title", self.session_title, "e.g. Morning, Day 2")
        self.session_day = CommitLine("Day", typing, session_page)
        self.session_day.setPlaceholderText("YYYY-MM-DD")
        self.session_day.commit.connect(self._day_committed)
        add_row(form, "&Day", self.session_day)
        self.session_location = CommitLine("Session location", typing, session_page)
        self.session_location.commit.connect(lambda t: self._put_session(location=t.strip()))
        add_row(form, "&Location", self.session_location)
        self.session_chair = CommitLine("Chair", typing, session_page)
        self.session_chair.commit.connect(lambda t: self._put_session(chair=t.strip()))
        add_row(form, "C&hair", self.session_chair)
        self.forms.addWidget(_scroll(session_page, self.forms))

        # Agenda item --------------------------------------------------------------------------------------
        item_page = QWidget()
        form = form_layout(item_page)
        times = QHBoxLayout()
        times.setContentsMargins(0, 0, 0, 0)
        self.item_start = CommitLine("Starts", typing, item_page)
        self.item_start.setPlaceholderText("HH:MM")
        self.item_start.commit.connect(lambda t: self._time_committed("start", t))
        self.item_end = CommitLine("Ends", typing, item_page)
        self.item_end.setPlaceholderText("HH:MM")
        self.item_end.commit.connect(lambda t: self._time_committed("end", t))
        for edit in (self.item_start, self.item_end):
            edit.setMaximumWidth(self.fontMetrics().averageCharWidth() * 8 + 24)
        times.addWidget(self.item_start)
        times.addWidget(muted("to", item_page))
        times.addWidget(self.item_end)
        times.addStretch(1)
        when = QWidget(item_page)
        when.setLayout(times)
        add_row(form, "&Time", when, "24-hour clock, e.g. 09:30 to 10:15 (the end may be left empty)").setBuddy(
            self.item_start)
        self.item_title = CommitLine("Agenda item title", typing, item_page)
        self.item_title.commit.connect(lambda t: self._put_item(title=t.strip()))
        add_row(form, "T&itle", self.item_title)
        self.item_kind = QComboBox(item_page)
        self.item_kind.setAccessibleName("Kind of agenda item")
        for kind in AgendaKind:
            self.item_kind.addItem(kind.label, kind.value)
        self.item_kind.activated.connect(lambda _i: self._put_item(kind=AgendaKind(self.item_kind.currentData())))
        add_row(form, "&Kind", self.item_kind)
        self.item_location = CommitLine("Where", typing, item_page)
        self.item_location.commit.connect(lambda t: self._put_item(location=t.strip()))
        add_row(form, "&Where", self.item_location)
        self.item_speakers = QListWidget(item_page)
        self.item_speakers.setObjectName("agendaItemSpeakers")
        self.item_speakers.setAccessibleName("Speakers of this item (Space ticks one)")
        self.item_speakers.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.item_speakers.itemChanged.connect(self._speakers_ticked)
        add_row(form, "S&peakers", self.item_speakers, "Tick the speakers (add them under Speakers first)")
        self.item_description = CommitText("Description", typing, item_page, lines=3)
        self.item_description.commit.connect(lambda t: self._put_item(description=t))
        add_row(form, "D&escription", self.item_description)
        self.forms.addWidget(_scroll(item_page, self.forms))

        # Speaker ------------------------------------------------------------------------------------------
        speaker_page = QWidget()
        form = form_layout(speaker_page)
        self.speaker_name = CommitLine("Speaker's name", typing, speaker_page)
        self.speaker_name.commit.connect(lambda t: self._put_speaker(name=t.strip()))
        add_row(form, "&Name", self.speaker_name)
        self.speaker_role = CommitLine("Role", typing, speaker_page)
        self.speaker_role.commit.connect(lambda t: self._put_speaker(role=t.strip()))
        add_row(form, "&Role", self.speaker_role, "e.g. Lead Facilitator, Keynote speaker")
        self.speaker_organisation = CommitLine("Organisation", typing, speaker_page)
        self.speaker_organisation.commit.connect(lambda t: self._put_speaker(organisation=t.strip()))
        add_row(form, "&Organisation", self.speaker_organisation)
        self.speaker_biography = CommitText("Biography", typing, speaker_page, lines=4)
        self.speaker_biography.commit.connect(lambda t: self._put_speaker(biography=t))
        add_row(form, "&Biography", self.speaker_biography)
        self.forms.addWidget(_scroll(speaker_page, self.forms))

        # Syndicate ----------------------------------------------------------------------------------------
        syndicate_page = QWidget()
        form = form_layout(syndicate_page)
        self.syndicate_name = CommitLine("Syndicate name", typing, syndicate_page)
        self.syndicate_name.commit.connect(lambda t: self._put_syndicate(name=t.strip()))
        add_row(form, "&Name", self.syndicate_name)
        self.syndicate_room = CommitLine("Room", typing, syndicate_page)
        self.syndicate_room.commit.connect(lambda t: self._put_syndicate(room=t.strip()))
        add_row(form, "&Room", self.syndicate_room)
        self.syndicate_facilitator = CommitLine("Facilitator", typing, syndicate_page)
        self.syndicate_facilitator.commit.connect(lambda t: self._put_syndicate(facilitator=t.strip()))
        add_row(form, "&Facilitator", self.syndicate_facilitator)
        self.syndicate_note_taker = CommitLine("Note-taker", typing, syndicate_page)
        self.syndicate_note_taker.commit.connect(lambda t: self._put_syndicate(note_taker=t.strip()))
        add_row(form, "N&ote-taker", self.syndicate_note_taker)
        self.syndicate_members = CommitText("Members, one per line", typing, syndicate_page, lines=6)
        self.syndicate_members.commit.connect(lambda t: self._put_syndicate(members=_lines(t)))
        add_row(form, "&Members", self.syndicate_members, "One member per line; a run can take its syndicates "
                                                          "from here (Decision log ▸ Syndicates)")
        self.forms.addWidget(_scroll(syndicate_page, self.forms))
        empty = QWidget()
        QVBoxLayout(empty).addWidget(muted("Choose a part of the programme on the left.", empty))
        self.forms.addWidget(empty)
        self._pages = {GENERAL: 0, SESSION: 1, ITEM: 2, SPEAKER: 3, SYNDICATE: 4, SESSIONS: 5, SPEAKERS: 5,
                       SYNDICATES: 5}

        self.tree.currentItemChanged.connect(self._current_changed)
        self.add_session_button.clicked.connect(self.add_session)
        self.add_item_button.clicked.connect(self.add_item)
        self.add_speaker_button.clicked.connect(self.add_speaker)
        self.add_syndicate_button.clicked.connect(self.add_syndicate)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(+1))
        self.delete_button.clicked.connect(self.delete)
        self.tree.keys = {(Qt.Key.Key_Insert, False): self.add_here, (Qt.Key.Key_Delete, False): self.delete,
                          (Qt.Key.Key_Up, True): lambda: self.move(-1), (Qt.Key.Key_Down, True): lambda: self.move(+1)}

    # The programme -------------------------------------------------------------------------------------
    @property
    def session(self) -> EditorSession | None:
        return self._session()

    @property
    def programme(self) -> Programme:
        session = self.session
        return session.scenario.programme if session is not None else Programme()

    def _store(self, programme: Programme, text: str, select: Node | None = None) -> bool:
        session = self.session
        if session is None:
            return False
        done = session.put_programme(programme, text)
        if select is not None and done:
            self.select(select)
        elif not done:
            self._show_current()
        return done

    def refill(self, programme: Programme) -> None:
        keep = self.current_node()
        self._filling = True
        try:
            self.tree.clear()
            general = QTreeWidgetItem(["Welcome, venue and notes", ""])
            general.setData(0, ROLE, (GENERAL, 0, 0))
            self.tree.addTopLevelItem(general)
            agenda = QTreeWidgetItem([f"Agenda ({sum(len(s.items) for s in programme.sessions)} items)", ""])
            agenda.setData(0, ROLE, (SESSIONS, 0, 0))
            for s_index, session in enumerate(programme.sessions):
                node = QTreeWidgetItem([session.title, session.day.isoformat() if session.day else ""])
                node.setData(0, ROLE, (SESSION, s_index, 0))
                for i_index, item in enumerate(session.items):
                    when = f"{item.start:%H:%M}" + (f"–{item.end:%H:%M}" if item.end else "")
                    child = QTreeWidgetItem([item.title, when])
                    child.setData(0, ROLE, (ITEM, s_index, i_index))
                    node.addChild(child)
                agenda.addChild(node)
            self.tree.addTopLevelItem(agenda)
            speakers = QTreeWidgetItem([f"Speakers ({len(programme.speakers)})", ""])
            speakers.setData(0, ROLE, (SPEAKERS, 0, 0))
            for index, speaker in enumerate(programme.speakers):
                child = QTreeWidgetItem([speaker.name, speaker.role])
                child.setData(0, ROLE, (SPEAKER, index, 0))
                speakers.addChild(child)
            self.tree.addTopLevelItem(speakers)
            syndicates = QTreeWidgetItem([f"Syndicates ({len(programme.syndicates)})", ""])
            syndicates.setData(0, ROLE, (SYNDICATES, 0, 0))
            for index, syndicate in enumerate(programme.syndicates):
                child = QTreeWidgetItem([syndicate.name, f"{len(syndicate.members)} members"])
                child.setData(0, ROLE, (SYNDICATE, index, 0))
                syndicates.addChild(child)
            self.tree.addTopLevelItem(syndicates)
            self.tree.expandAll()
        finally:
            self._filling = False
        self.select(keep or (GENERAL, 0, 0))

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for n in range(item.childCount()):
                walk(item.child(n))

        for n in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(n))
        return found

    def select(self, node: Node) -> None:
        target = next((i for i in self._items() if tuple(i.data(0, ROLE)) == tuple(node)), None)
        if target is None and node[0] in (ITEM,):
            target = next((i for i in self._items() if tuple(i.data(0, ROLE)) == (SESSION, node[1], 0)), None)
        if target is None:
            target = self.tree.topLevelItem(0)
        if target is not None:
            self.tree.setCurrentItem(target)
        self._show_current()

    def current_node(self) -> Node | None:
        item = self.tree.currentItem()
        value = item.data(0, ROLE) if item is not None else None
        return (str(value[0]), int(value[1]), int(value[2])) if value else None

    def _current_changed(self, *_args: object) -> None:
        if not self._filling:
            self.flush()
            self._show_current()

    def flush(self) -> None:
        """Commit what is typed in the form shown."""
        for field in (self.introduction, self.venue_details, self.notes, self.item_description,
                      self.speaker_biography, self.syndicate_members):
            field.flush()
        for line in (self.contact, self.session_title, self.session_day, self.session_location, self.session_chair,
                     self.item_start, self.item_end, self.item_title, self.item_location, self.speaker_name,
                     self.speaker_role, self.speaker_organisation, self.syndicate_name, self.syndicate_room,
                     self.syndicate_facilitator, self.syndicate_note_taker):
            line.flush()

    def _show_current(self) -> None:
        node = self.current_node() or (GENERAL, 0, 0)
        kind, first, second = node
        programme = self.programme
        self.forms.setCurrentIndex(self._pages[kind])
        has_session = bool(programme.sessions)
        self.add_item_button.setEnabled(has_session and kind in (SESSION, ITEM, SESSIONS))
        movable = kind in (SESSION, ITEM, SPEAKER, SYNDICATE)
        for button in (self.up_button, self.down_button, self.delete_button):
            button.setEnabled(movable)
        if kind == GENERAL:
            self.introduction.set_value(programme.introduction)
            self.venue_details.set_value(programme.venue_details)
            self.contact.set_value(programme.contact)
            self.notes.set_value(programme.notes)
        elif kind == SESSION and first < len(programme.sessions):
            session = programme.sessions[first]
            self.session_title.set_value(session.title)
            self.session_day.set_value(session.day.isoformat() if session.day else "")
            self.session_location.set_value(session.location)
            self.session_chair.set_value(session.chair)
        elif kind == ITEM and first < len(programme.sessions) and second < len(programme.sessions[first].items):
            item = programme.sessions[first].items[second]
            self.item_start.set_value(f"{item.start:%H:%M}")
            self.item_end.set_value(f"{item.end:%H:%M}" if item.end else "")
            self.item_title.set_value(item.title)
            self.item_kind.setCurrentIndex(max(self.item_kind.findData(item.kind.value), 0))
            self.item_location.set_value(item.location)
            self.item_description.set_value(item.description)
            self.item_speakers.blockSignals(True)
            self.item_speakers.clear()
            for speaker in programme.speakers:
                row = QListWidgetItem(f"{speaker.name}" + (f" — {speaker.role}" if speaker.role else ""))
                row.setData(ROLE, speaker.key)
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                row.setCheckState(Qt.CheckState.Checked if speaker.key in item.speakers else Qt.CheckState.Unchecked)
                self.item_speakers.addItem(row)
            self.item_speakers.blockSignals(False)
        elif kind == SPEAKER and first < len(programme.speakers):
            speaker = programme.speakers[first]
            self.speaker_name.set_value(speaker.name)
            self.speaker_role.set_value(speaker.role)
            self.speaker_organisation.set_value(speaker.organisation)
            self.speaker_biography.set_value(speaker.biography)
        elif kind == SYNDICATE and first < len(programme.syndicates):
            syndicate = programme.syndicates[first]
            self.syndicate_name.set_value(syndicate.name)
            self.syndicate_room.set_value(syndicate.room)
            self.syndicate_facilitator.set_value(syndicate.facilitator)
            self.syndicate_note_taker.set_value(syndicate.note_taker)
            self.syndicate_members.set_value("\n".join(syndicate.members))

    # Edits ---------------------------------------------------------------------------------------------
    def _put_general(self, *, text: str, **values: Any) -> None:
        programme = self.programme
        changed = replace(programme, **values)
        if changed != programme:
            self._store(changed, text)

    def _replace_session(self, index: int, session: ProgrammeSession, text: str, select: Node) -> None:
        programme = self.programme
        sessions = list(programme.sessions)
        sessions[index] = session
        self._store(replace(programme, sessions=tuple(sessions)), text, select)

    def _put_session(self, **values: Any) -> None:
        node = self.current_node()
        programme = self.programme
        if node is None or node[0] != SESSION or node[1] >= len(programme.sessions):
            return
        if values.get("title") == "":
            self._report("Session title", "A session needs a title, e.g. Morning.")
            self.session_title.revert()
            return
        session = programme.sessions[node[1]]
        changed = replace(session, **values)
        if changed != session:
            self._replace_session(node[1], changed, f"Edit session {changed.title}", node)

    def _day_committed(self, text: str) -> None:
        try:
            day = date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            self._report("Session day", f"'{text.strip()}' is not a date: type YYYY-MM-DD, e.g. 2027-10-06.")
            self.session_day.revert()
            return
        self._put_session(day=day)

    def _put_item(self, **values: Any) -> None:
        node = self.current_node()
        programme = self.programme
        if node is None or node[0] != ITEM:
            return
        session = programme.sessions[node[1]]
        item = session.items[node[2]]
        if values.get("title") == "":
            self._report("Agenda item", "An agenda item needs a title.")
            self.item_title.revert()
            return
        changed = replace(item, **values)
        if changed.end is not None and changed.end < changed.start:
            self._report("Agenda item", f"It would end at {changed.end:%H:%M}, before it starts at "
                                        f"{changed.start:%H:%M}.")
            self._show_current()
            return
        if changed == item:
            return
        items = list(session.items)
        items[node[2]] = changed
        self._replace_session(node[1], replace(session, items=tuple(items)), f"Edit agenda item {changed.title}",
                              node)

    def _time_committed(self, which: str, text: str) -> None:
        if which == "end" and not text.strip():
            self._put_item(end=None)
            return
        try:
            value = parse_clock(text)
        except ValueError as error:
            self._report("Agenda time", str(error).capitalize() + ".")
            (self.item_start if which == "start" else self.item_end).revert()
            return
        self._put_item(**{which: value})

    def _speakers_ticked(self, _row: QListWidgetItem) -> None:
        keys = tuple(self.item_speakers.item(n).data(ROLE) for n in range(self.item_speakers.count())
                     if self.item_speakers.item(n).checkState() == Qt.CheckState.Checked)
        self._put_item(speakers=keys)

    def _put_speaker(self, **values: Any) -> None:
        node = self.current_node()
        programme = self.programme
        if node is None or node[0] != SPEAKER:
            return
        if values.get("name") == "":
            self._report("Speaker", "A speaker needs a name.")
            self.speaker_name.revert()
            return
        speakers = list(programme.speakers)
        changed = replace(speakers[node[1]], **values)
        if changed != speakers[node[1]]:
            speakers[node[1]] = changed
            self._store(replace(programme, speakers=tuple(speakers)), f"Edit speaker {changed.name}", node)

    def _put_syndicate(self, **values: Any) -> None:
        node = self.current_node()
        programme = self.programme
        if node is None or node[0] != SYNDICATE:
            return
        if values.get("name") == "":
            self._report("Syndicate", "A syndicate needs a name.")
            self.syndicate_name.revert()
            return
        syndicates = list(programme.syndicates)
        changed = replace(syndicates[node[1]], **values)
        if changed != syndicates[node[1]]:
            syndicates[node[1]] = changed
            self._store(replace(programme, syndicates=tuple(syndicates)), f"Edit syndicate {changed.name}", node)

    # Adding, moving and deleting -----------------------------------------------------------------------
    def add_here(self) -> None:
        """Insert: an item of the kind selected (an agenda item in a session)."""
        kind = (self.current_node() or (GENERAL, 0, 0))[0]
        {SESSION: self.add_item, ITEM: self.add_item, SESSIONS: self.add_session, SPEAKER: self.add_speaker,
         SPEAKERS: self.add_speaker, SYNDICATE: self.add_syndicate, SYNDICATES: self.add_syndicate}.get(
            kind, self.add_session)()

    def add_session(self) -> None:
        self.flush()
        programme = self.programme
        number = len(programme.sessions) + 1
        sessions = (*programme.sessions, ProgrammeSession(title=f"Session {number}"))
        if self._store(replace(programme, sessions=sessions), "Add programme session", (SESSION, number - 1, 0)):
            self.session_title.setFocus()
            self.session_title.selectAll()

    def add_item(self) -> None:
        self.flush()
        programme = self.programme
        node = self.current_node()
        if not programme.sessions:
            self._report("Agenda item", "Add a session first: agenda items belong to a session.")
            return
        index = node[1] if node is not None and node[0] in (SESSION, ITEM) else len(programme.sessions) - 1
        session = programme.sessions[index]
        last = max(session.items, key=lambda i: i.start, default=None)
        start = (last.end or last.start) if last is not None else time(9, 0)
        items = (*session.items, AgendaItem(start=start, title="New agenda item"))
        if self._store(replace(programme, sessions=tuple(replace(s, items=items) if n == index else s
                                                         for n, s in enumerate(programme.sessions))),
                       "Add agenda item", (ITEM, index, len(items) - 1)):
            self.item_title.setFocus()
            self.item_title.selectAll()

    def add_speaker(self) -> None:
        self.flush()
        programme = self.programme
        key = make_key("speaker", {s.key for s in programme.speakers}, "speaker")
        speakers = (*programme.speakers, Speaker(key=key, name="New speaker"))
        if self._store(replace(programme, speakers=speakers), "Add speaker", (SPEAKER, len(speakers) - 1, 0)):
            self.speaker_name.setFocus()
            self.speaker_name.selectAll()

    def add_syndicate(self) -> None:
        self.flush()
        programme = self.programme
        names = {s.name.casefold() for s in programme.syndicates}
        letter = next(chr(c) for c in range(ord("A"), ord("Z") + 2) if f"syndicate {chr(c)}".casefold() not in names)
        syndicates = (*programme.syndicates, PlannedSyndicate(name=f"Syndicate {letter}"))
        if self._store(replace(programme, syndicates=syndicates), "Add planned syndicate",
                       (SYNDICATE, len(syndicates) - 1, 0)):
            self.syndicate_name.setFocus()
            self.syndicate_name.selectAll()

    def move(self, step: int) -> None:
        node = self.current_node()
        if node is None:
            return
        self.flush()
        kind, first, second = node
        programme = self.programme

        def moved(values: tuple[Any, ...], index: int) -> tuple[Any, ...] | None:
            if not 0 <= index + step < len(values):
                return None
            items = list(values)
            items.insert(index + step, items.pop(index))
            return tuple(items)

        if kind == SESSION and (sessions := moved(programme.sessions, first)) is not None:
            self._store(replace(programme, sessions=sessions), "Reorder sessions", (SESSION, first + step, 0))
        elif kind == ITEM and (items := moved(programme.sessions[first].items, second)) is not None:
            self._replace_session(first, replace(programme.sessions[first], items=items), "Reorder agenda items",
                                  (ITEM, first, second + step))
        elif kind == SPEAKER and (speakers := moved(programme.speakers, first)) is not None:
            self._store(replace(programme, speakers=speakers), "Reorder speakers", (SPEAKER, first + step, 0))
        elif kind == SYNDICATE and (syndicates := moved(programme.syndicates, first)) is not None:
            self._store(replace(programme, syndicates=syndicates), "Reorder syndicates", (SYNDICATE, first + step, 0))

    def delete(self) -> None:
        """Delete the selected part; a speaker is taken off the items that named them too (Undo restores all)."""
        node = self.current_node()
        if node is None:
            return
        kind, first, second = node
        programme = self.programme
        if kind == SESSION:
            gone = programme.sessions[first]
            self._store(replace(programme, sessions=tuple(s for n, s in enumerate(programme.sessions) if n != first)),
                        f"Delete session {gone.title}", (SESSIONS, 0, 0))
        elif kind == ITEM:
            session = programme.sessions[first]
            items = tuple(i for n, i in enumerate(session.items) if n != second)
            self._replace_session(first, replace(session, items=items),
                                  f"Delete agenda item {session.items[second].title}", (SESSION, first, 0))
        elif kind == SPEAKER:
            gone_speaker = programme.speakers[first]
            sessions = tuple(replace(s, items=tuple(replace(i, speakers=tuple(k for k in i.speakers
                                                                              if k != gone_speaker.key))
                                                    for i in s.items)) for s in programme.sessions)
            self._store(replace(programme, sessions=sessions,
                                speakers=tuple(s for n, s in enumerate(programme.speakers) if n != first)),
                        f"Delete speaker {gone_speaker.name}", (SPEAKERS, 0, 0))
        elif kind == SYNDICATE:
            gone_syndicate = programme.syndicates[first]
            self._store(replace(programme, syndicates=tuple(s for n, s in enumerate(programme.syndicates)
                                                            if n != first)),
                        f"Delete planned syndicate {gone_syndicate.name}", (SYNDICATES, 0, 0))

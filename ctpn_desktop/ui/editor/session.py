"""The editor's session over one document: the scenario snapshot the pages show, and every edit as an undoable
command whose `redo`/`undo` call the scenario service.

Every edit is committed by the service before the command returns (autosave: there is no save button), and
only then is the snapshot changed and the pages told what changed. An edit the service refuses changes
nothing and is reported; it never reaches the undo stack. If an undo or redo fails (the document changed
underneath), the snapshot is reloaded from the file, the undo history is dropped and the designer is told.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ctpn_desktop.core.entities import Exercise, Inject, Objective, Organisation, Phase, Programme, Scenario
from ctpn_desktop.core.errors import CtpnError
from ctpn_desktop.core.inject_library import Insertion
from ctpn_desktop.core.io.msel_import import ImportOutcome
from ctpn_desktop.core.services.scenario import (
    InjectSlot,
    ScenarioService,
    duplicate_of,
    following_ids,
    in_slot,
    moved_slots,
    msel_order,
    objective_links,
    organisation_links,
    phase_links,
    renumbered_slots,
    retimed_slots,
    with_slot,
)


@dataclass(frozen=True, slots=True)
class Change:
    """What an edit changed, so that each page refreshes only what it must."""

    exercise: bool = False
    objectives: bool = False
    organisations: bool = False
    phases: bool = False
    injects: frozenset[str] = field(default_factory=frozenset)
    removed: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False
    programme: bool = False

    def names_changed(self) -> bool:
        """Phases, organisations or objectives changed: the MSEL's text columns must be worked out again."""
        return self.objectives or self.organisations or self.phases or self.everything


_Made = dict[str, tuple[Inject, Inject]]
"""Per inject id: an inject a slot edit moved, and the inject it made of it."""


class _Command(QUndoCommand):
    def __init__(self, session: EditorSession, text: str, redo: Callable[[], Change],
                 undo: Callable[[], Change]) -> None:
        super().__init__(text)
        self._session = session
        self._redo = redo
        self._undo = undo
        self._done = True  # pushed after its first run succeeded; QUndoStack.push calls redo() once more

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._session._run(self.text(), self._redo, undoing=False, replay=True)

    def undo(self) -> None:
        self._session._run(self.text(), self._undo, undoing=True, replay=True)


class EditorSession(QObject):
    """The open scenario, its undo stack and the truthful saved state."""

    changed = Signal(object)
    """A `Change`, after it is committed to the file and the snapshot updated."""
    saved = Signal(str)
    """A line for the status: what was saved, and when."""
    failed = Signal(str, str)
    """(what was tried, why it failed): nothing was changed."""

    def __init__(self, service: ScenarioService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.scenario: Scenario = service.load()
        self.stack = QUndoStack(self)
        self.stack.setObjectName("scenarioUndoStack")
        self.last_saved: datetime | None = None

    # The machinery ---------------------------------------------------------------------------------------
    def edit(self, text: str, redo: Callable[[], Change], undo: Callable[[], Change]) -> bool:
        """Run ``redo`` now; if the service stored it, put it on the undo stack. False when it was refused."""
        if not self._run(text, redo, undoing=False, replay=False):
            return False
        self.stack.push(_Command(self, text, redo, undo))
        return True

    def _run(self, text: str, work: Callable[[], Change], *, undoing: bool, replay: bool) -> bool:
        try:
            change = work()
        except CtpnError as error:
            self._refused(text, error, undoing, replay)
            return False
        except Exception as error:  # a database or disk error: report it, keep the window alive
            self._refused(text, error, undoing, replay)
            return False
        self.last_saved = datetime.now()
        self.changed.emit(change)
        verb = "Undone" if undoing else "Saved"
        self.saved.emit(f"{verb}: {text} — all changes are in the file ({self.last_saved:%H:%M:%S})")
        return True

    def _refused(self, text: str, error: BaseException, undoing: bool, replay: bool) -> None:
        message = str(error)
        if replay:
            # The file no longer matches what the history expects: start again from what the file holds.
            self.reload()
            QTimer.singleShot(0, self.stack.clear)
            message += " The editor reloaded the exercise from the file; the undo history was cleared."
        self.failed.emit(f"{'Undo' if undoing else 'Edit'} failed: {text}", message)

    def reload(self) -> None:
        self.scenario = self.service.load()
        self.changed.emit(Change(everything=True))

    # Snapshot updates ------------------------------------------------------------------------------------
    def _set_injects(self, injects: Iterable[Inject], removed: Iterable[str] = ()) -> Change:
        fresh = {i.id: i for i in injects}
        gone = set(removed)
        kept = [fresh.pop(i.id, i) for i in self.scenario.injects if i.id not in gone]
        self.scenario = replace(self.scenario, injects=(*kept, *fresh.values()))
        return Change(injects=frozenset(i.id for i in injects), removed=frozenset(gone))

    def _set_slots(self, slots: Sequence[InjectSlot], made: _Made, opposite: Sequence[InjectSlot],
                   unmade: _Made) -> Change:
        """Store the slots and move the snapshot's injects into them, in one pass over the snapshot.

        ``made`` remembers, per inject id, an inject this step moved and what it made of it; when the snapshot
        still holds that very inject (an undo or redo after an exact redo or undo), what it made is handed back
        instead of built again. What it makes is also remembered for the opposite step (``unmade``) when the
        inject came from the ``opposite`` slot: a slot edit changes nothing but the slot, so moving it back
        gives exactly the inject it started from.
        """
        self.service.put_slots(slots, opposite)
        by_id = {s.id: s for s in slots}
        back = {s.id: s for s in opposite}
        injects = list(self.scenario.injects)
        for n, inject in enumerate(injects):
            slot = by_id.get(inject.id)
            if slot is None:
                continue
            known = made.get(inject.id)
            if known is not None and known[0] is inject:
                injects[n] = known[1]
                continue
            moved = with_slot(inject, slot)
            made[inject.id] = (inject, moved)
            other = back.get(inject.id)
            if other is not None and in_slot(inject, other):
                unmade[inject.id] = (moved, inject)
            injects[n] = moved
        self.scenario = replace(self.scenario, injects=tuple(injects))
        return Change(injects=frozenset(by_id))

    def _put_injects(self, injects: Sequence[Inject], blobs: Mapping[str, bytes] | None = None) -> Change:
        stored = self.service.put_injects(injects, blobs)
        return self._set_injects(stored)

    def _delete_injects(self, ids: Sequence[str]) -> Change:
        gone = set(ids)
        self.service.delete_injects(list(ids))
        # The file clears dependencies on deleted injects (ON DELETE SET NULL); the snapshot follows.
        dependents = [replace(i, depends_on_id=None) for i in self.scenario.injects
                      if i.depends_on_id in gone and i.id not in gone]
        change = self._set_injects(dependents, gone)
        return change

    def _restore_injects(self, injects: Sequence[Inject], blobs: Mapping[str, bytes]) -> Change:
        """Put deleted injects back: first without dependencies (one may depend on another), then whole."""
        self.service.put_injects([replace(i, depends_on_id=None) for i in injects], blobs)
        return self._put_injects(injects)

    # Exercise --------------------------------------------------------------------------------------------
    def put_exercise(self, exercise: Exercise, text: str = "Edit exercise") -> bool:
        old = self.scenario.exercise
        if exercise == old:
            return True

        def store(value: Exercise) -> Callable[[], Change]:
            def work() -> Change:
                self.scenario = replace(self.scenario, exercise=self.service.put_exercise(value))
                return Change(exercise=True)
            return work

        return self.edit(text, store(exercise), store(old))

    # Programme -------------------------------------------------------------------------------------------
    def put_programme(self, programme: Programme, text: str = "Edit programme") -> bool:
        """Store the whole exercise programme; undo puts the previous one back."""
        old = self.scenario.programme
        if programme == old:
            return True

        def store(value: Programme) -> Callable[[], Change]:
            def work() -> Change:
                self.scenario = replace(self.scenario, programme=self.service.put_programme(value))
                return Change(programme=True)
            return work

        return self.edit(text, store(programme), store(old))

    # Objectives ------------------------------------------------------------------------------------------
    def _store_objectives(self, objectives: Sequence[Objective], removed: Iterable[str] = ()) -> Change:
        gone = set(removed)
        for objective_id in gone:
            self.service.delete_objective(objective_id)
        for objective in objectives:
            self.service.put_objective(objective)
        fresh = {o.id: o for o in objectives}
        kept = [fresh.pop(o.id, o) for o in self.scenario.objectives if o.id not in gone]
        ordered = sorted([*kept, *fresh.values()], key=lambda o: o.position)
        # The file drops links to deleted objectives (ON DELETE CASCADE); so does the snapshot.
        touched = [replace(i, objective_ids=tuple(o for o in i.objective_ids if o not in gone))
                   for i in self.scenario.injects if gone & set(i.objective_ids)]
        self.scenario = replace(self.scenario, objectives=tuple(ordered))
        if touched:
            self._set_injects(touched)
        return Change(objectives=True, injects=frozenset(i.id for i in touched))

    def add_objective(self, code: str, statement: str, capability: str = "") -> Objective | None:
        position = max((o.position for o in self.scenario.objectives), default=-1) + 1
        objective = Objective(str(uuid.uuid4()), code, statement, capability, position)
        done = self.edit(f"Add objective {code}", lambda: self._store_objectives([objective]),
                         lambda: self._store_objectives([], [objective.id]))
        return objective if done else None

    def put_objective(self, objective: Objective) -> bool:
        old = self.scenario.objective(objective.id)
        if old is None or old == objective:
            return old is not None
        return self.edit(f"Edit objective {objective.code}", lambda: self._store_objectives([objective]),
                         lambda: self._store_objectives([old]))

    def delete_objective(self, objective_id: str) -> bool:
        old = self.scenario.objective(objective_id)
        if old is None:
            return False
        linked = objective_links(self.scenario, objective_id).injects

        def undo() -> Change:
            change = self._store_objectives([old])
            self._put_injects(linked)
            return replace(change, injects=frozenset(i.id for i in linked))

        def redo() -> Change:
            change = self._store_objectives([], [objective_id])
            return replace(change, injects=frozenset(i.id for i in linked))

        return self.edit(f"Delete objective {old.code}", redo, undo)

    def move_objective(self, objective_id: str, step: int) -> bool:
        ordered = sorted(self.scenario.objectives, key=lambda o: o.position)
        index = next((n for n, o in enumerate(ordered) if o.id == objective_id), None)
        if index is None or not 0 <= index + step < len(ordered):
            return False
        ordered.insert(index + step, ordered.pop(index))
        new = [replace(o, position=n) for n, o in enumerate(ordered)]
        old = list(self.scenario.objectives)
        return self.edit("Reorder objectives", lambda: self._store_objectives(new),
                         lambda: self._store_objectives(old))

    # Organisations and roles -----------------------------------------------------------------------------
    def _store_organisations(self, organisations: Sequence[Organisation], removed: Iterable[str] = (),
                             injects: Sequence[Inject] = ()) -> Change:
        gone = set(removed)
        for organisation_id in gone:
            self.service.delete_organisation(organisation_id)
        for organisation in organisations:
            self.service.put_organisation(organisation)
        fresh = {o.id: o for o in organisations}
        kept = [fresh.pop(o.id, o) for o in self.scenario.organisations if o.id not in gone]
        self.scenario = replace(self.scenario, organisations=tuple(
            sorted([*kept, *fresh.values()], key=lambda o: o.position)))
        role_ids = {r.id for o in self.scenario.organisations for r in o.roles}
        org_ids = {o.id for o in self.scenario.organisations}
        # The file drops recipients of deleted organisations and roles (ON DELETE CASCADE); so does the snapshot.
        touched = []
        for inject in self.scenario.injects:
            recipients = tuple(r for r in inject.recipients
                               if r.organisation_id in org_ids and (r.role_id is None or r.role_id in role_ids))
            if recipients != inject.recipients:
                touched.append(replace(inject, recipients=recipients))
        change = self._set_injects(touched) if touched else Change()
        if injects:
            change = self._put_injects(injects)
        return Change(organisations=True, injects=change.injects | frozenset(i.id for i in touched))

    def add_organisation(self, organisation: Organisation) -> bool:
        position = max((o.position for o in self.scenario.organisations), default=-1) + 1
        organisation = replace(organisation, position=position)
        return self.edit(f"Add {organisation.name}", lambda: self._store_organisations([organisation]),
                         lambda: self._store_organisations([], [organisation.id]))

    def put_organisation(self, organisation: Organisation, text: str = "") -> bool:
        old = self.scenario.organisation(organisation.id)
        if old is None or old == organisation:
            return old is not None
        dropped_roles = {r.id for r in old.roles} - {r.id for r in organisation.roles}
        linked = [i for i in self.scenario.injects
                  if any(r.organisation_id == old.id and r.role_id in dropped_roles for r in i.recipients)]
        return self.edit(text or f"Edit {organisation.name}", lambda: self._store_organisations([organisation]),
                         lambda: self._store_organisations([old], injects=linked))

    def delete_organisation(self, organisation_id: str) -> bool:
        old = self.scenario.organisation(organisation_id)
        if old is None:
            return False
        linked = organisation_links(self.scenario, organisation_id).injects
        return self.edit(f"Delete {old.name}", lambda: self._store_organisations([], [organisation_id]),
                         lambda: self._store_organisations([old], injects=linked))

    def move_organisation(self, organisation_id: str, step: int) -> bool:
        ordered = sorted(self.scenario.organisations, key=lambda o: o.position)
        index = next((n for n, o in enumerate(ordered) if o.id == organisation_id), None)
        if index is None or not 0 <= index + step < len(ordered):
            return False
        ordered.insert(index + step, ordered.pop(index))
        new = [replace(o, position=n) for n, o in enumerate(ordered)]
        old = list(self.scenario.organisations)
        return self.edit("Reorder organisations", lambda: self._store_organisations(new),
                         lambda: self._store_organisations(old))

    # Phases ----------------------------------------------------------------------------------------------
    def _store_phases(self, phases: Sequence[Phase], removed: Iterable[str] = (),
                      injects: Sequence[Inject] = ()) -> Change:
        gone = set(removed)
        for phase_id in gone:
            self.service.delete_phase(phase_id)
        for phase in phases:
            self.service.put_phase(phase)
        fresh = {p.id: p for p in phases}
        kept = [fresh.pop(p.id, p) for p in self.scenario.phases if p.id not in gone]
        self.scenario = replace(self.scenario, phases=tuple(
            sorted([*kept, *fresh.values()], key=lambda p: (p.position, p.start_offset_s))))
        touched = [replace(i, phase_id=None) for i in self.scenario.injects if i.phase_id in gone]
        ids = frozenset(i.id for i in touched)
        if touched:
            self._set_injects(touched)
        if injects:
            ids |= self._put_injects(injects).injects
        return Change(phases=True, injects=ids)

    def add_phase(self, phase: Phase) -> bool:
        phase = replace(phase, position=max((p.position for p in self.scenario.phases), default=-1) + 1)
        return self.edit(f"Add phase {phase.name}", lambda: self._store_phases([phase]),
                         lambda: self._store_phases([], [phase.id]))

    def put_phase(self, phase: Phase) -> bool:
        old = self.scenario.phase(phase.id)
        if old is None or old == phase:
            return old is not None
        return self.edit(f"Edit phase {phase.name}", lambda: self._store_phases([phase]),
                         lambda: self._store_phases([old]))

    def delete_phase(self, phase_id: str) -> bool:
        old = self.scenario.phase(phase_id)
        if old is None:
            return False
        linked = phase_links(self.scenario, phase_id).injects
        return self.edit(f"Delete phase {old.name}", lambda: self._store_phases([], [phase_id]),
                         lambda: self._store_phases([old], injects=linked))

    # Injects ---------------------------------------------------------------------------------------------
    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.scenario.injects if i.id == inject_id), None)

    def next_number(self) -> int:
        return max((i.number for i in self.scenario.injects), default=0) + 1

    def add_inject(self, inject: Inject, blobs: Mapping[str, bytes] | None = None) -> bool:
        return self.edit(f"Add inject {inject.number}", lambda: self._put_injects([inject], blobs or {}),
                         lambda: self._delete_injects([inject.id]))

    def put_inject(self, inject: Inject, text: str = "", blobs: Mapping[str, bytes] | None = None) -> bool:
        old = self.inject(inject.id)
        if old is None:
            return False
        if old == inject:
            return True
        new_ids = {a.id for a in inject.attachments}
        removed = [a for a in old.attachments if a.id not in new_ids]
        old_blobs = self.service.attachment_blobs_of([replace(old, attachments=tuple(removed))]) if removed else {}
        added = dict(blobs or {})
        return self.edit(text or f"Edit inject {inject.number}", lambda: self._put_injects([inject], added),
                         lambda: self._put_injects([old], old_blobs))

    def delete_injects(self, ids: Sequence[str]) -> bool:
        wanted = set(ids)
        old = msel_order(i for i in self.scenario.injects if i.id in wanted)
        if not old:
            return False
        dependents = [i for i in self.scenario.injects if i.depends_on_id in wanted and i.id not in wanted]
        blobs = self.service.attachment_blobs_of(old)
        numbers = ", ".join(str(i.number) for i in old[:5]) + (" …" if len(old) > 5 else "")
        text = f"Delete inject {numbers}" if len(old) == 1 else f"Delete {len(old)} injects ({numbers})"

        def undo() -> Change:
            change = self._restore_injects(old, blobs)
            if dependents:
                change = replace(change, injects=change.injects | self._put_injects(dependents).injects)
            return change

        return self.edit(text, lambda: self._delete_injects([i.id for i in old]), undo)

    def duplicate_injects(self, ids: Sequence[str]) -> list[Inject]:
        wanted = set(ids)
        sources = msel_order(i for i in self.scenario.injects if i.id in wanted)
        if not sources:
            return []
        blobs = self.service.attachment_blobs_of(sources)
        number = self.next_number()
        copies: list[Inject] = []
        copied_blobs: dict[str, bytes] = {}
        for offset, source in enumerate(sources):
            copy, data = duplicate_of(source, number + offset, blobs)
            copies.append(copy)
            copied_blobs.update(data)
        text = f"Duplicate inject {sources[0].number}" if len(sources) == 1 else f"Duplicate {len(sources)} injects"
        done = self.edit(text, lambda: self._put_injects(copies, copied_blobs),
                         lambda: self._delete_injects([c.id for c in copies]))
        return copies if done else []

    def _slots_edit(self, text: str, slots: Sequence[InjectSlot]) -> bool:
        if not slots:
            return True
        by_id = {i.id: i for i in self.scenario.injects}
        old = [InjectSlot.of(by_id[s.id]) for s in slots]
        new = list(slots)
        redone: _Made = {}
        undone: _Made = {}
        return self.edit(text, lambda: self._set_slots(new, redone, old, undone),
                         lambda: self._set_slots(old, undone, new, redone))

    def retime(self, ids: Sequence[str], delta_s: int, *, move_scenario_time: bool = True) -> bool:
        slots = retimed_slots(self.scenario.injects, ids, delta_s, move_scenario_time=move_scenario_time)
        sign = "+" if delta_s >= 0 else "−"
        minutes = abs(delta_s) // 60
        amount = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
        if abs(delta_s) % 60:
            amount = f"{abs(delta_s)} s" if minutes == 0 else f"{amount} {abs(delta_s) % 60} s"
        noun = "inject" if len(slots) == 1 else "injects"
        return self._slots_edit(f"Re-time {len(slots)} {noun} by {sign}{amount}", slots)

    def retime_following(self, inject_id: str, delta_s: int, *, move_scenario_time: bool = True) -> bool:
        return self.retime(following_ids(self.scenario.injects, inject_id), delta_s,
                           move_scenario_time=move_scenario_time)

    def move_injects(self, ids: Sequence[str], before_id: str | None) -> bool:
        slots = moved_slots(self.scenario.injects, ids, before_id)
        numbers = ", ".join(str(i.number) for i in msel_order(i for i in self.scenario.injects if i.id in set(ids)))
        return self._slots_edit(f"Move inject {numbers}", slots)

    def move_step(self, ids: Sequence[str], step: int) -> bool:
        """Move the injects one place up (-1) or down (+1) in MSEL order (keyboard reorder)."""
        ordered = msel_order(self.scenario.injects)
        wanted = set(ids)
        indexes = [n for n, i in enumerate(ordered) if i.id in wanted]
        if not indexes:
            return False
        if step < 0:
            if indexes[0] == 0:
                return False
            before: str | None = ordered[indexes[0] - 1].id
        else:
            after = indexes[-1] + 2
            if indexes[-1] + 1 >= len(ordered):
                return False
            before = ordered[after].id if after < len(ordered) else None
        return self.move_injects([ordered[n].id for n in indexes], before)

    def renumber(self) -> bool:
        slots = renumbered_slots(self.scenario.injects)
        return self._slots_edit(f"Renumber {len(slots)} injects", slots)

    def insert_from_library(self, insertion: Insertion) -> bool:
        """Injects picked from the inject library, with the organisations and roles they need, as one edit;
        undo takes them all out again."""
        if not insertion.injects:
            return False
        added = list(insertion.added_organisations)
        grown = list(insertion.grown_organisations)
        old_grown = [o for o in self.scenario.organisations if o.id in {g.id for g in grown}]
        injects = list(insertion.injects)
        blobs = dict(insertion.blobs)

        def redo() -> Change:
            for organisation in [*added, *grown]:
                self.service.put_organisation(organisation)
            fresh = {o.id: o for o in [*added, *grown]}
            kept = [fresh.pop(o.id, o) for o in self.scenario.organisations]
            self.scenario = replace(self.scenario, organisations=tuple(
                sorted([*kept, *fresh.values()], key=lambda o: o.position)))
            change = self._put_injects(injects, blobs)
            return replace(change, organisations=bool(added or grown))

        def undo() -> Change:
            change = self._delete_injects([i.id for i in injects])
            if added or grown:
                change = replace(self._store_organisations(old_grown, [o.id for o in added]),
                                 removed=change.removed)
            return change

        numbers = ", ".join(str(i.number) for i in injects[:5]) + (" …" if len(injects) > 5 else "")
        noun = "inject" if len(injects) == 1 else "injects"
        return self.edit(f"Insert {len(injects)} {noun} from the library ({numbers})", redo, undo)

    # Import ----------------------------------------------------------------------------------------------
    def import_outcome(self, outcome: ImportOutcome, source: str) -> bool:
        """Store an import the designer confirmed, in one transaction; undo removes, again in one transaction,
        what it added and created. A failure either way leaves the document as it was before that step."""
        before = self.scenario
        after = outcome.scenario
        added = [i.id for i in outcome.added]

        def redo() -> Change:
            self.scenario = self.service.merge_in(after)
            return Change(everything=True)

        def undo() -> Change:
            self.scenario = self.service.take_back_merge(before, after)
            return Change(everything=True)

        noun = "inject" if len(added) == 1 else "injects"
        return self.edit(f"Import {len(added)} {noun} from {source}", redo, undo)

"""Merging the decision logs that several note-takers kept on separate copies of one exercise document.

Each laptop's log is its own hash chain (per run and device), so records are copied verbatim — same ids,
hashes, device and chain position — and both chains stay verifiable. Nothing is re-chained or renumbered.

Entry numbers: each laptop numbers its entries itself, so two laptops can both have an "entry 12". The stored
number is part of the hash and is kept; entries are presented interleaved by the time they were logged (then
number, then device — see ``log.entry_order``), and the device tells them apart. New entries continue after the
highest number in the run.

The other copy is never written to: it is checked read-only, then read through a read-only connection in one
read transaction (one state of it, even while it is being written). An older file is first copied with SQLite's
backup API into a temporary folder, and only that copy is migrated and read. A merge is refused, with the reason
and with this document unchanged, when the other file is not a sound document, belongs to another exercise, holds
a run this document does not have, has a broken chain, or conflicts (the same chain position or the same revision
of an entry written differently on each side). Merging the same copy again adds nothing.

The evaluation is merged the same way: observations, hot-wash notes and improvement actions are copied with their
ids, and so is every later version of them (edits and withdrawals are insert-only revision rows), with the
evidence each version cites and each saved executive summary. A note or a version present on both sides must be
identical; the same version of a note written differently on each laptop (both evaluators edited it) is refused,
naming the note, so that neither edit is lost.

Syndicates, their laptops and their answers, and replay bookmarks, come across like observations (new ones are
added, ours are kept).
A syndicate note-taker's copy can be merged *for* a syndicate: the laptops whose records arrive for the first time
are then recorded as that syndicate's note-takers' laptops, so their entries (those that name no other syndicate)
count as the syndicate's — the records themselves, and their hashes, are not touched.
"""

from __future__ import annotations

import contextlib
import gc
import operator
import tempfile
import uuid
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.orm import Session

from ctpn_desktop.core.errors import EncryptedDocumentError, MergeRefused
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.log import verify_records
from ctpn_desktop.storage import cipher, db, fts
from ctpn_desktop.storage.cipher import DocumentKey
from ctpn_desktop.storage.orm import (
    Base,
    ExecutiveSummaryRow,
    ExerciseRow,
    HotwashNoteRevisionRow,
    HotwashNoteRow,
    ImprovementActionRevisionRow,
    ImprovementActionRow,
    LogRecordRow,
    ObservationEvidenceRow,
    ObservationRevisionRow,
    ObservationRow,
    ReplayBookmarkRow,
    RunRow,
    SyndicateAnswerRow,
    SyndicateDeviceRow,
    SyndicateRow,
)

FIRST_VERSIONS: tuple[tuple[type[Base], str], ...] = (
    (ObservationRow, "an observation"), (HotwashNoteRow, "a hot wash note"),
    (ImprovementActionRow, "an improvement action"),
)
LATER_VERSIONS: tuple[tuple[type[Base], str, str], ...] = (
    (ObservationRevisionRow, "observation_id", "an observation"),
    (HotwashNoteRevisionRow, "note_id", "a hot wash note"),
    (ImprovementActionRevisionRow, "action_id", "an improvement action"),
    (ExecutiveSummaryRow, "run_id", "the executive summary"),
)
"""Insert-only version tables: the model, the column naming what is versioned, and what it is called."""
EVALUATION_TABLES: tuple[type[Base], ...] = (*(m for m, _ in FIRST_VERSIONS), *(m for m, _, _ in LATER_VERSIONS),
                                            ObservationEvidenceRow, ReplayBookmarkRow)
SYNDICATE_TABLES: tuple[type[Base], ...] = (SyndicateRow, SyndicateDeviceRow, SyndicateAnswerRow)
"""Merged after the evaluation rows, in this order (answers and laptops refer to their syndicate)."""


@dataclass(frozen=True)
class MergeReport:
    source: str
    records_added: int
    entries_added: int
    entries_revised: int
    observations_added: int
    hotwash_notes_added: int
    improvement_actions_added: int
    runs: tuple[str, ...]
    evaluation_versions_added: int = 0
    """Edits and withdrawals of observations, hot-wash notes and improvement actions, and saved summaries."""
    evidence_added: int = 0
    syndicate_rows_added: int = 0
    syndicate: str = ""
    """The syndicate the note-taker's laptops were assigned to, when merged for one."""
    laptops_assigned: int = 0
    bookmarks_added: int = 0
    """Replay bookmarks (moments marked at the debrief) this copy lacked."""

    @property
    def changed(self) -> bool:
        return bool(self.records_added or self.observations_added or self.hotwash_notes_added
                    or self.improvement_actions_added or self.evaluation_versions_added or self.evidence_added
                    or self.syndicate_rows_added or self.laptops_assigned or self.bookmarks_added)

    def describe(self) -> str:
        if not self.changed:
            return f"Nothing new in {self.source}: everything it holds is already here."
        revised = (f", {self.evaluation_versions_added} edits or withdrawals of evaluation notes"
                   if self.evaluation_versions_added else "")
        cited = f", {self.evidence_added} evidence links" if self.evidence_added else ""
        cited += f", {self.bookmarks_added} replay bookmarks" if self.bookmarks_added else ""
        return (f"Merged from {self.source}: {self.entries_added} new log entries, {self.entries_revised} "
                f"corrections or withdrawals ({self.records_added} records), {self.observations_added} observations,"
                f" {self.hotwash_notes_added} hot wash notes, {self.improvement_actions_added} improvement actions"
                f"{revised}{cited} — run(s) {', '.join(self.runs) or 'none'}." + self._syndicate_words())

    def _syndicate_words(self) -> str:
        words = f" {self.syndicate_rows_added} syndicate records." if self.syndicate_rows_added else ""
        if self.syndicate:
            laptops = "laptop" if self.laptops_assigned == 1 else "laptops"
            words += f" Its log is {self.syndicate}'s ({self.laptops_assigned} note-taker's {laptops})."
        return words


LOG_COLUMNS: tuple[str, ...] = tuple(column.key for column in LogRecordRow.__table__.columns)
LogValues = namedtuple("LogValues", LOG_COLUMNS)  # type: ignore[misc]
"""A log record as plain values: tens of thousands of them are checked, hashed and compared in a merge, and a
named tuple's fields read many times faster than a result row's or an ORM object's."""


def _values(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@dataclass
class _Copy:
    exercise_id: str | None
    runs: dict[str, RunRow]
    records: list[Any]
    """`LogValues` of every record of the other copy."""
    extras: dict[type[Base], list[dict[str, Any]]]


def _other_key(document: Document, path: Path, passphrase: str | None) -> DocumentKey | None:
    """The key of the other copy: from its own passphrase, or this document's key when the copy was made from an
    encrypted document with the same key (a copy or backup of it). An encrypted copy without either is refused
    with an `EncryptedDocumentError`, so that its passphrase can be asked for."""
    if not db.is_encrypted(path):
        return None
    cipher.require()
    if passphrase is not None:
        return cipher.key_for_file(path, passphrase)
    if document.key is not None and cipher.key_fits(path, document.key):
        return document.key
    raise EncryptedDocumentError(str(path), "the other copy is encrypted: it opens with its own passphrase")


def _read_other(path: Path, key: DocumentKey | None) -> _Copy:
    """Everything the other copy holds that a merge may bring; an older file is read from a migrated copy."""
    check = db.check_file(path, key)  # read-only: refuses foreign, truncated, damaged or newer files unchanged
    if not check.needs_migration:
        return _read_file(path, key)
    with tempfile.TemporaryDirectory(prefix="ctpn-merge-") as folder:
        copy = db.backup_to(path, Path(folder) / "other.ctpn", key)
        db.migrate(copy, key)
        return _read_file(copy, key)


def _read_file(path: Path, key: DocumentKey | None) -> _Copy:
    engine = db.make_read_only_engine(path, key)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")  # every query below sees the same state of the file
            with Session(connection) as session:
                exercise = session.scalars(select(ExerciseRow)).first()
                runs = {r.id: r for r in session.scalars(select(RunRow))}
                table = LogRecordRow.__table__
                records = [LogValues._make(row) for row in session.execute(
                    select(*(table.c[name] for name in LOG_COLUMNS))).all()]
                tables: tuple[type[Base], ...] = (*EVALUATION_TABLES, *SYNDICATE_TABLES)
                extras: dict[type[Base], list[dict[str, Any]]] = {
                    model: [_values(r) for r in session.scalars(select(model))] for model in tables
                }
                session.expunge_all()
    finally:
        engine.dispose()
    return _Copy(exercise.id if exercise else None, runs, records, extras)


def merge_from(document: Document, other_path: Path, *, syndicate_id: str | None = None,
               passphrase: str | None = None) -> MergeReport:
    """Bring into ``document`` every log record and evaluation note of another copy that it lacks.

    An encrypted other copy opens with ``passphrase`` (or with this document's key, when it is a copy of it);
    either side may be encrypted or not.

    With ``syndicate_id``, the other copy is that syndicate's note-taker's: the laptops it brings in for the first
    time (in the syndicate's run) become the syndicate's note-takers' laptops.
    """
    with _cycle_collection_paused():
        return _merge(document, Path(other_path), syndicate_id, passphrase)


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """A merge makes and drops a hundred thousand small objects (rows, values, parameters), none of them in a
    reference cycle; Python's cycle collector would scan the whole application's heap again and again meanwhile
    (a tenth of a 20,000-record merge). Reference counting still frees them; cycles are collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge(document: Document, other_path: Path, syndicate_id: str | None, passphrase: str | None) -> MergeReport:
    name = str(other_path)
    if other_path.resolve() == document.path.resolve():
        raise MergeRefused(name, "this is the open document itself; choose the other laptop's copy")
    other = _read_other(other_path, _other_key(document, other_path, passphrase))

    check = verify_records(other.records)
    if not check.ok:
        raise MergeRefused(name, f"its decision log fails the integrity check (first problem at entry "
                                 f"{check.first_bad_entry_number}: {check.problems[0]}); nothing was merged")

    with document.sessions() as session, session.begin():
        exercise = session.scalars(select(ExerciseRow)).first()
        if exercise is None or other.exercise_id != exercise.id:
            raise MergeRefused(name, "it is a copy of another exercise, not of this one")
        ours = {r.id for r in session.scalars(select(RunRow))}
        used_runs = {r.run_id for r in other.records} | {
            v["run_id"] for rows in other.extras.values() for v in rows}
        missing = sorted(used_runs - ours)
        if missing:
            run = other.runs.get(missing[0])
            label = f"'{run.label}' (run {run.number})" if run else missing[0]
            raise MergeRefused(name, f"it holds a log for run {label}, which this document does not have; merge "
                                     "copies of the same run, made from the same document")
        syndicate = session.get(SyndicateRow, syndicate_id) if syndicate_id is not None else None
        if syndicate_id is not None and syndicate is None:
            raise MergeRefused(name, "the syndicate to merge it for does not exist in this document")
        known_devices = set(session.scalars(select(LogRecordRow.device_id).where(
            LogRecordRow.run_id == syndicate.run_id).distinct())) if syndicate is not None else set()
        added = _merge_records(session, name, other.records)
        known_versions = _version_keys(session)
        counts = {model: _merge_rows(session, name, model, other.extras[model], what)
                  for model, what in FIRST_VERSIONS}
        counts |= {model: _merge_versions(session, name, model, other.extras[model], key, what)
                   for model, key, what in LATER_VERSIONS}
        bookmarks = _merge_new(session, ReplayBookmarkRow, other.extras[ReplayBookmarkRow])
        evidence = _merge_evidence(session, name, other.extras[ObservationEvidenceRow], known_versions)
        counts |= {model: (_merge_devices(session, other.extras[model]) if model is SyndicateDeviceRow
                           else _merge_new(session, model, other.extras[model])) for model in SYNDICATE_TABLES}
        assigned = _assign_laptops(session, name, syndicate, added, known_devices) if syndicate is not None else 0
        touched = {r.run_id for r in added} | {v["run_id"] for rows in other.extras.values() for v in rows}
        labels = tuple(f"{row.number} {row.label}".strip() for row in session.scalars(
            select(RunRow).where(RunRow.id.in_(touched)).order_by(RunRow.number)))
        syndicate_name = syndicate.name if syndicate is not None else ""
    return MergeReport(
        source=name, records_added=len(added),
        entries_added=len({r.entry_id for r in added if r.revision == 1}),
        entries_revised=len([r for r in added if r.revision > 1]),
        observations_added=counts[ObservationRow], hotwash_notes_added=counts[HotwashNoteRow],
        improvement_actions_added=counts[ImprovementActionRow],
        runs=labels, evaluation_versions_added=sum(counts[model] for model, _, _ in LATER_VERSIONS),
        evidence_added=evidence, bookmarks_added=bookmarks,
        syndicate_rows_added=sum(counts[model] for model in SYNDICATE_TABLES),
        syndicate=syndicate_name, laptops_assigned=assigned,
    )


class _Link(NamedTuple):
    """A record's place in its chain: what checking the shape of a chain reads."""

    id: str
    run_id: str
    device_id: str
    chain_seq: int
    prev_hash: str
    hash: str
    entry_number: int
    revision: int
    logged_at: str


def _merge_records(session: Session, name: str, records: list[Any]) -> list[Any]:
    """Insert the records we lack, verbatim; refused (nothing written) on any conflict with ours."""
    columns = LogRecordRow.__table__.c
    ours = session.execute(select(columns.id, columns.hash, columns.run_id, columns.device_id, columns.chain_seq,
                                  columns.entry_id, columns.revision, columns.entry_number)).all()
    ids, hashes, runs, devices, seqs, entries, versions, numbers = zip(*ours, strict=True) if ours else ((),) * 8
    hash_of = dict(zip(ids, hashes, strict=True))
    number_at: dict[tuple[str, str, int], int] = dict(zip(zip(runs, devices, seqs, strict=True), numbers, strict=True))
    revisions = set(zip(entries, versions, strict=True))
    added: list[Any] = []
    for record in sorted(records, key=operator.attrgetter("run_id", "device_id", "chain_seq")):
        mine = hash_of.get(record.id)
        if mine is not None:
            if mine != record.hash:
                raise MergeRefused(name, f"entry {record.entry_number} revision {record.revision} differs between "
                                         "the two copies; one of them was changed")
            continue
        position = (record.run_id, record.device_id, record.chain_seq)
        clash = number_at.get(position)
        if clash is not None:
            raise MergeRefused(name, f"the log of device '{record.device_id}' went two different ways (position "
                                     f"{record.chain_seq}: entry {clash} here, entry {record.entry_number} there); "
                                     "were both laptops set up with the same device name?")
        revision = (record.entry_id, record.revision)
        if revision in revisions:
            raise MergeRefused(name, f"entry {record.entry_number} was corrected on both laptops (revision "
                                     f"{record.revision}); merge refused so that neither correction is lost")
        number_at[position] = record.entry_number
        revisions.add(revision)
        added.append(record)
    _check_merged_chains(session, name, added)
    if added:
        _insert_records(session, [record._asdict() for record in added])
    return added


def _check_merged_chains(session: Session, name: str, added: list[Any]) -> None:
    """Every added record's hash was checked in the other copy and ours are untouched: the shape of the merged
    chains (no gap, each record after its predecessor) is what is left to check, before anything is written."""
    chains = {(r.run_id, r.device_id) for r in added}
    if not chains:
        return
    columns = LogRecordRow.__table__.c
    ours = [_Link._make(row) for row in session.execute(select(*(columns[field] for field in _Link._fields))
                                                        .where(tuple_(columns.run_id, columns.device_id).in_(chains)))]
    after = verify_records([*ours, *added], rehash=False)
    if not after.ok:
        raise MergeRefused(name, f"after merging, the log would not verify ({after.problems[0]}); nothing was "
                                 "merged")


def _insert_records(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert log records verbatim, many to a statement, in the session's transaction, and index them for search.

    With RETURNING, SQLAlchemy sends them as multi-row INSERTs (its "insertmanyvalues") on SQLite too, rather
    than one statement per row. On SQLite the trigger queues each record for the search index and the index is
    filled a few thousand records to a statement before the merge commits (FTS5 writes out what it holds at the
    end of every statement, so one per row would leave tens of thousands of tiny segments to merge). On
    PostgreSQL the records' search words go into their table alongside."""
    table = cast(Table, LogRecordRow.__table__)
    session.execute(insert(table).returning(table.c.id), rows).close()  # the ids are ours: nothing to read back
    fts.index_records(session, rows)


def _merge_rows(session: Session, name: str, model: type[Base], rows: list[dict[str, Any]], what: str) -> int:
    """First versions of evaluation notes: new ones copied, those on both sides must be the same."""
    present = {values["id"]: values for values in (_values(r) for r in session.scalars(select(model)))}
    new = []
    for values in rows:
        mine = present.get(values["id"])
        if mine is None:
            new.append(model(**values))
        elif mine != values:
            raise MergeRefused(name, f"{what} (“{_excerpt(values)}”) differs between the two copies as first "
                                     "written; one of them was changed outside the application")
    session.add_all(new)
    session.flush()
    return len(new)


def _excerpt(values: dict[str, Any]) -> str:
    text = next((str(values[k]) for k in ("text", "issue", "strengths") if values.get(k)), "")
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def _merge_versions(session: Session, name: str, model: type[Base], rows: list[dict[str, Any]], key: str,
                    what: str) -> int:
    """Later versions: copied verbatim; the same version written differently on each side is a conflict."""
    present = {values["id"]: values for values in (_values(r) for r in session.scalars(select(model)))}
    versions = {(values[key], values["revision"]): values["id"] for values in present.values()}
    new = []
    for values in sorted(rows, key=lambda v: (v[key], v["revision"])):
        mine = present.get(values["id"])
        if mine is not None:
            if mine != values:
                raise MergeRefused(name, f"version {values['revision']} of {what} (“{_excerpt(values)}”) differs "
                                         "between the two copies; one of them was changed outside the application")
            continue
        if (values[key], values["revision"]) in versions:
            raise MergeRefused(name, f"{what} (“{_excerpt(values)}”) was changed on both laptops (version "
                                     f"{values['revision']}); merge refused so that neither change is lost — "
                                     "agree on one wording, then edit it on one laptop only")
        versions[(values[key], values["revision"])] = values["id"]
        new.append(model(**values))
    session.add_all(new)
    session.flush()
    return len(new)


def _version_keys(session: Session) -> set[tuple[str, int]]:
    """The (observation, version) pairs this document held before the merge."""
    keys = {(observation_id, 1) for observation_id in session.scalars(select(ObservationRow.id))}
    keys |= {(row.observation_id, row.revision) for row in session.execute(
        select(ObservationRevisionRow.observation_id, ObservationRevisionRow.revision))}
    return keys


def _merge_evidence(session: Session, name: str, rows: list[dict[str, Any]], known: set[tuple[str, int]]) -> int:
    """What each version cites comes with that version; a version both sides had must cite the same."""
    theirs: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for values in rows:
        theirs.setdefault((values["observation_id"], values["revision"]), set()).add(
            (values["kind"], values["target_id"]))
    ours: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for row in session.scalars(select(ObservationEvidenceRow)):
        ours.setdefault((row.observation_id, row.revision), set()).add((row.kind, row.target_id))
    for version, cited in theirs.items():
        if version in known and ours.get(version, set()) != cited:
            raise MergeRefused(name, f"the evidence cited by version {version[1]} of an observation differs between "
                                     "the two copies; one of them was changed outside the application")
    new = [ObservationEvidenceRow(**values) for values in rows
           if (values["observation_id"], values["revision"]) not in known]
    session.add_all(new)
    session.flush()
    return len(new)


def _merge_new(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> int:
    """Syndicates and their answers we lack; a syndicate edited on both copies keeps our version (its name,
    members and people are plain facts about the group, and answers are insert-only)."""
    present = set(session.scalars(select(model.id)))  # type: ignore[attr-defined]
    new = [model(**values) for values in rows if values["id"] not in present]
    session.add_all(new)
    session.flush()
    return len(new)


def _merge_devices(session: Session, rows: list[dict[str, Any]]) -> int:
    """Laptop assignments we lack; where both copies assigned the same laptop, ours stands."""
    present = {(run, device) for run, device in session.execute(
        select(SyndicateDeviceRow.run_id, SyndicateDeviceRow.device_id))}
    ids = set(session.scalars(select(SyndicateDeviceRow.id)))
    new = [SyndicateDeviceRow(**values) for values in rows
           if values["id"] not in ids and (values["run_id"], values["device_id"]) not in present]
    session.add_all(new)
    session.flush()
    return len(new)


def _assign_laptops(session: Session, name: str, syndicate: SyndicateRow, added: list[Any],
                    known_devices: set[str]) -> int:
    """The laptops whose records of the syndicate's run arrived with this merge, and not before, become its
    note-takers' laptops; a laptop already taking notes for another syndicate refuses the merge."""
    laptops = sorted({r.device_id for r in added if r.run_id == syndicate.run_id} - known_devices)
    taken = dict(session.execute(select(SyndicateDeviceRow.device_id, SyndicateDeviceRow.syndicate_id).where(
        SyndicateDeviceRow.run_id == syndicate.run_id, SyndicateDeviceRow.device_id.in_(laptops))).all())
    assigned = 0
    for laptop in laptops:
        holder = taken.get(laptop)
        if holder == syndicate.id:
            continue
        if holder is not None:
            other = session.get(SyndicateRow, holder)
            raise MergeRefused(name, f"laptop '{laptop}' already takes notes for {other.name if other else 'another'}"
                                     f" syndicate, not {syndicate.name}; nothing was merged")
        session.add(SyndicateDeviceRow(id=str(uuid.uuid4()), run_id=syndicate.run_id, syndicate_id=syndicate.id,
                                       device_id=laptop, assigned_at=datetime.now(UTC).isoformat()))
        assigned += 1
    session.flush()
    return assigned

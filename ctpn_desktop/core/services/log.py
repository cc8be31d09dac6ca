"""The decision log: entries are appended, corrected by new revisions, never erased or overwritten.

Each stored revision is chained by SHA-256 to the previous revision written on the same laptop for the same
run (a chain per run and device), so a laptop's log can be verified on its own and merged into another copy
without re-chaining. Changing any stored field, deleting a row or inserting one breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import operator
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from json.encoder import encode_basestring
from types import SimpleNamespace
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased

from ctpn_desktop.core.clock import TimeSource, scenario_time, scenario_time_in, story_schedule
from ctpn_desktop.core.entities import ActionItem, JdmStage, LogEntry, LogKind, LogRevision, Phase
from ctpn_desktop.core.errors import RoomOffline, RunStateError, ValidationFailed
from ctpn_desktop.core.roles import Permission
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.journal import SENT, JournalItem
from ctpn_desktop.core.timeline import PhaseStart
from ctpn_desktop.storage import db, fts
from ctpn_desktop.storage.fts import FTS_TABLE
from ctpn_desktop.storage.orm import LogRecordRow, SyndicateDeviceRow
from ctpn_desktop.storage.tracking import Prepared

GENESIS = "0" * 64
HASHED_FIELDS = (
    "id", "entry_id", "run_id", "revision", "entry_number", "device_id", "chain_seq", "logged_at", "committed_at",
    "exercise_s", "scenario_time", "logged_by", "decision_maker", "organisation", "kind", "text", "rationale",
    "options_considered", "actions", "inject_id", "objective_ids", "jdm_stage", "revision_reason", "withdrawn",
    "prev_hash",
)


@dataclass(frozen=True)
class LogDraft:
    """What a note-taker typed, before it is stored."""

    kind: LogKind
    text: str
    rationale: str = ""
    options_considered: str = ""
    actions: tuple[ActionItem, ...] = ()
    decision_maker: str = ""
    organisation: str = ""
    logged_by: str = ""
    inject_id: str | None = None
    objective_ids: tuple[str, ...] = ()
    jdm_stage: JdmStage | None = None
    logged_at: datetime | None = None
    syndicate_id: str | None = None


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    records_checked: int
    chains: int
    problems: tuple[str, ...] = field(default=())
    first_bad_entry_number: int | None = None
    first_bad_record_id: str | None = None


class LogSummary(NamedTuple):
    """The current revision of an entry as a log table shows it: cheap to make by the ten thousand.

    Values stay as SQLite returns them (times as ISO text, the kind as its value) so that a view of 50,000
    entries converts only the rows it paints; the full entry with its history comes from ``LogService.entry``.
    """

    entry_id: str
    record_id: str
    entry_number: int
    revision: int
    device_id: str
    logged_at: str
    exercise_s: float
    kind: str
    decision_maker: str
    organisation: str
    text: str
    rationale: str
    logged_by: str
    inject_id: str | None
    withdrawn: bool
    syndicate_id: str | None = None

    @property
    def logged_time(self) -> datetime:
        return datetime.fromisoformat(self.logged_at)

    @property
    def log_kind(self) -> LogKind:
        return LogKind(self.kind)

    @property
    def corrected(self) -> bool:
        return self.revision > 1

    @property
    def pending(self) -> bool:
        """Kept on this station while the room's server is away; numbered when it arrives."""
        return self.entry_number == 0

    @classmethod
    def of(cls, entry: LogEntry) -> LogSummary:
        rev = entry.current
        return cls(rev.entry_id, rev.id, rev.entry_number, rev.revision, rev.device_id,
                   rev.logged_at.isoformat(timespec="microseconds"), rev.exercise_s, rev.kind.value,
                   rev.decision_maker, rev.organisation, rev.text, rev.rationale, rev.logged_by, rev.inject_id,
                   rev.withdrawn, rev.syndicate_id)


_SUMMARY_COLUMNS = (
    LogRecordRow.entry_id, LogRecordRow.id, LogRecordRow.entry_number, LogRecordRow.revision, LogRecordRow.device_id,
    LogRecordRow.logged_at, LogRecordRow.exercise_s, LogRecordRow.kind, LogRecordRow.decision_maker,
    LogRecordRow.organisation, LogRecordRow.text, LogRecordRow.rationale, LogRecordRow.logged_by,
    LogRecordRow.inject_id, LogRecordRow.withdrawn, LogRecordRow.syndicate_id,
)
PLENARY = ""
"""The ``syndicate`` filter for entries that belong to no syndicate (the plenary's, or the control room's)."""


def _is_word_character(character: str) -> bool:
    return unicodedata.category(character)[0] in "LN" or unicodedata.category(character) in ("Co", "So")


def fts_query(query: str) -> str | None:
    """What a person typed as a safe FTS5 MATCH expression: every word must appear, as a word or its start.

    Each whitespace-separated word becomes a quoted phrase (quotes inside doubled) with a prefix star, so FTS5
    operators (AND, OR, NOT, NEAR, ``*``, ``^``, ``:``, brackets, quotes) typed by people are only ever text.
    Words with no letter, digit or symbol in them cannot match anything and are left out; None means that
    nothing searchable was typed.
    """
    words = [w for w in query.split() if any(_is_word_character(c) for c in w)]
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` does: the canonical
form of every hash ever written, so the bytes it makes must never change."""
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))
_WITH_SYNDICATE = tuple(sorted((*HASHED_FIELDS, "syndicate_id")))
_sorted_values = operator.attrgetter(*_SORTED_FIELDS)
_EXERCISE_S = _SORTED_FIELDS.index("exercise_s")
_WITHDRAWN = _SORTED_FIELDS.index("withdrawn")
_SYNDICATE_AT = _WITH_SYNDICATE.index("syndicate_id")
_JSON_OF: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, bool: lambda v: "true" if v else "false", type(None): lambda _: "null",
}
"""How `_CANONICAL` writes a value of each of these exact types (the function it uses for strings, the repr of an
integer, JSON's literals)."""
_OBJECT_OF: dict[tuple[str, ...], str] = {
    fields: "{" + ",".join(encode_basestring(name) + ":%s" for name in fields) + "}"
    for fields in (_SORTED_FIELDS, _WITH_SYNDICATE)
}
"""`_CANONICAL`'s object of these keys (in sorted order, no spaces), with a slot for each value."""


def record_hash(row: Any) -> str:
    """The SHA-256 of a record's fields; ``row`` is a `LogRecordRow` or a result row with the same columns.

    A merge re-hashes every record it brings, so the canonical JSON is written here directly when every value is
    a string, an integer, a boolean or None (as stored records are), byte for byte as `_CANONICAL` writes it;
    any other value goes through `_CANONICAL` itself. The fixed records in ``tests/core/test_log_hashes.py`` pin
    the hashes, and random ones are compared there with `json.dumps`."""
    values = list(_sorted_values(row))
    values[_EXERCISE_S] = repr(float(values[_EXERCISE_S]))
    values[_WITHDRAWN] = bool(values[_WITHDRAWN])
    fields = _SORTED_FIELDS
    syndicate = getattr(row, "syndicate_id", None)
    if syndicate is not None:  # only when set: records written before syndicates existed keep their hashes
        values.insert(_SYNDICATE_AT, syndicate)
        fields = _WITH_SYNDICATE
    try:
        canonical = _OBJECT_OF[fields] % tuple([_JSON_OF[type(value)](value) for value in values])
    except KeyError:  # a value of another type (a file edited by hand)
        canonical = _CANONICAL.encode(dict(zip(fields, values, strict=True)))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def revision_of(row: Any) -> LogRevision:
    """The revision a record holds; ``row`` is a `LogRecordRow` or any object with the same attributes."""
    return LogRevision(
        id=row.id, entry_id=row.entry_id, run_id=row.run_id, revision=row.revision, entry_number=row.entry_number,
        device_id=row.device_id, chain_seq=row.chain_seq, logged_at=datetime.fromisoformat(row.logged_at),
        committed_at=datetime.fromisoformat(row.committed_at), exercise_s=row.exercise_s,
        scenario_time=datetime.fromisoformat(row.scenario_time) if row.scenario_time else None,
        logged_by=row.logged_by, decision_maker=row.decision_maker, organisation=row.organisation,
        kind=LogKind(row.kind), text=row.text, rationale=row.rationale, options_considered=row.options_considered,
        actions=tuple(ActionItem(**a) for a in json.loads(row.actions or "[]")), inject_id=row.inject_id,
        objective_ids=tuple(json.loads(row.objective_ids or "[]")),
        jdm_stage=JdmStage(row.jdm_stage) if row.jdm_stage else None, revision_reason=row.revision_reason,
        withdrawn=row.withdrawn, prev_hash=row.prev_hash, hash=row.hash, syndicate_id=row.syndicate_id,
    )


def _first_revision(values: Mapping[str, Any], draft: LogDraft, new: _NewEntry,
                    story: datetime | None) -> LogRevision:
    """The revision a new entry's record holds, made from what the record was made of: what `revision_of` reads
    back from the stored row, without parsing the times and lists that were just written (a note-taker waits)."""
    return LogRevision(
        id=values["id"], entry_id=new.entry_id, run_id=values["run_id"], revision=1,
        entry_number=values["entry_number"], device_id=values["device_id"], chain_seq=values["chain_seq"],
        logged_at=new.logged_at.astimezone(UTC), committed_at=new.committed_at, exercise_s=new.exercise_s,
        scenario_time=story, logged_by=draft.logged_by, decision_maker=draft.decision_maker,
        organisation=draft.organisation, kind=draft.kind, text=draft.text, rationale=draft.rationale,
        options_considered=draft.options_considered,
        actions=tuple(ActionItem(a.action, a.owner) for a in draft.actions), inject_id=draft.inject_id,
        objective_ids=tuple(draft.objective_ids), jdm_stage=JdmStage(draft.jdm_stage) if draft.jdm_stage else None,
        revision_reason="", withdrawn=False, prev_hash=values["prev_hash"], hash=values["hash"],
        syndicate_id=draft.syndicate_id,
    )


def verify_records(rows: Sequence[Any], *, rehash: bool = True) -> IntegrityReport:
    """Check every chain; the first broken record is named so people know where to look.

    ``rows`` are `LogRecordRow`s or result rows with the same columns. Without ``rehash`` only the shape of the
    chains is checked (no gap, each record follows the one before), for records whose hashes were checked already.
    """
    chains: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        chains[(row.run_id, row.device_id)].append(row)
    problems: list[str] = []
    first: Any = None
    for chain in chains.values():
        chain.sort(key=operator.attrgetter("chain_seq"))
        previous = GENESIS
        for expected_seq, row in enumerate(chain, start=1):
            problem = None
            if row.chain_seq != expected_seq:
                problem = f"a record is missing before entry {row.entry_number} (sequence {expected_seq})"
            elif row.prev_hash != previous:
                problem = f"entry {row.entry_number} revision {row.revision} does not follow the record before it"
            elif rehash and record_hash(row) != row.hash:
                problem = f"entry {row.entry_number} revision {row.revision} was changed after it was written"
            if problem:
                problems.append(problem)
                if first is None or row.logged_at < first.logged_at:
                    first = row
                break
            previous = row.hash
    return IntegrityReport(ok=not problems, records_checked=len(rows), chains=len(chains), problems=tuple(problems),
                           first_bad_entry_number=first.entry_number if first else None,
                           first_bad_record_id=first.id if first else None)


@dataclass(frozen=True)
class _NewEntry:
    entry_id: str
    logged_at: datetime
    committed_at: datetime
    exercise_s: float


JOURNAL_APPEND = "log_append"

_RECORDS = cast(Table, LogRecordRow.__table__)
_INSERT_RECORD = insert(_RECORDS)
_LAST_IN_CHAIN = (select(_RECORDS.c.chain_seq, _RECORDS.c.hash)
                  .where(_RECORDS.c.run_id == bindparam("run_id"), _RECORDS.c.device_id == bindparam("device_id"))
                  .order_by(_RECORDS.c.chain_seq.desc()).limit(1))
_NUMBER_AND_LAST_IN_CHAIN = select(
    select(func.max(_RECORDS.c.entry_number)).where(_RECORDS.c.run_id == bindparam("run_id"))
    .scalar_subquery().label("highest"),
    _LAST_IN_CHAIN.with_only_columns(_RECORDS.c.chain_seq).scalar_subquery().label("chain_seq"),
    _LAST_IN_CHAIN.with_only_columns(_RECORDS.c.hash).scalar_subquery().label("hash"),
)
"""A new entry's number (the run's highest so far) and the latest record of this laptop's chain, in one
statement built once."""


def _insert_new_entry() -> Insert:
    """A new entry's first record, inserted only if the run's highest number is the one before it and this
    laptop's chain still ends on the record it is chained to: what it was numbered and hashed from is checked in
    the statement that writes it."""
    table = _RECORDS.c
    value = {column.key: bindparam(column.key, type_=column.type) for column in _RECORDS.columns}
    chain = (table.run_id == value["run_id"], table.device_id == value["device_id"])
    highest = select(func.coalesce(func.max(table.entry_number), 0)).where(table.run_id == value["run_id"])
    last_seq = select(func.coalesce(func.max(table.chain_seq), 0)).where(*chain)
    last_hash = select(table.hash).where(*chain, table.chain_seq == value["chain_seq"] - 1)
    rows = select(*value.values()).where(
        highest.scalar_subquery() == value["entry_number"] - 1,
        last_seq.scalar_subquery() == value["chain_seq"] - 1,
        func.coalesce(last_hash.scalar_subquery(), GENESIS) == value["prev_hash"])
    return insert(_RECORDS).from_select(list(value), rows).execution_options(preserve_rowcount=True)


_INSERT_NEW_ENTRY = Prepared(_insert_new_entry())


@dataclass(frozen=True)
class _ChainEnd:
    """Where a run's log ends as this laptop last wrote it: the highest entry number, and the last record of its
    chain (sequence 0 and the genesis hash before the first)."""

    highest: int
    chain_seq: int
    hash: str


def _draft_values(draft: LogDraft) -> dict[str, Any]:
    return {"kind": draft.kind.value, "text": draft.text, "rationale": draft.rationale,
            "options_considered": draft.options_considered,
            "actions": [{"action": a.action, "owner": a.owner} for a in draft.actions],
            "decision_maker": draft.decision_maker, "organisation": draft.organisation, "logged_by": draft.logged_by,
            "inject_id": draft.inject_id, "objective_ids": list(draft.objective_ids),
            "jdm_stage": int(draft.jdm_stage) if draft.jdm_stage else None, "syndicate_id": draft.syndicate_id}


def _draft_of(values: dict[str, Any]) -> LogDraft:
    return LogDraft(kind=LogKind(values["kind"]), text=values["text"], rationale=values["rationale"],
                    options_considered=values["options_considered"],
                    actions=tuple(ActionItem(**a) for a in values["actions"]),
                    decision_maker=values["decision_maker"], organisation=values["organisation"],
                    logged_by=values["logged_by"], inject_id=values["inject_id"],
                    objective_ids=tuple(values["objective_ids"]),
                    jdm_stage=JdmStage(values["jdm_stage"]) if values["jdm_stage"] else None,
                    syndicate_id=values.get("syndicate_id"))


def _send_append(document: Document, item: JournalItem) -> str:
    """Send an entry kept while the room was away: numbered and chained now, with the times it was typed."""
    from ctpn_desktop.core.clock import SystemTimeSource

    payload = item.payload
    service = LogService(document, payload["device_id"], SystemTimeSource())
    new = _NewEntry(payload["entry_id"], datetime.fromisoformat(payload["logged_at"]),
                    datetime.fromisoformat(payload["committed_at"]), float(payload["exercise_s"]))
    entry = service._store_new(item.run_id, _draft_of(payload["draft"]), new, resent=True)
    return f"{SENT}: entry {entry.current.entry_number}"


def entry_order(entry: LogEntry) -> tuple[datetime, int, str, str]:
    """Entries interleave by when they were logged, whichever laptop logged them (see ``merge``)."""
    first = entry.history[0] if entry.history else entry.current
    return (first.logged_at, first.entry_number, first.device_id, first.entry_id)


class LogService:
    def __init__(self, document: Document, device_id: str, source: TimeSource) -> None:
        self._document = document
        self._sessions = document.sessions
        self._device_id = device_id
        self._source = source
        self._phases: dict[str, tuple[Phase, ...]] = {}
        self._stories: dict[str, tuple[PhaseStart, ...]] = {}
        self._dialect = document.engine.dialect.name
        self._ends: dict[str, _ChainEnd] = {}
        """Per run, the end of the log after this service's last new entry: the next one is numbered and chained
        from it without reading it again (the insert checks it). Not kept for a shared room, where the other
        stations' entries move the numbers on."""

    def _now(self) -> datetime:
        return self._source.wall().astimezone(UTC)

    def _chained(self, values: dict[str, Any], chain_seq: int, prev_hash: str) -> Any:
        """The record (its column values) placed after ``chain_seq`` in this laptop's chain and hashed; returned
        as an object with the columns as attributes, for `revision_of`."""
        values["device_id"] = self._device_id
        values["chain_seq"] = chain_seq + 1
        values["prev_hash"] = prev_hash
        record = SimpleNamespace(**values)
        values["hash"] = record.hash = record_hash(record)
        return record

    def _append_record(self, session: Session, values: dict[str, Any], last: tuple[int, str] | None) -> Any:
        """Chain the record to ``last``, the chain's latest record (its ``chain_seq`` and ``hash``; None for the
        first), and insert it."""
        record = self._chained(values, *(last or (0, GENESIS)))
        session.execute(_INSERT_RECORD, values)
        fts.note_new_records(session, [values])
        return record

    def _last_in_chain(self, session: Session, run_id: str) -> tuple[int, str] | None:
        found = session.execute(_LAST_IN_CHAIN, {"run_id": run_id, "device_id": self._device_id}).first()
        return (found.chain_seq, found.hash) if found else None

    def append(self, run_id: str, draft: LogDraft, *, exercise_s: float) -> LogEntry:
        """Store a new entry; it is committed to disk when this returns.

        In a shared room whose server cannot be reached, the entry is kept in this station's journal instead
        (committed to this station's disk) and comes back marked ``pending``: it gets its number, and its place in
        this station's hash chain, when it reaches the room."""
        self._document.station.require(Permission.LOG)
        if not draft.text.strip():
            raise ValidationFailed("a log entry needs some text")
        now = self._now()
        new = _NewEntry(str(uuid.uuid4()), draft.logged_at or now, now, float(exercise_s))
        room = self._document.room
        if room is not None and not room.online:
            return self._keep(run_id, draft, new)
        try:
            return self._store_new(run_id, draft, new)
        except RoomOffline:
            if room is None:
                raise
            return self._keep(run_id, draft, new)

    def _store_new(self, run_id: str, draft: LogDraft, new: _NewEntry, *, resent: bool = False) -> LogEntry:
        story = scenario_time_in(self._run_story(run_id), new.exercise_s)
        with self._document.writing() as write:
            connection = write.connection
            db.serialize_run(connection, run_id)
            if resent:  # sent before, and the room took it before the answer was lost: exactly once
                existing = connection.execute(select(*_RECORDS.columns).where(
                    _RECORDS.c.entry_id == new.entry_id, _RECORDS.c.revision == 1)).first()
                if existing is not None:
                    return LogEntry(current=revision_of(existing))
            end = self._ends.pop(run_id, None) if self._document.room is None else None
            for _attempt in range(3):
                if end is None:
                    end = self._end_of_log(connection, run_id)
                values = self._row_from(draft, run_id=run_id, entry_id=new.entry_id, revision=1,
                                        number=end.highest + 1, logged_at=new.logged_at,
                                        committed_at=new.committed_at, exercise_s=new.exercise_s,
                                        story=story.isoformat() if story else None, reason="", withdrawn=False)
                self._chained(values, end.chain_seq, end.hash)
                if write.execute("log_record", _INSERT_NEW_ENTRY, values).rowcount == 1:
                    break
                end = None  # written meanwhile (another service, laptop or station): numbered and chained again
            else:
                raise RunStateError("the log changed while the entry was being written, and again when it was "
                                    "numbered anew; nothing was saved: log it again")
            fts.note_new_records(connection, [values])
        if self._document.room is None:
            self._ends[run_id] = _ChainEnd(values["entry_number"], values["chain_seq"], values["hash"])
        return LogEntry(current=_first_revision(values, draft, new, story))

    def _end_of_log(self, session: Session | Connection, run_id: str) -> _ChainEnd:
        found = session.execute(_NUMBER_AND_LAST_IN_CHAIN, {"run_id": run_id, "device_id": self._device_id}).one()
        if found.chain_seq is None:
            return _ChainEnd(int(found.highest or 0), 0, GENESIS)
        return _ChainEnd(int(found.highest or 0), found.chain_seq, found.hash)

    def _keep(self, run_id: str, draft: LogDraft, new: _NewEntry) -> LogEntry:
        """The room's server is away: keep the entry on this station's disk, to be sent when it is back."""
        room = self._document.room
        assert room is not None
        payload = {"entry_id": new.entry_id, "device_id": self._device_id, "logged_at": new.logged_at.isoformat(),
                   "committed_at": new.committed_at.isoformat(), "exercise_s": new.exercise_s,
                   "draft": _draft_values(draft)}
        room.keep(JOURNAL_APPEND, run_id, payload, item_id=new.entry_id)
        phases = self._phases.get(run_id)
        story = scenario_time(new.exercise_s, phases) if phases is not None else None
        return LogEntry(current=LogRevision(
            id=new.entry_id, entry_id=new.entry_id, run_id=run_id, revision=1, entry_number=0,
            device_id=self._device_id, chain_seq=0, logged_at=new.logged_at.astimezone(UTC),
            committed_at=new.committed_at, exercise_s=new.exercise_s, scenario_time=story,
            logged_by=draft.logged_by, decision_maker=draft.decision_maker, organisation=draft.organisation,
            kind=draft.kind, text=draft.text, rationale=draft.rationale, options_considered=draft.options_considered,
            actions=draft.actions, inject_id=draft.inject_id, objective_ids=draft.objective_ids,
            jdm_stage=draft.jdm_stage, syndicate_id=draft.syndicate_id, pending=True))

    def _run_phases(self, run_id: str) -> tuple[Phase, ...]:
        """The phases of the run's frozen scenario, read once: a run's frozen copy never changes."""
        if run_id not in self._phases:
            from ctpn_desktop.core.services.runs import RunService

            self._phases[run_id] = RunService(self._document, self._source).frozen_scenario(run_id).phases
        return self._phases[run_id]

    def _run_story(self, run_id: str) -> tuple[PhaseStart, ...]:
        """The run's story schedule (its planned phase starts: the log does not follow phases started by hand)."""
        story = self._stories.get(run_id)
        if story is None:
            story = self._stories[run_id] = story_schedule(self._run_phases(run_id))
        return story

    @property
    def device_id(self) -> str:
        return self._device_id

    @staticmethod
    def _row_from(draft: LogDraft, *, run_id: str, entry_id: str, revision: int, number: int, logged_at: datetime,
                  committed_at: datetime, exercise_s: float, story: str | None, reason: str,
                  withdrawn: bool) -> dict[str, Any]:
        """A new record's column values, but for its place in the chain (see `_append_record`)."""
        return {
            "id": str(uuid.uuid4()), "entry_id": entry_id, "run_id": run_id, "revision": revision,
            "entry_number": number, "logged_at": logged_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "committed_at": committed_at.isoformat(timespec="microseconds"), "exercise_s": float(exercise_s),
            "scenario_time": story, "logged_by": draft.logged_by, "decision_maker": draft.decision_maker,
            "organisation": draft.organisation, "kind": draft.kind.value, "text": draft.text,
            "rationale": draft.rationale, "options_considered": draft.options_considered,
            "actions": json.dumps([{"action": a.action, "owner": a.owner} for a in draft.actions],
                                  ensure_ascii=False) if draft.actions else "[]",
            "inject_id": draft.inject_id,
            "objective_ids": json.dumps(list(draft.objective_ids)) if draft.objective_ids else "[]",
            "jdm_stage": int(draft.jdm_stage) if draft.jdm_stage else None, "revision_reason": reason,
            "withdrawn": withdrawn, "syndicate_id": draft.syndicate_id,
        }

    def correct(self, entry_id: str, draft: LogDraft, reason: str) -> LogEntry:
        """A new revision that supersedes the current one; the original stays in the record."""
        return self._revise(entry_id, draft, reason, withdrawn=False)

    def withdraw(self, entry_id: str, reason: str) -> LogEntry:
        current = self.entry(entry_id).current
        draft = LogDraft(kind=current.kind, text=current.text, rationale=current.rationale,
                         options_considered=current.options_considered, actions=current.actions,
                         decision_maker=current.decision_maker, organisation=current.organisation,
                         logged_by=current.logged_by, inject_id=current.inject_id,
                         objective_ids=current.objective_ids, jdm_stage=current.jdm_stage,
                         syndicate_id=current.syndicate_id)
        return self._revise(entry_id, draft, reason, withdrawn=True)

    def _revise(self, entry_id: str, draft: LogDraft, reason: str, *, withdrawn: bool) -> LogEntry:
        self._document.station.require(Permission.LOG)
        if not reason.strip():
            raise ValidationFailed("a correction or withdrawal needs a reason")
        if not draft.text.strip():
            raise ValidationFailed("a log entry needs some text")
        now = self._now()
        with self._sessions() as session, session.begin():
            rows = self._entry_rows(session, entry_id)
            db.serialize_run(session, rows[0].run_id)
            rows = self._entry_rows(session, entry_id)  # read again: another station may have revised it
            latest = rows[-1]
            if latest.withdrawn:
                raise ValidationFailed("a withdrawn entry cannot be changed")
            if draft.syndicate_id is None and latest.syndicate_id is None:
                # Revised on another laptop, an entry of a syndicate's note-taker keeps its syndicate by name.
                draft = replace(draft, syndicate_id=session.scalar(select(SyndicateDeviceRow.syndicate_id).where(
                    SyndicateDeviceRow.run_id == latest.run_id, SyndicateDeviceRow.device_id == latest.device_id)))
            values = self._row_from(draft, run_id=latest.run_id, entry_id=entry_id, revision=latest.revision + 1,
                                    number=latest.entry_number, logged_at=datetime.fromisoformat(latest.logged_at),
                                    committed_at=now, exercise_s=latest.exercise_s, story=latest.scenario_time,
                                    reason=reason, withdrawn=withdrawn)
            self._ends.pop(latest.run_id, None)  # this laptop's chain moves on
            record = self._append_record(session, values, self._last_in_chain(session, latest.run_id))
            return LogEntry(current=revision_of(record), history=tuple(revision_of(r) for r in rows))

    @staticmethod
    def _entry_rows(session: Session, entry_id: str) -> list[LogRecordRow]:
        rows = list(session.scalars(select(LogRecordRow).where(LogRecordRow.entry_id == entry_id)
                                    .order_by(LogRecordRow.revision)))
        if not rows:
            raise ValidationFailed("that log entry does not exist")
        return rows

    def entry(self, entry_id: str) -> LogEntry:
        with self._sessions() as session:
            rows = self._entry_rows(session, entry_id)
            return LogEntry(current=revision_of(rows[-1]), history=tuple(revision_of(r) for r in rows[:-1]))

    def entries(self, run_id: str) -> list[LogEntry]:
        """Every entry of a run in the order it was logged, each with its earlier revisions."""
        with self._sessions() as session:
            rows = session.scalars(select(LogRecordRow).where(LogRecordRow.run_id == run_id)
                                   .order_by(LogRecordRow.revision))
            grouped: dict[str, list[LogRevision]] = defaultdict(list)
            for row in rows:
                grouped[row.entry_id].append(revision_of(row))
        entries = [LogEntry(current=revs[-1], history=tuple(revs[:-1])) for revs in grouped.values()]
        entries.sort(key=entry_order)
        return entries

    def search(self, run_id: str, query: str = "", *, kinds: Iterable[LogKind] | None = None,
               organisation: str | None = None, objective_id: str | None = None, inject_id: str | None = None,
               since_s: float | None = None, until_s: float | None = None,
               newest_first: bool = False, syndicate: str | None = None) -> list[LogEntry]:
        """Entries whose current revision matches every filter given; any text people type is safe to pass.

        The words of ``query`` are looked for (as words or word starts, accents ignored) in the text, rationale,
        options, decision maker, organisation, loggist and actions; earlier revisions are not searched, so a
        corrected mistake is not found. ``organisation`` matches case-insensitively; ``since_s``/``until_s``
        bound the exercise time (inclusive). ``syndicate`` is a syndicate's id (its entries, and those of its
        note-takers' laptops that name no syndicate) or `PLENARY` (entries of no syndicate). Entries come in logged
        order, or the newest first.
        """
        with self._sessions() as session:
            statement = _filtered(select(LogRecordRow), run_id, query, kinds=kinds, organisation=organisation,
                                  objective_id=objective_id, inject_id=inject_id, since_s=since_s,
                                  until_s=until_s, syndicate=syndicate, dialect=self._dialect,
                                  waiting=self._waiting_matches(session, query))
            matched = list(session.scalars(statement))
            if not matched:
                return []
            entry_ids = [row.entry_id for row in matched]
            grouped: dict[str, list[LogRevision]] = defaultdict(list)
            for start in range(0, len(entry_ids), 500):
                chunk = entry_ids[start:start + 500]
                rows = session.scalars(select(LogRecordRow).where(LogRecordRow.entry_id.in_(chunk))
                                       .order_by(LogRecordRow.revision))
                for row in rows:
                    grouped[row.entry_id].append(revision_of(row))
        entries = [LogEntry(current=revs[-1], history=tuple(revs[:-1])) for revs in grouped.values()]
        entries.sort(key=entry_order, reverse=newest_first)
        return entries

    def summaries(self, run_id: str, query: str = "", *, kinds: Iterable[LogKind] | None = None,
                  organisation: str | None = None, objective_id: str | None = None, inject_id: str | None = None,
                  since_s: float | None = None, until_s: float | None = None,
                  newest_first: bool = False, syndicate: str | None = None) -> list[LogSummary]:
        """What ``search`` finds, as light summaries of the current revisions, for tables of any size.

        Same filters and the same order as ``search`` (by logged time, then number, then device).
        """
        columns = cast(Select[Any], select(*_SUMMARY_COLUMNS))
        direction: list[Any] = [LogRecordRow.logged_at, LogRecordRow.entry_number, LogRecordRow.device_id,
                                LogRecordRow.entry_id]
        if newest_first:
            direction = [column.desc() for column in direction]
        with self._sessions() as session:
            statement = _filtered(columns, run_id, query, kinds=kinds, organisation=organisation,
                                  objective_id=objective_id, inject_id=inject_id, since_s=since_s,
                                  until_s=until_s, syndicate=syndicate, dialect=self._dialect,
                                  waiting=self._waiting_matches(session, query))
            result = session.execute(statement.order_by(*direction))
            return [LogSummary._make(row) for row in result]

    def changed_summaries(self, run_id: str, record_ids: Collection[str], query: str = "", *,
                          kinds: Iterable[LogKind] | None = None, organisation: str | None = None,
                          objective_id: str | None = None, inject_id: str | None = None,
                          since_s: float | None = None, until_s: float | None = None,
                          syndicate: str | None = None) -> tuple[set[str], list[LogSummary]]:
        """After ``record_ids`` were written: the run's entries they belong to, and the summaries of those that
        pass the filters now (an entry whose correction no longer matches is among the first, not the second).

        A view of a long log follows a new entry or a correction with this instead of reading the whole log."""
        if not record_ids:
            return set(), []
        with self._sessions() as session:
            touched: set[str] = set()
            ids = list(record_ids)
            for start in range(0, len(ids), 500):
                touched.update(session.scalars(select(LogRecordRow.entry_id).where(
                    LogRecordRow.id.in_(ids[start:start + 500]), LogRecordRow.run_id == run_id)))
            if not touched:
                return set(), []
            columns = cast(Select[Any], select(*_SUMMARY_COLUMNS))
            statement = _filtered(columns, run_id, query, kinds=kinds, organisation=organisation,
                                  objective_id=objective_id, inject_id=inject_id, since_s=since_s, until_s=until_s,
                                  syndicate=syndicate, dialect=self._dialect,
                                  waiting=self._waiting_matches(session, query))
            statement = statement.where(LogRecordRow.entry_id.in_(touched))
            return touched, [LogSummary._make(row) for row in session.execute(statement)]

    def _waiting_matches(self, session: Session, query: str) -> list[str]:
        """The records a search of ``query`` finds among those SQLite has not indexed yet (see `storage.fts`)."""
        match = fts_query(query) if self._dialect == "sqlite" else None
        return fts.waiting_matches(session, match) if match is not None else []

    def entry_counts(self) -> dict[str, int]:
        """Run id → number of log entries (corrected ones once), for every run in one query."""
        with self._sessions() as session:
            rows = session.execute(select(LogRecordRow.run_id, func.count(func.distinct(LogRecordRow.entry_id)))
                                   .group_by(LogRecordRow.run_id))
            return {run_id: int(count) for run_id, count in rows}

    def organisations(self, run_id: str) -> list[str]:
        """Every organisation named in the run's log (current revisions or not), for filters and completion."""
        with self._sessions() as session:
            names = session.scalars(select(LogRecordRow.organisation).where(LogRecordRow.run_id == run_id)
                                    .distinct())
            return sorted({name for name in names if name.strip()}, key=str.casefold)

    def verify(self, run_id: str | None = None) -> IntegrityReport:
        with self._sessions() as session:
            query = select(LogRecordRow)
            if run_id is not None:
                query = query.where(LogRecordRow.run_id == run_id)
            return verify_records(list(session.scalars(query)))


def _filtered(statement: Select[Any], run_id: str, query: str = "", *, kinds: Iterable[LogKind] | None = None,
              organisation: str | None = None, objective_id: str | None = None, inject_id: str | None = None,
              since_s: float | None = None, until_s: float | None = None,
              syndicate: str | None = None, dialect: str = "sqlite", waiting: Collection[str] = ()) -> Select[Any]:
    """Limit ``statement`` (over ``log_record``) to the run's current revisions that pass every filter.

    ``waiting`` are the records not yet in SQLite's search index that the query finds (`_waiting_matches`)."""
    current = LogRecordRow
    later = aliased(LogRecordRow)
    statement = statement.where(
        current.run_id == run_id,
        ~select(later.id).where(later.entry_id == current.entry_id, later.revision > current.revision).exists(),
    )
    if dialect == "postgresql":
        words = [word for typed in query.split() for word in fts.words_of(typed)]
        if words:
            statement = statement.where(current.id.in_(
                select(fts.terms_table.c.record_id).where(fts.terms_table.c.run_id == run_id,
                                                          fts.terms_match(words))))
        elif fts_query(query) is not None:
            return statement.where(false())
    else:
        match = fts_query(query)
        if match is not None:
            hits: Select[tuple[str]] = select(literal_column("record_id")).select_from(text(FTS_TABLE)).where(
                text(f"{FTS_TABLE} MATCH :match").bindparams(match=match))
            found = current.id.in_(hits)
            statement = statement.where(or_(found, current.id.in_(waiting)) if waiting else found)
    if kinds is not None:
        wanted: Collection[str] = {LogKind(k).value for k in kinds}
        statement = statement.where(current.kind.in_(wanted))
    if organisation:
        statement = statement.where(func.lower(current.organisation) == organisation.strip().lower())
    if inject_id is not None:
        statement = statement.where(current.inject_id == inject_id)
    if objective_id is not None:  # the ids are stored as a JSON list of strings: look for the quoted id
        statement = statement.where(current.objective_ids.contains(json.dumps(objective_id), autoescape=True))
    if since_s is not None:
        statement = statement.where(current.exercise_s >= since_s)
    if until_s is not None:
        statement = statement.where(current.exercise_s <= until_s)
    if syndicate is not None:
        statement = statement.where(syndicate_clause(current, run_id, syndicate))
    return statement


JOURNAL_SENDERS = {JOURNAL_APPEND: _send_append}
def syndicate_clause(record: Any, run_id: str, syndicate: str) -> Any:
    """Records of ``syndicate`` (or of none, for `PLENARY`): those that name it, and those that name no syndicate
    but were written on a laptop that takes notes for it."""
    mapped = select(SyndicateDeviceRow.device_id).where(SyndicateDeviceRow.run_id == run_id)
    if syndicate == PLENARY:
        return and_(record.syndicate_id.is_(None), record.device_id.not_in(mapped))
    return or_(record.syndicate_id == syndicate,
               and_(record.syndicate_id.is_(None),
                    record.device_id.in_(mapped.where(SyndicateDeviceRow.syndicate_id == syndicate))))

"""What changed in a document, announced once after each commit to everything that shows the document.

Every page, model, the presenter and the services' own caches listen to one `ChangeFeed` per open document.
The feed is told after a transaction commits (never before, so nobody reads a change that could still be rolled
back), by this process for its own writes and by the shared-room listener for the writes of other stations.
What changed is worked out from the tables a transaction wrote (see `storage.db.track_writes`), so a service
cannot forget to announce a write.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ctpn_desktop.storage.tracking import Writes

log = logging.getLogger(__name__)


class Topic(StrEnum):
    SCENARIO = "scenario"
    RUNS = "runs"
    CLOCK = "clock"
    INJECT_EVENTS = "inject_events"
    LOG = "log"
    EVALUATION = "evaluation"
    SYNDICATES = "syndicates"
    DOCUMENT = "document"


TABLE_TOPICS: dict[str, Topic] = {
    "document_info": Topic.DOCUMENT,
    "exercise": Topic.SCENARIO,
    "objective": Topic.SCENARIO,
    "organisation": Topic.SCENARIO,
    "role": Topic.SCENARIO,
    "phase": Topic.SCENARIO,
    "inject": Topic.SCENARIO,
    "inject_recipient": Topic.SCENARIO,
    "inject_objective": Topic.SCENARIO,
    "attachment": Topic.SCENARIO,
    "run": Topic.RUNS,
    "run_scenario": Topic.RUNS,
    "clock_anchor": Topic.CLOCK,
    "inject_event": Topic.INJECT_EVENTS,
    "adhoc_inject": Topic.INJECT_EVENTS,
    "log_record": Topic.LOG,
    "log_record_terms": Topic.LOG,
    "observation": Topic.EVALUATION,
    "hotwash_note": Topic.EVALUATION,
    "improvement_action": Topic.EVALUATION,
    "observation_revision": Topic.EVALUATION,
    "observation_evidence": Topic.EVALUATION,
    "hotwash_note_revision": Topic.EVALUATION,
    "improvement_action_revision": Topic.EVALUATION,
    "executive_summary": Topic.EVALUATION,
    "replay_bookmark": Topic.EVALUATION,
    "syndicate": Topic.SYNDICATES,
    "syndicate_device": Topic.SYNDICATES,
    "syndicate_answer": Topic.SYNDICATES,
    "room_station": Topic.DOCUMENT,
}
"""Every table of the document has a topic; a test checks that none is missing."""

RUN_TOPICS = frozenset({Topic.RUNS, Topic.CLOCK, Topic.INJECT_EVENTS, Topic.LOG, Topic.EVALUATION,
                        Topic.SYNDICATES})
"""Topics whose rows belong to a run; announcements of them name the runs when they are known."""


@dataclass(frozen=True)
class Changes:
    """One announcement: the topics touched, the runs they belong to (empty: not run data, or unknown), and
    whether another station made them."""

    topics: frozenset[Topic]
    run_ids: frozenset[str] = field(default_factory=frozenset)
    remote: bool = False
    tables: frozenset[str] = field(default_factory=frozenset)
    """The tables written (empty for `everything`)."""
    keys: tuple[tuple[str, frozenset[str]], ...] = ()
    """Per table, the keys of the rows written, for the tables where they are known (see `row_ids`)."""

    @classmethod
    def of_tables(cls, tables: Iterable[str], run_ids: Iterable[str] = (), *, remote: bool = False,
                  keys: Mapping[str, Iterable[str]] | None = None) -> Changes:
        """The topics of ``tables``; a table this version does not know (a newer station's) touches everything."""
        topics: set[Topic] = set()
        for table in tables:
            topic = TABLE_TOPICS.get(table)
            if topic is None:
                return cls.everything(remote=remote)
            topics.add(topic)
        known = tuple(sorted((table, frozenset(ids)) for table, ids in (keys or {}).items()))
        return cls(frozenset(topics), frozenset(run_ids), remote, frozenset(tables), known)

    @classmethod
    def of_writes(cls, writes: Writes, *, remote: bool = False) -> Changes:
        return cls.of_tables(writes.tables, () if writes.runs_unknown else writes.run_ids, remote=remote,
                             keys={t: k for t, k in writes.keys.items() if t not in writes.unkeyed})

    def row_ids(self, table: str) -> frozenset[str] | None:
        """The keys of the rows of ``table`` written, or None when they are not known (then reload it all)."""
        for name, ids in self.keys:
            if name == table:
                return ids
        return None

    @classmethod
    def everything(cls, *, remote: bool = False) -> Changes:
        """Anything may have changed: after a reconnection, a merge from a file, or a table nobody knows."""
        return cls(frozenset(Topic), frozenset(), remote)

    def touches(self, *topics: Topic) -> bool:
        return any(topic in self.topics for topic in topics)

    def concerns_run(self, run_id: str | None) -> bool:
        """True when run data of ``run_id`` may be among the changes (no run ids given means any run)."""
        return not self.run_ids or run_id is None or run_id in self.run_ids

    @property
    def any_run(self) -> bool:
        """Run data changed but it is not known of which runs."""
        return not self.run_ids and bool(self.topics & RUN_TOPICS)

    def __or__(self, other: Changes) -> Changes:
        unknown_runs = self.any_run or other.any_run
        mine, theirs = dict(self.keys), dict(other.keys)
        keys: dict[str, frozenset[str]] = {}
        for table in set(mine) | set(theirs):
            # A table that one side wrote without saying which rows stays unknown in the sum.
            if (table in mine or table not in self.tables) and (table in theirs or table not in other.tables):
                keys[table] = mine.get(table, frozenset()) | theirs.get(table, frozenset())
        return Changes(self.topics | other.topics,
                       frozenset() if unknown_runs else self.run_ids | other.run_ids,
                       self.remote or other.remote, self.tables | other.tables, tuple(sorted(keys.items())))

    def __bool__(self) -> bool:
        return bool(self.topics)


Listener = Callable[[Changes], None]


class ChangeFeed:
    """Listeners of one document. `publish` may be called from any thread; listeners run on that thread, so
    a listener that touches a screen hands the work to its own thread (the Qt side does, see ``ui.live``)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener, *, weak: bool = False) -> Callable[[], None]:
        """Start telling ``listener``; the function returned stops it. A ``weak`` listener (a bound method of a
        service that keeps a cache) is dropped with its object instead of keeping it alive."""
        entry: Listener
        if weak:
            method = weakref.WeakMethod(listener)

            def entry(changes: Changes) -> None:
                target = method()
                if target is None:
                    unsubscribe()
                else:
                    target(changes)
        else:
            entry = listener

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._listeners:
                    self._listeners.remove(entry)

        with self._lock:
            self._listeners.append(entry)
        return unsubscribe

    def publish(self, changes: Changes) -> None:
        """Tell every listener. A failing listener is logged and the others still hear of the change: the
        write it announces is committed whatever a listener does."""
        if not changes:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:
                log.exception("a listener failed on %s", changes)

    @property
    def listener_count(self) -> int:
        with self._lock:
            return len(self._listeners)

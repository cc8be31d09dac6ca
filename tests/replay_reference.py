"""A plain fold of a run's stored records at a wall time, written without the replay's code, for the replay's
tests to compare with."""

from __future__ import annotations

from datetime import datetime

from ctpn_desktop.core.entities import ClockAnchor, InjectEvent, InjectEventKind, LogRevision, RunStatus


def reference_clock(anchors: list[ClockAnchor], wall: datetime) -> tuple[float, RunStatus]:
    leads_to = {"start": RunStatus.RUNNING, "pause": RunStatus.PAUSED, "resume": RunStatus.RUNNING,
                "halt": RunStatus.HALTED, "end": RunStatus.ENDED}
    status, elapsed = RunStatus.READY, 0.0
    for anchor in anchors:
        if anchor.wall_time > wall:
            break
        status = leads_to.get(anchor.kind.value, status)
        elapsed = anchor.exercise_s
        if anchor.running:
            elapsed += (wall - anchor.wall_time).total_seconds() * anchor.compression
    return elapsed, status


def reference_injects(events: list[InjectEvent], wall: datetime) -> tuple[set[str], set[str]]:
    released = {e.inject_id for e in events if e.kind is InjectEventKind.RELEASED and e.wall_time <= wall}
    skipped = {e.inject_id for e in events if e.kind is InjectEventKind.SKIPPED and e.wall_time <= wall}
    return released, skipped - released


def reference_log(revisions: list[LogRevision], wall: datetime) -> dict[int, str]:
    texts: dict[int, tuple[int, str]] = {}
    for revision in revisions:
        if revision.committed_at <= wall:
            best = texts.get(revision.entry_number)
            if best is None or revision.revision > best[0]:
                texts[revision.entry_number] = (revision.revision, revision.text)
    return {number: text for number, (_revision, text) in texts.items()}

"""Replay figure: seek anywhere in a run of 5,000 stored records."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.harness import Figure, median, percentile, runs

RECORDS = 5000
INJECTS = 1000
SEEKS = 500


def _run_records() -> tuple[object, list[object], list[object], list[object]]:
    """A run as it is stored: 1,000 injects; 200 clock anchors (pauses, resumes, a compression change), 1,800
    inject events (releases, deferrals, re-times), 3,000 log revisions of which 300 are corrections."""
    from ctpn_desktop.core.clock import ExerciseClock, FakeTimeSource
    from ctpn_desktop.core.entities import (
        Exercise,
        ExerciseType,
        Inject,
        InjectEvent,
        InjectEventKind,
        LogKind,
        LogRevision,
        Scenario,
    )

    rng = random.Random(5000)
    injects = tuple(Inject(id=str(uuid.uuid4()), number=n + 1, title=f"Inject {n + 1}", planned_offset_s=n * 28)
                    for n in range(INJECTS))
    scenario = Scenario(exercise=Exercise(id="bench", title="Replay bench", exercise_type=ExerciseType.TABLE_TOP),
                        injects=injects)
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 9, 0, tzinfo=UTC))
    clock = ExerciseClock((), source)
    clock.apply(clock.start())
    anchors, events, log = [clock.last_anchor], [], []
    entries: list[tuple[str, int]] = []
    released = 0
    for index in range(RECORDS - 1):
        source.advance(rng.uniform(1, 11))
        kind = index % 25
        if kind == 0 and len(anchors) < 200:
            proposal = clock.pause("bench") if clock.running else clock.resume("bench")
            clock.apply(proposal)
            anchors.append(proposal)
        elif kind in (1, 2, 3, 4, 5, 6, 7, 8, 9):
            inject = injects[min(released, INJECTS - 1)]
            event_kind = InjectEventKind.RELEASED if kind < 8 else InjectEventKind.RETIMED
            released += kind < 8
            events.append(InjectEvent(id=str(uuid.uuid4()), run_id="bench", inject_id=inject.id, kind=event_kind,
                                      wall_time=source.wall(), exercise_s=clock.elapsed(), scenario_time=None,
                                      new_offset_s=int(clock.elapsed()) + 600 if kind >= 8 else None))
        else:
            correcting = kind == 24 and entries
            entry_id, revision = entries[rng.randrange(len(entries))] if correcting else (str(uuid.uuid4()), 0)
            number = len(entries) + 1
            log.append(LogRevision(id=str(uuid.uuid4()), entry_id=entry_id, run_id="bench", revision=revision + 1,
                                   entry_number=number, device_id="bench", chain_seq=len(log) + 1,
                                   logged_at=source.wall(), committed_at=source.wall(),
                                   exercise_s=clock.elapsed(), scenario_time=None, logged_by="bench",
                                   decision_maker="Gold", organisation="Police", kind=LogKind.DECISION,
                                   text=f"Decision {number} about the cordon and the casualty clearing station"))
            if not correcting:
                entries.append((entry_id, 1))
    clock.apply(clock.end())
    anchors.append(clock.last_anchor)
    return scenario, anchors, events, log


def replay_seek_5000() -> list[Figure]:
    from ctpn_desktop.core.replay import RunReplay

    scenario, anchors, events, log = _run_records()
    replay = RunReplay(scenario, anchors, events, [], log)  # type: ignore[arg-type]
    end = replay.end_exercise_s
    rng = random.Random(7)
    targets = [rng.uniform(0, end) for _ in range(runs(SEEKS))]

    def seek(target: float) -> float:
        began = time.perf_counter()
        state = replay.state_at_exercise(target)
        state.queue()
        return time.perf_counter() - began

    seek(end / 2)
    latencies = [seek(t) for t in targets]

    def plain_fold(target_wall: datetime) -> float:
        """What any rebuild must do at least: one pass over the records up to the moment."""
        began = time.perf_counter()
        out = {e.inject_id for e in events if e.wall_time <= target_wall}  # type: ignore[attr-defined]
        latest: dict[str, str] = {}
        for revision in log:
            if revision.committed_at <= target_wall:  # type: ignore[attr-defined]
                latest[revision.entry_id] = revision.text  # type: ignore[attr-defined]
        assert out is not None
        return time.perf_counter() - began

    origin = replay.origin
    folds = [plain_fold(origin + timedelta(seconds=rng.uniform(0, replay.end_moment))) for _ in range(50)]
    baseline = median(folds) * 1000
    what = "a plain Python pass over the same 5,000 records, median"
    return [Figure("replay_seek_5000", percentile(latencies, 99) * 1000, "ms p99 (goal < 100 ms)", baseline, what,
                   "ms"),
            Figure("replay_seek_5000_median", median(latencies) * 1000, "ms median", baseline, what, "ms")]

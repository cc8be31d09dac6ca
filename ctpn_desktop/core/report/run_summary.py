"""The figures the Debrief workspace shows for one run, read through the services (no Qt, no layout)."""

from __future__ import annotations

from dataclasses import dataclass

from ctpn_desktop.core.entities import InjectEventKind, Rating, RunInfo
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogService
from ctpn_desktop.core.services.runs import RunService


@dataclass(frozen=True)
class RunSummary:
    run: RunInfo
    planned_injects: int
    released: int
    """Planned injects released at least once."""
    skipped: int
    """Planned injects skipped and never released."""
    adhoc: int
    log_entries: int
    corrected: int
    withdrawn: int
    observations: int
    ratings: dict[Rating, int]
    unrated: int
    hotwash_notes: int
    improvement_actions: int
    chain_ok: bool
    chain_message: str

    @property
    def not_released(self) -> int:
        return self.planned_injects - self.released - self.skipped


def run_summary(runs: RunService, log: LogService, evaluation: EvaluationService, run_id: str) -> RunSummary:
    """Count what happened in run ``run_id``; the hash chains of its log are checked on the way."""
    run = runs.run(run_id)
    planned = {inject.id for inject in runs.frozen_scenario(run_id).injects}
    released: set[str] = set()
    skipped: set[str] = set()
    for event in runs.events(run_id):
        if event.inject_id not in planned:
            continue
        if event.kind is InjectEventKind.RELEASED:
            released.add(event.inject_id)
        elif event.kind is InjectEventKind.SKIPPED:
            skipped.add(event.inject_id)
    entries = log.entries(run_id)
    observations = evaluation.observations(run_id)
    ratings = {rating: 0 for rating in Rating}
    for observation in observations:
        if observation.rating is not None:
            ratings[observation.rating] += 1
    report = log.verify(run_id)
    if report.ok:
        message = (f"Intact: {report.records_checked} stored revisions in {report.chains} chain(s) match their "
                   "hashes." if report.records_checked else "Nothing logged yet: there is no chain to check.")
    else:
        message = (f"FAILED at entry {report.first_bad_entry_number}: the log does not match its hash chain. "
                   + (report.problems[0] if report.problems else ""))
    return RunSummary(
        run=run, planned_injects=len(planned), released=len(released), skipped=len(skipped - released),
        adhoc=len(runs.adhoc_injects(run_id)), log_entries=len(entries),
        corrected=sum(1 for e in entries if e.history and not e.current.withdrawn),
        withdrawn=sum(1 for e in entries if e.current.withdrawn), observations=len(observations), ratings=ratings,
        unrated=sum(1 for o in observations if o.rating is None), hotwash_notes=len(evaluation.hotwash_notes(run_id)),
        improvement_actions=len(evaluation.improvement_actions(run_id)), chain_ok=report.ok, chain_message=message,
    )


__all__ = ["RunSummary", "run_summary"]

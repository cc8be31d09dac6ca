"""How times and runs read on screen, the same in every workspace."""

from __future__ import annotations

from datetime import datetime

from ctpn_desktop.core.entities import RunInfo, RunStatus

RUN_STATUS_LABELS: dict[RunStatus, str] = {
    RunStatus.READY: "Not started",
    RunStatus.RUNNING: "Running",
    RunStatus.PAUSED: "Paused",
    RunStatus.HALTED: "Halted (real-world emergency)",
    RunStatus.ENDED: "Ended",
}


def format_wall_time(value: datetime | None, with_date: bool = True, *, short: bool = False) -> str:
    """Wall time in the laptop's local zone, as people in the room saw it on the wall clock.

    ``short`` gives day, month and minutes, for narrow columns whose tooltip has the rest.
    """
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    if short:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M:%S" if with_date else "%H:%M:%S")


def run_label(run: RunInfo) -> str:
    """Names a run as "Run 2 – Evening (rehearsal)"; a rehearsal already labelled one is not called one twice."""
    text = f"Run {run.number}"
    label = run.label.strip()
    if label and label != text:
        text += f" – {label}"
    if run.rehearsal and "rehearsal" not in label.casefold():
        text += " (rehearsal)"
    return text

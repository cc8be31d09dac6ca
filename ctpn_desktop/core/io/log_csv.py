"""The decision log as CSV for Excel and partners: one row per stored revision, nothing left out.

Corrections are rows of their own (revision 2, 3 … with the reason), so the CSV shows what the debrief shows:
the original and every change. Cells that a spreadsheet would run as a formula get a leading apostrophe; the
file is UTF-8 with a byte-order mark so Excel shows every script, and it is written to a temporary name and
moved into place so that a half-written file never replaces a good one.
"""

from __future__ import annotations

import contextlib
import csv
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from ctpn_desktop.core.entities import LogEntry, LogRevision, Scenario
from ctpn_desktop.core.errors import SpreadsheetError
from ctpn_desktop.core.io.msel_write import csv_safe
from ctpn_desktop.core.io.scenario_json import format_offset

LOG_COLUMNS: tuple[str, ...] = (
    "Entry no.", "Revision", "Logged at (UTC)", "Exercise time", "Scenario time", "Kind", "Decision maker",
    "Organisation", "Text", "Rationale", "Options considered", "Actions", "Inject", "Objectives", "JDM stage",
    "Reason for revision", "Withdrawn", "Logged by", "Device", "Hash",
)


def _inject_label(revision: LogRevision, scenario: Scenario | None) -> str:
    if revision.inject_id is None:
        return ""
    inject = next((i for i in scenario.injects if i.id == revision.inject_id), None) if scenario else None
    return f"{inject.number} {inject.title}" if inject else revision.inject_id


def _objectives(revision: LogRevision, scenario: Scenario | None) -> str:
    codes = []
    for objective_id in revision.objective_ids:
        objective = scenario.objective(objective_id) if scenario else None
        codes.append(objective.code if objective else objective_id)
    return ", ".join(codes)


def log_rows(entries: Sequence[LogEntry], scenario: Scenario | None = None) -> list[list[str]]:
    """The cells, unescaped, in the order the entries are given, each entry's revisions oldest first."""
    rows = []
    for entry in entries:
        for revision in (*entry.history, entry.current):
            rows.append([
                str(revision.entry_number), str(revision.revision),
                revision.logged_at.isoformat(sep=" ", timespec="seconds"),
                format_offset(int(revision.exercise_s)),
                revision.scenario_time.isoformat(sep=" ", timespec="minutes") if revision.scenario_time else "",
                revision.kind.value, revision.decision_maker, revision.organisation, revision.text,
                revision.rationale, revision.options_considered,
                "; ".join(f"{a.action} ({a.owner})" if a.owner else a.action for a in revision.actions),
                _inject_label(revision, scenario), _objectives(revision, scenario),
                f"{int(revision.jdm_stage)} {revision.jdm_stage.label}" if revision.jdm_stage else "",
                revision.revision_reason, "yes" if revision.withdrawn else "", revision.logged_by,
                revision.device_id, revision.hash,
            ])
    return rows


def write_log_csv(path: Path, entries: Sequence[LogEntry], scenario: Scenario | None = None) -> int:
    """Write the log; returns the number of revision rows written."""
    path = Path(path)
    rows = log_rows(entries, scenario)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(LOG_COLUMNS)
            for row in rows:
                writer.writerow([csv_safe(cell) for cell in row])
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise SpreadsheetError(str(path), f"the file cannot be written ({error.strerror or error})") from error
    return len(rows)

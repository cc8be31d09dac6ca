"""Builders for MSEL tests: scenarios made in code and workbooks as messy as the ones exercise teams send."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from ctpn_desktop.core.entities import (
    CommandLevel,
    DeliveryMethod,
    EventType,
    Exercise,
    ExerciseType,
    Inject,
    InjectStatus,
    Objective,
    Organisation,
    OrganisationKind,
    Phase,
    Recipient,
    Role,
    Scenario,
)
from ctpn_desktop.core.io.msel_import import apply_preview
from ctpn_desktop.core.io.msel_mapping import propose_sheet
from ctpn_desktop.core.io.msel_parse import ImportPreview, ParseOptions, parse_rows
from ctpn_desktop.core.io.msel_read import read_table


def exercise(title: str = "Exercise NIGHT MARKET") -> Exercise:
    return Exercise(id="ex-1", title=title, exercise_type=ExerciseType.TABLE_TOP,
                    marking="OFFICIAL-SENSITIVE")


def empty_scenario() -> Scenario:
    return Scenario(exercise())


def sample_scenario() -> Scenario:
    """A scenario using every inject field the MSEL layout carries, with awkward text on purpose."""
    gold = Role(id="r-gold", organisation_id="o-police", key="gold", name="Strategic Commander (Gold)",
                level=CommandLevel.STRATEGIC)
    silver = Role(id="r-silver", organisation_id="o-fire", key="silver", name="Tactical Commander",
                  level=CommandLevel.TACTICAL)
    organisations = (
        Organisation(id="o-police", key="police", name="City Police", short_name="Police", roles=(gold,)),
        Organisation(id="o-fire", key="fire", name="Fire and Rescue Service", short_name="Fire", position=1,
                     roles=(silver,)),
        Organisation(id="o-la", key="la", name="Local Authority", position=2),
        Organisation(id="o-control", key="control", name="Exercise Control", kind=OrganisationKind.CELL,
                     position=3),
    )
    objectives = (
        Objective(id="obj-1", code="O1", statement="Share situational awareness within 15 minutes."),
        Objective(id="obj-2", code="O2", statement="Agree a joint working strategy.", position=1),
    )
    phases = (
        Phase(id="p-1", key="p1", name="Phase 1 – Initial response", start_offset_s=0,
              scenario_start=datetime(2026, 12, 12, 18, 5)),
        Phase(id="p-2", key="p2", name="Phase 2 – Consequence management", start_offset_s=3600, position=1),
    )
    injects = (
        Inject(id="i-1", number=1, title="First 999 calls", planned_offset_s=300, phase_id="p-1",
               scenario_time=datetime(2026, 12, 12, 18, 10), content="Multiple calls report a vehicle driven "
               "into crowds at the night market.\nCallers describe two attackers with knives.",
               delivery_method=DeliveryMethod.PHONE, sender="Police control room",
               recipients=(Recipient("o-police", "r-gold"), Recipient("o-fire")),
               expected_actions="Declare a major incident; send a M/ETHANE message.",
               objective_ids=("obj-1", "obj-2"), controller_notes="Play the 999 audio.", storyline="Attack",
               status=InjectStatus.READY),
        Inject(id="i-2", number=2, title="=HYPERLINK(\"http://example.invalid\",\"click\")",
               planned_offset_s=-900,
               position=1, content="+44 20 7946 0000 calls in; @reporter asks for comment.\n-- end --",
               delivery_method=DeliveryMethod.SOCIAL_MEDIA, event_type=EventType.CONTINGENCY,
               sender="-Anonymous", recipients=(Recipient("o-la"),), controller_notes="Tabbed\tnote",
               storyline="Media"),
        Inject(id="i-3", number=7, title="Hospital surge — Ärzte, «urgence», Zürich",
               planned_offset_s=3600 + 905,
               position=2, phase_id="p-2", delivery_method=DeliveryMethod.HANDOUT,
               event_type=EventType.CONTROLLER_ACTION, recipients=(Recipient("o-control"),),
               depends_on_id="i-1", objective_ids=("obj-2",),
                   expected_actions="Consider mutual aid.\n\n– step 2"),
        Inject(id="i-4", number=12, title="Day two briefing", planned_offset_s=26 * 3600 + 30 * 60,
               position=3,
               phase_id="p-2", delivery_method=DeliveryMethod.INCIDENT_SYSTEM,
                   event_type=EventType.ACTOR_ACTION),
        Inject(id="i-5", number=13, title="Radio check", planned_offset_s=0, position=4,
               delivery_method=DeliveryMethod.RADIO, event_type=EventType.PLAYER_ACTION,
               scenario_time=datetime(2026, 12, 13, 0, 0, 30)),
    )
    return Scenario(exercise(), objectives, organisations, phases, injects)


def without_injects(scenario: Scenario) -> Scenario:
    return Scenario(scenario.exercise, scenario.objectives, scenario.organisations, scenario.phases)


def preview_file(path: Path, options: ParseOptions | None = None) -> ImportPreview:
    """Read a file, take the likeliest sheet and its detected mapping, and parse it."""
    workbook = read_table(path)
    best = propose_sheet(workbook)[0]
    return parse_rows(workbook.sheet(best.sheet), best.mapping, options, source=str(path))


def reimport(path: Path, into: Scenario) -> Scenario:
    return apply_preview(into, preview_file(path))


def inject_signature(scenario: Scenario, inject: Inject) -> tuple[object, ...]:
    """Everything the MSEL carries about an inject, by name so that scenarios with other ids compare."""
    phase = scenario.phase(inject.phase_id)
    objectives = tuple(o.code for i in inject.objective_ids if (o := scenario.objective(i)))
    depends = next((i.number for i in scenario.injects if i.id == inject.depends_on_id), None)
    return (inject.number, inject.title, inject.planned_offset_s, phase.name if phase else None,
            inject.scenario_time, inject.content, inject.delivery_method, inject.event_type, inject.sender,
            tuple(scenario.recipient_label(r) for r in inject.recipients), inject.expected_actions,
                objectives,
            inject.controller_notes, inject.storyline, inject.status, depends)


def signatures(scenario: Scenario) -> list[tuple[object, ...]]:
    return sorted((inject_signature(scenario, i) for i in scenario.injects), key=lambda s: str(s[0]))


def save_rows(path: Path, rows: Sequence[Sequence[object]], *, title: str = "MSEL",
              merges: Sequence[str] = (), extra_sheets: Sequence[tuple[str, Sequence[Sequence[object]],
                                                                       bool]] = ()
              ) -> Path:
    """A workbook with one sheet of ``rows`` (merged ranges as "A1:C1"), and optional (name, rows, hidden)."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    for name, other_rows, hidden in extra_sheets:
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(list(row))
        if hidden:
            other.sheet_state = "hidden"
    book.save(path)
    return path


def set_cached_value(path: Path, cell: str, value: str) -> None:
    """Store a saved result for the formula in ``cell``, as Excel does and openpyxl does not."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    text = parts[sheet].decode()
    start = text.index(f'<c r="{cell}"')
    end = text.index("</c>", start)
    # openpyxl writes an empty value as <v/>, <v /> or <v></v> (with lxml installed): drop it before adding ours.
    cell_xml = re.sub(r"<v\s*/>|<v></v>", "", text[start:end])
    parts[sheet] = (text[:start] + cell_xml + f"<v>{value}</v>" + text[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)

"""What the log's fields offer for one run: people, organisations, injects and objectives of its frozen scenario.

Built once per run from the services, so every field, filter and label of the log workspace names things the
same way. Pure Python: no widgets here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ctpn_desktop.core.entities import (
    AdhocInject,
    InjectEvent,
    InjectEventKind,
    JdmStage,
    LogKind,
    Scenario,
    Syndicate,
)

KIND_LABELS: dict[LogKind, str] = {
    LogKind.DECISION: "Decision",
    LogKind.ACTION: "Action",
    LogKind.INFORMATION: "Information",
    LogKind.OBSERVATION: "Observation",
    LogKind.ISSUE: "Issue",
}

MAKER_SEPARATOR = " · "
"""Between role and organisation in a decision-maker suggestion ("Tactical Commander (Silver) · Police")."""


def stage_label(stage: JdmStage) -> str:
    return f"{int(stage)} – {stage.label}"


@dataclass(frozen=True)
class InjectChoice:
    id: str
    label: str
    objective_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunChoices:
    """The names a run's log can refer to."""

    organisations: tuple[str, ...] = ()
    makers: tuple[str, ...] = ()
    """Decision-maker suggestions: each role with its organisation, joined by `MAKER_SEPARATOR`."""
    objectives: tuple[tuple[str, str, str], ...] = ()
    """(id, code, statement) in the scenario's order."""
    injects: tuple[InjectChoice, ...] = ()
    last_released: str | None = None
    inject_labels: dict[str, str] = field(default_factory=dict)
    syndicates: tuple[tuple[str, str], ...] = ()
    """(id, name) of the run's syndicates, in their order."""
    device_syndicates: dict[str, str] = field(default_factory=dict)
    """Laptop → the syndicate it takes notes for."""
    home_syndicate: str | None = None
    """The syndicate this laptop takes notes for, if any: the entry bar starts on it."""

    def syndicate_of(self, syndicate_id: str | None, device_id: str) -> str | None:
        """The syndicate an entry belongs to: the one it names, else its laptop's."""
        return syndicate_id if syndicate_id is not None else self.device_syndicates.get(device_id)

    def syndicate_name(self, syndicate_id: str | None) -> str:
        return dict(self.syndicates).get(syndicate_id or "", "")

    @classmethod
    def build(cls, scenario: Scenario, adhoc: list[AdhocInject], events: list[InjectEvent],
              logged_organisations: list[str] = (),  # type: ignore[assignment]
              syndicates: Sequence[Syndicate] = (), device_id: str = "") -> RunChoices:
        organisations: list[str] = []
        makers: list[str] = []
        for organisation in scenario.organisations:
            name = organisation.short_name or organisation.name
            organisations.append(name)
            makers.extend(f"{role.name}{MAKER_SEPARATOR}{name}" for role in organisation.roles)
        for name in logged_organisations:
            if name.casefold() not in {o.casefold() for o in organisations}:
                organisations.append(name)
        injects = [InjectChoice(i.id, f"{i.number} – {i.title}", i.objective_ids)
                   for i in sorted(scenario.injects, key=lambda i: (i.planned_offset_s, i.number))]
        injects.extend(InjectChoice(a.id, f"A{a.number} – {a.title}") for a in adhoc)
        released = [e for e in events if e.kind is InjectEventKind.RELEASED]
        return cls(
            organisations=tuple(organisations), makers=tuple(makers),
            objectives=tuple((o.id, o.code, o.statement) for o in scenario.objectives),
            injects=tuple(injects), last_released=released[-1].inject_id if released else None,
            inject_labels={choice.id: choice.label for choice in injects},
            syndicates=tuple((s.id, s.name) for s in syndicates),
            device_syndicates={device: s.id for s in syndicates for device in s.devices},
            home_syndicate=next((s.id for s in syndicates if device_id and device_id in s.devices), None),
        )

    def objective_codes(self, objective_ids: tuple[str, ...]) -> str:
        codes = {objective_id: code for objective_id, code, _ in self.objectives}
        return " ".join(codes.get(objective_id, "?") for objective_id in objective_ids)

    def objective_ids(self, text: str) -> tuple[tuple[str, ...], list[str]]:
        """The objectives typed as codes ("O1 O3", "o1, o3"); the second value lists codes that are not known."""
        by_code = {code.casefold(): objective_id for objective_id, code, _ in self.objectives}
        found: list[str] = []
        unknown: list[str] = []
        for word in text.replace(",", " ").replace(";", " ").split():
            objective_id = by_code.get(word.casefold())
            if objective_id is None:
                unknown.append(word)
            elif objective_id not in found:
                found.append(objective_id)
        return tuple(found), unknown

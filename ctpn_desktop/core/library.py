"""The scenario library: the sample exercises shipped in `scenarios/`, offered for new exercises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ctpn_desktop.core.errors import ScenarioFormatError
from ctpn_desktop.core.io.scenario_json import read_scenario_file

from ctpn_desktop.paths import scenarios_dir


@dataclass(frozen=True)
class LibraryItem:
    path: Path
    title: str
    summary: str
    marking: str
    injects: int


def library_folder() -> Path:
    """`scenarios/` beside the package in a source checkout, inside a frozen build or in the installed data."""
    return scenarios_dir()


def _summary(aim: str, limit: int = 240) -> str:
    text = " ".join(aim.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def library_items(folder: Path | None = None) -> list[LibraryItem]:
    """Every readable scenario, by title; a broken file is left out rather than hiding the others."""
    items = []
    for path in sorted((folder or library_folder()).glob("*.json")):
        try:
            scenario, _ = read_scenario_file(path)
        except ScenarioFormatError:
            continue
        items.append(LibraryItem(path=path, title=scenario.exercise.title, summary=_summary(scenario.exercise.aim),
                                 marking=scenario.exercise.marking, injects=len(scenario.injects)))
    return sorted(items, key=lambda item: item.title.casefold())

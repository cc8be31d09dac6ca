"""Documents for the benchmarks, built deterministically into ``bench/.work/`` (git-ignored).

A generated file is named after its parameters, the generator version and the schema revision, so it is
reused as long as none of them changes; a file from an older schema is never opened (that would migrate it
and time the migration). Files are built under a temporary name and moved into place, so an interrupted
run leaves nothing that looks finished.

New generators use :func:`cached`::

    def generate_log(path: Path | None = None, *, entries: int = 50_000) -> Path:
        return cached("log", {"entries": entries}, lambda target: _build_log(target, entries), path)

Run ``python bench/generate.py`` to build the default documents without timing anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
from ctpn_desktop.core.services.document import create_document

from bench.harness import REPO, WORK

#: Bump when a generator changes what it writes, so cached files are rebuilt.
GENERATOR_VERSION = 1

DEMO_SCENARIO = REPO / "scenarios" / "christmas-market-mta.json"


# --------------------------------------------------------------------------- caching


def schema_revision() -> str:
    from ctpn_desktop.storage import db

    return db.head_revision()


def cached(kind: str, params: Mapping[str, object], build: Callable[[Path], None], path: Path | None = None) -> Path:
    """The path of a document of ``kind`` built with ``params``, building it with ``build(tmp)`` if needed.

    ``path`` fixes the file name; otherwise it is derived from ``kind`` and ``params``. A marker file next to
    the document records what it was built from; a mismatch (or a missing marker) means a rebuild.
    """
    stamp = {"kind": kind, "params": dict(params), "generator": GENERATOR_VERSION, "schema": schema_revision()}
    digest = hashlib.sha256(json.dumps(stamp, sort_keys=True, default=str).encode()).hexdigest()[:12]
    if path is None:
        label = "-".join(f"{key}{value}" for key, value in params.items())
        path = WORK / f"{kind}-{label}-{digest}.ctpn"
    path = Path(path)
    marker = path.with_name(path.name + ".params.json")
    if path.exists() and marker.exists() and json.loads(marker.read_text()).get("digest") == digest:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _remove_document(tmp)
    marker.unlink(missing_ok=True)
    try:
        build(tmp)
        _remove_document(path)
        os.replace(tmp, path)
    finally:
        _remove_document(tmp)
    marker.write_text(json.dumps({"digest": digest, **stamp}, indent=1, default=str))
    return path


def _remove_document(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


# --------------------------------------------------------------------------- text

_WORD_TEXT = (
    "police fire ambulance control room casualty cordon rendezvous point tactical commander strategic "
    "coordinating group evacuation shelter crowd stewards CCTV operator suspect vehicle device witness "
    "hospital triage hazard zone decontamination media statement social post rumour railway station "
    "tram stop market square bridge street council liaison officer METHANE report JESIP joint decision "
    "model airwave talkgroup resources deployed arrival update confirmed unconfirmed reported minutes "
    "north south east west entrance exit barrier checkpoint sector inner outer marshalling area forward "
    "command post silver gold bronze logistics mutual aid counter terrorism specialist firearms armed "
    "response negotiator search team explosive ordnance disposal secondary threat assessment"
)
_WORDS = _WORD_TEXT.split()

_SENTENCE_ENDS = (".", ".", ".", "?", ".")


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(_WORDS) for _ in range(words)]
    return " ".join(chosen).capitalize() + rng.choice(_SENTENCE_ENDS)


def _text(rng: random.Random, low: int, high: int) -> str:
    """Prose of between ``low`` and ``high`` characters, in sentences of 6–18 words."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    while length < target:
        sentence = _sentence(rng, rng.randint(6, 18))
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:high].rstrip()


def _title(rng: random.Random) -> str:
    return _sentence(rng, rng.randint(4, 10)).rstrip(".?")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --------------------------------------------------------------------------- exercises


def build_scenario(
    *, injects: int = 5000, organisations: int = 40, objectives: int = 20, phases: int = 8, seed: int = 1
) -> Scenario:
    """A large, plausible scenario held in memory; the same arguments always give the same scenario."""
    rng = random.Random(seed)
    start = datetime(2027, 12, 10, 18, 30)
    exercise = Exercise(
        id=_uuid(rng),
        title=f"Benchmark exercise ({injects} injects)",
        exercise_type=ExerciseType.TABLE_TOP,
        aim=_text(rng, 150, 300),
        narrative=_text(rng, 1500, 3000),
        venue="Civic Centre, Committee Room 2",
        planned_date=date(2027, 12, 10),
        planned_duration_minutes=8 * 60,
        marking="OFFICIAL-SENSITIVE",
        organiser="Local Resilience Forum",
        author="bench/generate.py",
        threat=_text(rng, 200, 400),
        scope=_text(rng, 200, 400),
    )
    objective_list = tuple(
        Objective(
            id=_uuid(rng),
            code=f"O{i + 1}",
            statement=_text(rng, 80, 200),
            capability=rng.choice(("Operational coordination", "Public information", "Mass care", "")),
            position=i,
        )
        for i in range(objectives)
    )
    organisation_list = []
    levels = list(CommandLevel)
    for i in range(organisations):
        org_id = _uuid(rng)
        roles = tuple(
            Role(
                id=_uuid(rng),
                organisation_id=org_id,
                key=f"r{j + 1}",
                name=f"{rng.choice(('Strategic', 'Tactical', 'Operational', 'Duty'))} "
                f"{rng.choice(('Commander', 'Officer', 'Manager', 'Adviser', 'Lead'))} {j + 1}",
                level=rng.choice(levels),
                position=j,
            )
            for j in range(rng.randint(2, 5))
        )
        organisation_list.append(
            Organisation(
                id=org_id,
                key=f"org{i + 1}",
                name=f"{_title(rng)} Service {i + 1}",
                short_name=f"ORG{i + 1}",
                kind=OrganisationKind.CELL if i % 10 == 9 else OrganisationKind.AGENCY,
                position=i,
                roles=roles,
            )
        )
    duration_s = exercise.planned_duration_minutes * 60
    phase_list = tuple(
        Phase(
            id=_uuid(rng),
            key=f"p{i + 1}",
            name=f"Phase {i + 1}: {_title(rng)}",
            start_offset_s=duration_s * i // max(phases, 1),
            scenario_start=start + timedelta(hours=6 * i),
            narrative=_text(rng, 600, 1500),
            discussion_questions=tuple(_text(rng, 60, 160) for _ in range(rng.randint(3, 6))),
            position=i,
        )
        for i in range(phases)
    )
    deliveries = list(DeliveryMethod)
    event_types = [EventType.INJECT] * 6 + list(EventType)
    inject_list: list[Inject] = []
    for i in range(injects):
        offset = duration_s * i // max(injects, 1)
        phase = phase_list[min(i * phases // max(injects, 1), phases - 1)] if phases else None
        recipients = []
        for organisation in rng.sample(organisation_list, k=min(rng.randint(1, 4), len(organisation_list))):
            role = rng.choice(organisation.roles) if organisation.roles and rng.random() < 0.5 else None
            recipients.append(Recipient(organisation.id, role.id if role else None))
        inject_list.append(
            Inject(
                id=_uuid(rng),
                number=i + 1,
                title=_title(rng),
                planned_offset_s=offset,
                position=i,
                phase_id=phase.id if phase else None,
                scenario_time=start + timedelta(seconds=offset * 3),
                content=_text(rng, 200, 900),
                delivery_method=rng.choice(deliveries),
                event_type=rng.choice(event_types),
                sender=f"{rng.choice(organisation_list).short_name} {rng.choice(('control', 'SimCell', 'duty'))}"
                if organisation_list
                else "SimCell",
                expected_actions=_text(rng, 100, 400),
                controller_notes=_text(rng, 0, 300),
                storyline=rng.choice(("Main", "Media", "Casualties", "Secondary device", "Recovery")),
                status=InjectStatus.READY if rng.random() < 0.7 else InjectStatus.DRAFT,
                depends_on_id=inject_list[rng.randrange(i)].id if i and rng.random() < 0.05 else None,
                recipients=tuple(recipients),
                objective_ids=tuple(o.id for o in rng.sample(objective_list, k=min(rng.randint(0, 3), objectives))),
            )
        )
    return Scenario(exercise, objective_list, tuple(organisation_list), phase_list, tuple(inject_list))


def generate_exercise(
    path: Path | None = None,
    *,
    injects: int = 5000,
    organisations: int = 40,
    objectives: int = 20,
    phases: int = 8,
    seed: int = 1,
) -> Path:
    """A document holding :func:`build_scenario`'s scenario; reused when one with these parameters exists."""
    params = {"injects": injects, "orgs": organisations, "objectives": objectives, "phases": phases, "seed": seed}

    def build(target: Path) -> None:
        scenario = build_scenario(
            injects=injects, organisations=organisations, objectives=objectives, phases=phases, seed=seed
        )
        create_document(target, scenario).close()

    return cached("exercise", params, build, path)


def demo_document(path: Path | None = None) -> Path:
    """The demo document the app shows first, made fresh (it is small) with the app's own code.

    Falls back to the library's Christmas-market scenario for a tree without ``ctpn_desktop.core.demo``.
    """
    path = Path(path) if path is not None else WORK / "demo.ctpn"
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_document(path)
    try:
        from ctpn_desktop.core.demo import make_demo_document
    except ImportError:
        pass
    else:
        return make_demo_document(path, replace=True)
    from ctpn_desktop.core.io.scenario_json import read_scenario_file

    scenario, blobs = read_scenario_file(DEMO_SCENARIO)
    create_document(path, scenario, blobs).close()
    return path


def clean() -> None:
    """Remove everything generated."""
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    import time

    for make in (demo_document, generate_exercise):
        began = time.perf_counter()
        made = make()
        print(f"{made.relative_to(REPO)}  ({time.perf_counter() - began:.1f} s)")

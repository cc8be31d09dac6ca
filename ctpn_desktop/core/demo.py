"""The demo document: Exercise WINTER LANTERN from the library with one completed rehearsal run.

A new user should see every workspace populated at once, so the run is played through the same services the
application uses — clock, inject releases (around their planned times, one skipped, one ad-hoc), a decision log
kept by two note-takers on their own laptops (one entry corrected, one withdrawn), observations for every
objective citing the log entries and injects they rest on (one revised after the evaluators' meeting), the hot
wash (a duplicate note withdrawn), the improvement plan (one action re-assigned) and a reviewed executive summary —
on a scripted time source, so it takes a moment, not hours.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import (
    ActionItem,
    CapabilityElement,
    Evidence,
    EvidenceKind,
    HotwashKind,
    JdmStage,
    LogKind,
    Rating,
    Scenario,
)
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.library import library_folder
from ctpn_desktop.core.services.document import Document, create_document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService

DEMO_SCENARIO = "christmas-market-mta.json"
REHEARSAL_START = datetime(2027, 11, 26, 9, 30, tzinfo=UTC)
"""Two weeks before the exercise date, as a rehearsal would be."""
POLICE_LAPTOP = "demo-police-table"
HEALTH_LAPTOP = "demo-health-table"
POLICE_LOGGIST = "J. Patel (loggist, blue-light table)"
HEALTH_LOGGIST = "S. Byrne (loggist, health and council table)"
EVALUATOR = "R. Okafor (lead evaluator)"

RELEASE_DRIFT_S = {1: 20, 2: 45, 3: -30, 4: 60, 5: 90, 6: 30, 7: 120, 8: 15, 9: 0, 10: 75, 11: 40, 12: 100,
                   14: -20, 15: 150, 16: 35, 17: 60, 18: 10, 19: 80, 20: 25, 21: 55, 22: 30, 23: 45}
"""Seconds each inject went out after (or before) its planned time; inject 13 was skipped."""
SKIPPED_INJECT = 13
ADHOC_AT_S = 129 * 60
END_AT_S = 206 * 60


@dataclass(frozen=True)
class _Entry:
    minute: float
    laptop: str
    kind: LogKind
    maker: str
    organisation: str
    text: str
    rationale: str = ""
    options: str = ""
    actions: tuple[tuple[str, str], ...] = ()
    inject: int | str | None = None
    objectives: tuple[str, ...] = ()
    stage: JdmStage | None = None


P, H = POLICE_LAPTOP, HEALTH_LAPTOP
D, A, INFO, OBS, X = LogKind.DECISION, LogKind.ACTION, LogKind.INFORMATION, LogKind.OBSERVATION, LogKind.ISSUE
GATHER, ASSESS, POWERS, OPTIONS, ACT = (JdmStage.GATHER_INFORMATION, JdmStage.ASSESS_RISKS,
                                       JdmStage.POWERS_POLICIES, JdmStage.OPTIONS, JdmStage.TAKE_ACTION)

ENTRIES: tuple[_Entry, ...] = (
    _Entry(5.2, P, D, "Force Incident Manager", "Police",
           "Declare Operation PLATO (suspected marauding terrorist attack) on the calls received.",
           "Three independent callers describe a van driven into the crowd and people attacked with knives; the "
           "PLATO criteria are met and waiting for an officer's confirmation would delay a safe response.",
           "1) Await the first officer's report. 2) Declare PLATO now. 3) Declare a major incident only.",
           (("Tell fire and ambulance control that PLATO is declared", "Force Incident Manager"),
            ("Nominate an initial RVP outside the likely hot zone", "Force Incident Manager")), 1, ("O1",), ACT),
    _Entry(6.0, H, D, "Emergency Operations Centre Duty Manager", "Ambulance",
           "Declare a major incident for the ambulance service; dispatch HART; other crews to stand off at the RVP.",
           "PLATO declared by police: crews must not enter the hot zone. HART is trained and equipped for the "
           "warm zone.", "", (("Send the first two crews to the RVP only", "EOC Duty Manager"),), 1, ("O1", "O2"),
           ACT),
    _Entry(6.8, P, A, "Fire Control Watch Manager", "Fire",
           "Two pumps and the specialist response team mobilised to Castle Street; crews to stand off until the RVP "
           "is confirmed.", inject=1, objectives=("O1",), stage=ACT),
    _Entry(10.1, P, INFO, "Operational Commander (Bronze), Cathedral Square", "Police",
           "First officers: two attackers with large knives near the Corn Exchange, one appears to wear a suicide "
           "vest. At least 12 casualties in the main aisle.", inject=2, objectives=("O1", "O2"), stage=GATHER),
    _Entry(10.9, P, D, "Tactical Commander (Silver)", "Police",
           "Armed officers to engage; unarmed officers withdraw to cordons at Castle Street and Bridge Street.",
           "A possible suicide vest makes the risk to unarmed officers too high; armed response is four minutes out.",
           "Unarmed officers hold position / withdraw to cordons / withdraw completely.",
           (("Set cordon points at Castle Street and Bridge Street", "Bronze"),), 2, ("O1", "O2"), OPTIONS),
    _Entry(12.5, P, INFO, "Operational Commander (Bronze), Cathedral Square", "Police",
           "M/ETHANE passed to all three control rooms — Major incident (PLATO); Exact location: Cathedral Square, "
           "Minster Gate; Type: vehicle and bladed attack, possible IED; Hazards: attackers at large, possible "
           "vest, crowd crush; Access: Castle Street only; Number: 20+ casualties, 4 P1; Emergency services: "
           "police on scene, fire and ambulance at the RVP.", inject=2, objectives=("O1",), stage=GATHER),
    _Entry(14.3, P, X, "Tactical Commander (Silver)", "Police",
           "Police and ambulance have given different RVPs (Castle Street car park and Bridge Street); crews are "
           "arriving at both.", inject=2, objectives=("O1",)),
    _Entry(15.5, P, D, "Head of Corporate Communications", "Police",
           "Post 'Run, Hide, Tell' on police channels and ask the public to avoid the city centre.",
           "Video of the attack is spreading; people need protective advice now. Wording agreed by phone with the "
           "council's Head of Communications.", "Wait for the SCG / police-only message / joint message now.",
           (("Share the message on council channels", "Council Head of Communications"),), 3, ("O3",), ACT),
    _Entry(16.2, H, A, "Head of Communications", "Council",
           "Council channels share the police 'Run, Hide, Tell' message; scheduled market promotions switched off.",
           inject=3, objectives=("O3",), stage=ACT),
    _Entry(17.5, P, INFO, "Intelligence Liaison Officer", "CTP",
           "The video shows three attackers, not two; the third leaves towards Minster Close. Passed to Silver.",
           inject=3, objectives=("O1",), stage=GATHER),
    _Entry(20.0, P, INFO, "Head of Security and Stewarding", "Event organiser",
           "Stewards report hundreds sheltering in the Corn Exchange and the shops; the PA system still works.",
           inject=4, objectives=("O1", "O3"), stage=GATHER),
    _Entry(21.3, P, D, "Tactical Commander (Silver)", "Police",
           "Use the market PA to tell people to stay where they are sheltering; no evacuation yet.",
           "The third attacker is unaccounted for; moving crowds into the open would expose them. The PA reaches "
           "people without phones.", "Evacuate via Castle Street / shelter in place / say nothing.",
           (("Write the PA script and pass it to the Head of Security", "Police Silver"),), 4, ("O3",), OPTIONS),
    _Entry(26.0, P, INFO, "Force Incident Manager", "Police",
           "Two attackers stopped by armed officers at the Corn Exchange. The third is outstanding, last seen in "
           "Minster Close heading north.", inject=5, objectives=("O1", "O2"), stage=GATHER),
    _Entry(27.2, P, D, "Senior Investigating Officer", "CTP",
           "The market is a crime scene under counter-terrorism investigation; preserve the van and the carousel.",
           "Evidence of the wider network is needed to stop the third attacker. Where evidence and casualty care "
           "conflict, casualty care comes first.", "", (("Brief Bronze on scene preservation", "SIO"),), 5, ("O2",),
           POWERS),
    _Entry(31.7, H, INFO, "Tactical Commander", "Ambulance",
           "M/ETHANE from the first crew at the RVP: 26 casualties — 5 P1, 9 P2, 12 P3 — and 2 dead. HART entering "
           "the warm zone with a police escort.", inject=6, objectives=("O1", "O2", "O5"), stage=GATHER),
    _Entry(33.0, H, D, "Tactical Commander", "Ambulance",
           "Casualty clearing station in the Castle Street surface car park.",
           "Outside the hot zone, covered, vehicle access from the ring road, lighting available.",
           "Castle Street car park / Cathedral Close lawn / the bus station.",
           (("Open the car park barrier and lighting", "Council Emergency Planning"),
            ("Tell the hospitals where the CCS is", "Ambulance EOC")), 6, ("O2",), OPTIONS),
    _Entry(35.0, H, A, "Emergency Operations Centre Duty Manager", "Ambulance",
           "Mutual aid requested: ten emergency ambulances from neighbouring services.", "",
           "", (("Place the request through the national coordination centre", "EOC Duty Manager"),), 6, ("O5",),
           ACT),
    _Entry(39.0, H, INFO, "Hospital Incident Coordinator", "Hospitals",
           "Royal Infirmary ED: 14 walk-in casualties and no pre-alert; the department is at capacity.", inject=7,
           objectives=("O2", "O5"), stage=GATHER),
    _Entry(40.5, H, D, "Executive Director on call", "Hospitals",
           "Declare a major incident across the Trust; activate the major incident plan; cancel Saturday's "
           "elective surgery.", "Walk-ins already exceed ED capacity and the P1 patients from the CCS are still "
           "to come.", "", (), 7, ("O2", "O5"), ACT),
    _Entry(41.2, H, D, "Tactical Commander", "Ambulance",
           "Hospital distribution: P1 to the Royal Infirmary (major trauma centre); P2 shared between the Royal "
           "Infirmary and St Anne's; P3 to St Anne's minor injuries unit.",
           "Keeps theatre capacity at the major trauma centre for the most seriously injured.", "", (), 7, ("O2",),
           OPTIONS),
    _Entry(46.0, P, X, "Lead Facilitator", "Exercise Control",
           "Still no joint meeting: police, fire and ambulance are working from three different RVPs.", inject=8,
           objectives=("O1",)),
    _Entry(47.5, P, D, "Tactical Commander (Silver)", "Police",
           "One RVP at the Castle Street multi-storey; forward command post at the fire command unit on Castle "
           "Street; first joint meeting at 19:35.",
           "Three RVPs split resources and delay the response; JESIP: co-locate, communicate, coordinate.", "",
           (("Tell fire and ambulance control of the single RVP", "Force Incident Manager"),), 8, ("O1",), ASSESS),
    _Entry(48.0, H, INFO, "Tactical Commander (Silver)", "Police",
           "Single RVP agreed at Castle Street multi-storey; joint meeting at 19:35.", inject=8, objectives=("O1",)),
    _Entry(56.0, P, D, "Police, Fire and Ambulance Tactical Commanders", "Police",
           "Joint understanding of risk: hot zone from Cathedral Square to Minster Close; warm zone to Castle "
           "Street; cold zone beyond the cordons.", "Agreed at the first joint meeting using the Joint Decision "
           "Model.", "", (), 8, ("O1", "O2"), ASSESS),
    _Entry(61.0, P, INFO, "Tactical Commander (Silver)", "Police",
           "Explosives officer assesses the suspect vest as an imitation.", inject=9, objectives=("O2",),
           stage=GATHER),
    _Entry(62.5, P, D, "Tactical Commander", "Fire",
           "Specialist responders to help extract casualties from the warm zone now the vest is an imitation.",
           "The main hazard to responders is gone; casualties are waiting for extraction.", "", (), 9, ("O2",),
           ACT),
    _Entry(69.0, H, INFO, "Operational Commander, Casualty Clearing", "Ambulance",
           "CCS working: 19 casualties triaged, 4 P1 waiting for transport; extraction route via Castle Street.",
           inject=10, objectives=("O2",), stage=GATHER),
    _Entry(70.0, P, D, "Operational Commander (Bronze), Cathedral Square", "Police",
           "Extraction route one-way: in by Castle Street, out by Bridge Street.",
           "Ambulances were meeting head-on in Castle Street.", "", (), 10, ("O2",), ACT),
    _Entry(77.0, H, INFO, "Executive Director on call", "Hospitals",
           "Capacity: Royal Infirmary 6 critical care beds, St Anne's 2; theatres for 8 cases before midnight.",
           inject=11, objectives=("O2", "O5"), stage=GATHER),
    _Entry(85.0, P, D, "Strategic Commander (Gold)", "Police",
           "Request police mutual aid — 20 police support units — for the cordons and reassurance patrols.",
           "The third attacker is outstanding, the threat level is likely to rise to CRITICAL and our own officers "
           "are exhausted by 02:00.", "", (("Submit the request to the national coordination centre", "Gold"),), 12,
           ("O5",), ACT),
    _Entry(87.0, P, A, "Senior Investigating Officer", "CTP",
           "National counter-terrorism network support requested for the hunt for the third attacker.", inject=12,
           objectives=("O5",), stage=ACT),
    _Entry(103.0, P, INFO, "Head of Corporate Communications", "Police",
           "Breaking news wrongly reports a second attack at the railway station; a group claims responsibility "
           "online.", inject=14, objectives=("O3",), stage=GATHER),
    _Entry(104.5, H, D, "Head of Communications", "Council",
           "Joint rebuttal: police and council post that there is no second incident; media briefing at 21:00 "
           "by police Gold and the council Chief Executive.",
           "False reports send people towards the station and the hospitals; one joint voice is trusted more.",
           "", (("Book the Guildhall briefing room", "Council Head of Communications"),), 14, ("O3",), ACT),
    _Entry(116.0, P, D, "Strategic Commander (Gold)", "Police",
           "Strategic Coordinating Group convened, police Gold in the chair. Strategy: save life, stop the third "
           "attacker, support casualties and families, keep public confidence.", "", "", (), 15, ("O4", "O5"),
           ASSESS),
    _Entry(118.0, H, A, "Chief Executive (Strategic lead)", "Council",
           "The council leads the humanitarian response; the Director of Adult Social Care is the Humanitarian "
           "Assistance Lead.", inject=15, objectives=("O4",), stage=ACT),
    _Entry(125.0, H, INFO, "Humanitarian Assistance Lead", "Council",
           "Families gathering at the Royal Infirmary and the cathedral; a 9-year-old from the Lindenfeld choir is "
           "reported missing.", inject=16, objectives=("O4",), stage=GATHER),
    _Entry(126.5, H, D, "Humanitarian Assistance Lead", "Council",
           "Friends and Relatives Reception Centre at the Guildhall; Survivor Reception Centre at the Corn "
           "Exchange.", "The Guildhall is outside the cordon, step-free and has staff on call.",
           "Guildhall / Royal Infirmary outpatients / Town Hall.",
           (("Open the Guildhall and staff the reception desk", "Council Emergency Planning"),), 16, ("O4",),
           OPTIONS),
    _Entry(128.0, P, A, "Tactical Commander (Silver)", "Police",
           "Missing child: family liaison and child protection teams tasked; CCTV review of Minster Gate ordered.",
           inject=16, objectives=("O4",), stage=ACT),
    _Entry(130.0, H, INFO, "Humanitarian Assistance Lead", "Council",
           "Lindenfeld consulate asks for one point of contact for the choir's families.", inject="adhoc",
           objectives=("O4",), stage=GATHER),
    _Entry(135.0, P, D, "Tactical Commander (Silver)", "Police",
           "Casualty bureau opens at 22:45; the number is published jointly by police and council.", "",
           "", (), 17, ("O4", "O3"), ACT),
    _Entry(145.0, H, D, "Chief Executive (Strategic lead)", "Council",
           "Cancel tomorrow's market day and the cathedral carol service; other city events reviewed by 09:00.",
           "Threat level CRITICAL, police resources committed, and public confidence.",
           "Cancel all events / cancel the market only / go ahead with extra security.", (), 18, ("O6", "O5"),
           OPTIONS),
    _Entry(156.0, P, X, "Tactical Commander (Silver)", "Police",
           "An innocent man is named online as the third attacker; a hate incident is reported at a mosque in "
           "Eastfield.", inject=19, objectives=("O3", "O6")),
    _Entry(157.5, P, D, "Strategic Commander (Gold)", "Police",
           "Reassurance patrols at places of worship; joint statement asking people not to speculate or share "
           "names.", "Community tension is rising and the misidentified man is at risk.", "", (), 19, ("O3", "O6"),
           ACT),
    _Entry(181.0, H, D, "Humanitarian Assistance Lead", "Council",
           "Humanitarian Assistance Centre at the Guildhall from 10:00 on Saturday.", "", "", (), 21, ("O4", "O6"),
           ACT),
    _Entry(190.0, H, INFO, "Emergency Planning Manager (Tactical lead)", "Council",
           "CTP expects to hand the scene back in 36 hours; tram line 2 stays suspended until then.", inject=22,
           objectives=("O6",), stage=GATHER),
    _Entry(192.0, H, D, "Chief Executive (Strategic lead)", "Council",
           "Recovery Coordinating Group chaired by the council Chief Executive, first meeting Saturday 14:00. "
           "Reopening needs: scene released, structural check of the carousel, community consultation.", "", "",
           (), 22, ("O6",), ASSESS),
    _Entry(199.0, P, D, "Strategic Commander (Gold)", "Police",
           "Structured debriefs for all staff within 72 hours; TRiM assessments offered; welfare officer at each "
           "station.", "", "", (), 23, ("O6",), ACT),
    _Entry(203.0, P, OBS, "Lead Evaluator", "Evaluation Team",
           "Commanders reached sound decisions but seldom named the Joint Decision Model stage they were at.",
           objectives=("O1",)),
)

CORRECTED_MINUTE = 33.0
CORRECTION = ("Casualty clearing station in the Castle Street multi-storey car park, level 0.",
              "Silver confirmed the multi-storey; the surface car park is the fire RVP.")
WITHDRAWN_MINUTE = 48.0
DUPLICATED_MINUTE = 47.5
WITHDRAWAL = "Logged twice: the police table recorded the same announcement (entry {number})."

OBSERVATIONS: tuple[tuple[str, Rating, str, str, str], ...] = (
    ("O1", Rating.M, "The single RVP and the co-located forward command post came 47 minutes after the first call, "
     "well outside the 20-minute aim; M/ETHANE was shared early but from one service only.",
     "Operation PLATO declared within two minutes; a full M/ETHANE message within 13 minutes.",
     "Three RVPs for half an hour; no joint meeting until the controller prompted one."),
    ("O2", Rating.S, "Zones, the CCS and the hospital distribution plan were agreed, but the CCS location was "
     "recorded wrongly at first and the hospitals heard of it late.",
     "Distribution plan agreed before the first P1 left the CCS; one-way extraction route.",
     "No pre-alert to the Royal Infirmary; walk-in casualties arrived first."),
    ("O3", Rating.P, "'Run, Hide, Tell' went out 15 minutes after the attack and the false second attack was "
     "rebutted jointly within two minutes.", "Police and council spoke with one voice throughout.",
     "Plan the rebuttal of misidentification online before it happens."),
    ("O4", Rating.S, "Reception centres and the casualty bureau were agreed by the end of Phase 3; the missing "
     "child was handled well.", "Clear humanitarian lead named by the SCG.",
     "Support for foreign nationals was improvised when the consulate called."),
    ("O5", Rating.S, "Mutual aid for police and ambulance was requested in time; who may request fire mutual aid "
     "was not recorded.", "Requests went through the national coordination centres.",
     "Record the authority to request each kind of mutual aid."),
    ("O6", Rating.M, "Recovery was discussed only in the last twenty minutes; reopening criteria were agreed but "
     "no community reassurance plan.", "Recovery Coordinating Group chair agreed early in Phase 4.",
     "Start recovery planning in Phase 3; involve community leaders."),
)

EVIDENCE: dict[str, tuple[float | str, ...]] = {
    "O1": (5.2, 12.5, 47.5, "inject 8"), "O2": (33.0, 41.2, "inject 7"), "O3": (15.5, 104.5, "inject 14"),
    "O4": (126.5, 135.0, "adhoc"), "O5": (35.0, 85.0), "O6": (145.0, 192.0),
}
"""What each objective's observation cites: log entries by the minute they were logged, injects by name."""
FIRST_DRAFT_O2 = (Rating.M, "The CCS location was recorded wrongly and the hospitals heard of it late.")
REVISION_REASON_O2 = ("Rating moderated at the evaluators' meeting: the distribution plan was agreed before the first "
                      "P1 casualty left the CCS.")
DUPLICATE_NOTE = "PLATO declared fast; every service knew what it meant."
SUMMARY_STRENGTHS = (
    "Operation PLATO was declared within two minutes and every service knew what it meant for its crews (O1).",
    "Police and council spoke with one voice, including a joint rebuttal of the false second attack within two "
    "minutes (O3).",
    "Hospitals declared early and the distribution plan was agreed before the first P1 casualty left the CCS (O2).",
)
SUMMARY_IMPROVEMENTS = (
    "Agree one RVP and a joint meeting in the first message between control rooms: three RVPs stood for half an "
    "hour (O1).",
    "Start recovery planning in Phase 3 and involve community leaders (O6).",
    "Pre-alert receiving hospitals as soon as a major incident is declared (O2).",
)

HOTWASH: tuple[tuple[HotwashKind, str, str | None], ...] = (
    (HotwashKind.STRENGTH, "PLATO was declared quickly and every service knew what it meant for its crews.", "O1"),
    (HotwashKind.STRENGTH, "Joint police and council messaging, including a fast rebuttal of the false report.",
     "O3"),
    (HotwashKind.STRENGTH, "Hospitals declared early and gave clear capacity figures.", "O2"),
    (HotwashKind.IMPROVEMENT, "Agree one RVP in the first message between control rooms, not after half an hour.",
     "O1"),
    (HotwashKind.IMPROVEMENT, "Pre-alert receiving hospitals as soon as a major incident is declared.", "O2"),
    (HotwashKind.IMPROVEMENT, "Start recovery planning before the final phase.", "O6"),
    (HotwashKind.LESSON, "Loggists on separate tables recorded the same decision twice; agree who logs joint "
     "decisions.", None),
    (HotwashKind.LESSON, "Commanders who say the JDM stage out loud make the log far easier to follow.", "O1"),
)

IMPROVEMENTS: tuple[tuple[str, str, CapabilityElement, str, str, int, str], ...] = (
    ("RVPs differed between services for 30 minutes.",
     "Add a pre-agreed primary and secondary RVP for the Winter Market to the joint event plan.",
     CapabilityElement.PLANNING, "Police", "Event planning lead", 60, "O1"),
    ("The Royal Infirmary had no pre-alert.",
     "Ambulance EOC to send a METHANE pre-alert to receiving hospitals on declaration; test in the spring exercise.",
     CapabilityElement.TRAINING, "Ambulance", "EOC training manager", 90, "O2"),
    ("Misidentification online was not anticipated.",
     "Write a joint holding statement and rebuttal process for misidentification and hate incidents.",
     CapabilityElement.PLANNING, "Council", "Head of Communications", 45, "O3"),
    ("Consulate contact was improvised.",
     "Add consulate liaison and foreign-national support to the humanitarian assistance plan.",
     CapabilityElement.PLANNING, "Council", "Humanitarian Assistance Lead", 120, "O4"),
    ("Authority to request fire mutual aid was not recorded.",
     "Publish a one-page table of who may request each kind of mutual aid, and how.",
     CapabilityElement.ORGANISATION, "Fire", "Area Manager, resilience", 75, "O5"),
)


def make_demo_document(path: Path, *, replace: bool = False) -> Path:
    """Create ``path`` with the demo exercise and its rehearsal run; an existing file is only replaced when asked.

    The document is built under a temporary name beside ``path`` and moved into place when complete, so an
    interrupted run never leaves a half-made demo behind.
    """
    path = Path(path)
    if path.exists() and not replace:
        raise FileExistsError(path)
    scenario, blobs = read_scenario_file(library_folder() / DEMO_SCENARIO)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        document = create_document(partial, scenario, blobs)
        try:
            play_rehearsal(document, scenario)
        finally:
            document.close()
        if replace:
            for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return path


def play_rehearsal(document: Document, scenario: Scenario) -> str:
    """Conduct and evaluate one rehearsal run of WINTER LANTERN on a scripted clock; returns the run id."""
    source = FakeTimeSource(REHEARSAL_START)
    runs = RunService(document, source, actor="Lead Facilitator")
    run = runs.create_run("Rehearsal", rehearsal=True)
    injects = {inject.number: inject.id for inject in scenario.injects}
    objectives = {objective.code: objective.id for objective in scenario.objectives}
    logs = {laptop: LogService(document, laptop, source) for laptop in (POLICE_LAPTOP, HEALTH_LAPTOP)}
    loggists = {POLICE_LAPTOP: POLICE_LOGGIST, HEALTH_LAPTOP: HEALTH_LOGGIST}
    adhoc_id = ""

    def wait_until(exercise_s: float) -> None:
        elapsed = runs.clock(run.id).elapsed()
        if exercise_s > elapsed:
            source.advance(exercise_s - elapsed)

    steps: list[tuple[float, int, object]] = []
    for inject in scenario.injects:
        release_at = inject.planned_offset_s + RELEASE_DRIFT_S.get(inject.number, 0)
        steps.append((max(release_at, 1.0), 0, inject.number))
    steps.append((ADHOC_AT_S, 1, "adhoc"))
    steps.extend((entry.minute * 60, 2, entry) for entry in ENTRIES)
    steps.sort(key=lambda step: (step[0], step[1]))

    runs.start(run.id)
    entry_ids: dict[float, str] = {}
    for at, _order, what in steps:
        wait_until(at)
        if what == SKIPPED_INJECT:
            runs.skip(run.id, injects[SKIPPED_INJECT], note="Skipped to keep to time; the tram sighting was "
                                                          "covered in the discussion of inject 12.")
        elif isinstance(what, int):
            runs.release(run.id, injects[what])
        elif what == "adhoc":
            adhoc, _event = runs.add_adhoc(
                run.id, "Call from the Lindenfeld consulate",
                "The consul asks who will keep the families of the Lindenfeld youth choir informed, and through "
                "which single point of contact.", recipients_text="Council Humanitarian Assistance Lead",
                note="Played by the SimCell to test support for foreign nationals.")
            adhoc_id = adhoc.id
        elif isinstance(what, _Entry):
            inject_id = adhoc_id if what.inject == "adhoc" else injects.get(what.inject) if isinstance(
                what.inject, int) else None
            draft = LogDraft(
                kind=what.kind, text=what.text, rationale=what.rationale, options_considered=what.options,
                actions=tuple(ActionItem(action, owner) for action, owner in what.actions),
                decision_maker=what.maker, organisation=what.organisation, logged_by=loggists[what.laptop],
                inject_id=inject_id, objective_ids=tuple(objectives[code] for code in what.objectives),
                jdm_stage=what.stage, logged_at=source.wall() - timedelta(seconds=35))
            entry_ids[what.minute] = logs[what.laptop].append(run.id, draft, exercise_s=at).entry_id

    _correct_and_withdraw(logs, entry_ids)
    wait_until(END_AT_S)
    runs.end(run.id, "ENDEX")
    source.advance(15 * 60)
    cited: dict[float | str, Evidence] = {minute: Evidence(EvidenceKind.LOG_ENTRY, entry_id)
                                          for minute, entry_id in entry_ids.items()}
    cited |= {f"inject {number}": Evidence(EvidenceKind.INJECT, inject_id) for number, inject_id in injects.items()}
    cited["adhoc"] = Evidence(EvidenceKind.INJECT, adhoc_id)
    _evaluate(EvaluationService(document, source, POLICE_LAPTOP), run.id, objectives, source, cited)
    return run.id


def _correct_and_withdraw(logs: dict[str, LogService], entry_ids: dict[float, str]) -> None:
    health = logs[HEALTH_LAPTOP]
    original = health.entry(entry_ids[CORRECTED_MINUTE]).current
    text, reason = CORRECTION
    health.correct(original.entry_id, LogDraft(
        kind=original.kind, text=text, rationale=original.rationale,
        options_considered=original.options_considered, actions=original.actions,
        decision_maker=original.decision_maker, organisation=original.organisation, logged_by=original.logged_by,
        inject_id=original.inject_id, objective_ids=original.objective_ids, jdm_stage=original.jdm_stage),
        reason=reason)
    kept = logs[POLICE_LAPTOP].entry(entry_ids[DUPLICATED_MINUTE]).current.entry_number
    health.withdraw(entry_ids[WITHDRAWN_MINUTE], WITHDRAWAL.format(number=kept))


def _evaluate(evaluation: EvaluationService, run_id: str, objectives: dict[str, str],
              source: FakeTimeSource, cited: dict[float | str, Evidence]) -> None:
    for code, rating, text, strengths, improvements in OBSERVATIONS:
        evidence = [cited[key] for key in EVIDENCE.get(code, ())]
        first_rating, first_text = FIRST_DRAFT_O2 if code == "O2" else (rating, text)
        observation = evaluation.add_observation(
            run_id, objective_id=objectives[code], evaluator=EVALUATOR, rating=first_rating, text=first_text,
            strengths=strengths, improvements=improvements, exercise_s=float(END_AT_S),
            evidence=evidence[:1] if code == "O2" else evidence)
        if code == "O2":  # revised after the evaluators compared notes; the first draft stays in its history
            source.advance(20 * 60)
            evaluation.revise_observation(observation.id, reason=REVISION_REASON_O2, objective_id=objectives[code],
                                          evaluator=EVALUATOR, rating=rating, text=text, strengths=strengths,
                                          improvements=improvements, evidence=evidence)
    for kind, note, about in HOTWASH:
        evaluation.add_hotwash_note(run_id, kind, note, objective_id=objectives[about] if about else None,
                                    author="Lead Facilitator")
    duplicate = evaluation.add_hotwash_note(run_id, HotwashKind.STRENGTH, DUPLICATE_NOTE,
                                            objective_id=objectives["O1"], author="Players")
    evaluation.withdraw_hotwash_note(duplicate.id, "Said twice: the facilitator's note on PLATO covers it.")
    today: date = source.wall().date()
    for index, (issue, action, element, owner, contact, due_in_days, code) in enumerate(IMPROVEMENTS):
        added = evaluation.add_improvement_action(run_id, issue=issue, action=action, capability_element=element,
                                                  owner_organisation=owner, contact=contact, start_date=today,
                                                  due_date=today + timedelta(days=due_in_days),
                                                  objective_id=objectives[code])
        if index == 4:  # re-assigned at the hot wash: fire's resilience lead takes it with the council
            evaluation.revise_improvement_action(
                added.id, reason="Agreed at the hot wash: the council's emergency planning team co-owns it.",
                issue=issue, action=action, capability_element=element, owner_organisation="Fire and Council",
                contact=f"{contact}; Emergency Planning Manager", start_date=today,
                due_date=today + timedelta(days=due_in_days + 15), objective_id=objectives[code])
    source.advance(30 * 60)
    evaluation.save_executive_summary(run_id, strengths=SUMMARY_STRENGTHS, improvements=SUMMARY_IMPROVEMENTS)

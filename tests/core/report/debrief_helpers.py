"""A short, realistic run of a library scenario, with the awkward text people really type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import (
    ActionItem,
    AnswerKind,
    DeliveryMethod,
    HotwashKind,
    JdmStage,
    LogEntry,
    LogKind,
)
from ctpn_desktop.core.services.document import Document
from ctpn_desktop.core.services.evaluation import EvaluationService
from ctpn_desktop.core.services.log import LogDraft, LogService
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.core.services.syndicates import SyndicateService

MARKUP = "Cordon <b>&amp; RVP</b> moved > 200 m & < 400 m"
EUROPEAN = "Ζωή Παπαδοπούλου, Łódź Żółć, Straße Grüße, Москва Щёлково"
LONG_TOKEN = "".join(f"{i % 10}" if i % 7 else "Q" for i in range(300))
URL = "https://resilience.example.org/plans/" + "/".join(f"section-{i}" for i in range(20)) + "?q=a&b=c"
ADHOC_TITLE = "Ad hoc: press call from Kraków radio"
HALT_REASON = "NO DUPLICITY — real casualty <car park> & ambulance called"
SYNDICATE_A = "Syndicate Α <Athína>"
SYNDICATE_B = "Syndicate B & Bruges"
ANSWER_A = "Police Silver declares within 10 min <after M/ETHANE>"
ANSWER_B = "The first joint meeting at the RVP & no sooner"
READBACK_A = "Read back: Silver declares; Gold confirms by 18:20"


@dataclass(frozen=True)
class DrivenRun:
    run_id: str
    entries: list[LogEntry]
    corrected_id: str
    withdrawn_id: str
    released_id: str
    skipped_id: str
    deferred_id: str


def drive_run(document: Document) -> DrivenRun:
    """Start a run, release, skip and defer injects and keep a decision log with a correction and a withdrawal."""
    source = FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))
    runs = RunService(document, source, actor="Lead facilitator")
    run = runs.create_run("Live conduct")
    injects = sorted(runs.frozen_scenario(run.id).injects, key=lambda i: i.planned_offset_s)
    runs.start(run.id)
    source.advance(injects[0].planned_offset_s + 45)
    runs.release(run.id, injects[0].id, note="Read aloud <twice> & handed out")
    runs.halt(run.id, HALT_REASON)
    source.advance(300)
    runs.resume(run.id, "Casualty handed over; play resumes")
    source.advance(120)
    runs.skip(run.id, injects[1].id, note="Players already there")
    runs.defer(run.id, injects[2].id, minutes=10, note="Room still on inject 1")
    source.advance(900)
    runs.release(run.id, injects[3].id)
    runs.add_adhoc(run.id, ADHOC_TITLE, "Journalist asks about casualties", delivery_method=DeliveryMethod.PHONE,
                   recipients_text="Police press officer")
    source.advance(600)
    runs.end(run.id, "ENDEX called by the exercise director")
    syndicates = SyndicateService(document, source, device_id="laptop-s")
    alpha = syndicates.add(run.id, SYNDICATE_A, members=["Ζωή Παπαδοπούλου", "Piet de Vries"],
                           facilitator="Dr Ines Moreau", note_taker="Jan Kowalski", room="Room 2.14")
    bravo = syndicates.add(run.id, SYNDICATE_B, members=["Łucja Nowak"], facilitator="Tomás Ó Briain",
                           note_taker="Aino Virtanen")
    log = LogService(document, device_id="laptop-a", source=source)
    first = log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"Declare a major incident. {MARKUP}",
                                        rationale=f"M/ETHANE from the scene. {EUROPEAN}",
                                        options_considered="Wait for a second report (rejected: time)",
                                        actions=(ActionItem("Inform partners", "Police control room"),),
                                        decision_maker="Police Gold", organisation="Police", logged_by="Zoë Müller",
                                        jdm_stage=JdmStage.TAKE_ACTION), exercise_s=400)
    log.append(run.id, LogDraft(kind=LogKind.DECISION, text=f"Hazard reference {LONG_TOKEN}",
                                rationale="", decision_maker="Fire Silver", organisation="Fire and Rescue",
                                logged_by="Jan Kowalski", syndicate_id=alpha.id), exercise_s=700)
    third = log.append(run.id, LogDraft(kind=LogKind.ACTION, text=f"Publish guidance at {URL}",
                                        rationale="Public information", decision_maker="Council Gold",
                                        organisation="Council", logged_by="Zoë Müller"), exercise_s=1300)
    log.append(run.id, LogDraft(kind=LogKind.INFORMATION, text="Ambulance: 12 P1 casualties at the CCS",
                                decision_maker="HART lead", organisation="Ambulance", logged_by="Jan Kowalski",
                                syndicate_id=bravo.id), exercise_s=1500)
    first_phase = runs.frozen_scenario(run.id).phases[0]
    syndicates.add_answer(run.id, alpha.id, phase_id=first_phase.id, question_index=0, text=ANSWER_A,
                          author="Jan Kowalski", exercise_s=1600)
    source.advance(1)
    syndicates.add_answer(run.id, bravo.id, phase_id=first_phase.id, question_index=0, text=ANSWER_B,
                          exercise_s=1610)
    source.advance(1)
    syndicates.add_answer(run.id, alpha.id, phase_id=first_phase.id, question_index=0, text=READBACK_A,
                          kind=AnswerKind.READBACK, exercise_s=1700)
    source.advance(1)
    corrected = log.correct(first.entry_id, LogDraft(kind=LogKind.DECISION,
                                                     text="Declare a major incident at 18:12 (Οδός Ερμού)",
                                                     rationale="M/ETHANE confirmed by the second crew",
                                                     decision_maker="Police Gold", organisation="Police",
                                                     logged_by="Zoë Müller"),
                            reason="Time & street added <after> ENDEX check")
    withdrawn = log.withdraw(third.entry_id, reason="Logged against the wrong run")
    objective_ids = [o.id for o in runs.frozen_scenario(run.id).objectives]
    evaluation = EvaluationService(document, source, device_id="laptop-e")
    evaluation.add_observation(run.id, objective_id=objective_ids[0], evaluator="E. Ortega", rating="S",
                               text="Shared picture formed late <15 min>", strengths="JESIP joint model used",
                               improvements="Earlier M/ETHANE", exercise_s=600.0)
    evaluation.add_observation(run.id, objective_id=objective_ids[1], evaluator="E. Ortega", rating="M",
                               text="Casualty clearing unclear", exercise_s=900.0)
    evaluation.add_hotwash_note(run.id, HotwashKind.STRENGTH, "Clear command structure",
                                objective_id=objective_ids[0], author="Players")
    evaluation.add_hotwash_note(run.id, HotwashKind.IMPROVEMENT, "Radio discipline & call signs", author="Evaluators")
    evaluation.add_improvement_action(run.id, issue="Late M/ETHANE report", action="Train first crews on M/ETHANE",
                                      capability_element="training", owner_organisation="Police",
                                      contact="Training lead", start_date=date(2028, 1, 10),
                                      due_date=date(2028, 3, 31), objective_id=objective_ids[0])
    return DrivenRun(run_id=run.id, entries=log.entries(run.id), corrected_id=corrected.entry_id,
                     withdrawn_id=withdrawn.entry_id, released_id=injects[0].id, skipped_id=injects[1].id,
                     deferred_id=injects[2].id)


def squash(value: str) -> str:
    """Text without any whitespace: extraction puts line breaks wherever the layout wrapped."""
    return "".join(value.split())


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]

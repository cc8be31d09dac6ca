"""MSEL import figures: a large agency workbook imported into an exercise document."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from bench.harness import WORK, BenchmarkUnavailable, Figure, median, repeat, runs, timed

WORKBOOK_VERSION = 1
"""Bump when the generated workbook changes, so an older file is rebuilt."""
DAYS = 5
INJECTS_PER_DAY = 1000
METHODS = ("Email", "Phone", "Radio", "Verbal", "Handout", "Social media", "News", "SimCell", "Video")
AGENCIES = ("Police", "Fire and Rescue", "Ambulance", "Local Authority", "Public Health", "Transport", "Council",
            "Harbour Master", "Environment Agency", "Met Office")
HEADER_TOP = ["MSEL #", "INJECT DTG", "Inject", None, "Send From", "Send To", "Injected By", "Inject Mode",
              "Expected Player Action", "Objective / Core Capability", "Storyline", "Remarks", "Location", "Sort"]
HEADER_BOTTOM = [None, None, "Title", "Description", None, None, None, None, None, None, None, None, None, None]


def _words(rng: random.Random, count: int) -> str:
    vocabulary = ("crowd", "gate", "report", "smoke", "caller", "steward", "cordon", "media", "casualty",
                  "evacuation", "rendezvous", "point", "bronze", "silver", "gold", "commander", "drone", "signal",
                  "river", "levels", "rising", "statement", "press", "hospital", "surge", "traffic", "closure")
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def build_workbook(path: Path) -> None:
    """An MSEL as agencies send them, at scale: a sheet per day (banner, marking, a two-row header drawn with
    merged cells, blank separators, the header repeated every 50 rows as printed pages do, DTG and text
    times, a hidden sort column) plus notes and lookup sheets; 5,000 injects in all."""
    from openpyxl import Workbook

    rng = random.Random(12)
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["How to use this MSEL"])
    number = 0
    for day in range(1, DAYS + 1):
        sheet = book.create_sheet(f"Day {day}")
        sheet.append(["EXERCISE GREY HARBOUR – MASTER SCENARIO EVENTS LIST"])
        sheet.append(["OFFICIAL-SENSITIVE"])
        sheet.append(HEADER_TOP)
        sheet.append(HEADER_BOTTOM)
        for column in "ABEFGHIJKLMN":
            sheet.merge_cells(f"{column}3:{column}4")
        sheet.merge_cells("C3:D3")
        for index in range(INJECTS_PER_DAY):
            number += 1
            if index and index % 25 == 0:
                sheet.append([])
            if index and index % 50 == 0:
                sheet.append(HEADER_TOP)
                sheet.append(HEADER_BOTTOM)
            minutes = 8 * 60 + index * 720 // INJECTS_PER_DAY
            when = (f"{10 + day:02d}{minutes // 60:02d}{minutes % 60:02d}ZMAY26" if index % 3 else
                    f"{minutes // 60:02d}{minutes % 60:02d}")
            if index == 500:
                when = "after the briefing"
            sheet.append([number, when, _words(rng, rng.randint(3, 8)).capitalize(),
                          _words(rng, rng.randint(40, 120)).capitalize() + ".", rng.choice(AGENCIES),
                          "; ".join(rng.sample(AGENCIES, rng.randint(1, 3))), f"Controller {rng.randint(1, 9)}",
                          rng.choice(METHODS), _words(rng, rng.randint(8, 30)).capitalize(),
                          f"O{rng.randint(1, 8)}", rng.choice(("Crowd", "Media", "Flood", "Security")),
                          _words(rng, rng.randint(0, 12)), f"Berth {rng.randint(1, 40)}", number])
        sheet.column_dimensions["N"].hidden = True
    lookups = book.create_sheet("Lookups")
    lookups.append(["Inject Mode"])
    for method in METHODS:
        lookups.append([method])
    book.save(path)


def msel_workbook() -> Path:
    path = WORK / f"msel-import-{DAYS * INJECTS_PER_DAY}-v{WORKBOOK_VERSION}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        build_workbook(partial)
        partial.replace(path)
    return path


def empty_document(folder: Path) -> Path:
    from ctpn_desktop.core.entities import Exercise, ExerciseType, Scenario
    from ctpn_desktop.core.services.document import create_document

    exercise = Exercise(id="bench-exercise", title="Exercise GREY HARBOUR", exercise_type=ExerciseType.TABLE_TOP,
                        marking="OFFICIAL")
    path = folder / "grey-harbour.ctpn"
    create_document(path, Scenario(exercise), {}).close()
    return path


def import_workbook(workbook: Path, document_path: Path) -> int:
    """The whole import as `ctpn-desktop msel import` runs it; returns the injects stored."""
    from ctpn_desktop.core.io.msel_import import merge_preview
    from ctpn_desktop.core.io.msel_mapping import propose_sheet, proposed_sheets
    from ctpn_desktop.core.io.msel_parse import parse_sheets
    from ctpn_desktop.core.io.msel_read import read_table
    from ctpn_desktop.core.io.msel_report import build_report
    from ctpn_desktop.core.services.document import open_document
    from ctpn_desktop.core.services.scenario import ScenarioService

    source = read_table(workbook)
    candidates = propose_sheet(source)
    by_name = {c.sheet: c for c in candidates}
    selection = [(source.sheet(n), by_name[n].mapping) for n in proposed_sheets(candidates)]
    preview = parse_sheets(selection, source=str(workbook))
    with open_document(document_path) as document:
        service = ScenarioService(document)
        outcome = merge_preview(service.load(), preview)
        build_report(preview, outcome).text()
        stored = service.merge_in(outcome.scenario)
    return len(stored.injects)


def openpyxl_read_only(workbook: Path) -> int:
    """The floor: openpyxl's own read-only load of the same file, every cell value of every sheet."""
    import openpyxl

    cells = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
        finally:
            book.close()
    return cells


def msel_import_5000() -> Figure:
    """Median time to import a 5,000-inject agency workbook (five day sheets) into an empty document: read,
    sheets proposed, headers found, rows parsed, merged, the report built, stored in one transaction.

    Baseline: openpyxl's own read-only load of the same file, every cell value read. One warm-up run each.
    """
    workbook = msel_workbook()
    count = runs(3)

    def one_import() -> float:
        folder = Path(tempfile.mkdtemp(prefix="msel-import-", dir=WORK))
        try:
            document = empty_document(folder)
            began = time.perf_counter()
            stored = import_workbook(workbook, document)
            elapsed = time.perf_counter() - began
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if stored != DAYS * INJECTS_PER_DAY:
            raise BenchmarkUnavailable(f"the import stored {stored} injects, not {DAYS * INJECTS_PER_DAY}")
        return elapsed

    app = median(repeat(one_import, count))
    floor = median(repeat(lambda: timed(lambda: openpyxl_read_only(workbook)), count))
    return Figure("msel_import_5000", app, "s", floor, "openpyxl read-only load of the same file, every cell")

"""The command line: everything that needs no window, calling the same services as the UI.

Exit codes: 0 success, 1 the input was refused or a check failed (the message says why), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ctpn_desktop.core.errors import CtpnError, ScenarioFormatError

from ctpn_desktop import APP_NAME, __version__, runtime

if TYPE_CHECKING:
    from ctpn_desktop.core.services.backups import BackupService
    from ctpn_desktop.core.services.document import Document

T = TypeVar("T")

DEBRIEF_SECTIONS = ("overview", "objectives", "summary", "observations", "hotwash", "responses", "timeline",
                    "injects", "decisions", "syndicates", "improvement", "participants", "integrity")
SUBCOMMANDS = {"new", "info", "validate", "demo", "schema", "verify", "msel", "export-json", "merge", "log",
               "debrief", "-h", "--help", "--version"}
SUBCOMMANDS |= {"handout", "room", "programme", "encrypt", "decrypt", "passphrase"}
ROOM_PASSWORD_ENV = "CTPN_ROOM_PASSWORD"
PASSPHRASE_ENV = "CTPN_PASSPHRASE"
OTHER_PASSPHRASE_ENV = "CTPN_OTHER_PASSPHRASE"
NEW_PASSPHRASE_ENV = "CTPN_NEW_PASSPHRASE"
PASSPHRASE_ATTEMPTS = 3
DEBRIEF_FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ctpn-desktop",
        description=f"{APP_NAME} {__version__}: offline exercise control. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    new = commands.add_parser("new", help="create an exercise document from a scenario JSON file")
    new.add_argument("--from", dest="source", required=True, type=Path, metavar="SCENARIO.json")
    new.add_argument("output", type=Path, metavar="OUT.ctpn")

    info = commands.add_parser("info", help="show the counts and metadata of an exercise document")
    info.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(info)
    info.add_argument("--json", action="store_true", help="print JSON instead of text")

    validate = commands.add_parser("validate", help="check a scenario JSON file against the format")
    validate.add_argument("scenario", type=Path, metavar="FILE.json")

    demo = commands.add_parser("demo", help="make a demo exercise document from the scenario library")
    demo.add_argument("output", type=Path, metavar="OUT.ctpn")
    demo.add_argument("--force", action="store_true", help="replace OUT.ctpn if it exists")

    commands.add_parser("schema", help="print the JSON Schema of the scenario format")

    export = commands.add_parser("export-json", help="write the scenario of a document as scenario JSON")
    export.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(export)
    export.add_argument("output", type=Path, metavar="OUT.json")
    export.add_argument("--template", action="store_true", help="leave out identities (a template)")

    verify = commands.add_parser("verify", help="check the decision-log hash chains of a document")
    verify.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(verify)
    verify.add_argument("--code", metavar="CODE",
                        help="the log code printed at the foot of a debrief's pages (or the text of its QR code): "
                             "says whether the file still holds exactly that log")

    merge = commands.add_parser("merge", help="merge into a document the log kept on another copy of it")
    merge.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(merge)
    merge.add_argument("other", type=Path, metavar="OTHER.ctpn")
    merge.add_argument("--syndicate", metavar="NAME", help="the copy is this syndicate's note-taker's: its log is "
                                                           "the syndicate's")
    merge.add_argument("--run", type=int, metavar="N", help="the run of the syndicate (default: the latest run)")

    log = commands.add_parser("log", help="export the decision log")
    log_commands = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    log_export = log_commands.add_parser("export", help="write the decision log of a run as CSV")
    log_export.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(log_export)
    log_export.add_argument("output", type=Path, metavar="OUT.csv")
    log_export.add_argument("--run", type=int, metavar="N", help="the run number (default: the latest run)")

    debrief = commands.add_parser("debrief", help="export the post-exercise debrief of a run as PDF or accessible HTML")
    debrief.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(debrief)
    debrief.add_argument("--run", type=int, metavar="N", help="the run number (default: the latest run)")
    debrief.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf|OUT.html")
    debrief.add_argument("--format", choices=("pdf", "pdf-ua", "html"),
                         help="the file format (default: from the file name); pdf-ua is a tagged PDF (PDF/UA-1) "
                              "that screen readers can follow")
    debrief.add_argument("--no-controller-notes", action="store_true", help="leave out the controllers' notes")
    debrief.add_argument("--marking", metavar="M", help="print this protective marking instead of the exercise's")
    debrief.add_argument("--organisation", default="", metavar="NAME", help="the organisation issuing the report")
    debrief.add_argument("--logo", type=Path, metavar="PNG", help="a logo for the cover page")
    debrief.add_argument("--sections", nargs="+", metavar="SECTION", choices=DEBRIEF_SECTIONS,
                         help=f"only these sections ({', '.join(DEBRIEF_SECTIONS)})")
    debrief.add_argument("--draft", action="store_true", help="mark every page DRAFT")

    handout = commands.add_parser("handout", help="print the MSEL as the controller's landscape PDF handout")
    handout.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(handout)
    handout.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf")
    handout.add_argument("--no-controller-notes", action="store_true", help="leave out the controllers' notes")
    handout.add_argument("--marking", metavar="M", help="print this protective marking instead of the exercise's")
    handout.add_argument("--organisation", default="", metavar="NAME", help="the organisation issuing the handout")

    room = commands.add_parser(
        "room", help="share an exercise on a PostgreSQL server of the room's network, join it, write it back",
        description="SERVER is host[:port]/database, with user@ in front if needed, e.g. "
                    "control@192.168.10.2:5432/ctpn. The password comes from CTPN_ROOM_PASSWORD, from PGPASSWORD "
                    "or ~/.pgpass, or is asked for with -W; it is never stored.")
    room_commands = room.add_subparsers(dest="room_command", metavar="ACTION", required=True)
    room_publish = room_commands.add_parser("publish", help="copy an exercise file into a new shared room")
    room_publish.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(room_publish)
    room_publish.add_argument("server", metavar="SERVER")
    room_publish.add_argument("--name", required=True, help="the room's name, as the other stations will see it")
    room_list = room_commands.add_parser("list", help="the rooms on a server, with their stations")
    room_list.add_argument("server", metavar="SERVER")
    room_join = room_commands.add_parser("join", help="open the window on a shared room, as a station in a role")
    room_join.add_argument("server", metavar="SERVER")
    room_join.add_argument("name", metavar="ROOM")
    room_join.add_argument("--role", required=True, choices=[r.value for r in _roles()],
                           help="what this station does in the room")
    room_join.add_argument("--as", dest="station_name", default="", metavar="NAME",
                           help="how this station is named for the others (e.g. 'Police table')")
    room_back = room_commands.add_parser("write-back", help="write a room back to one exercise file")
    room_back.add_argument("server", metavar="SERVER")
    room_back.add_argument("name", metavar="ROOM")
    room_back.add_argument("output", type=Path, metavar="OUT.ctpn")
    sealing = room_back.add_mutually_exclusive_group()
    sealing.add_argument("--encrypt", action="store_true",
                         help="encrypt the file with a new passphrase (from --new-passphrase-file, "
                              f"{NEW_PASSPHRASE_ENV}, or typed twice on the terminal)")
    sealing.add_argument("--unencrypted", action="store_true",
                         help="write a room published from an encrypted file unencrypted all the same")
    room_back.add_argument("--new-passphrase-file", type=Path, metavar="FILE",
                           help=f"read the new passphrase from the first line of FILE (else {NEW_PASSPHRASE_ENV}, "
                                "else it is asked for twice on the terminal)")
    room_drop = room_commands.add_parser("drop", help="remove a room from the server, for every station")
    room_drop.add_argument("server", metavar="SERVER")
    room_drop.add_argument("name", metavar="ROOM")
    room_drop.add_argument("--yes", action="store_true", help="really remove it (write it back first)")
    for command in (room_publish, room_list, room_join, room_back, room_drop):
        command.add_argument("-W", "--password", action="store_true", help="ask for the server's password")
    programme = commands.add_parser("programme", help="write the exercise programme for participants as PDF or "
                                                      "accessible HTML")
    programme.add_argument("document", type=Path, metavar="DOC.ctpn|SCENARIO.json")
    _passphrase_option(programme)
    programme.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf|OUT.html")
    programme.add_argument("--format", choices=("pdf", "html"), help="the file format (default: from the file name)")
    programme.add_argument("--marking", metavar="M", help="print this protective marking instead of the exercise's")
    programme.add_argument("--organisation", default="", metavar="NAME", help="the organisation issuing it")
    programme.add_argument("--general-idea", action="store_true",
                           help="print the exercise's general idea (narrative) too; it is left out by default")

    msel = commands.add_parser("msel", help="import or export the MSEL as CSV or XLSX")
    msel_commands = msel.add_subparsers(dest="msel_command", metavar="ACTION", required=True)
    msel_import = msel_commands.add_parser("import", help="append the injects of a spreadsheet to a document")
    msel_import.add_argument("spreadsheet", type=Path, metavar="FILE.xlsx|csv")
    msel_import.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(msel_import)
    msel_import.add_argument("--sheet", action="append", metavar="SHEET",
                             help="a sheet to read; repeat for several, imported in the order given "
                                  "(default: every sheet of injects, as proposed)")
    msel_import.add_argument("--all-sheets", action="store_true",
                             help="read every sheet with data, whatever its name")
    msel_import.add_argument("--header-row", action="append", metavar="N|SHEET=N",
                             help="the row holding the column titles (the lower row of a two-row header), for "
                                  "every sheet or for the sheet named")
    msel_import.add_argument("--column", action="append", metavar="LETTER=FIELD",
                             help="read a column as a field, e.g. C=title, D=content, B=time, G=delivery-method, "
                                  "H=extra (kept in the notes) or F=none (left out); repeat for several")
    msel_import.add_argument("--startex", metavar="TIME",
                             help="the exercise start the planned offsets count from: 09:00 or 2026-12-12 09:00 "
                                  "(default: the sheet's STARTEX row, else its earliest time)")
    msel_import.add_argument("--month-first", action="store_true", help="read 03/04/2026 as 4 March (US dates)")
    msel_import.add_argument("--sheet-name-as", choices=("storyline", "notes"), default="storyline",
                             help="with several sheets, keep each inject's sheet name as its storyline (when it "
                                  "has none) or as a line in its controller notes")
    msel_import.add_argument("--ignore-saved-columns", action="store_true",
                             help="do not apply the column choices saved in the import dialog for this layout")
    msel_import.add_argument("--dry-run", action="store_true", help="report what would be imported; change nothing")
    msel_export = msel_commands.add_parser("export", help="write the MSEL of a document")
    msel_export.add_argument("document", type=Path, metavar="DOC.ctpn")
    _passphrase_option(msel_export)
    msel_export.add_argument("output", type=Path, metavar="OUT.xlsx|csv")

    encrypt = commands.add_parser("encrypt", help="encrypt an exercise file with a passphrase (SQLCipher, AES-256)",
                                  description="The passphrase is asked for twice on the terminal (not shown), or "
                                              f"read from --passphrase-file or {PASSPHRASE_ENV}. It is never "
                                              "stored: a lost passphrase cannot be recovered.")
    encrypt.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(encrypt)
    decrypt = commands.add_parser("decrypt", help="remove the encryption of an exercise file")
    decrypt.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(decrypt)
    passphrase = commands.add_parser(
        "passphrase", help="encrypt an encrypted exercise file again under a new passphrase",
        description="The file is never written unencrypted. The current passphrase comes from --passphrase-file, "
                    f"{PASSPHRASE_ENV} or the terminal; the new one from --new-passphrase-file, "
                    f"{NEW_PASSPHRASE_ENV} or the terminal (twice). Backups made before keep the old passphrase.")
    passphrase.add_argument("document", type=Path, metavar="FILE.ctpn")
    _passphrase_option(passphrase)
    passphrase.add_argument("--new-passphrase-file", type=Path, metavar="FILE",
                            help=f"read the new passphrase from the first line of FILE (else from "
                                 f"{NEW_PASSPHRASE_ENV}, else it is asked for twice on the terminal)")
    merge.add_argument("--other-passphrase-file", type=Path, metavar="FILE",
                       help=f"the passphrase of an encrypted OTHER.ctpn (else {OTHER_PASSPHRASE_ENV}, else the "
                            "document's own, else asked for)")
    return parser


def _passphrase_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--passphrase-file", type=Path, metavar="FILE",
                         help="for an encrypted exercise: read its passphrase from the first line of FILE (else "
                              f"from {PASSPHRASE_ENV}, else it is asked for on the terminal)")


def _read_passphrase_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CtpnError(f"{path}: the passphrase file cannot be read ({error})") from error
    lines = text.splitlines()
    return lines[0] if lines else ""


def _given_passphrase(file: Path | None, env: str = PASSPHRASE_ENV) -> str | None:
    """The passphrase given for scripts: in a file, else in the environment; None when neither."""
    import os

    if file is not None:
        return _read_passphrase_file(file)
    return os.environ.get(env)


def _can_ask() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask_passphrase(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def _with_passphrase(path: Path, attempt: Callable[[str | None], T], given: str | None) -> T:
    """``attempt`` with the passphrase given for scripts, or asked for on the terminal (a few tries) when the
    file turns out to be encrypted; without a terminal, the message says how to give it."""
    from ctpn_desktop.core.errors import EncryptedDocumentError, WrongPassphrase

    try:
        return attempt(given)
    except WrongPassphrase:
        raise
    except EncryptedDocumentError as error:
        if given is not None:
            raise
        if not _can_ask():
            raise EncryptedDocumentError(error.path, f"{error.problem}: type it on a terminal, or give it in a file "
                                                     f"(--passphrase-file FILE) or in {PASSPHRASE_ENV}") from None
    for tries_left in range(PASSPHRASE_ATTEMPTS - 1, -1, -1):
        try:
            return attempt(_ask_passphrase(f"Passphrase for {path.name}: "))
        except WrongPassphrase as error:
            if not tries_left:
                raise
            _err(f"{error.problem.split(';')[0]}.")
    raise AssertionError("unreachable")


def _open(args: argparse.Namespace, path: Path, **options: Any) -> Document:
    """Open a document for a command, with its passphrase when it is encrypted."""
    from ctpn_desktop.core.services.document import open_document

    given = _given_passphrase(getattr(args, "passphrase_file", None))
    return _with_passphrase(path, lambda passphrase: open_document(path, passphrase=passphrase, **options), given)


def _roles() -> list[object]:
    from ctpn_desktop.core.roles import StationRole

    return list(StationRole)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _new(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file
    from ctpn_desktop.core.services.document import create_document

    scenario, blobs = read_scenario_file(args.source)
    with create_document(args.output, scenario, blobs) as document:
        summary = document.summary()
    _out(f"Created {args.output}: {summary.title} ({summary.injects} injects, {summary.objectives} objectives)")
    return 0


def _info(args: argparse.Namespace) -> int:
    from dataclasses import asdict


    with _open(args, args.document) as document:
        summary = document.summary()
        created = document.info("created_at") or ""
    if args.json:
        _out(json.dumps({**asdict(summary), "created_at": created}, ensure_ascii=False, indent=2))
        return 0
    rows = [
        ("Exercise", summary.title), ("Marking", summary.marking), ("Created", created),
        ("Schema", summary.schema_revision), ("Objectives", summary.objectives),
        ("Organisations", summary.organisations), ("Roles", summary.roles), ("Phases", summary.phases),
        ("Injects", summary.injects), ("Attachments", summary.attachments), ("Runs", summary.runs),
        ("Log entries", summary.log_entries), ("Observations", summary.observations),
        ("Improvement actions", summary.improvement_actions),
    ]
    for label, value in rows:
        _out(f"{label + ':':<21}{value}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file

    scenario, _ = read_scenario_file(args.scenario)
    _out(f"{args.scenario}: valid scenario '{scenario.exercise.title}' ({len(scenario.objectives)} objectives, "
         f"{len(scenario.organisations)} organisations, {len(scenario.phases)} phases, "
         f"{len(scenario.injects)} injects)")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.demo import make_demo_document

    if args.output.exists() and not args.force:
        _err(f"{args.output}: already exists; use --force to replace it")
        return 1
    make_demo_document(args.output, replace=args.force)
    _out(f"Created demo exercise {args.output}")
    return 0


def _schema(_args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.scenario_json import json_schema

    _out(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0


def _export_json(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.scenario_json import dumps, from_scenario
    from ctpn_desktop.core.services.scenario import ScenarioService

    with _open(args, args.document) as document:
        service = ScenarioService(document)
        text = dumps(from_scenario(service.load(), service.attachment_blobs(), with_ids=not args.template))
    temporary = args.output.with_name(f".{args.output.name}.partial")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(args.output)
    _out(f"Wrote {args.output}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.log import LogService

    with _open(args, args.document) as document:
        report = LogService(document, device_id="verify", source=SystemTimeSource()).verify()
        if args.code is not None:
            from ctpn_desktop.core.services.chain_code import check_code

            check = check_code(document, args.code)
            if check.matches:
                _out(f"{args.document}: {check.message}")
                return 0
            _err(f"{args.document}: DOES NOT MATCH — {check.message}")
            return 1
    if report.ok:
        _out(f"{args.document}: log intact ({report.records_checked} records in {report.chains} chain(s))")
        return 0
    _err(f"{args.document}: LOG INTEGRITY FAILURE — first mismatch at entry {report.first_bad_entry_number}")
    for problem in report.problems:
        _err(f"  {problem}")
    return 1


def _merge(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.services.merge import merge_from

    with _open(args, args.document) as document:
        syndicate_id = None
        if args.syndicate:
            syndicate_id = _syndicate_named(document, args.syndicate, args.run)
            if syndicate_id is None:
                return 1
        given = _given_passphrase(args.other_passphrase_file, OTHER_PASSPHRASE_ENV)
        report = _with_passphrase(args.other, lambda passphrase: merge_from(
            document, args.other, syndicate_id=syndicate_id, passphrase=passphrase), given)
    _out(report.describe())
    return 0


def _syndicate_named(document: object, name: str, run_number: int | None) -> str | None:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.services.document import Document
    from ctpn_desktop.core.services.runs import RunService
    from ctpn_desktop.core.services.syndicates import SyndicateService

    assert isinstance(document, Document)
    runs = RunService(document, SystemTimeSource()).list_runs()
    run = runs[-1] if runs and run_number is None else next((r for r in runs if r.number == run_number), None)
    if run is None:
        wanted = f"run {run_number}" if run_number is not None else "run"
        _err(f"{document.path}: there is no {wanted} to merge a syndicate's log into")
        return None
    syndicates = SyndicateService(document, SystemTimeSource()).syndicates(run.id)
    chosen = next((s for s in syndicates if s.name.casefold() == " ".join(name.split()).casefold()), None)
    if chosen is None:
        known = ", ".join(s.name for s in syndicates) or "none"
        _err(f"{document.path}: run {run.number} has no syndicate called {name!r}; its syndicates: {known}")
        return None
    return chosen.id


def _log(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.io.log_csv import write_log_csv
    from ctpn_desktop.core.services.log import LogService
    from ctpn_desktop.core.services.runs import RunService

    with _open(args, args.document) as document:
        runs = RunService(document, SystemTimeSource())
        available = runs.list_runs(include_discarded=True)
        if not available:
            _err(f"{args.document}: the document has no runs, so no log to export")
            return 1
        chosen = available[-1] if args.run is None else next((r for r in available if r.number == args.run), None)
        if chosen is None:
            _err(f"{args.document}: no run {args.run}; runs: {', '.join(str(r.number) for r in available)}")
            return 1
        entries = LogService(document, device_id="export", source=SystemTimeSource()).entries(chosen.id)
        count = write_log_csv(args.output, entries, runs.frozen_scenario(chosen.id))
    _out(f"Wrote {len(entries)} entries ({count} revisions) of run {chosen.number} to {args.output}")
    return 0


def _debrief(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.report.accessible import render_debrief_accessible
    from ctpn_desktop.core.report.debrief_data import ALL_SECTIONS, DebriefOptions, assemble_debrief
    from ctpn_desktop.core.report.html import render_debrief_html
    from ctpn_desktop.core.report.pdf import render_debrief
    from ctpn_desktop.core.services.runs import RunService

    chosen_format = args.format or DEBRIEF_FORMATS.get(args.output.suffix.lower())
    if chosen_format is None:
        _err(f"{args.output}: the file name must end in .pdf or .html (or say which with --format)")
        return 2
    if args.logo is not None and not args.logo.is_file():
        _err(f"{args.logo}: no such logo file")
        return 1
    options = DebriefOptions(sections=frozenset(args.sections) if args.sections else ALL_SECTIONS,
                             include_controller_notes=not args.no_controller_notes, marking_override=args.marking,
                             organisation_name=args.organisation, logo_path=args.logo, draft=args.draft)
    with _open(args, args.document) as document:
        runs = RunService(document, SystemTimeSource()).list_runs()
        if not runs:
            _err(f"{args.document}: the exercise has no runs yet; there is nothing to debrief")
            return 1
        chosen = runs[-1] if args.run is None else next((r for r in runs if r.number == args.run), None)
        if chosen is None:
            _err(f"{args.document}: no run {args.run}; runs: {', '.join(str(r.number) for r in runs)}")
            return 1
        data = assemble_debrief(document, chosen.id, options)
    renderers = {"html": render_debrief_html, "pdf": render_debrief, "pdf-ua": render_debrief_accessible}
    renderers[chosen_format](data, args.output)
    what = " (tagged PDF/UA-1)" if chosen_format == "pdf-ua" else ""
    _out(f"Wrote the debrief of {chosen.label} (run {chosen.number}) to {args.output}{what}")
    return 0


def _handout(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.report.handout import HandoutOptions, render_handout
    from ctpn_desktop.core.services.scenario import ScenarioService

    if args.output.suffix.lower() != ".pdf":
        _err(f"{args.output}: the file name must end in .pdf")
        return 2
    with _open(args, args.document) as document:
        scenario = ScenarioService(document).load()
    render_handout(scenario, args.output, HandoutOptions(include_controller_notes=not args.no_controller_notes,
                                                         marking_override=args.marking,
                                                         organisation_name=args.organisation))
    _out(f"Wrote the MSEL handout ({len(scenario.injects)} injects) to {args.output}")
    return 0


def _programme(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.scenario_json import read_scenario_file
    from ctpn_desktop.core.report.programme import (
        ProgrammeOptions,
        programme_data,
        render_programme,
        render_programme_html,
    )
    from ctpn_desktop.core.services.scenario import ScenarioService

    chosen_format = args.format or DEBRIEF_FORMATS.get(args.output.suffix.lower())
    if chosen_format is None:
        _err(f"{args.output}: the file name must end in .pdf or .html (or say which with --format)")
        return 2
    if args.document.suffix.lower() == ".json":
        scenario, _ = read_scenario_file(args.document)
    else:
        with _open(args, args.document) as document:
            scenario = ScenarioService(document).load()
    data = programme_data(scenario, ProgrammeOptions(marking_override=args.marking,
                                                     organisation_name=args.organisation,
                                                     include_general_idea=args.general_idea))
    (render_programme_html if chosen_format == "html" else render_programme)(data, args.output)
    items = sum(len(s.items) for s in data.sessions)
    _out(f"Wrote the exercise programme ({items} agenda items, {len(data.syndicates)} syndicates) to {args.output}")
    return 0


def _msel(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.services.scenario import ScenarioService

    if args.msel_command == "export":
        from ctpn_desktop.core.io.msel_write import write_msel_csv, write_msel_xlsx

        suffix = args.output.suffix.lower()
        if suffix not in {".csv", ".xlsx"}:
            _err(f"{args.output}: the file name must end in .csv or .xlsx")
            return 2
        with _open(args, args.document) as document:
            scenario = ScenarioService(document).load()
        warnings = (write_msel_csv if suffix == ".csv" else write_msel_xlsx)(scenario, args.output)
        for warning in warnings:
            _err(f"warning: {warning}")
        _out(f"Wrote {len(scenario.injects)} injects to {args.output}")
        return 0

    return _msel_import(args)


def _msel_import(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.io.msel_import import merge_preview
    from ctpn_desktop.core.io.msel_mapping import MselField, SheetKind, detect_header, propose_sheet, proposed_sheets
    from ctpn_desktop.core.io.msel_memory import MappingMemory
    from ctpn_desktop.core.io.msel_parse import ParseOptions, SheetLabel, parse_sheets
    from ctpn_desktop.core.io.msel_read import column_number, read_table
    from ctpn_desktop.core.io.msel_report import build_report, sheets_not_read
    from ctpn_desktop.core.io.msel_times import parse_startex
    from ctpn_desktop.core.services.scenario import ScenarioService

    from ctpn_desktop import paths

    startex = None
    if args.startex:
        try:
            startex = parse_startex(args.startex, day_first=not args.month_first)
        except ValueError as error:
            _err(f"--startex: {error}")
            return 2
    header_rows: dict[str | None, int] = {}
    for value in args.header_row or ():
        name, _, number = value.rpartition("=")
        if not number.strip().isdigit() or int(number) < 1:
            _err(f"--header-row {value}: give a row number, or SHEET=N")
            return 2
        header_rows[name or None] = int(number)
    columns: list[tuple[int, MselField | None]] = []
    for value in args.column or ():
        letter, _, wanted = value.partition("=")
        wanted = wanted.strip().lower().replace("_", "-")
        try:
            number = column_number(letter)
            field = None if wanted in {"none", "skip", ""} else MselField(wanted)
        except ValueError:
            _err(f"--column {value}: write LETTER=FIELD, FIELD one of "
                 f"{', '.join(f.value for f in MselField)} or none")
            return 2
        columns.append((number, field))

    workbook = read_table(args.spreadsheet)
    memory = None if args.ignore_saved_columns else MappingMemory(paths.msel_layouts_dir())
    candidates = propose_sheet(workbook, memory)
    by_name = {c.sheet: c for c in candidates}
    if args.sheet:
        unknown = [name for name in args.sheet if name not in by_name]
        if unknown:
            _err(f"{args.spreadsheet}: no sheet named {unknown[0]!r}; sheets: {', '.join(workbook.sheet_names)}")
            return 1
        names = list(dict.fromkeys(args.sheet))
    elif args.all_sheets:
        names = [c.sheet for c in sorted(candidates, key=lambda c: c.index) if c.kind is not SheetKind.EMPTY]
    else:
        names = proposed_sheets(candidates)
    unknown_rows = [name for name in header_rows if name is not None and name not in names]
    if unknown_rows:
        _err(f"--header-row: sheet {unknown_rows[0]!r} is not among the sheets read ({', '.join(names)})")
        return 1
    selection = []
    for name in names:
        sheet = workbook.sheet(name)
        row = header_rows.get(name, header_rows.get(None))
        mapping = by_name[name].mapping if row is None else detect_header(sheet, header_row=row, memory=memory)
        mapping = mapping.copy()
        for number, field in columns:
            mapping.assign(number, field)
        selection.append((sheet, mapping))
    if not selection or not any(m.header_row is not None or columns for _s, m in selection):
        reason = selection[0][1].explanation if selection else "the file has no sheets with data"
        _err(f"{args.spreadsheet}: no MSEL header found — {reason}")
        return 1
    options = ParseOptions(startex=startex, day_first=not args.month_first,
                           sheet_label=SheetLabel(args.sheet_name_as))
    preview = parse_sheets(selection, options, source=str(args.spreadsheet))
    for problem in preview.problems:
        _err(f"{problem.severity.value}: {problem.location}: {problem.message}")
    with _open(args, args.document) as document:
        service = ScenarioService(document)
        outcome = merge_preview(service.load(), preview)
        for note in outcome.notes:
            _err(f"note: {note.location}: {note.message}")
        notes = [*workbook.notes, sheets_not_read(candidates, names)]
        for line in build_report(preview, outcome, [n for n in notes if n]).lines():
            _out(line)
        if not preview.injects:
            _err(f"{args.spreadsheet}: nothing to import — {preview.summary()}")
            return 1
        if args.dry_run:
            _out("Dry run: the document was not changed.")
            return 0
        service.merge_in(outcome.scenario)
    _out(f"Imported {len(outcome.added)} injects into {args.document}")
    return 0


HANDLERS = {"new": _new, "info": _info, "validate": _validate, "demo": _demo, "schema": _schema,
            "export-json": _export_json, "verify": _verify, "msel": _msel, "merge": _merge, "log": _log,
            "debrief": _debrief}
HANDLERS["handout"] = _handout
HANDLERS["programme"] = _programme


def _user_backups() -> BackupService:
    """The backup service over the backup folder chosen in the window's settings."""
    from PySide6.QtCore import QSettings

    from ctpn_desktop.core.services.backups import BackupService

    from ctpn_desktop.ui import preferences

    from ctpn_desktop import paths

    value = QSettings(str(paths.settings_path()), QSettings.Format.IniFormat).value(preferences.BACKUP_FOLDER)
    return BackupService(Path(str(value)) if value else paths.default_backups_dir())


def _new_passphrase(document: Path, file: Path | None, env: str = PASSPHRASE_ENV,
                    option: str = "--passphrase-file") -> str:
    """A new passphrase for ``document``: from ``file``, else ``env``, else typed twice on the terminal."""
    from ctpn_desktop.core.errors import PassphraseRefused
    from ctpn_desktop.core.services.encryption import confirm_passphrase, strength_hint

    given = _given_passphrase(file, env)
    if given is not None:
        confirm_passphrase(given, given)
        return given
    if not _can_ask():
        raise PassphraseRefused(f"no passphrase: type it on a terminal, or give it in a file ({option} "
                                f"FILE) or in {env}")
    _err("The passphrase is never stored: if it is lost, the exercise cannot be opened again by anyone.")
    passphrase = _ask_passphrase(f"New passphrase for {document.name}: ")
    _err(f"Strength: {strength_hint(passphrase)}")
    confirm_passphrase(passphrase, _ask_passphrase("The same passphrase again: "))
    return passphrase


def _encrypt(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.errors import DocumentError
    from ctpn_desktop.core.services.encryption import encrypt_file
    from ctpn_desktop.storage import cipher, db

    cipher.require()
    if db.is_encrypted(args.document):
        raise DocumentError(str(args.document), "the exercise is encrypted already")
    db.check_file(args.document)  # a file that is not a sound exercise is refused before asking
    conversion = encrypt_file(args.document, _new_passphrase(args.document, args.passphrase_file),
                              backups=_user_backups())
    _out(conversion.describe())
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.services.encryption import decrypt_file

    given = _given_passphrase(args.passphrase_file)
    conversion = _with_passphrase(args.document, lambda passphrase: decrypt_file(args.document, passphrase),
                                  given)
    _out(conversion.describe())
    return 0


def _change_passphrase(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.errors import DocumentError
    from ctpn_desktop.core.services.encryption import change_passphrase, unlock
    from ctpn_desktop.storage import cipher, db

    cipher.require()
    if not db.is_encrypted(args.document):
        db.check_file(args.document)  # not an exercise at all is said as such
        raise DocumentError(str(args.document), "the exercise is not encrypted: encrypt it to give it a passphrase")

    def opens(passphrase: str | None) -> str:
        unlock(args.document, passphrase)
        assert passphrase is not None
        return passphrase

    current = _with_passphrase(args.document, opens, _given_passphrase(args.passphrase_file))
    new = _new_passphrase(args.document, args.new_passphrase_file, NEW_PASSPHRASE_ENV, "--new-passphrase-file")
    _out(change_passphrase(args.document, current, new).describe())
    return 0


HANDLERS["encrypt"] = _encrypt
HANDLERS["decrypt"] = _decrypt
HANDLERS["passphrase"] = _change_passphrase


def _room_address(args: argparse.Namespace) -> object:
    import getpass
    import os

    from ctpn_desktop.core.services.room import RoomAddress

    password = os.environ.get(ROOM_PASSWORD_ENV) or None
    if args.password:
        password = getpass.getpass(f"Password for {args.server}: ")
    return RoomAddress.parse(args.server, password)


def _room(args: argparse.Namespace) -> int:
    from ctpn_desktop.core.clock import SystemTimeSource
    from ctpn_desktop.core.roles import Station, StationRole
    from ctpn_desktop.core.services import room
    from ctpn_desktop.core.services.document import Document

    from ctpn_desktop import paths

    address = _room_address(args)
    assert isinstance(address, room.RoomAddress)
    facilitator = Station(paths.device_id(), "Command line", StationRole.FACILITATOR)
    source = SystemTimeSource()
    if args.room_command == "publish":
        with _open(args, args.document) as document:
            shared = room.publish(document, address, args.name, facilitator, source=source)
        assert isinstance(shared, Document)
        shared.close()
        _out(f"Published {args.document} as room “{args.name}” on {address}. Other stations join it with: "
             f"ctpn-desktop room join {address.text} \"{args.name}\" --role note-taker")
        return 0
    if args.room_command == "list":
        found = room.list_rooms(address)
        if not found:
            _out(f"No rooms on {address}.")
        for summary in found:
            when = summary.published_at.astimezone().strftime("%d %b %Y %H:%M") if summary.published_at else "?"
            stations = ", ".join(f"{name or '(unnamed)'} ({role.label.lower()})" for name, role in summary.stations)
            state = "" if summary.usable else f" — cannot be joined: {summary.problem}"
            _out(f"{summary.name}: {summary.title} [{summary.marking}], published {when}, {summary.runs} run(s); "
                 f"stations: {stations or 'none'}{state}")
        return 0
    if args.room_command == "join":
        from ctpn_desktop.app import main as run_app

        forwarded = ["--join", address.text, args.name, "--role", args.role, "--as", args.station_name]
        if address.url.password:
            import os

            os.environ[ROOM_PASSWORD_ENV] = address.url.password  # for this process only, never written down
        return run_app(forwarded)
    if args.room_command == "write-back":
        from ctpn_desktop.storage import cipher

        shared = room.join(address, args.name, facilitator, source=source)
        assert isinstance(shared, Document)
        with shared:
            if room.published_encrypted(shared) and not (args.encrypt or args.unencrypted):
                _err(f"Not written: room “{args.name}” was published from an encrypted file. Add --encrypt to "
                     "encrypt the file with a new passphrase, or --unencrypted to write it without one.")
                return 2
            key = None
            if args.encrypt:
                cipher.require()
                key = cipher.new_key(_new_passphrase(args.output, args.new_passphrase_file, NEW_PASSPHRASE_ENV,
                                                     "--new-passphrase-file"))
            written = room.write_back(shared, args.output, key)
        _out(f"Room “{args.name}” written to {written}{', encrypted' if key is not None else ''}.")
        return 0
    if not args.yes:
        _err(f"Not removed: add --yes to remove room “{args.name}” from {address} for every station "
             "(write it back to a file first: ctpn-desktop room write-back …).")
        return 2
    room.drop_room(address, args.name)
    _out(f"Room “{args.name}” removed from {address}.")
    return 0


HANDLERS["room"] = _room


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    runtime.tune_garbage_collector()
    if not arguments or (arguments[0] not in SUBCOMMANDS and not arguments[0].startswith("-")) or \
            arguments[0].startswith("--benchmark"):
        from ctpn_desktop.app import main as run_app

        return run_app(arguments)
    args = _parser().parse_args(arguments)
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        return HANDLERS[args.command](args)
    except ScenarioFormatError as error:
        _err(str(error))
        return 1
    except CtpnError as error:
        _err(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

"""Full-text search and filters over the decision log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ctpn_desktop.core.clock import FakeTimeSource
from ctpn_desktop.core.entities import ActionItem, LogKind
from ctpn_desktop.core.io.scenario_json import read_scenario_file
from ctpn_desktop.core.services.document import Document, create_document
from ctpn_desktop.core.services.log import LogDraft, LogService, fts_query
from ctpn_desktop.core.services.runs import RunService
from ctpn_desktop.storage import db

from tests.factories import LIBRARY, library_document, make_older, open_file, raw_sql


@pytest.fixture
def source() -> FakeTimeSource:
    return FakeTimeSource(wall=datetime(2027, 12, 12, 17, 0, tzinfo=UTC))


def _fill(document: Document, source: FakeTimeSource) -> tuple[str, LogService, dict[str, str]]:
    runs = RunService(document, source)
    run = runs.create_run()
    scenario = runs.frozen_scenario(run.id)
    o1, o2 = scenario.objectives[0].id, scenario.objectives[1].id
    inject = scenario.injects[0].id
    log = LogService(document, device_id="laptop-a", source=source)
    ids = {}

    def add(key: str, seconds: float, draft: LogDraft) -> None:
        source.advance(5)
        ids[key] = log.append(run.id, draft, exercise_s=seconds).entry_id

    add("cordon", 60, LogDraft(kind=LogKind.DECISION, text="Set an inner cordon at the market square",
                               rationale="Protect the casualty clearing station", organisation="Police",
                               decision_maker="Police Gold", logged_by="Zoë Müller", objective_ids=(o1,),
                               inject_id=inject))
    add("ambulance", 120, LogDraft(kind=LogKind.ACTION, text="Hazardous area response team deployed",
                                   organisation="Ambulance", actions=(ActionItem("Open forward control", "HART lead"),),
                                   objective_ids=(o1, o2)))
    add("arabic", 180, LogDraft(kind=LogKind.INFORMATION, text="مرحبا بالعالم — شاهد 🚒 عيان", organisation="Fire"))
    add("typo", 240, LogDraft(kind=LogKind.DECISION, text="Evacuate the cathedarl", organisation="Police"))
    log.correct(ids["typo"], LogDraft(kind=LogKind.DECISION, text="Evacuate the cathedral", organisation="Police"),
                reason="spelling")
    return run.id, log, ids


def _ids(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [e.entry_id for e in entries]


def test_words_are_found_in_any_text_field(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, log, ids = _fill(document, source)
        assert _ids(log.search(run_id, "cordon")) == [ids["cordon"]]
        assert _ids(log.search(run_id, "casualty clearing")) == [ids["cordon"]]  # rationale, all words
        assert _ids(log.search(run_id, "muller")) == [ids["cordon"]]  # logged by, accents folded
        assert _ids(log.search(run_id, "forward HART")) == [ids["ambulance"]]  # actions and owners
        assert _ids(log.search(run_id, "gold")) == [ids["cordon"]]  # decision maker
        assert _ids(log.search(run_id, "evac")) == [ids["typo"]]  # a word start is enough
        assert log.search(run_id, "owner") == []  # the JSON keys are not indexed
        assert _ids(log.search(run_id, "🚒")) == [ids["arabic"]]
        assert _ids(log.search(run_id, "بالعالم")) == [ids["arabic"]]
        found = log.search(run_id, "بالعالم")[0]
        assert found.current.text == "مرحبا بالعالم — شاهد 🚒 عيان"


def test_only_current_revisions_are_searched(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, log, ids = _fill(document, source)
        assert log.search(run_id, "cathedarl") == []
        hit = log.search(run_id, "cathedral")
        assert _ids(hit) == [ids["typo"]] and hit[0].history[0].text == "Evacuate the cathedarl"


def test_filters_work_alone_and_together(tmp_path: Path, source: FakeTimeSource) -> None:
    with library_document(tmp_path) as document:
        run_id, log, ids = _fill(document, source)
        scenario = RunService(document, source).frozen_scenario(run_id)
        o1, o2 = scenario.objectives[0].id, scenario.objectives[1].id
        assert _ids(log.search(run_id)) == [ids["cordon"], ids["ambulance"], ids["arabic"], ids["typo"]]
        assert _ids(log.search(run_id, newest_first=True))[0] == ids["typo"]
        assert _ids(log.search(run_id, kinds=[LogKind.DECISION])) == [ids["cordon"], ids["typo"]]
        assert _ids(log.search(run_id, organisation="police")) == [ids["cordon"], ids["typo"]]
        assert _ids(log.search(run_id, objective_id=o2)) == [ids["ambulance"]]
        assert _ids(log.search(run_id, objective_id=o1)) == [ids["cordon"], ids["ambulance"]]
        assert _ids(log.search(run_id, inject_id=scenario.injects[0].id)) == [ids["cordon"]]
        assert _ids(log.search(run_id, since_s=120, until_s=180)) == [ids["ambulance"], ids["arabic"]]
        assert _ids(log.search(run_id, "the", kinds=[LogKind.DECISION], since_s=200)) == [ids["typo"]]
        assert log.search(run_id, kinds=[]) == []
        assert log.search("no-such-run") == []


@pytest.mark.parametrize("query", ['"', '""', "*", "AND", "OR NOT", "NEAR(", "a:b", "^", "'; DROP TABLE log_record;",
                                   "-", "(", ")", "🚒*", "\u202e", "\x00", "col:text", "text:cordon", "{text}: x"])
def test_any_typed_text_is_safe(tmp_path: Path, source: FakeTimeSource, query: str) -> None:
    with library_document(tmp_path) as document:
        run_id, log, _ = _fill(document, source)
        assert isinstance(log.search(run_id, query), list)
        assert len(log.entries(run_id)) == 4


def test_the_query_is_quoted() -> None:
    assert fts_query("  ") is None and fts_query('" * -') is None
    assert fts_query('say "hi"') == '"say"* """hi"""*'
    assert fts_query("AND") == '"AND"*'


def test_a_0001_file_is_backed_up_and_migrated_with_search_working(tmp_path: Path, source: FakeTimeSource) -> None:
    path = tmp_path / "old.ctpn"
    scenario, blobs = read_scenario_file(LIBRARY / "christmas-market-mta.json")
    document = create_document(path, scenario, blobs)
    run_id, _, ids = _fill(document, source)
    document.close()
    # The log is written by today's services, then the file is taken back to revision 0001 by the migrations'
    # own downgrades: a file of the first schema holding a log, as older versions left them.
    make_older(path)
    with raw_sql(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert not connection.execute("SELECT name FROM sqlite_master WHERE name = 'log_record_fts'").fetchall()
    with open_file(path) as migrated:
        assert migrated.migrated_from == "0001" and migrated.backup_path and migrated.backup_path.exists()
        assert db.current_revision(migrated.engine) == db.head_revision()
        log = LogService(migrated, device_id="laptop-b", source=source)
        assert _ids(log.search(run_id, "cordon")) == [ids["cordon"]]
        assert _ids(log.search(run_id, "HART")) == [ids["ambulance"]]
        assert log.search(run_id, "cathedarl") == []
        added = log.append(run_id, LogDraft(kind=LogKind.ISSUE, text="Radio dead spot near the Münster"),
                           exercise_s=400)
        assert _ids(log.search(run_id, "munster")) == [added.entry_id]
        assert log.verify().ok
    with raw_sql(migrated.backup_path) as backup:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"

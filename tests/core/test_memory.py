"""Large snapshots are built with the cycle collector paused, and it always resumes afterwards."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ctpn_desktop.core.memory import collector_paused
from ctpn_desktop.core.services import scenario as scenario_service
from ctpn_desktop.core.services import validation
from ctpn_desktop.core.services.scenario import ScenarioService

from tests.factories import library_document


def test_the_collector_is_paused_inside_and_resumes_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_nested_pause_leaves_resuming_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_resumes_when_the_block_fails() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a damaged file")
    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_injects_are_built_and_checked_with_the_collector_paused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collector_on: dict[str, bool] = {}

    def noting(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def noted(*args: Any, **kwargs: Any) -> Any:
            collector_on[name] = gc.isenabled()
            return work(*args, **kwargs)
        return noted

    monkeypatch.setattr(scenario_service, "_load_injects", noting("load", scenario_service._load_injects))
    monkeypatch.setattr(validation, "_clashes", noting("check", validation._clashes))
    with library_document(tmp_path) as document:
        scenario = ScenarioService(document).load()
        assert scenario.injects
        validation.validate(scenario)
    assert collector_on == {"load": False, "check": False}
    assert gc.isenabled()

"""Every way exercise teams write an inject's time, and the readable refusals for what is not a time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctpn_desktop.core.io.msel_times import (
    TimeBasis,
    TimeKind,
    TimeValue,
    combine_day,
    parse_day,
    parse_dtg,
    parse_time,
)
from ctpn_desktop.core.io.scenario_json import format_offset

H, M = 3600, 60


@pytest.mark.parametrize(("text", "expected"), [
    ("14:30", TimeValue.clock(14 * H + 30 * M)),
    ("9:05", TimeValue.clock(9 * H + 5 * M)),
    ("09:05:30", TimeValue.clock(9 * H + 5 * M + 30)),
    ("14.30", TimeValue.clock(14 * H + 30 * M)),
    ("1430", TimeValue.clock(14 * H + 30 * M)),
    ("930", TimeValue.clock(9 * H + 30 * M)),
    ("1430hrs", TimeValue.clock(14 * H + 30 * M)),
    ("0930Z", TimeValue.clock(9 * H + 30 * M)),
    ("2:30 PM", TimeValue.clock(14 * H + 30 * M)),
    ("12:15 am", TimeValue.clock(15 * M)),
    ("9 a.m.", TimeValue.clock(9 * H)),
    ("09h00", TimeValue.clock(9 * H)),
    ("24:00", TimeValue.clock(24 * H)),
    ("+01:15", TimeValue.offset(H + 15 * M)),
    ("+1:15:30", TimeValue.offset(H + 15 * M + 30)),
    ("-0:30", TimeValue.offset(-30 * M)),
    ("\u22120:30", TimeValue.offset(-30 * M)),
    ("T+90", TimeValue.offset(90 * M)),
    ("T-10", TimeValue.offset(-10 * M)),
    ("T+1:15", TimeValue.offset(H + 15 * M)),
    ("STARTEX + 0:20", TimeValue.offset(20 * M)),
    ("+90 min", TimeValue.offset(90 * M)),
    ("+1h30", TimeValue.offset(H + 30 * M)),
    ("90 min", TimeValue.offset(90 * M)),
    ("2 h", TimeValue.offset(2 * H)),
    ("H+2", TimeValue.offset(2 * H)),
    ("H+1:15", TimeValue.offset(H + 15 * M)),
    ("H+2 M-5", TimeValue.offset(2 * H - 5 * M)),
    ("25:10:00", TimeValue.offset(25 * H + 10 * M)),
    ("D+1 14:30", TimeValue.day_clock(1, 14 * H + 30 * M)),
    ("D-1 23:00", TimeValue.day_clock(-1, 23 * H)),
    ("D 09:00", TimeValue.day_clock(0, 9 * H)),
    ("Day 2 09:00", TimeValue.day_clock(2, 9 * H)),
    ("D+1", TimeValue.offset(86400)),
    ("J-1", TimeValue.offset(-86400)),
    ("J", TimeValue.offset(0)),
    ("J 09h00", TimeValue.day_clock(0, 9 * H)),
    ("J+1 H+2 M-5", TimeValue.offset(86400 + 2 * H - 5 * M)),
    ("210912AUG2011", TimeValue.at(datetime(2011, 8, 21, 9, 12))),
    ("210912Z AUG 11", TimeValue.at(datetime(2011, 8, 21, 9, 12))),
    ("21 0912Z Aug 2011", TimeValue.at(datetime(2011, 8, 21, 9, 12))),
    ("011200ZJAN27", TimeValue.at(datetime(2027, 1, 1, 12, 0))),
    ("2026-12-12 18:30", TimeValue.at(datetime(2026, 12, 12, 18, 30))),
    ("2026-12-12T18:30:15", TimeValue.at(datetime(2026, 12, 12, 18, 30, 15))),
    ("12/11/2026 18:30", TimeValue.at(datetime(2026, 11, 12, 18, 30))),
    ("26/06/2024 09h00", TimeValue.at(datetime(2024, 6, 26, 9, 0))),
    ("21 Aug 2011 09:12", TimeValue.at(datetime(2011, 8, 21, 9, 12))),
    ("Sat 12 Dec 2026 18:30", TimeValue.at(datetime(2026, 12, 12, 18, 30))),
    ("December 12, 2026 6:30 PM", TimeValue.at(datetime(2026, 12, 12, 18, 30))),
])
def test_text_times_in_an_auto_column(text: str, expected: TimeValue) -> None:
    assert parse_time(text) == expected


def test_us_dates_when_month_comes_first() -> None:
    assert parse_time("12/11/2026 18:30", day_first=False) == TimeValue.at(datetime(2026, 12, 11, 18, 30))
    assert parse_time("12/13/2026 10:00") == TimeValue.at(datetime(2026, 12, 13, 10, 0))


@pytest.mark.parametrize(("text", "expected"), [
    ("1:15", TimeValue.offset(H + 15 * M)),
    ("0:05:00", TimeValue.offset(5 * M)),
    ("14:30", TimeValue.offset(14 * H + 30 * M)),
    ("-0:15:00", TimeValue.offset(-15 * M)),
    ("1h30", TimeValue.offset(H + 30 * M)),
    ("2:30 PM", TimeValue.clock(14 * H + 30 * M)),
])
def test_bare_times_in_an_offset_column_are_offsets(text: str, expected: TimeValue) -> None:
    assert parse_time(text, TimeBasis.OFFSET) == expected


@pytest.mark.parametrize(("text", "basis", "message"), [
    ("as required", TimeBasis.AUTO, "not a time this importer understands"),
    ("13:75", TimeBasis.AUTO, "minutes and seconds go up to 59"),
    ("15", TimeBasis.AUTO, "is not a time"),
    ("2026-12-12", TimeBasis.AUTO, "date without a time"),
    ("25:00", TimeBasis.CLOCK, "not a time of day"),
    ("1430", TimeBasis.OFFSET, "looks like a time of day"),
    ("31/02/2026 10:00", TimeBasis.AUTO, "not a valid date"),
    ("13 PM", TimeBasis.AUTO, "not a time of day"),
    ("D+1 later", TimeBasis.AUTO, "after the day"),
])
def test_what_is_not_a_time_is_refused_with_a_reason(text: str, basis: TimeBasis, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_time(text, basis)


@pytest.mark.parametrize(("value", "basis", "expected"), [
    (time(9, 30), TimeBasis.AUTO, TimeValue.clock(9 * H + 30 * M)),
    (time(0, 20), TimeBasis.OFFSET, TimeValue.offset(20 * M)),
    (0.5, TimeBasis.AUTO, TimeValue.clock(12 * H)),
    (0.0104166667, TimeBasis.OFFSET, TimeValue.offset(15 * M)),
    (timedelta(hours=25, minutes=5), TimeBasis.AUTO, TimeValue.offset(25 * H + 5 * M)),
    (datetime(2026, 12, 12, 18, 30), TimeBasis.AUTO, TimeValue.at(datetime(2026, 12, 12, 18, 30))),
    (datetime(2026, 12, 12, 18, 29, 59, 999_600), TimeBasis.AUTO, TimeValue.at(datetime(2026, 12, 12, 18,
                                                                                        30))),
    (datetime(1899, 12, 30, 9, 15), TimeBasis.AUTO, TimeValue.clock(9 * H + 15 * M)),
    (datetime(1899, 12, 31, 1, 0), TimeBasis.OFFSET, TimeValue.offset(25 * H)),
    (930, TimeBasis.AUTO, TimeValue.clock(9 * H + 30 * M)),
    (1430.0, TimeBasis.AUTO, TimeValue.clock(14 * H + 30 * M)),
    (46003.770833333336, TimeBasis.AUTO, TimeValue.at(datetime(2025, 12, 12, 18, 30))),
    (None, TimeBasis.AUTO, None),
    ("  ", TimeBasis.AUTO, None),
])
def test_typed_cells_from_excel(value: object, basis: TimeBasis, expected: TimeValue | None) -> None:
    assert parse_time(value, basis) == expected


@pytest.mark.parametrize("value", [True, date(2026, 12, 12), 5, 2460, 1.5])
def test_typed_cells_that_are_not_times(value: object) -> None:
    with pytest.raises(ValueError):
        parse_time(value)


def test_dtg_is_recognised_only_when_complete() -> None:
    assert parse_dtg("121830ZDEC26") == datetime(2026, 12, 12, 18, 30)
    assert parse_dtg("121830ZDEC") is None
    assert parse_dtg("321830ZDEC26") is None


@pytest.mark.parametrize(("value", "expected"), [
    ("Day 2", 2), ("D+1", 1), ("D-1", -1), ("J+3", 3), ("D", 0), (3, 3), ("12/12/2026", date(2026, 12, 12)),
    (datetime(2026, 12, 12, 8, 0), date(2026, 12, 12)), (date(2026, 1, 2), date(2026, 1, 2)), (None, None),
])
def test_date_columns_hold_dates_or_exercise_days(value: object, expected: object) -> None:
    assert parse_day(value) == expected


def test_date_column_value_that_is_neither() -> None:
    with pytest.raises(ValueError, match="not a date or an exercise day"):
        parse_day("soon")


def test_a_date_column_puts_a_time_of_day_on_its_day() -> None:
    assert combine_day(date(2026, 12, 12), TimeValue.clock(9 * H)) == TimeValue.at(datetime(2026, 12, 12, 9))
    assert combine_day(2, TimeValue.clock(9 * H)) == TimeValue.day_clock(2, 9 * H)
    assert combine_day(2, TimeValue.offset(60)) == TimeValue.offset(60)


@given(st.integers(min_value=-30 * 86400, max_value=30 * 86400))
def test_every_exported_offset_reads_back(seconds: int) -> None:
    assert parse_time(format_offset(seconds), TimeBasis.OFFSET) == TimeValue.offset(seconds)
    signed = format_offset(seconds) if seconds < 0 else "+" + format_offset(seconds)
    assert parse_time(signed) == TimeValue.offset(seconds)


@given(st.times().map(lambda t: t.replace(microsecond=0)))
def test_every_clock_time_reads_back(value: time) -> None:
    expected = TimeValue.clock(value.hour * H + value.minute * M + value.second)
    assert parse_time(value.strftime("%H:%M:%S")) == expected
    assert parse_time(value) == expected


def test_kinds_are_distinct() -> None:
    assert {TimeValue.offset(1).kind, TimeValue.clock(1).kind, TimeValue.day_clock(0, 1).kind,
            TimeValue.on_day_of_month(13, 1).kind, TimeValue.at(datetime(2026, 1, 1)).kind} == set(TimeKind)

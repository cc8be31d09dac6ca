"""Times as MSELs write them, read into one small value type.

Exercise teams write an inject's time in many ways: a time of day (``14:30``, ``1430``, ``2:30 PM``, an
Excel time cell), an offset from STARTEX (``+01:15``, ``T+90``, ``H+2``), a time on a numbered exercise
day (``D+1 14:30``), a full date and time (an Excel date cell, ``2026-12-12 18:30``, ``12/12/2026 18:30``)
or a military date-time group (``210912AUG2011``, ``210912Z AUG 11``). Only an offset needs no context;
the other kinds are turned into offsets once the whole sheet is known (see `msel_parse`), because the
day a bare ``00:30`` falls on depends on the rows before it.

A bare ``1:15`` is ambiguous: a quarter past one, or seventy-five minutes after STARTEX. The column's
`TimeBasis` decides; AUTO reads it as a time of day unless the hours go past 23.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

EXCEL_EPOCH = datetime(1899, 12, 30)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH = r"(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*\.?"
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-"})

_DTG_RE = re.compile(r"(\d{2})\s?(\d{2})(\d{2})(?:\s?([A-Z]))?\s?" + _MONTH + r"\s?(\d{4}|\d{2})")
_DTG_NO_YEAR_RE = re.compile(r"(\d{2})\s?(\d{2})(\d{2})(?:\s?([A-Z]))?\s?" + _MONTH)
_DTG_DAY_RE = re.compile(r"(\d{2})\s?(\d{2})(\d{2})\s?([A-Z])")
_DAY_SLASH_RE = re.compile(r"(\d{1,2})\s*/\s*(\d{2}):?(\d{2})\s?([A-Z])?")
_SERIAL_TEXT_RE = re.compile(r"\d{5}(?:\.\d+)?|0?\.\d{3,}")
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(.+))?")
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[\s,T]+(.+))?")
_DAY_MONTH_RE = re.compile(
    r"(\d{1,2})(?:ST|ND|RD|TH)?[\s-]*" + _MONTH + r"[\s,-]*(\d{4}|\d{2})(?:[\s,T]+(.+))?"
)
_MONTH_DAY_RE = re.compile(_MONTH + r"\s+(\d{1,2})(?:ST|ND|RD|TH)?,?\s+(\d{4})(?:[\s,T]+(.+))?")
_WEEKDAY_RE = re.compile(r"(MON|TUE|WED|THU|FRI|SAT|SUN)[A-Z]*\.?,?\s+")
_COLON_CLOCK_RE = re.compile(
    r"(\d{1,3})\s*(?:[:.]|H(?=\s*\d))\s*(\d{2})(?:\s*[:.]\s*(\d{2}))?(?:\.\d+)?\s*([AP])?\.?(?:M\.?)?"
)
_HHMM_RE = re.compile(r"(\d{3,4})\s*(?:HRS?|HOURS|Z|L|J|B|LT)?")
_AMPM_RE = re.compile(r"(\d{1,2})\s*([AP])\.?M\.?")
_DAY_RE = re.compile(
    r"(?:([DJ])(?![A-Z])\s*(?:([+-])\s*(\d{1,4}))?|DAY\s*([+-]?)\s*(\d{1,4}))\s*[,/]?\s*(.*)"
)
_HM_RE = re.compile(r"(?:H\s*([+-])\s*(\d+(?::\d{2}(?::\d{2})?)?))?\s*(?:M(?:IN)?\s*([+-])\s*(\d+))?")
_SIGNED_RE = re.compile(r"(?:T|EX|STARTEX)?\s*([+-])\s*(.+)")
_DURATION_COLON_RE = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")
_DURATION_UNITS_RE = re.compile(
    r"(?:(\d+)\s*(?:H|HRS?|HOURS?)\s*(?:(\d+)\s*(?:M|MINS?|MINUTES?)?)?|(\d+)\s*(?:M|MINS?|MINUTES?)"
    r"|(\d+)\s*(?:S|SECS?|SECONDS?))"
)

EXAMPLES = "14:30, 1430, 9:00 AM, +01:15, T+90, D+1 14:30, 2026-12-12 18:30, 210912AUG2011 or 21/0912"


class TimeBasis(enum.StrEnum):
    """How a bare ``H:MM`` in a time column is read."""

    AUTO = "auto"
    OFFSET = "offset"
    CLOCK = "clock"

    @property
    def label(self) -> str:
        return {"auto": "Decide from the values", "offset": "Offsets from STARTEX (H:MM)",
                "clock": "Times of day"}[self.value]


class TimeKind(enum.Enum):
    OFFSET = "offset"
    CLOCK = "clock"
    DAY_CLOCK = "day-clock"
    MONTH_DAY = "month-day"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class TimeValue:
    """A time read from a cell: an offset (``seconds`` from STARTEX), a time of day (``seconds`` since
    midnight), a time of day on exercise day ``day``, a time of day on day ``day`` of a month not written
    (``month`` 0) or written without its year (a short date-time group: ``13/0900``, ``130900Z``,
    ``130900ZMAY``), or a calendar ``moment``."""

    kind: TimeKind
    seconds: int = 0
    day: int = 0
    moment: datetime | None = None
    month: int = 0

    @classmethod
    def offset(cls, seconds: int) -> TimeValue:
        return cls(TimeKind.OFFSET, seconds)

    @classmethod
    def clock(cls, seconds: int) -> TimeValue:
        return cls(TimeKind.CLOCK, seconds)

    @classmethod
    def day_clock(cls, day: int, seconds: int) -> TimeValue:
        return cls(TimeKind.DAY_CLOCK, seconds, day)

    @classmethod
    def on_day_of_month(cls, day: int, seconds: int, month: int = 0) -> TimeValue:
        return cls(TimeKind.MONTH_DAY, seconds, day, month=month)

    @classmethod
    def at(cls, moment: datetime) -> TimeValue:
        return cls(TimeKind.DATETIME, moment=_whole_seconds(moment))

    @property
    def is_offset(self) -> bool:
        return self.kind is TimeKind.OFFSET


def _whole_seconds(moment: datetime) -> datetime:
    moment = moment.replace(tzinfo=None)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1 if moment.microsecond >= 500_000 else 0)
    return moment


def _normal(text: str) -> str:
    return " ".join(text.translate(_DASHES).upper().split())


def excel_serial_to_datetime(serial: float) -> datetime:
    """The date-time of an Excel serial number (days since 1899-12-30, as modern Excel counts them)."""
    return _whole_seconds(EXCEL_EPOCH + timedelta(days=serial))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def parse_dtg(text: str) -> datetime | None:
    """A military date-time group ``DDHHMM[Z] MON YY[YY]`` as a date-time (the zone letter is not applied)."""
    match = _DTG_RE.fullmatch(_normal(text))
    if not match:
        return None
    day, hour, minute, _zone, month, year = match.groups()
    try:
        return datetime(_year(year), _MONTHS.index(month) + 1, int(day), int(hour) % 24, int(minute)) + (
            timedelta(days=1) if int(hour) == 24 else timedelta()
        )
    except ValueError:
        return None


def parse_short_dtg(text: str) -> TimeValue | None:
    """A date-time group without its year (``091300ZMAY``), or without month and year (``091300Z``,
    ``09/1300``): the day of the month and the time, to be put on a calendar by the rows around it."""
    text = _normal(text)
    match = _DTG_NO_YEAR_RE.fullmatch(text)
    month = 0
    if match:
        day, hour, minute, _zone, month_name = match.groups()
        month = _MONTHS.index(month_name) + 1
    else:
        match = _DTG_DAY_RE.fullmatch(text) or _DAY_SLASH_RE.fullmatch(text)
        if not match:
            return None
        day, hour, minute, _zone = match.groups()
    if not 1 <= int(day) <= 31 or int(minute) > 59 or int(hour) > 24 or (int(hour) == 24 and int(minute)):
        raise ValueError(f"'{text}' reads as a date-time group, but day {int(day)} at {hour}:{minute} is not a "
                         "valid day and time")
    return TimeValue.on_day_of_month(int(day), int(hour) * 3600 + int(minute) * 60, month)


def _clock_parts(text: str) -> tuple[int, int, int, bool] | None:
    """Hours, minutes, seconds and whether AM/PM was written, for any way of writing a time of day."""
    match = _COLON_CLOCK_RE.fullmatch(text)
    if match:
        hours, minutes, seconds, half = match.groups()
        return _twelve_hour(int(hours), half), int(minutes), int(seconds or 0), half is not None
    match = _HHMM_RE.fullmatch(text)
    if match:
        digits = match.group(1)
        return int(digits[:-2]), int(digits[-2:]), 0, False
    match = _AMPM_RE.fullmatch(text)
    if match:
        return _twelve_hour(int(match.group(1)), match.group(2)), 0, 0, True
    return None


def _twelve_hour(hours: int, half: str | None) -> int:
    if half is None:
        return hours
    if not 1 <= hours <= 12:
        raise ValueError(f"{hours} {half}M is not a time of day")
    return hours % 12 + (12 if half == "P" else 0)


def _clock_seconds(text: str) -> int | None:
    """Seconds since midnight for a time of day; None when the text is not one."""
    parts = _clock_parts(text)
    if parts is None:
        return None
    hours, minutes, seconds, _ = parts
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        return None
    return hours * 3600 + minutes * 60 + seconds


def _duration(text: str, bare_unit: int | None) -> int | None:
    """Seconds in ``1:15``, ``1:15:30``, ``90 min``, ``1h30``, ``2 h``, or a bare number of ``bare_unit``."""
    match = _DURATION_COLON_RE.fullmatch(text)
    if match:
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    match = _DURATION_UNITS_RE.fullmatch(text)
    if match:
        hours, minutes_after_hours, minutes, seconds = match.groups()
        if hours is not None:
            return int(hours) * 3600 + int(minutes_after_hours or 0) * 60
        if minutes is not None:
            return int(minutes) * 60
        return int(seconds)
    if bare_unit is not None and text.isdigit():
        return int(text) * bare_unit
    return None


def _date_and_clock(text: str, day_first: bool) -> tuple[date, str | None] | None:
    """A calendar date at the start of the text and whatever follows it (the time part), if any."""
    text = _WEEKDAY_RE.sub("", text, count=1) if _WEEKDAY_RE.match(text) else text
    try:
        match = _ISO_RE.fullmatch(text)
        if match:
            year, month, day, rest = match.groups()
            return date(int(year), int(month), int(day)), rest
        match = _NUMERIC_DATE_RE.fullmatch(text)
        if match and (match.group(2) == "/" or len(match.group(4)) == 4):
            first, _, second, year, rest = match.groups()
            a, b = (int(second), int(first)) if day_first else (int(first), int(second))
            try:
                return date(_year(year), a, b), rest
            except ValueError:
                return date(_year(year), b, a), rest
        match = _DAY_MONTH_RE.fullmatch(text)
        if match:
            day, month, year, rest = match.groups()
            return date(_year(year), _MONTHS.index(month) + 1, int(day)), rest
        match = _MONTH_DAY_RE.fullmatch(text)
        if match:
            month, day, year, rest = match.groups()
            return date(_year(year), _MONTHS.index(month) + 1, int(day)), rest
    except ValueError as error:
        raise ValueError(f"'{text}' is not a valid date ({error})") from error
    return None


def _clean_clock(rest: str) -> str:
    rest = rest.strip()
    return re.sub(r"(?<=\d)(?:Z|[+-]\d{2}:?\d{2})$", "", rest).strip()


def _parse_text(text: str, basis: TimeBasis, day_first: bool) -> TimeValue:
    original = text
    text = _normal(text)
    moment = parse_dtg(text)
    if moment is not None:
        return TimeValue.at(moment)
    short = parse_short_dtg(text)
    if short is not None:
        return short
    dated = _date_and_clock(text, day_first)
    if dated is not None:
        day, rest = dated
        if not rest:
            raise ValueError(f"'{original}' is a date without a time of day")
        seconds = _clock_seconds(_clean_clock(rest))
        if seconds is None:
            raise ValueError(f"'{original}': '{rest}' is not a time of day")
        return TimeValue.at(datetime.combine(day, time()) + timedelta(seconds=seconds))
    match = _DAY_RE.fullmatch(text)
    if match:
        letter, sign, number, day_sign, day_number, rest = match.groups()
        if letter:
            day_index = int(number or 0) * (-1 if sign == "-" else 1)
        else:
            day_index = int(day_number) * (-1 if day_sign == "-" else 1)
        if not rest:
            return TimeValue.offset(day_index * 86400)
        seconds = _clock_seconds(rest)
        if seconds is not None:
            return TimeValue.day_clock(day_index, seconds)
        relative = _relative(rest)
        if relative is not None:
            return TimeValue.offset(day_index * 86400 + relative)
        raise ValueError(f"'{original}': '{rest}' after the day is neither a time of day nor H+/M+ offsets")
    relative = _relative(text)
    if relative is not None:
        return TimeValue.offset(relative)
    parts = _clock_parts(text)
    if parts is not None:
        hours, minutes, seconds, twelve_hour = parts
        if minutes > 59 or seconds > 59:
            raise ValueError(f"'{original}' is not a time: minutes and seconds go up to 59")
        total = hours * 3600 + minutes * 60 + seconds
        if twelve_hour:
            return TimeValue.clock(total)
        is_hhmm = _HHMM_RE.fullmatch(text) is not None
        if basis is TimeBasis.OFFSET:
            if is_hhmm:
                raise ValueError(f"'{original}' looks like a time of day (HHMM), not an offset such as 1:15")
            return TimeValue.offset(total)
        if hours < 24 or (hours == 24 and not minutes + seconds):
            return TimeValue.clock(total)
        if basis is TimeBasis.CLOCK or is_hhmm:
            raise ValueError(f"'{original}' is not a time of day (hours go up to 23)")
        return TimeValue.offset(total)
    seconds = _duration(text, None)
    if seconds is not None:
        return TimeValue.offset(seconds)
    if _SERIAL_TEXT_RE.fullmatch(text):
        return _parse_number(float(text), basis)
    raise ValueError(f"'{original}' is not a time this importer understands (examples: {EXAMPLES})")


def _relative(text: str) -> int | None:
    """Seconds for ``H+2 M-5``, ``H+1:15``, ``T+90`` (minutes), ``+01:15``, ``-0:30``, ``+1h30``; or None."""
    if text.startswith(("H", "M")):
        match = _HM_RE.fullmatch(text)
        if match and (match.group(1) or match.group(3)):
            hour_sign, hours, minute_sign, minutes = match.groups()
            total = 0
            if hours:
                amount = _duration(hours, 3600)
                total += (amount or 0) * (-1 if hour_sign == "-" else 1)
            if minutes:
                total += int(minutes) * 60 * (-1 if minute_sign == "-" else 1)
            return total
    match = _SIGNED_RE.fullmatch(text)
    if match:
        sign, rest = match.groups()
        amount = _duration(rest.strip(), 60)
        if amount is not None:
            return -amount if sign == "-" else amount
    return None


def parse_time(value: object, basis: TimeBasis = TimeBasis.AUTO, *,
               day_first: bool = True) -> TimeValue | None:
    """The time in one cell; None for an empty cell, ValueError (with a readable reason) for anything else.

    Excel cells arrive typed: a time-of-day cell as `time`, a duration cell as `timedelta`, a date cell
    as `datetime`, and a time typed into a General cell as a day fraction (0.5 is noon).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a time")
    if isinstance(value, datetime):
        if value.year < 1900 or (value.year == 1900 and value.month == 1 and value.day <= 1):
            since_epoch = round((value - EXCEL_EPOCH).total_seconds())
            if basis is TimeBasis.OFFSET or since_epoch >= 86400 * 2:
                return TimeValue.offset(since_epoch)
            return TimeValue.clock(since_epoch % 86400)
        return TimeValue.at(value)
    if isinstance(value, date):
        raise ValueError(f"{value.isoformat()} is a date without a time of day")
    if isinstance(value, time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + round(value.microsecond / 1e6)
        return TimeValue.offset(seconds) if basis is TimeBasis.OFFSET else TimeValue.clock(seconds)
    if isinstance(value, timedelta):
        return TimeValue.offset(round(value.total_seconds()))
    if isinstance(value, int | float):
        return _parse_number(value, basis)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) <= 2 and basis is not TimeBasis.OFFSET:
        raise ValueError(f"'{text}' is not a time: write 14:30, 1430 or +0:{int(text):02d}")
    return _parse_text(text, basis, day_first)


def _parse_number(value: float, basis: TimeBasis) -> TimeValue:
    if basis is TimeBasis.OFFSET and 0 <= value < 20000 and not (isinstance(value, int) and value):
        return TimeValue.offset(round(value * 86400))
    if 0 <= value < 1:
        return TimeValue.clock(round(value * 86400) % 86400 if value < 1 - 1e-9 else 0)
    if isinstance(value, int) or float(value).is_integer():
        number = int(value)
        if 0 <= number <= 2400 and number % 100 < 60 and basis is not TimeBasis.OFFSET and number >= 100:
            return TimeValue.clock(number // 100 * 3600 + number % 100 * 60)
    if 20000 <= value < 2958466:
        return TimeValue.at(excel_serial_to_datetime(value))
    raise ValueError(f"the number {value:g} is not a time (write 14:30, 1430 or +01:15)")


def parse_day(value: object, *, day_first: bool = True) -> date | int | None:
    """A date column's value: a calendar date, or an exercise day number (``Day 2``, ``D+1``, ``2``)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a date")
    if isinstance(value, int | float):
        if float(value).is_integer() and 0 <= value < 1000:
            return int(value)
        if 20000 <= value < 2958466:
            return excel_serial_to_datetime(value).date()
        raise ValueError(f"the number {value:g} is not a date or a day number")
    text = _normal(str(value))
    if not text:
        return None
    dated = _date_and_clock(text, day_first)
    if dated is not None:
        return dated[0]
    match = re.fullmatch(r"(?:D|J|DAY)\s*([+-]?)\s*(\d{1,3})|(\d{1,3})", text)
    if match:
        sign, number, bare = match.groups()
        return int(bare) if bare is not None else int(number) * (-1 if sign == "-" else 1)
    if text in {"D", "J", "D-DAY"}:
        return 0
    raise ValueError(f"'{value}' is not a date or an exercise day (examples: 12/12/2026, Day 2, D+1)")


def combine_day(day: date | int, value: TimeValue) -> TimeValue:
    """A time of day from a time column put on the day from a separate date column."""
    if value.kind is not TimeKind.CLOCK:
        return value
    if isinstance(day, int):
        return TimeValue.day_clock(day, value.seconds)
    return TimeValue.at(datetime.combine(day, time()) + timedelta(seconds=value.seconds))


def parse_startex(text: str, *, day_first: bool = True) -> datetime | time:
    """The exercise start as the designer types it: a time of day (``09:00``, ``0900``) or a date and time
    (``2026-12-12 09:00``, ``12/12/2026 09:00``, ``120900ZDEC26``); ValueError says what is wrong."""
    value = parse_time(text.strip(), TimeBasis.CLOCK, day_first=day_first) if text.strip() else None
    if value is None:
        raise ValueError("write the exercise start as a time of day (09:00) or a date and time (2026-12-12 09:00)")
    if value.kind is TimeKind.DATETIME and value.moment is not None:
        return value.moment
    if value.kind is TimeKind.CLOCK and value.seconds < 86400:
        return time(value.seconds // 3600, value.seconds % 3600 // 60, value.seconds % 60)
    raise ValueError(f"'{text.strip()}' is not a time of day or a date and time: write 09:00 or 2026-12-12 09:00")

"""When an AWS cron expression fires: an iterator of UTC firing times.

Reads expressions that `cron.validate_cron` accepted (same FIELDS and names). AWS
(Quartz-derived) semantics: `L` in day-of-month is the month's last day, `LW` its last
weekday, `15W` the weekday nearest the 15th without leaving the month; in day-of-week `L`
alone is Saturday (7), `5L` the month's last Thursday, `3#2` its second Tuesday; ranges
may wrap (`FRI-MON`, `22-2`); day-of-week 1 is Sunday; years 1970-2199; always UTC.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from alur_compiler.semantic.cron import FIELDS, Field, _value, strip_wrapper

DayTest = Callable[[date], bool]


def _range(base: str, field: Field, stepped: bool) -> list[int]:
    """The values of `*`, `a`, `a/..` (a to the end) or `a-b` (wrapping when a > b)."""
    if base == "*":
        return list(range(field.low, field.high + 1))
    a, dash, b = base.partition("-")
    first = _value(a, field)
    last = _value(b, field) if dash else (field.high if stepped else first)
    assert first is not None and last is not None, base
    if first <= last:
        return list(range(first, last + 1))
    return list(range(first, field.high + 1)) + list(range(field.low, last + 1))


def expand(token: str, field: Field) -> frozenset[int]:
    """The values a plain field (no L/W/#) selects."""
    if token in ("*", "?"):
        return frozenset(range(field.low, field.high + 1))
    values: set[int] = set()
    for elem in token.split(","):
        base, slash, step = elem.partition("/")
        values.update(_range(base, field, bool(slash))[:: int(step) if slash else 1])
    return frozenset(values)


def aws_weekday(day: date) -> int:
    """1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, n: int) -> int | None:
    last = calendar.monthrange(year, month)[1]
    if n > last:
        return None
    wd = date(year, month, n).weekday()  # Monday 0
    if wd == 5:  # Saturday: Friday before, or Monday after when the 1st
        return n - 1 if n > 1 else n + 2
    if wd == 6:  # Sunday: Monday after, or Friday before when the last day
        return n + 1 if n < last else n - 2
    return n


def _dom_test(token: str) -> DayTest:
    upper = token.upper()
    if upper == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if upper == "LW":
        return lambda d: d.day == _last_weekday(d.year, d.month)
    if upper.endswith("W"):
        n = int(upper[:-1])
        return lambda d: d.day == _nearest_weekday(d.year, d.month, n)
    days = expand(token, FIELDS[2])
    return lambda d: d.day in days


def _last_weekday(year: int, month: int) -> int:
    last = calendar.monthrange(year, month)[1]
    wd = date(year, month, last).weekday()
    return last - max(0, wd - 4)


def _in_last_week(d: date) -> bool:
    return d.day + 7 > calendar.monthrange(d.year, d.month)[1]


def _dow_test(token: str) -> DayTest:
    upper = token.upper()
    field = FIELDS[4]
    if upper == "L":
        return lambda d: aws_weekday(d) == 7
    if "#" in upper:
        day_text, _, nth = upper.partition("#")
        wanted, n = _value(day_text, field), int(nth)
        return lambda d: aws_weekday(d) == wanted and (d.day - 1) // 7 + 1 == n
    if upper.endswith("L"):
        wanted = _value(upper[:-1], field)
        return lambda d: aws_weekday(d) == wanted and _in_last_week(d)
    days = expand(token, field)
    return lambda d: aws_weekday(d) in days


@dataclass(frozen=True)
class Cron:
    """A parsed AWS cron expression."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: frozenset[int]
    day: DayTest

    @classmethod
    def parse(cls, expression: str) -> Cron:
        bare, _ = strip_wrapper(expression)
        mi, hr, dom, mon, dow, yr = bare.split()
        day = _dom_test(dom) if dow == "?" else _dow_test(dow)
        return cls(
            tuple(sorted(expand(mi, FIELDS[0]))),
            tuple(sorted(expand(hr, FIELDS[1]))),
            expand(mon, FIELDS[3]),
            expand(yr, FIELDS[5]),
            day,
        )

    def fires_on(self, day: date) -> bool:
        return day.year in self.years and day.month in self.months and self.day(day)

    def times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Firing times t with start <= t < end (UTC), in order."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        day = start.date()
        last_year = max(self.years, default=0)
        while day <= end.date() and day.year <= last_year:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
                continue
            if self.fires_on(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        t = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if start <= t < end:
                            yield t
            day += timedelta(days=1)


def firing_times(expression: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """The times in [start, end) when the AWS cron `expression` fires."""
    return Cron.parse(expression).times(start, end)

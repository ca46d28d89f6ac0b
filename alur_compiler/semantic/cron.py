"""AWS cron expressions (EventBridge / Glue triggers), validated field by field.

Six fields: minutes hours day-of-month month day-of-week year. Exactly one of the two day
fields must be `?`. `L` in either day field, `W` in day-of-month, `#` in day-of-week (and
then as its only element: EventBridge rejects `3#1,6#3`). Numbers and names are ASCII only:
Python's `isdigit`, `\\d` and `int()` also take superscript or fullwidth digits, AWS does not.
Glue runs a schedule at most every 5 minutes ("the minimum precision for a schedule is 5
minutes"; faster rates are not supported), so a schedule that fires sooner is an error.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


FIELDS = (
    Field("minutes", 0, 59),
    Field("hours", 0, 23),
    Field("day-of-month", 1, 31),
    Field("month", 1, 12, tuple(MONTHS)),
    Field("day-of-week", 1, 7, tuple(DAYS)),
    Field("year", 1970, 2199),
)


@dataclass(frozen=True)
class CronError:
    message: str
    offset: int  # 0-based index into the expression
    length: int = 1


def strip_wrapper(expr: str) -> tuple[str, int]:
    """'cron(0 2 * * ? *)' -> ('0 2 * * ? *', 5); a bare expression is returned as is."""
    m = re.fullmatch(r"\s*cron\((.*)\)\s*", expr)
    if m:
        return m.group(1), m.start(1)
    return expr, 0


#: Glue's minimum schedule interval (docs: "Time-based schedules for jobs and crawlers")
MIN_INTERVAL_MINUTES = 5


def _number(token: str) -> bool:
    """ASCII digits only (`str.isdigit` is true for '²' and '１' too)."""
    return token.isascii() and token.isdigit()


def _value(token: str, field: Field) -> int | None:
    if _number(token):
        return int(token)
    upper = token.upper() if token.isascii() else ""  # 'ı'.upper() == 'I'
    if upper in field.names:
        return field.names.index(upper) + 1
    return None


def _check_range(token: str, field: Field, at: int) -> list[CronError]:
    parts = token.split("-")
    if len(parts) > 2 or not all(parts):
        return [CronError(f"{field.name}: '{token}' is not a value or range", at, len(token))]
    errors: list[CronError] = []
    values: list[int] = []
    pos = at
    for part in parts:
        value = _value(part, field)
        if value is None:
            allowed = f"{field.low}-{field.high}" + (
                f" or {field.names[0]}-{field.names[-1]}" if field.names else ""
            )
            errors.append(
                CronError(f"{field.name}: '{part}' is not allowed ({allowed})", pos, len(part))
            )
        elif not field.low <= value <= field.high:
            errors.append(
                CronError(
                    f"{field.name}: {value} is out of range {field.low}-{field.high}",
                    pos,
                    len(part),
                )
            )
        else:
            values.append(value)
        pos += len(part) + 1
    return errors


def _check_element(elem: str, field: Field, at: int) -> list[CronError]:
    special = _special(elem, field, at)
    if special is not None:
        return special
    base, slash, step = elem.partition("/")
    errors: list[CronError] = []
    if slash:
        if not _number(step) or int(step) == 0:
            errors.append(
                CronError(
                    f"{field.name}: step '{step}' must be a positive number",
                    at + len(base) + 1,
                    max(len(step), 1),
                )
            )
        elif int(step) > field.high:
            errors.append(
                CronError(
                    f"{field.name}: step {step} is larger than {field.high}",
                    at + len(base) + 1,
                    len(step),
                )
            )
    if base == "*":
        return errors
    return errors + _check_range(base, field, at)


def _special(elem: str, field: Field, at: int) -> list[CronError] | None:
    """L, W and # forms; None when `elem` is not one of them."""
    upper = elem.upper()
    if field.name == "day-of-month":
        if upper in ("L", "LW"):
            return []
        m = re.fullmatch(r"([0-9]+)W", upper)
        if m:
            day = int(m.group(1))
            return (
                []
                if 1 <= day <= 31
                else [CronError(f"day-of-month: {day}W is out of range", at, len(elem))]
            )
    if field.name == "day-of-week":
        if upper == "L":
            return []
        m = re.fullmatch(r"([0-9A-Z]+)(L|#([0-9]+))", upper)
        if m:
            errors = _check_range(m.group(1), field, at)
            if m.group(3) is not None and not 1 <= int(m.group(3)) <= 5:
                errors.append(CronError("day-of-week: '#n' needs n in 1-5", at, len(elem)))
            return errors
    if (
        "L" in upper
        and upper.isalnum()
        and field.name not in ("day-of-month", "day-of-week", "month")
    ):
        return [CronError(f"{field.name}: 'L' is only allowed in the day fields", at, len(elem))]
    if "W" in upper and field.name != "day-of-month" and re.fullmatch(r"[0-9]+W", upper):
        return [CronError(f"{field.name}: 'W' is only allowed in day-of-month", at, len(elem))]
    if "#" in elem and field.name != "day-of-week":
        return [CronError(f"{field.name}: '#' is only allowed in day-of-week", at, len(elem))]
    return None


def _tokens(expr: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in re.finditer(r"[^ \t\n\r\f\v]+", expr)]


def _not_ascii(expr: str, base: int) -> list[CronError]:
    """One error per run of characters outside printable ASCII."""
    return [
        CronError(
            f"'{m.group(0)}' is not allowed: cron numbers and names are plain ASCII "
            f"(U+{ord(m.group(0)[0]):04X})",
            base + m.start(),
            len(m.group(0)),
        )
        for m in re.finditer(r"[^\t\x20-\x7e]+", expr)
    ]


def validate_cron(expression: str) -> list[CronError]:
    """All problems of an AWS cron expression (bare or wrapped in cron(...))."""
    foreign = _not_ascii(expression, 0)
    if foreign:
        return foreign
    expr, base = strip_wrapper(expression)
    tokens = _tokens(expr)
    if len(tokens) != 6:
        return [
            CronError(
                f"AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), "
                f"found {len(tokens)}",
                base,
                max(len(expr), 1),
            )
        ]
    errors: list[CronError] = []
    for (token, at), field in zip(tokens, FIELDS, strict=True):
        if token == "?":
            if field.name not in ("day-of-month", "day-of-week"):
                errors.append(
                    CronError(f"{field.name}: '?' is only allowed in the day fields", base + at)
                )
            continue
        pos = at
        for elem in token.split(","):
            if not elem:
                errors.append(CronError(f"{field.name}: empty list element", base + pos))
            else:
                errors.extend(_check_element(elem, field, base + pos))
            pos += len(elem) + 1
    if not errors:
        errors += _one_nth(tokens[4], base) + _too_often(tokens[0], tokens[1], base)
    dom, dow = tokens[2][0], tokens[4][0]
    if (dom == "?") == (dow == "?"):
        which = "both are" if dom == "?" else "neither is"
        errors.append(
            CronError(
                f"exactly one of day-of-month and day-of-week must be '?' ({which})",
                base + tokens[2][1],
                tokens[4][1] - tokens[2][1] + len(dow),
            )
        )
    return errors


def check_schedule_cron(doc: SourceDoc, diags: Diagnostics) -> None:
    """A job's `schedule.cron` is a valid AWS cron expression (AL308), located per field."""
    spec = doc.data.get("schedule")
    cron = spec.get("cron") if isinstance(spec, dict) else None
    if not isinstance(cron, str):
        return
    for err in validate_cron(cron):
        diags.report(
            codes.INVALID_CRON,
            f"invalid cron: {err.message}",
            doc.span_in_scalar("/schedule/cron", 1, err.offset + 1, err.length),
            hint="AWS cron: minutes hours day-of-month month day-of-week year, "
            "e.g. '0 2 * * ? *' (02:00 UTC daily)",
        )


def _one_nth(token: tuple[str, int], base: int) -> list[CronError]:
    """`#` makes the whole day-of-week field: `3#1,6#3` is two expressions to AWS."""
    text, at = token
    if "#" not in text or "," not in text:
        return []
    return [
        CronError(
            f"day-of-week: '{text}' combines '#' with other days; "
            "AWS allows only one expression when '#' is used",
            base + at,
            len(text),
        )
    ]


def _expand(token: str, low: int, high: int) -> set[int] | None:
    """The values a minutes or hours field selects (None: a form not expanded here)."""
    values: set[int] = set()
    for elem in token.split(","):
        base, _, step_text = elem.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = int(a), int(b)
        else:
            first = int(base)
            last = high if step_text else first
        if first > last:
            return None  # a wrapping range: not checked
        values.update(range(first, last + 1, step))
    return values


def _too_often(minutes: tuple[str, int], hours: tuple[str, int], base: int) -> list[CronError]:
    """Glue runs schedules at most every MIN_INTERVAL_MINUTES minutes."""
    mins, hrs = _expand(minutes[0], 0, 59), _expand(hours[0], 0, 23)
    if not mins or not hrs:
        return []
    ordered = sorted(mins)
    pairs = list(itertools.pairwise(ordered))
    if any(h + 1 in hrs for h in hrs):  # consecutive hours: the last minute, then the first
        pairs.append((ordered[-1], ordered[0] + 60))
    gap, first, second = min(((b - a, a, b) for a, b in pairs), default=(60, 0, 0))
    if gap >= MIN_INTERVAL_MINUTES:
        return []
    return [
        CronError(
            f"minutes: runs {gap} minute{'s' if gap > 1 else ''} apart "
            f"(:{first:02d} and :{second % 60:02d}); Glue schedules run at most every "
            f"{MIN_INTERVAL_MINUTES} minutes",
            base + minutes[1],
            len(minutes[0]),
        )
    ]

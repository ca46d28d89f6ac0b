"""AWS cron expressions (EventBridge / Glue triggers), validated field by field.

Six fields: minutes hours day-of-month month day-of-week year. Exactly one of the two day
fields must be `?`. `L` in either day field, `W` in day-of-month, `#` in day-of-week.
"""

from __future__ import annotations

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


def _value(token: str, field: Field) -> int | None:
    if token.isdigit():
        return int(token)
    upper = token.upper()
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
        if not step.isdigit() or int(step) == 0:
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
        m = re.fullmatch(r"(\d+)W", upper)
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
        m = re.fullmatch(r"(\w+)(L|#(\d+))", upper)
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
    if "W" in upper and field.name != "day-of-month" and re.fullmatch(r"\d+W", upper):
        return [CronError(f"{field.name}: 'W' is only allowed in day-of-month", at, len(elem))]
    if "#" in elem and field.name != "day-of-week":
        return [CronError(f"{field.name}: '#' is only allowed in day-of-week", at, len(elem))]
    return None


def _tokens(expr: str) -> list[tuple[str, int]]:
    return [(m.group(0), m.start()) for m in re.finditer(r"\S+", expr)]


def validate_cron(expression: str) -> list[CronError]:
    """All problems of an AWS cron expression (bare or wrapped in cron(...))."""
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

"""Fixture values against Spark SQL column types, in plain Python (no Spark).

A value written in a test (YAML scalar, CSV field, JSON value) is checked against its
column's type and turned into its *canonical text*: the string Spark's `CAST(x AS
STRING)` gives for the value, up to formatting (decimals padded to their scale,
timestamps in UTC without a trailing `.000`, doubles as Python's `repr`). Fixture rows
reach Spark as that text and are cast by Spark itself (so the engine's own parsing
applies); a job's output is read back cast to strings and canonicalised the same way, so
expected and actual cells are compared as equal strings.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
from typing import Any

_INT_BOUNDS = {
    "tinyint": 8,
    "smallint": 16,
    "int": 32,
    "integer": 32,
    "bigint": 64,
    "long": 64,
}
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")
_COMPLEX = ("array<", "map<", "struct<")


class BadValue(ValueError):
    """A value that does not fit its column's type; the message says why."""


def is_complex(spark_type: str) -> bool:
    return spark_type.startswith(_COMPLEX)


def canonical(value: Any, spark_type: str) -> str | None:
    """The canonical text of `value` as a `spark_type` value; None for NULL.

    Raises BadValue when the value cannot be one (a word in an int column, 3 decimals in
    a decimal(10,2), a date that does not exist)."""
    if value is None:
        return None
    kind = spark_type.strip().lower()
    if is_complex(kind):
        return _complex(value)
    if kind in ("string", "varchar", "char") or kind.startswith(("varchar(", "char(")):
        if isinstance(value, bool | dict | list):
            raise BadValue(f"{_show(value)} is not a string (quote it)")
        return str(value)
    if kind in _INT_BOUNDS:
        return _integer(value, _INT_BOUNDS[kind], kind)
    if kind == "boolean":
        return _boolean(value)
    if kind in ("double", "float", "real"):
        return _double(value)
    found = _DECIMAL.match(kind)
    if found:
        return _decimal(value, int(found.group(1)), int(found.group(2)))
    if kind == "date":
        return _date(value)
    if kind in ("timestamp", "timestamp_ntz", "timestamp_ltz"):
        return _timestamp(value)
    return str(value)  # binary and the like: passed as text, cast by Spark


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _integer(value: Any, bits: int, kind: str) -> str:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise BadValue(f"{_show(value)} is not an integer")
    try:
        number = int(value) if not isinstance(value, str) else int(value.strip(), 10)
    except (TypeError, ValueError):
        raise BadValue(f"{_show(value)} is not an integer") from None
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if not low <= number <= high:
        raise BadValue(f"{number} does not fit {kind} ({low} to {high})")
    return str(number)


def _boolean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower()
    raise BadValue(f"{_show(value)} is not a boolean (true or false)")


def _double(value: Any) -> str:
    if isinstance(value, bool):
        raise BadValue(f"{_show(value)} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{_show(value)} is not a number") from None
    return repr(number)


def _decimal(value: Any, precision: int, scale: int) -> str:
    if isinstance(value, bool):
        raise BadValue(f"{_show(value)} is not a number")
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise BadValue(f"{_show(value)} is not a number") from None
    if not number.is_finite():
        raise BadValue(f"{_show(value)} is not a finite number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > scale and number != number.quantize(decimal.Decimal(1).scaleb(-scale)):
        raise BadValue(
            f"{value} has more than {scale} decimal places (decimal({precision},{scale}))"
        )
    text = f"{number:.{scale}f}"
    digits = len(text.lstrip("-").split(".")[0].lstrip("0"))
    if digits > precision - scale:
        raise BadValue(
            f"{value} has more than {precision - scale} digits before the point "
            f"(decimal({precision},{scale}))"
        )
    return text


def _date(value: Any) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise BadValue(f"{_show(value)} is not a date (YYYY-MM-DD)") from None


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        stamp = value
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise BadValue(f"{_show(value)} is not a timestamp (YYYY-MM-DD HH:MM:SS)") from None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(datetime.UTC).replace(tzinfo=None)
    out = stamp.strftime("%Y-%m-%d %H:%M:%S")
    if stamp.microsecond:
        out += f".{stamp.microsecond:06d}".rstrip("0")
    return out


def _complex(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BadValue(
                f"{_show(value)} is not a list or mapping (write it as YAML or JSON)"
            ) from None
    if not isinstance(value, list | dict):
        raise BadValue(f"{_show(value)} is not a list or mapping")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)

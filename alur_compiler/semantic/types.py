"""Parse and normalise Spark SQL type strings: `Decimal(10, 2)` -> `decimal(10,2)`.

Grammar: primitive | decimal[(p[,s])] | varchar(n) | char(n) | array<T> | map<K,V> |
struct<name:T, ...>. Errors carry the offset of the offending character.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

PRIMITIVES = {
    "string": "string",
    "boolean": "boolean",
    "bool": "boolean",
    "tinyint": "tinyint",
    "byte": "tinyint",
    "smallint": "smallint",
    "short": "smallint",
    "int": "int",
    "integer": "int",
    "bigint": "bigint",
    "long": "bigint",
    "float": "float",
    "real": "float",
    "double": "double",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ltz": "timestamp",
    "timestamp_ntz": "timestamp_ntz",
    "binary": "binary",
}
NUMERIC = {"tinyint", "smallint", "int", "bigint", "float", "double"}


class TypeSyntaxError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset  # 0-based index into the type string


@dataclass
class _Parser:
    text: str
    pos: int = 0

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def word(self) -> str:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        return self.text[start : self.pos]

    def expect(self, char: str) -> None:
        self.skip()
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            got = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            raise TypeSyntaxError(f"expected '{char}' but found {got}", self.pos)
        self.pos += 1

    def peek(self, char: str) -> bool:
        self.skip()
        return self.pos < len(self.text) and self.text[self.pos] == char

    def number(self) -> int:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isdigit():
            self.pos += 1
        if start == self.pos:
            raise TypeSyntaxError("expected a number", start)
        return int(self.text[start : self.pos])

    def parse_type(self) -> str:
        self.skip()
        start = self.pos
        name = self.word().lower()
        if not name:
            raise TypeSyntaxError("expected a type name", start)
        if name in ("decimal", "dec", "numeric"):
            return self._decimal(start)
        if name in ("varchar", "char"):
            self.expect("(")
            n = self.number()
            self.expect(")")
            return f"{name}({n})"
        if name == "array":
            self.expect("<")
            inner = self.parse_type()
            self.expect(">")
            return f"array<{inner}>"
        if name == "map":
            self.expect("<")
            key = self.parse_type()
            self.expect(",")
            value = self.parse_type()
            self.expect(">")
            return f"map<{key},{value}>"
        if name == "struct":
            return self._struct()
        if name in PRIMITIVES:
            return PRIMITIVES[name]
        raise TypeSyntaxError(f"unknown type '{name}'", start)

    def _decimal(self, start: int) -> str:
        precision, scale = 10, 0
        if self.peek("("):
            self.expect("(")
            p_at = self.pos
            precision = self.number()
            if self.peek(","):
                self.expect(",")
                scale = self.number()
            self.expect(")")
            if not 1 <= precision <= 38:
                raise TypeSyntaxError(f"decimal precision {precision} is not in 1..38", p_at)
            if scale > precision:
                raise TypeSyntaxError(f"decimal scale {scale} exceeds precision {precision}", p_at)
        return f"decimal({precision},{scale})"

    def _struct(self) -> str:
        self.expect("<")
        fields: list[str] = []
        seen: set[str] = set()
        while True:
            self.skip()
            at = self.pos
            name = self.word()
            if not name:
                raise TypeSyntaxError("expected a struct field name", at)
            if name.lower() in seen:
                raise TypeSyntaxError(f"duplicate struct field '{name}'", at)
            seen.add(name.lower())
            self.expect(":")
            fields.append(f"{name}:{self.parse_type()}")
            if not self.peek(","):
                break
            self.expect(",")
        self.expect(">")
        return "struct<" + ",".join(fields) + ">"


@lru_cache(maxsize=4096)
def normalize_type(text: str) -> str:
    """Canonical lower-case form; raises TypeSyntaxError with an offset."""
    parser = _Parser(text)
    result = parser.parse_type()
    parser.skip()
    if parser.pos != len(text):
        raise TypeSyntaxError(f"unexpected '{text[parser.pos :]}' after the type", parser.pos)
    return result


def category(spark_type: str) -> str:
    """Coarse type family used for compatibility: numeric, string, boolean, datetime, ..."""
    t = spark_type.lower()
    if t in NUMERIC or t.startswith("decimal"):
        return "numeric"
    if t in ("string",) or t.startswith(("varchar", "char")):
        return "string"
    if t in ("date", "timestamp", "timestamp_ntz"):
        return "datetime"
    for prefix in ("array", "map", "struct"):
        if t.startswith(prefix):
            return prefix
    return t


_INTEGRAL_RANK = {"tinyint": 0, "smallint": 1, "int": 2, "bigint": 3}
_NUMERIC_RANK = {**_INTEGRAL_RANK, "float": 4, "double": 5}
_INTEGRAL_AS_DECIMAL = {"tinyint": (3, 0), "smallint": (5, 0), "int": (10, 0), "bigint": (20, 0)}
_DATETIME_UP = {("date", "timestamp"), ("date", "timestamp_ntz")}
_DATETIME_UP |= {("timestamp", "timestamp_ntz"), ("timestamp_ntz", "timestamp")}


def decimal_parts(spark_type: str) -> tuple[int, int] | None:
    """(precision, scale) of a normalised `decimal(p,s)`, else None."""
    if not spark_type.startswith("decimal("):
        return None
    p, s = spark_type[len("decimal(") : -1].split(",")
    return int(p), int(s)


def narrowing(source: str, target: str) -> str | None:
    """Why a value of normalised type `source` does not fit a `target` column, or None when
    it does: Spark's up-cast rule (`Cast.canUpCast`, what a strict store assignment
    allows; tests/integration/test_sql_analyzer_oracle.py asks Spark on every pair).
    Widening fits: integral and floating types by rank (tinyint < smallint < int < bigint <
    float < double), an integral into a decimal with as many integer digits, a decimal into
    one with as many integer digits and as much scale, a decimal(p,0) into an integral of
    more than p digits, date into timestamp, anything atomic
    into string. Everything else can lose or change values when the job casts.
    Nested types fit when they are equal or of the same kind (not compared deeper)."""
    if source == target or (_text(source) and _text(target)):
        return None
    if _text(target) and category(source) in ("numeric", "boolean", "datetime", "binary"):
        return None
    if (source, target) in _DATETIME_UP:
        return None
    src_rank, dst_rank = _NUMERIC_RANK.get(source), _NUMERIC_RANK.get(target)
    if src_rank is not None and dst_rank is not None:
        if src_rank <= dst_rank:
            return None
        if source in ("float", "double") and target in _INTEGRAL_RANK:
            return "fractions would be cut off and large values would not fit"
        return f"values outside {target}'s range would not fit"
    src_dec = decimal_parts(source) or _INTEGRAL_AS_DECIMAL.get(source)
    dst_dec = decimal_parts(target) or _INTEGRAL_AS_DECIMAL.get(target)
    if decimal_parts(source) and target in ("float", "double"):
        return f"a {target} is not exact: decimal values are rounded to binary fractions"
    parts = decimal_parts(source)
    if parts and target in _INTEGRAL_RANK:
        if parts[1] == 0 and parts[0] < _INTEGRAL_AS_DECIMAL[target][0]:
            return None  # every decimal(p,0) value with fewer digits fits
        return f"fractions would be cut off and values outside {target}'s range would not fit"
    if source in ("float", "double") and decimal_parts(target):
        return f"a {source} is not exact in {target}: values are rounded, and large ones do not fit"
    if src_dec and dst_dec:
        return _decimal_loss(src_dec, dst_dec, target)
    if _text(source):
        return f"a string becomes {target} only by parsing, and values that do not parse are NULL"
    for prefix in ("array", "map", "struct"):
        if source.startswith(prefix) and target.startswith(prefix):
            return None
    return "the types are of different kinds"


def _decimal_loss(src: tuple[int, int], dst: tuple[int, int], target: str) -> str | None:
    (p1, s1), (p2, s2) = src, dst
    if s1 > s2:
        return f"{s1} digits after the point do not fit the {s2} of {target}: values are rounded"
    if p1 - s1 > p2 - s2:
        return f"{p1 - s1} digits before the point do not fit the {p2 - s2} of {target}"
    return None


def _text(spark_type: str) -> bool:
    return category(spark_type) == "string"


def cast_may_be_null(source: str, target: str) -> bool:
    """Spark's `Cast.forceNullable` (ANSI off): a CAST that gives NULL for some non-NULL
    value (a string that does not parse, a decimal that overflows, NaN to an integral)."""
    if source == target or target == "string":
        return False
    if _text(source):
        return target != "binary"
    if target == "date":
        return source != "timestamp"
    if source == "date":
        return target != "timestamp"  # to timestamp_ntz too, measured on Spark 3.5
    if target == "timestamp" and source in ("float", "double"):
        return True  # NaN and the infinities
    dst = decimal_parts(target)
    if dst is not None:  # Cast.canNullSafeCastToDecimal
        src = decimal_parts(source) or _INTEGRAL_AS_DECIMAL.get(source)
        if source == "boolean":
            src = (1, 0)  # DecimalType.BooleanDecimal
        if src is None:
            return True
        digits, dst_digits = src[0] - src[1], dst[0] - dst[1]
        wider = dst_digits >= digits and dst[1] >= src[1]
        # a decimal may lose scale (it is rounded) where more digits before the point fit
        rounded = decimal_parts(source) is not None and dst_digits > digits
        return not (wider or rounded)
    fractional = source in ("float", "double") or decimal_parts(source) is not None
    return fractional and target in _INTEGRAL_RANK

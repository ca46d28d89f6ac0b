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

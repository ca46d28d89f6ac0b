"""Spark SQL types (as normalised in the IR) -> Glue/Hive catalog type strings.

Glue's catalog speaks Hive DDL: `bigint` not `long`, `int` not `integer`, nested types
without spaces (`struct<a:int,b:array<string>>`). Wrong names here make Athena and Spark
read a bronze table with the wrong schema, so nested types are parsed, not patched.
"""

from __future__ import annotations

import re

_SCALARS = {
    "long": "bigint",
    "bigint": "bigint",
    "int": "int",
    "integer": "int",
    "short": "smallint",
    "smallint": "smallint",
    "byte": "tinyint",
    "tinyint": "tinyint",
    "float": "float",
    "real": "float",
    "double": "double",
    "boolean": "boolean",
    "bool": "boolean",
    "string": "string",
    "binary": "binary",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ntz": "timestamp",
    "timestamp_ltz": "timestamp",
}

_DECIMAL = re.compile(r"^(?:decimal|dec|numeric)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")
_CHAR = re.compile(r"^(char|varchar)\s*\(\s*(\d+)\s*\)$")


def glue_type(spark_type: str) -> str:
    """Map one Spark SQL type to its Glue catalog spelling. Raises ValueError if unknown."""
    text = spark_type.strip().lower()
    if text in _SCALARS:
        return _SCALARS[text]
    if m := _DECIMAL.match(text):
        precision, scale = m.group(1) or "10", m.group(2) or "0"
        return f"decimal({precision},{scale})"
    if m := _CHAR.match(text):
        return f"{m.group(1)}({m.group(2)})"
    for outer in ("array", "map", "struct"):
        if text.startswith(outer) and text[len(outer) :].lstrip().startswith("<"):
            inner = text[text.index("<") + 1 :]
            if not inner.endswith(">"):
                break
            return _nested(outer, inner[:-1])
    raise ValueError(f"no Glue catalog type for Spark type {spark_type!r}")


def _nested(outer: str, inner: str) -> str:
    parts = _split_top(inner)
    if outer == "array" and len(parts) == 1:
        return f"array<{glue_type(parts[0])}>"
    if outer == "map" and len(parts) == 2:
        return f"map<{glue_type(parts[0])},{glue_type(parts[1])}>"
    if outer == "struct" and parts:
        fields = []
        for part in parts:
            name, sep, ftype = part.partition(":")
            if not sep:  # Spark DDL also allows `name type`
                name, _, ftype = part.strip().partition(" ")
            fields.append(f"{name.strip().strip('`')}:{glue_type(ftype)}")
        return f"struct<{','.join(fields)}>"
    raise ValueError(f"malformed {outer} type: {outer}<{inner}>")


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside <> or ()."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]

"""Stable, location-free JSON views and hashes of IR nodes, and the pretty JSON of outputs.

Both are encoded by orjson (a compiled encoder): the standard library falls back to its
pure-Python encoder whenever `indent` is set, which cost about a second per 1,000 pipelines.
The text is the same as `json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False)` for
strings, ints, bools, null and floats from 1e-4 up (a test compares the two on random
documents); smaller floats are spelled differently (`1e-7` for `1e-07`, `0.00001` for
`1e-05`), which is the same number. orjson writes infinity and NaN as `null`, so a value
holding one (`max: .inf` in a spec) is encoded by the standard library instead, which
keeps `Infinity` (Python's and GX's JSON readers accept it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from enum import Enum
from functools import cache
from typing import Any

import orjson

_SKIP = frozenset({"span", "sql_span", "root"})
_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


@cache
def _fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of `cls` that take part in fingerprints (no source locations)."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIP and f.metadata.get("fingerprint", True)
    )


@cache
def _float_fields(cls: type) -> tuple[str, ...]:
    """Fields of `cls` whose annotation admits a float (where infinity or NaN can hide)."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIP and any(word in str(f.type) for word in ("float", "object", "Any"))
    )


def _non_finite(value: Any) -> bool:
    """True when plain data holds an infinite or NaN float (dataclasses are not entered:
    `_dataclass_view` checks each one's float fields as orjson reaches it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            if not math.isfinite(item):
                return True
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
    return False


def _dataclass_view(value: Any) -> Any:
    """orjson's `default`: one dataclass level as a dict without source locations.

    Raises TypeError for infinity or NaN, which orjson would write as null: the caller then
    encodes the whole value with the standard library.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if any(_non_finite(getattr(value, name)) for name in _float_fields(cls)):
            raise TypeError("infinity or NaN")
        return {name: getattr(value, name) for name in _fields(cls)}
    raise TypeError(f"cannot encode {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> dicts without source locations; enums -> values; tuples -> lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_jsonable(getattr(value, name)) for name in _fields(type(value))}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in sorted(value.items())}
    return value


def canonical_json(value: Any) -> bytes:
    """Compact, key-sorted JSON of `value` (IR nodes included), without source locations."""
    if not _non_finite(value):
        try:
            return orjson.dumps(value, default=_dataclass_view, option=_CANONICAL)
        except TypeError:  # an int beyond 64 bits, infinity or NaN in an IR node
            pass
    text = json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def fingerprint(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()[:16]


def pretty_json(value: Any) -> bytes:
    """`value` as 2-space indented, key-sorted UTF-8 JSON with a final newline."""
    try:
        data = orjson.dumps(value, option=_PRETTY)
        if b"null" not in data or not _non_finite(value):  # orjson writes inf, NaN as null
            return data
    except TypeError:  # non-string keys, ints beyond 64 bits: the standard encoder
        pass
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")

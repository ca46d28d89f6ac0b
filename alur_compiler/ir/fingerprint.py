"""Stable, location-free JSON views and hashes of IR nodes (for the manifest and caches)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from typing import Any

_SKIP = {"span", "sql_span", "root"}


def to_jsonable(value: Any) -> Any:
    """Dataclasses -> dicts without source locations; enums -> values; tuples -> lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIP
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in sorted(value.items())}
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()[:16]

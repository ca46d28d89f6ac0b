"""The `scd2:` settings of a pipeline document -> ir.Scd2 (checked by semantic/scd2.py)."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir.nodes import Scd2, Table
from alur_compiler.semantic.scd2 import history_names


def default_keys(data: dict[str, Any], target: Table) -> tuple[str, ...]:
    """`scd2.keys`, else the target's primary key without the history columns."""
    spec = data.get("scd2") or {}
    if spec.get("keys"):
        return tuple(str(k) for k in spec["keys"])
    hist = set(history_names(data).values())
    return tuple(k for k in target.primary_key if k not in hist)


def build_scd2(data: dict[str, Any], target: Table) -> Scd2:
    spec = data.get("scd2") or {}
    names = history_names(data)
    return Scd2(
        keys=default_keys(data, target),
        sequence_by=spec.get("sequence_by"),
        check_cols=tuple(str(c) for c in spec.get("check_cols") or ()),
        delete_when=spec.get("delete_when"),
        valid_from=names["valid_from"],
        valid_to=names["valid_to"],
        is_current=names["is_current"],
    )

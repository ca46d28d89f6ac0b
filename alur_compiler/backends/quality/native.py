"""Lower a table's effective checks to plain dicts evaluated by `runtime/quality.py`.

Contract (notes/contracts.md §1): `native_checks(project, table)` returns JSON-serialisable
dicts in check order, keys sorted. Row checks carry precompiled Spark SQL:

- ``fail_expr``: TRUE exactly when the row is unexpected (never NULL);
- ``considered_expr``: TRUE when the row counts toward the `mostly` denominator (GX's
  non-null / filtered count; NULLs of a column check are neither expected nor unexpected).

Table-level checks (row_count_between, freshness, relationship) carry their parameters.
See specs/checks.md for the semantics.
"""

from __future__ import annotations

from typing import Any

from alur_compiler.backends.quality.sql import row_condition
from alur_compiler.ir import Check, CheckType, Project


def lower_check(check: Check) -> dict[str, Any]:
    """One check as a dict (keys sorted) for the runtime evaluator."""
    out: dict[str, Any] = {
        "action": str(check.action),
        "columns": list(check.columns),
        "level": "table" if check.table_level else "row",
        "mostly": float(check.mostly),
        "name": check.name,
        "origin": check.origin,
        "type": str(check.type),
    }
    if not check.table_level:
        considered, fail = row_condition(check)
        out["considered_expr"] = considered
        out["fail_expr"] = fail
    elif check.type is CheckType.ROW_COUNT_BETWEEN:
        out["min"] = None if check.min is None else int(float(check.min))
        out["max"] = None if check.max is None else int(float(check.max))
        out["strict_min"] = check.strict_min
        out["strict_max"] = check.strict_max
    elif check.type is CheckType.FRESHNESS:
        out["column"] = check.column
        out["max_age_seconds"] = check.max_age_seconds
    elif check.type is CheckType.RELATIONSHIP:
        out["column"] = check.column
        out["ref_table"] = check.ref_table
        out["ref_column"] = check.ref_column
    return dict(sorted(out.items()))


def native_checks(project: Project, table: str) -> list[dict[str, Any]]:
    """The effective checks of `table` lowered for `evaluate_checks` (contracts.md §1)."""
    return [lower_check(c) for c in project.effective_checks(table)]

"""Check lowering: a table's effective checks as Spark SQL, read by every backend.

One IR pass (DESIGN.md §7: check lowering lives in one module of ir/). The glue backend
embeds `native_checks(project, table)` in each job for `alur_runtime.quality`; the quality
backend builds its GX suites from the same building blocks (`ident`, `literal`, ...).

Contract (notes/contracts.md §1): `native_checks(project, table)` returns JSON-serialisable
dicts in check order, keys sorted. Row checks carry precompiled Spark SQL:

- ``fail_expr``: TRUE exactly when the row is unexpected (never NULL);
- ``considered_expr``: TRUE when the row counts toward the `mostly` denominator (GX's
  non-null / filtered count; NULLs of a column check are neither expected nor unexpected).

Table-level checks (row_count_between, freshness, relationship) carry their parameters.
See specs/checks.md for the semantics.

Every value that comes from YAML goes through `literal` or `ident`, never through string
formatting, so a quote or backslash in a value, pattern or column name cannot change the
meaning of the generated SQL. Assumes Spark's default `spark.sql.parser.escapedStringLiterals
= false` (backslash escapes are processed inside '...'), as on Glue 5.0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import sqlglot
from sqlglot.dialects.dialect import Dialect

from alur_compiler.ir.nodes import Check, CheckType, Project
from alur_compiler.ir.quoting import quote_ident

_SPARK = Dialect.get_or_raise("spark")


def ident(name: str) -> str:
    """A column name as a back-quoted Spark identifier (back-quotes doubled)."""
    return quote_ident(name)


def string_literal(value: str) -> str:
    """A Spark SQL string literal: backslash and single quote escaped with a backslash.

    (`''` is NOT an escape in Spark SQL: adjacent literals are concatenated, so 'it''s' is
    'its'.) Control characters are kept as is; Spark accepts them inside a literal.
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def literal(value: str | int | float | bool | None) -> str:
    """A Python scalar from YAML as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "CAST('NaN' AS DOUBLE)"
        if math.isinf(value):
            return "CAST('Infinity' AS DOUBLE)" if value > 0 else "CAST('-Infinity' AS DOUBLE)"
        return f"CAST({value!r} AS DOUBLE)"
    return string_literal(str(value))


def range_violation(expr: str, check: Check) -> str:
    """SQL TRUE when `expr` (not null) lies outside [min, max] (or the strict bounds)."""
    parts: list[str] = []
    if check.min is not None:
        op = ">" if check.strict_min else ">="
        parts.append(f"{expr} {op} {literal(check.min)}")
    if check.max is not None:
        op = "<" if check.strict_max else "<="
        parts.append(f"{expr} {op} {literal(check.max)}")
    if not parts:
        return "FALSE"
    return "NOT (" + " AND ".join(parts) + ")"


def length_range_violation(expr: str, check: Check) -> str:
    """Like `range_violation` for `char_length(expr)` with integer bounds."""
    parts: list[str] = []
    length = f"char_length({expr})"
    if check.min is not None:
        op = ">" if check.strict_min else ">="
        parts.append(f"{length} {op} {int(float(check.min))}")
    if check.max is not None:
        op = "<" if check.strict_max else "<="
        parts.append(f"{length} {op} {int(float(check.max))}")
    if not parts:
        return "FALSE"
    return "NOT (" + " AND ".join(parts) + ")"


def in_set_violation(expr: str, values: Sequence[str | int | float | bool]) -> str:
    if not values:
        return "TRUE"
    return f"NOT ({expr} IN (" + ", ".join(literal(v) for v in values) + "))"


def all_null(columns: Sequence[str]) -> str:
    return "(" + " AND ".join(f"{ident(c)} IS NULL" for c in columns) + ")"


def where_filter(check: Check) -> str | None:
    """The check's row filter as it runs: TRUE for the rows the check applies to, never NULL
    (a row whose filter is NULL is left out, as by GX's `row_condition` / Spark's filter)."""
    if check.where is None:
        return None
    return f"coalesce(({row_expression(check.where)}), FALSE)"


def row_condition(check: Check) -> tuple[str, str]:
    """(considered_expr, fail_expr) for a row-level check.

    `considered_expr` is TRUE for rows that count toward the element count used by `mostly`
    (GX's nonnull / filtered count); `fail_expr` is TRUE exactly for unexpected rows and is
    only ever TRUE where `considered_expr` is TRUE. Both never evaluate to NULL. A `where`
    filter narrows both to the rows it holds for, and a `unique` check counts duplicates
    among those rows only (GX filters the batch first).
    """
    considered, fail = _unfiltered_condition(check)
    where = where_filter(check)
    if where is None:
        return considered, fail
    filtered = where if considered == "TRUE" else f"({where} AND {considered})"
    return filtered, f"({where} AND {fail})"


def _unfiltered_condition(check: Check) -> tuple[str, str]:
    cols = check.columns
    col = ident(cols[0]) if cols else "NULL"
    nonnull = f"{col} IS NOT NULL"
    if check.type is CheckType.NOT_NULL:
        return "TRUE", f"{col} IS NULL"
    if check.type is CheckType.UNIQUE:
        considered = f"NOT {all_null(cols)}" if len(cols) > 1 else nonnull
        return considered, f"({considered} AND {_group_size(check)} > 1)"
    if check.type is CheckType.EXPRESSION:
        return "TRUE", f"NOT coalesce(({row_expression(check.sql or 'TRUE')}), FALSE)"
    if check.type is CheckType.ACCEPTED_VALUES:
        violation = in_set_violation(col, check.values)
    elif check.type is CheckType.BETWEEN:
        violation = range_violation(col, check)
    elif check.type is CheckType.REGEX:
        violation = f"NOT ({col} RLIKE {string_literal(check.pattern or '')})"
    elif check.type is CheckType.LENGTH_BETWEEN:
        violation = length_range_violation(col, check)
    else:
        raise ValueError(f"{check.type} is not a row-level check")
    return nonnull, f"({nonnull} AND coalesce({violation}, FALSE))"


def _group_size(check: Check) -> str:
    """How many considered rows share this row's key (a window over the key, NULLs equal)."""
    partition = ", ".join(ident(c) for c in check.columns)
    where = where_filter(check)
    if where is None:
        return f"count(1) OVER (PARTITION BY {partition})"
    return f"count(CASE WHEN {where} THEN 1 END) OVER (PARTITION BY {partition})"


def row_expression(sql: str) -> str:
    """An `expression` check's SQL as it runs: parsed as one Spark expression (validate
    accepted exactly one, AL401/AL409/AL411) and re-rendered, so no comment or `;` of the
    YAML text reaches the generated SQL (a `-- c` would swallow the closing parenthesis)."""
    return sqlglot.parse_one(sql, read=_SPARK).sql(dialect=_SPARK, comments=False)


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
    if check.where is not None:
        out["where"] = where_filter(check)
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

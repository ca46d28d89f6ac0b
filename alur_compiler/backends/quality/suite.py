"""Lower a table's effective checks to a Great Expectations 1.x ExpectationSuite (JSON dict).

No GX import here: the backend only writes JSON (GX costs ~3 s to import). The mapping is
documented in specs/checks.md; tests load every suite back into a real GX 1.x context and
prove its verdicts equal the native evaluator's.

SQL checks (expression, relationship, freshness) become `unexpected_rows_expectation`s on
Spark SQL. GX formats that query with `str.format`, so every brace coming from YAML is
doubled. GX has no `mostly` for them: when mostly < 1 the query aggregates and returns one
row exactly when the check is unsuccessful.
"""

from __future__ import annotations

from typing import Any

from alur_compiler.ir import Check, CheckType, Project
from alur_compiler.ir.check_sql import ident, literal, row_expression, where_filter

_COLUMN_TYPES: dict[CheckType, str] = {
    CheckType.NOT_NULL: "expect_column_values_to_not_be_null",
    CheckType.ACCEPTED_VALUES: "expect_column_values_to_be_in_set",
    CheckType.BETWEEN: "expect_column_values_to_be_between",
    CheckType.REGEX: "expect_column_values_to_match_regex",
    CheckType.LENGTH_BETWEEN: "expect_column_value_lengths_to_be_between",
}
SQL_EXPECTATION = "unexpected_rows_expectation"


def _braces(sql: str) -> str:
    return sql.replace("{", "{{").replace("}", "}}")


def _mostly_filter(unexpected: str, considered: str, source: str, mostly: float) -> str:
    """A query returning one row iff (considered - unexpected) / considered < mostly."""
    return (
        f"SELECT * FROM (SELECT {unexpected} AS unexpected_count, {considered} AS "
        f"considered_count FROM {source}) AS t WHERE considered_count > 0 AND "
        "(CAST(considered_count AS DOUBLE) - CAST(unexpected_count AS DOUBLE)) / "
        f"CAST(considered_count AS DOUBLE) < {literal(float(mostly))}"
    )


def _rows(check: Check, alias: str | None = None) -> str:
    """The rows a SQL check reads: `{batch}`, or only those its `where` filter holds for
    (GX's `unexpected_rows_expectation` takes no `row_condition`)."""
    where = where_filter(check)
    if where is None:
        return "{batch}" if alias is None else f"{{batch}} AS {alias}"
    return f"(SELECT * FROM {{batch}} WHERE {_braces(where)}) AS {alias or 'w'}"


def expression_query(check: Check) -> str:
    bad = f"NOT coalesce(({_braces(row_expression(check.sql or 'TRUE'))}), FALSE)"
    if check.mostly >= 1:
        return f"SELECT * FROM {_rows(check)} WHERE {bad}"
    return _mostly_filter(f"count_if({bad})", "count(1)", _rows(check), check.mostly)


def relationship_query(check: Check) -> str:
    col = _braces(ident(check.column or ""))
    ref = _braces(ident(check.ref_table or ""))
    ref_col = _braces(ident(check.ref_column or ""))
    if check.mostly >= 1:
        return (
            f"SELECT * FROM {_rows(check, 'b')} WHERE b.{col} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {ref} AS r WHERE r.{ref_col} = b.{col})"
        )
    source = (
        f"(SELECT b.{col} AS k, r.k AS found FROM {_rows(check, 'b')} LEFT JOIN "
        f"(SELECT DISTINCT {ref_col} AS k FROM {ref}) AS r ON b.{col} = r.k "
        f"WHERE b.{col} IS NOT NULL) AS j"
    )
    return _mostly_filter("count_if(found IS NULL)", "count(1)", source, check.mostly)


def freshness_query(check: Check) -> str:
    col = _braces(ident(check.column or ""))
    limit = int(check.max_age_seconds or 0) * 1_000_000
    return (
        f"SELECT * FROM (SELECT unix_micros(CAST(max({col}) AS TIMESTAMP)) AS latest_micros "
        f"FROM {_rows(check)}) AS t WHERE latest_micros IS NULL OR "
        f"unix_micros(current_timestamp()) - latest_micros > {limit}"
    )


def _range_kwargs(check: Check, as_int: bool) -> dict[str, Any]:
    def bound(v: float | int | str | None) -> float | int | str | None:
        return int(float(v)) if as_int and v is not None else v

    return {
        "max_value": bound(check.max),
        "min_value": bound(check.min),
        "strict_max": check.strict_max,
        "strict_min": check.strict_min,
    }


def expectation_kwargs(check: Check) -> tuple[str, dict[str, Any]]:
    """(GX expectation type, kwargs) for one check; a `where` filter becomes GX's
    `row_condition` (Spark SQL, `condition_parser: spark`) or part of the SQL query."""
    type_, kwargs = _expectation_kwargs(check)
    if check.where is not None and type_ != SQL_EXPECTATION:
        kwargs["condition_parser"] = "spark"
        kwargs["row_condition"] = row_expression(check.where)
    return type_, kwargs


def _expectation_kwargs(check: Check) -> tuple[str, dict[str, Any]]:
    t = check.type
    if t is CheckType.UNIQUE and len(check.columns) > 1:
        kwargs: dict[str, Any] = {
            "column_list": list(check.columns),
            "ignore_row_if": "all_values_are_missing",
        }
        return "expect_compound_columns_to_be_unique", {**kwargs, "mostly": check.mostly}
    if t is CheckType.UNIQUE:
        return "expect_column_values_to_be_unique", {"column": check.column, "mostly": check.mostly}
    if t in _COLUMN_TYPES:
        kwargs = {"column": check.column, "mostly": check.mostly}
        if t is CheckType.ACCEPTED_VALUES:
            kwargs["value_set"] = list(check.values)
        elif t is CheckType.BETWEEN:
            kwargs.update(_range_kwargs(check, as_int=False))
        elif t is CheckType.REGEX:
            kwargs["regex"] = check.pattern
        elif t is CheckType.LENGTH_BETWEEN:
            kwargs.update(_range_kwargs(check, as_int=True))
        return _COLUMN_TYPES[t], kwargs
    if t is CheckType.ROW_COUNT_BETWEEN:
        return "expect_table_row_count_to_be_between", _range_kwargs(check, as_int=True)
    queries = {
        CheckType.EXPRESSION: expression_query,
        CheckType.RELATIONSHIP: relationship_query,
        CheckType.FRESHNESS: freshness_query,
    }
    query = queries[t](check)
    description = f"alurc {t} check {check.name}"
    return SQL_EXPECTATION, {"description": description, "unexpected_rows_query": query}


def _meta(check: Check) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "action": str(check.action),
        "check": check.name,
        "check_type": str(check.type),
        "mostly": check.mostly,
        "origin": check.origin,
        "table_level": check.table_level,
    }
    if check.where is not None:
        meta["where"] = check.where
    if check.type is CheckType.FRESHNESS:
        meta["column"] = check.column
        meta["max_age_seconds"] = check.max_age_seconds
    if check.type is CheckType.RELATIONSHIP:
        meta["ref_table"] = check.ref_table
        meta["ref_column"] = check.ref_column
    return {"alurc": meta}


def build_suite(project: Project, table: str) -> dict[str, Any]:
    """The GX 1.x ExpectationSuite JSON for `table` (`name`, `expectations[type,kwargs,meta]`)."""
    expectations = []
    for check in project.effective_checks(table):
        type_, kwargs = expectation_kwargs(check)
        expectations.append({"kwargs": kwargs, "meta": _meta(check), "type": type_})
    return {
        "expectations": expectations,
        "meta": {"alurc": {"project": project.name, "table": table}},
        "name": f"{project.name}.{table}",
        "notes": None,
    }

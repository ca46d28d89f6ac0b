"""Qualify a parsed pipeline SELECT against the contracts: columns, output types, lineage."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from alur_compiler.diagnostics import codes
from alur_compiler.semantic.sql_fast import FastAnalyzer
from alur_compiler.semantic.sql_fast import Select as FastSelect
from alur_compiler.semantic.sql_nulls import Nulls, query_nulls
from alur_compiler.semantic.sql_parse import SPARK, ParsedSql, SqlProblem, offset_of
from alur_compiler.semantic.sql_positions import (
    Projection,
    Where,
    assign,
    column_ref,
    projections,
)
from alur_compiler.semantic.sql_resolve import explain
from alur_compiler.semantic.sql_typenames import type_of
from alur_compiler.semantic.sql_types import retype_query

Schema = Any  # layer -> table -> column -> type: nested dicts or a sqlglot MappingSchema


@dataclass(frozen=True)
class OutputColumn:
    name: str
    type: str | None  # normalised Spark type, None when it cannot be inferred
    offset: int  # position of the projection in the SQL
    lineage: tuple[str, ...]  # "table.column" of every upstream column it derives from
    nullable: bool = True
    length: int = 1  # of the range `offset` starts: the alias, column or expression


@dataclass
class SqlAnalysis:
    columns: list[OutputColumn] = field(default_factory=list)
    problems: list[SqlProblem] = field(default_factory=list)


_UNRESOLVED = re.compile(r"Column '\"?([^'\"]+)\"?' could not be resolved")
_UNKNOWN = re.compile(r"Unknown column: \"?(\w+)\"?")
_AMBIGUOUS = re.compile(r"Ambiguous column[^:]*: \"?(\w+)\"?|'(\w+)' could refer to")


def _column_problems(
    parsed: ParsedSql, exc: OptimizeError, tables: dict[str, dict[str, str]]
) -> list[SqlProblem]:
    """What qualify rejected, explained by the scope resolver on the text as written.

    qualify rewrites the tree in place, so the text is parsed again. Only when the
    resolver proves nothing does sqlglot's own reason stand (named, never guessed at).
    """
    fresh = sqlglot.parse_one(parsed.sql, read=SPARK) if parsed.sql else None
    found = explain(fresh, tables) if fresh is not None else []
    if found:
        return found
    text = str(exc)
    tree = fresh if fresh is not None else parsed.tree
    assert tree is not None
    amb = _AMBIGUOUS.search(text)
    m = _UNRESOLVED.search(text) or _UNKNOWN.search(text)
    name = (amb.group(1) or amb.group(2)) if amb else (m.group(1) if m else "")
    name = name.rsplit(".", 1)[-1]
    where = _find_identifier(tree, name) if name else Where(0)
    if amb:
        return [
            SqlProblem(
                codes.SQL_AMBIGUOUS_COLUMN,
                f"column '{name}' is ambiguous: several relations have it",
                where.offset,
                where.length,
                hint="qualify it with the relation it comes from",
            )
        ]
    message = f"unknown column '{name}'" if name else f"cannot resolve a column: {text}"
    return [
        SqlProblem(
            codes.SQL_UNKNOWN_COLUMN,
            message,
            where.offset,
            where.length,
            hint="columns come from the contracts of the tables the SQL reads",
        )
    ]


def _find_identifier(tree: exp.Expr, name: str) -> Where:
    for col in tree.find_all(exp.Column):
        if col.name == name:
            return column_ref(col) or Where(offset_of(col), len(name))
    return Where(0)


def _tables(schema: Any) -> dict[str, dict[str, str]]:
    """table -> columns from a nested dict or a sqlglot MappingSchema (layer -> table -> cols)."""
    nested = getattr(schema, "mapping", schema)
    out: dict[str, dict[str, str]] = {}
    for tables in nested.values():
        out.update(tables)
    return out


def analyze(
    parsed: ParsedSql,
    schema: Schema,
    not_null: frozenset[str] = frozenset(),
    tables: dict[str, dict[str, str]] | None = None,
) -> SqlAnalysis:
    """Qualify columns, infer output types and column lineage. Problems are collected.

    `not_null` holds the `table.column` names declared NOT NULL, for nullability inference.
    With `tables` (table -> column -> type, the same contracts as `schema`), the fast path
    of `sql_fast` answers first when it can.
    """
    assert parsed.tree is not None
    result = SqlAnalysis()
    original = parsed.tree
    projs = projections(original)  # before qualify rewrites the tree in place
    if tables is not None:
        fast = FastAnalyzer(tables, schema, not_null).query(original)
        if fast is not None:
            return _fast_result(original, fast, projs)
    try:
        tree = qualify(
            original,
            schema=schema,
            dialect=SPARK,
            validate_qualify_columns=True,
            quote_identifiers=False,
            identify=False,
        )
    except OptimizeError as exc:
        result.problems.extend(_column_problems(parsed, exc, tables or _tables(schema)))
        return result
    with contextlib.suppress(Exception):  # type inference is best effort; never block on it
        tree = annotate_types(tree, schema=schema, dialect=SPARK)
        retype_query(tree)  # Spark's own numeric result types (sqlglot's differ)
    scope = build_scope(tree)
    assert isinstance(tree, exp.Query)
    result.columns = _output_columns(
        tree,
        projs,
        query_nulls(tree, not_null),
        lambda node: _lineage(node, scope) if scope else set(),
    )
    return result


def _fast_result(tree: exp.Expr, fast: FastSelect, projs: list[Projection]) -> SqlAnalysis:
    """The columns of a query the fast path resolved (same rules as the full path)."""
    assert isinstance(tree, exp.Query)

    def lineage(node: exp.Expr) -> set[str]:
        return {up for c in node.find_all(exp.Column) for up in fast.columns[id(c)][1].lineage}

    nulls = [out.nulls for out in fast.outputs.values()]
    return SqlAnalysis(columns=_output_columns(tree, projs, nulls, lineage, fast.projections))


def _output_columns(
    tree: exp.Query,
    projs: list[Projection],
    nulls: list[Nulls],
    lineage: Callable[[exp.Expr], set[str]],
    selects: list[exp.Expr] | None = None,
) -> list[OutputColumn]:
    """Name, type, offset, lineage and nullability of every output column.

    `nulls`: each output's nullability (sql_nulls); `lineage(node)`: the physical
    `table.column`s a node reads; `selects`: the star-expanded projections (default: the
    tree's own, expanded by qualify).
    """
    columns = []
    outputs = tree.selects if selects is None else selects
    places = assign(projs, outputs)
    for proj, where, null in zip(outputs, places, nulls, strict=True):
        upstream = lineage(proj)
        columns.append(
            OutputColumn(
                name=proj.alias_or_name,
                type=type_of(proj),
                offset=where.offset,
                lineage=tuple(sorted(upstream)),
                nullable=null.may_be_null,
                length=where.length,
            )
        )
    return columns


def _lineage(proj: exp.Expr, scope: Scope) -> set[str]:
    """Physical `table.column` names a projection derives from (through CTEs/subqueries)."""
    out: set[str] = set()
    for col in proj.find_all(exp.Column):
        source = scope.sources.get(col.table)
        if isinstance(source, exp.Table):
            out.add(f"{source.name}.{col.name}")
        elif isinstance(source, Scope):
            inner = source.expression
            if isinstance(inner, exp.Query):
                for sub in inner.selects:
                    if sub.alias_or_name == col.name:
                        out |= _lineage(sub, source)
    return out

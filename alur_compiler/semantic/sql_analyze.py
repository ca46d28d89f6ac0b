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
from alur_compiler.semantic.sql_parse import SPARK, ParsedSql, SqlProblem, offset_of
from alur_compiler.semantic.sql_positions import (
    Projection,
    Where,
    assign,
    column_ref,
    projections,
)
from alur_compiler.semantic.sql_resolve import explain
from alur_compiler.semantic.sql_types import retype_query
from alur_compiler.semantic.types import TypeSyntaxError, cast_may_be_null, normalize_type

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
        fast = FastAnalyzer(tables, schema).query(original)
        if fast is not None:
            return _fast_result(original, fast, projs, not_null)
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
        not_null,
        lambda node: _lineage(node, scope) if scope else set(),
        lambda proj: {c.table for c in proj.find_all(exp.Column)},
    )
    return result


def _fast_result(
    tree: exp.Expr, fast: FastSelect, projs: list[Projection], not_null: frozenset[str]
) -> SqlAnalysis:
    """The columns of a query the fast path resolved (same rules as the full path)."""
    assert isinstance(tree, exp.Query)

    def lineage(node: exp.Expr) -> set[str]:
        return {up for c in node.find_all(exp.Column) for up in fast.columns[id(c)][1].lineage}

    def sources(proj: exp.Expr) -> set[str]:
        return {fast.columns[id(c)][0] for c in proj.find_all(exp.Column)}

    return SqlAnalysis(columns=_output_columns(tree, projs, not_null, lineage, sources))


def _output_columns(
    tree: exp.Query,
    projs: list[Projection],
    not_null: frozenset[str],
    lineage: Callable[[exp.Expr], set[str]],
    sources: Callable[[exp.Expr], set[str]],
) -> list[OutputColumn]:
    """Name, type, offset, lineage and nullability of every output column.

    `lineage(node)`: the physical `table.column`s a node reads; `sources(proj)`: the FROM
    aliases its columns come from.
    """
    outer = _outer_join_aliases(tree)
    filtered = _not_null_filters(tree, lineage)
    columns = []
    for proj, where in zip(tree.selects, assign(projs, tree.selects), strict=True):
        upstream = lineage(proj)
        columns.append(
            OutputColumn(
                name=proj.alias_or_name,
                type=_type_of(proj),
                offset=where.offset,
                lineage=tuple(sorted(upstream)),
                nullable=_nullable(proj, upstream, not_null | filtered, outer & sources(proj)),
                length=where.length,
            )
        )
    return columns


def _outer_join_aliases(tree: exp.Expr) -> set[str]:
    """Aliases on the null-supplying side of outer joins in the outermost SELECT."""
    out: set[str] = set()
    select = tree if isinstance(tree, exp.Select) else None
    for join in (select.args.get("joins") or []) if select else []:
        if join.side in ("LEFT", "FULL"):
            out.add(join.this.alias_or_name)
        if join.side in ("RIGHT", "FULL") and select is not None:
            from_ = select.args.get("from") or select.args.get("from_")
            if from_ is not None:
                out.add(from_.this.alias_or_name)
    return out


def _not_null_filters(
    tree: exp.Expr, lineage_of: Callable[[exp.Column], set[str]]
) -> frozenset[str]:
    """`table.column` names the outermost WHERE requires to be NOT NULL (AND-ed terms)."""
    where = tree.args.get("where") if isinstance(tree, exp.Select) else None
    if where is None:
        return frozenset()
    found: set[str] = set()
    for term in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        if isinstance(term, exp.Not) and isinstance(term.this, exp.Is):
            col = term.this.this
            if isinstance(col, exp.Column) and isinstance(term.this.expression, exp.Null):
                found |= lineage_of(col)
    return frozenset(found)


_NULL_SAFE = (exp.Count, exp.Literal, exp.Boolean, exp.CurrentTimestamp, exp.CurrentDate)


def _nullable(
    proj: exp.Expr, lineage: set[str], not_null: frozenset[str], outer_sources: set[str]
) -> bool:
    """`outer_sources`: the null-supplying outer-join sources the projection reads."""
    expr = proj.this if isinstance(proj, exp.Alias) else proj
    if isinstance(expr, _NULL_SAFE) and not isinstance(expr, exp.Null):
        return False
    if isinstance(expr, exp.Coalesce) and isinstance(
        (expr.expressions or [expr.this])[-1], exp.Literal
    ):
        return False
    if expr.find(exp.Null) is not None or (
        isinstance(expr, exp.Case) and not expr.args.get("default")
    ):
        return True
    if outer_sources or any(_may_give_null(node) for node in expr.walk()):
        return True
    return not lineage <= not_null


def _may_give_null(node: exp.Expr) -> bool:
    """A NULL from non-NULL inputs: division by zero, a CAST Spark calls nullable."""
    if isinstance(node, exp.Div | exp.Mod | exp.IntDiv):
        return True
    if not isinstance(node, exp.Cast):
        return False
    if isinstance(node, exp.TryCast) and isinstance(node.this, exp.Literal):
        return False  # `1L`, `1.0BD`: a literal with a type suffix
    source, target = _type_of(node.this), _type_of(node)
    return source is None or target is None or cast_may_be_null(source, target)


_T = exp.DataType.Type
#: parameterless types, mapped without running the SQL generator (it dominates otherwise)
_SIMPLE_TYPES = {
    _T.TEXT: "string",
    _T.VARCHAR: "string",
    _T.BOOLEAN: "boolean",
    _T.TINYINT: "tinyint",
    _T.SMALLINT: "smallint",
    _T.INT: "int",
    _T.BIGINT: "bigint",
    _T.FLOAT: "float",
    _T.DOUBLE: "double",
    _T.DATE: "date",
    _T.TIMESTAMP: "timestamp",
    _T.TIMESTAMPTZ: "timestamp",
    _T.TIMESTAMPLTZ: "timestamp",
    _T.TIMESTAMPNTZ: "timestamp_ntz",
    _T.BINARY: "binary",
}


def _type_of(proj: exp.Expr) -> str | None:
    dtype = proj.type
    if dtype is None or dtype.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    try:
        simple = _SIMPLE_TYPES.get(dtype.this)
        if simple is not None and not dtype.expressions:
            return simple
        decimal = _decimal(dtype)
        return decimal if decimal is not None else normalize_type(dtype.sql(dialect=SPARK))
    except TypeSyntaxError:
        return None


def _decimal(dtype: exp.DataType) -> str | None:
    """`decimal(p,s)` read from the node (the SQL generator costs ~0.2 ms a call), checked by
    `normalize_type` like every other type (TypeSyntaxError for an invalid p or s)."""
    if dtype.this != _T.DECIMAL:
        return None
    params = [p.this for p in dtype.expressions if isinstance(p, exp.DataTypeParam)]
    if len(params) != 2 or not all(isinstance(v, exp.Literal) for v in params):
        return None
    precision, scale = (str(v.this) for v in params)
    if not (precision.isdigit() and scale.isdigit()):
        return None
    return normalize_type(f"decimal({int(precision)},{int(scale)})")


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

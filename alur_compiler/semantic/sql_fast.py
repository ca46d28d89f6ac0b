"""A fast path of `sql_analyze.analyze` for the common shape of pipeline SQL.

sqlglot's `qualify` and `annotate_types` rewrite and type the whole tree: about 1.5 ms per
pipeline, most of a cold compile. Most pipeline SQL is simple (SELECTs with CTEs, joins,
derived tables, window functions; every column of a known source), and for that shape
this module resolves the columns itself with dictionaries, then asks sqlglot's own type
annotator to type only the projections (columns pre-typed, no scope traversal), so the
types follow exactly sqlglot's rules.

`*` and `t.*` projections are expanded as sqlglot's `qualify` expands them (every source
in FROM/JOIN order, each one's columns in order; `t.*` those of `t`): the dbt idiom
`SELECT * FROM final` through several CTEs stays on the fast path. The outermost SELECT
may hold one star item (positions of its expanded columns follow `sql_positions.assign`).

It answers only when it is sure; anything else returns None and the full analysis runs:
set operations, several `*` items in the outermost SELECT, stars with EXCEPT/REPLACE,
USING/NATURAL joins, LATERAL VIEW, PIVOT, subqueries in
expressions, identifiers with capitals, duplicate output names, and every column that is
unknown, ambiguous or not a source column (an alias reference). Diagnostics therefore
always come from the full analysis. tests/unit/test_sql_fast.py checks that both agree on
every example, spec and benchmark pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlglot import exp
from sqlglot.optimizer.annotate_types import TypeAnnotator

from alur_compiler.semantic.sql_nulls import (
    NOT_NULL,
    NULLABLE,
    UNKNOWN,
    Nulls,
    filtered,
    outer_aliases,
    output,
)
from alur_compiler.semantic.sql_parse import SPARK
from alur_compiler.semantic.sql_types import retype


class _Unsupported(Exception):
    """The query is outside the fast path: let the full analysis run."""


@dataclass(frozen=True)
class Resolved:
    """A column of a source: its type, the physical `table.column`s it derives from, and
    its nullability (sql_nulls)."""

    type: exp.DataType | None
    lineage: frozenset[str]
    nulls: Nulls = UNKNOWN


@dataclass
class Select:
    """The outputs of one SELECT and what its outermost scope resolved."""

    outputs: dict[str, Resolved]
    #: id(column node) -> (source alias, resolved) for every column of this SELECT
    columns: dict[int, tuple[str, Resolved]]
    #: the projections with every star expanded (typed `alias.column AS column` nodes)
    projections: list[exp.Expr]


#: SELECT arguments the fast path understands (any other one, when set, means "unsupported")
_KNOWN_ARGS = frozenset(
    {"expressions", "from_", "joins", "where", "group", "having", "order", "limit", "with_"}
)
_IGNORED_ARGS = frozenset({"distinct"})  # DISTINCT changes no column's type or nullability


@cache
def _dtype(spark_type: str) -> exp.DataType:
    """The sqlglot DataType of a contract type (parsed once per distinct type string)."""
    return exp.DataType.build(spark_type, dialect=SPARK)


class FastAnalyzer:
    """Resolve and type one parsed query against `tables` (table -> column -> Spark type)."""

    def __init__(
        self,
        tables: dict[str, dict[str, str]],
        schema: Any,
        not_null: frozenset[str] = frozenset(),
    ) -> None:
        self.tables = tables
        self.not_null = not_null
        self.annotator = TypeAnnotator(schema=schema, overwrite_types=False)

    def query(self, tree: exp.Expr) -> Select | None:
        try:
            _check_identifiers(tree)
            if not isinstance(tree, exp.Select):
                raise _Unsupported
            if sum(1 for p in tree.expressions if _is_star(p)) > 1:
                raise _Unsupported
            return self._select(tree, {})
        except _Unsupported:
            return None

    def _select(self, select: exp.Select, ctes: dict[str, dict[str, Resolved]]) -> Select:
        for key, value in select.args.items():
            if value and key not in _KNOWN_ARGS and key not in _IGNORED_ARGS:
                raise _Unsupported
        with_ = select.args.get("with_")
        if with_ is not None:
            ctes = dict(ctes)
            if with_.args.get("recursive"):
                raise _Unsupported
            for cte in with_.expressions:
                inner = cte.this
                if not isinstance(inner, exp.Select) or cte.args.get("columns"):
                    raise _Unsupported
                ctes[cte.alias_or_name] = self._select(inner, ctes).outputs
        sources = self._sources(select, ctes)
        columns = self._resolve_columns(select, sources)
        projections = _expand_stars(select, sources, columns)
        outer = outer_aliases(select)
        proven = {(columns[id(c)][0], c.name) for c in filtered(select)}

        def nulls(col: exp.Column) -> Nulls:
            alias, found = columns[id(col)]
            result = UNKNOWN if alias in outer else found.nulls
            return Nulls(result.nullable, True) if (alias, col.name) in proven else result

        outputs: dict[str, Resolved] = {}
        for proj in projections:
            name = _output_name(proj)
            if name in outputs:
                raise _Unsupported
            for col in proj.find_all(exp.Column):
                col.type = columns[id(col)][1].type
            self.annotator.annotate(proj, annotate_scope=False)
            retype(proj)  # Spark's own numeric result types (sqlglot's differ)
            lineage = frozenset(
                up for col in proj.find_all(exp.Column) for up in columns[id(col)][1].lineage
            )
            outputs[name] = Resolved(proj.type, lineage, output(proj, nulls))
        return Select(outputs, columns, projections)

    def _sources(
        self, select: exp.Select, ctes: dict[str, dict[str, Resolved]]
    ) -> dict[str, dict[str, Resolved]]:
        from_ = select.args.get("from_")
        if from_ is None:
            raise _Unsupported
        items = [from_.this]
        for join in select.args.get("joins") or []:
            if join.args.get("using") or join.method or join.args.get("pivots"):
                raise _Unsupported
            items.append(join.this)
        sources: dict[str, dict[str, Resolved]] = {}
        for item in items:
            alias, columns = self._source(item, ctes)
            if alias in sources:
                raise _Unsupported
            sources[alias] = columns
        return sources

    def _source(
        self, item: exp.Expr, ctes: dict[str, dict[str, Resolved]]
    ) -> tuple[str, dict[str, Resolved]]:
        if item.args.get("pivots") or item.args.get("laterals"):
            raise _Unsupported
        alias_node = item.args.get("alias")
        if alias_node is not None and alias_node.args.get("columns"):
            raise _Unsupported
        if isinstance(item, exp.Table):
            name = item.name
            if not item.db and name in ctes:
                return item.alias_or_name, ctes[name]
            cols = self.tables.get(name)
            if cols is None or item.catalog:
                raise _Unsupported
            not_null = self.not_null
            return item.alias_or_name, {
                c: Resolved(
                    _dtype(t),
                    frozenset((f"{name}.{c}",)),
                    NOT_NULL if f"{name}.{c}" in not_null else NULLABLE,
                )
                for c, t in cols.items()
            }
        if isinstance(item, exp.Subquery) and isinstance(item.this, exp.Select) and item.alias:
            return item.alias, self._select(item.this, ctes).outputs
        raise _Unsupported

    def _resolve_columns(
        self, select: exp.Select, sources: dict[str, dict[str, Resolved]]
    ) -> dict[int, tuple[str, Resolved]]:
        """Every column of this SELECT's own scope, resolved to exactly one source column."""
        nested = {id(select.args.get("with_"))}
        nested.update(id(p) for p in select.expressions if _is_star(p))
        nested.update(id(j.this) for j in select.args.get("joins") or [])
        from_ = select.args.get("from_")
        nested.add(id(from_.this) if from_ is not None else 0)
        out: dict[int, tuple[str, Resolved]] = {}
        for node in select.walk(prune=lambda n: id(n) in nested):
            if id(node) in nested or node is select:
                continue
            if isinstance(node, exp.Query | exp.Subquery | exp.Lateral | exp.Unnest):
                raise _Unsupported  # a subquery inside an expression
            if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
                raise _Unsupported
            if isinstance(node, exp.Column):
                out[id(node)] = _resolve(node, sources)
        return out


def _is_star(proj: exp.Expr) -> bool:
    return isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and proj.is_star)


def _expand_stars(
    select: exp.Select,
    sources: dict[str, dict[str, Resolved]],
    columns: dict[int, tuple[str, Resolved]],
) -> list[exp.Expr]:
    """The projections with `*` / `t.*` replaced by new `t.c AS c` nodes (registered in
    `columns`); the parsed tree is left untouched, so a later decline costs nothing."""
    out: list[exp.Expr] = []
    for proj in select.expressions:
        if not _is_star(proj):
            out.append(proj)
            continue
        star = proj if isinstance(proj, exp.Star) else proj.this
        if not isinstance(star, exp.Star) or any(star.args.values()):
            raise _Unsupported  # EXCEPT / REPLACE / RENAME
        if isinstance(proj, exp.Column):
            if proj.args.get("db") or proj.args.get("catalog") or proj.table not in sources:
                raise _Unsupported
            chosen = [proj.table]
        else:
            chosen = list(sources)
        for alias in chosen:
            for name, found in sources[alias].items():
                col = exp.column(name, table=alias)
                columns[id(col)] = (alias, found)
                out.append(exp.alias_(col, name, copy=False))
    return out


def _resolve(col: exp.Column, sources: dict[str, dict[str, Resolved]]) -> tuple[str, Resolved]:
    if col.args.get("db") or col.args.get("catalog") or col.is_star:
        raise _Unsupported
    name = col.name
    if col.table:
        found = sources.get(col.table, {}).get(name)
        if found is None:
            raise _Unsupported
        return col.table, found
    owners = [alias for alias, cols in sources.items() if name in cols]
    if len(owners) != 1:
        raise _Unsupported  # unknown, ambiguous or an alias reference: the full path decides
    return owners[0], sources[owners[0]][name]


def _output_name(proj: exp.Expr) -> str:
    if isinstance(proj, exp.Alias) and not proj.args.get("columns"):
        return proj.alias
    if isinstance(proj, exp.Column) and not proj.is_star:
        return proj.name
    raise _Unsupported  # an unnamed expression: sqlglot would invent a name for it


def _check_identifiers(tree: exp.Expr) -> None:
    """Capitals need sqlglot's identifier normalisation: leave them to the full path."""
    for ident in tree.find_all(exp.Identifier):
        text = ident.this
        if not isinstance(text, str) or text != text.lower():
            raise _Unsupported

"""Why a column does not resolve, told with SQL's own scoping rules (AL403, AL404).

Runs only when sqlglot's `qualify` rejected a query, on a fresh parse of the text (qualify
rewrites the tree in place). Each scope of the query (the outer SELECT, every CTE, derived
table and subquery) sees the relations of its own FROM/JOIN: a CTE shadows a contract
table of the same name (sqlglot's `build_scope` maps such a reference to the CTE), a
derived table shows only its own output columns, and a subquery may also read its
enclosing scopes' relations (a correlated reference). A column is then:

- `r.c` with `r` not a relation in reach: "no relation 'r' here";
- `r.c` with `c` not a column of `r`: "relation 'r' (a CTE) has no column 'c'", and the
  hint lists what `r` has;
- `c` in no relation in reach: unknown, with the relations searched;
- `c` in several relations of the same scope: ambiguous, naming them.

When a relation's columns cannot be known (a table function, VALUES, LATERAL VIEW), the
resolver says nothing it cannot prove and the caller falls back to sqlglot's message.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.semantic.sql_parse import SqlProblem
from alur_compiler.semantic.sql_positions import Where, column_ref, extent

Source = exp.Expr | Scope
_SHOWN = 12  # columns listed in a message before "..."


def explain(tree: exp.Expr, tables: Mapping[str, Mapping[str, str]]) -> list[SqlProblem]:
    """Every unknown or ambiguous column of `tree` (unqualified, as parsed), in text order."""
    resolver = _Resolver(tables)
    problems: list[SqlProblem] = []
    for scope in traverse_scope(tree):
        for col in _own_columns(scope):
            problem = resolver.check(col, scope)
            if problem is not None:
                problems.append(problem)
    problems.sort(key=lambda p: p.offset)
    return problems


def _own_columns(scope: Scope) -> list[exp.Column]:
    """The column references written in this scope (not in a nested one), stars excluded."""
    return [
        node
        for node in scope.walk()
        if isinstance(node, exp.Column) and not node.is_star and isinstance(node.this, exp.Expr)
    ]


def series(names: list[str]) -> str:
    """'a and b both have it' / 'a, b and c all have it' (the subject part)."""
    if len(names) == 2:
        return f"{names[0]} and {names[1]} both"
    return ", ".join(names[:-1]) + f" and {names[-1]} all"


def listing(columns: list[str]) -> str:
    shown = ", ".join(columns[:_SHOWN])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > _SHOWN else "")


class _Resolver:
    def __init__(self, tables: Mapping[str, Mapping[str, str]]) -> None:
        self.tables = tables
        self._outputs: dict[int, list[str] | None] = {}

    def columns(self, alias: str, source: Source) -> list[str] | None:
        """The columns a relation offers (None when they cannot be known)."""
        named = _alias_columns(alias, source)
        if named is not None:
            return named
        if isinstance(source, exp.Table):
            cols = self.tables.get(source.name)
            return list(cols) if cols is not None else None
        if isinstance(source, Scope):
            return self.outputs(source)
        return None

    def outputs(self, scope: Scope) -> list[str] | None:
        key = id(scope)
        if key not in self._outputs:
            self._outputs[key] = None  # a cycle (recursive CTE) stays unknown
            self._outputs[key] = self._compute_outputs(scope)
        return self._outputs[key]

    def _compute_outputs(self, scope: Scope) -> list[str] | None:
        if scope.set_operation_scopes:
            return self.outputs(scope.set_operation_scopes[0])
        query = scope.expression
        if not isinstance(query, exp.Select):
            return None
        out: list[str] = []
        for proj in query.selects:
            star = proj.is_star if isinstance(proj, exp.Column) else isinstance(proj, exp.Star)
            if not star:
                out.append(proj.alias_or_name)
                continue
            table = proj.table if isinstance(proj, exp.Column) else ""
            for alias, source in scope.selected_sources.items():
                if table and alias != table:
                    continue
                cols = self.columns(alias, source[1])
                if cols is None:
                    return None
                out.extend(cols)
        return out

    def check(self, col: exp.Column, scope: Scope) -> SqlProblem | None:
        if col.args.get("db") or col.args.get("catalog"):
            return None
        where = column_ref(col) or Where(0)
        if col.table:
            return self._qualified(col, scope, where)
        return self._unqualified(col, scope, where)

    def _reach(self, scope: Scope) -> list[dict[str, Source]]:
        """The relations in reach, innermost scope first (outer ones for a subquery)."""
        levels: list[dict[str, Source]] = []
        current: Scope | None = scope
        while current is not None:
            levels.append({a: s[1] for a, s in current.selected_sources.items()})
            if current.scope_type is not ScopeType.SUBQUERY:
                break
            current = current.parent
        return levels

    def _qualified(self, col: exp.Column, scope: Scope, where: Where) -> SqlProblem | None:
        for level in self._reach(scope):
            if col.table in level:
                source = level[col.table]
                cols = self.columns(col.table, source)
                if cols is None or col.name in cols:
                    return None
                at = extent(col.this) or where
                return SqlProblem(
                    codes.SQL_UNKNOWN_COLUMN,
                    f"relation '{col.table}' ({_kind(col.table, source)}) has no column "
                    f"'{col.name}'{suggestion_suffix(col.name, cols)}",
                    at.offset,
                    at.length,
                    hint=f"'{col.table}' has: {listing(cols)}",
                )
        seen = sorted({a for level in self._reach(scope) for a in level})
        renamed = [a for level in self._reach(scope) for a in _aliases_of(level, col.table)]
        if renamed:
            return SqlProblem(
                codes.SQL_UNKNOWN_COLUMN,
                f"'{col.table}.{col.name}': table '{col.table}' is read as '{renamed[0]}' "
                "here, and an alias hides the table's own name",
                where.offset,
                where.length,
                hint=f"write {renamed[0]}.{col.name}",
            )
        return SqlProblem(
            codes.SQL_UNKNOWN_COLUMN,
            f"'{col.table}.{col.name}': no relation '{col.table}' in this query"
            f"{suggestion_suffix(col.table, seen)}",
            where.offset,
            where.length,
            hint="the relations here: " + (", ".join(seen) or "none"),
        )

    def _unqualified(self, col: exp.Column, scope: Scope, where: Where) -> SqlProblem | None:
        name = col.name
        searched: list[tuple[str, Source, list[str]]] = []
        for level in self._reach(scope):
            owners: list[str] = []
            for alias, source in level.items():
                cols = self.columns(alias, source)
                if cols is None:
                    return None  # a relation we cannot see into might have it
                searched.append((alias, source, cols))
                owners += [alias] if name in cols else []
            if len(owners) == 1:
                return None
            if len(owners) > 1:
                return SqlProblem(
                    codes.SQL_AMBIGUOUS_COLUMN,
                    f"column '{name}' is ambiguous: {series(owners)} have it",
                    where.offset,
                    where.length,
                    hint=f"qualify it with the relation it comes from, e.g. {owners[0]}.{name}",
                )
        if name in _select_aliases(scope):
            return None  # a reference to an output alias (ORDER BY, GROUP BY, HAVING)
        known = sorted({c for _, _, cols in searched for c in cols})
        where_from = "; ".join(
            f"'{alias}' ({_kind(alias, source)}): {listing(cols)}"
            for alias, source, cols in searched
        )
        return SqlProblem(
            codes.SQL_UNKNOWN_COLUMN,
            f"unknown column '{name}'{suggestion_suffix(name, known)}",
            where.offset,
            where.length,
            hint=f"searched {where_from}" if searched else "the query reads no relation here",
        )


def _kind(alias: str, source: Source) -> str:
    if isinstance(source, exp.Table):
        return "a table" if source.name == alias else f"table '{source.name}'"
    if isinstance(source, Scope) and source.is_cte:
        return "a CTE"
    return "a subquery"


def _alias_columns(alias: str, source: Source) -> list[str] | None:
    """Column names given with the alias: `t AS x(a, b)`, `cte(a, b) AS (...)`."""
    node = source.expression.parent if isinstance(source, Scope) else source
    table_alias = node.args.get("alias") if isinstance(node, exp.Expr) else None
    if isinstance(table_alias, exp.TableAlias) and table_alias.columns:
        return [c.name for c in table_alias.columns]
    return None


def _aliases_of(level: Mapping[str, Source], table: str) -> list[str]:
    """The aliases under which contract table `table` is read at this level."""
    return [a for a, s in level.items() if isinstance(s, exp.Table) and s.name == table]


def _select_aliases(scope: Scope) -> set[str]:
    query = scope.expression
    if not isinstance(query, exp.Select):
        return set()
    return {p.alias for p in query.selects if isinstance(p, exp.Alias)}

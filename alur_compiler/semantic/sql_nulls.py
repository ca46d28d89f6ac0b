"""Nullability of SQL values as Spark 3.5 computes it, scope by scope.

A value's nullability has two parts, as in Spark:

- the analyzer's (`Expression.nullable`): a column is nullable as its source says (a
  contract's `nullable`, a CTE's or derived table's output, any column of an outer join's
  null-supplying side); literals are NOT NULL except NULL; `+ - *` are nullable when an
  operand is, and always on decimals (an overflow gives NULL); `/ % div` always (division
  by zero); CAST when its operand is or when Spark's `Cast.forceNullable` says the cast can
  fail (`types.cast_may_be_null`); a typed literal (`DATE'2024-01-01'`) never; TRY_CAST
  always; COALESCE, GREATEST, LEAST only when every argument is; CASE when a branch is or
  there is no ELSE; IF when a branch is; comparisons, AND/OR/NOT, LIKE, IN lists, BETWEEN
  and the string functions below when an argument is; IS [NOT] NULL, `<=>`, COUNT,
  collect_list/collect_set, approx_count_distinct, ROW_NUMBER/RANK/DENSE_RANK never; other
  aggregates (SUM, AVG, MIN, MAX, FIRST...) always, with or without GROUP BY; a scalar
  subquery always; every function not listed here always (alurc would rather warn);
- one addition: a column its scope's WHERE requires `IS NOT NULL` (an AND-ed term) is
  NOT NULL in that scope, as if its source declared it so, and so is everything computed
  from it that Spark calls NOT NULL for NOT NULL inputs (`trim(x)`, `x + 1`, a CTE's column
  read later). No row where it is NULL reaches the output. Spark's analyzer keeps such a
  column nullable (its optimizer records `isnotnull(x)` only as a plan constraint); the
  written rows are what matters for a NOT NULL contract.

tests/integration/test_sql_analyzer_oracle.py compares this with Spark's analyzer; for the
WHERE rule, on the same query with each filtered column read as `coalesce(x, <a literal of
its type>)` in its scope (equal for every row the filter passes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from alur_compiler.semantic.sql_typenames import type_of
from alur_compiler.semantic.sql_types import num_of
from alur_compiler.semantic.types import cast_may_be_null


@dataclass(frozen=True)
class Nulls:
    """A column's nullability: the analyzer's, and whether its scope's WHERE makes it NOT
    NULL (`x IS NOT NULL`)."""

    nullable: bool = True
    proven: bool = False

    @property
    def may_be_null(self) -> bool:
        return self.nullable and not self.proven


UNKNOWN = NULLABLE = Nulls()
NOT_NULL = Nulls(nullable=False)

_NEVER = (
    exp.Count, exp.Literal, exp.Boolean, exp.CurrentTimestamp, exp.CurrentDate, exp.Is,
    exp.NullSafeEQ, exp.ArrayAgg, exp.ArrayUniqueAgg, exp.ApproxDistinct, exp.RowNumber,
    exp.Rank, exp.DenseRank, exp.Uuid,
)  # fmt: skip
#: nullable exactly when an argument is (measured on Spark 3.5)
_PROPAGATE = (
    exp.Paren, exp.Alias, exp.Neg, exp.Not, exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT,
    exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.Between, exp.BitwiseAnd,
    exp.BitwiseOr, exp.BitwiseXor, exp.Upper, exp.Lower, exp.Length, exp.Concat, exp.Trim,
    exp.Abs, exp.Substring, exp.ConcatWs, exp.MD5, exp.StrPosition, exp.Left, exp.Pad,
    exp.Initcap, exp.Reverse, exp.Replace, exp.RegexpReplace, exp.RegexpSplit, exp.Array,
    exp.ArraySize, exp.Distinct,
)  # fmt: skip
_ALL_OF = (exp.Coalesce, exp.Greatest, exp.Least)  # NULL only when every argument is
_ARITH = (exp.Add, exp.Sub, exp.Mul)
_ALWAYS = (exp.Div, exp.Mod, exp.IntDiv, exp.Null, exp.Nullif, exp.Query, exp.Subquery)


def nullable(node: exp.Expr, column: Callable[[exp.Column], bool]) -> bool:
    """Spark's analyzer nullability of `node`; `column(c)` gives a column reference's."""
    if isinstance(node, exp.Column):
        return column(node)
    if isinstance(node, _ALWAYS):
        return True
    if isinstance(node, _NEVER):
        return False
    if isinstance(node, exp.Window):
        return nullable(node.this, column)
    if isinstance(node, exp.In):
        if node.args.get("query") is not None:
            return True
        return any(nullable(c, column) for c in node.iter_expressions())
    if isinstance(node, _PROPAGATE):
        return any(nullable(c, column) for c in node.iter_expressions())
    if isinstance(node, _ARITH):
        decimal = not isinstance(num_of(node.type), str | None)  # overflow gives NULL
        return decimal or nullable(node.left, column) or nullable(node.right, column)
    if isinstance(node, _ALL_OF):
        return all(nullable(c, column) for c in [node.this, *node.expressions])
    if isinstance(node, exp.Case):
        default = node.args.get("default")
        values = [i.args.get("true") for i in node.args.get("ifs") or []]
        return default is None or any(nullable(v, column) for v in [*values, default] if v)
    if isinstance(node, exp.If):
        branches = [node.args.get("true"), node.args.get("false")]
        return any(b is None or nullable(b, column) for b in branches)
    if isinstance(node, exp.Cast):
        return _cast(node, column)
    return True  # a function alurc does not model: it may be NULL


def _cast(node: exp.Cast, column: Callable[[exp.Column], bool]) -> bool:
    inner = node.this
    if isinstance(inner, exp.Literal):
        if not isinstance(node, exp.TryCast) and inner.is_string:
            return False  # DATE'2024-01-01': a typed literal, checked when parsed
        if isinstance(node, exp.TryCast) and "safe" not in node.args:
            return False  # `1L`, `1.00BD`: a literal with a type suffix (no CAST arguments)
    if isinstance(node, exp.TryCast) and node.args.get("safe"):
        return True  # TRY_CAST
    if nullable(inner, column):
        return True
    source, target = type_of(inner), type_of(node)
    return source is None or target is None or cast_may_be_null(source, target)


def outer_aliases(select: exp.Select) -> set[str]:
    """The FROM aliases on the null-supplying side of the SELECT's outer joins."""
    from_ = select.args.get("from_")
    seen = [from_.this.alias_or_name] if from_ is not None else []
    out: set[str] = set()
    for join in select.args.get("joins") or []:
        alias = join.this.alias_or_name
        if join.side in ("LEFT", "FULL"):
            out.add(alias)
        if join.side in ("RIGHT", "FULL"):
            out.update(seen)
        seen.append(alias)
    return out


def filtered(select: exp.Select) -> list[exp.Column]:
    """The columns the SELECT's WHERE requires to be NOT NULL (`x IS NOT NULL`, AND-ed)."""
    where = select.args.get("where")
    if where is None:
        return []
    cond = where.this
    terms = cond.flatten() if isinstance(cond, exp.And) else [cond]
    found = []
    for term in terms:
        while isinstance(term, exp.Paren):
            term = term.this
        if isinstance(term, exp.Not) and isinstance(term.this, exp.Is):
            col = term.this.this
            if isinstance(col, exp.Column) and isinstance(term.this.expression, exp.Null):
                found.append(col)
    return found


def output(proj: exp.Expr, column: Callable[[exp.Column], Nulls]) -> Nulls:
    """A projection's nullability; `column(c)` resolves a column reference, with `proven`
    set for one its scope's WHERE filters (see `filtered`)."""
    expr = proj.this if isinstance(proj, exp.Alias) else proj
    if isinstance(expr, exp.Column):
        return column(expr)
    return Nulls(nullable(expr, lambda c: column(c).may_be_null))


def query_nulls(tree: exp.Query, not_null: frozenset[str]) -> list[Nulls]:
    """The nullability of a qualified, typed query's outputs, computed scope by scope (CTEs,
    derived tables and set-operation branches first); `not_null`: the contracts' NOT NULL
    `table.column`s."""
    outputs: dict[int, list[tuple[str, Nulls]]] = {}
    last: list[tuple[str, Nulls]] = []
    for scope in traverse_scope(tree):
        if scope.set_operation_scopes:
            last = _set_operation([outputs.get(id(s), []) for s in scope.set_operation_scopes])
        elif isinstance(scope.expression, exp.Select):
            last = _select(scope, outputs, not_null)
        else:
            last = []
        outputs[id(scope)] = last
    return [n for _, n in last]


def _set_operation(branches: list[list[tuple[str, Nulls]]]) -> list[tuple[str, Nulls]]:
    """By position: nullable if any branch may be NULL."""
    first = branches[0] if branches else []
    out = []
    for i, (name, _) in enumerate(first):
        column = [b[i][1] if i < len(b) else UNKNOWN for b in branches]
        out.append((name, Nulls(any(n.may_be_null for n in column))))
    return out


def _select(
    scope: Scope, outputs: dict[int, list[tuple[str, Nulls]]], not_null: frozenset[str]
) -> list[tuple[str, Nulls]]:
    select = scope.expression
    assert isinstance(select, exp.Select)
    outer = outer_aliases(select)
    proven = {(c.table, c.name) for c in filtered(select)}
    by_name: dict[int, dict[str, Nulls]] = {}

    def column(col: exp.Column) -> Nulls:
        source = scope.sources.get(col.table)
        if col.table in outer:
            found = UNKNOWN
        elif isinstance(source, exp.Table):
            found = NULLABLE if f"{source.name}.{col.name}" not in not_null else NOT_NULL
        elif isinstance(source, Scope):
            if id(source) not in by_name:
                by_name[id(source)] = dict(outputs.get(id(source), []))
            found = by_name[id(source)].get(col.name, UNKNOWN)
        else:
            found = UNKNOWN  # a correlated reference: not modelled
        return Nulls(found.nullable, True) if (col.table, col.name) in proven else found

    return [(p.alias_or_name, output(p, column)) for p in select.selects]

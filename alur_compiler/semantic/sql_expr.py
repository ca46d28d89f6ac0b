"""Where SQL offsets point in the YAML (SqlLocator), and the row-expression rule (AL401-AL403).

A row expression is a check's `sql:` or a merge's `delete_when:`: one boolean SQL
expression over the columns of one row (one statement, no query, no aggregate, window or
generator). Spark's parser is the oracle: tests/integration/test_row_expression_oracle.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, TokenError

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.sql_parse import SPARK, line_col, offset_of


@dataclass
class SqlLocator:
    """Maps offsets inside a SQL text back to the YAML scalar or the .sql file it came from."""

    doc: SourceDoc
    ptr: str
    file: str | None = None  # set when the SQL lives in its own file
    text: str | None = None

    def span(self, line: int, col: int, length: int = 1) -> Span:
        if self.file is not None:
            return Span(self.file, line, col, line, col + length - 1, source=self.text)
        return self.doc.span_in_scalar(self.ptr, line, col, length)

    def sql(self) -> str:
        """The SQL text the offsets index."""
        return self.text if self.text is not None else str(_value(self.doc, self.ptr))

    def at(self, offset: int, length: int = 1) -> Span:
        line, col = line_col(self.sql(), offset)
        return self.span(line, col, length)


def _value(doc: SourceDoc, ptr: str) -> object:
    node: object = doc.data
    for part in ptr.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    return node


#: what a row test can never be: a value that is not TRUE/FALSE/NULL
_NON_BOOLEAN: tuple[tuple[tuple[type[exp.Expr], ...], str], ...] = (
    (
        (
            exp.Add,
            exp.Sub,
            exp.Mul,
            exp.Div,
            exp.IntDiv,
            exp.Mod,
            exp.Neg,
            exp.BitwiseAnd,
            exp.BitwiseOr,
            exp.BitwiseXor,
            exp.BitwiseNot,
            exp.BitwiseLeftShift,
            exp.BitwiseRightShift,
        ),
        "a number",
    ),
    ((exp.DPipe,), "a string"),
    ((exp.Interval,), "an interval"),
    ((exp.Array,), "an array"),
    ((exp.Struct,), "a struct"),
    ((exp.Star,), "'*'"),
)
#: evaluated per row inside count_if(...) by alur_runtime: no aggregate, window or generator
_NOT_ROW_WISE: tuple[tuple[type[exp.Expr], str], ...] = (
    (exp.Window, "a window function"),
    (exp.AggFunc, "an aggregate function"),
    (exp.Explode, "a generator function"),
    (exp.Inline, "a generator function"),
)


def check_row_expression(
    sql: str, columns: Collection[str], loc: SqlLocator, diags: Diagnostics
) -> bool:
    """One boolean SQL expression over one row: one statement, no query, no aggregate /
    window / generator, not decidably non-boolean, and names only known columns.

    Comments are allowed: the generated SQL is `render_row_expression(sql)`, which drops
    them. `columns` may map names to normalised types; a bare column of a known non-boolean
    type is then rejected too.
    """
    text = loc.text if loc.text is not None else sql
    loc = SqlLocator(loc.doc, loc.ptr, loc.file, text)
    try:
        trees = sqlglot.parse(sql, read=SPARK)
        tokens = SPARK.tokenize(sql)
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        line, col = int(errors[0].get("line") or 1), int(errors[0].get("col") or 1)
        diags.report(
            codes.SQL_SYNTAX,
            f"SQL syntax error in expression: {str(exc).splitlines()[0][:120]}",
            loc.span(line, col),
        )
        return False
    semicolon = next((t for t in tokens if t.token_type is TokenType.SEMICOLON), None)
    if semicolon is not None:
        diags.report(
            codes.SQL_NOT_ROW_EXPRESSION,
            "expected one boolean expression: ';' separates statements"
            + (" (a second statement follows)" if len(trees) > 1 and trees[1] else ""),
            loc.at(semicolon.start),
            hint="write a single expression without ';', e.g. amount >= 0 AND status <> 'void'",
        )
        return False
    tree = trees[0] if trees else None
    if tree is None:
        diags.report(
            codes.SQL_NOT_ROW_EXPRESSION,
            "expected one boolean expression, found none (only comments or blanks)",
            loc.at(0),
            hint="e.g. amount >= 0 AND status <> 'void'",
        )
        return False
    if isinstance(tree, exp.Query) or tree.find(exp.Select):
        diags.report(
            codes.SQL_NOT_SELECT,
            "expected a boolean expression, not a query",
            loc.at(0),
            hint="e.g. amount >= 0 AND status <> 'void'",
        )
        return False
    if not _row_wise(tree, loc, diags) or not _maybe_boolean(tree, columns, loc, diags):
        return False
    ok = True
    for ref in tree.find_all(exp.Column):
        if ref.name not in columns:
            diags.report(
                codes.SQL_UNKNOWN_COLUMN,
                f"unknown column '{ref.name}'{suggestion_suffix(ref.name, columns)}",
                loc.at(offset_of(ref), len(ref.name)),
            )
            ok = False
    return ok


def _row_wise(tree: exp.Expr, loc: SqlLocator, diags: Diagnostics) -> bool:
    for kind, what in _NOT_ROW_WISE:
        node = tree.find(kind)
        if node is not None:
            diags.report(
                codes.SQL_NOT_ROW_EXPRESSION,
                f"{what} cannot be evaluated on one row: {node.sql(SPARK)[:60]}",
                loc.at(offset_of(node)),
                hint="a row expression tests the columns of one row; use a table-level check",
            )
            return False
    return True


def _maybe_boolean(
    tree: exp.Expr, columns: Collection[str], loc: SqlLocator, diags: Diagnostics
) -> bool:
    top = tree
    while isinstance(top, exp.Paren):
        top = top.this
    what = _non_boolean(top, columns)
    if what is None:
        return True
    diags.report(
        codes.SQL_NOT_ROW_EXPRESSION,
        f"expected a boolean expression, found {what}",
        loc.at(offset_of(top)),
        hint="compare it: e.g. amount >= 0, status = 'ok', flag IS TRUE",
    )
    return False


def _non_boolean(top: exp.Expr, columns: Collection[str]) -> str | None:
    """What `top` is when it is decidably not a boolean (None: boolean or undecided)."""
    if isinstance(top, exp.Boolean | exp.Null):
        return None
    if isinstance(top, exp.Alias):
        return f"an alias ('AS {top.alias}')"
    if isinstance(top, exp.Literal):
        return "a string literal" if top.is_string else "a number"
    for kinds, what in _NON_BOOLEAN:
        if isinstance(top, kinds):
            return f"{what} ({top.sql(SPARK)[:60]})"
    if isinstance(top, exp.Cast) and not top.to.is_type(exp.DataType.Type.BOOLEAN):
        return f"a cast to {top.to.sql(SPARK)}"
    if isinstance(top, exp.Column) and isinstance(columns, Mapping):
        ctype = columns.get(top.name)
        if isinstance(ctype, str) and ctype != "boolean":
            return f"column '{top.name}' of type {ctype}"
    return None


def render_row_expression(sql: str) -> str:
    """The SQL that runs for an accepted row expression: re-rendered, without comments."""
    return sqlglot.parse_one(sql, read=SPARK).sql(dialect=SPARK, comments=False)

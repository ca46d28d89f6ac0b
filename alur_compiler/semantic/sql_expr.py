"""Where SQL offsets point in the YAML (SqlLocator), and the row-expression rule (AL401-AL403).

A row expression is a check's `sql:` or a merge's `delete_when:`: one boolean SQL
expression over the columns of one row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
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
            return Span(self.file, line, col, line, col + length - 1)
        return self.doc.span_in_scalar(self.ptr, line, col, length)

    def at(self, offset: int, length: int = 1) -> Span:
        text = self.text if self.text is not None else str(_value(self.doc, self.ptr))
        line, col = line_col(text, offset)
        return self.span(line, col, length)


def _value(doc: SourceDoc, ptr: str) -> object:
    node: object = doc.data
    for part in ptr.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    return node


def check_row_expression(
    sql: str, columns: Collection[str], loc: SqlLocator, diags: Diagnostics
) -> bool:
    """A boolean SQL expression over one row: parses, and names only known columns."""
    try:
        tree = sqlglot.parse_one(sql, read=SPARK)
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        line, col = int(errors[0].get("line") or 1), int(errors[0].get("col") or 1)
        diags.report(
            codes.SQL_SYNTAX,
            f"SQL syntax error in expression: {str(exc).splitlines()[0][:120]}",
            loc.span(line, col),
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

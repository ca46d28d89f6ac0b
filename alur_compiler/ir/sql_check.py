"""Compare a pipeline's inferred output with its target contract; check SQL expressions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir.nodes import Column, Table
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.sql_analyze import OutputColumn
from alur_compiler.semantic.sql_parse import SPARK, line_col, offset_of
from alur_compiler.semantic.types import category


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


def check_output(
    outputs: list[OutputColumn],
    target: Table,
    tables: dict[str, Table],
    loc: SqlLocator,
    diags: Diagnostics,
) -> None:
    """Missing/extra columns, incompatible types and nullable-into-NOT-NULL (AL405-AL408)."""
    wanted = {c.name: c for c in target.columns}
    seen: dict[str, OutputColumn] = {}
    for out in outputs:
        if out.name in seen:
            diags.report(
                codes.SQL_EXTRA_COLUMN,
                f"column '{out.name}' is selected twice",
                loc.at(out.offset, len(out.name)),
                hint="alias one of them",
            )
            continue
        seen[out.name] = out
        col = wanted.get(out.name)
        if col is None:
            missing = [n for n in wanted if n not in {o.name for o in outputs}]
            diags.report(
                codes.SQL_EXTRA_COLUMN,
                f"the SQL returns '{out.name}', which target "
                f"'{target.name}' does not have{suggestion_suffix(out.name, missing)}",
                loc.at(out.offset, len(out.name)),
                hint="add the column to the contract, or drop/rename it in the SELECT",
            )
            continue
        _check_type(out, col, target, loc, diags)
    for name, col in wanted.items():
        if name not in seen:
            diags.report(
                codes.SQL_MISSING_COLUMN,
                f"target '{target.name}' has column '{name}' "
                f"({col.type}) that the SQL does not return",
                loc.at(0, 6),
                hint=f"add `... AS {name}` to the SELECT",
            )


def _check_type(
    out: OutputColumn, col: Column, target: Table, loc: SqlLocator, diags: Diagnostics
) -> None:
    if (
        out.type is not None
        and category(out.type) != category(col.type)
        and not _castable(out.type, col.type)
    ):
        diags.report(
            codes.SQL_TYPE_MISMATCH,
            f"'{out.name}' is {out.type} in the SQL but {col.type} in '{target.name}'",
            loc.at(out.offset, len(out.name)),
            hint=f"CAST(... AS {col.type}) in the SELECT, or change the contract",
        )
    if not col.nullable and out.nullable:
        diags.report(
            codes.SQL_NULLABILITY,
            f"'{out.name}' can be NULL here but is NOT NULL in '{target.name}'",
            loc.at(out.offset, len(out.name)),
            hint=f"filter with WHERE ... IS NOT NULL, use coalesce(), or declare "
            f"'{out.name}' nullable",
        )


def _castable(source: str, target: str) -> bool:
    """Store-assignment casts Spark performs safely (e.g. date -> timestamp)."""
    return {category(source), category(target)} <= {"datetime"}


def check_row_expression(
    sql: str, columns: dict[str, Column] | tuple[str, ...], loc: SqlLocator, diags: Diagnostics
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

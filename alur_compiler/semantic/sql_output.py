"""A pipeline's inferred output against its target contract (AL405-AL408).

Reads the target table the builder made (ir.Table) through the protocols below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.semantic.sql_analyze import OutputColumn
from alur_compiler.semantic.sql_expr import SqlLocator
from alur_compiler.semantic.sql_positions import select_keyword
from alur_compiler.semantic.types import narrowing


class ColumnView(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def nullable(self) -> bool: ...


class TargetView(Protocol):
    """What the rules read of an ir.Table."""

    @property
    def name(self) -> str: ...
    @property
    def columns(self) -> Sequence[ColumnView]: ...


def check_output(
    outputs: list[OutputColumn],
    target: TargetView,
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
                loc.at(out.offset, out.length),
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
                loc.at(out.offset, out.length),
                hint="add the column to the contract, or drop/rename it in the SELECT",
            )
            continue
        _check_type(out, col, target, loc, diags)
    select = None
    first = min((o.offset for o in outputs), default=0)
    for name, col in wanted.items():
        if name not in seen:
            select = select or select_keyword(loc.sql(), first)
            diags.report(
                codes.SQL_MISSING_COLUMN,
                f"target '{target.name}' has column '{name}' "
                f"({col.type}) that the SQL does not return",
                loc.at(select.offset, select.length),
                hint=f"add `... AS {name}` to the SELECT",
            )


def _check_type(
    out: OutputColumn, col: ColumnView, target: TargetView, loc: SqlLocator, diags: Diagnostics
) -> None:
    reason = narrowing(out.type, col.type) if out.type is not None else None
    if reason is not None:
        diags.report(
            codes.SQL_TYPE_MISMATCH,
            f"'{out.name}' is {out.type} in the SQL but {col.type} in '{target.name}': {reason}",
            loc.at(out.offset, out.length),
            hint=f"CAST(... AS {col.type}) in the SELECT to convert on purpose, or give "
            f"'{out.name}' type {out.type} in the contract",
        )
    if not col.nullable and out.nullable:
        diags.report(
            codes.SQL_NULLABILITY,
            f"'{out.name}' can be NULL here but is NOT NULL in '{target.name}'",
            loc.at(out.offset, out.length),
            hint=f"filter with WHERE ... IS NOT NULL, use coalesce(), or declare "
            f"'{out.name}' nullable",
        )

"""Data-quality check rules (AL304, AL310, AL401-AL411 for `sql` and `where`), one function
per rule, in CHECK_RULES.

A check is judged against the columns (name -> normalised type) of the table it checks: a
contract's own columns, or a pipeline target's. `check_list` runs the rules over the checks
listed at a JSON pointer and returns the accepted ones with their unique names; the builder
(ir/build_checks.py) builds exactly those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.java_regex import java_regex_error
from alur_compiler.semantic.sql_expr import SqlLocator, check_row_expression
from alur_compiler.semantic.types import category

#: checks that judge the table as a whole (ir.nodes.TABLE_LEVEL_CHECKS): they never drop rows
TABLE_LEVEL = frozenset({"row_count_between", "freshness", "relationship"})
#: the column categories a column check needs
_NEEDS = {
    "regex": ("string",),
    "length_between": ("string",),
    "freshness": ("datetime",),
    "between": ("numeric", "datetime", "string"),
}


@dataclass
class CheckSpec:
    """One check document being judged; `ok` turns False once a rule rejected it."""

    doc: SourceDoc
    ptr: str
    spec: dict[str, Any]
    columns: Mapping[str, str]  # name -> normalised type
    ok: bool = True

    @property
    def kind(self) -> str:
        return str(self.spec["type"])

    @property
    def checked_columns(self) -> tuple[str, ...]:
        spec = self.spec
        return tuple(spec.get("columns") or ([spec["column"]] if "column" in spec else []))


def default_name(spec: dict[str, Any]) -> str:
    kind = str(spec["type"])
    cols = spec.get("columns") or ([spec["column"]] if "column" in spec else [])
    return "_".join([kind, *map(str, cols)])


def table_checks_keep_rows(c: CheckSpec, diags: Diagnostics) -> bool:
    action = str(c.spec.get("action", "fail"))
    if c.kind in TABLE_LEVEL and action in ("drop", "quarantine"):
        diags.report(
            codes.CHECK_RULE,
            f"{c.kind} is a table-level check: it cannot {action} rows",
            c.doc.span_of(c.ptr + "/action"),
            hint="use action: warn or action: fail",
        )
        return False
    return True


def checked_columns_exist(c: CheckSpec, diags: Diagnostics) -> bool:
    ok = True
    for j, col in enumerate(c.checked_columns):
        key = f"{c.ptr}/columns/{j}" if "columns" in c.spec else f"{c.ptr}/column"
        if col not in c.columns:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"check {c.kind}: unknown column '{col}'{suggestion_suffix(col, c.columns)}",
                c.doc.span_of(key),
                hint="columns: " + ", ".join(c.columns),
            )
            ok = False
    return ok


def column_type_fits(c: CheckSpec, diags: Diagnostics) -> bool:
    """The checked column's type suits the check, and `between` bounds suit the column."""
    if not c.ok or not c.checked_columns:
        return True
    name = c.checked_columns[0]
    ctype = c.columns[name]
    cat = category(ctype)
    need = _NEEDS.get(c.kind)
    if need and cat not in need:
        diags.report(
            codes.CHECK_RULE,
            f"{c.kind} needs a {' or '.join(need)} column; '{name}' is {ctype}",
            c.doc.span_of(c.ptr + "/column"),
        )
        return False
    if c.kind != "between":
        return True
    for key in ("min", "max"):
        bound = c.spec.get(key)
        if bound is None:
            continue
        if cat == "numeric" and not isinstance(bound, int | float):
            diags.report(
                codes.CHECK_RULE,
                f"between on numeric column '{name}' needs a numeric {key}",
                c.doc.span_of(f"{c.ptr}/{key}"),
            )
            return False
        if cat != "numeric" and not isinstance(bound, str):
            diags.report(
                codes.CHECK_RULE,
                f"between on {ctype} column '{name}' needs a quoted {key}",
                c.doc.span_of(f"{c.ptr}/{key}"),
                hint="write dates and timestamps as strings: '2024-01-01'",
            )
            return False
    return True


def parameters_valid(c: CheckSpec, diags: Diagnostics) -> bool:
    """min <= max, a Java regex that compiles, `to: table.column`; the first problem only."""
    return _min_not_above_max(c, diags) and _regex_compiles(c, diags) and _to_names(c, diags)


def _min_not_above_max(c: CheckSpec, diags: Diagnostics) -> bool:
    lo, hi = c.spec.get("min"), c.spec.get("max")
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        diags.report(
            codes.CHECK_RULE,
            f"{c.kind}: min {lo} is greater than max {hi}",
            c.doc.span_of(c.ptr + "/min"),
        )
        return False
    return True


def _regex_compiles(c: CheckSpec, diags: Diagnostics) -> bool:
    if c.kind != "regex":
        return True
    pattern = str(c.spec["pattern"])
    bad = java_regex_error(pattern)
    if bad is None:
        return True
    head = pattern[: bad.offset]
    diags.report(
        codes.CHECK_RULE,
        f"invalid regular expression (Java/Spark regex syntax): {bad.message}",
        c.doc.span_in_scalar(
            c.ptr + "/pattern", head.count("\n") + 1, bad.offset - head.rfind("\n")
        ),
        hint=bad.hint,
    )
    return False


def _to_names(c: CheckSpec, diags: Diagnostics) -> bool:
    if c.kind == "relationship" and "." not in str(c.spec.get("to", "")):
        diags.report(
            codes.CHECK_RULE,
            "relationship `to` must be written as table.column",
            c.doc.span_of(c.ptr + "/to"),
            hint="e.g. to: customers.customer_id",
        )
        return False
    return True


def expression_valid(c: CheckSpec, diags: Diagnostics) -> bool:
    if c.kind != "expression":
        return True
    loc = SqlLocator(c.doc, c.ptr + "/sql")
    return check_row_expression(str(c.spec["sql"]), c.columns, loc, diags)


def where_valid(c: CheckSpec, diags: Diagnostics) -> bool:
    """A `where` row filter is one boolean row expression over the table's columns (the
    row-expression rule of sql_expr.py, as for an expression check's `sql`)."""
    if "where" not in c.spec:
        return True
    loc = SqlLocator(c.doc, c.ptr + "/where")
    return check_row_expression(str(c.spec["where"]), c.columns, loc, diags)


CheckRule = Callable[[CheckSpec, Diagnostics], bool]

#: run in this order on every check; a rule returns False when it rejected the check
CHECK_RULES: tuple[CheckRule, ...] = (
    table_checks_keep_rows,
    checked_columns_exist,
    column_type_fits,
    parameters_valid,
    expression_valid,
    where_valid,
)


def check_list(
    doc: SourceDoc,
    base: str,
    specs: list[dict[str, Any]],
    columns: Mapping[str, str],
    taken: set[str],
    diags: Diagnostics,
) -> dict[int, str]:
    """The accepted checks at `base` (their index -> unique name); `taken` grows by them."""
    names: dict[int, str] = {}
    for i, spec in enumerate(specs):
        c = CheckSpec(doc, f"{base}/{i}", spec, columns)
        for rule in CHECK_RULES:
            if not rule(c, diags):
                c.ok = False
        if c.ok:
            name = _unique_name(c, taken, diags)
            if name is not None:
                names[i] = name
    return names


def _unique_name(c: CheckSpec, taken: set[str], diags: Diagnostics) -> str | None:
    """An explicit name must be unused; a default name gets a _2, _3, ... suffix instead."""
    name = base = str(c.spec.get("name") or default_name(c.spec))
    if "name" in c.spec and name in taken:
        diags.report(
            codes.CHECK_RULE,
            f"check name '{name}' is used twice for this table",
            c.doc.span_of(c.ptr + "/name"),
            hint="check names must be unique per table",
        )
        return None
    n = 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name

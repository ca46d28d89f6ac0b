"""Check specs -> ir.Check, validated against the table they judge (AL304, AL310)."""

from __future__ import annotations

import re
from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir.nodes import TABLE_LEVEL_CHECKS, Action, Check, CheckType, Column
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.java_regex import java_regex_error
from alur_compiler.semantic.types import category

_AGE = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def default_name(spec: dict[str, Any]) -> str:
    kind = str(spec["type"])
    cols = spec.get("columns") or ([spec["column"]] if "column" in spec else [])
    return "_".join([kind, *map(str, cols)])


def build_checks(
    doc: SourceDoc,
    base: str,
    specs: list[dict[str, Any]],
    columns: dict[str, Column],
    origin: str,
    diags: Diagnostics,
    taken: set[str],
) -> tuple[Check, ...]:
    """Build the checks listed at `base` (a JSON pointer) of `doc` against `columns`."""
    out: list[Check] = []
    for i, spec in enumerate(specs):
        ptr = f"{base}/{i}"
        check = _build_one(doc, ptr, spec, columns, origin, diags)
        if check is None:
            continue
        name = check.name
        if "name" in spec and name in taken:
            diags.report(
                codes.CHECK_RULE,
                f"check name '{name}' is used twice for this table",
                doc.span_of(ptr + "/name"),
                hint="check names must be unique per table",
            )
            continue
        n = 2
        while name in taken:
            name, n = f"{check.name}_{n}", n + 1
        taken.add(name)
        out.append(check if name == check.name else _rename(check, name))
    return tuple(out)


def _rename(check: Check, name: str) -> Check:
    from dataclasses import replace

    return replace(check, name=name)


def _build_one(
    doc: SourceDoc,
    ptr: str,
    spec: dict[str, Any],
    columns: dict[str, Column],
    origin: str,
    diags: Diagnostics,
) -> Check | None:
    ctype = CheckType(spec["type"])
    action = Action(spec.get("action", "fail"))
    ok = True
    if ctype in TABLE_LEVEL_CHECKS and action in (Action.DROP, Action.QUARANTINE):
        diags.report(
            codes.CHECK_RULE,
            f"{ctype} is a table-level check: it cannot {action} rows",
            doc.span_of(ptr + "/action"),
            hint="use action: warn or action: fail",
        )
        ok = False
    cols = tuple(spec.get("columns") or ([spec["column"]] if "column" in spec else []))
    for j, col in enumerate(cols):
        key = f"{ptr}/columns/{j}" if "columns" in spec else f"{ptr}/column"
        if col not in columns:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"check {ctype}: unknown column '{col}'{suggestion_suffix(col, columns)}",
                doc.span_of(key),
                hint="columns: " + ", ".join(columns),
            )
            ok = False
    if ok and cols:
        ok = _type_rules(doc, ptr, spec, ctype, columns[cols[0]], diags)
    ok = _param_rules(doc, ptr, spec, ctype, diags) and ok
    if ctype is CheckType.EXPRESSION:
        from alur_compiler.ir.sql_check import SqlLocator, check_row_expression

        ok = (
            check_row_expression(str(spec["sql"]), columns, SqlLocator(doc, ptr + "/sql"), diags)
            and ok
        )
    if not ok:
        return None
    return Check(
        name=str(spec.get("name") or default_name(spec)),
        type=ctype,
        action=action,
        columns=cols,
        values=tuple(spec.get("values", ())),
        min=spec.get("min"),
        max=spec.get("max"),
        strict_min=bool(spec.get("strict_min", False)),
        strict_max=bool(spec.get("strict_max", False)),
        pattern=spec.get("pattern"),
        max_age_seconds=_age_seconds(spec.get("max_age")),
        sql=spec.get("sql"),
        ref_table=str(spec["to"]).split(".")[0] if "to" in spec else None,
        ref_column=str(spec["to"]).split(".", 1)[1] if "." in str(spec.get("to", "")) else None,
        mostly=float(spec.get("mostly", 1.0)),
        origin=origin,
        span=doc.span_of(ptr),
    )


def _age_seconds(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    m = _AGE.match(text)
    return int(m.group(1)) * _UNIT[m.group(2)] if m else None


def _type_rules(
    doc: SourceDoc,
    ptr: str,
    spec: dict[str, Any],
    ctype: CheckType,
    col: Column,
    diags: Diagnostics,
) -> bool:
    cat = category(col.type)
    need = {
        CheckType.REGEX: ("string",),
        CheckType.LENGTH_BETWEEN: ("string",),
        CheckType.FRESHNESS: ("datetime",),
        CheckType.BETWEEN: ("numeric", "datetime", "string"),
    }.get(ctype)
    if need and cat not in need:
        diags.report(
            codes.CHECK_RULE,
            f"{ctype} needs a {' or '.join(need)} column; '{col.name}' is {col.type}",
            doc.span_of(ptr + "/column"),
        )
        return False
    if ctype is CheckType.BETWEEN:
        for key in ("min", "max"):
            bound = spec.get(key)
            if bound is None:
                continue
            if cat == "numeric" and not isinstance(bound, int | float):
                diags.report(
                    codes.CHECK_RULE,
                    f"between on numeric column '{col.name}' needs a numeric {key}",
                    doc.span_of(f"{ptr}/{key}"),
                )
                return False
            if cat != "numeric" and not isinstance(bound, str):
                diags.report(
                    codes.CHECK_RULE,
                    f"between on {col.type} column '{col.name}' needs a quoted {key}",
                    doc.span_of(f"{ptr}/{key}"),
                    hint="write dates and timestamps as strings: '2024-01-01'",
                )
                return False
    return True


def _param_rules(
    doc: SourceDoc, ptr: str, spec: dict[str, Any], ctype: CheckType, diags: Diagnostics
) -> bool:
    lo, hi = spec.get("min"), spec.get("max")
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
        diags.report(
            codes.CHECK_RULE,
            f"{ctype}: min {lo} is greater than max {hi}",
            doc.span_of(ptr + "/min"),
        )
        return False
    if ctype is CheckType.REGEX:
        pattern = str(spec["pattern"])
        bad = java_regex_error(pattern)
        if bad is not None:
            head = pattern[: bad.offset]
            diags.report(
                codes.CHECK_RULE,
                f"invalid regular expression (Java/Spark regex syntax): {bad.message}",
                doc.span_in_scalar(
                    ptr + "/pattern", head.count("\n") + 1, bad.offset - head.rfind("\n")
                ),
                hint=bad.hint,
            )
            return False
    if ctype is CheckType.RELATIONSHIP and "." not in str(spec.get("to", "")):
        diags.report(
            codes.CHECK_RULE,
            "relationship `to` must be written as table.column",
            doc.span_of(ptr + "/to"),
            hint="e.g. to: customers.customer_id",
        )
        return False
    return True

"""Rules of `mode: scd2` (specs/pipeline.md#scd2), one function per rule.

They run in PIPELINE_RULES (semantic/pipelines.py) on the pipeline's verdict: `scd2:` only
with mode scd2; keys (given or the target's primary key without the history columns) that
are data columns of the target; exactly one of `sequence_by` / `check_cols`; the three
history columns declared in the contract with the right types; `delete_when` a row test.
A pipeline never targets bronze (pipelines_skip_bronze) and `incremental` is allowed: the
history is a function of the set of records received, however they are split into runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.semantic.sql_expr import SqlLocator, check_row_expression
from alur_compiler.semantic.sql_output import ColumnView

if TYPE_CHECKING:
    from alur_compiler.semantic.pipelines import JobVerdict

DEFAULT_NAMES = {"valid_from": "valid_from", "valid_to": "valid_to", "is_current": "is_current"}


def history_names(data: dict[str, Any]) -> dict[str, str]:
    """The three history column names: `scd2.valid_from` etc., or their defaults."""
    spec = data.get("scd2") or {}
    spec = spec if isinstance(spec, dict) else {}
    return {k: str(spec.get(k) or v) for k, v in DEFAULT_NAMES.items()}


@dataclass(frozen=True)
class DataColumns:
    """The target as the SQL must fill it: every column but the three history columns."""

    name: str
    columns: Sequence[ColumnView]


def output_target(j: JobVerdict) -> Any:
    """What the SQL output is compared with: for scd2 the target without history columns."""
    assert j.target is not None
    if j.mode != "scd2":
        return j.target
    hist = set(history_names(j.data).values())
    cols: list[ColumnView] = [c for c in j.target.columns if c.name not in hist]
    seq = _spec(j).get("sequence_by")
    words = set(re.findall(r"\w+", str(_spec(j).get("delete_when") or "")))
    for out in (j.result.columns if j.result else None) or ():
        # sequence_by and what delete_when reads may be returned without being stored
        if out.name not in j.target.column_names and (out.name == seq or out.name in words):
            cols.append(_Returned(out.name, out.type or "string", True))
    return DataColumns(j.target.name, cols)


@dataclass(frozen=True)
class _Returned:
    name: str
    type: str
    nullable: bool


def _spec(j: JobVerdict) -> dict[str, Any]:
    spec = j.data.get("scd2")
    return spec if isinstance(spec, dict) else {}


def _where(j: JobVerdict, key: str) -> Any:
    return j.doc.span_of(f"/scd2/{key}") if key in _spec(j) else j.doc.span_of("/mode")


def scd2_settings_need_scd2(j: JobVerdict, diags: Diagnostics) -> None:
    if j.data.get("scd2") and j.mode != "scd2":
        diags.report(
            codes.WRITE_MODE_RULE,
            f"`scd2:` settings are given but mode is {j.mode}",
            j.doc.span_of("/scd2", key=True),
            hint="set `mode: scd2` or remove `scd2:`",
        )


def scd2_keys(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.target is not None
    if j.mode != "scd2":
        return
    hist = set(history_names(j.data).values())
    given = _spec(j).get("keys") or ()
    keys = list(given) or [k for k in j.target.primary_key if k not in hist]
    if not keys:
        diags.report(
            codes.MERGE_WITHOUT_KEYS,
            f"scd2 into '{j.target.name}' needs keys",
            j.doc.span_of("/mode"),
            hint="add `scd2: {keys: [...]}` or a primary_key (keys + valid_from) to the table",
        )
    cols = [c for c in j.target.column_names if c not in hist]
    for i, key in enumerate(given):
        if key not in cols:
            what = "a history column" if key in hist else "not a column"
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"scd2 key '{key}' is {what} of '{j.target.name}'{suggestion_suffix(key, cols)}",
                j.doc.span_of(f"/scd2/keys/{i}"),
            )


def scd2_one_ordering(j: JobVerdict, diags: Diagnostics) -> None:
    """Exactly one of sequence_by / check_cols; each names a column."""
    assert j.target is not None
    if j.mode != "scd2":
        return
    spec = _spec(j)
    seq, check = spec.get("sequence_by"), spec.get("check_cols")
    if (seq is None) == (not check):
        both = seq is not None
        diags.report(
            codes.WRITE_MODE_RULE,
            "scd2 needs exactly one of `sequence_by` and `check_cols`"
            + (", not both" if both else ""),
            j.doc.span_of("/scd2/check_cols" if both else "/scd2", key=True),
            hint="`sequence_by: updated_at` (a version per change time) or "
            "`check_cols: [status, ...]` (a version per change seen by a run)",
        )
    rows = j.row_columns()
    if isinstance(seq, str) and seq not in rows:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"sequence_by '{seq}' is not a column of the query or of "
            f"'{j.target.name}'{suggestion_suffix(seq, rows)}",
            j.doc.span_of("/scd2/sequence_by"),
        )
    hist = set(history_names(j.data).values())
    cols = [c for c in j.target.column_names if c not in hist]
    for i, col in enumerate(check or ()):
        if col not in cols:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"check_cols '{col}' is not a data column of "
                f"'{j.target.name}'{suggestion_suffix(col, cols)}",
                j.doc.span_of(f"/scd2/check_cols/{i}"),
            )


def _sequence_type(j: JobVerdict) -> str | None:
    """The type valid_from / valid_to must have: sequence_by's, or timestamp."""
    assert j.target is not None
    seq = _spec(j).get("sequence_by")
    if not isinstance(seq, str):
        return "timestamp"
    for out in (j.result.columns if j.result else None) or ():
        if out.name == seq:
            return out.type.lower() if out.type else None
    col = next((c for c in j.target.columns if c.name == seq), None)
    return col.type.lower() if col else None


def scd2_history_columns(j: JobVerdict, diags: Diagnostics) -> None:
    """The contract declares valid_from, valid_to (the sequence's type) and is_current."""
    assert j.target is not None
    if j.mode != "scd2":
        return
    names = history_names(j.data)
    seq_type = _sequence_type(j)
    wanted = {"valid_from": seq_type, "valid_to": seq_type, "is_current": "boolean"}
    types = {c.name: c.type.lower().replace(" ", "") for c in j.target.columns}
    for role, name in names.items():
        want = wanted[role]
        where = _where(j, role)
        if name not in types:
            diags.report(
                codes.WRITE_MODE_RULE,
                f"scd2 target '{j.target.name}' has no column '{name}' ({role})",
                where,
                hint=f"declare `- name: {name}` with type {want or 'the sequence type'} in the "
                f"contract of '{j.target.name}' (alurc fills it; the SQL does not return it)",
            )
        elif want is not None and types[name] != want.replace(" ", ""):
            diags.report(
                codes.WRITE_MODE_RULE,
                f"scd2 column '{name}' ({role}) of '{j.target.name}' is {types[name]}, "
                f"it must be {want}",
                where,
                hint=f"give '{name}' type {want} in the contract"
                + ("" if role == "is_current" else " (the type of sequence_by)"),
            )


def scd2_delete_when(j: JobVerdict, diags: Diagnostics) -> None:
    delete_when = _spec(j).get("delete_when")
    if j.mode == "scd2" and isinstance(delete_when, str):
        loc = SqlLocator(j.doc, "/scd2/delete_when")
        check_row_expression(delete_when, j.row_columns(), loc, diags)


SCD2_RULES = (
    scd2_settings_need_scd2,
    scd2_keys,
    scd2_one_ordering,
    scd2_history_columns,
    scd2_delete_when,
)

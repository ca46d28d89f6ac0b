"""Rows of a test (inline in the YAML, or a CSV/JSONL file next to it), checked and typed.

Every cell is checked against its column's type (values.py) and kept as canonical text;
an unknown column or a value that does not fit is a diagnostic at the cell (file:line:col
of the YAML, or the file's line), never an exception.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.testing.values import BadValue, canonical

Cell = str | None


@dataclass(frozen=True)
class Rows:
    """Rows over `columns` (names as in the contract), each cell canonical text or None."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    span: Span


@dataclass(frozen=True)
class RawRow:
    values: dict[str, Any]
    key_span: Callable[[str], Span]
    value_span: Callable[[str], Span]


def shown_path(path: Path) -> str:
    cwd = os.path.realpath(os.getcwd())
    real = str(path.resolve())
    return real[len(cwd) + 1 :] if real.startswith(cwd + os.sep) else real


def raw_rows(doc: SourceDoc, ptr: str, value: Any, diags: Diagnostics) -> list[RawRow] | None:
    """The rows at `ptr` of `doc`: a list of mappings, or a .csv/.jsonl path next to it."""
    if isinstance(value, list):
        return [
            _inline(doc, f"{ptr}/{i}", row) for i, row in enumerate(value) if isinstance(row, dict)
        ]
    path = Path(doc.abspath).parent / str(value)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        diags.report(
            codes.FILE_UNREADABLE,
            f"cannot read rows file '{value}': {why}",
            doc.span_of(ptr),
            hint="the path is relative to the test file",
        )
        return None
    return _file_rows(shown_path(path), text, str(value).endswith(".jsonl"), diags)


def _inline(doc: SourceDoc, ptr: str, row: dict[str, Any]) -> RawRow:
    def key_span(column: str) -> Span:
        return doc.span_of(f"{ptr}/{column}", key=True)

    def value_span(column: str) -> Span:
        return doc.span_of(f"{ptr}/{column}")

    return RawRow(row, key_span, value_span)


def _file_rows(shown: str, text: str, jsonl: bool, diags: Diagnostics) -> list[RawRow]:
    out: list[RawRow] = []
    if jsonl:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                diags.report(codes.FILE_UNREADABLE, f"not JSON: {exc}", Span(shown, number, 1))
                continue
            if not isinstance(row, dict):
                diags.report(
                    codes.WRONG_TYPE, "a JSONL row must be an object", Span(shown, number, 1)
                )
                continue
            out.append(_at(row, Span(shown, number, 1)))
        return out
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    for row_values in reader:
        if not any(v.strip() for v in row_values):
            continue
        number = reader.line_num
        row = {h: (v if v != "" else None) for h, v in zip(header, row_values, strict=False)}
        out.append(_at(row, Span(shown, number, 1)))
    return out


def _at(row: dict[str, Any], span: Span) -> RawRow:
    return RawRow(row, lambda _c: span, lambda _c: span)


def typed_rows(
    raw: list[RawRow],
    columns: dict[str, str],
    what: str,
    span: Span,
    diags: Diagnostics,
    same_columns: bool = False,
) -> Rows | None:
    """Check every cell of `raw` against `columns` (name -> Spark type). With
    `same_columns` every row must name the columns of the first (expected rows)."""
    before = len(diags.errors)
    names: list[str] = []
    for row in raw:
        for key in row.values:
            if key not in columns:
                diags.report(
                    codes.UNKNOWN_COLUMN,
                    f"{what} has no column '{key}'{suggestion_suffix(key, columns)}",
                    row.key_span(key),
                    hint="columns: " + ", ".join(columns),
                )
            elif key not in names:
                names.append(key)
    if same_columns and raw:
        _same_columns(raw, what, diags)
    cells: list[tuple[Cell, ...]] = []
    for row in raw:
        line: list[Cell] = []
        for name in names:
            try:
                line.append(canonical(row.values.get(name), columns[name]))
            except BadValue as exc:
                diags.report(
                    codes.WRONG_TYPE,
                    f"value of '{name}' does not fit its type {columns[name]}: {exc}",
                    row.value_span(name),
                    hint=f"write a value of type {columns[name]}, or null",
                )
                line.append(None)
        cells.append(tuple(line))
    if len(diags.errors) > before:
        return None
    types = tuple(columns[n] for n in names)
    return Rows(tuple(names), types, tuple(cells), span)


def _same_columns(raw: list[RawRow], what: str, diags: Diagnostics) -> None:
    first = list(raw[0].values)
    for number, row in enumerate(raw[1:], 2):
        if set(row.values) != set(first):
            missing = sorted(set(first) - set(row.values))
            extra = sorted(set(row.values) - set(first))
            said = "; ".join(
                part
                for part in (
                    f"leaves out {', '.join(missing)}" if missing else "",
                    f"adds {', '.join(extra)}" if extra else "",
                )
                if part
            )
            diags.report(
                codes.SCHEMA_OTHER,
                f"expected row {number} of {what} names other columns than row 1 ({said})",
                row.key_span(next(iter(row.values), "")),
                hint="every expected row names the same columns (write null for NULL)",
            )
